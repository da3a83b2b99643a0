"""The shipped embedded model (issue 15): the suite's default model is bundled in
data/models/, small enough for the repo, trained only on training-range items, and its
recorded held-out accuracy reproduces from the shipped weights."""

from __future__ import annotations

import json

import pytest

from evals.command import DEFAULT_MODEL
from reasoning.core.seeds import purpose, training_seed
from reasoning.models import HFBackend, embedded
from reasoning.train.heldout import accuracy_table, cell_name
from reasoning.train.mixture import heldout_items, recorded_parts, resolve_parts
from reasoning.train.trainer import TrainConfig

MAX_BYTES = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def shipped():
    """(model directory, its training.json) of the default model."""
    folder = embedded.bundled_models().get(DEFAULT_MODEL)
    assert folder is not None, f"{DEFAULT_MODEL} is not in {embedded.bundled_roots()}"
    return folder, json.loads((folder / "training.json").read_text())


@pytest.fixture(scope="module")
def backend(shipped):
    return HFBackend.load(DEFAULT_MODEL, device="cpu")


def test_the_default_model_is_bundled_small_and_a_llama(shipped, backend):
    folder, record = shipped
    assert embedded.is_named(DEFAULT_MODEL)
    size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    assert size <= MAX_BYTES
    assert backend.model.config.model_type == "llama"
    params = sum(p.numel() for p in backend.model.parameters())
    assert params == record["parameters"]


def test_training_never_saw_a_heldout_prompt(shipped):
    _, record = shipped
    assert record["heldout_prompts_seen_in_training"] == 0
    assert purpose(record["heldout_seed"]) == "evaluation"
    assert purpose(training_seed(record["config"]["seed"])) == "training"
    assert record["items_encoded"] > 0


def test_plain_reasoning_train_is_the_shipped_recipe(shipped):
    """`reasoning train -o DIR` with no other flag trains what the shipped model was
    trained on: its mixture and every setting that decides the weights."""
    config = shipped[1]["config"]
    default = TrainConfig()
    assert resolve_parts([], default.families) == recorded_parts(shipped[1])
    for key in ("steps", "batch_size", "seed", "lr", "warmup", "weight_decay",
                "prompt_loss_weight", "hidden_size", "layers", "heads", "intermediate_size",
                "vocab_size", "max_positions"):  # fmt: skip
        assert getattr(default, key) == config[key], key


def _reproduce(backend, record, cells_wanted: int | None):
    families = list(dict.fromkeys(row["family"] for row in record["heldout"]))
    n = record["heldout"][0]["n"]
    cells = heldout_items(families, n, record["heldout_seed"])
    recorded = {row["cell"]: row for row in record["heldout"]}
    rows = accuracy_table(backend, cells[:cells_wanted] if cells_wanted else cells)
    assert rows, "no held-out cell to reproduce"
    for row in rows:
        name = cell_name(row["family"], row["knobs"])
        assert name in recorded, f"{name} was not recorded in training.json"
        assert row["correct"] == recorded[name]["correct"], name


def test_recorded_heldout_accuracy_reproduces_on_the_first_cell(shipped, backend):
    _reproduce(backend, shipped[1], 1)


@pytest.mark.slow
def test_recorded_heldout_accuracy_reproduces_on_every_cell(shipped, backend):
    _reproduce(backend, shipped[1], None)


def test_reasoning_run_with_no_model_argument_uses_the_bundled_model(tmp_path, capsys):
    from reasoning.cli import main

    out = tmp_path / "main"
    assert main(["run", "-n", "1", "--variants", "dense,wanda:0.5", "-q", "-o", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    fingerprints = {v["name"]: v["fingerprint"] for v in results["variants"]}
    dense = HFBackend.load(DEFAULT_MODEL, device="cpu")
    assert fingerprints["dense"] == dense.fingerprint()
    assert fingerprints["wanda:0.5"] != fingerprints["dense"]
    assert "wanda:0.5" in capsys.readouterr().out
