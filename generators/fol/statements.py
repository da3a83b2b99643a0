"""What a FOL item's English says, written again from its formulas.

`readings(formula, words)` is the set of sentences the family writes for a formula: a
second implementation of the constructions (constructions.py), from formula to English,
which the re-check uses to test that every gold formula is what its prompt sentence
states. The constructions' sentences do not overlap, so a sentence names its formula
(up to the readings of one formula: 'All A are B' and 'Only B are A' state the same one).
"""

from __future__ import annotations

from dataclasses import dataclass

from generators.fol.lexicon import ADJECTIVES, NOUNS, RELATIONS, Binary, Lexicon, Unary
from generators.vocab import PEOPLE
from solvers.fol import BinOp, Const, Eq, Formula, Not, Pred, Quant, Var


class _T:
    """Value patterns (a dotted name matches by equality): the terms x and y alone."""

    x = (Var("x"),)
    y = (Var("y"),)
    xy = (Var("x"), Var("y"))


_BASE = dict(RELATIONS)  # 3rd person -> base form
_NAMES = {p.lower(): p for p in PEOPLE}


@dataclass(frozen=True)
class Words:
    """An item's vocabulary: unary and binary words by predicate name, display names by
    constant."""

    unary: dict[str, Unary]
    binary: dict[str, Binary]
    names: dict[str, str]

    def lexicon(self) -> Lexicon:
        """The family's Lexicon of these words (same order)."""
        return Lexicon(
            tuple(self.unary.values()), tuple(self.binary.values()), tuple(self.names.values())
        )


def words_of(symbols: dict) -> Words:
    """The words of meta.symbols ({'predicates': ['Student/1', …], 'constants': [...]});
    ValueError on a symbol the family's word lists do not have."""
    unary, binary = {}, {}
    for symbol in symbols["predicates"]:
        name, _, arity = symbol.partition("/")
        word = name.lower()
        if arity == "1" and name == word.capitalize() and word in NOUNS + ADJECTIVES:
            unary[name] = Unary(name, word in NOUNS, word)
        elif arity == "2" and name == word.capitalize() and word in _BASE:
            binary[name] = Binary(name, word, _BASE[word])
        else:
            raise ValueError(f"meta.symbols: {symbol!r} is not a word of the family")
    unknown = [c for c in symbols["constants"] if c not in _NAMES]
    if unknown:
        raise ValueError(f"meta.symbols: constant {unknown[0]!r} is not a person's name")
    return Words(unary, binary, {c: _NAMES[c] for c in symbols["constants"]})


def readings(f: Formula, words: Words) -> set[str]:
    """Every sentence (with its final period) that the family writes for `f`; empty when
    it writes none. Cost: linear in the size of f."""
    found = {f"{t}." for t in _ground(f, words)} | _quantified(f, words)
    match f:
        case BinOp("and", Not(Pred(a, (Const(c),))), Not(Pred(b, (Const(c2),)))) if c == c2:
            A, B, name = _unary(a, words), _unary(b, words), words.names.get(c)
            if A and B and name:
                found.add(f"{name} is neither {A.is_()} nor {B.is_()}.")
        case BinOp("implies", Not(Pred(b, (Const(c),))), Pred(a, (Const(c2),))) if c == c2:
            A, B, name = _unary(a, words), _unary(b, words), words.names.get(c)
            if A and B and name:
                found.add(f"{name} is {A.is_()} unless {name} is {B.is_()}.")
    return found


def _unary(name: str, words: Words) -> Unary | None:
    return words.unary.get(name)


def _fact(f: Formula, words: Words) -> str | None:
    """'Alan is (not) young', 'Alan likes Bob', 'Alan does not like Bob', or None."""
    negated = type(f) is Not
    atom = f.body if negated else f
    if type(atom) is not Pred or not all(type(t) is Const for t in atom.args):
        return None
    names = [words.names.get(t.name) for t in atom.args]
    if None in names:
        return None
    if len(names) == 1 and atom.name in words.unary:
        return f"{names[0]} is {'not ' if negated else ''}{words.unary[atom.name].is_()}"
    if len(names) == 2 and atom.name in words.binary:
        rel = words.binary[atom.name]
        verb = f"does not {rel.base}" if negated else rel.third
        return f"{names[0]} {verb} {names[1]}"
    return None


_JOIN = {
    "implies": "If {a}, then {b}",
    "and": "{a}, and {b}",
    "or": "{a}, or {b}",
    "xor": "Either {a}, or {b}, but not both",
    "iff": "{a} if and only if {b}",
}


def _ground(f: Formula, words: Words) -> set[str]:
    """The compound sentences (no final period) for a ground formula: a fact, or a fact
    joined to a compound, which is put in parentheses when it is itself compound."""
    fact = _fact(f, words)
    if fact is not None:
        return {fact}
    if type(f) is not BinOp or f.op not in _JOIN:
        return set()
    first = _fact(f.left, words)
    if first is None:
        return set()
    rest = _ground(f.right, words)
    if type(f.right) is BinOp:
        rest = {f"({_lower(t)})" for t in rest}
    return {_JOIN[f.op].format(a=first, b=t) for t in rest}


def _lower(text: str) -> str:
    return text[0].lower() + text[1:] if text.startswith(("If ", "Either ")) else text


def _quantified(f: Formula, w: Words) -> set[str]:
    """The sentences of the quantified constructions."""
    match f:
        case Quant("forall", "x", BinOp("implies", left, right)):
            return _every(left, right, w)
        case Quant("exists", "x", BinOp("and", Pred(a, _T.x), right)) if a in w.unary:
            return _some(w.unary[a], right, w)
        case BinOp("and", Quant("forall", "x", BinOp("implies", BinOp("and", a, b), c)), d):
            return _all_except(a, b, c, d, w)
    return set()


def _every(left: Formula, right: Formula, w: Words) -> set[str]:
    """The sentences for ∀x (left → right)."""
    u, rel = w.unary, w.binary
    match left, right:
        case Pred(a, _T.x), Pred(b, _T.x) if {a, b} <= u.keys():
            return {
                f"All {u[a].people()} are {u[b].are()}.",
                f"Only {u[b].people()} are {u[a].are()}.",
            }
        case Pred(a, _T.x), Not(Pred(b, _T.x)) if {a, b} <= u.keys():
            return {f"No {u[a].people()} are {u[b].are()}."}
        case BinOp("and", Pred(a, _T.x), Pred(b, _T.x)), Pred(c, _T.x) if {a, b, c} <= u.keys():
            return {f"All {u[a].people()} who are {u[b].are()} are {u[c].are()}."}
        case Pred(a, _T.x), BinOp("xor", Pred(b, _T.x), Pred(c, _T.x)) if {a, b, c} <= u.keys():
            return {f"Every {u[a].one()} is either {u[b].is_()} or {u[c].is_()}, but not both."}
        case Pred(a, _T.x), BinOp("iff", Pred(b, _T.x), Pred(c, _T.x)) if {a, b, c} <= u.keys():
            return {f"Every {u[a].one()} is {u[b].is_()} if and only if they are {u[c].is_()}."}
        case Pred(r, (Var("x"), Const(c))), Pred(a, _T.x) if r in rel and c in w.names and a in u:
            return {f"Everyone who {rel[r].third} {w.names[c]} is {u[a].is_()}."}
        case Pred(a, _T.x), Quant("exists", "y", BinOp("and", Pred(b, _T.y), Pred(r, _T.xy))) if {
            a,
            b,
        } <= u.keys() and r in rel:
            return {f"Every {u[a].one()} {rel[r].third} some {u[b].one()}."}
    return set()


def _some(first: Unary, right: Formula, w: Words) -> set[str]:
    """The sentences for ∃x (first(x) ∧ right)."""
    u, rel = w.unary, w.binary
    match right:
        case Pred(b, _T.x) if b in u:
            return {f"Some {first.people()} are {u[b].are()}."}
        case Quant("forall", "y", BinOp("implies", Pred(b, _T.y), Pred(r, _T.xy))) if (
            b in u and r in rel
        ):
            return {f"Some {first.one()} {rel[r].third} every {u[b].one()}."}
    return set()


def _all_except(a: Formula, b: Formula, c: Formula, d: Formula, w: Words) -> set[str]:
    """The sentence for (∀x ((a ∧ b) → c)) ∧ d when it reads 'All A except n are B':
    a = A(x), b = ¬(x = n), c = B(x), d = A(n) ∧ ¬B(n)."""
    u = w.unary
    match a, b, c, d:
        case (
            Pred(p, _T.x),
            Not(Eq(Var("x"), Const(n))),
            Pred(q, _T.x),
            BinOp("and", Pred(p2, (Const(n2),)), Not(Pred(q2, (Const(n3),)))),
        ) if (p, q, n, n) == (p2, q2, n2, n3) and {p, q} <= u.keys() and n in w.names:
            return {f"All {u[p].people()} except {w.names[n]} are {u[q].are()}."}
    return set()
