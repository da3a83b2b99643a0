"""The fictional graph: deterministic from its seed, and its relations mean what they say."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import KnowledgeGraph, load_kg, synthetic
from kg.sources import MINI

SEEDS = st.integers(0, 2**31 - 1)
SIZES = st.integers(20, 400)


def _by_relation(triples) -> dict[str, set[tuple[str, str]]]:
    out = defaultdict(set)
    for h, r, t in triples:
        out[r].add((h, t))
    return out


@given(SEEDS, SIZES)
@settings(max_examples=30)
def test_same_seed_same_graph_and_the_size_is_the_number_of_people(seed, people):
    triples = synthetic.build(seed, people)
    assert triples == synthetic.build(seed, people)
    rel = _by_relation(triples)
    assert set(rel) <= set(synthetic.RELATIONS)
    persons = {h for h, _ in rel["born_in"]}
    assert len(persons) == people == len({h for h, _ in rel["lives_in"]})
    assert {h for h, _ in rel["born_in"]} == {h for h, _ in rel["lives_in"]}  # one each
    assert len(rel["born_in"]) == len(rel["lives_in"]) == people


@given(SEEDS, SIZES)
@settings(max_examples=30)
def test_family_relations_are_consistent(seed, people):
    rel = _by_relation(synthetic.build(seed, people))
    persons = {h for h, _ in rel["born_in"]}
    assert rel["child_of"] == {(c, p) for p, c in rel["parent_of"]}  # exact inverses
    for name in ("married_to", "sibling_of"):  # symmetric, irreflexive
        assert rel[name] == {(b, a) for a, b in rel[name]}
        assert all(a != b for a, b in rel[name])
    family = nx.DiGraph(rel["parent_of"])
    family.add_nodes_from(persons)
    assert nx.is_directed_acyclic_graph(family)  # nobody is their own ancestor
    assert all(a in persons and b in persons for a, b in rel["parent_of"] | rel["married_to"])
    spouses = defaultdict(set)
    for a, b in rel["married_to"]:
        spouses[a].add(b)
    assert all(len(s) == 1 for s in spouses.values())
    parents = defaultdict(set)
    for p, c in rel["parent_of"]:
        parents[c].add(p)
    for ps in parents.values():
        a, b = sorted(ps)  # two parents, married to each other
        assert spouses[a] == {b}
    lives = dict(rel["lives_in"])
    for a, b in rel["married_to"]:
        assert lives[a] == lives[b]
        assert not (nx.ancestors(family, a) | {a}) & (nx.ancestors(family, b) | {b})
    for a, b in rel["sibling_of"]:
        assert parents[a] == parents[b] and parents[a]


@given(SEEDS, SIZES)
@settings(max_examples=30)
def test_places_form_a_tree_with_one_capital_per_country(seed, people):
    rel = _by_relation(synthetic.build(seed, people))
    located = defaultdict(set)
    for place, area in rel["located_in"]:
        located[place].add(area)
    assert all(len(a) == 1 for a in located.values())  # a place lies in one area
    country_of = {}
    for place, (area,) in located.items():
        up = located.get(area)
        if up is not None:  # a city: area is a region, up its country
            assert next(iter(up)) not in located
            country_of[place] = next(iter(up))
    capitals = defaultdict(list)
    for city, country in rel["capital_of"]:
        assert country_of[city] == country
        capitals[country].append(city)
    countries = {a for areas in located.values() for a in areas if a not in located}
    assert set(capitals) == countries and all(len(c) == 1 for c in capitals.values())
    cities = set(country_of)
    assert {c for _, c in rel["born_in"] | rel["lives_in"]} <= cities
    assert {c for _, c in rel["headquartered_in"]} <= cities
    assert {o for _, o in rel["works_for"]} <= {o for o, _ in rel["headquartered_in"]}


def test_the_shipped_graph_is_small_and_loads():
    assert MINI.stat().st_size < 200_000
    kg = load_kg("mini")
    assert isinstance(kg, KnowledgeGraph) and len(kg.entities) > 100
    assert kg.graph.number_of_edges() == len(MINI.read_text(encoding="utf-8").splitlines())


def test_the_graph_is_built_once_per_seed():
    assert load_kg("synthetic", 5, 60) is load_kg("synthetic", 5, 60)
    assert load_kg("synthetic", 5, 60) is not load_kg("synthetic", 6, 60)
