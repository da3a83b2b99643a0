"""Calibration data and block-by-block activations.

Texts default to the suite's own generated instances (no C4 download). Each text is one
sequence; all of them run as one right-padded batch. Activations are gathered block by block
on the already-pruned model, as Wanda and SparseGPT do: the inputs of block i+1 are the
outputs of the pruned block i.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from reasoning.prune.layers import decoder_blocks

DEFAULT_FAMILIES = ("nlsat", "logicasker", "fol", "pbe")


def default_texts(n: int, seed: int = 0) -> list[str]:
    """n prompts+answers from the suite's own families, round robin."""
    import reasoning

    texts = []
    per = -(-n // len(DEFAULT_FAMILIES))
    for family in DEFAULT_FAMILIES:
        for item in reasoning.generate(family, per, seed):
            answer = item.answer if isinstance(item.answer, str) else str(item.answer)
            texts.append(f"{item.prompt}\n{answer}")
    return texts[:n]


def texts_hash(texts: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for t in texts:
        digest.update(t.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def tokenize(tokenizer, texts: Sequence[str], max_len: int, device) -> list[torch.Tensor]:
    """One [1, L] id tensor per text, truncated to max_len tokens."""
    return [torch.tensor([tokenizer(t)["input_ids"][:max_len]], device=device) for t in texts if t]


class _Stop(Exception):
    pass


@dataclass
class BlockInputs:
    """What block 0 receives for the whole calibration set, as one right-padded batch:
    hidden states [B, L, d], the block's keyword arguments, and which positions are real
    tokens ([B, L] bool). Right padding never changes a real token's hidden state (causal
    attention only looks left), and statistics skip the padded positions."""

    hidden: torch.Tensor
    kwargs: dict
    valid: torch.Tensor


def pad_batch(samples: list[torch.Tensor], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """[1, L_i] id tensors -> right-padded ids [B, max L] and the real-token mask."""
    longest = max(x.shape[1] for x in samples)
    device = samples[0].device
    ids = torch.full((len(samples), longest), pad_id, dtype=samples[0].dtype, device=device)
    valid = torch.zeros((len(samples), longest), dtype=torch.bool, device=device)
    for i, x in enumerate(samples):
        ids[i, : x.shape[1]] = x[0]
        valid[i, : x.shape[1]] = True
    return ids, valid


def capture_block_inputs(model: nn.Module, samples: list[torch.Tensor]) -> BlockInputs:
    """Run the model up to block 0 once, on all samples as one padded batch, and keep
    block 0's inputs."""
    blocks, _ = decoder_blocks(model)
    ids, valid = pad_batch(samples)
    seen: dict = {}

    def grab(_module, args, kw):
        seen["hidden"] = args[0] if args else kw.pop("hidden_states")
        seen["kwargs"] = {k: v for k, v in kw.items() if k != "hidden_states"}
        raise _Stop

    handle = blocks[0].register_forward_pre_hook(grab, with_kwargs=True)
    try:
        with torch.no_grad():
            try:
                model(ids, use_cache=False)
            except _Stop:
                pass
    finally:
        handle.remove()
    return BlockInputs(seen["hidden"], seen["kwargs"], valid)


def real_rows(x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """A module input [B, L, d] as [real tokens, d] (padded positions dropped)."""
    if x.dim() == 3 and x.shape[:2] == valid.shape:
        return x[valid]
    return x.reshape(-1, x.shape[-1])


def iter_blocks(model: nn.Module) -> Iterator[tuple[int, nn.Module, str]]:
    blocks, path = decoder_blocks(model)
    for i, block in enumerate(blocks):
        yield i, block, f"{path}.{i}"
