"""First-order formulas as small immutable values, and their FOLIO-style rendering."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Const:
    """A name for one object: an identifier, a numeral ('3', '-5', '9.99') or a quoted
    string ('New York', without its quotes). Distinct constants may denote the same object
    (FOLIO treats numerals as names, so 3 = 4 is not refuted)."""

    name: str


@dataclass(frozen=True)
class Func:
    """A function term such as customer(x): `name` applied to `args` (one or more)."""

    name: str
    args: tuple[Term, ...]


Term = Var | Const | Func


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
        return f"{f.name}({_terms(f.args)})" if f.args else f.name
    if kind is Not:
        inner = render(f.body)
        return f"¬{inner}" if type(f.body) in _BARE else f"¬({inner})"
    if kind is Eq:
        return f"{render_term(f.left)} = {render_term(f.right)}"
    symbol = "∀" if f.kind == "forall" else "∃"
    body = render(f.body)
    return f"{symbol}{f.var} {body}" if type(f.body) is Quant else f"{symbol}{f.var} ({body})"


# a constant written as it is: an identifier (not a free-variable letter u..z, not a
# quantifier word) or a numeral; others are quoted. Keep in step with grammar.lark.
_PLAIN_NAME = re.compile(
    r"(?!(?:forall|exists|all)(?![\w’'-]))[^\W\d][\w’']*(?:\.[0-9][\w’']*|-[\w’']+)*"
    r"|-?[0-9][\w’']*(?:\.[0-9][\w’']*|-[\w’']+)*"
)
_VARIABLE_LETTER = re.compile(r"[u-z]")


def render_term(t: Term) -> str:
    """A term as text that parses back to it: a constant that would not read as a name
    (or would read as a free variable, u..z) is quoted; function terms as name(args)."""
    kind = type(t)
    if kind is Var:
        return t.name
    if kind is Func:
        return f"{t.name}({_terms(t.args)})"
    return _constant_text(t.name)


@functools.lru_cache(maxsize=4096)
def _constant_text(name: str) -> str:
    if _PLAIN_NAME.fullmatch(name) and not _VARIABLE_LETTER.fullmatch(name):
        return name
    return f"'{name}'" if '"' in name else f'"{name}"'


def _terms(args: tuple[Term, ...]) -> str:
    plain = [t.name for t in args if type(t) is Var]
    if len(plain) == len(args):  # the common case: variables only
        return ", ".join(plain)
    return ", ".join([render_term(t) for t in args])


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


def term_parts(t: Term) -> list[Term]:
    """t and every term inside it (function arguments, at any depth), without recursion."""
    out, stack = [], [t]
    while stack:
        u = stack.pop()
        out.append(u)
        if type(u) is Func:
            stack.extend(reversed(u.args))
    return out


def _vars_of(terms, bound: frozenset[str]) -> set[str]:
    return {
        u.name
        for t in terms
        for u in (term_parts(t) if type(t) is Func else (t,))
        if type(u) is Var and u.name not in bound
    }


def free_vars(f: Formula, bound: frozenset[str] = frozenset()) -> set[str]:
    """Names of variables occurring free in f (inside function terms too)."""
    if isinstance(f, Pred):
        return _vars_of(f.args, bound)
    if isinstance(f, Eq):
        return _vars_of((f.left, f.right), bound)
    if isinstance(f, Not):
        return free_vars(f.body, bound)
    if isinstance(f, BinOp):
        return free_vars(f.left, bound) | free_vars(f.right, bound)
    return free_vars(f.body, bound | {f.var})


def close(f: Formula) -> Formula:
    """Universally close the free variables of f, outermost first in alphabetical order
    (Prover9's reading of free variables): `P(x) → Q(x)` becomes ∀x (P(x) → Q(x)).
    Entailment and equivalence (`solvers.fol.logic`) close every formula this way, so a
    conclusion `Q(x)` asks whether Q holds of everything."""
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
    """(predicate name -> arities used, constant names) over the formulas (constants inside
    function terms included; `function_signature` gives the functions)."""
    preds, _, consts = symbols(formulas)
    return preds, consts


def function_signature(formulas: list[Formula]) -> dict[str, set[int]]:
    """Function name -> arities used, over the formulas (empty for function-free ones)."""
    return symbols(formulas)[1]


def symbols(
    formulas: list[Formula],
) -> tuple[dict[str, set[int]], dict[str, set[int]], set[str]]:
    """(predicate name -> arities, function name -> arities, constant names) of the
    formulas, in one walk without recursion."""
    preds: dict[str, set[int]] = {}
    funcs: dict[str, set[int]] = {}
    consts: set[str] = set()

    def terms(args) -> None:
        for t in args:
            kind = type(t)
            if kind is Const:
                consts.add(t.name)
            elif kind is Func:
                for u in term_parts(t):
                    if type(u) is Func:
                        funcs.setdefault(u.name, set()).add(len(u.args))
                    elif type(u) is Const:
                        consts.add(u.name)

    stack = list(reversed(formulas))  # popped in order, each walked left to right
    while stack:
        f = stack.pop()
        if isinstance(f, Pred):
            preds.setdefault(f.name, set()).add(len(f.args))
            terms(f.args)
        elif isinstance(f, Eq):
            terms((f.left, f.right))
        elif isinstance(f, BinOp):
            stack += (f.right, f.left)
        else:
            stack.append(f.body)
    return preds, funcs, consts
