"""Second paths for LogicAsker labels: z3 reads meta.formal (SMT-LIB2) with its own parser;
propositional items are decided again by python-sat on the Tseitin CNF; every premise
sentence and the question parse back to the stored formulas."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from reasoning.core import Instance
from solvers.fol import FOLParseError, Formula, SmtlibMemo, parse, render, shape
from solvers.fol.cnf import NotPropositional, sat_consistent, sat_entails
from solvers.fol.memo import Memo


def recheck(instance: Instance) -> list[str]:
    """The disagreements of one item (see `checker`)."""
    return checker()(instance)


@dataclass
class _Context:
    """What a checker keeps across items: z3 (one context, one answer per SMT-LIB2 shape),
    python-sat's answers per formula shape, and the grammar's parses of sentence skeletons."""

    z3: SmtlibMemo = field(default_factory=SmtlibMemo)
    sat: Memo = field(default_factory=Memo)
    skeletons: dict = field(default_factory=dict)


def checker() -> Callable[[Instance], list[str]]:
    """A recheck function that keeps its solver, answers per shape (decisions are the same
    for every renaming of an argument's names) and grammar parses across items; use it
    from one thread."""
    return functools.partial(_recheck, context=_Context())


def _recheck(instance: Instance, context: _Context) -> list[str]:
    problems = []
    formal = instance.meta.get("formal") or {}
    try:
        label = context.z3(formal["text"], formal["query"])
    except (KeyError, TypeError, ValueError) as exc:
        return [f"meta.formal unreadable: {exc}"]
    expected = "yes" if label == "True" else "no"
    if label is None:
        problems.append("z3 gave up on meta.formal")
    elif expected != instance.answer:
        problems.append(f"z3 says {label}, label is {instance.answer!r}")
    stated = _stated_formulas(instance, context.skeletons)
    if isinstance(stated, list):  # the English did not state the stored formulas
        return [*problems, *stated]
    *premises, conclusion = stated
    if instance.meta.get("logic") == "propositional":
        try:
            consistent, entailed = _sat(premises, conclusion, context.sat)
            if not consistent:
                problems.append("python-sat: premises are unsatisfiable")
            elif ("yes" if entailed else "no") != instance.answer:
                problems.append("python-sat disagrees with the label")
        except NotPropositional as exc:
            problems.append(f"propositional item is not propositional: {exc}")
    return problems


def _stated_formulas(instance: Instance, skeletons: dict) -> tuple[Formula, ...] | list[str]:
    """The formulas the premise sentences and the question state, when they are exactly
    the stored ones (meta.fol); else the list of problems."""
    from generators.logicasker.english import EnglishParseError, parse_sentence
    from generators.logicasker.family import vocabulary_of

    try:
        stored = [*instance.meta["fol"]["premises"], instance.meta["fol"]["conclusion"]]
        texts = [*instance.meta["sentences"], instance.meta["question"]]
        vocab = vocabulary_of(instance)
    except (KeyError, TypeError, ValueError) as exc:
        return [f"meta unreadable: {exc}"]
    if len(texts) != len(stored):
        return [f"{len(texts)} sentences for {len(stored)} stored formulas"]
    stated, problems = [], []
    for text, fol in zip(texts, stored, strict=True):
        try:
            formula = parse_sentence(text, vocab, skeletons)
        except EnglishParseError as exc:
            problems.append(str(exc))
            continue
        # render is injective (parse(render(f)) == f), so equal text means equal formulas;
        # other spellings of the same formula are compared after parsing them
        if render(formula) != fol and _parsed(fol) != formula:
            problems.append(f"sentence does not state its formula: {text!r}")
        stated.append(formula)
    return problems if problems else tuple(stated)


def _parsed(text: str) -> Formula | None:
    try:
        return parse(text)
    except FOLParseError:
        return None


def _sat(premises: list[Formula], conclusion: Formula, memo: Memo) -> tuple[bool, bool]:
    """(premises consistent?, premises ⊨ conclusion?) by python-sat, once per shape."""
    key = shape([*premises, conclusion])
    hit, answer = memo.lookup(key)
    if not hit:
        consistent = sat_consistent(premises)
        answer = (consistent, consistent and sat_entails(premises, conclusion))
        memo.store(key, answer)
    return answer
