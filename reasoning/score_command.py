"""`reasoning score` and `reasoning demos`: verdicts for model responses, and worked
demonstrations for the rules a model fails most. Both write through `reasoning.core.output`
(never over an input, atomically), so a failure keeps the previous file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reasoning.core import read_jsonl
from reasoning.core.output import check_output_path, write_json_lines
from reasoning.demos import build_demos, rank_weaknesses
from reasoning.registry import get_family
from reasoning.scoring import format_table, read_responses, score_all


def cmd_score(args: argparse.Namespace) -> int:
    """Score RESPONSES against ITEMS; print the table and write one verdict per item."""
    inputs = [args.file, args.responses]
    out = args.output if args.output is not None else _verdicts_path(Path(args.responses))
    check_output_path(out, inputs)
    instances = read_jsonl(args.file)
    responses = read_responses(args.responses)
    records, rows, unknown = score_all(instances, responses)
    out = write_json_lines(records, out, inputs, sort_keys=True)
    print(format_table(rows))
    if unknown:
        print(
            f"warning: {len(unknown)} response id(s) match no instance, e.g. {unknown[0]!r}",
            file=sys.stderr,
        )
    print(f"verdicts written to {out}")
    return 0


def _verdicts_path(responses: Path) -> Path:
    return responses.with_name(responses.stem + ".verdicts.jsonl")


def cmd_demos(args: argparse.Namespace) -> int:
    """Write demonstrations for the rules the verdicts in `--from` show failing most."""
    get_family(args.family)
    check_output_path(args.output, [args.source])
    weaknesses = rank_weaknesses(args.source)
    demos = build_demos(args.family, weaknesses, args.k, args.seed)
    out = write_json_lines(demos, args.output, [args.source], sort_keys=True)
    print(f"{'rule':<36} {'failed':>6} {'of':>4} {'rate':>6}")
    for w in weaknesses[: max(args.k, 5)]:
        print(f"{w.rule:<36} {w.failures:>6} {w.total:>4} {w.failure_rate:>6.2f}")
    print(f"wrote {len(demos)} demonstrations to {out}")
    return 0
