"""English for LogicAsker formulas: several templates per connective and quantifier, and a
grammar that reads the text back into the formula (so rendering never changes meaning)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from lark import Lark, Transformer
from lark.exceptions import LarkError

from solvers.fol import BinOp, Const, Formula, Not, Pred, Quant, Var

TEMPLATES = {
    "not": ("it is not the case that {a}", "it is false that {a}"),
    "and": ("{a} and {b}", "both {a} and {b}"),
    "or": ("{a} or {b}", "at least one of {a} or {b} holds"),
    "xor": ("either {a} or {b}, but not both",),
    "implies": ("if {a}, then {b}", "{b} whenever {a}", "{a} only if {b}"),
    "iff": ("{a} if and only if {b}", "{a} exactly when {b}"),
    "forall": ("for every person {v}, {a}", "for all people {v}, {a}"),
    "exists": ("for some person {v}, {a}", "there is a person {v} such that {a}"),
}


@dataclass(frozen=True)
class Vocabulary:
    """Surface words: predicate -> phrase after 'is' ('a doctor', 'tall'); constant ->
    display name; 0-ary atom -> (constant, predicate) it stands for."""

    phrases: dict[str, str]
    names: dict[str, str]
    props: dict[str, tuple[str, str]]

    def fact(self, pred: str, subject: str, negated: bool) -> str:
        return f"{subject} is {'not ' if negated else ''}{self.phrases[pred]}"

    def to_meta(self) -> dict[str, list[str]]:
        """As stored in meta.vocabulary: sorted 'key|value' strings (`from_meta` reads them)."""
        return {
            "phrases": [f"{k}|{v}" for k, v in sorted(self.phrases.items())],
            "names": [f"{k}|{v}" for k, v in sorted(self.names.items())],
            "props": [f"{k}|{c}|{p}" for k, (c, p) in sorted(self.props.items())],
        }

    @classmethod
    def from_meta(cls, v: dict[str, list[str]]) -> Vocabulary:
        phrases = dict(x.split("|", 1) for x in v["phrases"])
        names = dict(x.split("|", 1) for x in v["names"])
        props = {k: (c, p) for k, c, p in (x.split("|") for x in v["props"])}
        return cls(phrases, names, props)


def _subject(term, vocab: Vocabulary) -> str:
    return term.name if isinstance(term, Var) else vocab.names[term.name]


def _atom(f: Pred, vocab: Vocabulary, negated: bool) -> str:
    if not f.args:
        const, pred = vocab.props[f.name]
        return vocab.fact(pred, vocab.names[const], negated)
    return vocab.fact(f.name, _subject(f.args[0], vocab), negated)


def _is_literal(f: Formula) -> bool:
    return type(f) is Pred or (type(f) is Not and type(f.body) is Pred)


def render(f: Formula, rng: random.Random, vocab: Vocabulary) -> str:
    """One English sentence (no final period) for f; templates drawn from rng."""
    kind = type(f)  # exact types: the formula dataclasses are never subclassed
    if kind is BinOp:
        a, b = _operand(f.left, rng, vocab), _operand(f.right, rng, vocab)
        return rng.choice(TEMPLATES[f.op]).format(a=a, b=b)
    if kind is Pred:
        return _atom(f, vocab, False)
    if kind is Not:
        if type(f.body) is Pred and rng.random() < 0.5:
            return _atom(f.body, vocab, True)
        return rng.choice(TEMPLATES["not"]).format(a=_operand(f.body, rng, vocab))
    assert kind is Quant
    return rng.choice(TEMPLATES[f.kind]).format(v=f.var, a=render(f.body, rng, vocab))


def _operand(f: Formula, rng: random.Random, vocab: Vocabulary) -> str:
    text = render(f, rng, vocab)
    return text if _is_literal(f) and not text.startswith("it is") else f"({text})"


def sentence(f: Formula, rng: random.Random, vocab: Vocabulary) -> str:
    text = render(f, rng, vocab)
    i = 1 if text.startswith("(") else 0
    return text[:i] + text[i].upper() + text[i + 1 :] + "."


# ---------------------------------------------------------------- parsing back
class EnglishParseError(ValueError):
    pass


@lru_cache(maxsize=2)
def _parser(kind: str = "lalr") -> Lark:
    """The skeleton grammar's parser: LALR (the grammar is unambiguous: every operand is an
    atom or parenthesised); `kind="earley"` is the general parser, for comparison."""
    text = resources.files("generators.logicasker").joinpath("english.lark").read_text()
    return Lark(text, parser=kind)


class _Build(Transformer):
    def __init__(self, atoms: list[Formula]) -> None:
        super().__init__()
        self.atoms = atoms

    def ATOM(self, token):
        return self.atoms[int(str(token)[1:-1])]

    def forall(self, items):
        return Quant("forall", str(items[0]), items[1])

    def exists(self, items):
        return Quant("exists", str(items[0]), items[1])

    def implies(self, items):
        return BinOp("implies", items[0], items[1])

    def rimplies(self, items):
        return BinOp("implies", items[1], items[0])

    def iff(self, items):
        return BinOp("iff", items[0], items[1])

    def and_(self, items):
        return BinOp("and", items[0], items[1])

    def or_(self, items):
        return BinOp("or", items[0], items[1])

    def xor(self, items):
        return BinOp("xor", items[0], items[1])

    def not_(self, items):
        return Not(items[0])


_ANY_FACT = re.compile(r"\b([A-Z][a-z]+|x|y|z) is (not )?((?:an? )?[a-z]+)\b")
_PLAIN_NAME = re.compile(r"[A-Z][a-z]+")
_PLAIN_PHRASE = re.compile(r"(?:an? )?[a-z]+")


def parse_sentence(
    text: str, vocab: Vocabulary, skeletons: dict | None = None, *, generic: bool = True
) -> Formula:
    """The formula an English sentence states (inverse of `sentence`).

    Facts ('Alan is not tall') are read by the vocabulary and replaced by numbered slots;
    the grammar parses what is left, the skeleton. `skeletons` keeps those parses across
    calls (a skeleton's parse does not depend on which facts fill its slots).

    Facts are found by one precompiled pattern when every name and phrase of the
    vocabulary has the plain form ('Alan', 'a doctor', 'tall'), matches outside the
    vocabulary being left as text; `generic=False` (or any other vocabulary) compiles a
    pattern of exactly the vocabulary's words (the reference path; ~0.5 ms per compile)."""
    by_fact = {}
    for atom, (const, pred) in vocab.props.items():
        by_fact[(vocab.names[const], pred)] = Pred(atom, ())
    pred_of = {p: name for name, p in vocab.phrases.items()}
    name_to_const = {v: k for k, v in vocab.names.items()}
    plain = all(map(_PLAIN_NAME.fullmatch, vocab.names.values())) and all(
        map(_PLAIN_PHRASE.fullmatch, vocab.phrases.values())
    )
    pattern = _ANY_FACT if generic and plain else _vocabulary_pattern(vocab)
    atoms: list[Formula] = []

    def replace(m: re.Match) -> str:
        subject, neg, phrase = m.group(1), m.group(2), m.group(3)
        pred = pred_of.get(phrase)
        variable = subject in ("x", "y", "z")
        if pred is None or not (variable or subject in name_to_const):
            return m.group(0)  # not a fact of this vocabulary: left for the grammar to reject
        if (subject, pred) in by_fact:
            atom: Formula = by_fact[(subject, pred)]
        else:
            term = Var(subject) if variable else Const(name_to_const[subject])
            atom = Pred(pred, (term,))
        atoms.append(Not(atom) if neg else atom)
        return f"⟦{len(atoms) - 1}⟧"

    body = pattern.sub(replace, text.strip().rstrip("."))
    i = 1 if body.startswith("(") else 0  # the first word is always a template keyword
    body = body[:i] + body[i : i + 1].lower() + body[i + 1 :]
    skeletons = {} if skeletons is None else skeletons
    if body not in skeletons:  # (parse tree, None) or (None, the grammar's complaint)
        try:
            skeletons[body] = (_parser().parse(body), None)
        except LarkError as exc:
            skeletons[body] = (None, str(exc).splitlines()[0])
    tree, error = skeletons[body]
    if error is not None:
        raise EnglishParseError(f"cannot read {text!r}: {error}")
    return _Build(atoms).transform(tree)


def _vocabulary_pattern(vocab: Vocabulary) -> re.Pattern:
    subjects = sorted({*vocab.names.values(), "x", "y", "z"}, key=len, reverse=True)
    phrases = sorted(vocab.phrases.values(), key=len, reverse=True)
    return re.compile(
        rf"\b({'|'.join(map(re.escape, subjects))}) is (not )?"
        rf"({'|'.join(map(re.escape, phrases))})\b"
    )
