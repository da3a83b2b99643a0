"""Structured pruning that leaves a smaller model which still reloads with from_pretrained:
attention heads (whole KV groups under grouped-query attention), MLP channels, and whole
decoder layers by Block Influence (ShortGPT). Importance of a head or channel is
activation-aware: sum over its input columns j of ||X_j||_2 * ||W[:, j]||_2 at the output
projection, gathered on the calibration texts."""

from __future__ import annotations

import torch
from torch import nn

from reasoning.core import ConfigError
from reasoning.prune.layers import conv1d_type, decoder_blocks, out_in


def _column_norms(model, samples, modules: list[nn.Module]) -> list[torch.Tensor]:
    """||X_j||_2 of each module's input columns over all calibration tokens."""
    sums = [None] * len(modules)

    def hook(i):
        def f(_mod, args, _out):
            x = args[0].reshape(-1, args[0].shape[-1]).double()
            s = (x * x).sum(0)
            sums[i] = s if sums[i] is None else sums[i] + s

        return f

    handles = [mod.register_forward_hook(hook(i)) for i, mod in enumerate(modules)]
    try:
        with torch.inference_mode():
            for ids in samples:
                model(ids, use_cache=False)
    finally:
        for h in handles:
            h.remove()
    return [torch.sqrt(s).float() for s in sums]


def _shrink(module: nn.Module, keep: torch.Tensor, dim: str) -> nn.Module:
    """A copy of a Linear/Conv1D keeping `keep` output rows (dim='out') or input columns."""
    w = out_in(module)
    bias = getattr(module, "bias", None)
    w2 = w[keep] if dim == "out" else w[:, keep]
    b2 = (bias.data[keep] if dim == "out" else bias.data) if bias is not None else None
    conv = conv1d_type()
    if conv and isinstance(module, conv):
        new = conv(w2.shape[0], w2.shape[1])
        new.weight.data = w2.t().contiguous()
        new.bias.data = b2.clone() if b2 is not None else torch.zeros(w2.shape[0])
    else:
        new = nn.Linear(w2.shape[1], w2.shape[0], bias=b2 is not None)
        new.weight.data = w2.contiguous().clone()
        if b2 is not None:
            new.bias.data = b2.clone()
    return new.to(w.device, w.dtype)


def _keep_count(total: int, sparsity: float, what: str) -> int:
    keep = total - round(total * sparsity)
    if keep < 1:
        raise ConfigError(f"sparsity {sparsity} would remove every {what}")
    return keep


def prune_heads(model, samples, sparsity: float) -> dict:
    blocks, path = decoder_blocks(model)
    cfg = model.config
    if path == "transformer.h":
        return _zero_gpt2_heads(model, blocks, samples, sparsity)
    heads, kv = cfg.num_attention_heads, cfg.num_key_value_heads
    dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // heads
    per_group = heads // kv
    keep = _keep_count(kv, sparsity, "key/value head group")
    norms = _column_norms(model, samples, [b.self_attn.o_proj for b in blocks])
    removed = {}
    for i, (b, xn) in enumerate(zip(blocks, norms, strict=True)):
        attn = b.self_attn
        col = out_in(attn.o_proj).norm(dim=0) * xn
        score = col.reshape(kv, per_group * dim).sum(1)
        groups = sorted(torch.argsort(score, descending=True)[:keep].tolist())
        removed[i] = sorted(set(range(kv)) - set(groups))
        q_rows = torch.tensor(
            [g * per_group * dim + j for g in groups for j in range(per_group * dim)]
        )
        kv_rows = torch.tensor([g * dim + j for g in groups for j in range(dim)])
        attn.q_proj = _shrink(attn.q_proj, q_rows, "out")
        attn.k_proj = _shrink(attn.k_proj, kv_rows, "out")
        attn.v_proj = _shrink(attn.v_proj, kv_rows, "out")
        attn.o_proj = _shrink(attn.o_proj, q_rows, "in")
        for name, value in (("num_heads", keep * per_group), ("num_key_value_heads", keep)):
            if hasattr(attn, name):
                setattr(attn, name, value)
    cfg.head_dim = dim
    cfg.num_attention_heads, cfg.num_key_value_heads = keep * per_group, keep
    return {"unit": "key/value group", "removed": removed, "kept_per_layer": keep, "of": kv}


def _zero_gpt2_heads(model, blocks, samples, sparsity: float) -> dict:
    """GPT-2 heads cannot be removed from the shape (its attention needs n_embd = n_head x
    head_dim, and transformers 5 dropped `prune_heads`): zero a pruned head's q/k/v columns
    and biases and its rows of c_proj, so the head's output is exactly zero."""
    cfg = model.config
    heads, dim = cfg.n_head, cfg.n_embd // cfg.n_head
    norms = _column_norms(model, samples, [b.attn.c_proj for b in blocks])
    keep = _keep_count(heads, sparsity, "attention head")
    removed = {}
    for i, (b, xn) in enumerate(zip(blocks, norms, strict=True)):
        score = (out_in(b.attn.c_proj).norm(dim=0) * xn).reshape(heads, dim).sum(1)
        removed[i] = sorted(torch.argsort(score)[: heads - keep].tolist())
        for h in removed[i]:
            for part in range(3):  # q, k, v blocks of c_attn's output columns
                cols = slice(part * cfg.n_embd + h * dim, part * cfg.n_embd + (h + 1) * dim)
                b.attn.c_attn.weight.data[:, cols] = 0
                b.attn.c_attn.bias.data[cols] = 0
            b.attn.c_proj.weight.data[h * dim : (h + 1) * dim, :] = 0
    return {"unit": "head", "removed": removed, "kept_per_layer": keep, "of": heads,
            "note": "GPT-2: pruned heads are zeroed in place; the shape is unchanged"}  # fmt: skip


def prune_channels(model, samples, sparsity: float) -> dict:
    blocks, path = decoder_blocks(model)
    cfg = model.config
    if path == "transformer.h":
        downs = [b.mlp.c_proj for b in blocks]
    else:
        downs = [b.mlp.down_proj for b in blocks]
    width = out_in(downs[0]).shape[1]
    keep = _keep_count(width, sparsity, "MLP channel")
    norms = _column_norms(model, samples, downs)
    for b, down, xn in zip(blocks, downs, norms, strict=True):
        score = out_in(down).norm(dim=0) * xn
        kept = torch.sort(torch.argsort(score, descending=True)[:keep]).values
        mlp = b.mlp
        if path == "transformer.h":
            mlp.c_fc = _shrink(mlp.c_fc, kept, "out")
            mlp.c_proj = _shrink(mlp.c_proj, kept, "in")
        else:
            mlp.gate_proj = _shrink(mlp.gate_proj, kept, "out")
            mlp.up_proj = _shrink(mlp.up_proj, kept, "out")
            mlp.down_proj = _shrink(mlp.down_proj, kept, "in")
        if hasattr(mlp, "intermediate_size"):
            mlp.intermediate_size = keep
    if path == "transformer.h":
        cfg.n_inner = keep
    else:
        cfg.intermediate_size = keep
    return {"unit": "channel", "kept_per_layer": keep, "of": width}


def block_influence(model, samples) -> list[float]:
    """ShortGPT's Block Influence per layer: 1 - mean cosine(input, output) over tokens."""
    blocks, _ = decoder_blocks(model)
    totals = [0.0] * len(blocks)
    count = 0

    def hook(i):
        def f(_mod, args, kwargs, out):
            h_in = args[0] if args else kwargs["hidden_states"]
            h_out = out[0] if isinstance(out, tuple) else out
            cos = torch.nn.functional.cosine_similarity(h_in.float(), h_out.float(), dim=-1)
            totals[i] += float((1 - cos).sum())

        return f

    handles = [b.register_forward_hook(hook(i), with_kwargs=True) for i, b in enumerate(blocks)]
    try:
        with torch.inference_mode():
            for ids in samples:
                model(ids, use_cache=False)
                count += ids.shape[1]
    finally:
        for h in handles:
            h.remove()
    return [t / max(1, count) for t in totals]


def prune_layers(model, samples, sparsity: float) -> dict:
    blocks, path = decoder_blocks(model)
    cfg = model.config
    keep = _keep_count(len(blocks), sparsity, "layer")
    influence = block_influence(model, samples)
    kept = sorted(torch.argsort(torch.tensor(influence), descending=True)[:keep].tolist())
    new = nn.ModuleList([blocks[i] for i in kept])
    for idx, block in enumerate(new):
        for module in block.modules():
            if hasattr(module, "layer_idx"):
                module.layer_idx = idx
    parent = model
    for part in path.split(".")[:-1]:
        parent = getattr(parent, part)
    setattr(parent, path.split(".")[-1], new)
    if path == "transformer.h":
        cfg.n_layer = keep
    else:
        cfg.num_hidden_layers = keep
    if isinstance(getattr(cfg, "layer_types", None), list):
        cfg.layer_types = [cfg.layer_types[i] for i in kept]
    removed = sorted(set(range(len(blocks))) - set(kept))
    return {
        "unit": "layer",
        "removed": removed,
        "block_influence": [round(x, 5) for x in influence],
    }
