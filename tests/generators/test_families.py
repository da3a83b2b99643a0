"""Rules every registered family must keep, checked the same way for all of them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from reasoning.core import ConfigError, knob_table

FAMILIES = reasoning.family_names()


@pytest.mark.parametrize("name", FAMILIES)
def test_oracle_answer_verifies_and_labels_recheck(name):
    fam = reasoning.get_family(name)
    for item in reasoning.generate(name, 6, 3):
        assert item.family == name
        assert reasoning.recheck(item) == [], item.id
        verdict = reasoning.verify(item, fam.oracle(item))
        assert verdict.correct and verdict.score == 1.0, (item.id, verdict.feedback)
        assert set(item.hardness) == {k.name for k in knob_table(fam.config)}


@pytest.mark.parametrize("name", FAMILIES)
def test_shared_context_recheck_gives_the_item_by_item_answers(name):
    """iter_recheck (one checking context for many items) == recheck item by item, also on
    items whose label was flipped (every flip must be caught)."""
    from dataclasses import replace

    from reasoning.api import iter_recheck

    fam = reasoning.get_family(name)
    items = reasoning.generate(name, 6, 11)
    flipped = []
    if fam.labels:
        other = {lab: next(x for x in fam.labels if x != lab) for lab in fam.labels}
        flipped = [replace(it, answer=other[it.answer]) for it in items
                   if isinstance(it.answer, str) and it.answer in other]  # fmt: skip
    together = list(iter_recheck(items + flipped))
    assert together == [reasoning.recheck(it) for it in items + flipped]
    assert not any(together[: len(items)]) and all(together[len(items) :])


@pytest.mark.parametrize("name", FAMILIES)
@given(seed=st.integers(0, 2**31))
@settings(max_examples=5)
def test_same_seed_same_bytes_and_prefix_independence(name, seed):
    a = reasoning.generate(name, 2, seed)
    b = reasoning.generate(name, 3, seed)
    assert a == b[:2]
    assert len({i.id for i in b}) == 3


@pytest.mark.parametrize("name", FAMILIES)
def test_unknown_knob_lists_the_known_ones(name):
    with pytest.raises(ConfigError, match="known knobs"):
        reasoning.generate(name, 1, 0, no_such_knob=1)


@pytest.mark.parametrize("name", FAMILIES)
@given(text=st.text(max_size=300))
@settings(max_examples=60)
def test_any_text_gets_a_verdict_not_an_exception(name, text):
    item = reasoning.generate(name, 1, 0)[0]
    verdict = reasoning.verify(item, text)
    assert 0.0 <= verdict.score <= 1.0 and isinstance(verdict.feedback, str)
