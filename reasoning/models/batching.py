"""Greedy decoding of prompts of any lengths together, with each prompt's output
independent of which other prompts share its batch.

How (measured on CPU float32, see benchmarks/eval_vs_lmeval.py):
- the prompts are prefilled packed end to end into one sequence (`PACK_TOKENS` at most
  per forward pass), each attending causally to its own tokens only (one SDPA call per
  prompt and layer), with its own position ids; a pack shorter than `PACK_MIN` rows is
  filled up with a dummy segment. Every other operation of a decoder layer acts on each
  token's row alone, and a CPU GEMM gives a row the same bits at every position of any
  row count >= 16 (MKL, AMD EPYC, 2 threads: tested at 16..3008 rows), so a prompt's
  prefill does not depend on its neighbours, while short prompts share one efficient GEMM
  (padding-free, unlike a padded batch);
- the decode steps of a batch run together over one left-padded KV cache, with explicit
  position ids, and attention computed row by row over each row's own keys only (one
  small SDPA call per row and layer), so padding never enters a row's arithmetic;
- on CPU the linear layers of a decode step are computed as W @ x^T rather than x @ W^T:
  for few rows the CPU GEMM reads the weights up to twice as fast (SmolLM2's 576 x 49152
  output layer on 8 rows, 2 threads: 18 ms against 44 ms; its other layers 1.6x), and a
  decode step is bound by reading the weights;
- the decode batch is padded with idle rows to a multiple of `DECODE_ROWS`: a GEMM gives
  a row different last bits depending on the row count and on whether the row falls in a
  full register tile (1 row: GEMV; a remainder tile: another kernel). In the W @ x^T form
  a row's bits were found equal at every position of every multiple of 16 rows (16 to
  256), but not between 8 rows and 16.

This is exact on CPU (tested: tests/models/test_batch_invariance.py). On CUDA the GEMM
kernel choice also depends on the row count, so there it is invariant only up to the
last bits, like any batched decoding.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn
from transformers import AttentionInterface
from transformers.cache_utils import DynamicCache

try:
    from transformers.cache_utils import DynamicLayer
except ImportError:  # transformers < 4.56: caches are lists of tensors, no layer objects
    DynamicLayer = object

ROWWISE = "reasoning-rowwise-sdpa"
PACKED = "reasoning-packed-sdpa"
DECODE_ROWS = 16  # decode batches are padded to a multiple of this many rows
PACK_MIN = 16  # a prefill GEMM has at least this many rows
PACK_TOKENS = 4096  # prompts packed into one prefill forward pass, at most (unless longer)


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


def supports(model, length: int) -> bool:
    """Whether `greedy_batch` computes this model's attention for sequences of `length`
    tokens: plain causal softmax attention. Not: attention logit soft-capping (Gemma 2), or
    a sliding window shorter than the sequence (the model's own code applies those)."""
    config = model.config
    if hasattr(config, "get_text_config"):
        config = config.get_text_config()
    if getattr(config, "attn_logit_softcapping", None):
        return False
    window = getattr(config, "sliding_window", None)
    sliding = "sliding_attention" in (getattr(config, "layer_types", None) or ())
    if window and (sliding or getattr(config, "use_sliding_window", True)):
        return length <= window
    return True


def _packed_attention(
    module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs
) -> tuple[torch.Tensor, None]:
    """Attention for a packed prefill: the tokens of segment [a, b) attend causally to
    key[:, :, a:b] only. Returns the (1, tokens, heads, head_dim) output."""
    segments: list[tuple[int, int]] = kwargs["segments"]
    _, heads, tokens, dim = query.shape
    out = query.new_empty(1, tokens, heads, dim)
    for a, b in segments:
        part = F.scaled_dot_product_attention(
            query[:, :, a:b],
            key[:, :, a:b],
            value[:, :, a:b],
            is_causal=True,
            scale=scaling,
            enable_gqa=key.shape[1] != heads,
        )
        out[0, a:b] = part[0].transpose(0, 1)
    return out, None


AttentionInterface.register(PACKED, _packed_attention)

KV = list[tuple[torch.Tensor, torch.Tensor]]  # per layer: (keys, values), 1 x heads x len x dim


def _packs(prompts: Sequence[list[int]]) -> list[list[int]]:
    """Indices of the prompts, in order, in groups of at most PACK_TOKENS tokens (a longer
    prompt alone)."""
    packs: list[list[int]] = [[]]
    size = 0
    for i, ids in enumerate(prompts):
        if packs[-1] and size + len(ids) > PACK_TOKENS:
            packs.append([])
            size = 0
        packs[-1].append(i)
        size += len(ids)
    return packs


def _prefill(model, prompts: Sequence[list[int]], pad_id: int) -> tuple[list[int], list[KV]]:
    """Prefill the prompts packed (see the module docstring): each one's greedy first token
    and its per-layer (keys, values)."""
    device = next(model.parameters()).device
    firsts: list[int] = []
    caches: list[KV] = []
    for pack in _packs(prompts):
        ids: list[int] = []
        positions: list[int] = []
        segments: list[tuple[int, int]] = []
        for i in pack:
            segments.append((len(ids), len(ids) + len(prompts[i])))
            ids += prompts[i]
            positions += range(len(prompts[i]))
        real = len(segments)
        if len(ids) < PACK_MIN:
            segments.append((len(ids), PACK_MIN))
            positions += range(PACK_MIN - len(ids))
            ids += [pad_id] * (PACK_MIN - len(ids))
        ends = [b - 1 for _, b in segments[:real]]
        ends += [ends[-1]] * (-len(ends) % PACK_MIN)  # the output layer's rows, too
        out = model(
            input_ids=torch.tensor([ids], device=device),
            position_ids=torch.tensor([positions], device=device),
            use_cache=True,
            logits_to_keep=torch.tensor(ends, device=device),
            segments=segments,
        )
        firsts += out.logits[0, :real].argmax(dim=-1).tolist()
        cache = out.past_key_values
        if hasattr(cache, "layers"):
            layers = [(layer.keys, layer.values) for layer in cache.layers]
        else:  # transformers < 4.56
            layers = list(zip(cache.key_cache, cache.value_cache, strict=True))
        caches += [[(k[:, :, a:b], v[:, :, a:b]) for k, v in layers] for a, b in segments[:real]]
    return firsts, caches


class _PreallocatedLayer(DynamicLayer):
    """A cache layer over key and value buffers with room for the whole decode: a step
    writes its new column in place (transformers' DynamicLayer concatenates, copying the
    whole cache every step: 40 % of a 16-row SmolLM2 decode step)."""

    def __init__(self, keys: torch.Tensor, values: torch.Tensor, length: int) -> None:
        """`keys`, `values`: the buffers (batch x heads x capacity x dim), filled up to
        `length`."""
        super().__init__()
        self.buffers = [keys, values]
        self.keys, self.values = keys[:, :, :length], values[:, :, :length]
        self.is_initialized = True
        self.device = keys.device

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args, **kwargs):
        """Write the new tokens after the filled part; `keys`/`values` stay views of the
        filled part, so DynamicLayer's lengths and mask sizes hold as they are."""
        start = self.keys.shape[-2]
        end = start + key_states.shape[-2]
        self.buffers[0][:, :, start:end] = key_states
        self.buffers[1][:, :, start:end] = value_states
        self.keys, self.values = (b[:, :, :end] for b in self.buffers)
        return self.keys, self.values


def _merge(caches: list[KV], rows: int, room: int) -> DynamicCache:
    """One left-padded cache of `rows` rows (idle rows all padding) from per-prompt caches,
    with room for `room` more tokens."""
    longest = max(kv[0][0].shape[2] for kv in caches)
    merged = DynamicCache()
    preallocated = hasattr(merged, "layers")  # transformers < 4.56: a plain DynamicCache
    capacity = longest + room if preallocated else longest
    layers = []
    for layer in range(len(caches[0])):
        k0, v0 = caches[0][layer]
        keys = k0.new_zeros(rows, k0.shape[1], capacity, k0.shape[3])
        values = v0.new_zeros(rows, v0.shape[1], capacity, v0.shape[3])
        for b, kv in enumerate(caches):
            length = kv[layer][0].shape[2]
            keys[b, :, longest - length : longest] = kv[layer][0][0]
            values[b, :, longest - length : longest] = kv[layer][1][0]
        if preallocated:
            layers.append(_PreallocatedLayer(keys, values, longest))
        else:
            merged.update(keys, values, layer)
    if layers:
        merged.layers = layers
    return merged


def _weights_first(module: nn.Linear, x: torch.Tensor) -> torch.Tensor:
    """`module(x)`, computed as (W @ x^T)^T."""
    flat = x.reshape(-1, x.shape[-1])
    out = torch.mm(module.weight, flat.t()).t().contiguous()
    if module.bias is not None:
        out = out + module.bias
    return out.reshape(*x.shape[:-1], out.shape[-1])


@contextmanager
def _attention(model, implementation: str) -> Iterator[None]:
    """While inside, the model's attention is `implementation`."""
    previous = model.config._attn_implementation
    model.config._attn_implementation = implementation
    try:
        yield
    finally:
        model.config._attn_implementation = previous


@contextmanager
def _weights_first_linears(model) -> Iterator[None]:
    """While inside, the model's plain `nn.Linear` layers compute as `_weights_first` (on
    CPU; on CUDA the library's GEMM choice is already right for few rows)."""
    if next(model.parameters()).device.type != "cpu":
        yield
        return
    plain = [m for m in model.modules() if type(m) is nn.Linear]
    for m in plain:
        m.forward = _weights_first.__get__(m)
    try:
        yield
    finally:
        for m in plain:
            m.__dict__.pop("forward", None)


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
    stop string); its tokens are then frozen. Cost: a packed prefill per PACK_TOKENS prompt
    tokens, then up to `max_new_tokens - 1` decode steps over ceil(n / DECODE_ROWS) *
    DECODE_ROWS rows."""
    with _attention(model, PACKED):
        firsts, caches = _prefill(model, prompts, pad_id)
    outputs = [[first] for first in firsts]
    done = [finished(i, outputs[i]) for i in range(len(prompts))]
    if all(done) or max_new_tokens <= 1:
        return outputs
    rows = -(-len(prompts) // DECODE_ROWS) * DECODE_ROWS
    cache = _merge(caches, rows, max_new_tokens)
    del caches
    lengths = [len(ids) for ids in prompts]
    with _attention(model, ROWWISE), _weights_first_linears(model):
        _decode(model, cache, rows, lengths, outputs, done, max_new_tokens, pad_id, finished)
    return outputs


def _decode(model, cache, rows, lengths, outputs, done, max_new_tokens, pad_id, finished) -> None:
    """The decode steps of `greedy_batch` over a `rows`-row cache: append each prompt's
    next token to its `outputs` row until every row is `done`."""
    device = next(model.parameters()).device
    n, longest = len(lengths), cache.get_seq_length()
    for step in range(1, max_new_tokens):
        if all(done):
            return
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
