"""Loop strategies through the harness: every strategy x variant answers the same items.

`--strategy refine:2,best_of:4` (repeatable; `direct` always runs, first) makes each
variant solve every item with `reasoning.loop.solve` as well as answer it directly. The
loop sees only `view_of(item)` (with the k-shot prompt as its prompt when `--shots` is
given) and calls the model through the harness's `CachedBackend`, so a rerun of the same
command recomputes nothing stored; the final response is scored afterwards, by the
family's strict `verify` and the flexible reading, exactly as a direct completion is.

Direct answers keep their own path (`evals.runner.answer_variant`) and their rows,
groups and statistics are the same whether or not strategies run. The strategy rows
(`StrategySample`) carry the strategy, the loop's rounds, calls, tokens summed over its
calls, and why it stopped. `summarise_strategies` gives, per group (overall, family,
family x hardness) x strategy x variant: accuracy, calls and tokens per item, the paired
comparison with the same variant's direct answers, and the recovered fraction of the
pruning loss (`evals.recovery`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tqdm import tqdm

from evals.cache import CachedBackend, CompletionCache
from evals.recovery import recovered_fraction
from evals.runner import Cluster, Sample, accuracy_block, flexible_match, group_keys
from evals.stats import compare
from reasoning.api import verify
from reasoning.core import Instance
from reasoning.loop import Strategy, parse_strategy, solve, view_of
from reasoning.models.base import Backend, GenerationSettings

DIRECT = "direct"


def parse_strategies(values: Iterable[str] | None) -> list[tuple[str, Strategy]]:
    """(canonical name, Strategy) for each `--strategy` value (comma-separated parts too),
    `direct` first and always present, each strategy once; ConfigError (from
    `parse_strategy`) naming a bad one."""
    parsed: dict[str, Strategy] = {DIRECT: parse_strategy(DIRECT)}
    for value in values or ():
        for part in value.split(","):
            strategy = parse_strategy(part)
            parsed.setdefault(str(strategy), strategy)
    return list(parsed.items())


@dataclass(frozen=True)
class StrategySample(Sample):
    """One item solved by one variant with one loop strategy: the final response (as
    `completion`), tokens summed over the loop's calls, its verdict against gold, and
    the loop's record: `calls`, `rounds` (kind, sample, gold-free check passed, error),
    `stopped` and `tokens_saved`."""

    strategy: str
    calls: int
    rounds: tuple
    stopped: str
    tokens_saved: int

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        out["rounds"] = [dict(r) for r in self.rounds]
        return out


def answer_strategy(
    variant: str,
    name: str,
    strategy: Strategy,
    backend: Backend,
    items: Sequence[Instance],
    settings: GenerationSettings,
    cache: CompletionCache,
    progress: bool = False,
    prompts: Mapping[str, str] | None = None,
) -> list[StrategySample]:
    """Every item solved by `strategy` on one variant through the cache (each model call
    stored as it returns), then scored against gold. The loop is given the gold-free
    view only; `prompts` (item id -> text) replaces the prompt it starts from."""
    sent = prompts or {}
    groups = group_keys(items)
    cached = CachedBackend(backend, cache)
    rows = []
    desc = f"{variant} {name}"
    bar = tqdm(items, desc=desc, unit="item", disable=not progress or None, file=sys.stderr)
    for item in bar:
        view = view_of(item)
        if item.id in sent:
            view = dataclasses.replace(view, prompt=sent[item.id])
        result = solve(cached, view, strategy, settings)
        rows.append(_row(variant, name, item, groups[item.id], view.prompt, result))
    return rows


def _row(
    variant: str, name: str, item: Instance, group: str, prompt: str, result
) -> StrategySample:
    verdict = verify(item, result.response)  # gold, only now that the loop has ended
    rounds = tuple(
        {"kind": r.kind, "sample": r.sample, "passed": r.check and r.check.passed, "error": r.error}
        for r in result.rounds
    )
    return StrategySample(
        variant=variant,
        item_id=item.id,
        group=group,
        sample=0,
        prompt_sha256=hashlib.sha256(prompt.encode("utf-8", "replace")).hexdigest(),
        completion=result.response,
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        finish_reason="error" if result.stopped == "error" else "stop",
        correct=verdict.correct,
        score=verdict.score,
        answered=verdict.answered,
        feedback=verdict.feedback,
        flexible_correct=verdict.correct or flexible_match(item, result.response),
        strategy=name,
        calls=result.calls,
        rounds=rounds,
        stopped=result.stopped,
        tokens_saved=result.tokens_saved,
    )


def _calls(row: Sample) -> int:
    return row.calls if isinstance(row, StrategySample) else 1


def _block(rows: Sequence[Sample]) -> dict:
    n = len(rows)
    out = accuracy_block(rows)
    out["calls_per_item"] = sum(_calls(r) for r in rows) / n if n else 0.0
    out["prompt_tokens_per_item"] = sum(r.prompt_tokens for r in rows) / n if n else 0.0
    stopped = Counter(r.stopped for r in rows if isinstance(r, StrategySample))
    out["stopped"] = dict(sorted(stopped.items()))
    return out


def _members(items: Sequence[Instance]) -> dict[str, list[Instance]]:
    """'overall', each family, and each family x hardness group -> its items."""
    groups = group_keys(items)
    members: dict[str, list[Instance]] = defaultdict(list)
    for item in items:
        for key in dict.fromkeys(("overall", item.family, groups[item.id])):
            members[key].append(item)
    return members


def summarise_strategies(
    items: Sequence[Instance],
    rows: Iterable[Sample],
    cluster: Cluster | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> dict:
    """results.json's `strategies`: {"names": [...], "groups": {group: {strategy:
    {variant: block}}}}. A block: the accuracy block, calls_per_item,
    prompt_tokens_per_item, `stopped` counts; for a strategy other than direct,
    `vs_direct` (the paired comparison with the same variant's direct answers); for a
    variant other than dense, `recovered` (see `evals.recovery`) with the extra calls and
    completion tokens per item it costs against direct. `rows` are direct `Sample`s and
    `StrategySample`s; items missing a row are left out of the paired figures."""
    by_key: dict[tuple[str, str, str], Sample] = {}
    for row in rows:
        if row.sample == 0:
            by_key[(getattr(row, "strategy", DIRECT), row.variant, row.item_id)] = row
    names = list(dict.fromkeys(s for s, _, _ in by_key))
    variants = list(dict.fromkeys(v for _, v, _ in by_key))
    groups = {}
    for group, members in _members(items).items():
        labels = [cluster(it) for it in members] if cluster else None
        entry: dict = {}
        for name in names:
            entry[name] = {}
            for variant in variants:
                got = [by_key.get((name, variant, it.id)) for it in members]
                present = [r for r in got if r is not None]
                if not present:
                    continue
                block = _block(present)
                if name != DIRECT:
                    base = [by_key.get((DIRECT, variant, it.id)) for it in members]
                    if all(r is not None for r in (*base, *got)):
                        paired = compare([r.correct for r in base], [r.correct for r in got],
                                         labels, n_boot, seed)  # fmt: skip
                        block["vs_direct"] = paired.to_dict()
                        if variant != "dense":
                            dense = [by_key.get((DIRECT, "dense", it.id)) for it in members]
                            block["recovered"] = _recovered(dense, base, got, labels, n_boot, seed)
                entry[name][variant] = block
        groups[group] = entry
    return {"names": names, "groups": groups}


def _recovered(dense, base, got, labels, n_boot, seed) -> dict | None:
    if any(r is None for r in dense):
        return None
    n = len(got)
    out = recovered_fraction(
        [r.correct for r in dense], [r.correct for r in base], [r.correct for r in got],
        labels, n_boot=n_boot, seed=seed,
    )  # fmt: skip
    out["extra_calls_per_item"] = (sum(map(_calls, got)) - sum(map(_calls, base))) / n
    out["extra_completion_tokens_per_item"] = (
        sum(r.completion_tokens for r in got) - sum(r.completion_tokens for r in base)
    ) / n
    return out


def strategy_rows(summary: dict, variants: Sequence[str]) -> Iterable[tuple]:
    """(group, strategy, variant, block) for every group, 'overall' first, then families,
    then hardness groups; strategies and `variants` in order."""
    groups = summary.get("groups", {})
    for group in sorted(groups, key=lambda g: (g != "overall", " " in g, g)):
        for name in summary["names"]:
            for variant in variants:
                block = groups[group].get(name, {}).get(variant)
                if block is not None:
                    yield group, name, variant, block


def recovered_text(block: dict) -> str:
    """'0.50 [0.10, 0.90]', 'n/a (reason)' or '–' for a block's recovered fraction."""
    rec = block.get("recovered")
    if not rec:
        return "–"
    if rec["fraction"] is None:
        return "n/a (lost nothing)" if rec["n"] else "n/a"
    low, high = rec["ci95"] or (float("nan"), float("nan"))
    return f"{rec['fraction']:.2f} [{low:.2f}, {high:.2f}]"


def format_strategies(summary: dict, variants: Sequence[str]) -> str:
    """The strategies table (overall and per family): accuracy, calls and completion
    tokens per item, and the recovered fraction of the pruning loss."""
    head = f"{'group':<14} {'strategy':<20} {'variant':<16} {'n':>4} {'acc':>6} "
    lines = [head + f"{'calls':>6} {'tokens':>7}  recovered [95% CI]"]
    for group, name, variant, block in strategy_rows(summary, variants):
        if " " in group:
            continue  # hardness groups: results.json and the report
        lines.append(
            f"{group[:14]:<14} {name[:20]:<20} {variant[:16]:<16} {block['n']:>4} "
            f"{block['accuracy']:>6.3f} {block['calls_per_item']:>6.2f} "
            f"{block['mean_completion_tokens']:>7.1f}  {recovered_text(block)}"
        )
    return "\n".join(lines)
