"""Parse FOLIO-style first-order logic (Unicode or ASCII, NLTK / Prover9 spellings) with a
lark LALR grammar (grammar.lark).

Accepted: ∀ ∃ ¬ ∧ ∨ ⊕ → ↔ = ≠, or forall / exists / all, ~ ! - (negation), & && | || ^
-> => <-> <=> !=; a '.' after a quantified variable is optional (`all x.P(x)`), and NLTK's
`all x y.` binds several variables. Terms: variables, constants, and function terms
(`Schedule(x, customer(x))`). Constants: identifiers, numerals (`Sides(x, 3)`,
`Printed(1984)`, `-5`, `9.99`) and quoted strings (`"New York"`, `'New York'`; the name is
the text inside the quotes, so `"rina"` is the constant rina). Constants are names: two
different constants may denote the same object (3 = 4 is not refuted), as FOLIO reads them.

Names: an identifier bound by an enclosing quantifier is a variable; an unbound single
letter u..z is a free variable; any other identifier is a constant. A capitalised
identifier without arguments is a propositional atom. Free variables are closed
universally (`ast.close`) when a formula is checked: a conclusion `Tall(x)` asks whether
everything is tall.

Quantifier scope: by default (`scope="widest"`, FOLIO's reading) a quantifier's scope
extends as far right as possible, `∀x P(x) → Q(x)` is ∀x (P(x) → Q(x)). With
`scope="narrow"` (NLTK's reading) a quantifier binds only the next term (a negation, an
atom, an equation or a parenthesised formula): `∀x P(x) → Q(x)` is (∀x P(x)) → Q(x).

Not first-order, and refused with an error that says so: quantifying over a name used as
a predicate or function (`∀P P(x)`), applying an application (`P(x)(y)`), a name used both
as a predicate and as a function, λ-abstraction, arithmetic operators.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import UnexpectedInput

from solvers.fol.ast import BinOp, Const, Eq, Formula, Func, Not, Pred, Quant, Term, Var
from solvers.larkerrors import describe

SCOPES = ("widest", "narrow")
_NAMES = {
    "NOT": "'¬'",
    "AND": "'∧'",
    "OR": "'∨'",
    "XOR": "'⊕'",
    "IMP": "'→'",
    "IFF": "'↔'",
    "QUANT": "a quantifier",
    "IDENT": "a name",
    "NUMERAL": "a number",
    "STRING": "a quoted name",
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
# A '-' is counted where no name goes on before it ('a-b' is one name) and not in '->'.
_OPERATOR = re.compile(r"[¬~!∧&∨|⊕^→⇒↔⟷⇔∀∃]|->|=>|(?<![\w’'])-(?!>)|\b(?:forall|exists|all)\b")
MAX_OPERATORS = 100
"""Most connectives and quantifiers one formula may hold. A formula nests at most one
level per operator, and every walk over formulas (building, rendering, z3) recurses per
level: this bound keeps them far from Python's recursion limit. FOLIO's largest formula
has 27; a model that writes 600 '¬' gets a FOLParseError, not a RecursionError."""
MAX_TERM_NESTING = 16
"""Most function terms nested in one another: P(f(g(x))) has 2. Every walk over terms
recurses per level, so `f(f(f(...)))` from a model is a FOLParseError, not a
RecursionError. Checked on the parse tree without recursion, before anything walks it."""


class FOLParseError(ValueError):
    """Text that is not a formula; the message names the position and what was expected,
    or the construct that is not first-order."""


@lru_cache(maxsize=2)
def _parser(scope: str = "widest") -> Lark:
    text = resources.files("solvers.fol").joinpath("grammar.lark").read_text()
    if scope == "narrow":  # the same grammar with a quantifier's scope one term long
        if text.count("?scope: formula") != 1:
            raise RuntimeError("grammar.lark lost its '?scope: formula' rule")
        text = text.replace("?scope: formula", "?scope: unary")
    return Lark(text, parser="lalr")


@dataclass(frozen=True)
class _Name:
    """An identifier in term position, before `_Resolver` decides variable or constant."""

    name: str


class _Build(Transformer):
    """Parse tree -> formula whose identifiers are still `_Name`s (resolved afterwards)."""

    def neg(self, items):
        return Not(items[1])

    def quant(self, items):
        kind = "forall" if str(items[0]) in ("∀", "forall", "all") else "exists"
        names = [str(t) for t in items[1:-1] if t.type == "IDENT"]
        body = items[-1]
        for name in reversed(names):
            body = Quant(kind, name, body)
        return body

    def args(self, items):
        return tuple(t for t in items if not isinstance(t, Token))

    def pred(self, items):
        return Pred(str(items[0]), items[1])

    def func(self, items):
        return Func(str(items[0]), items[1])

    def name(self, items):
        return _Name(str(items[0]))

    def numeral(self, items):
        return Const(str(items[0]))

    def quoted(self, items):
        return Const(str(items[0])[1:-1])

    def bare(self, items):
        name = str(items[0])
        if not name[0].isupper():
            raise FOLParseError(
                f"line {items[0].line}, column {items[0].column}: {name!r} is a term, "
                "not a formula (predicates are capitalised, e.g. Student(x))"
            )
        return Pred(name, ())

    def eq(self, items):
        return Eq(items[0], items[2])

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


class _Resolver:
    """Identifiers -> variables or constants; refuses what is not first-order."""

    def __init__(self) -> None:
        self.preds: set[str] = set()
        self.funcs: set[str] = set()

    def term(self, t: Term, bound: frozenset[str]) -> Term:
        kind = type(t)
        if kind is _Name:
            return Var(t.name) if t.name in bound or _FREE_VAR.fullmatch(t.name) else Const(t.name)
        if kind is Func:
            if t.name in bound:
                raise FOLParseError(_second_order(t.name, "function"))
            self.funcs.add(t.name)
            return Func(t.name, tuple(self.term(a, bound) for a in t.args))
        return t

    def formula(self, f: Formula, bound: frozenset[str] = frozenset()) -> Formula:
        if isinstance(f, Pred):
            if f.name in bound:
                raise FOLParseError(_second_order(f.name, "predicate"))
            self.preds.add(f.name)
            return Pred(f.name, tuple(self.term(a, bound) for a in f.args))
        if isinstance(f, Eq):
            return Eq(self.term(f.left, bound), self.term(f.right, bound))
        if isinstance(f, Not):
            return Not(self.formula(f.body, bound))
        if isinstance(f, BinOp):
            return BinOp(f.op, self.formula(f.left, bound), self.formula(f.right, bound))
        return Quant(f.kind, f.var, self.formula(f.body, bound | {f.var}))


def _second_order(name: str, role: str) -> str:
    return (
        f"a quantifier binds {name!r}, which is used as a {role}: quantifying over "
        f"{role}s is second-order, not first-order logic"
    )


def _term_nesting(tree: Tree) -> int:
    """How deeply function terms nest in the parse tree, at most. Linear, no recursion."""
    deepest = 0
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data == "func":
            depth += 1
            deepest = max(deepest, depth)
        stack.extend((child, depth) for child in node.children if isinstance(child, Tree))
    return deepest


_LAMBDA = re.compile(r"\\|(?<![\w’'])λ")  # NLTK's \x. or λx. (λ is a letter: λx is a name)
_ARITHMETIC = re.compile(r"[+*/<>≤≥%]")


def _check_size(text: str) -> None:
    operators = sum(1 for _ in itertools.islice(_OPERATOR.finditer(text), MAX_OPERATORS + 1))
    if operators > MAX_OPERATORS:
        raise FOLParseError(
            f"formula too large: more than {MAX_OPERATORS} connectives and quantifiers"
        )


def _construct(exc: UnexpectedInput, text: str) -> str | None:
    """What a parse error is about when it is a construct outside first-order logic."""
    if _LAMBDA.search(text):
        return "λ-abstraction is not first-order logic"
    pos = getattr(exc, "pos_in_stream", None)
    if not isinstance(pos, int) or pos >= len(text):
        return None
    ch = text[pos]
    if _ARITHMETIC.match(ch):
        return (
            f"arithmetic ({ch!r}) is not part of this logic: numbers are names; write a "
            "predicate such as GreaterThan(x, 3)"
        )
    if ch == "(" and text[:pos].rstrip().endswith(")"):
        return "applying a term or formula to arguments, as in P(x)(y), is not first-order"
    if ch in "\"'":
        return "a quoted name holds 1 to 200 characters on one line, closed by its quote"
    return None


def _parse_exact(text: str, scope: str) -> Formula:
    _check_size(text)
    try:
        tree = _parser(scope).parse(text)
    except UnexpectedInput as exc:
        message = describe(exc, text, _NAMES)
        construct = _construct(exc, text)
        raise FOLParseError(f"{message} ({construct})" if construct else message) from None
    if _term_nesting(tree) > MAX_TERM_NESTING:
        raise FOLParseError(
            f"formula too deep: function terms nested more than {MAX_TERM_NESTING} deep"
        )
    try:
        raw = _Build().transform(tree)
    except Exception as exc:  # lark wraps errors raised inside transformer callbacks
        inner = getattr(exc, "orig_exc", exc)
        if isinstance(inner, FOLParseError):
            raise inner from None
        raise
    resolver = _Resolver()
    formula = resolver.formula(raw)
    both = sorted(resolver.preds & resolver.funcs)
    if both:
        raise FOLParseError(
            f"{both[0]!r} is used both as a predicate and as a function (a predicate "
            "inside an argument list is not first-order)"
        )
    return formula


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


def parse(text: str, repair: bool = False, scope: str = "widest") -> Formula:
    """Parse one formula (the syntax is in this module's docstring). `scope`: "widest"
    (default, FOLIO: a quantifier's scope extends as far right as possible) or "narrow"
    (NLTK: a quantifier binds only the next term). Free variables (unbound u..z) stay free
    in the result; entailment and equivalence close them universally (`ast.close`).

    With `repair`, a formula with unbalanced parentheses is retried with the excess ')'
    dropped from the end, '(' added at the start, or ')' added at the end (FOLIO has ~26
    such annotations). Raises FOLParseError. Cost: linear (LALR).

    >>> from solvers.fol.ast import render
    >>> render(parse("all x.(Human(x) -> Mortal(x))"))
    '∀x (Human(x) → Mortal(x))'
    >>> render(parse("∃y Child(john, y) → ¬Wedding(john)", scope="narrow"))
    '(∃y (Child(john, y))) → ¬Wedding(john)'
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    try:
        return _parse_exact(text, scope)
    except FOLParseError:
        if not repair:
            raise
        for candidate in _repairs(text):
            try:
                return _parse_exact(candidate, scope)
            except FOLParseError:
                continue
        raise
