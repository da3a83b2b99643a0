"""Calibration data and block-by-block activations.

Texts default to the suite's own generated instances (no C4 download). Each text is one
sequence; all of them run as one batch, short ones packed together into rows. Activations
are gathered block by block on the already-pruned model, as Wanda and SparseGPT do: the
inputs of block i+1 are the outputs of the pruned block i.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from reasoning.prune.layers import decoder_blocks


def default_families() -> tuple[str, ...]:
    """The families whose items calibrate pruning by default, in their declared order
    (`Family.calibration`): nlsat, logicasker, fol, pbe."""
    from reasoning.registry import family_names, get_family

    ranked = [(get_family(n).calibration, n) for n in family_names()]
    return tuple(name for rank, name in sorted((r, n) for r, n in ranked if r is not None))


def __getattr__(name: str):
    if name == "DEFAULT_FAMILIES":  # kept for importers; declared by the families now
        return default_families()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_items(n: int, seed: int = 0) -> list:
    """n items from the suite's own families, family by family, drawn with the reserved
    calibration seed for `seed` (`reasoning.core.seeds`): never an item that a user
    generates for evaluation with any ordinary seed."""
    import reasoning
    from reasoning.core.seeds import calibration_seed

    items = []
    families = default_families()
    per = -(-n // len(families))
    for family in families:
        items.extend(reasoning.generate(family, per, calibration_seed(seed)))
    return items[:n]


TRAINING_RECORD = "training.json"


def training_record(model_dir: str | os.PathLike[str] | None) -> dict | None:
    """The `training.json` a model directory holds (a model `reasoning train` wrote), or
    None: no directory, no record, or one that is not a JSON object."""
    if not model_dir:
        return None
    path = Path(model_dir) / TRAINING_RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def calibration_items(n: int, seed: int = 0, model_dir=None) -> list:
    """What pruning calibrates on by default: for a model that records its training mixture
    (`training.json`), n items of that mixture drawn from the calibration range — the
    distribution the model was trained on, as Wanda and SparseGPT calibrate an LLM on
    pretraining-like text; otherwise `default_items`. Never an evaluation or training item.
    """
    record = training_record(model_dir)
    if record is not None:
        from reasoning.core import ConfigError
        from reasoning.core.seeds import calibration_seed
        from reasoning.train.mixture import mixture_items, recorded_parts

        try:
            parts = recorded_parts(record)
        except ConfigError:
            parts = []
        if parts:
            return mixture_items(parts, n, calibration_seed(seed), seed)
    return default_items(n, seed)


def calibration_text(item) -> str:
    """An item as calibration text: its prompt, then what a model is asked to write for it
    (the family's worked answer, `Family.target`) — the tokens a model's activations see
    when it answers."""
    from reasoning.registry import get_family

    return f"{item.prompt}\n{get_family(item.family).target(item)}"


def item_text(item) -> str:
    """An item as plain text: its prompt, then its gold answer (JSON unless text) — what
    the perplexity signals score (`evals.signals`); pruning reads `calibration_text`."""
    answer = item.answer if isinstance(item.answer, str) else json.dumps(item.answer)
    return f"{item.prompt}\n{answer}"


def default_texts(n: int, seed: int = 0) -> list[str]:
    """n prompts+gold answers from `default_items` (the texts a peer pruner is given in
    benchmarks/prune_vs_llmcompressor.py, the same for both sides)."""
    return [item_text(item) for item in default_items(n, seed)]


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
    """What block 0 receives for the whole calibration set in one batch: hidden states
    [R, W, d] (samples packed into rows, or one right-padded row each), the block's keyword
    arguments (position ids, the attention mask that keeps packed samples apart), and which
    positions are real tokens ([R, W] bool); statistics skip the others."""

    hidden: torch.Tensor
    kwargs: dict
    valid: torch.Tensor
    args: tuple = ()  # positional arguments after the hidden states (GPT-2 passes its mask so)


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


def pack_rows(samples: list[torch.Tensor], pad_id: int = 0):
    """Pack [1, L_i] id tensors into as few rows of the longest length as first-fit
    decreasing allows: ids [R, W], position ids restarting at 0 for each sample (how
    transformers recognises packed sequences and keeps them from attending to each
    other), and the real-token mask. Padding sits at row ends, continuing the last
    sample's positions, where no real token can see it."""
    width = max(x.shape[1] for x in samples)
    order = sorted(range(len(samples)), key=lambda i: (-samples[i].shape[1], i))
    rows: list[list[int]] = []
    room: list[int] = []
    for i in order:
        size = samples[i].shape[1]
        slot = next((r for r, free in enumerate(room) if free >= size), None)
        if slot is None:
            rows.append([])
            room.append(width)
            slot = len(rows) - 1
        rows[slot].append(i)
        room[slot] -= size
    device, dtype = samples[0].device, samples[0].dtype
    ids = torch.full((len(rows), width), pad_id, dtype=dtype, device=device)
    positions = torch.zeros((len(rows), width), dtype=torch.long, device=device)
    valid = torch.zeros((len(rows), width), dtype=torch.bool, device=device)
    for r, members in enumerate(rows):
        at = 0
        for i in members:
            size = samples[i].shape[1]
            ids[r, at : at + size] = samples[i][0]
            positions[r, at : at + size] = torch.arange(size, device=device)
            valid[r, at : at + size] = True
            at += size
        last = int(positions[r, at - 1]) if at else -1
        positions[r, at:] = torch.arange(last + 1, last + 1 + width - at, device=device)
    return ids, positions, valid


def _packing_honoured(inputs: BlockInputs, positions: torch.Tensor) -> bool:
    """Whether block 0's attention mask keeps the second sample of a packed row from
    seeing the first (transformers builds such a mask from restarting position ids)."""
    restarts = (positions[:, 1:] == 0).nonzero()
    if restarts.numel() == 0:
        return True
    width = positions.shape[1]
    candidates = [inputs.kwargs.get("attention_mask"), *inputs.args]
    masks = [
        m
        for m in candidates
        if isinstance(m, torch.Tensor) and m.dim() == 4 and tuple(m.shape[-2:]) == (width, width)
    ]
    if not masks:
        return False
    mask = masks[0]
    row, col = int(restarts[0, 0]), int(restarts[0, 1]) + 1
    entry = mask[row if mask.shape[0] > 1 else 0, 0, col, col - 1]
    return (not bool(entry)) if entry.dtype == torch.bool else float(entry) < -1e4


def capture_block_inputs(model: nn.Module, samples: list[torch.Tensor]) -> BlockInputs:
    """Run the model up to block 0 once, on all samples packed into rows (or, where the
    model does not honour packing, as one right-padded batch), and keep block 0's inputs."""
    ids, positions, valid = pack_rows(samples)
    packed = _capture(model, ids, positions)
    if _packing_honoured(packed, positions):
        return BlockInputs(packed.hidden, packed.kwargs, valid, packed.args)
    ids, valid = pad_batch(samples)
    padded = _capture(model, ids, None)
    return BlockInputs(padded.hidden, padded.kwargs, valid, padded.args)


def _capture(model: nn.Module, ids: torch.Tensor, positions: torch.Tensor | None) -> BlockInputs:
    blocks, _ = decoder_blocks(model)
    seen: dict = {}

    def grab(_module, args, kw):
        seen["hidden"] = args[0] if args else kw.pop("hidden_states")
        seen["args"] = tuple(args[1:])
        seen["kwargs"] = {k: v for k, v in kw.items() if k != "hidden_states"}
        raise _Stop

    handle = blocks[0].register_forward_pre_hook(grab, with_kwargs=True)
    extra = {} if positions is None else {"position_ids": positions}
    try:
        with torch.no_grad():
            try:
                model(ids, use_cache=False, **extra)
            except _Stop:
                pass
    finally:
        handle.remove()
    ones = torch.ones_like(ids, dtype=torch.bool)
    return BlockInputs(seen["hidden"], seen["kwargs"], ones, seen["args"])


def _aligned(x: torch.Tensor, valid: torch.Tensor) -> bool:
    return x.dim() == 3 and x.shape[:2] == valid.shape


def real_rows(x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """A module input [B, L, d] as [real tokens, d] (padded positions dropped)."""
    return x[valid] if _aligned(x, valid) else x.reshape(-1, x.shape[-1])


def real_row_chunks(
    x: torch.Tensor, valid: torch.Tensor, rows: int = 16384
) -> Iterator[torch.Tensor]:
    """`real_rows` in pieces of about `rows` tokens (whole batch rows at a time), so that
    statistics of a wide input never need a full float32 copy of it."""
    if not _aligned(x, valid):
        yield from real_rows(x, valid).split(rows)
        return
    step = max(1, rows // max(1, x.shape[1]))
    for start in range(0, x.shape[0], step):
        yield real_rows(x[start : start + step], valid[start : start + step])


def iter_blocks(model: nn.Module) -> Iterator[tuple[int, nn.Module, str]]:
    blocks, path = decoder_blocks(model)
    for i, block in enumerate(blocks):
        yield i, block, f"{path}.{i}"
