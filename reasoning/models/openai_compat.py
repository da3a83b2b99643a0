"""Any OpenAI-compatible endpoint (OpenAI, vLLM, `reasoning serve`) through the `openai`
client: bounded concurrency, timeouts, exponential backoff on 429 / 5xx / connection
errors, and a per-item error recorded instead of a crashed run. `generate` sends each prompt
as one user message, `chat` sends a whole conversation; every request carries
`settings.seed`, so n samples are n requests with the seeds of `base.sample_settings`
(never one request with `n`, whose samples one seed would draw together)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from reasoning.models.base import (
    BackendError,
    Completion,
    GenerationSettings,
    Message,
    check_conversations,
    plain_text,
    truncate_at_stop,
)

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}


class OpenAIBackend:
    """Chat (default) or plain completions against `base_url` for `model`."""

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        concurrency: int = 8,
        timeout: float = 60.0,
        max_retries: int = 4,
        backoff: float = 0.5,
    ) -> None:
        import openai

        if concurrency < 1 or max_retries < 0 or timeout <= 0:
            raise BackendError("concurrency >= 1, max_retries >= 0 and timeout > 0 required")
        self.model = model
        self.name = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        key = api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        # the client's own retries are off: ours are counted and recorded per item
        self.client = openai.OpenAI(
            base_url=self.base_url, api_key=key, timeout=timeout, max_retries=0
        )
        self.concurrency, self.max_retries, self.backoff = concurrency, max_retries, backoff
        self._openai = openai
        self._fingerprint: str | None = None

    def _retryable(self, exc: Exception) -> bool:
        o = self._openai
        if isinstance(exc, (o.APIConnectionError, o.APITimeoutError, o.RateLimitError)):
            return True
        return isinstance(exc, o.APIStatusError) and exc.status_code in RETRYABLE_STATUS

    def _one(self, prompt: str | list[Message], settings: GenerationSettings) -> Completion:
        """One request for a prompt or a conversation: chat completions when
        `settings.chat`, else plain completions of the text (a conversation's contents
        joined, `plain_text`); retried when retryable, never raised."""
        messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt
        params = dict(
            model=self.model,
            max_tokens=settings.max_new_tokens,
            temperature=settings.temperature,
            top_p=settings.top_p,
            seed=settings.seed,
        )
        if settings.stop:
            params["stop"] = list(settings.stop)[:4]
        last = ""
        for attempt in range(1, self.max_retries + 2):
            try:
                if settings.chat:
                    r = self.client.chat.completions.create(messages=messages, **params)
                    text = r.choices[0].message.content or ""
                else:
                    r = self.client.completions.create(prompt=plain_text(messages), **params)
                    text = r.choices[0].text or ""
                text, _ = truncate_at_stop(text, settings.stop)
                usage = r.usage
                return Completion(
                    text,
                    getattr(usage, "prompt_tokens", 0) or 0,
                    getattr(usage, "completion_tokens", 0) or 0,
                    r.choices[0].finish_reason or "stop",
                    attempts=attempt,
                )
            except Exception as exc:  # noqa: BLE001 - classified below, never lost
                last = f"{type(exc).__name__}: {str(exc)[:200]}"
                if not self._retryable(exc) or attempt > self.max_retries:
                    return Completion("", 0, 0, "error", last, attempts=attempt)
                time.sleep(self.backoff * 2 ** (attempt - 1))
        return Completion("", 0, 0, "error", last, attempts=self.max_retries + 1)

    def generate(self, prompts: Sequence[str], settings: GenerationSettings) -> list[Completion]:
        """One completion per prompt, in order, `concurrency` requests at a time."""
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(lambda p: self._one(p, settings), prompts))

    def chat(
        self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings
    ) -> list[Completion]:
        """The next assistant turn of each conversation, in order (see `Backend.chat`): the
        message list is sent as it is; BackendError for a malformed conversation before
        any request, an error Completion for a request that fails."""
        checked = check_conversations(conversations)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(lambda m: self._one(m, settings), checked))

    def fingerprint(self) -> str:
        """Endpoint + model name + whatever revision the server reports for the model."""
        if self._fingerprint is None:
            try:
                info = self.client.models.retrieve(self.model).model_dump()
            except Exception as exc:  # noqa: BLE001
                raise BackendError(
                    f"cannot reach {self.base_url} for model {self.model!r}: {_reason(exc)}"
                ) from None
            described = {
                "base_url": self.base_url,
                "model": self.model,
                "revision": {k: info.get(k) for k in ("id", "created", "owned_by", "root")},
            }
            self._fingerprint = (
                "api-"
                + hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:32]
            )
        return self._fingerprint


def _reason(exc: BaseException) -> str:
    """Why a request failed, on one line: the innermost cause ('[Errno 111] Connection
    refused' rather than the client's bare 'Connection error.'), with a hint for a server
    that is not there."""
    inner = exc
    while inner.__cause__ is not None and str(inner.__cause__):
        inner = inner.__cause__
    text = " ".join(str(inner).split())[:200] or type(inner).__name__
    if isinstance(inner, ConnectionError) or "refused" in text.lower():
        text += " (is the server running at that address?)"
    return text
