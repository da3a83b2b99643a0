"""Perplexity of the embedded model after pruning, method by method (held-out text).

    python benchmarks/prune_quality.py [--model smollm2-135m] [--sparsity 0.5]

Calibration: the suite's own generated items (the default). Held-out text: the natural-
language premises and conclusions of FOLIO validation (../shared/data/folio), which no
method saw. The known ordering (LLaMA-2-7B at 50 %: Wanda 6.42, SparseGPT 6.51, magnitude
14.89) should reappear: Wanda and SparseGPT well below magnitude.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch

from reasoning.models import HFBackend
from reasoning.prune import prune

ROOT = Path(__file__).resolve().parents[1]
FOLIO = ROOT.parent / "shared" / "data" / "folio" / "folio-validation.jsonl"


def heldout_text() -> str:
    rows = [json.loads(x) for x in FOLIO.read_text(encoding="utf-8").splitlines()]
    seen, parts = set(), []
    for r in rows:
        for t in [*r["premises"], r["conclusion"]]:
            if t not in seen:
                seen.add(t)
                parts.append(t.strip())
    return " ".join(parts)


def perplexity(backend: HFBackend, text: str, window: int = 256) -> float:
    ids = backend.tokenizer(text)["input_ids"]
    nll, count = 0.0, 0
    with torch.inference_mode():
        for start in range(0, len(ids) - 1, window):
            chunk = torch.tensor([ids[start : start + window + 1]])
            if chunk.shape[1] < 2:
                break
            logits = backend.model(chunk[:, :-1]).logits.float()
            loss = torch.nn.functional.cross_entropy(logits[0], chunk[0, 1:], reduction="sum")
            nll += float(loss)
            count += chunk.shape[1] - 1
    return math.exp(nll / count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--sparsity", type=float, default=0.5)
    parser.add_argument("--n-calibration", type=int, default=32)
    args = parser.parse_args()
    text = heldout_text()
    runs = [
        ("dense", None, None),
        ("magnitude", args.sparsity, None),
        ("global_magnitude", args.sparsity, None),
        ("wanda", args.sparsity, None),
        ("sparsegpt", args.sparsity, None),
        ("magnitude", None, "2:4"),
        ("wanda", None, "2:4"),
        ("sparsegpt", None, "2:4"),
    ]
    print(f"{args.model}, held-out FOLIO text, calibration: {args.n_calibration} suite items")
    print(f"{'method':<18} {'pattern':<8} {'sparsity':>8} {'perplexity':>11} {'prune s':>8}")
    for method, sparsity, pattern in runs:
        backend = HFBackend.load(args.model, device="cpu")
        took, achieved = 0.0, 0.0
        if method != "dense":
            start = time.perf_counter()
            report = prune(
                backend.model,
                method,
                sparsity,
                pattern,
                tokenizer=backend.tokenizer,
                n_calibration=args.n_calibration,
            )
            took, achieved = time.perf_counter() - start, report.overall_sparsity
        ppl = perplexity(backend, text)
        print(f"{method:<18} {pattern or '-':<8} {achieved:>8.3f} {ppl:>11.2f} {took:>8.1f}")


if __name__ == "__main__":
    main()
