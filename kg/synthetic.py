"""A fictional knowledge graph built from a seed: people, organisations and places with
names made of syllables, so a model cannot answer its questions from memorised facts.

Relations and what they mean (every fact is stored as a head -> tail edge):

- places: `located_in` city -> region and region -> country (a tree, so the transitive
  reading is consistent: a place lies in exactly one region and one country),
  `capital_of` city -> country (one per country, a city of that country);
- organisations: `headquartered_in` organisation -> city;
- people: `born_in` person -> city, `lives_in` person -> city (spouses live in the same
  city; a child is born where its parents lived), `works_for` person -> organisation;
- family: `parent_of` parent -> child and `child_of` child -> parent (exact inverses),
  `married_to` (symmetric: both directions stored, never between relatives by blood in
  this graph), `sibling_of` (symmetric: children of the same couple).

Generations are made in order, so nobody is their own ancestor, and every person has at
most two parents (a married couple). `build(seed, people)` is deterministic: the same
seed and size give the same triples on every machine and Python version.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

RELATIONS = (
    "located_in",
    "capital_of",
    "headquartered_in",
    "born_in",
    "lives_in",
    "works_for",
    "parent_of",
    "child_of",
    "married_to",
    "sibling_of",
)
_ONSETS = "b br c d dr f g gr h j k kl l m n p pr r s st t th tr v w z".split()
_VOWELS = "a e i o u ae ia io ou y".split()
_CODAS = ["", "", "", "l", "n", "r", "s", "th", "m", "x"]
_ORG_KINDS = ("Works", "Institute", "Bank", "Hospital", "Press", "Labs", "Foundry", "Trust")
_COUNTRY_FORMS = ("{} Republic", "Kingdom of {}", "{}", "Federation of {}")
GENERATIONS = 3
DEFAULT_PEOPLE = 300


@dataclass
class _Builder:
    rng: random.Random
    taken: set[str] = field(default_factory=set)
    triples: list[tuple[str, str, str]] = field(default_factory=list)

    def word(self, syllables: int) -> str:
        parts = [
            self.rng.choice(_ONSETS) + self.rng.choice(_VOWELS) + self.rng.choice(_CODAS)
            for _ in range(syllables)
        ]
        return "".join(parts).capitalize()

    def unique(self, make) -> str:
        """A name from `make()` that no other entity has."""
        while True:
            name = make()
            if name not in self.taken:
                self.taken.add(name)
                return name

    def fact(self, head: str, relation: str, tail: str) -> None:
        self.triples.append((head, relation, tail))

    def both(self, a: str, relation: str, b: str) -> None:
        """A symmetric relation: stored in both directions."""
        self.fact(a, relation, b)
        self.fact(b, relation, a)


def _places(b: _Builder, people: int) -> list[str]:
    """Countries, regions and cities; returns the cities."""
    cities = []
    for _ in range(max(2, people // 100)):
        country = b.unique(lambda: b.rng.choice(_COUNTRY_FORMS).format(b.word(2)))
        country_cities = []
        for _ in range(b.rng.randint(2, 3)):
            region = b.unique(lambda: b.word(2) + " " + b.rng.choice(("Province", "Valley")))
            b.fact(region, "located_in", country)
            for _ in range(b.rng.randint(2, 3)):
                city = b.unique(lambda: b.word(b.rng.randint(2, 3)))
                b.fact(city, "located_in", region)
                country_cities.append(city)
        b.fact(b.rng.choice(country_cities), "capital_of", country)
        cities += country_cities
    return cities


def _organisations(b: _Builder, people: int, cities: list[str]) -> list[str]:
    orgs = []
    for _ in range(max(3, people // 15)):
        org = b.unique(lambda: b.word(2) + " " + b.rng.choice(_ORG_KINDS))
        b.fact(org, "headquartered_in", b.rng.choice(cities))
        orgs.append(org)
    return orgs


@dataclass
class _Person:
    name: str
    family: str
    city: str


def _person(b: _Builder, family: str, city: str) -> _Person:
    name = b.unique(lambda: f"{b.word(b.rng.randint(1, 2))} {family}")
    return _Person(name, family, city)


def _people(b: _Builder, people: int, cities: list[str], orgs: list[str]) -> None:
    """Generation 0 couples, then children and their marriages, generation by generation,
    until `people` persons exist."""
    everyone: list[_Person] = []

    def newcomer(city: str) -> _Person:
        person = _person(b, b.unique(lambda: b.word(b.rng.randint(2, 3))), city)
        b.fact(person.name, "born_in", b.rng.choice(cities))
        everyone.append(person)
        return person

    def marry(a: _Person, other: _Person) -> tuple[_Person, _Person]:
        other.city = a.city
        b.both(a.name, "married_to", other.name)
        return a, other

    founders = max(2, people // 6)
    couples = [marry(newcomer(b.rng.choice(cities)), newcomer(cities[0])) for _ in range(founders)]
    for _ in range(1, GENERATIONS):
        children: list[_Person] = []
        for first, second in couples:
            brood = []
            for _ in range(b.rng.randint(0, 3)):
                if len(everyone) >= people:
                    break
                child = _person(b, first.family, first.city)
                everyone.append(child)
                b.fact(child.name, "born_in", first.city)
                for parent in (first, second):
                    b.fact(parent.name, "parent_of", child.name)
                    b.fact(child.name, "child_of", parent.name)
                for sibling in brood:
                    b.both(sibling.name, "sibling_of", child.name)
                brood.append(child)
            children += brood
        couples = []
        for child in children:
            if b.rng.random() < 0.6 and len(everyone) < people:
                couples.append(marry(child, newcomer(child.city)))
    while len(everyone) < people:  # single newcomers fill the graph up to its size
        newcomer(b.rng.choice(cities))
    for person in everyone:
        b.fact(person.name, "lives_in", person.city)
        if b.rng.random() < 0.8:
            b.fact(person.name, "works_for", b.rng.choice(orgs))


def build(seed: int, people: int) -> list[tuple[str, str, str]]:
    """The triples of the synthetic graph for (seed, people), sorted. Cost: O(people)."""
    b = _Builder(random.Random(f"reasoning-suite synthetic kg {seed} {people}"))
    cities = _places(b, people)
    orgs = _organisations(b, people, cities)
    _people(b, people, cities, orgs)
    return sorted(set(b.triples))


def to_tsv(triples: list[tuple[str, str, str]]) -> str:
    """head<TAB>relation<TAB>tail lines, the format `KnowledgeGraph.from_tsv` reads."""
    return "".join(f"{h}\t{r}\t{t}\n" for h, r, t in triples)
