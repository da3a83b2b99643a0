"""Parse FOLIO-style first-order logic (Unicode or ASCII) with a lark grammar.

Terms: an identifier bound by an enclosing quantifier is a variable; an unbound single
letter u..z is a free variable (closed universally by `close`, as Prover9 reads it); any
other identifier is a constant. A capitalised identifier without arguments is a
propositional atom.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput

from solvers.fol.ast import BinOp, Const, Eq, Formula, Not, Pred, Quant, Term, Var
from solvers.larkerrors import describe

_NAMES = {
    "NOT": "'¬'",
    "AND": "'∧'",
    "OR": "'∨'",
    "XOR": "'⊕'",
    "IMP": "'→'",
    "IFF": "'↔'",
    "QUANT": "a quantifier",
    "IDENT": "a name",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "EQ": "'='",
    "NEQ": "'≠'",
    "DOT": "'.'",
}
_FREE_VAR = re.compile(r"[u-z]")
# Connectives and quantifiers, counted before parsing (the ASCII spellings may overcount:
# '&&' counts twice, '!=' once; the bound is on the count, so that is on the safe side).
_OPERATOR = re.compile(r"[¬~!∧&∨|⊕^→⇒↔⟷⇔∀∃]|->|=>|\b(?:forall|exists|all)\b")
MAX_OPERATORS = 100
"""Most connectives and quantifiers one formula may hold. A formula nests at most one
level per operator, and every walk over formulas (building, rendering, z3) recurses per
level: this bound keeps them far from Python's recursion limit. FOLIO's largest formula
has 27; a model that writes 600 '¬' gets a FOLParseError, not a RecursionError."""


class FOLParseError(ValueError):
    """Text that is not a formula; the message names the position and what was expected."""


@lru_cache(maxsize=1)
def _parser() -> Lark:
    text = resources.files("solvers.fol").joinpath("grammar.lark").read_text()
    return Lark(text, parser="lalr")


class _Build(Transformer):
    """Parse tree -> formula whose terms are still raw names (resolved afterwards)."""

    def neg(self, items):
        return Not(items[1])

    def quant(self, items):
        kind = "forall" if str(items[0]) in ("∀", "forall", "all") else "exists"
        return Quant(kind, str(items[1]), items[-1])

    def pred(self, items):
        return Pred(str(items[0]), tuple(Const(str(t)) for t in items[1:]))

    def bare(self, items):
        name = str(items[0])
        if not name[0].isupper():
            raise FOLParseError(
                f"line {items[0].line}, column {items[0].column}: {name!r} is a term, "
                "not a formula (predicates are capitalised, e.g. Student(x))"
            )
        return Pred(name, ())

    def eq(self, items):
        return Eq(Const(str(items[0])), Const(str(items[2])))

    def neq(self, items):
        return Not(self.eq(items))

    def _chain(self, op, items):
        parts = [i for i in items if not isinstance(i, Token)]
        out = parts[0]
        for p in parts[1:]:
            out = BinOp(op, out, p)
        return out

    def iff(self, items):
        return self._chain("iff", items)

    def imp(self, items):
        return BinOp("implies", items[0], items[2])

    def xor(self, items):
        return self._chain("xor", items)

    def or_(self, items):
        return self._chain("or", items)

    def and_(self, items):
        return self._chain("and", items)


def _term(t: Term, bound: frozenset[str]) -> Term:
    if t.name in bound or _FREE_VAR.fullmatch(t.name):
        return Var(t.name)
    return Const(t.name)


def _resolve(f: Formula, bound: frozenset[str] = frozenset()) -> Formula:
    if isinstance(f, Pred):
        return Pred(f.name, tuple(_term(a, bound) for a in f.args))
    if isinstance(f, Eq):
        return Eq(_term(f.left, bound), _term(f.right, bound))
    if isinstance(f, Not):
        return Not(_resolve(f.body, bound))
    if isinstance(f, BinOp):
        return BinOp(f.op, _resolve(f.left, bound), _resolve(f.right, bound))
    return Quant(f.kind, f.var, _resolve(f.body, bound | {f.var}))


def _parse_exact(text: str) -> Formula:
    operators = sum(1 for _ in itertools.islice(_OPERATOR.finditer(text), MAX_OPERATORS + 1))
    if operators > MAX_OPERATORS:
        raise FOLParseError(
            f"formula too large: more than {MAX_OPERATORS} connectives and quantifiers"
        )
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise FOLParseError(describe(exc, text, _NAMES)) from None
    try:
        raw = _Build().transform(tree)
    except Exception as exc:  # lark wraps errors raised inside transformer callbacks
        inner = getattr(exc, "orig_exc", exc)
        if isinstance(inner, FOLParseError):
            raise inner from None
        raise
    return _resolve(raw)


def _repairs(text: str) -> list[str]:
    opens, closes = text.count("("), text.count(")")
    stripped = text.rstrip()
    if closes > opens:
        extra = closes - opens
        out = []
        if stripped.endswith(")" * extra):
            out.append(stripped[: len(stripped) - extra])
        out.append("(" * extra + text)
        return out
    if opens > closes:
        return [text + ")" * (opens - closes)]
    return []


def parse(text: str, repair: bool = False) -> Formula:
    """Parse one formula. With `repair`, a formula with unbalanced parentheses is retried
    with the excess ')' dropped from the end, '(' added at the start, or ')' added at the
    end (FOLIO has ~26 such annotations). Raises FOLParseError. Cost: linear (LALR)."""
    try:
        return _parse_exact(text)
    except FOLParseError:
        if not repair:
            raise
        for candidate in _repairs(text):
            try:
                return _parse_exact(candidate)
            except FOLParseError:
                continue
        raise
