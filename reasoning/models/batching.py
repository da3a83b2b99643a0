"""Greedy decoding of prompts of any lengths together, with each prompt's output
independent of which other prompts share its batch.

How (measured on CPU float32, see benchmarks/eval_vs_lmeval.py):
- each prompt is prefilled alone (no padding; the prefill is a function of the prompt);
- the decode steps of a batch run together over one left-padded KV cache, with explicit
  position ids, and attention computed row by row over each row's own keys only (one
  small SDPA call per row and layer), so padding never enters a row's arithmetic;
- the decode batch is padded with idle rows to a multiple of `DECODE_ROWS`: CPU GEMM
  kernels (MKL) give a row different last bits depending on the row count and on whether
  the row falls in a full register tile (1 row: GEMV; a remainder tile: another kernel),
  so every row is kept in a full tile of a GEMM of the same kind.

This is exact on CPU (tested: tests/models/test_batch_invariance.py). On CUDA the GEMM
kernel choice also depends on the row count, so there it is invariant only up to the
last bits, like any batched decoding.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from transformers import AttentionInterface
from transformers.cache_utils import DynamicCache

ROWWISE = "reasoning-rowwise-sdpa"
DECODE_ROWS = 8  # decode batches are padded to a multiple of this many rows


def _rowwise_attention(
    module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs
) -> tuple[torch.Tensor, None]:
    """Attention for one decode step: row b attends to key[b, :, starts[b]:] only (its own
    tokens in a left-padded cache); rows with no tokens (idle) give zeros. Returns the
    (batch, 1, heads, head_dim) output HF attention functions return."""
    starts: list[int] = kwargs["row_starts"]
    batch, heads, q_len, dim = query.shape
    out = query.new_zeros(batch, q_len, heads, dim)
    for b, start in enumerate(starts):
        if start >= key.shape[2]:
            continue
        row = F.scaled_dot_product_attention(
            query[b : b + 1],
            key[b : b + 1, :, start:],
            value[b : b + 1, :, start:],
            scale=scaling,
            enable_gqa=key.shape[1] != heads,
        )
        out[b] = row[0].transpose(0, 1)
    return out, None


AttentionInterface.register(ROWWISE, _rowwise_attention)


def _prefill(model, ids: list[int]) -> tuple[int, list[tuple[torch.Tensor, torch.Tensor]]]:
    """Run one prompt alone: (greedy first token, per-layer (keys, values))."""
    device = next(model.parameters()).device
    out = model(input_ids=torch.tensor([ids], device=device), use_cache=True, logits_to_keep=1)
    first = int(out.logits[0, -1].argmax())
    cache = out.past_key_values
    if hasattr(cache, "layers"):
        return first, [(layer.keys, layer.values) for layer in cache.layers]
    return first, list(zip(cache.key_cache, cache.value_cache, strict=True))  # transformers<4.56


def _merge(caches: list[list[tuple[torch.Tensor, torch.Tensor]]], rows: int) -> DynamicCache:
    """One left-padded cache of `rows` rows (idle rows all padding) from per-prompt caches."""
    longest = max(kv[0][0].shape[2] for kv in caches)
    merged = DynamicCache()
    for layer in range(len(caches[0])):
        k0, v0 = caches[0][layer]
        keys = k0.new_zeros(rows, k0.shape[1], longest, k0.shape[3])
        values = v0.new_zeros(rows, v0.shape[1], longest, v0.shape[3])
        for b, kv in enumerate(caches):
            length = kv[layer][0].shape[2]
            keys[b, :, longest - length :] = kv[layer][0][0]
            values[b, :, longest - length :] = kv[layer][1][0]
        merged.update(keys, values, layer)
    return merged


def _cache_argument(model) -> str:
    """The forward argument that takes a cache (`cache` from transformers 5.x on)."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def greedy_batch(
    model,
    prompts: Sequence[list[int]],
    max_new_tokens: int,
    pad_id: int,
    finished: Callable[[int, list[int]], bool],
) -> list[list[int]]:
    """Greedy continuations (token ids, at most `max_new_tokens`) of token-id prompts.
    `finished(i, tokens)` says when prompt i's continuation is complete (end of text, a
    stop string); its tokens are then frozen. Cost: one prefill per prompt plus
    `max_new_tokens - 1` decode steps over ceil(n / DECODE_ROWS) * DECODE_ROWS rows."""
    device = next(model.parameters()).device
    n = len(prompts)
    rows = -(-n // DECODE_ROWS) * DECODE_ROWS
    outputs: list[list[int]] = []
    caches = []
    for ids in prompts:
        first, kv = _prefill(model, ids)
        outputs.append([first])
        caches.append(kv)
    cache = _merge(caches, rows)
    del caches
    longest = cache.get_seq_length()
    lengths = [len(ids) for ids in prompts]
    done = [finished(i, outputs[i]) for i in range(n)]
    previous = model.config._attn_implementation
    model.config._attn_implementation = ROWWISE
    try:
        for step in range(1, max_new_tokens):
            if all(done):
                break
            idle = longest + max_new_tokens  # past the cache's end: the row is skipped
            # appended tokens go to the end, so a row's tokens start where its prompt did
            starts = [longest - lengths[b] if b < n and not done[b] else idle for b in range(rows)]
            last = [out[-1] for out in outputs] + [pad_id] * (rows - n)
            positions = [lengths[b] + step - 1 if b < n else 0 for b in range(rows)]
            logits = model(
                input_ids=torch.tensor(last, device=device)[:, None],
                position_ids=torch.tensor(positions, device=device)[:, None],
                **{_cache_argument(model): cache},
                use_cache=True,
                row_starts=starts,
            ).logits[:, -1]
            nxt = logits[:n].argmax(dim=-1).tolist()
            for b in range(n):
                if not done[b]:
                    outputs[b].append(nxt[b])
                    done[b] = finished(b, outputs[b])
    finally:
        model.config._attn_implementation = previous
    return outputs
