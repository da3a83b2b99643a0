from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from generators.kgqa import follow_path
from kg import load_kg
from tests.conftest import shared


@pytest.fixture(autouse=True, scope="module")
def _data():
    shared("kg", "umls")


@given(st.integers(0, 2**31), st.integers(1, 3), st.integers(1, 3))
@settings(max_examples=25)
def test_answers_are_exactly_what_the_paths_reach(seed, hops, topics):
    kg = load_kg("umls")
    for item in reasoning.generate("kgqa", 2, seed, hops=hops, topic_entities=topics):
        reached = [
            follow_path(kg, t, tuple(p))
            for t, p in zip(item.meta["topic_entities"], item.meta["relation_paths"], strict=True)
        ]
        gold = set.intersection(*reached) - set(item.meta["topic_entities"])
        assert sorted(gold) == item.meta["answer_ids"]
        assert 1 <= len(gold) <= 10
        assert all(len(p) == hops for p in item.meta["relation_paths"])
        assert len(set(item.meta["topic_entities"])) == topics
        assert sorted(kg.name(a) for a in gold) == item.answer
        assert reasoning.recheck(item) == []


def test_scoring_hits_at_1_and_f1():
    item = reasoning.generate("kgqa", 1, 3, hops=1, max_answers=10)[0]
    gold = item.answer
    full = reasoning.verify(item, "Answer: " + "; ".join(reversed(gold)))
    assert full.correct and full.score == 1.0
    wrong_first = reasoning.verify(item, f"Answer: nothing real; {gold[0]}")
    assert not wrong_first.correct
    p, r = 1 / 2, 1 / len(gold)
    assert wrong_first.score == pytest.approx(2 * p * r / (p + r))


def test_cited_facts_are_checked_in_the_graph():
    item = reasoning.generate("kgqa", 1, 4, hops=1)[0]
    kg = load_kg("umls")
    h, r, t = item.meta["formal"]["text"].splitlines()[0].split("\t")
    real = f"({kg.name(h)}, {kg.text(r)}, {kg.name(t)})"
    ok = reasoning.verify(item, f"{real}\nAnswer: {item.answer[0]}")
    assert "not in the graph" not in ok.feedback
    fake = f"({kg.name(t)}, {kg.text(r)}, {kg.name(t)})"
    bad = reasoning.verify(item, f"{fake}\nAnswer: {item.answer[0]}")
    assert bad.correct and f"cited fact not in the graph: {fake}" in bad.feedback
