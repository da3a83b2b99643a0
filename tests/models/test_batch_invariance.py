"""A greedy completion is a function of its prompt alone: not of the batch size, of the
other prompts in its batch, of their lengths or of their order."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reasoning
from reasoning.models import GenerationSettings, HFBackend, batching

POOL = [it.prompt for it in reasoning.generate("nlsat", 3, 1, n_vars=4)] + [
    "Answer: yes",
    "Answer: no",
    "If Alan is big, then Bob is red.",
    "Here are some statements about people. True False Unknown",
    "replace(\"ab\", \"c\")",
    "Can all of these statements be true at the same time?",
]  # fmt: skip
NEW_TOKENS = 10


@pytest.fixture(scope="module")
def tiny(tiny_llama):
    return HFBackend.load(str(tiny_llama), device="cpu")


@pytest.fixture(scope="module")
def alone(tiny):
    """Each pool prompt's completion when it is the only prompt."""
    plain = GenerationSettings(max_new_tokens=NEW_TOKENS, chat=False, batch_size=1)
    return {p: tiny.generate([p], plain)[0] for p in POOL}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chosen=st.lists(st.sampled_from(POOL), min_size=1, max_size=20),
    batch=st.integers(min_value=1, max_value=20),
)
def test_completion_does_not_depend_on_the_rest_of_its_batch(tiny, alone, chosen, batch):
    plain = GenerationSettings(max_new_tokens=NEW_TOKENS, chat=False, batch_size=batch)
    outs = tiny.generate(chosen, plain)
    assert outs == [alone[p] for p in chosen]


def test_prompts_of_different_lengths_share_a_batch_and_stop_on_their_own(tiny, alone):
    lengths = {len(tiny.encode(p, False)) for p in POOL}
    assert len(lengths) > 3  # the pool really mixes lengths
    outs = tiny.generate(POOL, GenerationSettings(max_new_tokens=NEW_TOKENS, chat=False))
    assert outs == [alone[p] for p in POOL]
    for prompt, out in zip(POOL, outs, strict=True):
        assert out.prompt_tokens == len(tiny.encode(prompt, False))
        assert out.completion_tokens <= NEW_TOKENS
        assert out.finish_reason in ("stop", "length")


def test_stop_strings_with_mixed_batches(tiny, alone):
    stops = tuple(
        {alone[p].text[1:3] for p in POOL if len(alone[p].text) > 4 and alone[p].text[1:3].strip()}
    )
    assert stops
    cut = GenerationSettings(max_new_tokens=NEW_TOKENS, chat=False, stop=stops, batch_size=4)
    batched = tiny.generate(POOL, cut)
    single = [tiny.generate([p], GenerationSettings(**{**cut.__dict__, "batch_size": 1}))[0]
              for p in POOL]  # fmt: skip
    assert batched == single
    for prompt, out in zip(POOL, batched, strict=True):
        assert alone[prompt].text.startswith(out.text)
        assert not any(s in out.text for s in stops)


def test_gpt2_mixed_batches_match_single_prompts(tiny_gpt2):
    backend = HFBackend.load(str(tiny_gpt2), device="cpu")
    one = GenerationSettings(max_new_tokens=6, chat=False, batch_size=1)
    many = GenerationSettings(max_new_tokens=6, chat=False, batch_size=5)
    assert backend.generate(POOL[::-1], many) == backend.generate(POOL[::-1], one)


@pytest.mark.slow
def test_smollm2_mixed_lengths_match_single_prompts(smollm2):
    prompts = [it.prompt for it in reasoning.generate("logicasker", 3, 4)] + [
        it.prompt for it in reasoning.generate("pbe", 2, 4)
    ]
    one = GenerationSettings(max_new_tokens=8, chat=False, batch_size=1)
    many = GenerationSettings(max_new_tokens=8, chat=False, batch_size=5)
    assert smollm2.generate(prompts, many) == smollm2.generate(prompts, one)


def test_prompts_split_over_several_packs_decode_the_same(tiny, alone, monkeypatch):
    monkeypatch.setattr(batching, "PACK_TOKENS", 40)  # most prompts get a pack of their own
    outs = tiny.generate(POOL, GenerationSettings(max_new_tokens=NEW_TOKENS, chat=False))
    assert outs == [alone[p] for p in POOL]


@pytest.mark.parametrize(
    "config, length, computed",
    [
        ({}, 10_000, True),
        ({"attn_logit_softcapping": 50.0}, 10, False),
        ({"sliding_window": 64}, 64, True),
        ({"sliding_window": 64}, 65, False),
        ({"sliding_window": 64, "use_sliding_window": False}, 65, True),
    ],
)
def test_attention_greedy_batch_does_not_compute_goes_to_the_models_own_code(
    tiny, alone, monkeypatch, config, length, computed
):
    for key, value in config.items():
        monkeypatch.setattr(tiny.model.config, key, value, raising=False)
    assert batching.supports(tiny.model, length) is computed
    if computed:
        return
    calls = []
    monkeypatch.setattr(batching, "supports", lambda *a: False)
    monkeypatch.setattr("reasoning.models.hf.greedy_batch", lambda *a: calls.append(a))
    outs = tiny.generate(POOL[:3], GenerationSettings(max_new_tokens=NEW_TOKENS, chat=False))
    assert not calls  # one at a time through HF generate, the model's own attention
    assert all(o.finish_reason in ("stop", "length") for o in outs)
    if "attn_logit_softcapping" in config:  # llama's own code has no soft-capping
        assert [o.text for o in outs] == [alone[p].text for p in POOL[:3]]


# The exactness above rests on one property of the CPU GEMM, checked here at SmolLM2's
# shapes (the tiny test model's are too small to reach the tiled kernels): a row's bits do
# not depend on its position or on the other rows, in a prefill GEMM (x @ W^T, >= PACK_MIN
# rows) and in a decode GEMM (W @ x^T, a multiple of DECODE_ROWS rows).
SHAPES = [(576, 576), (192, 576), (1536, 576), (576, 1536)]


@settings(max_examples=15, deadline=None)
@given(
    shape=st.sampled_from(SHAPES),
    rows=st.integers(min_value=batching.PACK_MIN, max_value=700),
    data=st.data(),
)
def test_prefill_gemm_row_bits_do_not_depend_on_the_other_rows(shape, rows, data):
    position = data.draw(st.integers(min_value=0, max_value=rows - 1))
    gen = torch.Generator().manual_seed(rows * 1000 + position)
    weight = torch.randn(*shape, generator=gen)
    row = torch.randn(shape[1], generator=gen)
    others = torch.randn(rows, shape[1], generator=gen)
    reference = others[: batching.PACK_MIN].clone()
    reference[0] = row
    others[position] = row
    assert torch.equal(F.linear(others, weight)[position], F.linear(reference, weight)[0])


@settings(max_examples=15, deadline=None)
@given(
    shape=st.sampled_from(SHAPES),
    tiles=st.integers(min_value=1, max_value=8),
    data=st.data(),
)
def test_decode_gemm_row_bits_do_not_depend_on_the_other_rows(shape, tiles, data):
    rows = tiles * batching.DECODE_ROWS
    position = data.draw(st.integers(min_value=0, max_value=rows - 1))
    layer = torch.nn.Linear(shape[1], shape[0], bias=False)
    gen = torch.Generator().manual_seed(rows * 1000 + position)
    row = torch.randn(shape[1], generator=gen)
    others = torch.randn(rows, shape[1], generator=gen)
    reference = others[: batching.DECODE_ROWS].clone()
    reference[0] = row
    others[position] = row
    with torch.no_grad():
        got = batching._weights_first(layer, others)[position]
        assert torch.equal(got, batching._weights_first(layer, reference)[0])
        # and it is the layer's function, up to rounding
        assert torch.allclose(got, layer(row[None])[0], atol=1e-4)
