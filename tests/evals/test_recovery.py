"""The recovered fraction of the pruning loss, against hand-computed values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.recovery import recovered_fraction

# 10 items: dense right on 8, the variant (direct) on 4 of those, the variant with the
# strategy on those 4 and 2 more. loss = 0.8 - 0.4, gain = 0.6 - 0.4: recovered 0.5.
DENSE = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
VARIANT = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
LOOPED = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]


def test_the_fraction_is_the_hand_computed_one():
    out = recovered_fraction(DENSE, VARIANT, LOOPED, n_boot=500)
    assert out["fraction"] == pytest.approx(0.5)
    assert out["loss"] == pytest.approx(0.4) and out["gain"] == pytest.approx(0.2)
    assert out["n"] == 10 and out["reason"] is None
    low, high = out["ci95"]
    assert low < 0.5 < high and low >= 0.0  # the strategy never made a right item wrong
    assert out == recovered_fraction(DENSE, VARIANT, LOOPED, n_boot=500)  # same seed


def test_hurting_and_overshooting_are_negative_and_above_one():
    hurt = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]  # (0.3 - 0.4) / 0.4
    assert recovered_fraction(DENSE, VARIANT, hurt, n_boot=50)["fraction"] == pytest.approx(-0.25)
    over = [1] * 10  # (1.0 - 0.4) / 0.4
    assert recovered_fraction(DENSE, VARIANT, over, n_boot=50)["fraction"] == pytest.approx(1.5)


def test_every_resample_gives_the_same_fraction_when_every_item_is_alike():
    out = recovered_fraction([1] * 6, [0] * 6, [1] * 6, n_boot=100)
    assert out["fraction"] == 1.0 and out["ci95"] == [1.0, 1.0]
    assert out["undefined_resamples"] == 0.0


@pytest.mark.parametrize(
    ("dense", "variant"),
    [([1, 0, 1, 0], [1, 0, 1, 0]), ([1, 0, 0, 0], [1, 1, 0, 0]), ([0, 0], [0, 0])],
)
def test_nothing_lost_is_null_with_the_reason(dense, variant):
    out = recovered_fraction(dense, variant, [1] * len(dense))
    assert out["fraction"] is None and out["ci95"] is None
    assert "lost nothing" in out["reason"]


def test_no_items_and_unpaired_lists():
    assert recovered_fraction([], [], [])["reason"] == "no items"
    with pytest.raises(ValueError, match="pair"):
        recovered_fraction([1, 0], [0, 0], [1])


def test_clusters_resample_whole_clusters():
    # two clusters of identical items: each resample draws clusters, so the fraction
    # can only take the values the cluster mixes give (0, 0.5 or 1 here)
    out = recovered_fraction(
        [1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 0, 0], clusters=["a", "a", "b", "b"], n_boot=400
    )
    assert out["fraction"] == 0.5 and out["ci95"] == [0.0, 1.0]


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1, max_size=30))
def test_defined_exactly_when_dense_beats_the_variant(triples):
    dense, variant, looped = (list(x) for x in zip(*triples, strict=True))
    out = recovered_fraction(dense, variant, looped, n_boot=50)
    loss = (sum(dense) - sum(variant)) / len(triples)
    assert (out["fraction"] is None) == (loss <= 0)
    if out["fraction"] is not None:
        gain = (sum(looped) - sum(variant)) / len(triples)
        assert out["fraction"] == pytest.approx(gain / loss)
