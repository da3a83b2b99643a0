"""Calibration data and block-by-block activations.

Texts default to the suite's own generated instances (no C4 download). Each text is one
sequence (no padding). Activations are gathered block by block on the already-pruned model,
as Wanda and SparseGPT do: the inputs of block i+1 are the outputs of the pruned block i.
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
    """What block 0 receives for each sample: hidden states and keyword arguments."""

    hidden: list[torch.Tensor]
    kwargs: list[dict]


def capture_block_inputs(model: nn.Module, samples: list[torch.Tensor]) -> BlockInputs:
    """Run the model up to block 0 for each sample and keep block 0's inputs."""
    blocks, _ = decoder_blocks(model)
    hidden: list[torch.Tensor] = []
    kwargs: list[dict] = []

    def grab(_module, args, kw):
        hidden.append(args[0] if args else kw.pop("hidden_states"))
        kwargs.append({k: v for k, v in kw.items() if k != "hidden_states"})
        raise _Stop

    handle = blocks[0].register_forward_pre_hook(grab, with_kwargs=True)
    try:
        with torch.inference_mode():
            for ids in samples:
                try:
                    model(ids, use_cache=False)
                except _Stop:
                    pass
    finally:
        handle.remove()
    return BlockInputs(hidden, kwargs)


def run_block(block: nn.Module, inputs: BlockInputs) -> list[torch.Tensor]:
    """The block's output hidden states for every sample."""
    outs = []
    with torch.inference_mode():
        for h, kw in zip(inputs.hidden, inputs.kwargs, strict=True):
            out = block(h, **kw)
            outs.append(out[0] if isinstance(out, tuple) else out)
    return outs


def iter_blocks(model: nn.Module) -> Iterator[tuple[int, nn.Module, str]]:
    blocks, path = decoder_blocks(model)
    for i, block in enumerate(blocks):
        yield i, block, f"{path}.{i}"
