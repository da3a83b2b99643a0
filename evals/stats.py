"""Paired statistics for "how much reasoning survives": a compressed variant against the
dense model on the same items.

Each item gives a pair (dense right?, variant right?). Unpaired tests (a z-test on two
accuracies, as lm-evaluation-harness compares models) throw that pairing away and are far
less sensitive: two models that are each right on 70 % of the items may agree on every
item or on none. Here:

- accuracy with a Wilson 95 % interval (good coverage near 0 and 1, unlike the Wald one);
- the paired difference acc(variant) - acc(dense) with a paired-bootstrap interval that
  resamples items, or whole clusters when items share one (Miller 2024, "Adding Error Bars
  to Evals": items built from the same seed story, rule or graph are not independent);
- McNemar's exact test on the discordant pairs (scipy's binomial test);
- flip rates right -> wrong and wrong -> right;
- the cluster-robust standard error of a mean.

Every resampling draws from `numpy.random.default_rng(seed)`: the same call gives the same
interval.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import binomtest

from reasoning.scoring import wilson_interval

__all__ = [
    "PairedComparison",
    "clustered_se",
    "compare",
    "mcnemar_exact",
    "paired_bootstrap",
    "wilson_interval",
]


def mcnemar_exact(right_to_wrong: int, wrong_to_right: int) -> float:
    """Two-sided exact McNemar p-value: under "the variant is as good as dense" each
    discordant pair is a fair coin, so the right->wrong count is Binomial(b + c, 1/2).
    1.0 when there are no discordant pairs.

    >>> round(mcnemar_exact(2, 8), 6)  # 2 * (1 + 10 + 45) / 2**10
    0.109375
    """
    if right_to_wrong < 0 or wrong_to_right < 0:
        raise ValueError("discordant counts must be non-negative")
    n = right_to_wrong + wrong_to_right
    if n == 0:
        return 1.0
    return float(binomtest(right_to_wrong, n, 0.5, alternative="two-sided").pvalue)


def _cluster_index(clusters: Sequence[Hashable] | None, n: int) -> np.ndarray:
    """Cluster number per item (each item its own cluster when `clusters` is None)."""
    if clusters is None:
        return np.arange(n)
    if len(clusters) != n:
        raise ValueError(f"{len(clusters)} cluster labels for {n} items")
    numbers: dict[Hashable, int] = {}
    return np.array([numbers.setdefault(c, len(numbers)) for c in clusters], dtype=np.int64)


def clustered_se(values: Sequence[float], clusters: Sequence[Hashable] | None = None) -> float:
    """Cluster-robust standard error of the mean of `values` (Miller 2024, eq. for
    clustered SE): sqrt(sum over clusters of (sum of deviations in the cluster)^2) / n,
    with the small-sample factor C / (C - 1). With every item its own cluster this is the
    usual sample standard error, std(ddof=1) / sqrt(n).

    >>> round(clustered_se([1, 0, 1, 0]), 6)  # std(ddof=1) / 2
    0.288675
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 2:
        return 0.0
    index = _cluster_index(clusters, n)
    sums = np.bincount(index, weights=x - x.mean())
    c = len(sums)
    if c < 2:
        return 0.0
    return float(math.sqrt(c / (c - 1) * float(np.sum(sums**2))) / n)


def paired_bootstrap(
    dense: Sequence[float],
    variant: Sequence[float],
    clusters: Sequence[Hashable] | None = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile interval for mean(variant) - mean(dense), resampling items as pairs
    (whole clusters when given), so the pairing is kept. Cost: O(n_boot x clusters)."""
    a = np.asarray(dense, dtype=float)
    b = np.asarray(variant, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"dense has {len(a)} items, variant {len(b)}: pair them first")
    if len(a) == 0:
        return (0.0, 0.0)
    index = _cluster_index(clusters, len(a))
    diff_sum = np.bincount(index, weights=b - a)
    count = np.bincount(index).astype(float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(diff_sum), size=(n_boot, len(diff_sum)))
    means = diff_sum[picks].sum(axis=1) / count[picks].sum(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return (float(low), float(high))


@dataclass(frozen=True)
class PairedComparison:
    """A variant against dense on the same n items (correct = 1, wrong = 0)."""

    n: int
    dense_accuracy: float
    variant_accuracy: float
    variant_wilson: tuple[float, float]
    retention: float | None  # acc(variant) / acc(dense); None when dense got nothing right
    difference: float  # acc(variant) - acc(dense)
    difference_ci: tuple[float, float]  # paired bootstrap
    difference_se: float  # cluster-robust SE of the per-item differences
    right_to_wrong: int
    wrong_to_right: int
    mcnemar_p: float
    clusters: int

    @property
    def flip_rates(self) -> tuple[float, float]:
        """(right -> wrong, wrong -> right) as shares of all items."""
        if not self.n:
            return (0.0, 0.0)
        return (self.right_to_wrong / self.n, self.wrong_to_right / self.n)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["flip_rates"] = list(self.flip_rates)
        return out


def compare(
    dense: Sequence[bool],
    variant: Sequence[bool],
    clusters: Sequence[Hashable] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> PairedComparison:
    """Every paired statistic of one variant against dense; items in the same order."""
    if len(dense) != len(variant):
        raise ValueError(f"dense has {len(dense)} items, variant {len(variant)}: pair them first")
    n = len(dense)
    a = [1.0 if x else 0.0 for x in dense]
    b = [1.0 if x else 0.0 for x in variant]
    right_to_wrong = sum(1 for x, y in zip(a, b, strict=True) if x > y)
    wrong_to_right = sum(1 for x, y in zip(a, b, strict=True) if x < y)
    dense_acc = sum(a) / n if n else 0.0
    variant_acc = sum(b) / n if n else 0.0
    return PairedComparison(
        n=n,
        dense_accuracy=dense_acc,
        variant_accuracy=variant_acc,
        variant_wilson=wilson_interval(sum(b), n),
        retention=variant_acc / dense_acc if dense_acc else None,
        difference=variant_acc - dense_acc,
        difference_ci=paired_bootstrap(a, b, clusters, n_boot=n_boot, seed=seed),
        difference_se=clustered_se([y - x for x, y in zip(a, b, strict=True)], clusters),
        right_to_wrong=right_to_wrong,
        wrong_to_right=wrong_to_right,
        mcnemar_p=mcnemar_exact(right_to_wrong, wrong_to_right),
        clusters=len(set(clusters)) if clusters is not None else n,
    )
