"""The openai backend against a loopback server that fails on purpose: 429s, 500s, hangs
and a dead route. Bounded: the server answers at most MAX_REQUESTS and the test stops it."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from reasoning.models import GenerationSettings, OpenAIBackend

MAX_REQUESTS = 200


class FaultyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: Counter[str] = Counter()
        self.total = 0
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: FaultyServer

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): expected for 'hang' prompts

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][0]["content"]
        with self.server.lock:
            self.server.total += 1
            self.server.seen[prompt] += 1
            attempt, total = self.server.seen[prompt], self.server.total
        kind = prompt.split(":")[0]
        if total > MAX_REQUESTS or kind == "dead":
            return self._send(503, {"error": {"message": "unavailable"}})
        if kind == "flaky429" and attempt == 1:
            return self._send(429, {"error": {"message": "slow down"}})
        if kind == "flaky500" and attempt <= 2:
            return self._send(500, {"error": {"message": "boom"}})
        if kind == "hang" and attempt == 1:
            time.sleep(1.5)
        if kind == "bad":
            return self._send(400, {"error": {"message": "bad request"}})
        reply = {
            "id": "x", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": f"echo {prompt}"}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }  # fmt: skip
        self._send(200, reply)


def test_faults_are_retried_or_recorded_and_nothing_is_lost():
    server = FaultyServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        backend = OpenAIBackend("m", base_url=url, concurrency=4, timeout=0.5, max_retries=3,
                                backoff=0.01)  # fmt: skip
        prompts = [f"{kind}:{i}" for i in range(3)
                   for kind in ("ok", "flaky429", "flaky500", "hang", "dead", "bad")]  # fmt: skip
        outs = backend.generate(prompts, GenerationSettings(max_new_tokens=4))
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert len(outs) == len(prompts)
    for prompt, out in zip(prompts, outs, strict=True):
        kind = prompt.split(":")[0]
        if kind in ("dead", "bad"):
            assert out.finish_reason == "error" and out.text == "" and out.error
            assert out.attempts == (4 if kind == "dead" else 1)  # 400 is not retried
        else:
            assert out.text == f"echo {prompt}" and out.error is None
            assert out.attempts == {"ok": 1, "flaky429": 2, "flaky500": 3, "hang": 2}[kind]
    assert server.total <= MAX_REQUESTS


def test_unreachable_endpoint_is_recorded_per_item():
    backend = OpenAIBackend("m", base_url="http://127.0.0.1:9/v1", timeout=0.5, max_retries=1,
                            backoff=0.01)  # fmt: skip
    outs = backend.generate(["a", "b"], GenerationSettings(max_new_tokens=2))
    assert [o.finish_reason for o in outs] == ["error", "error"]
    assert all("Connection" in o.error and o.attempts == 2 for o in outs)
