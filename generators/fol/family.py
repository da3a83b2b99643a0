"""FOL family: translate English into first-order logic, or judge FOLIO-style entailment.

- task=translate: sentences built compositionally with their gold formulas; the prompt fixes
  the vocabulary, so a candidate is correct iff z3 proves it equivalent to gold (feedback: a
  parse error, an unknown symbol, or a counter-model in words).
- task=entail: premises + conclusion, label True/False/Unknown from `entails`, every label
  certified (proof for True/False, models both ways for Unknown), balanced by index.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from generators.fol.constructions import BY_QUANTIFIERS, compound
from generators.fol.lexicon import Lexicon, make_lexicon
from generators.fol.recheck import recheck
from generators.fol.translate import verify_translation
from reasoning.core import (
    Family,
    GenerationError,
    Instance,
    Verdict,
    answer_hint,
    check_knobs,
    extract_choice,
    generate_items,
    instance_id,
    item_rng,
    knob,
)
from solvers.fol import (
    Const,
    Formula,
    InconsistentPremises,
    Not,
    Pred,
    first_decided,
    render,
    reusable_solver,
    to_smtlib,
)

NAME = "fol"
# 3: entail items are searched with `first_decided` (one z3 context per item); the same
# items as version 2 except on stories where z3 gave up on a check (see first_decided)
VERSION = "3"
LABELS = ("True", "False", "Unknown")
MAX_ATTEMPTS = 300
PEOPLE_PER_STORY = 2
RELATIONS_PER_STORY = 2


@dataclass(frozen=True)
class Config:
    task: str = knob(
        "translate",
        "translate sentences into FOL, or judge entailment",
        choices=("translate", "entail"),
    )
    depth: int = knob(1, "connective nesting of sentences about named individuals", low=1, high=4)
    quantifiers: int = knob(
        2, "max quantifier nesting (0: none, 2: 'every A likes some B')", low=0, high=2
    )
    predicates: int = knob(5, "unary predicates in the vocabulary", low=3, high=16)
    sentences: int = knob(3, "sentences to translate, or premises per story", low=1, high=12)
    vocab: int = knob(
        0,
        "vocabulary seed: 0 draws a fresh vocabulary per item, otherwise "
        "all items share the vocabulary of this seed",
        low=0,
        high=10**9,
    )

    def validate(self) -> None:
        check_knobs(self)


def _lexicon(config: Config, rng: random.Random) -> Lexicon:
    source = random.Random(f"fol-vocab-{config.vocab}") if config.vocab else rng
    return make_lexicon(source, config.predicates, PEOPLE_PER_STORY + 1, RELATIONS_PER_STORY)


def _sentence(rng: random.Random, lex: Lexicon, config: Config) -> tuple[str, Formula]:
    level = rng.randint(0, config.quantifiers)
    if level == 0:
        return compound(rng, lex, config.depth)
    return rng.choice(BY_QUANTIFIERS[level])(rng, lex)


def _translate_item(config: Config, rng: random.Random) -> tuple[str, list[str], dict]:
    lex = _lexicon(config, rng)
    pairs = [_sentence(rng, lex, config) for _ in range(config.sentences)]
    numbered = "\n".join(f"{i}. {text}" for i, (text, _) in enumerate(pairs, 1))
    prompt = (
        "Translate each sentence into first-order logic, using only this vocabulary:\n"
        f"{lex.gloss()}\n\nSentences:\n{numbered}\n\n"
        "Write one formula per line, numbered like the sentences, e.g. "
        "`1. ∀x (Student(x) → Young(x))`. Use ∀ ∃ ¬ ∧ ∨ → ↔ ⊕ = (or forall, exists, ~, &, |, "
        "->, <->, ^)."
    )
    gold = [render(f) for _, f in pairs]
    script, _ = to_smtlib([f for _, f in pairs])
    meta = {
        "formal": {"format": "smtlib2", "text": script, "query": None},
        "sentences": [t for t, _ in pairs],
        "symbols": lex.symbols(),
    }
    return prompt, gold, meta


def _entail_item(config: Config, rng: random.Random, target: str) -> tuple[str, str, dict]:
    solver = reusable_solver()  # one z3 context for this item's stories, each in its scope
    for _ in range(MAX_ATTEMPTS):
        lex = _lexicon(config, rng)
        pairs = [_sentence(rng, lex, config) for _ in range(config.sentences)]
        people = lex.people[:PEOPLE_PER_STORY]
        candidates = [(p, w) for p in people for w in lex.unary]
        rng.shuffle(candidates)
        conclusions = [Pred(w.pred, (Const(p.lower()),)) for p, w in candidates]
        premises = [f for _, f in pairs]
        stated = set(premises) | {Not(f) for f in premises}
        # a mere restatement of a premise is never asked, so it is not labelled either
        asked = [i for i, c in enumerate(conclusions) if c not in stated and Not(c) not in stated]
        # True is asked as a true or, negated, a false conclusion; False likewise
        wanted = ("Unknown",) if target == "Unknown" else ("True", "False")
        try:
            found = first_decided(premises, [conclusions[i] for i in asked], wanted, solver=solver)
        except InconsistentPremises:
            continue
        if found is None:
            continue
        k, result = found
        (person, word), concl = candidates[asked[k]], conclusions[asked[k]]
        if result.label == target:
            return _entail_prompt(pairs, f"{person} is {word.is_()}.", concl, target, lex)
        return _entail_prompt(pairs, f"{person} is not {word.is_()}.", Not(concl), target, lex)
    raise GenerationError(
        f"no story with a certified {target!r} conclusion in {MAX_ATTEMPTS} tries; "
        "use more sentences or fewer predicates"
    )


def _entail_prompt(pairs, text: str, conclusion: Formula, label: str, lex: Lexicon):
    premises = "\n".join(f"{i}. {t}" for i, (t, _) in enumerate(pairs, 1))
    prompt = (
        f"Premises:\n{premises}\n\nConclusion: {text}\n\n"
        "Based only on the premises, is the conclusion True, False, or Unknown? "
        "End your reply with 'Answer: True', 'Answer: False' or 'Answer: Unknown'."
    )
    script, query = to_smtlib([f for _, f in pairs], conclusion)
    meta = {
        "formal": {"format": "smtlib2", "text": script, "query": query},
        "fol": {"premises": [render(f) for _, f in pairs], "conclusion": render(conclusion)},
        "conclusion": text,
        "symbols": lex.symbols(),
    }
    return prompt, label, meta


def _make_item(config: Config, knobs: dict, seed: int, index: int) -> Instance:
    rng = item_rng(NAME, knobs, seed, index)
    if config.task == "translate":
        prompt, answer, meta = _translate_item(config, rng)
    else:
        prompt, answer, meta = _entail_item(config, rng, LABELS[index % 3])
    meta.update(task=config.task, seed=seed, index=index, generator_version=VERSION)
    return Instance(instance_id(NAME, knobs, seed, index), NAME, prompt, answer, knobs, meta)


def generate(config: Config, seed: int, n: int, start: int = 0) -> Iterator[Instance]:
    """n FOL items; item i depends only on (knobs, seed, i). Entail labels cycle through
    True, False, Unknown, so any prefix is balanced to within one item per label."""
    return generate_items(config, seed, n, _make_item, start)


def verify(instance: Instance, response: str) -> Verdict:
    if instance.meta.get("task") == "translate":
        return verify_translation(instance, response)
    choice = extract_choice(response, (*LABELS, "Uncertain"))
    if choice is None:
        return Verdict.unparsed(answer_hint(LABELS))
    choice = "Unknown" if choice == "Uncertain" else choice
    correct = choice == instance.answer
    feedback = "correct" if correct else f"incorrect: the conclusion is not {choice}"
    return Verdict(correct, 1.0 if correct else 0.0, {"answer": choice}, feedback)


def oracle(instance: Instance) -> str:
    """The gold answer as a response: numbered formulas, or 'Answer: <label>'."""
    if instance.meta.get("task") == "translate":
        return "\n".join(f"{i}. {g}" for i, g in enumerate(instance.answer, 1))
    return f"Answer: {instance.answer}"


FAMILY = Family(
    name=NAME,
    summary="first-order logic: translate English to FOL (checked by equivalence) or judge "
    "entailment (True/False/Unknown)",
    config=Config,
    generate=generate,
    verify=verify,
    recheck=recheck,
    oracle=oracle,
    labels=LABELS,
    version=VERSION,
    tags=("task",),
    calibration=3,
)
