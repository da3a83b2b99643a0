from __future__ import annotations

import openai
import pytest

from reasoning.cli import main
from reasoning.models import GenerationSettings, HFBackend, OpenAIBackend
from reasoning.serve import create_app
from tests.models.conftest import running_app
from tests.models.test_hf import PROMPTS


@pytest.mark.parametrize("chat", [False, True])
def test_openai_backend_against_serve_equals_hf_greedy(tiny_llama, chat):
    hf = HFBackend.load(str(tiny_llama), device="cpu")
    settings = GenerationSettings(max_new_tokens=10, chat=chat, batch_size=4)
    expected = hf.generate(PROMPTS, settings)
    with running_app(create_app(hf, "tiny")) as url:
        remote = OpenAIBackend("tiny", base_url=url, concurrency=3, timeout=30)
        got = remote.generate(PROMPTS, settings)
        assert remote.fingerprint().startswith("api-")
    assert [g.text for g in got] == [e.text for e in expected]
    assert [g.finish_reason for g in got] == [e.finish_reason for e in expected]
    assert all(
        g.completion_tokens == e.completion_tokens for g, e in zip(got, expected, strict=True)
    )


def test_real_model_through_serve_equals_hf(smollm2):
    settings = GenerationSettings(max_new_tokens=8)
    prompts = ["Is the sky blue? Answer yes or no.", "Name a prime number."]
    expected = smollm2.generate(prompts, settings)
    with running_app(create_app(smollm2, "smollm2-135m")) as url:
        got = OpenAIBackend("smollm2-135m", base_url=url).generate(prompts, settings)
    assert [g.text for g in got] == [e.text for e in expected]


def test_server_rejects_what_it_cannot_do(tiny_llama):
    hf = HFBackend.load(str(tiny_llama), device="cpu")
    with running_app(create_app(hf, "tiny")) as url:
        client = openai.OpenAI(base_url=url, api_key="x", max_retries=0)
        with pytest.raises(openai.NotFoundError):
            client.completions.create(model="other", prompt="hi", max_tokens=2)
        with pytest.raises(openai.BadRequestError):
            client.completions.create(model="tiny", prompt="hi", max_tokens=2, n=2)
        models = client.models.list()
        assert [m.id for m in models.data] == ["tiny"]


def test_serve_with_a_bad_model_exits_2(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "missing"), "--port", "0"]) == 2
    assert "cannot load model" in capsys.readouterr().err


def test_openai_backend_gets_one_clear_unretried_error_for_a_bad_prompt(tiny_llama):
    hf = HFBackend.load(str(tiny_llama), device="cpu")
    settings = GenerationSettings(max_new_tokens=2, chat=False)
    with running_app(create_app(hf, "tiny")) as url:
        remote = OpenAIBackend("tiny", base_url=url, max_retries=3, backoff=0.0)
        empty, fine = remote.generate(["", "Answer:"], settings)
    assert empty.finish_reason == "error" and empty.attempts == 1
    assert "BadRequestError" in empty.error and "prompt" in empty.error and "empty" in empty.error
    assert fine.finish_reason in ("stop", "length") and fine.attempts == 1
