"""`reasoning serve` stays up and bounded: body size, prompts and tokens per request, bad
numbers and empty prompts answered with a 4xx that names the field, and a long request
that does not starve the small ones. All against the real offline tiny Llama."""

from __future__ import annotations

import copy
import json
import math
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reasoning.core import ConfigError
from reasoning.models import HFBackend
from reasoning.serve import ServeLimits, create_app
from tests.models.conftest import running_app
from tests.models.serve_client import call_app, finishes_logged, post, reads_counted

CONTEXT = 64  # a small context keeps the token-limit tests cheap


@pytest.fixture(scope="module")
def hf(tiny_llama):
    return HFBackend.load(str(tiny_llama), device="cpu")


@pytest.fixture(scope="module")
def app(hf):
    return create_app(hf, "tiny", ServeLimits(context_length=CONTEXT, max_prompts=4))


def _error(status: int, body: dict, expected_status: int, param: str | None) -> str:
    """The error message, after checking the OpenAI-style error shape."""
    assert status == expected_status, body
    error = body["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["param"] == param
    return error["message"]


# ---------------------------------------------------------------- bad numbers
BAD_VALUES = {
    "temperature": st.one_of(
        st.sampled_from([math.nan, math.inf, -math.inf]),
        st.floats(max_value=-5e-324),  # below -0.0, which is a valid 0
        st.floats(min_value=2, exclude_min=True, allow_nan=False),
    ),
    "top_p": st.one_of(
        st.sampled_from([math.nan, math.inf]),
        st.floats(max_value=0, allow_nan=False),
        st.floats(min_value=1, exclude_min=True, allow_nan=False),
    ),
    "n": st.integers().filter(lambda n: n != 1),
    "max_tokens": st.one_of(st.integers(max_value=0), st.floats(allow_nan=False)),
    "seed": st.one_of(st.integers(min_value=2**64), st.integers(max_value=-(2**63) - 1)),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), chat=st.booleans())
def test_a_bad_number_is_a_400_that_names_its_field(app, data, chat):
    field = data.draw(st.sampled_from(sorted(BAD_VALUES)))
    value = data.draw(BAD_VALUES[field])
    base = {"messages": [{"role": "user", "content": "hi"}]} if chat else {"prompt": "hi"}
    path = "/v1/chat/completions" if chat else "/v1/completions"
    status, _, body = call_app(app, path, json.dumps({**base, field: value}).encode())
    assert field in _error(status, body, 400, field)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    temperature=st.floats(min_value=0, max_value=2),
    top_p=st.floats(min_value=0, max_value=1, exclude_min=True),
    seed=st.integers(min_value=-(2**63), max_value=2**64 - 1),
)
def test_any_value_in_range_is_served(app, temperature, top_p, seed):
    request = {"prompt": "Answer:", "max_tokens": 1, "temperature": temperature,
               "top_p": top_p, "seed": seed}  # fmt: skip
    status, _, body = call_app(app, "/v1/completions", request)
    assert status == 200, body
    assert body["usage"]["completion_tokens"] <= 1


@pytest.mark.parametrize(
    "body, param",
    [
        (b'{"prompt": "hi", "temperature": NaN}', "temperature"),
        (b'{"prompt": "hi", "top_p": "0.5"}', "top_p"),
        (b'{"prompt": "hi", "stop": ["a", "b", "c", "d", "e"]}', "stop"),
        (b'{"prompt": "hi", "stop": [1]}', "stop"),
        (b'{"prompt": "hi", "stream": true}', "stream"),
        (b'{"prompt": [1, 2, 3]}', "prompt"),
        (b'{"max_tokens": 2}', "prompt"),
        (b'{"prompt": "hi"', None),
        (b"[1, 2]", None),
        (b"[" * 5000 + b"]" * 5000, None),
        (b"\xff\xfe", None),
    ],
)
def test_malformed_requests_are_400_with_a_clear_message(app, body, param):
    status, _, answer = call_app(app, "/v1/completions", body)
    message = _error(status, answer, 400, param)
    assert (param or "JSON") in message


# ---------------------------------------------------------------- empty prompts
@pytest.mark.parametrize(
    "path, request_body, param",
    [
        ("/v1/completions", {"prompt": ""}, "prompt"),
        ("/v1/completions", {"prompt": ["Answer: yes", ""]}, "prompt[1]"),
        ("/v1/completions", {"prompt": []}, "prompt"),
        ("/v1/chat/completions", {"messages": []}, "messages"),
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": ""}]}, "messages"),
        ("/v1/chat/completions", {"messages": [{"role": "robot", "content": "hi"}]},
         "messages[0].role"),
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": [{"type": "image"}]}]},
         "messages[0].content"),
    ],
)  # fmt: skip
def test_an_empty_prompt_is_a_400_not_a_torch_error(app, path, request_body, param):
    status, _, body = call_app(app, path, request_body)
    message = _error(status, body, 400, param)
    assert param in message
    assert "tensor" not in message.lower() and "Error:" not in message


# ---------------------------------------------------------------- tokens and prompts
@pytest.mark.parametrize("chat", [False, True])
def test_max_tokens_is_checked_against_the_room_the_prompt_leaves(app, hf, chat):
    prompt = "Answer: yes or no"
    if chat:
        rendered = hf.render_chat([{"role": "user", "content": prompt}])
        base, path = {"messages": [{"role": "user", "content": prompt}]}, "/v1/chat/completions"
    else:
        rendered = (prompt, False)
        base, path = {"prompt": prompt}, "/v1/completions"
    room = CONTEXT - len(hf.encode(*rendered))
    status, _, body = call_app(app, path, {**base, "max_tokens": room + 1})
    message = _error(status, body, 400, "max_tokens")
    assert f"at most {room}" in message and body["error"]["code"] == "context_length_exceeded"
    status, _, body = call_app(app, path, {**base, "max_tokens": room})
    assert status == 200, body
    status, _, body = call_app(app, path, base)  # not asked: clamped into the room
    assert status == 200, body
    assert body["usage"]["total_tokens"] <= CONTEXT


def test_a_prompt_longer_than_the_context_is_rejected_without_tokenizing_it_whole(hf):
    seen: list[int] = []

    class Watched(HFBackend):
        def encode(self, text: str, templated: bool) -> list[int]:
            seen.append(len(text))
            return super().encode(text, templated)

    app = create_app(Watched(hf.model, hf.tokenizer), "tiny", ServeLimits(context_length=CONTEXT))
    prompt = "Answer: yes " * 50_000
    status, _, body = call_app(app, "/v1/completions", {"prompt": prompt})
    assert "context" in _error(status, body, 400, "prompt")
    assert body["error"]["code"] == "context_length_exceeded"
    assert seen and max(seen) < len(prompt) // 10


def test_too_many_prompts_is_a_400_before_any_generation(hf):
    calls: list[int] = []

    class Counted(HFBackend):
        def generate_rendered(self, rendered, settings):
            calls.append(len(rendered))
            return super().generate_rendered(rendered, settings)

    app = create_app(Counted(hf.model, hf.tokenizer), "tiny", ServeLimits(max_prompts=16))
    status, _, body = call_app(app, "/v1/completions", {"prompt": ["Answer: yes"] * 300})
    message = _error(status, body, 400, "prompt")
    assert "300" in message and "16" in message
    assert calls == []
    status, _, body = call_app(
        app, "/v1/completions", {"prompt": ["Answer:"] * 16, "max_tokens": 1}
    )
    assert status == 200 and len(body["choices"]) == 16
    assert calls == [1] * 16  # one model slice per prompt


def test_a_server_cap_on_max_tokens_is_enforced(hf):
    app = create_app(hf, "tiny", ServeLimits(max_tokens=8))
    status, _, body = call_app(app, "/v1/completions", {"prompt": "hi", "max_tokens": 9})
    assert "8" in _error(status, body, 400, "max_tokens")
    status, _, body = call_app(app, "/v1/completions", {"prompt": "Answer:"})
    assert status == 200 and body["usage"]["completion_tokens"] <= 8


@pytest.mark.parametrize(
    "limits",
    [
        {"max_body_bytes": 0},
        {"max_prompts": -1},
        {"max_pending": 1.5},
        {"context_length": 0},
        {"max_tokens": True},
    ],
)
def test_bad_limits_are_a_config_error(limits):
    with pytest.raises(ConfigError):
        ServeLimits(**limits)


def test_a_context_beyond_the_model_positions_is_a_config_error(hf):
    positions = hf.model.config.max_position_embeddings
    with pytest.raises(ConfigError, match="positions"):
        create_app(hf, "tiny", ServeLimits(context_length=positions + 1))


def test_unknown_routes_get_openai_style_errors(app):
    status, _, body = call_app(app, "/v1/embeddings", {"input": "hi"})
    _error(status, body, 404, None)
    status, _, body = call_app(app, "/v1/models/other", b"", method="GET")
    _error(status, body, 404, None)


# ---------------------------------------------------------------- body size, while reading
def test_a_declared_oversized_body_is_413_and_never_read(hf):
    counter: dict = {}
    app = create_app(hf, "tiny", ServeLimits(max_body_bytes=4096))
    with running_app(reads_counted(app, counter)) as url:
        body = json.dumps({"prompt": "x" * 20_000_000}).encode()
        status, answer = post(url, "/completions", body)
        message = _error(status, answer, 413, None)
        assert "4096" in message
        assert counter["bytes"] == 0
        status, answer = post(
            url, "/completions", json.dumps({"prompt": "Answer:", "max_tokens": 1}).encode()
        )
        assert status == 200, answer  # fmt: skip


def test_a_chunked_oversized_body_is_cut_off_while_it_streams(hf):
    limit, size, chunk = 64 * 1024, 20_000_000, 16 * 1024
    counter: dict = {}
    app = create_app(hf, "tiny", ServeLimits(max_body_bytes=limit))
    payload = b'{"prompt": "' + b"x" * size + b'"}'
    with running_app(reads_counted(app, counter)) as url:
        chunks = (payload[i : i + chunk] for i in range(0, len(payload), chunk))
        status, answer = post(url, "/completions", chunks)
        assert str(limit) in _error(status, answer, 413, None)
        # what the app pulled is the limit plus at most one read of the server's buffer
        assert limit < counter["bytes"] <= limit + 512 * 1024
        status, answer = post(url, "/completions", b'{"prompt": "Answer:", "max_tokens": 1}')
        assert status == 200, answer


# ---------------------------------------------------------------- fairness
class Gated(HFBackend):
    """The real tiny model, logging the prompts in the order they reach it. The prompt
    `hold` keeps the model until some other request is queued for it (or, with `release`
    set up, until released)."""

    def __init__(self, hf: HFBackend) -> None:
        super().__init__(hf.model, hf.tokenizer, hf.name)
        self.order: list[str] = []
        self.started = threading.Event()
        self.release: threading.Event | None = None
        self.queue = None

    def _may_go(self) -> bool:
        return self.release.is_set() if self.release else self.queue.waiting > 0

    def generate_rendered(self, rendered, settings):
        ((text, _),) = rendered
        self.order.append(text)
        if text == "hold":
            self.started.set()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not self._may_go():
                time.sleep(0.01)
        return super().generate_rendered(rendered, settings)


def test_a_small_request_is_answered_while_a_long_one_runs(hf):
    backend = Gated(hf)
    app = create_app(backend, "tiny")
    backend.queue = app.state.queue
    finished: list[str] = []
    long_prompts = ["hold", "Answer: yes", "Answer: no", "True False"]
    results: dict = {}

    def send(tag: str, body: dict) -> None:
        results[tag] = post(url, "/completions", json.dumps(body).encode(), {"X-Tag": tag})

    with running_app(finishes_logged(app, finished)) as url:
        long = threading.Thread(
            target=send, args=("long", {"prompt": long_prompts, "max_tokens": 8})
        )
        long.start()
        assert backend.started.wait(60)
        send("small", {"prompt": "Unknown", "max_tokens": 2})
        long.join(120)
    assert results["small"][0] == 200 and results["long"][0] == 200
    assert len(results["long"][1]["choices"]) == len(long_prompts)
    # the small request took the model between the long one's slices, and finished first
    assert backend.order == ["hold", "Unknown", *long_prompts[1:]]
    assert finished == ["small", "long"]


def test_past_max_pending_a_request_gets_a_retryable_503(hf):
    backend = Gated(hf)
    backend.release = threading.Event()
    app = create_app(backend, "tiny", ServeLimits(max_pending=1))
    results: dict = {}
    with running_app(app) as url:
        first = threading.Thread(target=lambda: results.update(
            first=post(url, "/completions", b'{"prompt": "hold", "max_tokens": 2}')))  # fmt: skip
        first.start()
        assert backend.started.wait(60)
        status, body = post(url, "/completions", b'{"prompt": "Answer:", "max_tokens": 2}')
        backend.release.set()
        first.join(120)
    assert "busy" in _error(status, body, 503, None)
    assert results["first"][0] == 200
    assert backend.order == ["hold"]


def test_a_client_that_has_gone_gets_no_further_model_time(hf):
    backend = Gated(hf)
    backend.release = threading.Event()
    app = create_app(backend, "tiny")
    prompts = ["hold", "Answer: yes", "Answer: no", "True False", "Unknown", "Answer:"]
    body = json.dumps({"prompt": prompts, "max_tokens": 4}).encode()
    with running_app(app) as url:
        parts = urlsplit(url)
        client = socket.create_connection((parts.hostname, parts.port))
        client.sendall(
            b"POST /v1/completions HTTP/1.1\r\nHost: test\r\nContent-Type: "
            b"application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        assert backend.started.wait(60)
        client.close()  # e.g. the client timed out
        backend.release.set()
        deadline = time.monotonic() + 60
        while app.state.queue.pending and time.monotonic() < deadline:
            time.sleep(0.01)
    assert app.state.queue.pending == 0
    assert backend.order[0] == "hold" and len(backend.order) < len(prompts)


def test_a_conversation_the_chat_template_refuses_is_a_400(hf):
    tokenizer = copy.deepcopy(hf.tokenizer)
    tokenizer.chat_template = (
        "{% for m in messages %}{% if m['role'] == 'system' %}"
        "{{ raise_exception('no system turns here') }}{% endif %}"
        "{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}assistant:"
    )
    app = create_app(HFBackend(hf.model, tokenizer), "tiny")
    turns = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]
    status, _, body = call_app(app, "/v1/chat/completions", {"messages": turns})
    assert "no system turns here" in _error(status, body, 400, "messages")
    status, _, body = call_app(
        app, "/v1/chat/completions", {"messages": turns[1:], "max_tokens": 2}
    )
    assert status == 200, body
