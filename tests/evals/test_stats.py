"""Paired statistics against hand-computed values and exact properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.stats import clustered_se, compare, mcnemar_exact, paired_bootstrap, wilson_interval


def test_mcnemar_exact_against_hand_computed_binomial_tails():
    # b=2, c=8: 2 * P(X <= 2), X ~ Bin(10, 1/2) = 2 * (1 + 10 + 45) / 1024
    assert mcnemar_exact(2, 8) == pytest.approx(112 / 1024)
    # b=0, c=5: 2 * (1/2)^5
    assert mcnemar_exact(0, 5) == pytest.approx(2 / 32)
    # b=1, c=6: 2 * (1 + 7) / 128
    assert mcnemar_exact(1, 6) == pytest.approx(16 / 128)
    assert mcnemar_exact(4, 4) == pytest.approx(1.0)
    assert mcnemar_exact(0, 0) == 1.0


@given(st.integers(0, 60), st.integers(0, 60))
def test_mcnemar_is_symmetric_and_a_probability(b, c):
    p = mcnemar_exact(b, c)
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(mcnemar_exact(c, b))


def test_wilson_against_hand_computed_values():
    # 8 of 10, z = 1.96: centre (0.8 + z^2/20) / (1 + z^2/10), half-width as in Wilson 1927
    z2 = 1.96**2
    centre = (0.8 + z2 / 20) / (1 + z2 / 10)
    half = 1.96 * math.sqrt(0.8 * 0.2 / 10 + z2 / 400) / (1 + z2 / 10)
    low, high = wilson_interval(8, 10)
    assert (low, high) == pytest.approx((centre - half, centre + half))
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert wilson_interval(0, 10)[0] == 0.0


@given(st.lists(st.sampled_from([0.0, 1.0]), min_size=2, max_size=40))
def test_clustered_se_with_singleton_clusters_is_the_sample_se(values):
    n = len(values)
    mean = sum(values) / n
    sample_se = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) / math.sqrt(n)
    assert clustered_se(values) == pytest.approx(sample_se)
    assert clustered_se(values, list(range(n))) == pytest.approx(sample_se)


@given(st.lists(st.sampled_from([0.0, 1.0]), min_size=2, max_size=30), st.integers(2, 5))
def test_copies_of_an_item_in_one_cluster_add_no_information(values, k):
    copies = [v for v in values for _ in range(k)]
    labels = [i for i in range(len(values)) for _ in range(k)]
    assert clustered_se(copies, labels) == pytest.approx(clustered_se(values))
    # treated as independent, the copies would shrink the error bar by sqrt(k)
    assert clustered_se(copies) <= clustered_se(values) + 1e-12


pairs = st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60)


@given(pairs, st.integers(0, 5))
def test_compare_counts_flips_and_difference(items, seed):
    dense = [a for a, _ in items]
    variant = [b for _, b in items]
    result = compare(dense, variant, n_boot=200, seed=seed)
    n = len(items)
    assert result.right_to_wrong == sum(1 for a, b in items if a and not b)
    assert result.wrong_to_right == sum(1 for a, b in items if b and not a)
    assert result.difference == pytest.approx((result.wrong_to_right - result.right_to_wrong) / n)
    low, high = result.difference_ci
    assert -1.0 <= low <= high <= 1.0
    if result.right_to_wrong == result.wrong_to_right == 0:
        assert (low, high) == (0.0, 0.0)
    if result.dense_accuracy:
        assert result.retention == pytest.approx(result.variant_accuracy / result.dense_accuracy)
    assert compare(dense, variant, n_boot=200, seed=seed) == result  # deterministic


def test_bootstrap_interval_covers_a_clear_loss_and_excludes_zero():
    dense = [1.0] * 80 + [0.0] * 20
    variant = [1.0] * 40 + [0.0] * 60  # 40 right -> wrong, none back
    low, high = paired_bootstrap(dense, variant, n_boot=2000, seed=1)
    assert low <= -0.4 <= high
    assert high < 0


def test_clusters_widen_the_interval_when_items_move_together():
    # ten clusters of ten items; within a cluster the variant fails all or nothing
    dense = [1.0] * 100
    variant = [0.0 if c % 2 else 1.0 for c in range(10) for _ in range(10)]
    labels = [c for c in range(10) for _ in range(10)]
    narrow = paired_bootstrap(dense, variant, n_boot=2000, seed=2)
    wide = paired_bootstrap(dense, variant, labels, n_boot=2000, seed=2)
    assert wide[1] - wide[0] > narrow[1] - narrow[0]


def test_unpaired_input_is_refused():
    with pytest.raises(ValueError, match="pair them"):
        compare([True, False], [True])
