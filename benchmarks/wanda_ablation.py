"""Why Wanda at 70 % loses more than magnitude on the embedded model: two ablations on
held-out LogicAsker (issue 15's survival table).

    python benchmarks/wanda_ablation.py [--model reasoner-4m] [-n 100] [--sparsity 0.7]

1. Comparison group. Wanda ranks |W| * ||X_j|| within each output row; the magnitude
   baseline ranks |W| over the whole matrix (both as in the Wanda paper's code). Each
   score is also run with the other group, so the table separates the score from the group.
   The group is swapped by wrapping `reasoning.prune.unstructured.lowest_mask` for the
   duration of one prune: a diagnostic only, the library's methods are unchanged.
2. Calibration size: Wanda with 32 (the default), 128 and 512 calibration items of the
   model's own training mixture (the calibration seed range: never evaluation items).

Held-out items: evaluation seed 1, greedy, strict verifier, the same items in every row.
"""

from __future__ import annotations

import argparse
import contextlib
import time

import reasoning.prune.unstructured as unstructured
from reasoning.models import HFBackend
from reasoning.models.embedded import local_directory
from reasoning.prune import prune
from reasoning.prune.calibration import calibration_items
from reasoning.train.heldout import accuracy_table
from reasoning.train.mixture import heldout_items


@contextlib.contextmanager
def comparison_group(group: str | None):
    """Force every mask to be chosen per output row ('row') or per matrix ('matrix');
    None leaves each method's own group."""
    original = unstructured.lowest_mask
    if group is not None:

        def forced(scores, sparsity, pattern, per_row):
            return original(scores, sparsity, pattern, per_row=group == "row")

        unstructured.lowest_mask = forced
    try:
        yield
    finally:
        unstructured.lowest_mask = original


def row(args, cells, label: str, method: str, group: str | None, n_cal: int) -> str:
    started = time.perf_counter()
    backend = HFBackend.load(args.model, device="cpu")
    if method != "dense":
        calibration = calibration_items(n_cal, model_dir=local_directory(args.model))
        with comparison_group(group):
            prune(backend.model, method, args.sparsity, calibration=calibration,
                  tokenizer=backend.tokenizer, n_calibration=n_cal)  # fmt: skip
    accuracy = [r["accuracy"] for r in accuracy_table(backend, cells)]
    mean = sum(accuracy) / len(accuracy)
    seconds = time.perf_counter() - started
    return (
        f"| {label} | " + " | ".join(f"{100 * a:.0f}" for a in accuracy)
        + f" | {100 * mean:.1f} | {seconds:.0f} |"
    )  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--model", default="reasoner-4m")
    p.add_argument("-n", type=int, default=100, help="held-out items per cell")
    p.add_argument("--sparsity", type=float, default=0.7)
    args = p.parse_args()
    cells = heldout_items(["logicasker"], args.n)
    heads = " | ".join(" ".join(f"{k}={v}" for k, v in knobs.items()) for _, knobs, _ in cells)
    pct = f"{100 * args.sparsity:.0f} %"
    print(f"## {args.model}, held-out LogicAsker, {args.n} items per cell: accuracy %\n")
    print(f"| variant | {heads} | mean | s |")
    print("|---|" + "---|" * (len(cells) + 2))
    runs = [
        ("dense", "dense", None, 32),
        (f"magnitude {pct} (per matrix: its own)", "magnitude", None, 32),
        (f"magnitude {pct}, per row", "magnitude", "row", 32),
        (f"Wanda {pct} (per row: its own), 32 calibration items", "wanda", None, 32),
        (f"Wanda {pct}, per matrix", "wanda", "matrix", 32),
        (f"Wanda {pct}, 128 calibration items", "wanda", None, 128),
        (f"Wanda {pct}, 512 calibration items", "wanda", None, 512),
        (f"SparseGPT {pct}, 32 calibration items", "sparsegpt", None, 32),
    ]
    for label, method, group, n_cal in runs:
        print(row(args, cells, label, method, group, n_cal), flush=True)


if __name__ == "__main__":
    main()
