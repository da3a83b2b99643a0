from __future__ import annotations

from dataclasses import replace

import pytest

import reasoning
from generators.kgqa import follow_path
from kg import load_kg
from kg.explorer import PathExplorer, explore_instance, match_topics
from kg.scorers import LexicalScorer
from tests.conftest import shared


class Poison:
    """A gold value that fails the test the moment anything reads it."""

    def _boom(self, *args, **kwargs):
        raise AssertionError("gold data reached the explorer")

    __eq__ = __hash__ = __iter__ = __len__ = __str__ = __repr__ = __getitem__ = _boom
    __contains__ = __bool__ = __lt__ = __getattr__ = _boom


@pytest.fixture(scope="module")
def setup():
    shared("kg", "umls")
    kg = load_kg("umls")
    items = reasoning.generate("kgqa", 6, 0, kg="umls", hops=2, topic_entities=2)
    return kg, PathExplorer(kg, LexicalScorer()), items


def test_no_gold_field_reaches_the_explorer(setup):
    _, explorer, items = setup
    for item in items:
        meta = dict(item.meta)
        meta.update(answer_ids=Poison(), formal=Poison(), relation_paths=Poison())
        poisoned = replace(item, answer=Poison(), meta=meta)
        clean = explore_instance(explorer, item)
        blind = explore_instance(explorer, poisoned)
        assert blind.answers == clean.answers


def test_kept_paths_are_real_and_steps_shrink(setup):
    kg, explorer, items = setup
    for item in items:
        result = explore_instance(explorer, item)
        for c in result.kept:
            # the topic itself is never an answer, so the explorer drops it from reached sets
            assert set(c.reached) == follow_path(kg, c.topic, c.relations) - {c.topic}
        steps = result.after_step
        assert steps["fuzzy"] <= 80 and steps["branch"] <= 20 and steps["precise"] <= 3
        assert result.counter.calls >= 1 and result.counter.by_kind["bm25"] == result.counter.calls
        topics = set(item.meta["topic_entities"])
        assert not topics & set(result.answers)


def test_topics_are_matched_by_name(setup):
    kg, _, items = setup
    for item in items:
        found = match_topics(kg, item.meta["question"])
        assert set(item.meta["topic_entities"]) <= set(found)
