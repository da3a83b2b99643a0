"""The fast pieces of the calibrated methods against plain references written here:
the OBS column update, the inverse-Hessian factor, k-lowest selection, padded batching."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reasoning.models import HFBackend
from reasoning.prune.calibration import (
    capture_block_inputs,
    pack_rows,
    pad_batch,
    real_rows,
    tokenize,
)
from reasoning.prune.masks import lowest_k
from reasoning.prune.unstructured import _inverse_hessian, gram, obs_block


def reference_obs(w, hinv, drop_count, pattern):
    """SparseGPT's block loop as the paper writes it, on full [rows, B] matrices."""
    w = w.clone()
    rows, cols = w.shape
    d = torch.diag(hinv)
    q, err = torch.zeros_like(w), torch.zeros_like(w)
    mask = torch.zeros_like(w, dtype=torch.bool)
    if drop_count:
        scores = (w**2 / d[None, :] ** 2).flatten()
        order = sorted(range(scores.numel()), key=lambda j: (float(scores[j]), j))
        mask.view(-1)[order[:drop_count]] = True
    for i in range(cols):
        if pattern is not None and i % pattern[1] == 0:
            n, m = pattern
            for r in range(rows):
                part = (w[r, i : i + m] ** 2 / d[i : i + m] ** 2).tolist()
                worst = sorted(range(len(part)), key=lambda j: (part[j], j))[: m - n]
                for j in worst:
                    mask[r, i + j] = True
        col = w[:, i].clone()
        kept = torch.where(mask[:, i], torch.zeros_like(col), col)
        e = (col - kept) / hinv[i, i]
        for j in range(i, cols):
            w[:, j] -= e * hinv[i, j]
        q[:, i], err[:, i] = kept, e
    return q, err


def spd(cols: int, gen: torch.Generator) -> torch.Tensor:
    a = torch.randn(cols * 3, cols, generator=gen, dtype=torch.float64)
    return a.t() @ a / cols + 0.1 * torch.eye(cols, dtype=torch.float64)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    rows=st.integers(1, 6),
    groups=st.integers(1, 3),
    mode=st.sampled_from(["count", "2:4", "1:4"]),
)
def test_obs_block_matches_the_column_loop(seed, rows, groups, mode):
    gen = torch.Generator().manual_seed(seed)
    cols = 4 * groups
    h = spd(cols, gen)
    u = torch.linalg.cholesky(torch.linalg.inv(h), upper=True)
    w = torch.randn(rows, cols, generator=gen, dtype=torch.float64)
    pattern = None if mode == "count" else tuple(int(x) for x in mode.split(":"))
    count = (rows * cols) // 2 if pattern is None else None
    want_q, want_err = reference_obs(w, u, count, pattern)
    got = w.clone()
    err = obs_block(got, u, count, pattern)
    assert torch.allclose(got, want_q, atol=1e-9)
    assert torch.allclose(err, want_err, atol=1e-9)
    assert int((got == 0).sum()) >= (count or rows * cols * (pattern[1] - pattern[0]) // 4)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), rows=st.integers(1, 40), cols=st.integers(1, 300))
def test_gram_is_x_transpose_x(seed, rows, cols):
    x = torch.randn(rows, cols, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    assert torch.allclose(gram(x), x.t() @ x, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), cols=st.integers(1, 24))
def test_inverse_hessian_factor(seed, cols):
    h = spd(cols, torch.Generator().manual_seed(seed))
    u, dead, damp = _inverse_hessian(h, 0.01)
    damped = h + damp * torch.mean(torch.diag(h)) * torch.eye(cols, dtype=h.dtype)
    assert torch.equal(u, torch.triu(u)) and not dead.any()
    assert torch.allclose(u.t() @ u, torch.linalg.inv(damped), atol=1e-8)


def test_inverse_hessian_dampens_a_singular_matrix():
    h = torch.zeros(5, 5)
    h[0, 0], h[1, 1] = 1.0, 1.0
    h[2, 2], h[2, 3], h[3, 2], h[3, 3] = 1.0, 1.0, 1.0, 1.0  # rank deficient block
    u, dead, damp = _inverse_hessian(h, 1e-12)
    assert dead.tolist() == [False, False, False, False, True]
    assert damp > 1e-12 and torch.isfinite(u).all()


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(-3, 3), min_size=1, max_size=30),
    data=st.data(),
)
def test_lowest_k_is_exact_and_takes_the_lowest(values, data):
    k = data.draw(st.integers(1, len(values)))
    scores = torch.tensor(values, dtype=torch.float32)
    mask = lowest_k(scores, k, dim=0)
    assert int(mask.sum()) == k
    if k < len(values):
        assert scores[mask].max() <= scores[~mask].min()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 20), min_size=1, max_size=12))
def test_pack_rows_places_every_sample_once(lengths):
    samples = [torch.arange(1, n + 1)[None, :] * (i + 1) for i, n in enumerate(lengths)]
    ids, positions, valid = pack_rows(samples)
    assert ids.shape[1] == max(lengths) and int(valid.sum()) == sum(lengths)
    assert ids.shape[0] <= len(lengths)
    found = []
    for row in range(ids.shape[0]):  # each sample is a run of positions 0..n-1
        starts = [c for c in range(ids.shape[1]) if valid[row, c] and positions[row, c] == 0]
        for c in starts:
            n = 1
            while c + n < ids.shape[1] and valid[row, c + n] and positions[row, c + n] == n:
                n += 1
            found.append(ids[row, c : c + n].tolist())
    assert sorted(found) == sorted(x[0].tolist() for x in samples)


@pytest.mark.parametrize("fixture", ["tiny_llama", "tiny_gpt2"])
def test_packed_or_padded_batch_leaves_real_tokens_alone(fixture, request):
    b = HFBackend.load(str(request.getfixturevalue(fixture)), device="cpu")
    texts = ["a much longer calibration text with many more tokens in it than the rest",
             "a short one", "two", "another short text"]  # fmt: skip
    samples = tokenize(b.tokenizer, texts, 64, "cpu")
    inputs = capture_block_inputs(b.model, samples)
    assert int(inputs.valid.sum()) == sum(x.shape[1] for x in samples)
    assert real_rows(inputs.hidden, inputs.valid).shape[0] == int(inputs.valid.sum())
    ids, positions, valid = pack_rows(samples)
    assert ids.shape[0] < len(samples)  # the short ones share a row
    with torch.no_grad():  # through every block: packing and padding never reach a sample
        packed = b.model(ids, position_ids=positions, use_cache=False).logits
        padded_ids, padded_valid = pad_batch(samples)
        padded = b.model(padded_ids, use_cache=False).logits
        alone = [b.model(x, use_cache=False).logits[0] for x in samples]
    segments = []  # (row, start, length) of each packed sample, in row order
    for r in range(ids.shape[0]):
        starts = [c for c in range(ids.shape[1]) if valid[r, c] and positions[r, c] == 0]
        ends = [*starts[1:], int(valid[r].sum())]
        segments += [(r, a, z - a) for a, z in zip(starts, ends, strict=True)]
    by_ids = {tuple(x[0].tolist()): i for i, x in enumerate(samples)}
    honoured = True
    for r, a, n in segments:
        i = by_ids[tuple(ids[r, a : a + n].tolist())]
        honoured &= torch.allclose(packed[r, a : a + n], alone[i], atol=1e-4)
    assert honoured  # both architectures keep packed samples apart
    assert inputs.hidden.shape[0] == ids.shape[0]  # ... so the capture uses packing
    for i in range(len(samples)):
        assert torch.allclose(padded[i][padded_valid[i]], alone[i], atol=1e-4)


def test_models_that_ignore_packing_get_a_padded_batch(tiny_llama, monkeypatch):
    """Where block 0's mask would let packed samples see each other, calibration falls back
    to one padded row per sample, and the calibrated methods still hit their targets."""
    from reasoning.prune import calibration, prune

    b = HFBackend.load(str(tiny_llama), device="cpu")
    texts = ["a much longer calibration text with many more tokens", "short", "two words"]
    samples = tokenize(b.tokenizer, texts, 64, "cpu")
    monkeypatch.setattr(calibration, "_packing_honoured", lambda inputs, positions: False)
    inputs = capture_block_inputs(b.model, samples)
    assert inputs.hidden.shape[0] == len(samples)
    assert inputs.valid.sum(1).tolist() == [x.shape[1] for x in samples]
    report = prune(b.model, "wanda", 0.5, calibration=texts, tokenizer=b.tokenizer)
    assert all(abs(m.actual - 0.5) < 0.01 for m in report.matrices)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), rows=st.integers(1, 9), cols=st.integers(1, 9),
       dim=st.sampled_from([0, 1]), data=st.data())  # fmt: skip
def test_cpu_kth_value_matches_torch_kthvalue(seed, rows, cols, dim, data):
    from reasoning.prune.masks import _kth_smallest

    scores = torch.randint(0, 5, (rows, cols), generator=torch.Generator().manual_seed(seed))
    scores = scores.float()
    k = data.draw(st.integers(1, scores.shape[dim]))
    want = torch.kthvalue(scores, k, dim=dim, keepdim=True).values
    assert torch.equal(_kth_smallest(scores, k, dim), want)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), batch=st.integers(1, 6), width=st.integers(1, 9),
       rows=st.integers(1, 20))  # fmt: skip
def test_row_chunks_cover_exactly_the_real_rows(seed, batch, width, rows):
    from reasoning.prune.calibration import real_row_chunks

    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, width, 3, generator=gen)
    valid = torch.rand(batch, width, generator=gen) < 0.7
    chunks = list(real_row_chunks(x, valid, rows))
    assert torch.equal(torch.cat(chunks), real_rows(x, valid))
    assert all(c.shape[0] <= max(rows, width) for c in chunks)
