"""Building an argument at the level of slots (0-ary placeholder atoms S1, S2, …): rule
schemas are instantiated with slots, chained by matching a rule's premise against the
previous conclusion, then realised as propositional atoms or as predicate logic."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from generators.logicasker.rules import Rule
from solvers.fol import BinOp, Const, Formula, Not, Pred, Quant, Var, render
from solvers.fol.ast import atom_names, map_atoms

METAVARS = ("P", "Q", "R", "S")


@dataclass
class Slots:
    """Hands out fresh slot atoms, each wrapped in 0..negation_depth negations."""

    rng: random.Random
    negation_depth: int
    count: int = 0

    def fresh(self) -> Formula:
        self.count += 1
        f: Formula = Pred(f"S{self.count}", ())
        for _ in range(self.rng.randint(0, self.negation_depth)):
            f = Not(f)
        return f


def substitute(f: Formula, binding: dict[str, Formula]) -> Formula:
    """Replace 0-ary atoms named in `binding` (metavariables or slots) by formulas."""
    if not binding:  # a predicate schema's own instance: nothing to replace
        return f
    return map_atoms(f, lambda p: binding.get(p.name, p) if not p.args else p)


def match(pattern: Formula, f: Formula, binding: dict[str, Formula]) -> dict | None:
    """Extend `binding` so that the schema `pattern` becomes f, or None."""
    if isinstance(pattern, Pred) and not pattern.args and pattern.name in METAVARS:
        if pattern.name in binding:
            return binding if binding[pattern.name] == f else None
        return {**binding, pattern.name: f}
    if isinstance(pattern, Not) and isinstance(f, Not):
        return match(pattern.body, f.body, binding)
    if isinstance(pattern, BinOp) and isinstance(f, BinOp) and pattern.op == f.op:
        inner = match(pattern.left, f.left, binding)
        return None if inner is None else match(pattern.right, f.right, inner)
    return None


@dataclass
class Step:
    rule: str
    stated: list[Formula]  # premises the reader sees
    used: list[Formula]  # all premises of the step (including the derived one)
    conclusion: Formula


@dataclass
class Argument:
    steps: list[Step] = field(default_factory=list)

    @property
    def premises(self) -> list[Formula]:
        return [p for s in self.steps for p in s.stated]

    @property
    def conclusion(self) -> Formula:
        return self.steps[-1].conclusion


def apply_rule(
    rule: Rule, rng: random.Random, slots: Slots, previous: Formula | None
) -> Step | None:
    """One step of `rule`, fed by `previous` (None for a first step). None if no premise of
    any variant matches `previous`."""
    order = list(range(len(rule.variants)))
    rng.shuffle(order)  # the same draws, so the same permutation, as shuffling the variants
    for k in order:
        premises, conclusion = rule.variants[k]
        metas = rule.metas[k]
        if previous is None:
            binding = {m: slots.fresh() for m in metas}
            inst = [substitute(p, binding) for p in premises]
            return Step(rule.name, inst, inst, substitute(conclusion, binding))
        order = list(range(len(premises)))
        rng.shuffle(order)
        for j in order:
            binding = match(premises[j], previous, {})
            if binding is None:
                continue
            binding.update({m: slots.fresh() for m in metas if m not in binding})
            inst = [substitute(p, binding) for p in premises]
            stated = inst[:j] + inst[j + 1 :]
            return Step(rule.name, stated, inst, substitute(conclusion, binding))
    return None


def metas_of(premises: tuple[Formula, ...], conclusion: Formula) -> tuple[str, ...]:
    """The metavariables of a schema (its 0-ary atoms P..S; the unary P(x) of a predicate
    schema is realised by name, not substituted), sorted."""
    found: set[str] = set()

    def note(p: Pred) -> Formula:
        if not p.args and p.name in METAVARS:
            found.add(p.name)
        return p

    for f in (*premises, conclusion):
        map_atoms(f, note)
    return tuple(sorted(found))


# ---------------------------------------------------------------- realisation
def realise_predicate_schema(f: Formula, preds: dict[str, str], const: str) -> Formula:
    """A predicate schema (unary metavariables P(x), constant a) with real names."""

    def real(p: Pred) -> Formula:
        args = tuple(Const(const) if isinstance(a, Const) and a.name == "a" else a for a in p.args)
        return Pred(preds.get(p.name, p.name), args)

    return map_atoms(f, real)


def has_slot(f: Formula) -> bool:
    """Whether a slot atom occurs in f (stops at the first)."""
    stack = [f]
    while stack:
        g = stack.pop()
        kind = type(g)
        if kind is Pred:
            if g.name[:1] == "S" and g.name[1:].isdigit():
                return True
        elif kind is BinOp:
            stack += (g.right, g.left)
        elif kind is Not or kind is Quant:
            stack.append(g.body)
    return False


def slots_of(*formulas: Formula) -> set[str]:
    """The slot atoms (S1, S2, …) occurring in any of the formulas."""
    names = set().union(*map(atom_names, formulas))
    return {n for n in names if n[:1] == "S" and n[1:].isdigit()}


def lift(f: Formula, preds: dict[str, str], term) -> Formula:
    """Replace each slot atom S_k by the unary atom preds[S_k](term)."""
    return map_atoms(
        f, lambda p: Pred(preds[p.name], (term,)) if p.name in preds and not p.args else p
    )


def is_literal(f: Formula) -> bool:
    return isinstance(f, Pred) or (isinstance(f, Not) and is_literal(f.body))


def to_predicate(
    f: Formula, preds: dict[str, str], const: str, universal: bool | None = None
) -> Formula:
    """Predicate-logic form of a slot formula or a predicate schema.

    Slot formulas: a literal becomes a fact about `const`; a compound becomes a ∀x rule
    (or a fact-level formula about `const` when `universal` is False). Valid whenever the
    propositional argument is: instantiate every ∀x rule at `const`.
    Predicate schemas (P(x), constant a): realised with `preds` and `const`.
    """
    if not has_slot(f):
        return realise_predicate_schema(f, preds, const)
    if universal is None:
        universal = not is_literal(f)
    if universal:
        return Quant("forall", "x", lift(f, preds, Var("x")))
    return lift(f, preds, Const(const))


def proof_lines(arg: Argument) -> list[str]:
    return [
        f"{s.rule}: {'; '.join(render(p) for p in s.used)} ⊢ {render(s.conclusion)}"
        for s in arg.steps
    ]
