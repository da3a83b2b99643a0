"""Results directory and report from scripted variants (no model needed)."""

from __future__ import annotations

import json

import pytest

import reasoning
from evals.cache import CompletionCache
from evals.report import build_report, largest_flips
from evals.results import read_results, tidy_rows, without_timestamps, write_results
from evals.runner import answer_variant, summarise
from reasoning.core import DataError
from reasoning.models.base import GenerationSettings
from reasoning.registry import get_family
from tests.evals.test_runner import Scripted, _wrong


def _run(tmp_path, name):
    items = reasoning.generate("nlsat", 10, 1, n_vars=4) + reasoning.generate("logicasker", 10, 1)
    oracle = {i.prompt: get_family(i.family).oracle(i) for i in items}
    broken = {i.prompt: _wrong(i) if n % 3 == 0 else oracle[i.prompt] for n, i in
              enumerate(items)}  # fmt: skip
    settings = GenerationSettings(max_new_tokens=4)
    with CompletionCache(tmp_path / f"{name}.sqlite") as cache:
        rows = answer_variant("dense", Scripted("d", oracle), items, settings, cache)
        rows += answer_variant("wanda:0.5", Scripted("w", broken), items, settings, cache)
    results = {
        "package_version": "test",
        "command": "reasoning eval ...",
        "config": {"model": "scripted"},
        "items": {"count": len(items)},
        "variants": [
            {"name": "dense", "spec": {"name": "dense"}},
            {
                "name": "wanda:0.5",
                "spec": {"name": "wanda:0.5", "method": "wanda", "sparsity": 0.5},
            },
        ],  # fmt: skip
        "groups": summarise(items, rows, n_boot=300),
    }
    return write_results(tmp_path / name, results, rows, items), items


def test_results_round_trip_and_are_reproducible(tmp_path):
    first, items = _run(tmp_path, "a")
    second, _ = _run(tmp_path, "b")
    one, samples, read_items = read_results(first)
    two, _, _ = read_results(second)
    assert without_timestamps(one) == without_timestamps(two)
    assert [i.id for i in read_items] == [i.id for i in items]
    assert len(samples) == 2 * len(items)
    metrics = (first / "metrics.csv").read_text().splitlines()
    assert len(metrics) == 1 + len(tidy_rows(one["groups"]))


def test_report_is_self_contained_and_shows_the_flips(tmp_path):
    folder, items = _run(tmp_path, "r")
    out = build_report(folder, tmp_path / "report")
    page = (out / "report.html").read_text()
    assert "data:image/png;base64," in page and 'src="http' not in page
    assert (out / "survival.png").read_bytes()[:4] == b"\x89PNG"
    results, samples, _ = read_results(folder)
    flips = largest_flips(samples, {i.id: i for i in items})
    assert len(flips) == results["groups"]["overall"]["vs_dense"]["wanda:0.5"]["right_to_wrong"]
    assert all(f["item"].id in page for f in flips)
    assert "| overall | wanda:0.5 |" in (out / "report.md").read_text()


def test_a_folder_that_is_not_results_is_one_clear_error(tmp_path):
    with pytest.raises(DataError, match="not a results directory"):
        read_results(tmp_path)
    (tmp_path / "items.jsonl").write_text("")
    (tmp_path / "results.json").write_text(json.dumps({"schema": 99}))
    (tmp_path / "samples.jsonl").write_text("")
    with pytest.raises(DataError, match="schema"):
        read_results(tmp_path)
