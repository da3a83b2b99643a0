"""Unstructured and N:M pruning: magnitude, global magnitude (GlobalMP), Wanda, SparseGPT."""

from __future__ import annotations

import functools
import sys

import torch
from tqdm import tqdm

from reasoning.prune.calibration import BlockInputs, iter_blocks, real_row_chunks
from reasoning.prune.layers import Matrix, all_matrices, block_matrices
from reasoning.prune.masks import lowest_k, lowest_mask


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


class _InputStats:
    """Statistics of one module input over the real calibration tokens: column sums of
    squares (Wanda) and, for SparseGPT, the Hessian 2/N X^T X with its inverse's upper
    Cholesky factor. Matrices fed by the same tensor (q/k/v, gate/up) share one."""

    def __init__(self, x: torch.Tensor, valid: torch.Tensor, hessian: bool) -> None:
        self.n = 0
        self.sumsq: torch.Tensor | None = None
        self.h: torch.Tensor | None = None
        for part in real_row_chunks(x, valid):  # float32 copies stay chunk-sized
            rows = part.float()
            self.n += rows.shape[0]
            if hessian:
                product = gram(rows)
                self.h = product if self.h is None else self.h.add_(product)
            else:
                squares = (rows * rows).sum(0)
                self.sumsq = squares if self.sumsq is None else self.sumsq.add_(squares)
        if self.h is not None:
            self.h.mul_(2.0 / max(1, self.n))
        self._hinv: tuple | None = None

    def hinv(self, percdamp: float) -> tuple[torch.Tensor, torch.Tensor, float]:
        """(upper Cholesky factor of the dampened inverse Hessian, dead columns, damping)."""
        if self._hinv is None:  # factorised in float64: an ill-conditioned H loses float32
            u, dead, damp = _inverse_hessian(self.h.double(), percdamp)
            self._hinv = (u.to(self.h.dtype), dead, damp)
        return self._hinv


def gram(x: torch.Tensor) -> torch.Tensor:
    """X^T X, computing the off-diagonal block once (symmetry): 3/4 of a plain product."""
    half = x.shape[1] // 2
    if half < 64:
        return x.t() @ x
    a, b = x[:, :half], x[:, half:]
    out = torch.empty(x.shape[1], x.shape[1], dtype=x.dtype, device=x.device)
    out[:half, :half] = a.t() @ a
    out[half:, half:] = b.t() @ b
    cross = a.t() @ b
    out[:half, half:] = cross
    out[half:, :half] = cross.t()
    return out


def _inverse_hessian(h: torch.Tensor, percdamp: float) -> tuple[torch.Tensor, torch.Tensor, float]:
    """U upper triangular with U^T U = (H + damp * mean(diag H) * I)^-1, from one Cholesky
    factor of the index-reversed H (reversing turns its inverse factor upper triangular).
    Retries with 10x more dampening while H is not positive definite."""
    h = h.clone()
    dead = torch.diag(h) == 0
    h[dead, dead] = 1
    cols = h.shape[0]
    eye = torch.eye(cols, dtype=h.dtype, device=h.device)
    damp = percdamp
    for _ in range(16):  # a tiny percdamp may need several tenfold steps
        hd = h + damp * torch.mean(torch.diag(h)) * eye
        low, info = torch.linalg.cholesky_ex(hd.flip(0, 1))
        if int(info) == 0:
            inv = torch.linalg.solve_triangular(low, eye, upper=False)
            return inv.flip(0, 1), dead, damp
        damp *= 10
    raise RuntimeError(f"Hessian not positive definite even with damping {damp}")


class _BlockPruner:
    """Forward pre-hooks that prune each matrix of a block just before it runs, from
    statistics of the input it is about to receive. One batched pass through the block
    then gives both the statistics and the pruned block's output, and every matrix sees
    inputs from already-pruned matrices upstream in its own block (SparseGPT's
    "true sequential" order)."""

    def __init__(self, method, valid, sparsity, pattern, percdamp, blocksize) -> None:
        self.method, self.valid = method, valid
        self.sparsity, self.pattern = sparsity, pattern
        self.percdamp, self.blocksize = percdamp, blocksize
        self.last_input: torch.Tensor | None = None
        self.stats: _InputStats | None = None
        self.info: dict[str, dict] = {}

    def hook(self, m: Matrix, _module, args) -> None:
        x = args[0]
        if x is not self.last_input:
            self.last_input = x
            self.stats = _InputStats(x, self.valid, self.method == "sparsegpt")
        if self.method == "wanda":
            self.info[m.name] = _wanda(m, self.stats, self.sparsity, self.pattern)
        else:
            self.info[m.name] = _sparsegpt(
                m, self.stats, self.sparsity, self.pattern, self.percdamp, self.blocksize
            )


def layerwise(
    model,
    inputs: BlockInputs,
    sparsity: float,
    pattern,
    method: str,
    percdamp: float,
    blocksize: int,
    device,
    progress: bool = False,
) -> dict[str, dict]:
    """Wanda or SparseGPT, block by block on the already-pruned model: one batched forward
    pass per block, pruning each matrix as its input arrives."""
    info: dict[str, dict] = {}
    hidden = inputs.hidden
    blocks = list(iter_blocks(model))
    bar = tqdm(blocks, desc=method, unit="block", disable=not progress, file=sys.stderr)
    for _, block, prefix in bar:
        home = next(block.parameters()).device
        block.to(device)
        pruner = _BlockPruner(
            method, inputs.valid.to(device), sparsity, pattern, percdamp, blocksize
        )
        hooks = [
            m.module.register_forward_pre_hook(functools.partial(pruner.hook, m))
            for m in block_matrices(block, prefix)
        ]
        try:
            with torch.no_grad():
                out = block(
                    hidden.to(device), *_to(inputs.args, device), **_to(inputs.kwargs, device)
                )
        finally:
            for h in hooks:
                h.remove()
        hidden = (out[0] if isinstance(out, tuple) else out).to(home)
        info.update(pruner.info)
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


def _wanda(m: Matrix, stats: _InputStats, sparsity: float, pattern) -> dict:
    """|W| * ||X_j||_2, compared within each output row."""
    w = m.weight()
    norms = torch.sqrt(stats.sumsq / max(1, stats.n)).to(w.device, torch.float32)
    scores = w.abs().float() * norms[None, :]
    w.masked_fill_(lowest_mask(scores, sparsity, pattern, per_row=True), 0)
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
    m: Matrix, stats: _InputStats, sparsity: float, pattern, percdamp: float, blocksize: int
) -> dict:
    """Optimal-brain-surgeon pruning with the calibration Hessian, block by block."""
    hinv, dead, damp = stats.hinv(percdamp)
    w = m.weight().float().clone()
    w[:, dead] = 0
    cols = w.shape[1]
    counts = _block_counts(w.shape[0], cols, sparsity, blocksize) if pattern is None else None
    for b, i1 in enumerate(range(0, cols, blocksize)):
        i2 = min(i1 + blocksize, cols)
        u = hinv[i1:i2, i1:i2]
        err = obs_block(w[:, i1:i2], u, counts[b] if counts else None, pattern)
        w[:, i2:] -= err @ hinv[i1:i2, i2:]
    m.set_weight(w.to(m.module.weight.dtype))
    return {"damping": damp, "tokens": stats.n}


def obs_block(
    w: torch.Tensor, u: torch.Tensor, count: int | None, pattern, step: int = 16
) -> torch.Tensor:
    """Prune one column block in place (w: [rows, B] view) by the OBS update and return
    the errors [rows, B] to spread over later columns.

    u is the block's upper Cholesky factor of the inverse Hessian. Unstructured: the
    `count` lowest w^2 / u_ii^2 in the block are chosen up front; N:M: every M columns
    keep the N best of each row, chosen on the updated weights. The column-by-column
    recurrence of SparseGPT is solved `step` columns at a time: within a chunk, row r's
    errors solve a small lower-triangular system (u's chunk, restricted to the weights
    row r drops), one batched solve for all rows; then one matrix product carries the
    chunk's errors to every later column. Same result as the loop, ~8x fewer operations."""
    rows, width = w.shape
    d = torch.diag(u)
    work = w.clone(memory_format=torch.contiguous_format)
    drop = torch.zeros(work.shape, dtype=torch.bool, device=work.device)
    if count:
        drop.view(-1)[:] = lowest_k((work**2 / d[None, :] ** 2).reshape(-1), count, dim=0)
    if pattern is not None:
        step = pattern[1]
    err = torch.zeros_like(work)
    for c1 in range(0, width, step):
        c2 = min(c1 + step, width)
        if pattern is not None:
            n, m = pattern
            group = work[:, c1:c2] ** 2 / d[None, c1:c2] ** 2
            drop[:, c1:c2] = lowest_k(group, m - n, dim=1)
        chunk = drop[:, c1:c2]
        strict = u[c1:c2, c1:c2].t().tril(-1)  # strict[i, j] = u[j, i] for j < i
        system = torch.diag(d[c1:c2]) + chunk[:, :, None] * strict  # [rows, s, s]
        rhs = (work[:, c1:c2] * chunk)[..., None]
        e = torch.linalg.solve_triangular(system, rhs, upper=False)[..., 0]
        err[:, c1:c2] = e
        work[:, c1:] -= e @ u[c1:c2, c1:]
    work.masked_fill_(drop, 0)
    w.copy_(work)
    return err
