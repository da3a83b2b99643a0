"""`reasoning run`: the whole pipeline in one command, offline, on CPU, with no arguments.

    reasoning run                        # the embedded model, every family, five variants
    reasoning run --model DIR -n 2       # any local HF directory, 2 items per ladder rung
    reasoning run --model smollm2-135m --shots 3   # SmolLM2, three solved examples first

It generates a small hardness ladder of every family, re-verifies every item with the
independent re-checkers (any disagreement stops the run, exit 1, naming the ids), asks the
dense model and its magnitude / Wanda / SparseGPT 50 % and Wanda 2:4 variants the same
items (closed answers get few new tokens, open ones more), prints the survival table and
writes results plus the report into one directory. Completions go through the same cache
as `reasoning eval` (OUTPUT.cache.sqlite), so a rerun after Ctrl-C or `kill -9` resumes.
"""

from __future__ import annotations

import argparse
import gc
import shlex
import sys
import time
from pathlib import Path

from reasoning.core import ReasoningError

DEFAULT_OUTPUT = "runs/main"
DEFAULT_N = 20  # 200 items x 5 variants on the embedded model (benchmarks/main_job.py)
MAIN_VARIANTS = "dense,magnitude:0.5,wanda:0.5,sparsegpt:0.5,wanda:2:4"
# two rungs per family: the embedded model's easiest level and a harder one (LogicAsker
# one and three inference steps, KGQA one and two hops), so the table shows hardness and
# pruning damage together; KGQA on its synthetic default graph, which no model trained on
LADDER: dict[str, dict[str, list]] = {
    "nlsat": {"n_vars": [3, 4]},
    "logicasker": {"steps": [1, 3]},
    "fol": {"task": ["entail"], "sentences": [2, 3]},
    "pbe": {"length": [1, 2]},
    "kgqa": {"hops": [1, 2]},
}
# closed answers ('Answer: yes') need a few tokens, a named rule before them (the embedded
# model's LogicAsker answers) about 40; programs and cited facts with entity lists more
MAX_NEW_TOKENS = {"nlsat": 16, "logicasker": 64, "fol": 16, "pbe": 48, "kgqa": 96}


class RecheckFailed(ReasoningError):
    """A generated label disagrees with its independent re-check (exit 1, not 2)."""


def add_run_parser(sub) -> None:
    """Register `reasoning run` on the CLI's subparsers."""
    from evals.command import DEFAULT_MODEL, add_strategy_argument

    p = sub.add_parser("run", help="the main job: generate, re-verify, evaluate, report")
    p.add_argument("--model", default=DEFAULT_MODEL, help="named model or HF directory")
    p.add_argument("-n", type=int, default=DEFAULT_N, help="items per ladder rung")
    p.add_argument("--seed", type=int, default=0, help="evaluation seed")
    p.add_argument("--variants", default=MAIN_VARIANTS)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--shots", type=int, default=0, help="solved demonstrations per prompt")
    add_strategy_argument(p)
    p.add_argument("--n-calibration", type=int, default=16, help="items to prune with")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N")
    p.add_argument("-o", "--output", default=DEFAULT_OUTPUT, help="results + report directory")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_run)


def main_plans(n: int, seed: int) -> list:
    """The main job's FamilyPlans: every registered family, its LADDER rungs."""
    from evals.suite import FamilyPlan
    from reasoning.core import ConfigError
    from reasoning.registry import family_names

    if n < 1:
        raise ConfigError(f"-n={n} must be at least 1")
    return [FamilyPlan(name, n, seed, LADDER.get(name, {})) for name in family_names()]


def recheck_or_stop(items: list) -> int:
    """Re-verify every item by its family's second solver path; RecheckFailed names the
    items whose label does not hold. Returns how many were checked."""
    from reasoning.api import iter_recheck

    bad = [item.id for item, problems in zip(items, iter_recheck(items), strict=True) if problems]
    if bad:
        shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise RecheckFailed(f"{len(bad)} generated label(s) failed their re-check: {shown}")
    return len(items)


def _check_model(model: str) -> None:
    """A named model whose wheel is missing fails here, in one line, before any work."""
    from reasoning.models.embedded import is_named, resolve_named

    if is_named(model):
        resolve_named(model)


def answer_per_family(args, specs, items, calibration, cache_path) -> tuple[list, list, list]:
    """Every variant's samples, each family with its own max_new_tokens (one model load
    and one pruning per variant); (direct samples, strategy samples, variant
    descriptions) as `reasoning eval`. As there, a pruned variant whose completions are
    all cached under its recorded pruned fingerprint is not pruned again
    (`evals.reuse.build_or_reuse`)."""
    from evals.cache import CompletionCache
    from evals.fewshot import shot_prompts
    from evals.reuse import build_or_reuse
    from evals.variants import describe_variant
    from reasoning.models import HFBackend

    prompts = shot_prompts(items, args.shots, args.seed)
    by_family: dict[str, list] = {}
    for item in items:
        by_family.setdefault(item.family, []).append(item)
    samples: list = []
    looped: list = []
    described = []
    with CompletionCache(cache_path) as cache:
        for spec in specs:
            backend, pruning, (rows, extra, seconds), _ = build_or_reuse(
                spec,
                lambda: HFBackend.load(args.model, device=args.device),
                calibration,
                cache,
                lambda b, n=spec.name: _answer_families(args, b, n, by_family, cache, prompts),
                model_name=args.model,
                device=args.device,
            )
            samples.extend(rows)
            looped.extend(extra)
            described.append(describe_variant(spec, backend, pruning, seconds))
            del backend
            gc.collect()
    return samples, looped, described


def _answer_families(args, backend, name, by_family, cache, prompts) -> tuple[list, list, float]:
    """(direct samples, strategy samples, seconds) of one variant over every family, each
    with its own max_new_tokens."""
    from evals.runner import answer_variant
    from evals.strategy_eval import answer_strategy
    from reasoning.models.base import GenerationSettings

    started = time.perf_counter()
    rows: list = []
    extra: list = []
    for family, members in by_family.items():
        settings = GenerationSettings(
            max_new_tokens=MAX_NEW_TOKENS.get(family, 32), batch_size=args.batch_size
        )
        rows += answer_variant(name, backend, members, settings, cache,
                               progress=not args.quiet, prompts=prompts)  # fmt: skip
        for strategy_name, strategy in args.strategies[1:]:  # [0] is direct, answered above
            extra += answer_strategy(name, strategy_name, strategy, backend, members,
                                     settings, cache, not args.quiet, prompts)  # fmt: skip
    return rows, extra, time.perf_counter() - started


def cmd_run(args: argparse.Namespace) -> int:
    """The `reasoning run` command (see the module docstring)."""
    from evals.command import _calibration, _version, format_summary
    from evals.fewshot import check_shots
    from evals.report import build_report
    from evals.results import items_digest, write_results
    from evals.runner import family_cluster, summarise
    from evals.strategy_eval import format_strategies, parse_strategies, summarise_strategies
    from evals.suite import generate_plans
    from evals.variants import parse_variants
    from reasoning.models.hf import check_device

    check_device(args.device)
    check_shots(args.shots)
    args.strategies = parse_strategies(args.strategy)
    specs = parse_variants(args.variants)
    plans = main_plans(args.n, args.seed)
    _check_model(args.model)
    out = Path(args.output)
    started = time.perf_counter()
    items = generate_plans(plans)
    try:
        checked = recheck_or_stop(items)
    except RecheckFailed as exc:  # a wrong label is exit 1, as in `reasoning verify`
        print(f"reasoning: error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(items)} items generated, {checked} re-verified", file=sys.stderr)
    calibration = _calibration(specs, items, args.n_calibration, args.model)
    cache_path = out.with_name(out.name + ".cache.sqlite")
    samples, looped, described = answer_per_family(args, specs, items, calibration, cache_path)
    groups = summarise(items, samples, cluster=family_cluster)
    results = {
        "package_version": _version(),
        "command": "reasoning " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "config": {
            "items": [p.to_dict() for p in plans],
            "model": args.model,
            "max_new_tokens": {p.name: MAX_NEW_TOKENS.get(p.name, 32) for p in plans},
            "batch_size": args.batch_size,
            "shots": args.shots,
            "device": args.device,
            "calibration_ids": [c.id for c in calibration] if calibration else [],
            "rechecked": checked,
        },
        "items": items_digest(items),
        "variants": described,
        "groups": groups,
    }
    if len(args.strategies) > 1:  # a direct-only run's results.json is as it was
        results["strategies"] = summarise_strategies(items, samples + looped, family_cluster)
    write_results(out, results, samples + looped, items)
    build_report(out, out)
    print(format_summary(groups, [s.name for s in specs]))
    if len(args.strategies) > 1:
        print(format_strategies(results["strategies"], [s.name for s in specs]))
    print(
        f"results and report written to {out}/ (results.json, report.md, report.html) "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return 0
