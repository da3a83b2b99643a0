"""Error bars whose interval misses its point estimate by a rounding (Wilson at 6 of 6
right, a paired bootstrap with one cluster) are drawn clamped, not raised on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import reasoning
from evals.report import build_report, error_bars
from evals.results import write_results
from evals.runner import Sample, summarise
from evals.strategy_eval import StrategySample, summarise_strategies

N = 6


def _row(variant: str, item, correct: bool, strategy: str | None = None) -> Sample:
    fields = dict(
        variant=variant, item_id=item.id, group="nlsat", sample=0, prompt_sha256="",
        completion="Answer: " + item.answer, prompt_tokens=10, completion_tokens=4,
        finish_reason="stop", correct=correct, score=float(correct), answered=True,
        feedback="", flexible_correct=correct,
    )  # fmt: skip
    if strategy is None:
        return Sample(**fields)
    return StrategySample(**fields, strategy=strategy, calls=2, rounds=(), stopped="passed",
                          tokens_saved=0)  # fmt: skip


def _results(tmp_path):
    """Dense right on 6 of 6; wanda:0.5 on 5 of 6, and 6 of 6 under refine:1; every item
    in one cluster, so each bootstrap interval is a single point."""
    items = reasoning.generate("nlsat", N, 3, n_vars=4)
    rows = [_row("dense", it, True) for it in items]
    rows += [_row("wanda:0.5", it, k != 0) for k, it in enumerate(items)]
    looped = [_row(v, it, True, "refine:1") for v in ("dense", "wanda:0.5") for it in items]
    one_cluster = lambda item: "all"  # noqa: E731
    groups = summarise(items, rows, cluster=one_cluster, n_boot=200)
    results = {
        "package_version": "test",
        "command": "reasoning eval ...",
        "config": {"model": "scripted"},
        "items": {"count": len(items)},
        "variants": [
            {
                "name": "dense",
                "spec": {"name": "dense"},
                "signals": {"kl": None, "perplexity": {"value": 20.0}},
            },
            {
                "name": "wanda:0.5",
                "spec": {"name": "wanda:0.5", "method": "wanda", "sparsity": 0.5},
                "signals": {"kl": {"mean": 0.2}, "perplexity": {"value": 23.0}},
            },
        ],
        "groups": groups,
        "strategies": summarise_strategies(items, rows + looped, one_cluster, n_boot=200),
    }
    return write_results(tmp_path / "results", results, rows + looped, items), results


def test_bounds_that_miss_the_estimate_by_a_rounding_still_give_a_report(tmp_path):
    folder, results = _results(tmp_path)
    dense = results["groups"]["overall"]["variants"]["dense"]
    paired = results["groups"]["overall"]["vs_dense"]["wanda:0.5"]
    # the premises: bounds that fall on the wrong side of their estimate
    assert dense["accuracy"] == 1.0 and dense["wilson95"][1] < 1.0
    low, high = paired["difference_ci"]
    assert low == high and not low <= paired["difference"] <= high
    recovered = results["strategies"]["groups"]["overall"]["refine:1"]["wanda:0.5"]["recovered"]
    assert recovered["ci95"][0] == recovered["ci95"][1]

    out = build_report(folder, tmp_path / "report")
    for name in ("survival", "difference", "perplexity", "strategies"):
        assert (out / f"{name}.png").read_bytes()[:4] == b"\x89PNG", name
    md = (out / "report.md").read_text()
    assert "| overall | wanda:0.5 | 6 | 0.833" in md
    assert "## Strategies" in md
    assert "<img" in (out / "report.html").read_text()


bound = st.floats(-2, 2, allow_nan=False)


@given(bound, bound, bound)
def test_error_bars_are_never_negative_and_exact_inside_the_interval(value, low, high):
    (below,), (above,) = error_bars([(value, low, high)])
    assert below >= 0 and above >= 0
    if low <= value <= high:
        assert (below, above) == (value - low, high - value)
    else:
        assert below == 0 or above == 0
