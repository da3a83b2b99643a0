"""First-order formulas as small immutable values, and their FOLIO-style rendering."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Const:
    name: str


Term = Var | Const


@dataclass(frozen=True)
class Pred:
    name: str
    args: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Eq:
    left: Term
    right: Term


@dataclass(frozen=True)
class Not:
    body: Formula


BINARY_OPS = ("and", "or", "xor", "implies", "iff")


@dataclass(frozen=True)
class BinOp:
    op: str  # one of BINARY_OPS
    left: Formula
    right: Formula


@dataclass(frozen=True)
class Quant:
    kind: str  # "forall" | "exists"
    var: str
    body: Formula


Formula = Pred | Eq | Not | BinOp | Quant

_SYMBOL = {"and": "∧", "or": "∨", "xor": "⊕", "implies": "→", "iff": "↔"}


def render(f: Formula) -> str:
    """FOLIO-style text; every binary connective is parenthesised, so parsing the text
    gives the same formula back.

    >>> render(Quant("forall", "x", BinOp("implies", Pred("Student", (Var("x"),)),
    ...                                   Pred("Young", (Var("x"),)))))
    '∀x (Student(x) → Young(x))'
    """
    kind = type(f)  # exact types: these dataclasses are never subclassed; BinOp first
    if kind is BinOp:
        return f"{_wrap(f.left)} {_SYMBOL[f.op]} {_wrap(f.right)}"
    if kind is Pred:
        return f"{f.name}({', '.join([t.name for t in f.args])})" if f.args else f.name
    if kind is Not:
        inner = render(f.body)
        return f"¬{inner}" if type(f.body) in _BARE else f"¬({inner})"
    if kind is Eq:
        return f"{f.left.name} = {f.right.name}"
    symbol = "∀" if f.kind == "forall" else "∃"
    body = render(f.body)
    return f"{symbol}{f.var} {body}" if type(f.body) is Quant else f"{symbol}{f.var} ({body})"


_BARE = frozenset({Pred, Not})  # written without parentheses after ¬
_WRAPPED = frozenset({BinOp, Quant, Eq})  # parenthesised as an operand


def _wrap(f: Formula) -> str:
    return f"({render(f)})" if type(f) in _WRAPPED else render(f)


def map_atoms(f: Formula, fn) -> Formula:
    """f with every predicate atom replaced by fn(atom) (connectives and quantifiers kept)."""
    kind = type(f)
    if kind is BinOp:
        return BinOp(f.op, map_atoms(f.left, fn), map_atoms(f.right, fn))
    if kind is Pred:
        return fn(f)
    if kind is Not:
        return Not(map_atoms(f.body, fn))
    if kind is Quant:
        return Quant(f.kind, f.var, map_atoms(f.body, fn))
    return f


def atom_names(f: Formula) -> set[str]:
    """Names of the predicates occurring in f."""
    found: set[str] = set()
    stack = [f]
    while stack:
        g = stack.pop()
        if isinstance(g, Pred):
            found.add(g.name)
        elif isinstance(g, BinOp):
            stack += (g.left, g.right)
        elif isinstance(g, (Not, Quant)):
            stack.append(g.body)
    return found


def free_vars(f: Formula, bound: frozenset[str] = frozenset()) -> set[str]:
    """Names of variables occurring free in f."""
    if isinstance(f, Pred):
        return {a.name for a in f.args if isinstance(a, Var) and a.name not in bound}
    if isinstance(f, Eq):
        return {t.name for t in (f.left, f.right) if isinstance(t, Var) and t.name not in bound}
    if isinstance(f, Not):
        return free_vars(f.body, bound)
    if isinstance(f, BinOp):
        return free_vars(f.left, bound) | free_vars(f.right, bound)
    return free_vars(f.body, bound | {f.var})


def close(f: Formula) -> Formula:
    """Universally close the free variables of f (Prover9's reading of free variables)."""
    for name in sorted(free_vars(f), reverse=True):
        f = Quant("forall", name, f)
    return f


def conj(*parts: Formula) -> Formula:
    """Left-nested conjunction of one or more formulas."""
    out = parts[0]
    for p in parts[1:]:
        out = BinOp("and", out, p)
    return out


def signature(formulas: list[Formula]) -> tuple[dict[str, set[int]], set[str]]:
    """(predicate name -> arities used, constant names) over the formulas."""
    preds: dict[str, set[int]] = {}
    consts: set[str] = set()

    def walk(f: Formula) -> None:
        if isinstance(f, Pred):
            preds.setdefault(f.name, set()).add(len(f.args))
            consts.update(a.name for a in f.args if isinstance(a, Const))
        elif isinstance(f, Eq):
            consts.update(t.name for t in (f.left, f.right) if isinstance(t, Const))
        elif isinstance(f, Not):
            walk(f.body)
        elif isinstance(f, BinOp):
            walk(f.left)
            walk(f.right)
        else:
            walk(f.body)

    for f in formulas:
        walk(f)
    return preds, consts
