"""A greedy completion is a function of its prompt alone: not of the batch size, of the
other prompts in its batch, of their lengths or of their order."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reasoning
from reasoning.models import GenerationSettings, HFBackend

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
    chosen=st.lists(st.sampled_from(POOL), min_size=1, max_size=11),
    batch=st.integers(min_value=1, max_value=10),
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
