"""The results directory of an evaluation, written together or not at all.

    RESULTS/results.json    schema 1: run config, package version, item set, variants
                            (spec, fingerprint, pruning report), per-group metrics
    RESULTS/samples.jsonl   one row per item x variant x sample: prompt hash, completion,
                            tokens, finish reason, verdict (strict and flexible)
    RESULTS/metrics.csv     the metrics as a tidy table: one row per group x variant x
                            strategy (direct, then each loop strategy run)
    RESULTS/items.jsonl     the items asked (so the report can show prompts and gold)

`results.json` keys:
- `schema` (1), `package_version`, `created` (UTC, the only field that differs between
  two runs of the same command), `command`;
- `config`: items (plans or file), generation settings, device, dtype, seed;
- `items`: count, sha256 of their ids in order, per-family counts;
- `variants`: list of {name, spec, fingerprint, pruning, seconds, signals};
  `signals` (see `evals.signals.signals_for`) = {"kl": null or {mean, per_text, tokens,
  n_texts, max_tokens}: KL(dense || variant) in nats per position of the evaluation
  prompts, "perplexity": null or {value, mean_nll, tokens, n_texts, ids_sha256} on
  held-out items, "reasons": {signal: why it is null}}; remote variants get nulls, dense
  no KL (it is the reference); results written before signals existed have no key;
- `groups`: {group: {"variants": {variant: accuracy block}, "vs_dense": {variant:
  paired comparison}}}, groups being "overall" and "family knob=value ...".
An accuracy block: n, accuracy, flexible_accuracy, wilson95, no_answer_rate, mean_score,
mean_completion_tokens, errors. A paired comparison: see `evals.stats.PairedComparison`.
- `strategies` (only when `--strategy` named a loop strategy besides `direct`; `groups`
  and the direct sample rows are the same with or without it): {"names": [strategy,
  ...] (direct first), "groups": {group: {strategy: {variant: block}}}}, groups being
  "overall", each family, and "family knob=value ..."; a block is an accuracy block
  (over the loop's final responses; `mean_completion_tokens` summed over the loop's
  calls per item) plus calls_per_item, prompt_tokens_per_item, `stopped` (why the loop
  ended: counts), and, for a strategy other than direct, `vs_direct` (paired comparison
  with the same variant's direct answers) and, for a variant other than dense,
  `recovered` = {fraction, ci95, reason, loss, gain, n, undefined_resamples,
  extra_calls_per_item, extra_completion_tokens_per_item}: the share of the pruning loss
  the strategy recovers, (acc(variant+strategy) - acc(variant)) / (acc(dense) -
  acc(variant)), both baselines under direct, with a paired-bootstrap interval over
  items (clusters), None with a `reason` when the variant lost nothing (see
  `evals.recovery`).
samples.jsonl rows of a strategy also carry `strategy`, `calls`, `rounds` (one {kind,
sample, passed, error} per model call; `passed` is the gold-free check), `stopped` and
`tokens_saved`; their `completion` is the loop's final response and their token counts
are summed over its calls. Direct rows have no `strategy` key.

metrics.csv columns (COLUMNS; an empty cell is a value that does not apply):
- `group`, `variant`, `strategy`: the row's key; `strategy` is `direct` for the rows of
  `groups` (the direct answers) and the loop strategy's name for the rows of
  `strategies` (one per group x strategy x variant, strategies other than direct only;
  their groups also include each family);
- `n`, `accuracy`, `wilson_low`, `wilson_high`, `flexible_accuracy`, `no_answer_rate`,
  `mean_completion_tokens`: the accuracy block (for a strategy, over the loop's final
  responses, tokens summed over its calls per item);
- `retention`, `difference`, `difference_low`, `difference_high`, `difference_se`,
  `mcnemar_p`, `right_to_wrong`, `wrong_to_right`: the variant against dense, both
  direct (`vs_dense`); direct rows of variants other than dense only;
- `calls_per_item`, `vs_direct`, `vs_direct_low`, `vs_direct_high`, `vs_direct_p`: a
  strategy row's model calls per item and its paired difference with the same variant's
  direct answers (bootstrap 95 % interval, McNemar p); `recovered`, `recovered_low`,
  `recovered_high`: the recovered fraction of the pruning loss and its interval (pruned
  variants that lost something only); strategy rows only;
- `kl`, `perplexity`: the variant's signals, on its direct overall row only (they are
  measured on texts spread over all groups), empty elsewhere.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evals.runner import Sample
from reasoning.core import DataError, Instance, read_jsonl
from reasoning.core.io import dumps
from reasoning.core.output import AtomicFiles, json_line

SCHEMA = 1
FILES = ("results.json", "samples.jsonl", "metrics.csv", "items.jsonl")
COLUMNS = (
    "group", "variant", "strategy", "n", "accuracy", "wilson_low", "wilson_high",
    "flexible_accuracy", "no_answer_rate", "mean_completion_tokens", "retention", "difference",
    "difference_low", "difference_high", "difference_se", "mcnemar_p", "right_to_wrong",
    "wrong_to_right", "calls_per_item", "vs_direct", "vs_direct_low", "vs_direct_high",
    "vs_direct_p", "recovered", "recovered_low", "recovered_high", "kl", "perplexity",
)  # fmt: skip
DIRECT = "direct"  # the strategy of the direct answers (evals.strategy_eval.DIRECT)


def items_digest(items: Sequence[Instance]) -> dict:
    """What identifies the item set: count, sha256 of the ids in order, family counts."""
    digest = hashlib.sha256("\n".join(i.id for i in items).encode()).hexdigest()
    families = Counter(i.family for i in items)
    return {"count": len(items), "ids_sha256": digest, "families": dict(sorted(families.items()))}


def summary_rows(groups: dict, variants: Sequence[str]) -> Iterable[tuple]:
    """(group, variant, accuracy block, paired comparison or None) for every group, the
    overall group first, variants in the given order (the tables of the CLI and report)."""
    for group in sorted(groups, key=lambda g: (g != "overall", g)):
        entry = groups[group]
        for variant in variants:
            if variant in entry["variants"]:
                yield group, variant, entry["variants"][variant], entry["vs_dense"].get(variant)


def signal_values(variants: Sequence[dict]) -> dict[str, tuple[float | None, float | None]]:
    """variant name -> (mean token KL from dense, held-out perplexity), None where absent."""
    values = {}
    for variant in variants:
        signals = variant.get("signals") or {}
        kl, ppl = signals.get("kl") or {}, signals.get("perplexity") or {}
        values[variant["name"]] = (kl.get("mean"), ppl.get("value"))
    return values


def tidy_rows(
    groups: dict, variants: Sequence[dict] = (), strategies: dict | None = None
) -> list[dict]:
    """One flat row per group x variant x strategy (COLUMNS; see the module docstring):
    the direct rows of `groups` first, dense rows without paired fields, then, when
    results.json has `strategies`, a row per group x strategy x variant of each strategy
    other than direct. The `variants` entries give the direct overall rows their
    signals."""
    signals = signal_values(variants)
    rows = []
    for group, entry in groups.items():
        for variant, acc in entry["variants"].items():
            paired = entry["vs_dense"].get(variant, {})
            ci = paired.get("difference_ci", [None, None])
            kl, ppl = signals.get(variant, (None, None)) if group == "overall" else (None, None)
            rows.append(
                _accuracy_cells(group, variant, DIRECT, acc)
                | {
                    "retention": paired.get("retention"),
                    "difference": paired.get("difference"),
                    "difference_low": ci[0],
                    "difference_high": ci[1],
                    "difference_se": paired.get("difference_se"),
                    "mcnemar_p": paired.get("mcnemar_p"),
                    "right_to_wrong": paired.get("right_to_wrong"),
                    "wrong_to_right": paired.get("wrong_to_right"),
                    "kl": kl,
                    "perplexity": ppl,
                }
            )
    return rows + _strategy_rows(strategies or {})


def _accuracy_cells(group: str, variant: str, strategy: str, acc: dict) -> dict:
    """A row with every column, empty but the key and the accuracy block's cells."""
    return dict.fromkeys(COLUMNS) | {
        "group": group,
        "variant": variant,
        "strategy": strategy,
        "n": acc["n"],
        "accuracy": acc["accuracy"],
        "wilson_low": acc["wilson95"][0],
        "wilson_high": acc["wilson95"][1],
        "flexible_accuracy": acc["flexible_accuracy"],
        "no_answer_rate": acc["no_answer_rate"],
        "mean_completion_tokens": acc["mean_completion_tokens"],
    }


def _strategy_rows(strategies: dict) -> list[dict]:
    """The rows of results.json's `strategies`, direct left out (its rows are `groups`')."""
    rows = []
    for group, entry in strategies.get("groups", {}).items():
        for name, blocks in entry.items():
            if name == DIRECT:
                continue
            for variant, block in blocks.items():
                paired = block.get("vs_direct") or {}
                ci = paired.get("difference_ci") or [None, None]
                recovered = block.get("recovered") or {}
                rci = recovered.get("ci95") or [None, None]
                rows.append(
                    _accuracy_cells(group, variant, name, block)
                    | {
                        "calls_per_item": block.get("calls_per_item"),
                        "vs_direct": paired.get("difference"),
                        "vs_direct_low": ci[0],
                        "vs_direct_high": ci[1],
                        "vs_direct_p": paired.get("mcnemar_p"),
                        "recovered": recovered.get("fraction"),
                        "recovered_low": rci[0],
                        "recovered_high": rci[1],
                    }
                )
    return rows


def _csv(rows: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def write_results(
    directory: str | Path,
    results: dict,
    samples: Sequence[Sample],
    items: Sequence[Instance],
    inputs: Iterable[str | Path] = (),
) -> Path:
    """Write the three files of a results directory together (atomically); `results`
    gets `schema` and `created` here. Returns the directory."""
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{folder} exists and is not a directory")
    record = {
        "schema": SCHEMA,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **results,
    }
    targets = [folder / name for name in FILES]
    with AtomicFiles(targets, inputs) as files:
        paths = dict(zip(FILES, files.targets, strict=True))
        files.temp(paths["results.json"]).write_text(
            json.dumps(record, indent=2, sort_keys=True, ensure_ascii=True) + "\n",
            encoding="utf-8",
        )
        with files.temp(paths["samples.jsonl"]).open("w", encoding="utf-8") as handle:
            for sample in samples:
                handle.write(json_line(sample.to_dict(), sort_keys=True))
        files.temp(paths["metrics.csv"]).write_text(
            _csv(tidy_rows(results["groups"], results["variants"], results.get("strategies"))),
            encoding="utf-8",
        )
        with files.temp(paths["items.jsonl"]).open("w", encoding="utf-8") as handle:
            handle.writelines(dumps(item) + "\n" for item in items)
    return folder


def read_results(directory: str | Path) -> tuple[dict, list[dict], list[Instance]]:
    """(results.json, sample rows, items) of a results directory; DataError when it is
    not one."""
    folder = Path(directory)
    if not (folder / "items.jsonl").is_file():
        raise DataError(f"{folder}: not a results directory (no items.jsonl)")
    items = read_jsonl(folder / "items.jsonl")
    try:
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        samples = [
            json.loads(line)
            for line in (folder / "samples.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    except FileNotFoundError as exc:
        raise DataError(f"{folder}: not a results directory (missing {exc.filename})") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{folder}: unreadable results ({exc})") from None
    if not isinstance(results, dict) or results.get("schema") != SCHEMA:
        raise DataError(f"{folder}/results.json: not schema {SCHEMA} results")
    return results, samples, items


def without_timestamps(results: dict[str, Any]) -> dict[str, Any]:
    """results.json less the fields that legitimately differ between identical runs: when
    it was made, and how long each variant and its pruning took."""
    out = {k: v for k, v in results.items() if k != "created"}
    out["variants"] = [
        {
            **{k: v for k, v in variant.items() if k != "seconds"},
            "pruning": {k: v for k, v in variant["pruning"].items() if k != "seconds"}
            if isinstance(variant.get("pruning"), dict)
            else variant.get("pruning"),
        }
        for variant in results.get("variants", [])
    ]
    return out
