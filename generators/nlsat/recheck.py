"""NLSat's second path for a label: the English parses back to meta.formal's CNF (and the
prompt keeps the family's layout), another engine (MiniSat, not the CaDiCaL that labelled
it) decides it within the solver budget, and a 'yes' item's stored witness satisfies it."""

from __future__ import annotations

from collections.abc import Callable

from generators.nlsat.english import EnglishParseError, parse_cnf, statements_of
from generators.nlsat.recheck_shape import guarded
from reasoning.core import Instance
from solvers.sat import decide, read_dimacs, write_dimacs


def checker() -> Callable[[Instance], list[str]]:
    """A recheck function that keeps the parsed sentence shapes across items. It uses the
    generator's own engine and budget (`family.SECOND_SOLVER`, `family.BUDGET`), so it
    repeats generation's filter run exactly."""
    from generators.nlsat.family import BUDGET, SECOND_SOLVER  # family registers us

    shapes: dict = {}

    def check(instance: Instance) -> list[str]:
        """Re-derive the label by a second path: another engine (MiniSat, not CaDiCaL)
        decides meta.formal; the English parses back to the same CNF; the stored witness
        satisfies it. Returns the disagreements."""
        problems = []
        atoms = instance.meta.get("atoms") or []
        grammar = instance.meta.get("grammar", "rules")
        try:
            english = parse_cnf(statements_of(instance.prompt), atoms, grammar, shapes=shapes)
        except EnglishParseError as exc:
            english = None
            problems.append(f"prompt text does not parse: {exc}")
        try:
            formal = instance.meta["formal"]["text"]
            if english is not None and write_dimacs(english) == formal:
                cnf = english  # the same CNF: the writer is canonical and read inverts it
            else:
                cnf = read_dimacs(formal)
                if english is not None and english != cnf:
                    problems.append("prompt text does not parse to meta.formal")
        except (KeyError, TypeError, ValueError) as exc:
            return [*problems, f"meta.formal unreadable: {exc}"]
        sat = decide(cnf, SECOND_SOLVER, budget=BUDGET)
        if sat is None:
            problems.append(
                f"{SECOND_SOLVER} undecided within the solver budget ({BUDGET} conflicts)"
            )
        elif ("yes" if sat else "no") != instance.answer:
            problems.append(
                f"{SECOND_SOLVER} says {'SAT' if sat else 'UNSAT'}, label is {instance.answer!r}"
            )
        if instance.answer == "yes":
            true = set(instance.meta.get("witness") or [])
            if len({abs(v) for v in true}) != len(true) or any(
                true.isdisjoint(clause) for clause in cnf.clauses
            ):
                problems.append("stored witness does not satisfy the formula")
        return problems

    return guarded(check)


def recheck(instance: Instance) -> list[str]:
    """See `checker`: the same check for one item."""
    return checker()(instance)
