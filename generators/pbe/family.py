"""PBE rewrite cascades (after PBEBench): induce the ordered replace() rules that map every
input string to its output string.

Generated constructively, one rule at a time: each new rule's pattern is cut from a current
string (so it fires), and a rule is accepted only if every earlier rule stays necessary
(dropping any one rule changes some output). Long cascades are therefore cheap; nothing is
rejection-sampled at the level of whole instances unless `interactions` asks for more.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from generators.pbe.recheck import recheck
from generators.pbe.response import ResponseParseError, parse_cascade
from reasoning.core import (
    ConfigError,
    Family,
    GenerationError,
    Instance,
    Verdict,
    check_knobs,
    generate_items,
    instance_id,
    item_rng,
    knob,
)
from reasoning.core.knobs import parse_range
from solvers.rewrite import (
    CATEGORIES,
    Rule,
    measure_interactions,
    run_cascade_capped,
    synthesize,
)

NAME = "pbe"
VERSION = "1"
RULE_TRIES = 80  # candidate rules tried per position before restarting the cascade
MAX_ATTEMPTS = 200  # cascades tried per item
AMBIGUITY_BUDGET = 3000  # candidate evaluations for the shorter-cascade search
MAX_STRING = 100_000  # no response's cascade may build a longer string on any example


@dataclass(frozen=True)
class Config:
    length: int = knob(5, "rules in the gold cascade (every one necessary)", low=1, high=40)
    n_examples: int = knob(8, "input/output pairs shown", low=1, high=200)
    alphabet: str = knob("6", "alphabet: a size 2..26 (first letters a, b, …) or the letters")
    input_len: str = knob("6-12", "input string length range A-B")
    pattern_len: str = knob("1-3", "rule pattern length range A-B")
    replacement_len: str = knob("0-3", "rule replacement length range A-B")
    interactions: str = knob(
        "",
        "required interactions: 'feeding,bleeding' (>= 1 each) or 'feeding=2,…'; "
        "categories: " + ", ".join(CATEGORIES),
    )
    max_output_len: int = knob(40, "longest string allowed at any step", low=1, high=1000)

    def validate(self) -> None:
        check_knobs(self)
        self.letters()
        lo, hi = self.input_range()
        if hi > self.max_output_len:
            raise ConfigError(
                f"knob input_len={self.input_len!r} exceeds max_output_len={self.max_output_len}"
            )
        if self.pattern_range()[0] > hi:
            raise ConfigError(
                f"knob pattern_len={self.pattern_len!r} is longer than every input "
                f"(input_len={self.input_len!r})"
            )
        self.replacement_range()
        self.required_interactions()

    def letters(self) -> str:
        text = self.alphabet.strip()
        if text.isdigit():
            size = int(text)
            if not 2 <= size <= 26:
                raise ConfigError(f"knob alphabet={text!r}: a size must be 2..26")
            return string.ascii_lowercase[:size]
        if len(text) < 2 or len(set(text)) != len(text) or not text.isalnum():
            raise ConfigError(
                f"knob alphabet={text!r}: give a size 2..26 or at least 2 distinct letters/digits"
            )
        return text

    def input_range(self) -> tuple[int, int]:
        return parse_range("input_len", self.input_len, 1, 1000)

    def pattern_range(self) -> tuple[int, int]:
        return parse_range("pattern_len", self.pattern_len, 1, 20)

    def replacement_range(self) -> tuple[int, int]:
        return parse_range("replacement_len", self.replacement_len, 0, 20)

    def required_interactions(self) -> dict[str, int]:
        wanted: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in self.interactions.split(","))):
            name, _, count = part.partition("=")
            name = name.strip()
            if name not in CATEGORIES:
                raise ConfigError(
                    f"knob interactions: unknown category {name!r}; "
                    f"allowed: {', '.join(CATEGORIES)}"
                )
            try:
                wanted[name] = int(count) if count else 1
            except ValueError:
                raise ConfigError(f"knob interactions: {part!r} needs a whole count") from None
            if wanted[name] < 0:
                raise ConfigError(f"knob interactions: {part!r} must not be negative")
        return wanted


def _word(rng: random.Random, letters: str, lo: int, hi: int) -> str:
    return "".join(rng.choice(letters) for _ in range(rng.randint(lo, hi)))


def _propose(rng: random.Random, states: list[str], config: Config, letters: str) -> Rule | None:
    pmin, pmax = config.pattern_range()
    usable = [s for s in states if len(s) >= pmin]
    if not usable:
        return None
    source = rng.choice(usable)
    size = rng.randint(pmin, min(pmax, len(source)))
    start = rng.randrange(len(source) - size + 1)
    pattern = source[start : start + size]
    replacement = _word(rng, letters, *config.replacement_range())
    return None if replacement == pattern else (pattern, replacement)


def build_cascade(
    rng: random.Random, config: Config, letters: str
) -> tuple[list[str], list[Rule], list[str]] | None:
    """(inputs, rules, outputs) with every rule necessary, or None if this attempt got
    stuck. Cost: O(length² · n_examples) string replacements."""
    inputs = [_word(rng, letters, *config.input_range()) for _ in range(config.n_examples)]
    states = list(inputs)
    without: list[list[str]] = []  # without[i]: the current strings had rule i been dropped
    rules: list[Rule] = []
    for _ in range(config.length):
        for _ in range(RULE_TRIES):
            rule = _propose(rng, states, config, letters)
            if rule is None:
                continue
            after = [s.replace(*rule) for s in states]
            if after == states or max(map(len, after)) > config.max_output_len:
                continue
            moved = [[s.replace(*rule) for s in w] for w in without]
            if any(w == after for w in moved):
                continue  # this rule would undo an earlier rule's every effect
            without = [*moved, states]
            states = after
            rules.append(rule)
            break
        else:
            return None
    return inputs, rules, states


def _prompt(examples: list[tuple[str, str]]) -> str:
    shown = "\n".join(f"{json.dumps(x)} -> {json.dumps(y)}" for x, y in examples)
    return (
        "Find a cascade of string rewrite rules that turns every input into its output.\n"
        'A rule replace("x", "y") rewrites every non-overlapping occurrence of x with y, left '
        "to right (like Python's str.replace). The rules apply one after another, in order.\n\n"
        f"Examples (input -> output):\n{shown}\n\n"
        'Write the rules, one replace("pattern", "replacement") per line, inside a ``` code '
        "block."
    )


def _make_item(config: Config, knobs: dict, seed: int, index: int) -> Instance:
    rng = item_rng(NAME, knobs, seed, index)
    letters = config.letters()
    wanted = config.required_interactions()
    for _ in range(MAX_ATTEMPTS):
        built = build_cascade(rng, config, letters)
        if built is None:
            continue
        inputs, rules, outputs = built
        measured = measure_interactions(inputs, rules)
        if all(measured[k] >= v for k, v in wanted.items()):
            break
    else:
        raise GenerationError(
            f"no cascade with length={config.length} and interactions {config.interactions!r} "
            f"in {MAX_ATTEMPTS} attempts; use a smaller alphabet, longer inputs, or fewer "
            "required interactions"
        )
    examples = list(zip(inputs, outputs, strict=True))
    # the alignment-only proposals keep this bounded search cheap (and its bytes unchanged)
    shorter = synthesize(
        examples, config.length - 1, beam=8, budget=AMBIGUITY_BUDGET, anchored=False
    )
    return Instance(
        id=instance_id(NAME, knobs, seed, index),
        family=NAME,
        prompt=_prompt(examples),
        answer=[list(r) for r in rules],
        hardness=knobs,
        meta={
            "formal": {"format": "cascade", "text": json.dumps([list(r) for r in rules])},
            "examples": [list(e) for e in examples],
            "interactions": measured,
            "ambiguous": shorter.rules is not None,
            "ambiguity_search": {
                "shorter": [list(r) for r in shorter.rules] if shorter.rules else None,
                "max_length": config.length - 1,
                "evaluations": shorter.evaluations,
                "exhausted": shorter.exhausted,
            },
            "seed": seed,
            "index": index,
            "generator_version": VERSION,
        },
    )


def generate(config: Config, seed: int, n: int, start: int = 0) -> Iterator[Instance]:
    """n PBE items; item i depends only on (knobs, seed, i)."""
    return generate_items(config, seed, n, _make_item, start)


def string_cap(examples: list[tuple[str, str]]) -> int:
    """The longest string a response's cascade may build on these examples: 10 × the
    longest example string, at least 100 and at most MAX_STRING characters."""
    longest = max((max(len(x), len(y)) for x, y in examples), default=0)
    return min(MAX_STRING, max(100, 10 * longest))


def _first_failure(
    examples: list[tuple[str, str]], runs: list[tuple[str, int]], n_rules: int, cap: int
) -> str:
    k = next(
        i for i, (run, (_, y)) in enumerate(zip(runs, examples, strict=True)) if run != (y, n_rules)
    )
    text, done = runs[k]
    got = (
        json.dumps(text)
        if done == n_rules
        else f"nothing: rule {done + 1} would grow the string past {cap} characters, so the "
        "run was cut there"
    )
    x, y = examples[k]
    return f"first failure: input {json.dumps(x)} should give {json.dumps(y)} but gives {got}"


def verify(instance: Instance, response: str) -> Verdict:
    """Run the response's cascade on every example. Correct iff all outputs match; score is
    the fraction matched; parsed also holds the mean normalised edit similarity, and
    `cut_rule` (1-based) when a rule would have grown a string past `string_cap`.
    Cost: O(len(response) + n_rules · n_examples · string_cap), n_rules <= MAX_RULES."""
    try:
        rules = parse_cascade(response)
    except ResponseParseError as exc:
        return Verdict.unparsed(str(exc))
    examples = [(str(x), str(y)) for x, y in instance.meta["examples"]]
    parsed: dict = {"rules": [list(r) for r in rules]}
    empty = [i + 1 for i, (p, _) in enumerate(rules) if not p]
    if empty:
        return Verdict(False, 0.0, parsed, f"rule {empty[0]} has an empty pattern")
    cap = string_cap(examples)
    runs = [run_cascade_capped(x, rules, cap) for x, _ in examples]
    cuts = [done + 1 for _, done in runs if done < len(rules)]
    if cuts:
        parsed["cut_rule"] = cuts[0]
    matched = sum(run == (y, len(rules)) for run, (_, y) in zip(runs, examples, strict=True))
    similarity = sum(
        Levenshtein.normalized_similarity(t, y) if done == len(rules) else 0.0
        for (t, done), (_, y) in zip(runs, examples, strict=True)
    ) / max(1, len(examples))
    parsed.update(matched=matched, examples=len(examples), edit_similarity=round(similarity, 4))
    if matched == len(examples):
        return Verdict(True, 1.0, parsed, f"correct: all {len(examples)} examples match")
    feedback = f"{matched}/{len(examples)} examples match; " + _first_failure(
        examples, runs, len(rules), cap
    )
    if cuts:
        feedback += f"; rule {cuts[0]} would grow a string past {cap} characters and was cut"
    return Verdict(False, matched / max(1, len(examples)), parsed, feedback)


FAMILY = Family(
    name=NAME,
    summary="rewrite-cascade induction: write the replace() rules mapping inputs to outputs",
    config=Config,
    generate=generate,
    verify=verify,
    recheck=recheck,
    oracle=lambda inst: (
        "```\n"
        + "\n".join(f"replace({json.dumps(a)}, {json.dumps(b)})" for a, b in inst.answer)
        + "\n```"
    ),
    labels=None,
    version=VERSION,
    calibration=4,
)
