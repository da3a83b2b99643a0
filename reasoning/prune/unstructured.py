"""Unstructured and N:M pruning: magnitude, global magnitude (GlobalMP), Wanda, SparseGPT."""

from __future__ import annotations

import torch

from reasoning.prune.calibration import BlockInputs, iter_blocks, run_block
from reasoning.prune.layers import Matrix, all_matrices, block_matrices
from reasoning.prune.masks import lowest_mask


def magnitude(model, sparsity: float, pattern) -> dict[str, dict]:
    """Per matrix: drop the smallest |w| (the Wanda repo's baseline)."""
    info = {}
    for m in all_matrices(model):
        w = m.weight()
        w[lowest_mask(w.abs().float(), sparsity, pattern, per_row=False)] = 0
        info[m.name] = {}
    return info


def global_magnitude(model, sparsity: float, min_keep: float) -> dict[str, dict]:
    """One threshold over all prunable matrices, but every matrix keeps at least `min_keep`
    of its weights (GlobalMP's rule against layer collapse). Total sparsity is exact.
    Cost: linear in the number of weights (a k-th value, no full sort)."""
    mats = all_matrices(model)
    scores = torch.cat([m.weight().abs().float().reshape(-1) for m in mats])
    sizes = [m.weight().numel() for m in mats]
    keep = torch.zeros_like(scores, dtype=torch.bool)
    offset = 0
    for size in sizes:  # the per-matrix minimum, kept unconditionally
        r = min(size, int(round(size * min_keep)))
        if r:
            keep[offset + torch.topk(scores[offset : offset + size], r).indices] = True
        offset += size
    free = (scores.numel() - round(scores.numel() * sparsity)) - int(keep.sum())
    if free > 0:
        rest = (~keep).nonzero().squeeze(1)
        rest_scores = scores[rest]
        if free >= rest.numel():
            keep[rest] = True
        else:  # exact top-`free` by a k-th value threshold, ties filled in index order
            threshold = torch.kthvalue(rest_scores, rest.numel() - free + 1).values
            above = rest_scores > threshold
            ties = (rest_scores == threshold).nonzero().squeeze(1)[: free - int(above.sum())]
            keep[rest[above]] = True
            keep[rest[ties]] = True
    info = {}
    for m, part in zip(mats, torch.split(keep, sizes), strict=True):
        w = m.weight()
        w[~part.reshape(w.shape)] = 0
        info[m.name] = {}
    return info


class _Stats:
    """Per-matrix input statistics: column sums of squares (Wanda) or X^T X (SparseGPT)."""

    def __init__(self, cols: int, hessian: bool, device) -> None:
        self.n = 0
        self.sumsq = torch.zeros(cols, dtype=torch.float64, device=device)
        self.h = torch.zeros(cols, cols, dtype=torch.float64, device=device) if hessian else None

    def add(self, x: torch.Tensor) -> None:
        x = x.reshape(-1, x.shape[-1]).double()
        self.n += x.shape[0]
        self.sumsq += (x * x).sum(0)
        if self.h is not None:
            self.h += x.t() @ x


def layerwise(
    model,
    inputs: BlockInputs,
    sparsity: float,
    pattern,
    method: str,
    percdamp: float,
    blocksize: int,
    device,
) -> dict[str, dict]:
    """Wanda or SparseGPT, block by block on the already-pruned model."""
    info: dict[str, dict] = {}
    for _, block, prefix in iter_blocks(model):
        home = next(block.parameters()).device
        block.to(device)
        mats = block_matrices(block, prefix)
        stats = {m.name: _Stats(m.in_features, method == "sparsegpt", device) for m in mats}
        hooks = [
            m.module.register_forward_hook(lambda _mod, args, _out, s=stats[m.name]: s.add(args[0]))
            for m in mats
        ]
        moved = BlockInputs(
            [h.to(device) for h in inputs.hidden], [_to(kw, device) for kw in inputs.kwargs]
        )
        run_block(block, moved)
        for h in hooks:
            h.remove()
        for m in mats:
            if method == "wanda":
                info[m.name] = _wanda(m, stats[m.name], sparsity, pattern)
            else:
                info[m.name] = _sparsegpt(m, stats[m.name], sparsity, pattern, percdamp, blocksize)
        inputs.hidden = [h.to(home) for h in run_block(block, moved)]
        block.to(home)
    return info


def _to(obj, device):
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, tuple):
        return tuple(_to(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: _to(v, device) for k, v in obj.items()}
    return obj


def _wanda(m: Matrix, stats: _Stats, sparsity: float, pattern) -> dict:
    """|W| * ||X_j||_2, compared within each output row."""
    w = m.weight()
    norms = torch.sqrt(stats.sumsq / max(1, stats.n)).to(w.device, torch.float32)
    scores = w.abs().float() * norms[None, :]
    w[lowest_mask(scores, sparsity, pattern, per_row=True)] = 0
    return {"tokens": stats.n}


def _block_counts(rows: int, cols: int, sparsity: float, blocksize: int) -> list[int]:
    """Weights to drop in each column block so that the matrix total is round(numel * s)."""
    sizes = [min(blocksize, cols - i) for i in range(0, cols, blocksize)]
    exact = [rows * s * sparsity for s in sizes]
    counts = [int(x) for x in exact]
    short = round(rows * cols * sparsity) - sum(counts)
    order = sorted(range(len(sizes)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[:short]:
        counts[i] += 1
    return counts


def _sparsegpt(
    m: Matrix, stats: _Stats, sparsity: float, pattern, percdamp: float, blocksize: int
) -> dict:
    """Optimal-brain-surgeon pruning with the calibration Hessian, block by block; retries
    with 10x more dampening when the Hessian is not positive definite."""
    w = m.weight().float().contiguous().clone()
    rows, cols = w.shape
    h = (2.0 / max(1, stats.n)) * stats.h.to(w.device)
    dead = torch.diag(h) == 0
    h[dead, dead] = 1
    w[:, dead] = 0
    damp, hinv = percdamp, None
    for _ in range(6):
        try:
            eye = torch.eye(cols, dtype=h.dtype, device=h.device)
            hd = h + damp * torch.mean(torch.diag(h)) * eye
            hinv = torch.linalg.cholesky(
                torch.cholesky_inverse(torch.linalg.cholesky(hd)), upper=True
            )
            break
        except torch.linalg.LinAlgError:
            damp *= 10
    if hinv is None:
        raise RuntimeError(f"{m.name}: Hessian not positive definite even with damping {damp}")
    hinv = hinv.float()
    counts = _block_counts(rows, cols, sparsity, blocksize) if pattern is None else None
    for b, i1 in enumerate(range(0, cols, blocksize)):
        i2 = min(i1 + blocksize, cols)
        w1, hinv1 = w[:, i1:i2].clone(), hinv[i1:i2, i1:i2]
        q1, err1 = torch.zeros_like(w1), torch.zeros_like(w1)
        d = torch.diag(hinv1)
        mask1 = torch.zeros(w1.shape, dtype=torch.bool, device=w1.device)
        if pattern is None and counts[b]:
            scores = (w1**2 / d[None, :] ** 2).reshape(-1)
            mask1.view(-1)[torch.topk(scores, counts[b], largest=False).indices] = True
        for i in range(i2 - i1):
            if pattern is not None and i % pattern[1] == 0:
                n, mm = pattern
                tmp = w1[:, i : i + mm] ** 2 / d[i : i + mm][None, :] ** 2
                mask1.scatter_(1, i + torch.topk(tmp, mm - n, dim=1, largest=False).indices, True)
            col = w1[:, i]
            q = col.clone()
            q[mask1[:, i]] = 0
            q1[:, i] = q
            e = (col - q) / hinv1[i, i]
            w1[:, i:] -= e[:, None] @ hinv1[i, i:][None, :]
            err1[:, i] = e
        w[:, i1:i2] = q1
        w[:, i2:] -= err1 @ hinv[i1:i2, i2:]
    m.set_weight(w.to(m.module.weight.dtype))
    return {"damping": damp, "tokens": stats.n}
