"""Entailment up to renaming.

Whether premises entail a conclusion does not change when predicates and constants are
renamed one-to-one. A generator that asks about thousands of instances of a few hundred
argument shapes (LogicAsker: one rule schema, fresh names per item) therefore needs z3
once per shape: `EntailmentMemo` keys each question by its `shape` and asks z3 on a miss.
"""

from __future__ import annotations

from solvers.fol.ast import BinOp, Eq, Formula, Not, Pred, Var
from solvers.fol.logic import (
    DEFAULT_TIMEOUT_MS,
    Entailment,
    InconsistentPremises,
    entailment,
    reusable_solver,
)

Shape = tuple


def shape(formulas: list[Formula]) -> Shape:
    """A hashable key, equal for two lists of formulas exactly when one is the other with
    predicates (per name and arity) and constants renamed one-to-one, in the same order.
    Bound variable names are kept as they are.

    >>> from solvers.fol.parse import parse
    >>> shape([parse("P(a) → Q(a)")]) == shape([parse("Tall(bob) → Kind(bob)")])
    True
    >>> shape([parse("P(a) → Q(a)")]) == shape([parse("P(a) → P(a)")])
    False
    """
    preds: dict[tuple[str, int], int] = {}
    consts: dict[str, int] = {}
    out: list = []  # prefix notation; a 0-ary atom is an int, an n-ary one a tuple

    def term(t) -> int | str:  # constants as ints, variables by name (a str)
        if type(t) is Var:
            return t.name
        index = consts.get(t.name)
        if index is None:
            index = consts[t.name] = len(consts)
        return index

    def walk(f: Formula) -> None:
        while True:
            kind = type(f)
            if kind is Pred:
                key = (f.name, len(f.args))
                index = preds.get(key)
                if index is None:
                    index = preds[key] = len(preds)
                out.append((index, *map(term, f.args)) if f.args else index)
                return
            if kind is Not:
                out.append("not")
                f = f.body
            elif kind is BinOp:
                out.append(f.op)
                walk(f.left)
                f = f.right
            elif kind is Eq:
                out.append(("=", term(f.left), term(f.right)))
                return
            else:
                out.append((f.kind, f.var, "q"))
                f = f.body

    for f in formulas:
        out.append("|")  # formulas are prefix terms of fixed arity: the split is unambiguous
        walk(f)
    return tuple(out)


class EntailmentMemo:
    """`entailment` that asks z3 once per shape of (premises, conclusion).

    Only decided answers are kept (an undecided one may be a timeout). Returned results
    carry no counter-model: a stored one would name the first instance's symbols. Holds at
    most `maxsize` shapes (then starts afresh); use it from one thread. `hits` and `misses`
    count the questions answered from memory and by z3."""

    def __init__(
        self, timeout_ms: int = DEFAULT_TIMEOUT_MS, solver=None, maxsize: int = 1 << 16
    ) -> None:
        self.solver = solver if solver is not None else reusable_solver(timeout_ms)
        self.maxsize = maxsize
        self.known: dict[Shape, Entailment | None] = {}  # None: inconsistent premises
        self.hits = 0
        self.misses = 0

    def __call__(self, premises: list[Formula], conclusion: Formula) -> Entailment:
        """Like `entailment(premises, conclusion)`: raises InconsistentPremises when the
        premises are unsatisfiable."""
        key = shape([*premises, conclusion])
        if key in self.known:
            self.hits += 1
            found = self.known[key]
        else:
            self.misses += 1
            try:
                result = entailment(premises, conclusion, solver=self.solver, explain=False)
                found = Entailment(result.label, result.decided)
            except InconsistentPremises:
                found = None
            if found is None or found.decided:
                if len(self.known) >= self.maxsize:
                    self.known.clear()
                self.known[key] = found
        if found is None:
            raise InconsistentPremises("the premises are contradictory")
        return found
