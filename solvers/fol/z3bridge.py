"""Formulas to z3 over one uninterpreted sort, and to SMT-LIB2 text.

Each `Z3Builder` owns its own z3 Context, so separate calls never share solver state and
are safe from many threads. Symbol names are made SMT-LIB-safe (ASCII, unique); a predicate
or function used with two arities becomes two symbols. Function terms become z3 functions
from the object sort to itself; numerals and quoted names are constants like any other.
"""

from __future__ import annotations

import functools
import re

import z3

from solvers.fol.ast import (
    BinOp,
    Eq,
    Formula,
    Func,
    Not,
    Pred,
    Term,
    Var,
    close,
    symbols,
)


@functools.lru_cache(maxsize=4096)
def _safe(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return cleaned if cleaned[:1].isalpha() else f"s_{cleaned}"


class Z3Builder:
    """Translate formulas into z3 terms of one context: a fresh one by default, or a given
    one (symbol names and declarations stay this builder's own either way, so its SMT-LIB2
    text never depends on what else the context has seen)."""

    def __init__(self, ctx: z3.Context | None = None) -> None:
        self.ctx = ctx if ctx is not None else z3.Context()
        self.sort = z3.DeclareSort("Obj", self.ctx)
        self.preds: dict[tuple[str, int], z3.FuncDeclRef] = {}
        self.consts: dict[str, z3.ExprRef] = {}
        self.funcs: dict[tuple[str, int], z3.FuncDeclRef] = {}
        self._used: set[str] = set()

    def _fresh(self, name: str) -> str:
        return _unique(name, self._used)

    def pred(self, name: str, arity: int) -> z3.FuncDeclRef:
        key = (name, arity)
        if key not in self.preds:
            symbol = self._fresh(name)
            self.preds[key] = z3.Function(symbol, *([self.sort] * arity), z3.BoolSort(self.ctx))
        return self.preds[key]

    def const(self, name: str) -> z3.ExprRef:
        if name not in self.consts:
            self.consts[name] = z3.Const(self._fresh(name), self.sort)
        return self.consts[name]

    def func(self, name: str, arity: int) -> z3.FuncDeclRef:
        key = (name, arity)
        if key not in self.funcs:
            symbol = self._fresh(name)
            self.funcs[key] = z3.Function(symbol, *([self.sort] * (arity + 1)))
        return self.funcs[key]

    def term(self, t: Term, env: dict[str, z3.ExprRef]) -> z3.ExprRef:
        if isinstance(t, Var):
            return env[t.name]
        if isinstance(t, Func):
            return self.func(t.name, len(t.args))(*[self.term(a, env) for a in t.args])
        return self.const(t.name)

    def formula(self, f: Formula, env: dict[str, z3.ExprRef] | None = None) -> z3.BoolRef:
        """The z3 term of f (free variables are closed universally first)."""
        if env is None:
            f, env = close(f), {}
        if isinstance(f, Pred):
            decl = self.pred(f.name, len(f.args))
            return decl(*[self.term(a, env) for a in f.args]) if f.args else decl()
        if isinstance(f, Eq):
            return self.term(f.left, env) == self.term(f.right, env)
        if isinstance(f, Not):
            return z3.Not(self.formula(f.body, env), self.ctx)
        if isinstance(f, BinOp):
            a, b = self.formula(f.left, env), self.formula(f.right, env)
            if f.op == "and":
                return z3.And(a, b)
            if f.op == "or":
                return z3.Or(a, b)
            if f.op == "xor":
                return z3.Xor(a, b)
            if f.op == "implies":
                return z3.Implies(a, b)
            return a == b
        bound = z3.Const(f"{f.var}!{len(env)}", self.sort)
        body = self.formula(f.body, {**env, f.var: bound})
        return z3.ForAll([bound], body) if f.kind == "forall" else z3.Exists([bound], body)

    def solver(self, timeout_ms: int) -> z3.Solver:
        return bounded_solver(self.ctx, timeout_ms)


# z3's deterministic work budget per check ("rlimit" units). Whether z3 gives up must not
# depend on how fast the machine is, or generated files would differ between machines.
# Decided checks seen: FOLIO validation <= 6.5k units, FOL and LogicAsker generation <= 36k;
# checks z3 cannot decide run at ~250k units/s here, so they now stop after ~4 s, the same
# on every machine. The wall-clock timeout stays as a safety net above it.
RLIMIT = 1_000_000


def bounded_solver(ctx: z3.Context, timeout_ms: int) -> z3.Solver:
    """A solver of `ctx` whose every check stops at `RLIMIT` units of work (deterministic)
    or after `timeout_ms` (a safety net on very slow machines)."""
    s = z3.Solver(ctx=ctx)
    s.set("rlimit", RLIMIT)
    s.set("timeout", int(timeout_ms))
    return s


def to_smtlib(
    premises: list[Formula],
    query: Formula | None = None,
    ctx: z3.Context | None = None,
    *,
    one_walk: bool = True,
) -> tuple[str, str | None]:
    """(SMT-LIB2 script: sort and symbol declarations + one assert per premise, the query
    as an SMT-LIB2 term or None).

    Written straight from the formulas, not through z3 terms, so that z3 reading this text
    back (`label_smtlib`) is a second translation path next to `Z3Builder`. Symbols are
    made safe and unique as in `Z3Builder`, allocated in sorted order, so the text depends
    only on the formulas. `ctx` is accepted for callers of the earlier z3-printed version
    and is not needed. `one_walk=False` skips the one-walk shortcut for the common case
    (same text; the general path is the reference)."""
    del ctx
    plain = _plain_smtlib(premises, query) if one_walk else None
    if plain is not None:
        return plain
    closed = [close(p) for p in premises]
    goal = close(query) if query is not None else None
    preds, funcs, consts = symbols([*closed, *([goal] if goal is not None else [])])
    used: set[str] = set()
    const_sym = {c: _unique(c, used) for c in sorted(consts)}
    pred_sym = {
        (name, arity): _unique(name, used)
        for name, arity in sorted((n, a) for n, arities in preds.items() for a in arities)
    }
    func_sym = {  # allocated last, so function-free formulas keep their symbol names
        (name, arity): _unique(name, used)
        for name, arity in sorted((n, a) for n, arities in funcs.items() for a in arities)
    }
    writer = _SmtWriter(pred_sym, const_sym, func_sym)
    lines = _declarations(
        const_sym.values(),
        [(sym, a) for (_, a), sym in pred_sym.items()],
        [(sym, a) for (_, a), sym in func_sym.items()],
    )
    lines += [f"(assert {writer.formula(p, {})})" for p in closed]
    return "\n".join(lines) + "\n", (writer.formula(goal, {}) if goal is not None else None)


def _plain_smtlib(premises: list[Formula], query: Formula | None) -> tuple[str, str | None] | None:
    """`to_smtlib` in one walk, for the common case where it would name every symbol by
    itself: closed formulas whose names are all SMT-LIB-safe and distinct. None otherwise."""
    preds, consts, funcs = _AsIs(), _AsIs(), _AsIs()
    writer = _SmtWriter(preds, consts, funcs)
    try:
        asserted = [writer.formula(p, {}) for p in premises]
        goal = writer.formula(query, {}) if query is not None else None
    except KeyError:  # a free variable: the general path closes it first
        return None
    if not _plain_names([*preds.values(), *consts.values(), *funcs.values()]):
        return None
    lines = _declarations(sorted(consts), sorted(preds), sorted(funcs))
    lines += [f"(assert {a})" for a in asserted]
    return "\n".join(lines) + "\n", goal


def _declarations(consts, preds, funcs=()) -> list[str]:
    """The sort and symbol declarations: constants, then (name, arity) functions, then
    (name, arity) predicates, in the order given."""
    lines = ["(declare-sort Obj 0)"]
    lines += [f"(declare-fun {c} () Obj)" for c in consts]
    lines += [f"(declare-fun {f} ({' '.join(['Obj'] * arity)}) Obj)" for f, arity in funcs]
    lines += [f"(declare-fun {p} ({' '.join(['Obj'] * arity)}) Bool)" for p, arity in preds]
    return lines


_SAFE: dict[str, bool] = {}  # name -> whether SMT-LIB takes it as it is


def _plain_names(names: list[str]) -> bool:
    """Are the names distinct and each SMT-LIB-safe as it is (so to_smtlib keeps them)?"""
    for name in names:
        ok = _SAFE.get(name)
        if ok is None:
            if len(_SAFE) >= 1 << 16:
                _SAFE.clear()
            ok = _SAFE[name] = _safe(name) == name
        if not ok:
            return False
    return len(set(names)) == len(names)


class SmtlibByShape:
    """`to_smtlib` for many formula lists of few shapes (`memo.shape`): the assert terms
    of each shape are written once, with numbered fields for its symbols, and every list of
    that shape fills in its own names. Gives `to_smtlib`'s text (tested), for lists that
    take its one-walk path; None for the others (call `to_smtlib` then). Use it from one
    thread."""

    def __init__(self, maxsize: int = 1 << 16) -> None:
        self.maxsize = maxsize
        self.templates: dict = {}

    def __call__(
        self,
        key: tuple,
        preds: list[tuple[str, int]],
        consts: list[str],
        formulas: list[Formula],
        order: list[int] | None = None,
    ) -> tuple[str, str] | None:
        """`to_smtlib(premises, query)` where `formulas` = [*premises, query] in the order
        `key`, `preds` and `consts` were taken (`memo.shape_and_symbols(formulas)`), the
        premises written in `order` (default: as given)."""
        template = self.templates.get(key, self)  # self: not seen yet
        if template is self:
            if len(self.templates) >= self.maxsize:
                self.templates.clear()
            template = self.templates[key] = _template(preds, consts, formulas)
        if template is None:
            return None
        names = [name for name, _ in preds] + consts
        if not _plain_names(names):
            return None
        asserts, goal = template
        lines = _declarations(sorted(consts), sorted(preds))
        body = "\n".join(asserts if order is None else [asserts[i] for i in order])
        return "\n".join(lines) + "\n" + body.format(*names) + "\n", goal.format(*names)


def _template(preds, consts, formulas) -> tuple[list[str], str] | None:
    """The assert lines and the query of `formulas` with symbol i written as field {i}
    (predicates first, then constants), or None where the one-walk path would not apply."""
    fields = {key: f"{{{i}}}" for i, key in enumerate(preds)}
    fields.update({c: f"{{{len(preds) + i}}}" for i, c in enumerate(consts)})
    writer = _SmtWriter(fields, fields)
    try:
        terms = [writer.formula(f, {}) for f in formulas]
    except KeyError:  # a free variable or a function term: to_smtlib's general path
        return None
    return [f"(assert {t})" for t in terms[:-1]], terms[-1]


class _AsIs(dict):
    """A symbol table that names each symbol by itself (a predicate's key is (name,
    arity)), keeping the ones asked for."""

    def __missing__(self, key):
        self[key] = name = key[0] if isinstance(key, tuple) else key
        return name


def _unique(name: str, used: set[str]) -> str:
    base = candidate = _safe(name)
    k = 2
    while candidate in used:
        candidate = f"{base}_{k}"
        k += 1
    used.add(candidate)
    return candidate


_SMT_OPS = {"and": "and", "or": "or", "xor": "xor", "implies": "=>", "iff": "="}


class _SmtWriter:
    """SMT-LIB2 terms of closed formulas. A bound variable is written `name!depth`: `!`
    never occurs in a declared symbol, so binders cannot capture constants."""

    def __init__(
        self,
        preds: dict[tuple[str, int], str],
        consts: dict[str, str],
        funcs: dict[tuple[str, int], str] | None = None,
    ) -> None:
        self.preds, self.consts = preds, consts
        self.funcs = funcs if funcs is not None else {}  # none: a function term is a KeyError

    def term(self, t: Term, env: dict[str, str]) -> str:
        kind = type(t)
        if kind is Var:
            return env[t.name]
        if kind is Func:
            args = " ".join([self.term(a, env) for a in t.args])
            return f"({self.funcs[(t.name, len(t.args))]} {args})"
        return self.consts[t.name]

    def formula(self, f: Formula, env: dict[str, str]) -> str:
        kind = type(f)  # exact types: the formula dataclasses are never subclassed
        if kind is BinOp:
            left, right = self.formula(f.left, env), self.formula(f.right, env)
            return f"({_SMT_OPS[f.op]} {left} {right})"
        if kind is Pred:
            args = f.args
            sym = self.preds[(f.name, len(args))]
            if not args:
                return sym
            if len(args) == 1:  # the common unary case, without the join
                return f"({sym} {self.term(args[0], env)})"
            return f"({sym} {' '.join([self.term(a, env) for a in args])})"
        if kind is Not:
            return f"(not {self.formula(f.body, env)})"
        if kind is Eq:
            return f"(= {self.term(f.left, env)} {self.term(f.right, env)})"
        bound = f"{_safe(f.var)}!{len(env)}"
        body = self.formula(f.body, {**env, f.var: bound})
        return f"({f.kind} (({bound} Obj)) {body})"
