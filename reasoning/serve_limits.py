"""What keeps `reasoning serve` up and bounded: the limits, OpenAI-style errors, a body
limit enforced while the body is read, and a fair queue in front of the one model.

- Body: a request whose Content-Length is over the limit is answered 413 unread; a chunked
  body is counted as it streams and answered 413 the moment it passes the limit, so at
  most `max_body_bytes` plus one network read is ever held (the rest is discarded unread).
- Model time: every prompt is one slice of work; slices take the model in the order they
  ask for it (FIFO, no barging), so a request with many prompts interleaves with the
  requests that arrive while it runs instead of holding the model to the end.
- Admission: at most `max_pending` requests wait for or hold the model; more get 503
  (retryable), so memory and latency stay bounded under a flood.
- Samples: a request may ask for `n` completions per prompt up to `max_samples` (default
  1: `n` is refused unless the server is started with a higher limit); each sample is one
  slice of model time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio.to_thread
from fastapi.responses import JSONResponse

from reasoning.core import ConfigError

T = TypeVar("T")
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

STATUS_TYPES = {413: "invalid_request_error", 503: "server_busy", 500: "server_error"}


@dataclass(frozen=True)
class ServeLimits:
    """How much one request may ask of the server. `context_length` None: the model's own
    (its `max_position_embeddings`); `max_tokens` None: no cap below the context;
    `max_samples`: the largest `n` (completions per prompt) a request may ask for."""

    max_body_bytes: int = 2 * 1024 * 1024
    max_prompts: int = 16
    max_tokens: int | None = None
    default_max_tokens: int = 256
    context_length: int | None = None
    max_pending: int = 64
    max_samples: int = 1

    def __post_init__(self) -> None:
        for name in (
            "max_body_bytes", "max_prompts", "default_max_tokens", "max_pending", "max_samples"
        ):  # fmt: skip
            _positive(name, getattr(self, name))
        for name in ("max_tokens", "context_length"):
            if getattr(self, name) is not None:
                _positive(name, getattr(self, name))


def _positive(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"serve limit {name}={value!r} must be an integer >= 1")


class ApiError(Exception):
    """A request the server will not serve: an HTTP status and one clear message, naming
    the request field at fault (`param`) when there is one."""

    def __init__(
        self, status: int, message: str, param: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code

    def response(self) -> JSONResponse:
        return error_response(self.status, self.message, self.param, self.code)


def error_response(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> JSONResponse:
    """An OpenAI-style error body: {"error": {"message", "type", "param", "code"}}."""
    body = {
        "error": {
            "message": message,
            "type": STATUS_TYPES.get(status, "invalid_request_error"),
            "param": param,
            "code": code,
        }
    }
    headers = {"Retry-After": "1"} if status == 503 else None
    return JSONResponse(status_code=status, content=body, headers=headers)


# ---------------------------------------------------------------- request body
def _too_large(size: int | None, limit: int) -> JSONResponse:
    what = f"{size} bytes" if size is not None else f"over {limit} bytes"
    return error_response(
        413,
        f"request body is {what}; this server accepts at most {limit} bytes per request",
        code="request_too_large",
    )


class BodyLimit:
    """ASGI middleware: read the body up to `limit` bytes, answer 413 past it, and hand the
    app the body in one piece. Never holds more than `limit` plus one received chunk."""

    def __init__(self, app: Callable, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _too_large(declared, self.limit)(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _too_large(None, self.limit)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # h11 rejects a malformed Content-Length before we see it
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that yields the already-read body once, then defers to the server."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


# ---------------------------------------------------------------- model time
class ModelQueue:
    """The one model, shared fairly: `run` executes one slice of work in a worker thread
    while holding the model; slices get it in arrival order (asyncio.Lock hands over FIFO
    and lets no newcomer barge past a waiter), so a request that asks again after each slice
    queues behind everyone who arrived meanwhile. `admit` bounds the requests in flight.
    Use from one event loop."""

    def __init__(self, max_pending: int) -> None:
        self.max_pending = max_pending
        self.pending = 0  # requests admitted and not finished
        self.waiting = 0  # slices waiting for the model right now
        self._model = asyncio.Lock()

    @contextlib.contextmanager
    def admit(self) -> Iterator[None]:
        """Count a request in flight for its duration; 503 when `max_pending` already are."""
        if self.pending >= self.max_pending:
            raise ApiError(
                503,
                f"server busy: {self.pending} requests are already queued for the model; "
                "retry shortly",
                code="server_busy",
            )
        self.pending += 1
        try:
            yield
        finally:
            self.pending -= 1

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in a worker thread, alone on the model; waits its turn first."""
        self.waiting += 1
        try:
            await self._model.acquire()
        finally:
            self.waiting -= 1
        try:
            return await anyio.to_thread.run_sync(work, *args)
        finally:
            self._model.release()
