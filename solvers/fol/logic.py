"""Entailment and equivalence of first-order formulas with z3, with counter-models in words.

Every call builds its own z3 context (or uses a solver it is given, from one thread); each
check is bounded by a deterministic work budget (`z3bridge.RLIMIT`, so that giving up does
not depend on the machine) and by `timeout_ms`; no subprocesses, no temporary files.
First-order validity is undecidable: "gave up" is reported as such (None /
`decided=False`), never guessed.

Formulas may be given as text: a `str` is read with `parse` (the module's grammar, widest
quantifier scope). Free variables are closed universally (`ast.close`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import z3

from solvers.fol.ast import Const, Formula, render, render_term
from solvers.fol.parse import parse
from solvers.fol.z3bridge import Z3Builder, bounded_solver

DEFAULT_TIMEOUT_MS = 60_000  # a safety net: z3bridge.RLIMIT is the deterministic bound
MAX_SHOWN_OBJECTS = 6
MAX_SHOWN_VALUES = 12  # function values shown per function in a counter-model


def as_formula(f: str | Formula) -> Formula:
    """f itself, or the formula a string parses to (FOLParseError if it does not)."""
    return parse(f) if isinstance(f, str) else f


def as_formulas(fs: list[str | Formula]) -> list[Formula]:
    """Each of `fs` as a formula; a lone string is refused (a list of premises is wanted)."""
    if isinstance(fs, str):
        raise TypeError("premises are a list of formulas or strings, not one string")
    return [as_formula(f) for f in fs]


class InconsistentPremises(ValueError):
    """The premises contradict each other, so every conclusion would follow."""


@dataclass(frozen=True)
class Entailment:
    """`label` is 'True', 'False' or 'Unknown'. `decided` says whether the label is certified
    (True/False by an unsat proof; Unknown by models of both the conclusion and its
    negation) rather than the solver giving up."""

    label: str
    decided: bool
    countermodel: str | None = None


@dataclass(frozen=True)
class Equivalence:
    equivalent: bool | None
    countermodel: str | None = None


def _check(builder: Z3Builder, terms: list[z3.BoolRef], timeout_ms: int):
    s = builder.solver(timeout_ms)
    s.add(*terms)
    result = s.check()
    return result, (s.model() if result == z3.sat else None)


def _scoped_check(s: z3.Solver, goal: z3.BoolRef, want_model: bool = True):
    s.push()
    try:
        s.add(goal)
        result = s.check()
        return result, (s.model() if want_model and result == z3.sat else None)
    finally:
        s.pop()


def describe_model(builder: Z3Builder, model: z3.ModelRef) -> str:
    """A model in plain words: its objects (named by the constants that denote them) and,
    for each predicate, the objects or tuples it holds of."""
    universe = list(model.get_universe(builder.sort) or [])
    names: dict[str, list[str]] = {}
    for cname, const in sorted(builder.consts.items()):
        value = str(model.eval(const, model_completion=True))
        names.setdefault(value, []).append(render_term(Const(cname)))
    label = {}
    for i, element in enumerate(universe):
        label[str(element)] = " = ".join(names.get(str(element), [])) or f"object {i + 1}"
    shown = universe[:MAX_SHOWN_OBJECTS]
    parts = _function_values(builder, model, shown, label)
    for (pname, arity), decl in sorted(builder.preds.items()):
        if arity == 0:
            value = z3.is_true(model.eval(decl(), model_completion=True))
            parts.append(f"{pname} is {'true' if value else 'false'}")
            continue
        holds = []
        for combo in itertools.product(shown, repeat=arity):
            if z3.is_true(model.eval(decl(*combo), model_completion=True)):
                names_ = [label[str(e)] for e in combo]
                holds.append(names_[0] if arity == 1 else f"({', '.join(names_)})")
        parts.append(f"{pname} holds of {', '.join(holds) if holds else 'nothing'}")
    objects = ", ".join(label[str(e)] for e in shown)
    more = "" if len(universe) <= MAX_SHOWN_OBJECTS else f" and {len(universe) - len(shown)} more"
    count = max(1, len(universe))
    return f"with {count} object{'s' * (count != 1)} ({objects or 'object 1'}{more}), where " + (
        "; ".join(parts) if parts else "nothing else matters"
    )


def _function_values(builder: Z3Builder, model: z3.ModelRef, shown: list, label: dict) -> list:
    """'customer maps rina to object 2, …' for each function, over the shown objects."""
    parts = []
    for (fname, arity), decl in sorted(builder.funcs.items()):
        values = []
        for combo in itertools.product(shown, repeat=arity):
            value = str(model.eval(decl(*combo), model_completion=True))
            args = ", ".join(label[str(e)] for e in combo)
            values.append(f"{args if arity == 1 else f'({args})'} to {label.get(value, value)}")
            if len(values) == MAX_SHOWN_VALUES:
                values.append("…")
                break
        parts.append(f"{fname} maps {', '.join(values)}")
    return parts


def entailment(
    premises: list[str | Formula],
    conclusion: str | Formula,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    solver: z3.Solver | None = None,
    explain: bool = True,
) -> Entailment:
    """Decide premises ⊨ conclusion (True), premises ⊨ ¬conclusion (False), or neither
    (Unknown, with a counter-model in words unless `explain` is False). Raises
    InconsistentPremises when the premises are unsatisfiable.

    The premises are asserted once and each goal checked in its own push/pop scope.
    `solver` (see `reusable_solver`) carries one z3 context and solver across calls from
    one thread (creating them costs ~1 ms per call); it is left as it was found. Strings
    are parsed (`parse`)."""
    premises, conclusion = as_formulas(premises), as_formula(conclusion)
    s = solver if solver is not None else reusable_solver(timeout_ms)
    b = Z3Builder(s.ctx)
    ps = [b.formula(p) for p in premises]
    c = b.formula(conclusion)
    s.push()
    try:
        s.add(*ps)
        with_neg, neg_model = _scoped_check(s, z3.Not(c), want_model=explain)
        # a model of premises ∧ ¬conclusion shows the premises consistent; otherwise ask
        consistent = z3.sat if with_neg == z3.sat else s.check()
        if consistent == z3.unsat:
            raise InconsistentPremises("the premises are contradictory")
        if with_neg == z3.unsat:
            return Entailment("True", consistent == z3.sat)
        with_pos, _ = _scoped_check(s, c, want_model=False)
        if with_pos == z3.unsat:
            return Entailment("False", consistent == z3.sat)
        decided = with_neg == z3.sat and with_pos == z3.sat
        shown = describe_model(b, neg_model) if explain and neg_model is not None else None
        return Entailment("Unknown", decided, shown)
    finally:
        s.pop()


def reusable_solver(timeout_ms: int = DEFAULT_TIMEOUT_MS) -> z3.Solver:
    """A z3 solver in its own fresh context, for `entailment(..., solver=)` and
    `label_smtlib(..., solver=)` to share across many calls from one thread."""
    return bounded_solver(z3.Context(), timeout_ms)


def entails(
    premises: list[str | Formula],
    conclusion: str | Formula,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> str:
    """'True' if premises ⊨ conclusion, 'False' if premises ⊨ ¬conclusion, else 'Unknown'
    (including when z3 gives up). Premises are checked for consistency first
    (InconsistentPremises). Strings are parsed (`parse`).

    >>> entails(["all x.(Human(x) -> Mortal(x))", "Human(socrates)"], "Mortal(socrates)")
    'True'
    """
    return entailment(premises, conclusion, timeout_ms).label


def equivalence(
    a: str | Formula, b: str | Formula, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Equivalence:
    """Whether a ⟺ b is valid; on False, a counter-model where one holds and the other
    does not (CLOVER's counter-interpretation, in words). Strings are parsed (`parse`)."""
    a, b = as_formula(a), as_formula(b)
    builder = Z3Builder()
    za, zb = builder.formula(a), builder.formula(b)
    undecided = False
    for first, second, left, right in ((za, zb, a, b), (zb, za, b, a)):
        result, model = _check(builder, [first, z3.Not(second)], timeout_ms)
        if result == z3.sat:
            words = describe_model(builder, model)
            return Equivalence(
                False, f"{words}: here {render(left)} is true but {render(right)} is false"
            )
        undecided |= result != z3.unsat
    return Equivalence(None if undecided else True)


def equivalent(
    a: str | Formula, b: str | Formula, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> bool | None:
    """True / False, or None when the solver gave up within the timeout. Strings are
    parsed (`parse`).

    >>> equivalent("-(P & Q)", "¬P ∨ ¬Q")
    True
    """
    return equivalence(a, b, timeout_ms).equivalent


def label_many(
    premises: list[str | Formula],
    conclusions: list[str | Formula],
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> list[Entailment]:
    """`entailment` of many conclusions against the same premises, reusing one context and
    one solver (push/pop), so the premises are translated and asserted once.

    Raises InconsistentPremises when the premises are unsatisfiable. Strings are parsed.
    """
    premises, conclusions = as_formulas(premises), as_formulas(conclusions)
    b = Z3Builder()
    s = b.solver(timeout_ms)
    s.add(*[b.formula(p) for p in premises])
    base = s.check()
    if base == z3.unsat:
        raise InconsistentPremises("the premises are contradictory")
    out = []
    for conclusion in conclusions:
        c = b.formula(conclusion)
        results = []
        for goal in (z3.Not(c), c):
            s.push()
            s.add(goal)
            results.append(s.check())
            s.pop()
        neg, pos = results
        if neg == z3.unsat:
            out.append(Entailment("True", base == z3.sat))
        elif pos == z3.unsat:
            out.append(Entailment("False", base == z3.sat))
        else:
            out.append(Entailment("Unknown", neg == z3.sat and pos == z3.sat))
    return out


def first_decided(
    premises: list[str | Formula],
    conclusions: list[str | Formula],
    labels: tuple[str, ...],
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    solver: z3.Solver | None = None,
) -> tuple[int, Entailment] | None:
    """The index and result of the first conclusion z3 decides (in `label_many`'s sense)
    with a label in `labels`, or None if there is none; raises InconsistentPremises as
    `label_many` does. Strings are parsed.

    Fewer checks than `label_many`: conclusions are checked in order and the search stops
    at the first fit. The answer is the one a scan of `label_many`'s results gives while
    z3 decides the checks; where z3 gives up at its resource limit (`z3bridge.RLIMIT`),
    the different checks and solver state (earlier scopes in a shared solver) can decide
    a conclusion `label_many` gave up on, or the other way round, so another (still
    certified) conclusion may be found. Deterministic: same inputs and solver history,
    same answer. When only 'True' / 'False' are wanted, every model z3 returns (of the
    premises, or of the premises and a goal) is kept, and a goal some model already
    satisfies is not checked again: z3 is sound, so it could only answer sat (or give
    up) there, which labels the conclusion neither True nor False. The label returned
    still comes from z3's unsat answer. With 'Unknown' wanted, both goals of every
    conclusion are checked as in `label_many` (its `decided` needs both answered sat).
    Cost: at most 1 + 2 * len(conclusions) checks; usually far fewer.

    `solver` (see `reusable_solver`) carries one z3 context and solver across calls from
    one thread, as in `entailment` (a fresh context costs several ms, more than most
    checks here); the premises are asserted in a push/pop scope, so it is left as it was
    found."""
    premises, conclusions = as_formulas(premises), as_formulas(conclusions)
    s = solver if solver is not None else reusable_solver(timeout_ms)
    b = Z3Builder(s.ctx)
    s.push()
    try:
        s.add(*[b.formula(p) for p in premises])
        return _first_decided(s, b, conclusions, labels)
    finally:
        s.pop()


def _first_decided(
    s: z3.Solver, b: Z3Builder, conclusions: list[Formula], labels: tuple[str, ...]
) -> tuple[int, Entailment] | None:
    """`first_decided` over the premises asserted in `s` (built by `b`)."""
    base = s.check()
    if base == z3.unsat:
        raise InconsistentPremises("the premises are contradictory")
    shortcut = "Unknown" not in labels
    if shortcut and base != z3.sat:
        return None  # True / False are decided only over premises shown consistent
    goals = [b.formula(c) for c in conclusions]
    holds: set[int] = set()  # goals true in some model of the premises
    fails: set[int] = set()  # goals false in some model of the premises
    if shortcut:
        _note(s.model(), goals, 0, holds, fails)
    for i, c in enumerate(goals):
        neg = pos = None
        if i not in fails:
            neg, model = _scoped_check(s, z3.Not(c), want_model=shortcut)
            if model is not None:
                _note(model, goals, i, holds, fails)
        if neg == z3.unsat:
            result = Entailment("True", base == z3.sat)
        else:
            if i not in holds:
                pos, model = _scoped_check(s, c, want_model=shortcut)
                if model is not None:
                    _note(model, goals, i, holds, fails)
            if pos == z3.unsat:
                result = Entailment("False", base == z3.sat)
            else:
                result = Entailment("Unknown", neg == z3.sat and pos == z3.sat)
        if result.decided and result.label in labels:
            return i, result
    return None


def _note(model: z3.ModelRef, goals: list[z3.BoolRef], start: int, holds: set, fails: set):
    """Record which of goals[start:] `model` makes true and which false (a goal the model
    does not evaluate to a truth value, e.g. a quantified one, is left unrecorded)."""
    for i in range(start, len(goals)):
        value = model.eval(goals[i], model_completion=True)
        if z3.is_true(value):
            holds.add(i)
        elif z3.is_false(value):
            fails.add(i)


def label_smtlib(
    script: str,
    query: str,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    solver: z3.Solver | None = None,
) -> str | None:
    """The entailment label of an SMT-LIB2 script (declarations + asserted premises) and a
    query term, read by z3's own SMT-LIB2 parser — a path independent of our formula
    translation — in a fresh context, or in `solver`'s (see `reusable_solver`) when
    re-checking many scripts from one thread. None if z3 gives up; ValueError if the text
    does not parse."""
    s = solver if solver is not None else reusable_solver(timeout_ms)
    try:
        *premises, goal = z3.parse_smt2_string(f"{script}\n(assert {query})", ctx=s.ctx)
    except (z3.Z3Exception, ValueError) as exc:
        raise ValueError(f"z3 cannot read the SMT-LIB2 text: {exc}") from None
    s.push()
    try:
        s.add(*premises)
        verdicts = [
            _scoped_check(s, z3.Not(goal, s.ctx), want_model=False)[0],
            _scoped_check(s, goal, want_model=False)[0],
        ]
    finally:
        s.pop()
    if verdicts[0] == z3.unsat:
        return "True"
    if verdicts[1] == z3.unsat:
        return "False"
    if verdicts == [z3.sat, z3.sat]:
        return "Unknown"
    return None
