"""One entry point: prune(model, method, sparsity, pattern=None, calibration=...) -> report."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from reasoning.core import ConfigError, Instance
from reasoning.models.hf import check_device, weights_fingerprint
from reasoning.prune import structured, unstructured
from reasoning.prune.calibration import (
    calibration_items,
    calibration_text,
    capture_block_inputs,
    texts_hash,
    tokenize,
)
from reasoning.prune.layers import all_matrices
from reasoning.prune.masks import parse_pattern, resolve_sparsity, satisfies_pattern

UNSTRUCTURED = ("magnitude", "global_magnitude", "wanda", "sparsegpt")
STRUCTURED = ("heads", "channels", "layers")
METHODS = UNSTRUCTURED + STRUCTURED


@dataclass
class MatrixReport:
    name: str
    shape: list[int]
    target: float
    actual: float
    zeros: int
    pattern_ok: bool | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class PruneReport:
    method: str
    sparsity: float
    pattern: str | None
    settings: dict
    calibration: dict
    seconds: float
    matrices: list[MatrixReport]
    structure: dict = field(default_factory=dict)
    parameters_before: int = 0
    parameters_after: int = 0
    fingerprint: str = ""  # of the pruned weights, as HFBackend.fingerprint() gives it

    @property
    def overall_sparsity(self) -> float:
        """Zero fraction over all prunable matrices."""
        total = sum(m.shape[0] * m.shape[1] for m in self.matrices)
        return sum(m.zeros for m in self.matrices) / total if total else 0.0

    def to_json(self) -> dict:
        data = asdict(self)
        data["overall_sparsity"] = round(self.overall_sparsity, 6)
        return data

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")


def _positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name}={value!r} must be a positive integer")


def check_prune_args(
    method: str,
    sparsity: float | None = None,
    pattern: str | None = None,
    n_calibration: int = 32,
    seq_len: int = 256,
    min_keep: float = 0.01,
    device: str | None = None,
) -> tuple[float, tuple[int, int] | None]:
    """Check `prune`'s settings without touching a model; return (sparsity, N:M pattern).
    ConfigError names the first bad setting."""
    if method not in METHODS:
        raise ConfigError(f"unknown pruning method {method!r}; choose from {', '.join(METHODS)}")
    nm = parse_pattern(pattern)
    if nm is not None and method not in ("magnitude", "wanda", "sparsegpt"):
        raise ConfigError(f"pattern {pattern} applies to magnitude, wanda and sparsegpt only")
    s = resolve_sparsity(sparsity, nm)
    if not 0 <= min_keep < 1:
        raise ConfigError(f"min_keep={min_keep} must be in [0, 1)")
    _positive("n_calibration", n_calibration)
    _positive("seq_len", seq_len)
    check_device(device)
    return s, nm


def _calibration_texts(
    calibration, n: int, seed: int, model_dir=None
) -> tuple[list[str], list[str | None]]:
    """(texts, the id of the item each came from, None for plain text). The default is the
    suite's own items from the reserved calibration seed range: the model's training
    mixture when its directory records one, else the default families."""
    items = calibration_items(n, seed, model_dir) if calibration is None else list(calibration)
    texts, ids = [], []
    for item in items:
        if isinstance(item, Instance):
            texts.append(calibration_text(item))
            ids.append(item.id)
        else:
            texts.append(str(item))
            ids.append(None)
    if not texts:
        raise ConfigError("calibration is empty")
    return texts[:n], ids[:n]


def prune(
    model,
    method: str,
    sparsity: float | None = None,
    pattern: str | None = None,
    calibration: Sequence[Instance | str] | None = None,
    tokenizer=None,
    n_calibration: int = 32,
    seq_len: int = 256,
    seed: int = 0,
    min_keep: float = 0.01,
    percdamp: float = 0.01,
    blocksize: int = 128,
    device: str | None = None,
    progress: bool = False,
) -> PruneReport:
    """Prune `model` in place and report per-matrix target vs actual sparsity.

    Unstructured methods keep the architecture and zero weights (pattern 'N:M' keeps N of
    every M along the input dimension); structured methods remove heads, MLP channels or
    whole layers, so the saved model is smaller. lm_head and embeddings stay dense.
    Deterministic for a given seed and calibration. Layer-by-layer methods move one block
    at a time to `device` (default: where the model is), so a model larger than the
    accelerator can be pruned. `progress` shows a bar over the blocks (on stderr).
    """
    s, nm = check_prune_args(method, sparsity, pattern, n_calibration, seq_len, min_keep, device)
    start = time.perf_counter()
    torch.manual_seed(seed)
    model.eval()
    before = sum(p.numel() for p in model.parameters())
    needs_data = method not in ("magnitude", "global_magnitude")
    calib_info: dict = {"used": needs_data}
    samples = []
    if needs_data:
        if tokenizer is None:
            raise ConfigError(f"method {method} needs calibration data and a tokenizer")
        model_dir = getattr(model, "name_or_path", None)  # where from_pretrained read it
        texts, ids = _calibration_texts(calibration, n_calibration, seed, model_dir)
        dev = next(model.parameters()).device
        samples = tokenize(tokenizer, texts, seq_len, dev)
        calib_info.update(
            texts=len(texts),
            tokens=sum(x.shape[1] for x in samples),
            seq_len=seq_len,
            sha256=texts_hash(texts),
            ids=ids,
        )
    targets = {m.name: m.weight().shape for m in all_matrices(model)}
    structure: dict = {}
    with torch.no_grad():
        if method == "magnitude":
            extra = unstructured.magnitude(model, s, nm)
        elif method == "global_magnitude":
            extra = unstructured.global_magnitude(model, s, min_keep)
        elif method in ("wanda", "sparsegpt"):
            inputs = capture_block_inputs(model, samples)
            target_device = torch.device(device) if device else next(model.parameters()).device
            extra = unstructured.layerwise(
                model, inputs, s, nm, method, percdamp, blocksize, target_device, progress
            )
        else:
            extra = {}
            structure = getattr(structured, f"prune_{method}")(model, samples, s)
    mats = []
    for m in all_matrices(model):
        w = m.weight()
        zeros = int((w == 0).sum())
        actual = zeros / w.numel()
        per_matrix = method in UNSTRUCTURED and method != "global_magnitude"
        mats.append(
            MatrixReport(
                name=m.name,
                shape=list(w.shape),
                target=s if per_matrix else (s if method == "global_magnitude" else 0.0),
                actual=round(actual, 6),
                zeros=zeros,
                pattern_ok=satisfies_pattern(w, nm) if nm else None,
                extra=extra.get(m.name, {}),
            )
        )
    settings = {
        "seed": seed,
        "min_keep": min_keep,
        "percdamp": percdamp,
        "blocksize": blocksize,
        "n_calibration": n_calibration,
        "seq_len": seq_len,
        "targets": len(targets),
    }
    return PruneReport(
        method,
        s,
        pattern if nm else None,
        settings,
        calib_info,
        round(time.perf_counter() - start, 3),
        mats,
        structure,
        before,
        sum(p.numel() for p in model.parameters()),
        weights_fingerprint(model),
    )
