"""`reasoning train`: tokenizer, mixture, disjoint seeds, a tiny end-to-end training run
that reloads through the hf backend, resume after an interruption, reproducibility."""

from __future__ import annotations

import json

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from reasoning.cli import main
from reasoning.core import ConfigError, OutputError
from reasoning.core.seeds import check_disjoint, training_seed
from reasoning.train import trainer as trainer_module
from reasoning.train.mixture import (
    DEFAULTS,
    Part,
    allocate,
    default_parts,
    parse_part,
    training_items,
)
from reasoning.train.tokenizer import build_tokenizer
from reasoning.train.trainer import TrainConfig, train

TINY = dict(hidden_size=32, layers=2, heads=2, intermediate_size=64, vocab_size=320,
            batch_size=4, steps=12, heldout_per_cell=1, eval_every=0,
            checkpoint_every=4)  # fmt: skip
PARTS = ("logicasker:steps=1", "kgqa:hops=1,kg_seed=1")


def test_tokenizer_is_deterministic_round_trips_and_reloads(tmp_path):
    texts = [it.prompt for it in reasoning.generate("nlsat", 30, 5, n_vars=3)]
    a, b = build_tokenizer(texts, 400), build_tokenizer(texts, 400)
    assert a.backend_tokenizer.to_str() == b.backend_tokenizer.to_str()
    hostile = "∀x ¬P(x) \ufffd\u00e9 " + texts[0] + " 'Answer: yes'"
    ids = a(hostile)["input_ids"]
    assert ids[0] == a.bos_token_id  # encoding adds the beginning token, as backends expect
    assert a.decode(ids, skip_special_tokens=True) == hostile
    a.save_pretrained(tmp_path)
    from transformers import AutoTokenizer

    again = AutoTokenizer.from_pretrained(tmp_path)
    assert again(hostile)["input_ids"] == ids


@given(st.lists(st.floats(0.01, 10), min_size=1, max_size=5), st.integers(0, 500))
def test_allocation_adds_up_and_follows_shares(shares, total):
    parts = [Part("nlsat", {"n_vars": [3, 4]}, s) for s in shares]
    cells = allocate(parts, total)
    assert sum(n for _, _, n in cells) == total
    weight = sum(shares)
    for i, share in enumerate(shares):  # each part within one item per point of its share
        got = cells[2 * i][2] + cells[2 * i + 1][2]
        assert abs(got - total * share / weight) <= 2


def test_parse_part_reads_lists_and_rejects_bad_knobs():
    assert parse_part("kgqa:hops=1+2,kg_seed=3@0.2") == Part(
        "kgqa", {"hops": [1, 2], "kg_seed": 3}, 0.2
    )
    for bad in (
        "nosuch",
        "nlsat:n_vars=1",
        "nlsat:colour=3",
        "nlsat:n_vars",
        "nlsat@-1",
        "nlsat@x",
    ):
        with pytest.raises(ConfigError):
            parse_part(bad)


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 5), st.integers(0, 40), st.integers(0, 3))
def test_a_repeated_part_shows_fewer_distinct_items_each_at_most_repeat_times(repeat, total, seed):
    parts = [parse_part("logicasker:steps=1@0.5"), parse_part(f"logicasker:steps=2@0.5x{repeat}")]
    items = training_items(parts, total, seed=seed)
    assert len(items) == total  # presentations follow the shares, repeat or not
    calibration_like = training_items(parts[:1] + [Part("logicasker", {"steps": 2}, 0.5)],
                                      total, seed=seed)  # fmt: skip
    for (family, knobs, n), steps in zip(allocate(parts, total), (1, 2), strict=True):
        shown = [it.id for it in items if it.hardness["steps"] == steps]
        assert len(shown) == n
        counts = {i: shown.count(i) for i in shown}
        assert max(counts.values(), default=0) <= (repeat if steps == 2 else 1)
        assert len(counts) == (-(-n // repeat) if steps == 2 else n)
        # the distinct items are the first ones the unrepeated part would draw
        fresh = [it.id for it in calibration_like if it.hardness["steps"] == steps]
        unrepeated = [it.id for it in reasoning.generate(family, n, training_seed(seed), **knobs)]
        assert set(fresh) == set(unrepeated)
        assert set(counts) == set(unrepeated[: len(counts)])


def test_parse_part_reads_repeats_and_rejects_bad_ones():
    assert parse_part("fol:task=entail@0.25x3") == Part("fol", {"task": "entail"}, 0.25, 3)
    assert parse_part("fol:task=entail@0.25x3").label() == "fol:task=entail x3"
    for bad in ("fol@0.2x0", "fol@0.2x", "fol@0.2x1.5", "fol@0.2x-2", "fol@0.2x\u00b2"):
        with pytest.raises(ConfigError, match="repeat"):
            parse_part(bad)


def test_encoding_a_mixture_with_repeats_is_encoding_each_item_alone():
    from reasoning.registry import get_family
    from reasoning.train.trainer import encode_items

    parts = [parse_part("logicasker:steps=1+2@0.5"), parse_part("kgqa:hops=1,kg_seed=1@0.5x3")]
    items = training_items(parts, 24, seed=2)
    tokenizer = build_tokenizer((it.prompt for it in items), 400)
    encoded = encode_items(items, tokenizer, max_positions=4096)
    assert len(encoded) == len(items)
    for item, (ids, prompt_len) in zip(items, encoded, strict=True):
        prompt = tokenizer(item.prompt)["input_ids"]
        answer = "\n" + get_family(item.family).target(item)
        target = tokenizer(answer, add_special_tokens=False)["input_ids"]
        assert (ids, prompt_len) == (prompt + target + [tokenizer.eos_token_id], len(prompt))
    assert encode_items(items, tokenizer, max_positions=min(len(e[0]) for e in encoded)) != []
    assert len(encode_items(items, tokenizer, max_positions=8)) == 0  # too long: dropped


def test_training_items_never_are_evaluation_items():
    parts = default_parts(["logicasker", "nlsat"])
    items = training_items(parts, 60, seed=0)
    for family, knobs, _ in allocate(parts, 60):
        for seed in (0, 1, 2):
            evaluation = reasoning.generate(family, 5, seed, **knobs)
            check_disjoint([e.id for e in evaluation], [t.id for t in items], "training")
    assert all(it.meta["seed"] == training_seed(0) for it in items)


def test_training_items_are_the_same_made_by_worker_processes():
    parts = [parse_part("logicasker:steps=1+2@0.6"), parse_part("kgqa:hops=1,kg_seed=1+2@0.4")]
    alone = training_items(parts, 23, seed=3)
    pooled = training_items(parts, 23, seed=3, jobs=2)
    assert [it.id for it in pooled] == [it.id for it in alone]
    assert [it.to_dict() for it in pooled] == [it.to_dict() for it in alone]


def test_kgqa_trains_on_other_graphs_than_the_default():
    (part,) = DEFAULTS["kgqa"][0]
    assert 0 not in part.knobs["kg_seed"]  # kg_seed 0 is what users evaluate on


def _weights(path):
    from safetensors.torch import load_file

    return load_file(str(path / "model.safetensors"))


def test_train_saves_a_model_the_backend_loads_and_is_reproducible(tmp_path):
    cfg = TrainConfig(parts=PARTS, **TINY)
    record = train(cfg, tmp_path / "a", command="test", quiet=True)
    again = train(cfg, tmp_path / "b", command="test", quiet=True)
    wa, wb = _weights(tmp_path / "a"), _weights(tmp_path / "b")
    assert wa.keys() == wb.keys()
    assert all(torch.allclose(wa[k], wb[k], atol=1e-6) for k in wa)
    saved = json.loads((tmp_path / "a" / "training.json").read_text())
    assert saved["heldout"] == record["heldout"] == again["heldout"]
    assert {r["cell"] for r in saved["heldout"]} >= {"kgqa hops=1", "logicasker steps=1"}
    assert saved["items"] == cfg.steps * cfg.batch_size and saved["parameters"] > 0
    from reasoning.models.base import GenerationSettings
    from reasoning.models.hf import HFBackend

    backend = HFBackend.load(str(tmp_path / "a"))
    (out,) = backend.generate(["Can we infer it?"], GenerationSettings(max_new_tokens=3))
    assert out.finish_reason in {"stop", "length"}
    assert not (tmp_path / "a" / "checkpoint").exists()


def test_interrupted_training_resumes_to_the_same_weights(tmp_path, monkeypatch):
    cfg = TrainConfig(parts=PARTS, **TINY)
    train(cfg, tmp_path / "whole", quiet=True)
    real = trainer_module.save_checkpoint

    def save_then_die(out, model, optimizer, step, *rest):
        real(out, model, optimizer, step, *rest)
        if step == 8:
            raise KeyboardInterrupt

    monkeypatch.setattr(trainer_module, "save_checkpoint", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        train(cfg, tmp_path / "cut", quiet=True)
    assert json.loads((tmp_path / "cut" / "checkpoint" / "state.json").read_text())["step"] == 8
    monkeypatch.setattr(trainer_module, "save_checkpoint", real)
    train(cfg, tmp_path / "cut", quiet=True)
    whole, cut = _weights(tmp_path / "whole"), _weights(tmp_path / "cut")
    assert all(torch.allclose(whole[k], cut[k], atol=1e-5) for k in whole)


def test_output_with_a_model_or_another_config_is_refused(tmp_path):
    cfg = TrainConfig(parts=PARTS, **TINY)
    train(cfg, tmp_path / "m", quiet=True)
    with pytest.raises(OutputError, match="already holds"):
        train(cfg, tmp_path / "m", quiet=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="not empty"):
        train(cfg, tmp_path / "other", quiet=True)
    assert (tmp_path / "other" / "keep.txt").read_text() == "mine"


def test_cli_bad_settings_exit_2_with_one_line(tmp_path, capsys):
    for args in (["--part", "nlsat:n_vars=1"], ["--steps", "0"], ["--families", "pbe"],
                 ["--hidden-size", "30", "--heads", "4"], ["--device", "cuda:99"],
                 ["--jobs", "0"]):  # fmt: skip
        assert main(["train", *args, "-q", "-o", str(tmp_path / "x")]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("reasoning: error:")
    assert not (tmp_path / "x").exists()
