"""Tseitin encoding of propositional formulas (0-ary predicates only) into CNF, and a
python-sat entailment check: a path independent of z3 for propositional labels."""

from __future__ import annotations

from solvers.fol.ast import BinOp, Formula, Not, Pred
from solvers.sat import CNF, solve


class NotPropositional(ValueError):
    """The formula has quantifiers, terms or equality."""


class _Encoder:
    def __init__(self) -> None:
        self.atoms: dict[str, int] = {}
        self.clauses: list[tuple[int, ...]] = []
        self.next = 0

    def fresh(self) -> int:
        self.next += 1
        return self.next

    def lit(self, f: Formula) -> int:
        """A literal equivalent to f, adding defining clauses (both directions)."""
        if isinstance(f, Pred) and not f.args:
            if f.name not in self.atoms:
                self.atoms[f.name] = self.fresh()
            return self.atoms[f.name]
        if isinstance(f, Not):
            return -self.lit(f.body)
        if not isinstance(f, BinOp):
            raise NotPropositional(f"not a propositional formula: {type(f).__name__}")
        a, b, v = self.lit(f.left), self.lit(f.right), self.fresh()
        if f.op == "and":
            self.clauses += [(-v, a), (-v, b), (v, -a, -b)]
        elif f.op == "or":
            self.clauses += [(-v, a, b), (v, -a), (v, -b)]
        elif f.op == "implies":
            self.clauses += [(-v, -a, b), (v, a), (v, -b)]
        elif f.op == "iff":
            self.clauses += [(-v, -a, b), (-v, a, -b), (v, a, b), (v, -a, -b)]
        else:  # xor
            self.clauses += [(-v, a, b), (-v, -a, -b), (v, -a, b), (v, a, -b)]
        return v


def tseitin(formulas: list[Formula]) -> tuple[CNF, dict[str, int]]:
    """An equisatisfiable CNF asserting every formula, and the atom -> variable map."""
    enc = _Encoder()
    roots = [enc.lit(f) for f in formulas]
    clauses = enc.clauses + [(r,) for r in roots]
    return CNF(enc.next, tuple(clauses)), dict(enc.atoms)


class Undecided(RuntimeError):
    """python-sat gave up within its conflict budget (never a silent answer)."""


def _decided(cnf: CNF) -> bool:
    satisfiable = solve(cnf).satisfiable
    if satisfiable is None:
        raise Undecided("python-sat: undecided within the solver budget")
    return satisfiable


def sat_entails(premises: list[Formula], conclusion: Formula) -> bool:
    """premises ⊨ conclusion, decided by a certified python-sat call on the Tseitin CNF of
    premises ∧ ¬conclusion (UNSAT means the conclusion follows). Raises Undecided when
    the solver's budget runs out, so a budget can never read as "entails"."""
    cnf, _ = tseitin([*premises, Not(conclusion)])
    return not _decided(cnf)


def sat_consistent(premises: list[Formula]) -> bool:
    """Whether the premises can all be true (python-sat on their Tseitin CNF); raises
    Undecided when the solver's budget runs out."""
    cnf, _ = tseitin(premises) if premises else (CNF(0, ()), {})
    return _decided(cnf)
