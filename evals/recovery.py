"""The recovered fraction: how much of a pruned variant's loss a loop strategy wins back.

On the same n items (paired across variants and strategies), with a = dense under
`direct`, b = the variant under `direct`, c = the variant under the strategy (1 right,
0 wrong):

    recovered = (mean(c) - mean(b)) / (mean(a) - mean(b))

1.0: the strategy brings the variant back to dense's direct accuracy; 0: no help; < 0:
it hurts; > 1: it does better than dense did. The denominator is the pruning loss; when
it is <= 0 (the variant lost nothing) the fraction is undefined: None, with the reason.
The interval is a paired bootstrap: items (or whole clusters) are resampled with all
three outcomes kept together, the fraction is recomputed on each resample whose loss is
positive, and the percentile interval is taken over those (the share of resamples with
no loss is reported as `undefined_resamples`; a large share means the interval is
conditional on a loss that the data barely show).

>>> r = recovered_fraction([1, 1, 1, 1], [1, 0, 0, 0], [1, 1, 0, 0], n_boot=200)
>>> r["fraction"], r["loss"], r["gain"]  # (0.5 - 0.25) / (1.0 - 0.25)
(0.3333333333333333, 0.75, 0.25)
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from evals.stats import _cluster_index


def recovered_fraction(
    dense_direct: Sequence[float],
    variant_direct: Sequence[float],
    variant_strategy: Sequence[float],
    clusters: Sequence[Hashable] | None = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> dict:
    """{"fraction", "ci95", "reason", "loss", "gain", "n", "undefined_resamples"} for
    three paired outcome lists in the same item order (see the module docstring);
    `fraction` and `ci95` are None with a `reason` when the loss is not positive. Cost:
    O(n_boot x clusters)."""
    a, b, c = (np.asarray(x, dtype=float) for x in (dense_direct, variant_direct, variant_strategy))
    if not a.shape == b.shape == c.shape:
        raise ValueError(f"{len(a)}, {len(b)} and {len(c)} outcomes: pair the items first")
    n = len(a)
    out: dict = {"fraction": None, "ci95": None, "reason": None, "loss": 0.0, "gain": 0.0,
                 "n": n, "undefined_resamples": None}  # fmt: skip
    if n == 0:
        out["reason"] = "no items"
        return out
    loss, gain = float(a.mean() - b.mean()), float(c.mean() - b.mean())
    out["loss"], out["gain"] = loss, gain
    if loss <= 0:
        out["reason"] = (
            f"nothing to recover: the variant lost nothing under direct "
            f"(acc(dense) - acc(variant) = {loss:+.3f})"
        )
        return out
    out["fraction"] = gain / loss
    index = _cluster_index(clusters, n)
    loss_sum = np.bincount(index, weights=a - b)
    gain_sum = np.bincount(index, weights=c - b)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(loss_sum), size=(n_boot, len(loss_sum)))
    losses, gains = loss_sum[picks].sum(axis=1), gain_sum[picks].sum(axis=1)
    defined = losses > 0  # the item counts cancel in the ratio
    out["undefined_resamples"] = float(1 - defined.mean())
    if defined.any():
        tail = (1 - level) / 2
        low, high = np.quantile(gains[defined] / losses[defined], [tail, 1 - tail])
        out["ci95"] = [float(low), float(high)]
    return out
