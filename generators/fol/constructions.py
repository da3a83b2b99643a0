"""Compositional (English sentence, gold formula) pairs.

Each construction draws words from a Lexicon and returns both the sentence and its FOL, so
the two cannot drift apart. Readings follow the usual textbook conventions: "only A are B"
is ∀x (B(x) → A(x)); "either … or" is exclusive when it says "but not both"; "A unless B"
is ¬B → A; "all A except c are B" also asserts that c is an A that is not B.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from generators.fol.lexicon import Lexicon
from solvers.fol import BinOp, Const, Eq, Formula, Not, Pred, Quant, Var

X, Y = Var("x"), Var("y")
Sentence = tuple[str, Formula]


def _p(word, term) -> Pred:
    return Pred(word.pred, (term,))


def _imp(a: Formula, b: Formula) -> Formula:
    return BinOp("implies", a, b)


def _and(a: Formula, b: Formula) -> Formula:
    return BinOp("and", a, b)


def _all(body: Formula, var: str = "x") -> Formula:
    return Quant("forall", var, body)


def _some(body: Formula, var: str = "x") -> Formula:
    return Quant("exists", var, body)


def _pick(rng: random.Random, lex: Lexicon, k: int):
    return rng.sample(lex.unary, k)


def _person(rng: random.Random, lex: Lexicon) -> tuple[str, Const]:
    name = rng.choice(lex.people)
    return name, Const(name.lower())


# ---------------------------------------------------------------- quantified, one variable
def all_are(rng, lex) -> Sentence:
    a, b = _pick(rng, lex, 2)
    return f"All {a.people()} are {b.are()}.", _all(_imp(_p(a, X), _p(b, X)))


def some_are(rng, lex) -> Sentence:
    a, b = _pick(rng, lex, 2)
    return f"Some {a.people()} are {b.are()}.", _some(_and(_p(a, X), _p(b, X)))


def no_are(rng, lex) -> Sentence:
    a, b = _pick(rng, lex, 2)
    return f"No {a.people()} are {b.are()}.", _all(_imp(_p(a, X), Not(_p(b, X))))


def only_are(rng, lex) -> Sentence:
    a, b = _pick(rng, lex, 2)
    return f"Only {a.people()} are {b.are()}.", _all(_imp(_p(b, X), _p(a, X)))


def relative(rng, lex) -> Sentence:
    a, b, c = _pick(rng, lex, 3)
    text = f"All {a.people()} who are {b.are()} are {c.are()}."
    return text, _all(_imp(_and(_p(a, X), _p(b, X)), _p(c, X)))


def either_or(rng, lex) -> Sentence:
    a, b, c = _pick(rng, lex, 3)
    text = f"Every {a.one()} is either {b.is_()} or {c.is_()}, but not both."
    return text, _all(_imp(_p(a, X), BinOp("xor", _p(b, X), _p(c, X))))


def iff(rng, lex) -> Sentence:
    a, b, c = _pick(rng, lex, 3)
    text = f"Every {a.one()} is {b.is_()} if and only if they are {c.is_()}."
    return text, _all(_imp(_p(a, X), BinOp("iff", _p(b, X), _p(c, X))))


def all_except(rng, lex) -> Sentence:
    a, b = _pick(rng, lex, 2)
    name, c = _person(rng, lex)
    text = f"All {a.people()} except {name} are {b.are()}."
    rule = _all(_imp(_and(_p(a, X), Not(Eq(X, c))), _p(b, X)))
    return text, _and(rule, _and(_p(a, c), Not(_p(b, c))))


def who_rel_name(rng, lex) -> Sentence:
    (a,) = _pick(rng, lex, 1)
    rel = rng.choice(lex.binary)
    name, c = _person(rng, lex)
    text = f"Everyone who {rel.third} {name} is {a.is_()}."
    return text, _all(_imp(Pred(rel.pred, (X, c)), _p(a, X)))


# ---------------------------------------------------------------- nested quantifiers
def every_rel_some(rng, lex) -> Sentence:
    a, b = _pick(rng, lex, 2)
    rel = rng.choice(lex.binary)
    text = f"Every {a.one()} {rel.third} some {b.one()}."
    inner = _some(_and(_p(b, Y), Pred(rel.pred, (X, Y))), "y")
    return text, _all(_imp(_p(a, X), inner))


def some_rel_every(rng, lex) -> Sentence:
    a, b = _pick(rng, lex, 2)
    rel = rng.choice(lex.binary)
    text = f"Some {a.one()} {rel.third} every {b.one()}."
    inner = _all(_imp(_p(b, Y), Pred(rel.pred, (X, Y))), "y")
    return text, _some(_and(_p(a, X), inner))


# ---------------------------------------------------------------- named individuals
def fact(rng, lex) -> Sentence:
    (a,) = _pick(rng, lex, 1)
    name, c = _person(rng, lex)
    if rng.random() < 0.3:
        return f"{name} is not {a.is_()}.", Not(_p(a, c))
    return f"{name} is {a.is_()}.", _p(a, c)


def relation_fact(rng, lex) -> Sentence:
    rel = rng.choice(lex.binary)
    n1, n2 = rng.sample(lex.people, 2)
    c1, c2 = Const(n1.lower()), Const(n2.lower())
    if rng.random() < 0.3:
        return f"{n1} does not {rel.base} {n2}.", Not(Pred(rel.pred, (c1, c2)))
    return f"{n1} {rel.third} {n2}.", Pred(rel.pred, (c1, c2))


def neither_nor(rng, lex) -> Sentence:
    a, b = _pick(rng, lex, 2)
    name, c = _person(rng, lex)
    text = f"{name} is neither {a.is_()} nor {b.is_()}."
    return text, _and(Not(_p(a, c)), Not(_p(b, c)))


def unless(rng, lex) -> Sentence:
    a, b = _pick(rng, lex, 2)
    name, c = _person(rng, lex)
    return f"{name} is {a.is_()} unless {name} is {b.is_()}.", _imp(Not(_p(b, c)), _p(a, c))


def compound(rng: random.Random, lex: Lexicon, depth: int) -> Sentence:
    """A ground sentence whose formula nests `depth` levels of connectives over facts.

    English connectives nest ambiguously, so a nested clause is put in parentheses: the
    sentence has exactly one reading, the gold formula's.
    """
    if depth <= 1:
        return (fact if rng.random() < 0.7 else relation_fact)(rng, lex)
    (t1, f1), (t2, f2) = compound(rng, lex, 1), compound(rng, lex, depth - 1)
    t1, t2 = t1.rstrip("."), _lower(t2.rstrip("."))
    if depth > 2:
        t2 = f"({t2})"
    kind = rng.choice(["if", "and", "or", "xor", "iff"])
    if kind == "if":
        return f"If {t1}, then {t2}.", _imp(f1, f2)
    if kind == "and":
        return f"{t1}, and {t2}.", _and(f1, f2)
    if kind == "or":
        return f"{t1}, or {t2}.", BinOp("or", f1, f2)
    if kind == "xor":
        return f"Either {t1}, or {t2}, but not both.", BinOp("xor", f1, f2)
    return f"{t1} if and only if {t2}.", BinOp("iff", f1, f2)


def _lower(text: str) -> str:
    """Lower-case a leading 'If'/'Either' when a clause moves inside a sentence; clauses
    that start with a person's name keep it."""
    return text[0].lower() + text[1:] if text.startswith(("If ", "Either ", "(")) else text


BY_QUANTIFIERS: dict[int, tuple[Callable[..., Sentence], ...]] = {
    0: (fact, relation_fact, neither_nor, unless),
    1: (all_are, some_are, no_are, only_are, relative, either_or, iff, all_except, who_rel_name),
    2: (every_rel_some, some_rel_every),
}
