from __future__ import annotations

import json

import pytest
import torch
from transformers import AutoModelForCausalLM

import reasoning
from reasoning.cli import main
from reasoning.core import ConfigError
from reasoning.models import HFBackend
from reasoning.prune import prune, satisfies_pattern
from reasoning.prune.layers import all_matrices

CALIB = ["If Alan is big, then Bob is red. Answer: yes"] * 2 + ["True False Unknown"] * 2


def load(path):
    return HFBackend.load(str(path), device="cpu")


def zeros(w: torch.Tensor) -> int:
    return int((w == 0).sum())


@pytest.fixture(params=["tiny_llama", "tiny_gpt2"])
def model_dir(request):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("sparsity", [0.3, 0.5, 0.7])
def test_magnitude_is_exact_per_matrix(model_dir, sparsity):
    b = load(model_dir)
    report = prune(b.model, "magnitude", sparsity)
    for m, r in zip(all_matrices(b.model), report.matrices, strict=True):
        assert zeros(m.weight()) == round(m.weight().numel() * sparsity) == r.zeros


@pytest.mark.parametrize("method", ["wanda", "sparsegpt"])
def test_calibrated_methods_hit_the_target_exactly(model_dir, method):
    b = load(model_dir)
    report = prune(b.model, method, 0.5, calibration=CALIB, tokenizer=b.tokenizer)
    for m in all_matrices(b.model):
        w = m.weight()
        if method == "wanda":  # compared within each output row, whatever the storage layout
            assert ((w == 0).sum(dim=1) == round(w.shape[1] * 0.5)).all(), m.name
        else:
            assert zeros(w) >= round(w.numel() * 0.5), m.name
    assert report.overall_sparsity == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize("method", ["magnitude", "wanda", "sparsegpt"])
@pytest.mark.parametrize("pattern", ["2:4", "4:8"])
def test_n_m_pattern_holds_group_by_group(model_dir, method, pattern):
    b = load(model_dir)
    report = prune(b.model, method, pattern=pattern, calibration=CALIB, tokenizer=b.tokenizer)
    n, m = (int(x) for x in pattern.split(":"))
    for mat in all_matrices(b.model):
        assert satisfies_pattern(mat.weight(), (n, m)), mat.name
    assert all(r.pattern_ok for r in report.matrices)


def test_global_magnitude_exact_total_and_no_layer_collapse(tiny_llama):
    b = load(tiny_llama)
    report = prune(b.model, "global_magnitude", 0.8, min_keep=0.1)
    total = sum(r.shape[0] * r.shape[1] for r in report.matrices)
    assert sum(r.zeros for r in report.matrices) == round(total * 0.8)
    assert all(r.actual <= 0.9 + 1e-9 for r in report.matrices)


def test_same_seed_same_pruned_weights(tiny_llama):
    a, b = load(tiny_llama), load(tiny_llama)
    for backend in (a, b):
        prune(backend.model, "sparsegpt", 0.5, calibration=CALIB, tokenizer=backend.tokenizer)
    assert a.fingerprint() == b.fingerprint() != load(tiny_llama).fingerprint()


def test_embeddings_and_lm_head_stay_dense(tiny_llama):
    b = load(tiny_llama)
    before = {
        k: v.clone() for k, v in b.model.state_dict().items() if "embed" in k or "lm_head" in k
    }
    prune(b.model, "magnitude", 0.9)
    after = b.model.state_dict()
    assert before and all(torch.equal(v, after[k]) for k, v in before.items())


def test_sparsegpt_survives_a_rank_deficient_hessian(tiny_llama):
    b = load(tiny_llama)
    report = prune(b.model, "sparsegpt", 0.5, calibration=["a"], tokenizer=b.tokenizer,
                   percdamp=1e-12)  # fmt: skip
    assert all(r.extra["damping"] >= 1e-12 for r in report.matrices)
    assert report.overall_sparsity >= 0.5


@pytest.mark.parametrize("method, sparsity", [("heads", 0.5), ("channels", 0.25), ("layers", 0.5)])
def test_structured_result_is_smaller_and_reloads(model_dir, method, sparsity, tmp_path):
    b = load(model_dir)
    report = prune(b.model, method, sparsity, calibration=CALIB, tokenizer=b.tokenizer)
    if method == "heads" and "gpt2" in str(model_dir):  # zeroed in place: see structured.py
        removed = report.structure["removed"]
        for i, block in enumerate(b.model.transformer.h):
            dim = b.model.config.n_embd // b.model.config.n_head
            for h in removed[i]:
                assert not block.attn.c_proj.weight[h * dim : (h + 1) * dim].any()
    else:
        assert report.parameters_after < report.parameters_before
    b.model.save_pretrained(tmp_path)
    reloaded = AutoModelForCausalLM.from_pretrained(tmp_path).eval()
    assert sum(p.numel() for p in reloaded.parameters()) == report.parameters_after
    ids0 = torch.tensor([b.tokenizer("If Alan is big")["input_ids"]])
    assert torch.isfinite(reloaded(ids0).logits).all()
    ids = torch.tensor([b.tokenizer("If Alan is big")["input_ids"]])
    with torch.inference_mode():
        assert torch.allclose(b.model(ids).logits, reloaded(ids).logits, atol=1e-5)


def test_head_pruning_keeps_grouped_query_attention_consistent(tiny_llama):
    b = load(tiny_llama)
    cfg = b.model.config
    ratio = cfg.num_attention_heads // cfg.num_key_value_heads
    prune(b.model, "heads", 0.5, calibration=CALIB, tokenizer=b.tokenizer)
    assert cfg.num_key_value_heads == 1 and cfg.num_attention_heads == ratio
    attn = b.model.model.layers[0].self_attn
    assert attn.k_proj.out_features == cfg.head_dim
    assert attn.q_proj.out_features == ratio * cfg.head_dim


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"method": "prune_everything", "sparsity": 0.5}, "unknown pruning method"),
        ({"method": "magnitude", "sparsity": 1.5}, "sparsity must be in"),
        ({"method": "magnitude", "sparsity": 0.3, "pattern": "2:4"}, "contradicts pattern"),
        ({"method": "magnitude", "pattern": "4:2"}, "0 < N < M"),
        ({"method": "wanda", "sparsity": 0.5}, "needs calibration data and a tokenizer"),
        ({"method": "layers", "sparsity": 0.99, "tokenizer": "x"}, "remove every layer"),
    ],
)
def test_bad_requests_are_clear_errors(tiny_llama, kwargs, pattern):
    b = load(tiny_llama)
    tok = b.tokenizer if kwargs.pop("tokenizer", None) else None
    with pytest.raises(ConfigError, match=pattern):
        prune(b.model, tokenizer=tok, calibration=CALIB, **kwargs)


def test_cli_writes_a_reloadable_checkpoint_and_report(tiny_llama, tmp_path, capsys):
    out = tmp_path / "pruned"
    assert main(["prune", str(tiny_llama), "--method", "wanda", "--pattern", "2:4",
                 "--n-calibration", "4", "--seq-len", "32", "-o", str(out)]) == 0  # fmt: skip
    report = json.loads((out / "pruning.json").read_text())
    assert report["method"] == "wanda" and report["pattern"] == "2:4"
    assert report["calibration"]["texts"] == 4 and len(report["calibration"]["sha256"]) == 64
    ids = report["calibration"]["ids"]  # the items, not only a hash, and none is an eval item
    assert len(ids) == 4 and all(isinstance(i, str) for i in ids)
    evaluation = {i.id for f in ("nlsat", "logicasker") for i in reasoning.generate(f, 50, 0)}
    assert evaluation.isdisjoint(ids)
    assert all(m["pattern_ok"] for m in report["matrices"])
    reloaded = HFBackend.load(str(out), device="cpu")
    assert report["fingerprint"] == reloaded.fingerprint()  # the saved weights, not the dense
    assert report["fingerprint"] != HFBackend.load(str(tiny_llama), device="cpu").fingerprint()
    assert all(satisfies_pattern(m.weight(), (2, 4)) for m in all_matrices(reloaded.model))
    assert main(["prune", str(tiny_llama), "--method", "nope", "-o", str(tmp_path / "x")]) == 2
