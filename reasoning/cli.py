"""The `reasoning` command line: families, generate, verify, score.

User errors (bad knob, unknown family, malformed file, unusable output path) print one
line and exit 2; a label that fails its independent re-check makes `verify` exit 1. Ctrl-C
exits 130 and SIGTERM 143, each with one line, after the same cleanup as an error: every
output is written through `reasoning.core.output`, so an interrupted or failed command
leaves the previous files as they were and no temporary files behind.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
from collections import Counter
from importlib import metadata
from typing import Any

from tqdm import tqdm

from reasoning.api import iter_generate_grid, iter_recheck
from reasoning.core import ConfigError, ReasoningError, knob_table, read_jsonl
from reasoning.core.io import dump_jsonl, manifest_path, manifest_text, read_manifest, sha256_file
from reasoning.core.knobs import parse_knob_value
from reasoning.core.output import AtomicFiles, check_output_path
from reasoning.export import FORMATS, parquet_path, write_parquet
from reasoning.parallel import usable_jobs
from reasoning.prune_command import cmd_prune
from reasoning.registry import family_names, get_family
from reasoning.score_command import cmd_demos, cmd_score
from reasoning.shutdown import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, signals_as_exceptions


def package_version() -> str:
    try:
        return metadata.version("reasoning-suite")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _progress(iterable, total: int, desc: str, quiet: bool):
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        unit="item",
        disable=quiet or None,
        file=sys.stderr,
        dynamic_ncols=True,
    )


# ---------------------------------------------------------------- families
def cmd_families(args: argparse.Namespace) -> int:
    catalogue = []
    for name in family_names():
        fam = get_family(name)
        knobs = [
            {
                "name": k.name,
                "type": k.type.__name__,
                "default": k.default,
                "allowed": k.allowed(),
                "help": k.spec.help,
            }
            for k in knob_table(fam.config)
        ]
        catalogue.append(
            {
                "family": name,
                "summary": fam.summary,
                "labels": list(fam.labels or []),
                "knobs": knobs,
                "catalogue": {title: list(values) for title, values in fam.catalogue},
            }
        )
    if args.json:
        print(json.dumps(catalogue, indent=2))
        return 0
    for entry in catalogue:
        print(f"{entry['family']}: {entry['summary']}")
        if entry["labels"]:
            print(f"  labels: {', '.join(entry['labels'])}")
        for k in entry["knobs"]:
            print(f"  {k['name']:<15} {k['type']:<5} default={k['default']!s:<9} {k['help']}")
            print(f"  {'':<15} {'':<5} allowed: {k['allowed']}")
        for title, values in entry["catalogue"].items():
            print(f"  {title}: {', '.join(values)}")
        print()
    return 0


# ---------------------------------------------------------------- generate
def parse_sets(family: str, pairs: list[str]) -> dict[str, list[Any]]:
    """`--set KNOB=V1[,V2,...]` -> {knob: [values]} (several values make a sweep)."""
    table = {k.name: k for k in knob_table(get_family(family).config)}
    sweep: dict[str, list[Any]] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ConfigError(f"--set expects KNOB=VALUE, got {pair!r}")
        if name not in table:
            raise ConfigError(
                f"unknown knob {name!r} for {family}; known knobs: {', '.join(table)}"
            )
        values = [parse_knob_value(table[name], v) for v in text.split(",")]
        sweep[name] = list(dict.fromkeys(values))
    return sweep


def _jobs(requested: int) -> int:
    """-j checked and capped at the CPUs available, with a note when capped."""
    jobs = usable_jobs(requested)
    if jobs < requested:
        print(f"note: -j {requested} capped at {jobs}, the CPUs available", file=sys.stderr)
    return jobs


def _file_knobs(sweep: dict[str, list[Any]]) -> list[str]:
    """Knob values that name existing files (e.g. a KG TSV): inputs an output must not hit."""
    return [v for vs in sweep.values() for v in vs if isinstance(v, str) and os.path.isfile(v)]


def cmd_generate(args: argparse.Namespace) -> int:
    jobs = _jobs(args.jobs)
    family = get_family(args.family)
    sweep = parse_sets(family.name, args.set or [])
    total = args.n * math.prod(len(values) for values in sweep.values())
    out = check_output_path(args.output, _file_knobs(sweep))
    targets = [out, manifest_path(out)]
    if args.format == "parquet":
        targets.append(parquet_path(out))
    labels: Counter[str] = Counter()

    def counted():
        for inst in iter_generate_grid(family.name, args.n, args.seed, sweep, jobs):
            if family.labels and isinstance(inst.answer, str) and inst.answer in family.labels:
                labels[inst.answer] += 1
            yield inst

    with AtomicFiles(targets, _file_knobs(sweep)) as files:
        items = _progress(counted(), total, f"generate {family.name}", args.quiet)
        with files.temp(out).open("w", encoding="utf-8", newline="\n") as handle:
            digest = dump_jsonl(items, handle)
        manifest = _manifest(family, args, sweep, total, labels, digest)
        files.temp(targets[1]).write_text(manifest_text(manifest), encoding="utf-8")
        if args.format == "parquet":
            write_parquet(files.temp(out), files.temp(targets[2]))
    extra = f" and {targets[2]}" if args.format == "parquet" else ""
    share = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    print(f"wrote {total} {family.name} items to {out}{extra} ({share or 'open answers'})")
    return 0


def _manifest(family, args, sweep: dict, total: int, labels: Counter, digest: str) -> dict:
    return {
        "family": family.name,
        "knobs": sweep,
        "defaults": {k.name: k.default for k in knob_table(family.config)},
        "seed": args.seed,
        "n_per_setting": args.n,
        "count": total,
        "labels": dict(sorted(labels.items())),
        "sha256": digest,
        "format": "jsonl",
        "package_version": package_version(),
        "generator_version": family.version,
        "command": _regenerate_command(family.name, args, sweep),
    }


def _regenerate_command(family: str, args: argparse.Namespace, sweep: dict) -> str:
    parts = ["reasoning", "generate", family, "-n", str(args.n), "--seed", str(args.seed)]
    for name, values in sweep.items():
        parts += ["--set", f"{name}={','.join(str(v) for v in values)}"]
    return " ".join(shlex.quote(p) for p in parts + ["-o", str(args.output)])


# ---------------------------------------------------------------- verify
def cmd_verify(args: argparse.Namespace) -> int:
    jobs = _jobs(args.jobs)
    instances = read_jsonl(args.file)
    failures: list[tuple[str, str]] = []
    manifest = read_manifest(args.file)
    if manifest is not None and manifest.get("sha256") not in (None, sha256_file(args.file)):
        failures.append(("<file>", "sha256 differs from the manifest: the file was modified"))
    checked = zip(instances, iter_recheck(instances, jobs), strict=True)
    for inst, problems in _progress(checked, len(instances), "verify", args.quiet):
        failures.extend((inst.id, problem) for problem in problems)
    for ident, problem in failures:
        print(f"DISAGREE {ident}: {problem}")
    bad_ids = {ident for ident, _ in failures}
    print(
        f"checked {len(instances)} items with an independent solver path: "
        f"{len(bad_ids)} disagreement(s)"
    )
    return 1 if failures else 0


# ---------------------------------------------------------------- serve
# ---------------------------------------------------------------- parser
def _add_run_options(p: argparse.ArgumentParser) -> None:
    """-j/--jobs and -q/--quiet, shared by the commands that run over many items."""
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        help="worker processes (default 1); the output is the same for any number",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reasoning",
        description="Solver-certified logic benchmarks with dialable hardness.",
    )
    parser.add_argument("--version", action="version", version=package_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("families", help="list every family with its knobs, defaults and ranges")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_families)

    p = sub.add_parser("generate", help="generate a solver-labelled JSONL file and its manifest")
    p.add_argument("family", help="family name (see `reasoning families`)")
    p.add_argument("-n", type=int, required=True, help="items per knob setting")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument(
        "--set",
        action="append",
        metavar="KNOB=VALUE[,VALUE...]",
        help="set a knob; several comma-separated values make a sweep (repeatable)",
    )
    p.add_argument("-o", "--output", required=True, help="output JSONL path")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="jsonl",
        help="also write a columnar copy beside the JSONL (parquet)",
    )
    _add_run_options(p)
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser(
        "verify",
        help="re-derive every gold label by a second, independent "
        "solver path; exit 1 naming the ids on any disagreement",
    )
    p.add_argument("file", help="instances JSONL")
    _add_run_options(p)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("score", help="score model responses: accuracy overall and per hardness")
    p.add_argument("file", help="instances JSONL")
    p.add_argument("responses", help='responses JSONL: {"id": ..., "response": "..."} per line')
    p.add_argument("-o", "--output", help="verdicts JSONL (default: beside RESPONSES)")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("demos", help="worked demonstrations for the rules a model fails most")
    p.add_argument("family", help="family whose items carry a rule (logicasker)")
    p.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="VERDICTS.jsonl",
        help="verdicts written by `reasoning score`",
    )
    p.add_argument("-k", type=int, default=8, help="number of demonstrations (default 8)")
    p.add_argument("--seed", type=int, default=10_000, help="seed for the fresh demo items")
    p.add_argument("-o", "--output", required=True, help="demonstrations JSONL")
    p.set_defaults(func=cmd_demos)

    p = sub.add_parser("prune", help="prune a model; writes an HF checkpoint + pruning.json")
    p.add_argument("model", help="model directory, named model (smollm2-135m) or hub id")
    p.add_argument(
        "--method",
        required=True,
        help="magnitude, global_magnitude, wanda, sparsegpt, heads, channels, layers",
    )
    p.add_argument("--sparsity", type=float, default=None, help="fraction removed (0..1)")
    p.add_argument("--pattern", default=None, help="N:M semi-structured, e.g. 2:4 or 4:8")
    p.add_argument(
        "--calib",
        default=None,
        help="instances JSONL for calibration (default: the suite's own generated items)",
    )
    p.add_argument("--n-calibration", type=int, default=32)
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--min-keep", type=float, default=0.01, help="global_magnitude floor per matrix")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None)
    p.add_argument("--dtype", default="auto")
    p.add_argument("-o", "--output", required=True, help="output checkpoint directory")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_prune)

    from reasoning.serve_command import add_serve_parser

    add_serve_parser(sub)

    from evals.command import add_eval_parser, add_report_parser
    from evals.main_job import add_run_parser

    add_eval_parser(sub)
    add_report_parser(sub)
    add_run_parser(sub)
    from reasoning.train_command import add_train_parser

    add_train_parser(sub)
    from reasoning.loop.command import add_loop_parser

    add_loop_parser(sub)
    return parser


def _tolerant_output() -> None:
    """Printing hostile text (a lone surrogate in an id or a knob value) must not raise."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (OSError, ValueError):
                pass


def main(argv: list[str] | None = None) -> int:
    _tolerant_output()
    args = build_parser().parse_args(argv)
    try:
        with signals_as_exceptions():
            return args.func(args)
    except ReasoningError as exc:
        print(f"reasoning: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"reasoning: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("reasoning: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("reasoning: terminated", file=sys.stderr)
        return EXIT_TERMINATED


if __name__ == "__main__":
    sys.exit(main())
