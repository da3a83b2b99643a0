"""Choosing which weights to drop: exact counts per comparison group, or N:M patterns."""

from __future__ import annotations

import numpy as np
import torch

from reasoning.core import ConfigError


def parse_pattern(pattern: str | None) -> tuple[int, int] | None:
    """'2:4' -> (2, 4): keep 2 of every 4 consecutive weights along the input dimension."""
    if pattern in (None, "", "none"):
        return None
    try:
        n, m = (int(x) for x in str(pattern).split(":"))
    except ValueError:
        raise ConfigError(f"pattern {pattern!r} is not N:M (e.g. 2:4, 4:8)") from None
    if not 0 < n < m:
        raise ConfigError(f"pattern {pattern!r}: need 0 < N < M")
    return n, m


def resolve_sparsity(sparsity: float | None, pattern: tuple[int, int] | None) -> float:
    if pattern is not None:
        implied = 1 - pattern[0] / pattern[1]
        if sparsity is not None and abs(sparsity - implied) > 1e-9:
            raise ConfigError(
                f"sparsity {sparsity} contradicts pattern {pattern[0]}:{pattern[1]} "
                f"(which means {implied:g})"
            )
        return implied
    if sparsity is None or not 0.0 <= sparsity < 1.0:
        raise ConfigError(f"sparsity must be in [0, 1), got {sparsity!r}")
    return sparsity


def lowest_mask(
    scores: torch.Tensor, sparsity: float, pattern: tuple[int, int] | None, per_row: bool
) -> torch.Tensor:
    """Boolean [out, in] mask, True = prune: the lowest scores, exactly
    round(in * sparsity) per row (per_row), round(numel * sparsity) per matrix, or M - N per
    group of M along the input dimension (pattern)."""
    rows, cols = scores.shape
    mask = torch.zeros(scores.shape, dtype=torch.bool, device=scores.device)  # contiguous
    if pattern is not None:
        n, m = pattern
        if cols % m:
            raise ConfigError(f"pattern {n}:{m} needs input size divisible by {m}, got {cols}")
        groups = scores.reshape(rows, cols // m, m)
        drop = torch.topk(groups, m - n, dim=2, largest=False).indices
        return mask.reshape(rows, cols // m, m).scatter_(2, drop, True).reshape(rows, cols)
    if per_row:
        k = round(cols * sparsity)
        return lowest_k(scores, k, dim=1) if k else mask
    k = round(scores.numel() * sparsity)
    return lowest_k(scores.reshape(-1), k, dim=0).reshape(rows, cols) if k else mask


def lowest_k(scores: torch.Tensor, k: int, dim: int) -> torch.Tensor:
    """Boolean mask of exactly the k lowest scores along `dim`; ties at the k-th value go to
    the lowest indices. Cost: a k-th value selection (linear), not a sort or a top-k heap."""
    kth = _kth_smallest(scores, k, dim)
    at_most = scores <= kth
    if bool((at_most.sum(dim=dim) == k).all()):  # no ties at the k-th value (the usual case)
        return at_most
    below = scores < kth
    ties = scores == kth
    need = k - below.sum(dim=dim, keepdim=True)
    return below | (ties & (torch.cumsum(ties, dim=dim) <= need))


def _kth_smallest(scores: torch.Tensor, k: int, dim: int) -> torch.Tensor:
    """The k-th smallest value along `dim` (kept as a size-1 dim). On CPU numpy's
    introselect, ~10x faster than torch.kthvalue there; elsewhere torch's own."""
    if scores.device.type == "cpu" and scores.dtype in (torch.float32, torch.float64):
        part = np.partition(scores.detach().numpy(), k - 1, axis=dim)
        return torch.from_numpy(np.take(part, [k - 1], axis=dim))
    return torch.kthvalue(scores, k, dim=dim, keepdim=True).values


def satisfies_pattern(weight: torch.Tensor, pattern: tuple[int, int]) -> bool:
    """Every group of M consecutive input weights has at most N non-zeros."""
    n, m = pattern
    rows, cols = weight.shape
    if cols % m:
        return False
    return bool(((weight.reshape(rows, cols // m, m) != 0).sum(dim=2) <= n).all())
