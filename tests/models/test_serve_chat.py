"""`reasoning serve` with multi-turn chat and n samples per prompt, and the OpenAI backend's
`chat` against it: what comes back is what the local backend gives for the same
conversation and the same sample seeds."""

from __future__ import annotations

import copy

import pytest

from reasoning.models import BackendError, GenerationSettings, HFBackend, OpenAIBackend
from reasoning.models.base import sample_settings
from reasoning.serve import ServeLimits, create_app
from tests.models.conftest import running_app
from tests.models.serve_client import call_app
from tests.models.test_chat import PROMPTS, TEMPLATE, TURNS

SAMPLED = GenerationSettings(max_new_tokens=8, temperature=1.0, seed=5)


@pytest.fixture(scope="module")
def templated(tiny_llama):
    """The tiny Llama with a chat template, so that every turn shapes the model's input."""
    hf = HFBackend.load(str(tiny_llama), device="cpu")
    tokenizer = copy.deepcopy(hf.tokenizer)
    tokenizer.chat_template = TEMPLATE
    return HFBackend(hf.model, tokenizer, name="tiny-chat")


class Counted(HFBackend):
    """Counts the model slices the server asks for."""

    calls = 0

    def generate_rendered(self, rendered, settings):
        type(self).calls += 1
        return super().generate_rendered(rendered, settings)


def _body(n: int, temperature: float = 1.0, **more) -> dict:
    return {"messages": TURNS, "n": n, "max_tokens": 8, "temperature": temperature,
            "seed": 5, **more}  # fmt: skip


# ---------------------------------------------------------------- the OpenAI backend's chat
@pytest.mark.parametrize("settings", [GenerationSettings(max_new_tokens=8), SAMPLED])
def test_openai_chat_through_serve_equals_local_chat(templated, settings):
    conversations = [TURNS, TURNS[1:2], [{"role": "user", "content": PROMPTS[0]}]]
    samples = [sample_settings(settings, k) for k in range(2)]
    expected = [templated.chat(conversations, s) for s in samples]
    with running_app(create_app(templated, "tiny")) as url:
        remote = OpenAIBackend("tiny", base_url=url, concurrency=2, timeout=30)
        got = [remote.chat(conversations, s) for s in samples]
        one_turn = remote.generate([PROMPTS[0]], settings)
    for g_sample, e_sample in zip(got, expected, strict=True):
        assert [g.text for g in g_sample] == [e.text for e in e_sample]
        assert [g.prompt_tokens for g in g_sample] == [e.prompt_tokens for e in e_sample]
    assert one_turn[0].text == got[0][2].text  # generate == a one-user-message chat


def test_openai_chat_refuses_a_malformed_conversation_before_any_request():
    remote = OpenAIBackend("tiny", base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(BackendError, match="conversation 0, message 1: role 'tool'"):
        remote.chat([[TURNS[0], {"role": "tool", "content": "x"}]], SAMPLED)


# ---------------------------------------------------------------- n samples
def test_n_chat_samples_are_the_local_samples_in_order(templated):
    app = create_app(templated, "tiny", ServeLimits(max_samples=4))
    status, _, body = call_app(app, "/v1/chat/completions", _body(3))
    assert status == 200, body
    assert [c["index"] for c in body["choices"]] == [0, 1, 2]
    texts = [c["message"]["content"] for c in body["choices"]]
    settings = GenerationSettings(max_new_tokens=8, temperature=1.0, seed=5, batch_size=1)
    expected = [templated.chat([TURNS], sample_settings(settings, k))[0] for k in range(3)]
    assert texts == [e.text for e in expected]
    assert len(set(texts)) > 1
    assert body["usage"]["prompt_tokens"] == expected[0].prompt_tokens  # counted once
    assert body["usage"]["completion_tokens"] == sum(e.completion_tokens for e in expected)


def test_a_repeated_request_draws_the_same_samples(templated):
    app = create_app(templated, "tiny", ServeLimits(max_samples=3))
    first = call_app(app, "/v1/chat/completions", _body(3))[2]["choices"]
    again = call_app(app, "/v1/chat/completions", _body(3))[2]["choices"]
    assert first == again


def test_greedy_samples_are_one_generation(templated):
    counted = Counted(templated.model, templated.tokenizer)
    app = create_app(counted, "tiny", ServeLimits(max_samples=4))
    Counted.calls = 0
    status, _, body = call_app(app, "/v1/chat/completions", _body(4, temperature=0.0))
    assert status == 200, body
    assert len({c["message"]["content"] for c in body["choices"]}) == 1
    assert len(body["choices"]) == 4 and Counted.calls == 1


def test_n_completions_are_indexed_prompt_major(templated):
    app = create_app(templated, "tiny", ServeLimits(max_samples=2))
    request = {"prompt": PROMPTS[:2], "n": 2, "max_tokens": 6, "temperature": 1.0, "seed": 9}
    status, _, body = call_app(app, "/v1/completions", request)
    assert status == 200, body
    settings = GenerationSettings(max_new_tokens=6, temperature=1.0, seed=9, chat=False)
    expected = [
        templated.generate([p], sample_settings(settings, k))[0].text
        for p in PROMPTS[:2]
        for k in range(2)
    ]
    assert [c["index"] for c in body["choices"]] == [0, 1, 2, 3]
    assert [c["text"] for c in body["choices"]] == expected


@pytest.mark.parametrize("limit, n", [(1, 2), (4, 5)])
def test_n_over_the_limit_is_a_400_naming_n(templated, limit, n):
    app = create_app(templated, "tiny", ServeLimits(max_samples=limit))
    status, _, body = call_app(app, "/v1/chat/completions", _body(n))
    assert status == 400 and body["error"]["param"] == "n"
    assert f"n={limit}" in body["error"]["message"] and f"got {n}" in body["error"]["message"]


def test_max_samples_must_be_positive():
    from reasoning.core import ConfigError

    with pytest.raises(ConfigError, match="max_samples"):
        ServeLimits(max_samples=0)
