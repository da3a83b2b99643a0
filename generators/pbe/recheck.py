"""The independent second path for PBE gold labels: the examples are read back from the
prompt itself (its exact layout) and must be meta.examples; a regex-based executor (not
`str.replace`) re-runs the gold cascade of `meta.formal`, which must be `answer`, on every
example, and necessity and length are re-derived from scratch."""

from __future__ import annotations

import json
import re

from reasoning.core import Instance

# the prompt's layout, as the family writes it (family._prompt)
HEAD = (
    "Find a cascade of string rewrite rules that turns every input into its output.\n"
    'A rule replace("x", "y") rewrites every non-overlapping occurrence of x with y, left '
    "to right (like Python's str.replace). The rules apply one after another, in order.\n\n"
    "Examples (input -> output):\n"
)
TAIL = (
    '\n\nWrite the rules, one replace("pattern", "replacement") per line, inside a ``` code block.'
)
_STRING = r'"(?:[^"\\\n]|\\.)*"'  # one JSON string literal (unambiguous: linear time)
_EXAMPLE = re.compile(rf"({_STRING}) -> ({_STRING})")
MAX_RULES = 40  # the `length` knob's upper bound: no gold cascade is longer
MAX_STRING = 100_000  # no run builds a longer string (a hostile cascade could grow it)
_MALFORMED = (AttributeError, IndexError, KeyError, TypeError, ValueError)

Rule = tuple[str, str]


def regex_run(text: str, rules: list[Rule], cap: int = MAX_STRING) -> str | None:
    """Apply rules with `re.sub` on escaped patterns (leftmost, non-overlapping matches);
    None once a string grows past `cap` characters. Cost: O(len(rules) · cap)."""
    for pattern, replacement in rules:
        text = re.sub(re.escape(pattern), lambda _m, r=replacement: r, text)
        if len(text) > cap:
            return None
    return text


def prompt_examples(prompt: str) -> list[Rule] | None:
    """The (input, output) pairs a prompt in the family's layout shows, or None when it is
    laid out otherwise (each pair exactly as `json.dumps` writes it). Cost: linear."""
    if not (prompt.startswith(HEAD) and prompt.endswith(TAIL)):
        return None
    pairs = []
    for line in prompt[len(HEAD) : len(prompt) - len(TAIL)].split("\n"):
        m = _EXAMPLE.fullmatch(line)
        if m is None:
            return None
        x, y = json.loads(m.group(1)), json.loads(m.group(2))
        if f"{json.dumps(x)} -> {json.dumps(y)}" != line:
            return None
        pairs.append((x, y))
    return pairs


def recheck(instance: Instance) -> list[str]:
    """Disagreements between the prompt's examples, meta.examples, `answer` and a fresh
    execution of the gold cascade; a malformed item is a disagreement, never an error."""
    try:
        return _recheck(instance)
    except _MALFORMED as exc:
        return [f"malformed item ({type(exc).__name__}: {exc})"]


def _pairs(value: object, what: str) -> list[Rule]:
    """A JSON list of [str, str] pairs as tuples; ValueError naming `what` otherwise."""
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in value
    ):
        raise ValueError(f"{what} is not a list of [string, string] pairs")
    return [(p[0], p[1]) for p in value]


def _recheck(instance: Instance) -> list[str]:
    formal = instance.meta["formal"]
    problems = []
    if formal.get("format") != "cascade":
        problems.append(f"meta.formal.format is {formal.get('format')!r}, not 'cascade'")
    rules = _pairs(json.loads(formal["text"]), "meta.formal.text")
    examples = _pairs(instance.meta["examples"], "meta.examples")
    shown = prompt_examples(instance.prompt)
    if shown is None:
        problems.append("the prompt is not laid out as the family writes it")
    elif shown != examples:
        problems.append("the prompt's examples are not meta.examples")
    if [list(r) for r in rules] != instance.answer:
        problems.append("answer differs from meta.formal")
    if len(rules) != instance.hardness.get("length"):
        problems.append(
            f"cascade has {len(rules)} rules, knob length={instance.hardness.get('length')}"
        )
    if any(not p for p, _ in rules) or len(rules) > MAX_RULES:
        return [*problems, "a gold rule has an empty pattern, or there are too many rules"]
    return problems + _run_problems(rules, examples if shown is None else shown)


def _run_problems(rules: list[Rule], examples: list[Rule]) -> list[str]:
    """The gold cascade must map every input to its output, and every rule must be needed.
    Cost: O(len(rules)² · len(examples)) runs, each string capped at MAX_STRING."""
    problems = []
    for x, y in examples:
        got = regex_run(x, rules)
        if got != y:
            problems.append(f"gold cascade maps {x!r} to {got!r}, stored output {y!r}")
    outputs = [y for _, y in examples]
    for i in range(len(rules)):
        dropped = rules[:i] + rules[i + 1 :]
        if [regex_run(x, dropped) for x, _ in examples] == outputs:
            problems.append(f"rule {i + 1} {list(rules[i])} is unnecessary")
    return problems
