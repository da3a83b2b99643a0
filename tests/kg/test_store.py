from __future__ import annotations

import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import INVERSE, KnowledgeGraph, load_kg
from reasoning.core import DataError
from tests.conftest import shared


@st.composite
def graphs(draw):
    n = draw(st.integers(2, 9))
    rels = ["r", "s", "t"]
    triples = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(rels),
                                      st.integers(0, n - 1)), min_size=1, max_size=25))  # fmt: skip
    return KnowledgeGraph().add_all((f"e{h}", r, f"e{t}") for h, r, t in triples if h != t), n


def _relation_paths_brute(kg: KnowledgeGraph, s: str, t: str, k: int) -> set:
    """All simple relation paths by plain depth-first search over every edge."""
    out = set()

    def go(v, nodes, rels):
        if v == t and rels:
            out.add((tuple(nodes), tuple(rels)))
            return
        if len(rels) == k:
            return
        for label, u in kg.neighbours(v):
            if u not in nodes:
                go(u, [*nodes, u], [*rels, label])

    go(s, [s], [])
    return out


@given(graphs(), st.integers(1, 4), st.data())
@settings(max_examples=150)
def test_paths_equal_brute_force_and_networkx(case, k, data):
    kg, n = case
    nodes = kg.entities
    if len(nodes) < 2:
        return
    s = data.draw(st.sampled_from(nodes))
    t = data.draw(st.sampled_from([v for v in nodes if v != s]))
    ours = {(p.nodes, p.relations) for p in kg.paths(s, t, k)}
    assert ours == _relation_paths_brute(kg, s, t, k)
    reference = {tuple(p) for p in nx.all_simple_paths(kg.collapsed(), s, t, cutoff=k)}
    assert {nodes for nodes, _ in ours} == reference
    for nodes_, rels in ours:  # every step is a real edge, in the stated direction
        for a, label, b in zip(nodes_, rels, nodes_[1:], strict=False):
            if label.endswith(INVERSE):
                assert kg.has_edge(b, label[: -len(INVERSE)], a)
            else:
                assert kg.has_edge(a, label, b)


def test_hubs_end_paths_but_are_not_passed_through():
    kg = KnowledgeGraph(max_degree=2).add_all(
        [("a", "r", "hub"), ("hub", "r", "b"), ("hub", "r", "c"), ("a", "s", "d"), ("d", "s", "b")]
    )
    assert {p.nodes for p in kg.paths("a", "b", 3)} == {("a", "d", "b")}
    assert {p.nodes for p in kg.paths("a", "hub", 1)} == {("a", "hub")}


def test_blacklist_and_tsv_errors(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("a\tr\tb\nb\tbad\tc\n")
    kg = KnowledgeGraph.from_tsv(path, blacklist=frozenset({"bad"}))
    assert kg.follow("a", "r") == {"b"} and kg.follow("b", "bad") == set()
    path.write_text("a\tr\n")
    with pytest.raises(DataError, match="g.tsv:1: expected head<TAB>relation<TAB>tail"):
        KnowledgeGraph.from_tsv(path)
    with pytest.raises(
        DataError, match="none of synthetic, mini, umls, fb15k237 and not a TSV file"
    ):
        load_kg(str(tmp_path / "missing.tsv"))


def test_reference_graphs_load_with_names():
    shared("kg", "umls")
    umls = load_kg("umls")
    assert len(umls.entities) == 135 and umls.name("idea_or_concept") == "idea or concept"
    shared("kg", "fb15k-237")
    fb = load_kg("fb15k237")
    assert fb.graph.number_of_edges() == 272115  # the train split, no duplicate triples
    rng = random.Random(0)
    for s in rng.sample(fb.entities, 5):
        for p in list(fb.paths(s, rng.choice(fb.entities), 2))[:5]:
            assert p.nodes[0] == s and len(p.relations) <= 2


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"", "no head<TAB>relation<TAB>tail triples"), (b"\n \n", "no head"),
     (b"a\tr\t\xff\xfe\n", "not UTF-8")],
)  # fmt: skip
def test_empty_or_undecodable_tsv_is_one_line_naming_the_file(tmp_path, content, why):
    path = tmp_path / "bad graph.tsv"
    path.write_bytes(content)
    for load in (KnowledgeGraph.from_tsv, lambda p: load_kg(str(p))):
        with pytest.raises(DataError, match=why) as caught:
            load(path)
        assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_a_rewritten_tsv_is_read_again(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("a\tr\tb\n")
    assert load_kg(str(path)).has_edge("a", "r", "b")
    path.write_text("a\tr\tc\n")
    assert load_kg(str(path)).has_edge("a", "r", "c")
