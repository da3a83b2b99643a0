"""Test helpers for `reasoning serve`: call the ASGI app in-process (no socket), post raw
bytes or a chunked stream over HTTP, and watch what the app reads and answers."""

from __future__ import annotations

import asyncio
import http.client
import json
from collections.abc import Iterable
from urllib.parse import urlsplit


def call_app(app, path: str, body: bytes | dict, method: str = "POST") -> tuple[int, dict, dict]:
    """(status, headers, JSON body) of one request served by `app` in-process."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    async def run() -> list[dict]:
        pending = [{"type": "http.request", "body": raw, "more_body": False}]
        sent: list[dict] = []

        async def receive() -> dict:
            if pending:
                return pending.pop()
            await asyncio.Event().wait()  # the client stays connected
            raise AssertionError("unreachable")

        async def send(message: dict) -> None:
            sent.append(message)

        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(raw))]
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
                 "root_path": "", "query_string": b"", "headers": headers,
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}  # fmt: skip
        await app(scope, receive, send)
        return sent

    sent = asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}
    return start["status"], headers, json.loads(content)


def post(
    url: str, path: str, body: bytes | Iterable[bytes], headers: dict | None = None
) -> tuple[int, dict]:
    """POST raw `body` (bytes, or chunks sent with chunked transfer encoding) to the server
    at base `url`; (status, JSON body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    chunked = not isinstance(body, bytes)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if chunked:
        all_headers["Transfer-Encoding"] = "chunked"
    try:
        conn.request("POST", parts.path + path, body=body, headers=all_headers,
                     encode_chunked=chunked)  # fmt: skip
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def reads_counted(app, counter: dict):
    """`app` wrapped so that counter['bytes'] sums the request-body bytes it pulled."""
    counter.setdefault("bytes", 0)

    async def wrapped(scope, receive, send):
        async def counting_receive():
            message = await receive()
            counter["bytes"] += len(message.get("body", b""))
            return message

        await app(scope, counting_receive, send)

    return wrapped


def finishes_logged(app, log: list[str]):
    """`app` wrapped so that `log` gets each request's X-Tag header the moment its response
    has been handed to the server in full: the order requests finish, server side."""

    async def wrapped(scope, receive, send):
        tag = dict(scope.get("headers", [])).get(b"x-tag", b"").decode()

        async def logging_send(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                log.append(tag)

        await app(scope, receive, logging_send)

    return wrapped
