"""`reasoning eval`: every variant answers the same items; paired statistics against dense.

    reasoning eval --suite suite.toml -o runs/eval                    # a TOML suite
    reasoning eval --family nlsat --set n_vars=3,4,6 -n 20 -o runs/eval
    reasoning eval --items items.jsonl --model DIR --variants dense,wanda:0.5 -o runs/eval
    reasoning eval --items items.jsonl --model gpt-4o-mini --base-url URL -o runs/api

Completions go through a cache (default RESULTS/../<name>.cache.sqlite, `--cache` to
choose): the same command after Ctrl-C or `kill -9` recomputes nothing it stored.
"""

from __future__ import annotations

import argparse
import gc
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from reasoning.core import ConfigError
from reasoning.core.seeds import check_disjoint
from reasoning.models.base import BackendError, GenerationSettings
from reasoning.models.embedded import DEFAULT_MODEL  # noqa: F401  (main_job, tests import it here)

if TYPE_CHECKING:
    from evals.suite import FamilyPlan
    from evals.variants import VariantSpec

# The harness (torch, scipy, matplotlib) is imported when a command runs, not when the
# CLI builds its parser: `reasoning verify` must not pay for it.

DEFAULT_VARIANTS = "dense,magnitude:0.5,wanda:0.5,sparsegpt:0.5,wanda:2:4"


def add_eval_parser(sub) -> None:
    """Register `reasoning eval` on the CLI's subparsers."""
    p = sub.add_parser("eval", help="evaluate a model and its compressed variants, paired")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--suite", help="TOML suite: families x knob ladders x n x seed")
    src.add_argument("--items", help="pre-generated items JSONL")
    src.add_argument("--family", action="append", help="a family to generate (repeatable)")
    p.add_argument("-n", type=int, default=20, help="items per knob setting (with --family)")
    p.add_argument("--seed", type=int, default=0, help="evaluation seed (with --family)")
    p.add_argument("--set", action="append", metavar="KNOB=V[,V...]", help="knob ladder")
    p.add_argument("--model", default=DEFAULT_MODEL, help="named model, HF directory or id")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint serving --model")
    p.add_argument("--variants", default=None, help=f"default: {DEFAULT_VARIANTS}")
    p.add_argument("--variant-dir", action="append", default=[], metavar="NAME=DIR")
    p.add_argument("--variant-url", action="append", default=[], metavar="NAME=URL")
    p.add_argument("--max-new-tokens", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--shots", type=int, default=0,
                   help="solved demonstrations before each prompt (same family and knobs, "
                   "a seed range of their own; default 0)")  # fmt: skip
    add_strategy_argument(p)
    p.add_argument("--n-calibration", type=int, default=32, help="items to prune with")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:N (default: auto)")
    p.add_argument("--dtype", default="auto")
    p.add_argument("--cache", default=None, help="completion cache (SQLite)")
    p.add_argument("-o", "--output", required=True, help="results directory")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_eval)


def add_strategy_argument(p: argparse.ArgumentParser) -> None:
    """`--strategy S` (repeatable or comma-separated), shared by eval and run."""
    p.add_argument(
        "--strategy", action="append", default=None, metavar="S[,S...]",
        help="verifier-loop strategies every variant also runs (direct, refine:K, "
        "best_of:N, self_critique[:K], best_of:N+refine:K, ...); direct always runs",
    )  # fmt: skip


def _plans(args: argparse.Namespace) -> list[FamilyPlan]:
    from evals.suite import FamilyPlan, read_suite
    from reasoning.cli import parse_sets

    if args.suite:
        return read_suite(args.suite)
    families = args.family or ["nlsat", "logicasker"]
    if args.set and len(families) > 1:
        raise ConfigError("--set applies to one --family; use a --suite file for several")
    return [
        FamilyPlan(name, args.n, args.seed, parse_sets(name, args.set or [])) for name in families
    ]


def _settings(args: argparse.Namespace) -> GenerationSettings:
    if args.max_new_tokens < 1 or args.batch_size < 1:
        raise ConfigError("--max-new-tokens and --batch-size must be positive")
    return GenerationSettings(max_new_tokens=args.max_new_tokens, batch_size=args.batch_size)


def _check_variants(specs: list[VariantSpec], remote: bool) -> None:
    pruned = [s.name for s in specs if s.method is not None]
    if remote and pruned:
        raise ConfigError(
            f"cannot prune a remote model on the fly ({', '.join(pruned)}); serve pruned "
            "checkpoints and pass them with --variant-url NAME=URL"
        )


def cmd_eval(args: argparse.Namespace) -> int:
    """The `reasoning eval` command (see the module docstring)."""
    from evals.fewshot import check_shots
    from evals.results import items_digest, write_results
    from evals.runner import family_cluster, summarise
    from evals.strategy_eval import format_strategies, parse_strategies, summarise_strategies
    from evals.suite import generate_plans, read_items
    from evals.variants import parse_variants
    from reasoning.models.hf import check_device

    settings = _settings(args)
    args.strategies = parse_strategies(args.strategy)
    check_shots(args.shots)
    check_device(args.device)
    plans = None if args.items else _plans(args)
    specs = parse_variants(
        args.variants or (DEFAULT_VARIANTS if not args.base_url else "dense"),
        args.variant_dir,
        args.variant_url,
    )
    _check_variants(specs, bool(args.base_url))
    out = Path(args.output)
    items = read_items(args.items) if args.items else generate_plans(plans)
    calibration = _calibration(specs, items, args.n_calibration, args.model)
    cache_path = Path(args.cache) if args.cache else out.with_name(out.name + ".cache.sqlite")
    samples, looped, described = _answer_all(args, specs, items, calibration, settings, cache_path)
    groups = summarise(items, samples, cluster=family_cluster)
    results = {
        "package_version": _version(),
        "command": "reasoning " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "config": {
            "items": {"file": args.items} if args.items else [p.to_dict() for p in plans],
            "model": args.model,
            "base_url": args.base_url,
            "settings": settings.key() | {"batch_size": settings.batch_size},
            "shots": args.shots,
            "device": args.device,
            "dtype": args.dtype,
            "calibration_ids": [c.id for c in calibration] if calibration else [],
        },
        "items": items_digest(items),
        "variants": described,
        "groups": groups,
    }
    if len(args.strategies) > 1:  # a direct-only run's results.json is as it was
        results["strategies"] = summarise_strategies(items, samples + looped, family_cluster)
    rows = samples + looped
    write_results(out, results, rows, items, inputs=[args.items] if args.items else [])
    print(format_summary(groups, [s.name for s in specs]))
    if len(args.strategies) > 1:
        print(format_strategies(results["strategies"], [s.name for s in specs]))
    print(f"results written to {out}/ (results.json, samples.jsonl, metrics.csv, items.jsonl)")
    return 0


def _calibration(specs, items, n, model: str | None = None):
    """The items data-aware pruning calibrates on (None when no variant needs any): the
    model's own training mixture when it records one, else the default families; checked
    disjoint from the evaluation items."""
    if not any(s.method in ("wanda", "sparsegpt", "heads", "channels", "layers") for s in specs):
        return None
    from reasoning.models.embedded import local_directory
    from reasoning.prune.calibration import calibration_items

    chosen = calibration_items(n, model_dir=local_directory(model) if model else None)
    check_disjoint([i.id for i in items], [c.id for c in chosen], "calibration")
    return chosen


def _answer_all(args, specs, items, calibration, settings, cache_path):
    from evals.cache import CompletionCache
    from evals.fewshot import shot_prompts
    from evals.reuse import build_or_reuse
    from evals.runner import answer_variant
    from evals.strategy_eval import answer_strategy
    from evals.variants import describe_variant
    from reasoning.models import HFBackend, OpenAIBackend

    def load_base():
        if args.base_url:
            return OpenAIBackend(args.model, base_url=args.base_url)
        return HFBackend.load(args.model, device=args.device, dtype=args.dtype)

    prompts = shot_prompts(items, args.shots, args.seed)
    samples: list = []
    looped: list = []
    described = []
    dense = None  # kept loaded: the reference of every variant's token KL (evals.signals)
    with CompletionCache(cache_path) as cache:

        def answer(backend, name):
            started = time.perf_counter()
            rows = answer_variant(
                name, backend, items, settings, cache, progress=not args.quiet, prompts=prompts
            )
            extra = []
            for strategy_name, strategy in args.strategies[1:]:  # [0] is direct: rows
                extra += answer_strategy(name, strategy_name, strategy, backend, items,
                                         settings, cache, not args.quiet, prompts)  # fmt: skip
            return rows, extra, time.perf_counter() - started

        for spec in specs:
            signal_key = _signal_key(dense, items, settings)
            backend, pruning, (rows, extra, seconds), reused = build_or_reuse(
                spec, load_base, calibration, cache, lambda b, n=spec.name: answer(b, n),
                lambda fp, k=signal_key: cache.get_record("signals", f"{fp}:{k}") is not None,
                args.model, args.device, args.dtype,
            )  # fmt: skip
            if rows and all(r.finish_reason == "error" for r in rows):
                raise BackendError(
                    f"variant {spec.name}: every request failed ({rows[0].feedback}); "
                    f"finished variants are kept in {cache_path}"
                )
            samples.extend(rows)
            looped.extend(extra)
            dense = backend if spec.dense else dense
            signals = _signals(cache, backend, dense, items, settings, reused, signal_key)
            described.append(describe_variant(spec, backend, pruning, seconds, signals=signals))
            del backend
            gc.collect()
    return samples, looped, described


def _signal_key(dense, items, settings) -> str:
    """What a variant's signals depend on besides its own fingerprint."""
    import hashlib
    import json

    ids = hashlib.sha256("\n".join(i.id for i in items).encode()).hexdigest()
    fp = dense.fingerprint() if dense is not None else None
    return hashlib.sha256(json.dumps([fp, ids, settings.key()]).encode()).hexdigest()


def _signals(cache, backend, dense, items, settings, reused, key) -> dict:
    """The variant's signals: measured (and stored for a rerun), or, for a variant served
    from the cache without pruning, the stored ones."""
    from evals.signals import signals_for

    if reused:
        return cache.get_record("signals", f"{backend.fingerprint()}:{key}")
    signals = signals_for(backend, dense, items, settings=settings)
    cache.put_record("signals", f"{backend.fingerprint()}:{key}", signals)
    return signals


def _version() -> str:
    from reasoning.cli import package_version

    return package_version()


def format_summary(groups: dict, variants: list[str]) -> str:
    """The survival table: accuracy per group and variant, retention and paired
    difference (bootstrap 95 % interval, McNemar p) against dense."""
    from evals.results import summary_rows

    head = f"{'group':<34} {'variant':<16} {'n':>4} {'acc':>6} {'no-ans':>6} {'ret':>5} "
    lines = [head + f"{'diff [95% CI]':>22} {'McNemar p':>9}"]
    for group, variant, acc, paired in summary_rows(groups, variants):
        row = (
            f"{group[:34]:<34} {variant[:16]:<16} {acc['n']:>4} {acc['accuracy']:>6.3f} "
            f"{acc['no_answer_rate']:>6.3f} "
        )
        if paired:
            low, high = paired["difference_ci"]
            ret = paired["retention"]
            row += f"{'-' if ret is None else f'{ret:.2f}':>5} "
            row += f"{paired['difference']:+.3f} [{low:+.2f}, {high:+.2f}] "
            row += f"{paired['mcnemar_p']:>9.3g}"
        lines.append(row.rstrip())
    return "\n".join(lines)


def add_report_parser(sub) -> None:
    """Register `reasoning report` on the CLI's subparsers."""
    p = sub.add_parser("report", help="Markdown + self-contained HTML report of eval results")
    p.add_argument("results", help="results directory written by `reasoning eval`")
    p.add_argument("-o", "--output", required=True, help="report directory")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from evals.report import build_report

    out = build_report(args.results, args.output)
    print(f"report written to {out}/report.md and {out}/report.html")
    return 0
