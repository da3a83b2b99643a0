"""`reasoning prune`: check every setting, then load, prune and save the model.

Settings and the output directory are checked before the model loads. The checkpoint is
written to a temporary directory beside the output and moved in only when complete (the
report, pruning.json, last), so an error or Ctrl-C leaves the output as it was.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from reasoning.core import read_jsonl
from reasoning.core.output import AtomicDirectory


def cmd_prune(args: argparse.Namespace) -> int:
    """Prune a model into `args.output`; every setting is checked before the model loads."""
    from reasoning.models import HFBackend
    from reasoning.prune.api import check_prune_args

    settings = (args.n_calibration, args.seq_len, args.min_keep, args.device)
    check_prune_args(args.method, args.sparsity, args.pattern, *settings)
    model_dir = [args.model] if os.path.isdir(args.model) else []
    calib = [args.calib] if args.calib else []
    staging = AtomicDirectory(args.output, model_dir + calib, last=("pruning.json",))
    with staging as temp:
        calibration = read_jsonl(args.calib) if args.calib else None
        backend = HFBackend.load(args.model, device=args.device, dtype=args.dtype)
        report = _prune_into(temp, backend, calibration, args)
    out = staging.target
    worst = max((abs(m.actual - m.target) for m in report.matrices if m.target), default=0.0)
    print(
        f"{args.method}: {report.overall_sparsity:.4f} of prunable weights are zero, "
        f"{report.parameters_before} -> {report.parameters_after} parameters, "
        f"{report.seconds:.1f}s; largest per-matrix gap to target {worst:.4f}"
    )
    print(f"wrote {out} (reload with from_pretrained) and {out / 'pruning.json'}")
    return 0


def _prune_into(folder: Path, backend, calibration, args: argparse.Namespace):
    """Prune the loaded model and save checkpoint + pruning.json into `folder`."""
    from reasoning.prune import prune

    report = prune(
        backend.model,
        args.method,
        args.sparsity,
        args.pattern,
        calibration,
        backend.tokenizer,
        n_calibration=args.n_calibration,
        seq_len=args.seq_len,
        seed=args.seed,
        min_keep=args.min_keep,
        device=args.device,
        progress=not args.quiet,
    )
    backend.model.save_pretrained(folder)
    backend.tokenizer.save_pretrained(folder)
    report.write(folder / "pruning.json")
    return report
