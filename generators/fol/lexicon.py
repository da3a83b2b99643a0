"""Words for the FOL family: each unary word knows its predicate name and English forms."""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.vocab import PEOPLE

NOUNS = (
    "student", "teacher", "musician", "doctor", "painter", "athlete", "farmer", "poet",
    "lawyer", "chef", "pilot", "dancer", "singer", "writer", "nurse", "engineer",
)  # fmt: skip
ADJECTIVES = (
    "young", "tall", "kind", "rich", "brave", "calm", "quiet", "clever", "honest", "busy",
    "happy", "polite", "strong", "shy", "wise", "lucky",
)  # fmt: skip
RELATIONS = (  # (3rd person, base form)
    ("likes", "like"), ("knows", "know"), ("admires", "admire"), ("helps", "help"),
    ("trusts", "trust"), ("follows", "follow"), ("visits", "visit"), ("teaches", "teach"),
)  # fmt: skip


@dataclass(frozen=True)
class Unary:
    pred: str  # predicate name, e.g. "Student"
    noun: bool
    word: str

    def is_(self) -> str:
        """'a student' / 'young' (after 'is')."""
        return f"{'an' if self.word[0] in 'aeiou' else 'a'} {self.word}" if self.noun else self.word

    def are(self) -> str:
        """'students' / 'young' (after 'are')."""
        return f"{self.word}s" if self.noun else self.word

    def people(self) -> str:
        """'students' / 'young people' (a plural noun phrase)."""
        return f"{self.word}s" if self.noun else f"{self.word} people"

    def one(self) -> str:
        """'student' / 'young person' (after 'every')."""
        return self.word if self.noun else f"{self.word} person"

    def gloss(self) -> str:
        return f"{self.pred}(x): x is {self.is_()}"


@dataclass(frozen=True)
class Binary:
    pred: str
    third: str
    base: str

    def gloss(self) -> str:
        return f"{self.pred}(x, y): x {self.third} y"


@dataclass(frozen=True)
class Lexicon:
    unary: tuple[Unary, ...]
    binary: tuple[Binary, ...]
    people: tuple[str, ...]  # display names; constants are their lowercase forms

    def symbols(self) -> dict[str, list[str]]:
        """{'predicates': ['Student/1', …], 'constants': ['alan', …]} for meta.symbols."""
        preds = [f"{w.pred}/1" for w in self.unary] + [f"{r.pred}/2" for r in self.binary]
        return {"predicates": preds, "constants": [p.lower() for p in self.people]}

    def gloss(self) -> str:
        """The vocabulary block of a prompt: every predicate with its reading, every constant."""
        lines = [w.gloss() for w in self.unary] + [r.gloss() for r in self.binary]
        lines.append("Constants: " + ", ".join(f"{p.lower()} ({p})" for p in self.people))
        return "\n".join(lines)


def make_lexicon(rng: random.Random, predicates: int, people: int, relations: int) -> Lexicon:
    """A random vocabulary: `predicates` unary words (nouns and adjectives mixed)."""
    n_nouns = rng.randint(max(1, predicates - len(ADJECTIVES)), min(len(NOUNS), predicates))
    nouns = [Unary(w.capitalize(), True, w) for w in rng.sample(NOUNS, n_nouns)]
    adjs = [Unary(w.capitalize(), False, w) for w in rng.sample(ADJECTIVES, predicates - n_nouns)]
    unary = nouns + adjs
    rng.shuffle(unary)
    binary = [Binary(t.capitalize(), t, b) for t, b in rng.sample(RELATIONS, relations)]
    return Lexicon(tuple(unary), tuple(binary), tuple(rng.sample(PEOPLE, people)))
