"""Pruning calibrates a model that records its training mixture on that mixture (drawn
from the calibration range), and any other model on the default families."""

from __future__ import annotations

import json
import shutil

from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from reasoning.models import HFBackend
from reasoning.models.embedded import bundled_models, local_directory
from reasoning.prune import prune
from reasoning.prune.calibration import (
    calibration_items,
    calibration_text,
    default_families,
    training_record,
)
from reasoning.registry import get_family
from reasoning.train.mixture import KG_TRAINING_SEEDS, recorded_parts, training_items

RECORD = {
    "config": {
        "families": ["logicasker", "kgqa"],
        "parts": ["logicasker:steps=1+2@0.5", "kgqa:hops=1,kg_seed=3+4@0.5"],
    }
}


def _model_dir(tmp_path, record):
    folder = tmp_path / "model"
    folder.mkdir(exist_ok=True)
    text = record if isinstance(record, str) else json.dumps(record)
    (folder / "training.json").write_text(text)
    return folder


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 50), st.integers(0, 50), st.integers(4, 12))
def test_a_trained_models_calibration_is_its_mixture_and_never_a_used_item(
    tmp_path_factory, prune_seed, other_seed, n
):
    folder = _model_dir(tmp_path_factory.mktemp("m"), RECORD)
    items = calibration_items(n, prune_seed, folder)
    assert len(items) == n
    assert {i.family for i in items} == {"logicasker", "kgqa"}
    for item in items:
        if item.family == "kgqa":
            assert item.hardness["kg_seed"] in (3, 4) and item.hardness["hops"] == 1
        else:
            assert item.hardness["steps"] in (1, 2)
    ids = {i.id for i in items}
    # never an item the model trained on, nor one an evaluation run (any ordinary seed) asks
    trained = training_items(recorded_parts(RECORD), 24, other_seed)
    evaluated = [
        it.id
        for fam, knobs in (("logicasker", {"steps": 1}), ("kgqa", {"hops": 1, "kg_seed": 3}))
        for it in reasoning.generate(fam, 12, other_seed, **knobs)
    ]
    assert ids.isdisjoint(i.id for i in trained)
    assert ids.isdisjoint(evaluated)
    assert calibration_items(n, prune_seed, folder) == items  # deterministic


def test_families_only_record_uses_the_families_default_mixture(tmp_path):
    folder = _model_dir(tmp_path, {"config": {"families": ["kgqa"], "parts": []}})
    items = calibration_items(6, 0, folder)
    assert {i.family for i in items} == {"kgqa"}
    assert all(i.hardness["kg_seed"] in KG_TRAINING_SEEDS for i in items)


def test_no_record_or_a_broken_one_falls_back_to_the_default_families(tmp_path):
    default = calibration_items(5, 0, None)
    assert [i.family for i in default] == [i.family for i in calibration_items(5, 0, tmp_path)]
    assert {i.family for i in default} <= set(default_families())
    for bad in ("{not json", "[1, 2]", json.dumps({"config": {"parts": ["nosuch:x=1"]}}),
                json.dumps({"config": {"families": [], "parts": []}}),
                json.dumps({"config": {"parts": [3]}})):  # fmt: skip
        folder = _model_dir(tmp_path, bad)
        assert [i.id for i in calibration_items(5, 0, folder)] == [i.id for i in default]
    assert training_record(tmp_path / "absent") is None


def test_calibration_text_is_the_prompt_then_the_worked_answer():
    for family in ("logicasker", "nlsat", "kgqa"):
        item = reasoning.generate(family, 1, 3)[0]
        text = calibration_text(item)
        prompt, _, answer = text.partition(item.prompt + "\n")
        assert prompt == "" and answer == get_family(family).target(item)


def test_local_directory_never_loads_or_converts(tmp_path, monkeypatch):
    monkeypatch.setenv("REASONING_CACHE", str(tmp_path / "cache"))
    assert local_directory(str(tmp_path)) == tmp_path
    assert local_directory("org/some-hub-model") is None
    assert local_directory("smollm2-135m") is None  # named, not converted in this cache
    for name, folder in bundled_models().items():
        assert local_directory(name) == folder


def test_prune_reads_the_models_own_record(tiny_llama, tmp_path):
    folder = tmp_path / "llama"
    shutil.copytree(tiny_llama, folder)
    plain = HFBackend.load(str(tiny_llama))
    report = prune(plain.model, "wanda", 0.5, tokenizer=plain.tokenizer, n_calibration=6)
    default_ids = [i.id for i in calibration_items(6, 0, None)]
    assert report.calibration["ids"] == default_ids
    (folder / "training.json").write_text(json.dumps(RECORD))
    trained = HFBackend.load(str(folder))
    report = prune(trained.model, "wanda", 0.5, tokenizer=trained.tokenizer, n_calibration=6)
    assert report.calibration["ids"] == [i.id for i in calibration_items(6, 0, folder)]
    assert {i.split("-")[0] for i in report.calibration["ids"]} == {"logicasker", "kgqa"}
    assert 0.45 < report.matrices[0].actual < 0.55
