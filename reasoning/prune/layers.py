"""Where the prunable matrices are: decoder blocks and their linear maps, for Llama-style
(nn.Linear, weight [out, in]) and GPT-2-style (transformers Conv1D, weight [in, out])
models. `lm_head` and embeddings are never listed: they stay dense."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


def conv1d_type():
    try:
        from transformers.pytorch_utils import Conv1D
    except ImportError:  # pragma: no cover - very old transformers
        return ()
    return Conv1D


def out_in(module: nn.Module) -> torch.Tensor:
    """A Linear or Conv1D weight as [out, in] (a transposed view for Conv1D)."""
    w = module.weight.data
    conv = conv1d_type()
    return w.t() if conv and isinstance(module, conv) else w


@dataclass
class Matrix:
    """One prunable weight. `weight()` returns it as [out, in] (a view for nn.Linear, a
    transposed view for Conv1D), so every method sees the same orientation."""

    name: str
    module: nn.Module
    transposed: bool

    def weight(self) -> torch.Tensor:
        w = self.module.weight.data
        return w.t() if self.transposed else w

    def set_weight(self, w_out_in: torch.Tensor) -> None:
        target = self.module.weight.data
        target.copy_(w_out_in.t() if self.transposed else w_out_in)

    @property
    def in_features(self) -> int:
        return self.weight().shape[1]


def decoder_blocks(model: nn.Module) -> tuple[nn.ModuleList, str]:
    """The decoder blocks and their attribute path ('model.layers' or 'transformer.h')."""
    for path in ("model.layers", "transformer.h", "gpt_neox.layers", "model.decoder.layers"):
        obj = model
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if isinstance(obj, nn.ModuleList):
            return obj, path
    raise ValueError(f"unsupported model {type(model).__name__}: no decoder blocks found")


def block_matrices(block: nn.Module, prefix: str) -> list[Matrix]:
    """Every linear map inside one decoder block, in module order."""
    conv = conv1d_type()
    out = []
    for name, module in block.named_modules():
        if isinstance(module, nn.Linear):
            out.append(Matrix(f"{prefix}.{name}", module, transposed=False))
        elif conv and isinstance(module, conv):
            out.append(Matrix(f"{prefix}.{name}", module, transposed=True))
    return out


def all_matrices(model: nn.Module) -> list[Matrix]:
    blocks, path = decoder_blocks(model)
    return [m for i, b in enumerate(blocks) for m in block_matrices(b, f"{path}.{i}")]
