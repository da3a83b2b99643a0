"""Secondary signals without a model: held-out items, the KL arithmetic, remote variants,
and the report's perplexity plot and KL column."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from evals.report import build_report, signals_plot
from evals.results import read_results, tidy_rows, write_results
from evals.runner import Sample
from evals.signals import heldout_items, kl_per_position, signals_for, spread
from reasoning.core import ReasoningError
from reasoning.core.seeds import heldout_seed, purpose, training_seed
from reasoning.prune.calibration import default_items
from tests.evals.test_results_report import _run
from tests.evals.test_runner import Scripted


@given(st.integers(0, 60), st.integers(1, 70))
def test_spread_takes_n_items_evenly_in_order(size, n):
    items = list(range(size))
    chosen = spread(items, n)
    assert len(chosen) == min(size, n)
    assert chosen == sorted(set(chosen))
    if chosen:
        assert chosen[0] == 0
        gaps = np.diff(chosen)
        assert len(gaps) == 0 or gaps.max() - gaps.min() <= 1


@given(st.integers(0, 2**40 - 1))
def test_the_heldout_range_is_its_own(seed):
    assert purpose(heldout_seed(seed)) == "held-out"
    assert heldout_seed(seed) > training_seed(2**40 - 1)


@pytest.mark.parametrize("bad", [-1, 2**40, 0.5, False])
def test_a_heldout_seed_outside_the_span_is_refused(bad):
    with pytest.raises(ReasoningError):
        heldout_seed(bad)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 30), st.integers(0, 5))
def test_heldout_items_are_never_evaluation_or_calibration_items(eval_seed, prune_seed):
    evaluation = reasoning.generate("nlsat", 6, eval_seed, n_vars=4) + reasoning.generate(
        "logicasker", 6, eval_seed
    )
    twins = heldout_items(evaluation, 8)
    ids = {t.id for t in twins}
    assert len(ids) == 8
    assert ids.isdisjoint(i.id for i in evaluation)
    assert ids.isdisjoint(c.id for c in default_items(8, prune_seed))
    # the held-out texts look like the evaluation items: same families and knobs
    assert [(t.family, t.hardness) for t in twins] == [
        (i.family, i.hardness) for i in spread(evaluation, 8)
    ]
    assert [t.id for t in heldout_items(evaluation, 8)] == [t.id for t in twins]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 6), st.integers(2, 40))
def test_kl_per_position_is_the_textbook_sum(seed, length, vocab):
    gen = torch.Generator().manual_seed(seed)
    dense = torch.log_softmax(torch.randn(length, vocab, generator=gen) * 3, dim=-1)
    variant = torch.log_softmax(torch.randn(length, vocab, generator=gen) * 3, dim=-1)
    p, q = dense.double().exp().numpy(), variant.double().exp().numpy()
    expected = (p * np.log(p / q)).sum(axis=1)
    got = kl_per_position(dense, variant).double().numpy()
    assert np.allclose(got, expected, rtol=1e-4, atol=1e-6)
    assert (got > 0).all()
    assert kl_per_position(dense, dense).abs().max() == 0


def test_kl_ignores_tokens_dense_gives_no_mass():
    dense = torch.log_softmax(torch.tensor([[0.0, 0.0, -math.inf]]), dim=-1)
    variant = torch.log_softmax(torch.tensor([[0.0, 1.0, 2.0]]), dim=-1)
    got = float(kl_per_position(dense, variant)[0])
    q = torch.softmax(torch.tensor([0.0, 1.0, 2.0]), dim=-1)
    assert got == pytest.approx(0.5 * math.log(0.5 / q[0]) + 0.5 * math.log(0.5 / q[1]))


def test_remote_variants_get_null_signals_with_a_reason():
    items = reasoning.generate("nlsat", 3, 0, n_vars=4)
    remote = Scripted("remote", {})
    got = signals_for(remote, remote, items)
    assert got["kl"] is None and got["perplexity"] is None
    assert "remote" in got["reasons"]["kl"] and "remote" in got["reasons"]["perplexity"]


def _with_signals(results: dict, ppl_ratio: float, kl: float | None) -> dict:
    dense_ppl = 20.0
    results["variants"][0]["signals"] = {
        "kl": None,
        "perplexity": {"value": dense_ppl},
        "reasons": {"kl": "dense is the reference"},
    }
    results["variants"][1]["signals"] = {
        "kl": None if kl is None else {"mean": kl},
        "perplexity": {"value": dense_ppl * ppl_ratio},
        "reasons": {},
    }
    return results


def test_the_report_plots_accuracy_drop_against_perplexity_when_signals_exist(tmp_path):
    folder, items = _run(tmp_path, "plain")
    plain = build_report(folder, tmp_path / "plain-report")
    assert not (plain / "perplexity.png").exists()
    assert "KL" not in (plain / "report.md").read_text()

    results, samples, _ = read_results(folder)
    rows = [Sample(**s) for s in samples]
    write_results(tmp_path / "signals", _with_signals(results, 1.05, 0.125), rows, items)
    out = build_report(tmp_path / "signals", tmp_path / "signals-report")
    assert (out / "perplexity.png").read_bytes()[:4] == b"\x89PNG"
    md = (out / "report.md").read_text()
    assert "| KL | perplexity (× dense) |" in md
    overall = next(line for line in md.splitlines() if line.startswith("| overall | wanda:0.5 |"))
    assert overall.endswith("| 0.125 | 21 (×1.050) |")
    header, rule = md.splitlines()[4:6]
    assert header.count("|") == rule.count("|") == overall.count("|")
    assert "perplexity" in (out / "report.html").read_text()
    csv = (tmp_path / "signals" / "metrics.csv").read_text().splitlines()
    assert csv[0].endswith(",kl,perplexity")
    tidy = tidy_rows(results["groups"], results["variants"])
    assert {(r["variant"], r["kl"], r["perplexity"]) for r in tidy if r["group"] == "overall"} == {
        ("dense", None, 20.0),
        ("wanda:0.5", 0.125, 21.0),
    }
    assert all(r["kl"] is None for r in tidy if r["group"] != "overall")


def test_the_plot_needs_a_signal_and_a_comparison(tmp_path):
    folder, _ = _run(tmp_path, "p")
    results, _, _ = read_results(folder)
    assert signals_plot(results) is None
    assert signals_plot(_with_signals(results, 1.5, None)) is not None  # perplexity alone
    results["variants"][1]["signals"] = {"kl": None, "perplexity": None, "reasons": {}}
    assert signals_plot(results) is None
