"""Default calibration items never coincide with evaluation items (the seed ranges)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from reasoning.core import ReasoningError
from reasoning.core.seeds import (
    EVALUATION_SEED_LIMIT,
    calibration_seed,
    check_disjoint,
    purpose,
    training_seed,
)
from reasoning.prune.calibration import DEFAULT_FAMILIES, default_items


@settings(max_examples=10)
@given(st.integers(0, 20), st.integers(0, 20))
def test_default_calibration_shares_no_item_with_an_evaluation_run(prune_seed, eval_seed):
    calibration = {item.id for item in default_items(8, prune_seed)}
    assert len(calibration) == 8
    evaluation = [
        item.id for family in DEFAULT_FAMILIES for item in reasoning.generate(family, 12, eval_seed)
    ]
    check_disjoint(evaluation, calibration, "calibration")  # raises on any shared id
    assert calibration.isdisjoint(evaluation)


def test_the_old_default_did_share_items_and_check_disjoint_says_so():
    same_seed = [item.id for item in reasoning.generate("nlsat", 4, 0)]
    with pytest.raises(ReasoningError, match="also calibration items"):
        check_disjoint(same_seed, same_seed[:2], "calibration")


@given(st.integers(0, 2**40 - 1))
def test_reserved_ranges_do_not_overlap(seed):
    assert purpose(seed) == "evaluation"
    assert purpose(calibration_seed(seed)) == "calibration"
    assert purpose(training_seed(seed)) == "training"
    assert calibration_seed(seed) >= EVALUATION_SEED_LIMIT


@pytest.mark.parametrize("bad", [-1, 2**40, 1.5, True])
def test_a_seed_outside_the_span_is_refused(bad):
    with pytest.raises(ReasoningError):
        calibration_seed(bad)
