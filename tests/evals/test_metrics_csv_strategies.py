"""metrics.csv: a row per group x variant x strategy; the direct rows are those of a run
without strategies, with `strategy` = direct."""

from __future__ import annotations

import csv

import pytest

import evals.results
import reasoning
from evals.results import COLUMNS, write_results
from evals.runner import Sample, summarise
from evals.strategy_eval import StrategySample, summarise_strategies

# dense right everywhere; wanda:0.5 wrong on items 0, 1, 4, 5 directly and on 0, 4 under
# refine:1 -> overall 4/8 direct, 6/8 looped: recovered (6/8 - 4/8) / (8/8 - 4/8) = 0.5
WRONG_DIRECT = {0, 1, 4, 5}
WRONG_LOOPED = {0, 4}


def _row(variant, item, correct, strategy=None):
    fields = dict(
        variant=variant, item_id=item.id, group="", sample=0, prompt_sha256="",
        completion="", prompt_tokens=10, completion_tokens=4, finish_reason="stop",
        correct=correct, score=float(correct), answered=True, feedback="",
        flexible_correct=correct,
    )  # fmt: skip
    if strategy is None:
        return Sample(**fields)
    return StrategySample(**fields, strategy=strategy, calls=3, rounds=(), stopped="passed",
                          tokens_saved=0)  # fmt: skip


def _write(tmp_path, with_strategies: bool) -> list[dict]:
    items = reasoning.generate("nlsat", 4, 5, n_vars=4) + reasoning.generate(
        "nlsat", 4, 5, n_vars=6
    )
    direct = [_row("dense", it, True) for it in items]
    direct += [_row("wanda:0.5", it, k not in WRONG_DIRECT) for k, it in enumerate(items)]
    looped = [_row("dense", it, True, "refine:1") for it in items]
    looped += [
        _row("wanda:0.5", it, k not in WRONG_LOOPED, "refine:1") for k, it in enumerate(items)
    ]
    results = {
        "package_version": "test",
        "config": {},
        "items": {"count": len(items)},
        "variants": [
            {"name": "dense", "signals": {"kl": None, "perplexity": {"value": 20.0}}},
            {"name": "wanda:0.5", "signals": {"kl": {"mean": 0.5}, "perplexity": None}},
        ],
        "groups": summarise(items, direct, n_boot=200),
    }
    rows = direct
    if with_strategies:
        results["strategies"] = summarise_strategies(items, direct + looped, n_boot=200)
        rows = direct + looped
    name = "with" if with_strategies else "without"
    folder = write_results(tmp_path / name, results, rows, items)
    with (folder / "metrics.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_direct_rows_are_those_of_a_run_without_strategies(tmp_path):
    plain, looped = _write(tmp_path, False), _write(tmp_path, True)
    assert {r["strategy"] for r in plain} == {"direct"}
    assert [r for r in looped if r["strategy"] == "direct"] == plain
    dense = next(r for r in plain if (r["group"], r["variant"]) == ("overall", "dense"))
    wanda = next(r for r in plain if (r["group"], r["variant"]) == ("overall", "wanda:0.5"))
    assert float(dense["accuracy"]) == 1.0 and dense["difference"] == "" and dense["kl"] == ""
    assert float(wanda["accuracy"]) == 0.5 and float(wanda["difference"]) == -0.5
    assert float(wanda["kl"]) == 0.5 and float(dense["perplexity"]) == 20.0
    assert all(r["calls_per_item"] == r["recovered"] == "" for r in plain)


def test_strategy_rows_carry_calls_the_difference_with_direct_and_the_recovery(tmp_path):
    rows = _write(tmp_path, True)
    looped = {(r["group"], r["variant"]): r for r in rows if r["strategy"] == "refine:1"}
    groups = {"overall", "nlsat", "nlsat n_vars=4", "nlsat n_vars=6"}
    assert set(looped) == {(g, v) for g in groups for v in ("dense", "wanda:0.5")}
    assert len(rows) == len(looped) + 3 * 2  # direct: overall + two hardness groups
    for group, n in (("overall", 8), ("nlsat", 8), ("nlsat n_vars=4", 4)):
        wanda, dense = looped[(group, "wanda:0.5")], looped[(group, "dense")]
        assert int(wanda["n"]) == n
        assert float(wanda["accuracy"]) == pytest.approx(0.75)
        assert float(wanda["vs_direct"]) == pytest.approx(0.25)
        assert float(wanda["recovered"]) == pytest.approx(0.5)
        assert float(wanda["recovered_low"]) <= 0.5 <= float(wanda["recovered_high"])
        assert float(wanda["vs_direct_low"]) <= 0.25 <= float(wanda["vs_direct_high"])
        assert float(wanda["calls_per_item"]) == 3.0
        assert float(dense["vs_direct"]) == 0.0 and dense["recovered"] == ""
    for row in looped.values():  # the columns against dense and the signals are direct's
        assert row["retention"] == row["difference"] == row["kl"] == row["perplexity"] == ""


def test_every_column_is_documented():
    header = list(COLUMNS)
    assert header[:3] == ["group", "variant", "strategy"]
    missing = [c for c in COLUMNS if f"`{c}`" not in evals.results.__doc__]
    assert missing == []
