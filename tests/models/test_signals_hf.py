"""Token KL and perplexity on real (tiny) models, and their place in `reasoning eval`."""

from __future__ import annotations

import copy
import json
import math

import pytest
import torch

import reasoning
from evals.signals import perplexity, prompt_ids, signals_for, token_kl
from reasoning.cli import main
from reasoning.core import write_jsonl
from reasoning.models import GenerationSettings, HFBackend
from reasoning.prune import prune
from reasoning.prune.calibration import item_text


@pytest.fixture(scope="module")
def items():
    return reasoning.generate("nlsat", 4, 11, n_vars=4) + reasoning.generate("logicasker", 4, 11)


@pytest.fixture(scope="module")
def trained(tiny_llama):
    """The tiny Llama after 40 Adam steps on nlsat text: something pruning can destroy
    (a random model's perplexity is near its vocabulary size whatever is pruned)."""
    backend = HFBackend.load(str(tiny_llama), device="cpu")
    texts = [item_text(i) for i in reasoning.generate("nlsat", 8, 99, n_vars=4)]
    ids = [torch.tensor([backend.encode(t, False)[:128]]) for t in texts]
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(backend.model.parameters(), lr=3e-3)
    backend.model.train()
    for step in range(40):
        loss = backend.model(ids[step % len(ids)], labels=ids[step % len(ids)]).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    backend.model.eval()
    return backend


def _copy(backend: HFBackend) -> HFBackend:
    return HFBackend(copy.deepcopy(backend.model), backend.tokenizer, name="copy")


def test_kl_of_a_model_from_itself_is_zero(tiny_llama, items):
    one = HFBackend.load(str(tiny_llama), device="cpu")
    two = HFBackend.load(str(tiny_llama), device="cpu")
    prompts = [i.prompt for i in items]
    for other in (one, two):
        got = token_kl(one, other, prompts)
        assert got["n_texts"] == len(items)
        assert got["tokens"] == sum(map(len, prompt_ids(one, prompts, GenerationSettings(), 512)))
        assert abs(got["mean"]) <= 1e-6 and max(map(abs, got["per_text"])) <= 1e-6


def test_kl_is_positive_after_pruning_in_place(tiny_llama, items):
    dense = HFBackend.load(str(tiny_llama), device="cpu")
    variant = HFBackend.load(str(tiny_llama), device="cpu")
    prune(variant.model, "magnitude", 0.5)
    got = token_kl(dense, variant, [i.prompt for i in items])
    assert got["mean"] > 1e-4 and min(got["per_text"]) > 0
    # the mean is over positions: the per-text means weighted by their token counts
    lengths = [
        len(p) for p in prompt_ids(dense, [i.prompt for i in items], GenerationSettings(), 512)
    ]
    weighted = sum(k * n for k, n in zip(got["per_text"], lengths, strict=True)) / sum(lengths)
    assert got["mean"] == pytest.approx(weighted, rel=1e-4)
    # one text's KL does not depend on the texts scored with it, and the cap is honoured
    alone = token_kl(dense, variant, [items[2].prompt])
    assert alone["per_text"][0] == pytest.approx(got["per_text"][2], rel=1e-6)
    assert token_kl(dense, variant, [items[2].prompt], max_tokens=7)["tokens"] == 7


def test_perplexity_is_exp_of_the_models_own_loss(tiny_llama, items):
    backend = HFBackend.load(str(tiny_llama), device="cpu")
    texts = [item_text(i) for i in items[:3]]  # 570-770 tokens each
    ids = [torch.tensor([backend.tokenizer(t)["input_ids"]]) for t in texts]
    with torch.no_grad():
        losses = [float(backend.model(x, labels=x).loss) for x in ids]
        first_50 = float(backend.model(ids[0][:, :50], labels=ids[0][:, :50]).loss)
    got = perplexity(backend, texts[:1], max_tokens=2048)
    assert got == pytest.approx(math.exp(losses[0]), rel=1e-5)
    assert perplexity(backend, texts[:1], max_tokens=50) == pytest.approx(math.exp(first_50))
    counts = [x.shape[1] - 1 for x in ids]  # all texts: the mean over every predicted token
    mean = sum(loss * n for loss, n in zip(losses, counts, strict=True)) / sum(counts)
    assert perplexity(backend, texts, max_tokens=2048) == pytest.approx(math.exp(mean), rel=1e-5)
    with pytest.raises(ValueError, match="no text"):
        perplexity(backend, ["", "x"[:0]])


def test_perplexity_rises_after_heavy_magnitude_pruning(trained, items):
    texts = [item_text(i) for i in items]
    before = perplexity(trained, texts)
    assert before < 0.5 * len(trained.tokenizer)  # it learnt something
    pruned = _copy(trained)
    prune(pruned.model, "magnitude", 0.9)
    assert perplexity(pruned, texts) > 1.2 * before


def test_signals_for_dense_and_a_pruned_variant(trained, items):
    dense = signals_for(trained, trained, items, n_texts=4)
    assert dense["kl"] is None and dense["reasons"] == {"kl": "dense is the reference"}
    assert dense["perplexity"]["n_texts"] == 4 and dense["perplexity"]["value"] > 1
    pruned = _copy(trained)
    prune(pruned.model, "magnitude", 0.5)
    got = signals_for(pruned, trained, items, n_texts=4)
    assert got["reasons"] == {} and got["kl"]["mean"] > 0 and got["kl"]["n_texts"] == 4
    assert got["perplexity"]["ids_sha256"] == dense["perplexity"]["ids_sha256"]
    assert got["perplexity"]["value"] != dense["perplexity"]["value"]
    assert signals_for(pruned, trained, items, n_texts=4) == got  # deterministic


@pytest.mark.slow  # two evals and a report, ~30-50 s on 2 cores
def test_reasoning_eval_records_the_signals_and_the_report_plots_them(tiny_llama, items, tmp_path):
    write_jsonl(items, tmp_path / "items.jsonl")
    argv = ["eval", "--items", str(tmp_path / "items.jsonl"), "--model", str(tiny_llama),
            "--variants", "dense,magnitude:0.5", "--max-new-tokens", "4", "--device", "cpu",
            "-q"]  # fmt: skip
    runs = []
    for name in ("a", "b"):
        assert main([*argv, "-o", str(tmp_path / name)]) == 0
        runs.append(json.loads((tmp_path / name / "results.json").read_text()))
    dense, pruned = runs[0]["variants"]
    assert dense["signals"]["kl"] is None and dense["signals"]["perplexity"]["value"] > 1
    assert pruned["signals"]["kl"]["mean"] > 0 and pruned["signals"]["reasons"] == {}
    assert [v["signals"] for v in runs[0]["variants"]] == [
        v["signals"] for v in runs[1]["variants"]
    ]
    assert main(["report", str(tmp_path / "a"), "-o", str(tmp_path / "report")]) == 0
    assert (tmp_path / "report" / "perplexity.png").is_file()
    assert "| KL |" in (tmp_path / "report" / "report.md").read_text()
