"""Entailment up to renaming.

Whether premises entail a conclusion does not change when predicates and constants are
renamed one-to-one. A generator that asks about thousands of instances of a few hundred
argument shapes (LogicAsker: one rule schema, fresh names per item) therefore needs z3
once per shape: `EntailmentMemo` keys each question by its `shape` and asks z3 on a miss;
`SmtlibMemo` does the same for SMT-LIB2 text (keyed by `smtlib_shape`), so a re-check that
reads the text with z3's own parser also reads each shape once.
"""

from __future__ import annotations

import re

from solvers.fol.ast import BinOp, Eq, Formula, Func, Not, Pred, Var
from solvers.fol.logic import (
    DEFAULT_TIMEOUT_MS,
    Entailment,
    InconsistentPremises,
    entailment,
    label_smtlib,
    reusable_solver,
)

Shape = tuple


def shape(formulas: list[Formula]) -> Shape:
    """A hashable key, equal for two lists of formulas exactly when one is the other with
    predicates (per name and arity) and constants renamed one-to-one, in the same order.
    Bound variable names and function names (rare: kept, not renamed) are kept as they are.

    >>> from solvers.fol.parse import parse
    >>> shape([parse("P(a) → Q(a)")]) == shape([parse("Tall(bob) → Kind(bob)")])
    True
    >>> shape([parse("P(a) → Q(a)")]) == shape([parse("P(a) → P(a)")])
    False
    """
    return shape_and_symbols(formulas)[0]


def shape_and_symbols(
    formulas: list[Formula],
) -> tuple[Shape, list[tuple[str, int]], list[str]]:
    """(`shape`, the predicates as (name, arity) and the constants, each in order of first
    appearance): the names that the shape's numbers stand for, in one walk.

    >>> from solvers.fol.parse import parse
    >>> shape_and_symbols([parse("Kind(bob) → Tall(bob)")])[1:]
    ([('Kind', 1), ('Tall', 1)], ['bob'])
    """
    preds: dict[tuple[str, int], int] = {}
    consts: dict[str, int] = {}
    out: list = []  # prefix notation; a 0-ary atom is an int, an n-ary one a tuple

    def term(t) -> int | str | tuple:  # constants as ints, variables by name (a str)
        kind = type(t)
        if kind is Var:
            return t.name
        if kind is Func:  # by name and arguments; nesting is bounded by the parser
            return ("fn", t.name, *map(term, t.args))
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
    return tuple(out), list(preds), list(consts)


class Memo:
    """A bounded store of answers by key, counting hits and misses; at most `maxsize`
    keys (then it starts afresh). Use it from one thread."""

    def __init__(self, maxsize: int = 1 << 16) -> None:
        self.maxsize = maxsize
        self.known: dict = {}
        self.hits = 0
        self.misses = 0

    def lookup(self, key) -> tuple[bool, object]:
        """(found?, answer)."""
        if key in self.known:
            self.hits += 1
            return True, self.known[key]
        self.misses += 1
        return False, None

    def store(self, key, answer) -> None:
        if len(self.known) >= self.maxsize:
            self.known.clear()
        self.known[key] = answer


class EntailmentMemo(Memo):
    """`entailment` that asks z3 once per shape of (premises, conclusion).

    Only decided answers are kept (an undecided one may be a timeout). Returned results
    carry no counter-model: a stored one would name the first instance's symbols. `hits`
    and `misses` count the questions answered from memory and by z3."""

    def __init__(
        self, timeout_ms: int = DEFAULT_TIMEOUT_MS, solver=None, maxsize: int = 1 << 16
    ) -> None:
        super().__init__(maxsize)
        self.solver = solver if solver is not None else reusable_solver(timeout_ms)

    def __call__(
        self, premises: list[Formula], conclusion: Formula, key: Shape | None = None
    ) -> Entailment:
        """Like `entailment(premises, conclusion)`: raises InconsistentPremises when the
        premises are unsatisfiable. `key`: `shape([*premises, conclusion])`, when the
        caller has it already."""
        if key is None:
            key = shape([*premises, conclusion])
        hit, found = self.lookup(key)
        if not hit:
            try:
                result = entailment(premises, conclusion, solver=self.solver, explain=False)
                found = Entailment(result.label, result.decided)
            except InconsistentPremises:
                found = None  # kept: unsatisfiable premises are a decided answer
            if found is None or found.decided:
                self.store(key, found)
        if found is None:
            raise InconsistentPremises("the premises are contradictory")
        return found


# ------------------------------------------------------------------ SMT-LIB2 text
_TOKEN = re.compile(r"[()]|[^\s()]+")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_BUILTIN = frozenset(
    "and or not xor => = distinct ite true false forall exists let as par match assert push pop "
    "exit Bool Int Real".split()
)


def smtlib_shape(script: str, query: str) -> str | None:
    """A key equal for two (script, query) texts when one is the other with its declared
    symbols renamed one-to-one (whitespace aside), or None when the text is outside the
    plain layout this is sure of: `declare-sort` commands, then `declare-fun` commands,
    then `assert` commands; declared names like `Tall_bob` that are no built-in word; no
    quoted symbols, strings or comments; a query that is one balanced term."""
    if any(c in script or c in query for c in '|";\\'):
        return None
    commands = _commands(_TOKEN.findall(script))
    query_tokens = _TOKEN.findall(query)
    wrapped = _commands(["(", *query_tokens, ")"])
    if commands is None or wrapped is None or len(wrapped) != 1 or not query_tokens:
        return None
    sorts: list[str] = []
    declared: dict[str, list[str]] = {}  # name -> its declaration's tokens
    asserts: list[str] = []
    stage = 0  # 0: sorts, 1: functions, 2: assertions; never back
    for command in commands:
        head = command[1] if len(command) > 2 else ""
        if head == "declare-sort" and len(command) == 5 and stage == 0:
            sorts += command
        elif head == "declare-fun" and len(command) >= 7 and stage <= 1:
            stage = 1
            name = command[2]
            if not _NAME.fullmatch(name) or name in _BUILTIN or name in declared:
                return None
            declared[name] = command
        elif head == "assert":
            stage = 2
            asserts += command
        else:
            return None
    body = [*asserts, "?", *query_tokens]
    rename: dict[str, str] = {}
    for token in body:
        if token in declared and token not in rename:
            rename[token] = f"|#{len(rename)}|"
    for name in declared:  # declared but never used: after the used ones, in text order
        rename.setdefault(name, f"|#{len(rename)}|")
    order = sorted(declared, key=lambda name: int(rename[name][2:-1]))
    out = [rename.get(t, t) for t in sorts]
    out += [rename.get(t, t) for name in order for t in declared[name]]
    out += [rename.get(t, t) for t in body]
    return " ".join(out)


def _commands(tokens: list[str]) -> list[list[str]] | None:
    """Top-level parenthesised groups of a token list, or None if it is not a sequence of
    balanced groups."""
    commands: list[list[str]] = []
    depth = 0
    for token in tokens:
        if depth == 0:
            if token != "(":
                return None
            commands.append([])
        commands[-1].append(token)
        depth += (token == "(") - (token == ")")
    return commands if depth == 0 else None


class SmtlibMemo(Memo):
    """`label_smtlib` once per `smtlib_shape`: z3 reads and decides the first text of each
    shape (the text itself, not a rewrite of it); texts outside the plain subset are
    always read by z3. Only decided labels are kept."""

    def __init__(
        self, timeout_ms: int = DEFAULT_TIMEOUT_MS, solver=None, maxsize: int = 1 << 16
    ) -> None:
        super().__init__(maxsize)
        self.solver = solver if solver is not None else reusable_solver(timeout_ms)

    def __call__(self, script: str, query: str) -> str | None:
        """Like `label_smtlib(script, query)` (ValueError if z3 cannot read the text)."""
        key = smtlib_shape(script, query)
        if key is not None:
            hit, label = self.lookup(key)
            if hit:
                return label
        label = label_smtlib(script, query, solver=self.solver)
        if key is not None and label is not None:
            self.store(key, label)
        return label
