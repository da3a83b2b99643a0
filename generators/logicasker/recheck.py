"""Second paths for LogicAsker labels: z3 reads meta.formal (SMT-LIB2) with its own parser;
propositional items are decided again by python-sat on the Tseitin CNF; every premise
sentence and the question parse back to the stored formulas."""

from __future__ import annotations

import functools
from collections.abc import Callable

import z3

from reasoning.core import Instance
from solvers.fol import FOLParseError, label_smtlib, parse, reusable_solver
from solvers.fol.cnf import NotPropositional, sat_consistent, sat_entails


def recheck(instance: Instance) -> list[str]:
    """The disagreements of one item (see `checker`)."""
    return checker()(instance)


def checker() -> Callable[[Instance], list[str]]:
    """A recheck function that keeps one z3 context and the grammar's parses of sentence
    skeletons across items (use it from one thread)."""
    skeletons: dict = {}
    return functools.partial(_recheck, solver=reusable_solver(), skeletons=skeletons)


def _recheck(instance: Instance, solver: z3.Solver, skeletons: dict) -> list[str]:
    from generators.logicasker.english import EnglishParseError, parse_sentence
    from generators.logicasker.family import vocabulary_of

    problems = []
    formal = instance.meta.get("formal") or {}
    try:
        label = label_smtlib(formal["text"], formal["query"], solver=solver)
    except (KeyError, TypeError, ValueError) as exc:
        return [f"meta.formal unreadable: {exc}"]
    expected = "yes" if label == "True" else "no"
    if label is None:
        problems.append("z3 gave up on meta.formal")
    elif expected != instance.answer:
        problems.append(f"z3 says {label}, label is {instance.answer!r}")
    try:
        premises = [parse(p) for p in instance.meta["fol"]["premises"]]
        conclusion = parse(instance.meta["fol"]["conclusion"])
    except (KeyError, FOLParseError) as exc:
        return [*problems, f"meta.fol unreadable: {exc}"]
    if instance.meta.get("logic") == "propositional":
        try:
            if not sat_consistent(premises):
                problems.append("python-sat: premises are unsatisfiable")
            elif ("yes" if sat_entails(premises, conclusion) else "no") != instance.answer:
                problems.append("python-sat disagrees with the label")
        except NotPropositional as exc:
            problems.append(f"propositional item is not propositional: {exc}")
    vocab = vocabulary_of(instance)
    texts = [*instance.meta.get("sentences", []), instance.meta.get("question", "")]
    for text, formula in zip(texts, [*premises, conclusion], strict=False):
        try:
            if parse_sentence(text, vocab, skeletons) != formula:
                problems.append(f"sentence does not state its formula: {text!r}")
        except EnglishParseError as exc:
            problems.append(str(exc))
    return problems
