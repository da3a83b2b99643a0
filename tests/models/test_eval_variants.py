"""Variants built from a real (tiny) model: same scores at any batch size; pruning on the
fly starts from a fresh base each time."""

from __future__ import annotations

import reasoning
from evals.cache import CompletionCache
from evals.runner import answer_variant
from evals.variants import build_variant, parse_variants
from reasoning.models import GenerationSettings, HFBackend


def test_greedy_scores_are_the_same_at_batch_sizes_1_and_8(tiny_llama, tmp_path):
    items = reasoning.generate("nlsat", 10, 2, n_vars=4) + reasoning.generate("logicasker", 6, 2)
    backend = HFBackend.load(str(tiny_llama), device="cpu")
    rows = {}
    for size in (1, 8):
        settings = GenerationSettings(max_new_tokens=8, batch_size=size)
        with CompletionCache(tmp_path / f"c{size}.sqlite") as cache:  # no sharing
            rows[size] = answer_variant("dense", backend, items, settings, cache)
    assert [r.completion for r in rows[1]] == [r.completion for r in rows[8]]
    assert [r.correct for r in rows[1]] == [r.correct for r in rows[8]]


def test_each_pruned_variant_starts_from_the_dense_weights(tiny_llama):
    def load_base():
        return HFBackend.load(str(tiny_llama), device="cpu")

    dense, magnitude, heavier = parse_variants("dense,magnitude:0.3,magnitude:0.6")
    base, none = build_variant(dense, load_base)
    light, report_light = build_variant(magnitude, load_base)
    heavy, report_heavy = build_variant(heavier, load_base)
    assert none is None
    fingerprints = {base.fingerprint(), light.fingerprint(), heavy.fingerprint()}
    assert len(fingerprints) == 3
    assert report_light["fingerprint"] == light.fingerprint()
    # had the second pruning started from the first's weights, it would report more zeros
    assert abs(report_heavy["overall_sparsity"] - 0.6) < 0.02
    assert abs(report_light["overall_sparsity"] - 0.3) < 0.02
