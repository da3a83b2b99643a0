"""The requests `reasoning serve` accepts, checked field by field: every bad value becomes an
`ApiError` (400) whose message names the field, never a 500 or a torch message.

Numbers are strict JSON numbers: NaN, Infinity and out-of-range values are refused
(temperature in [0, 2], top_p in (0, 1], n in [1, the server's max_samples], max_tokens >= 1,
seed a 64-bit integer).
Prompts must be non-empty text; their token count is checked against the model's context
without tokenizing more than about one context's worth of an oversized prompt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reasoning.serve_limits import ApiError

MAX_STOPS = 4
MAX_STOP_CHARS = 256
ROLES = ("system", "user", "assistant")
_TYPE_TAG = re.compile(r"^(str|int|float|bool|none|list\[.*\]|dict\[.*\])$")

R = TypeVar("R", bound=BaseModel)


class CommonRequest(BaseModel):
    """Fields shared by /v1/completions and /v1/chat/completions (None: the default)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    model: str | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0, allow_inf_nan=False)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0, allow_inf_nan=False)
    seed: int | None = Field(default=None, ge=-(2**63), le=2**64 - 1)
    stop: Any = None
    n: int | None = Field(default=None, ge=1)
    stream: bool | None = None

    def requested_tokens(self) -> int | None:
        return self.max_tokens

    def samples(self) -> int:
        """Completions asked for per prompt (`n`, default 1)."""
        return 1 if self.n is None else self.n


class CompletionRequest(CommonRequest):
    prompt: Any = None


class ChatRequest(CommonRequest):
    messages: list[dict[str, Any]] = Field(default_factory=list)
    max_completion_tokens: int | None = Field(default=None, ge=1)

    def requested_tokens(self) -> int | None:
        return self.max_tokens if self.max_tokens is not None else self.max_completion_tokens


def parse(kind: type[R], body: bytes) -> R:
    """The request in `body`, or an ApiError naming the first bad field."""
    try:
        return kind.model_validate_json(body)
    except ValidationError as exc:
        raise _as_api_error(exc) from None


def _as_api_error(exc: ValidationError) -> ApiError:
    err = exc.errors(include_url=False)[0]
    if err["type"] == "json_invalid":
        reason = err.get("ctx", {}).get("error", err["msg"])
        return ApiError(400, f"request body is not valid JSON: {reason}", code="invalid_json")
    if not err["loc"]:
        return ApiError(400, "request body must be a JSON object", code="invalid_json")
    param = _param(err["loc"])
    got = err.get("input")
    shown = f" (got {_show(got)})" if isinstance(got, (int, float, str, bool)) else ""
    return ApiError(400, f"{param}: {err['msg']}{shown}", param=param, code="invalid_value")


def _param(loc: tuple) -> str:
    """('messages', 0, 'role') -> 'messages[0].role'; union type tags are dropped."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _TYPE_TAG.match(str(part)):
            out += f".{part}" if out else str(part)
    return out


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------- fields checked by hand
def check_common(
    req: CommonRequest, model_name: str, cap: int | None, max_samples: int = 1
) -> None:
    """What this server cannot do, or will not: streaming, n over `max_samples`, another
    model, too many tokens asked for."""
    if req.stream:
        raise ApiError(400, "stream: streaming is not supported", "stream", "unsupported")
    if req.samples() > max_samples:
        limit = "only n=1 is" if max_samples == 1 else f"at most n={max_samples} is"
        raise ApiError(
            400,
            f"n: {limit} served per prompt here (got {req.n}; the server's max_samples limit)",
            "n",
            "unsupported",
        )
    if req.model not in (None, model_name):
        raise ApiError(
            404,
            f"model {req.model!r} is not served here; this serves {model_name!r}",
            "model",
            "model_not_found",
        )
    asked = req.requested_tokens()
    if cap is not None and asked is not None and asked > cap:
        raise ApiError(
            400,
            f"max_tokens: {asked} is over this server's cap of {cap} tokens per completion",
            "max_tokens",
            "invalid_value",
        )


def stop_strings(value: Any) -> tuple[str, ...]:
    """`stop` as a tuple: a string or up to 4 strings of at most 256 characters; empty
    strings mean nothing and are dropped."""
    stops = [value] if isinstance(value, str) else value
    if stops is None:
        return ()
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        raise ApiError(400, "stop: must be a string or a list of strings", "stop")
    if len(stops) > MAX_STOPS:
        raise ApiError(400, f"stop: at most {MAX_STOPS} stop strings (got {len(stops)})", "stop")
    if any(len(s) > MAX_STOP_CHARS for s in stops):
        raise ApiError(
            400, f"stop: each stop string is at most {MAX_STOP_CHARS} characters", "stop"
        )
    return tuple(s for s in stops if s)


def prompt_list(value: Any, max_prompts: int) -> list[str]:
    """`prompt` as a list of non-empty strings, at most `max_prompts` of them."""
    prompts = [value] if isinstance(value, str) else value
    if value is None:
        raise ApiError(400, "prompt: required", "prompt", "missing")
    if not isinstance(prompts, list) or not all(isinstance(p, str) for p in prompts):
        raise ApiError(
            400,
            "prompt: must be a string or a list of strings (token-id prompts are not supported)",
            "prompt",
        )
    if not prompts:
        raise ApiError(400, "prompt: the list of prompts is empty", "prompt")
    if len(prompts) > max_prompts:
        raise ApiError(
            400,
            f"prompt: {len(prompts)} prompts in one request; this server takes at most "
            f"{max_prompts} (send the rest in further requests)",
            "prompt",
            "too_many_prompts",
        )
    for i, p in enumerate(prompts):
        if not p:
            where = "prompt" if isinstance(value, str) else f"prompt[{i}]"
            raise ApiError(400, f"{where}: the prompt is empty", where, "empty_prompt")
    return prompts


def chat_messages(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """`messages` as [{'role', 'content'}] with text content (text parts are joined)."""
    if not messages:
        raise ApiError(400, "messages: at least one message is required", "messages")
    out = []
    for i, m in enumerate(messages):
        role = m.get("role")
        if role not in ROLES:
            raise ApiError(
                400,
                f"messages[{i}].role: must be one of {', '.join(ROLES)} (got {_show(role)})",
                f"messages[{i}].role",
            )
        out.append({"role": role, "content": _content_text(m.get("content"), i)})
    return out


def _content_text(content: Any, i: int) -> str:
    where = f"messages[{i}].content"
    if content is None or isinstance(content, str):
        return content or ""
    parts = content if isinstance(content, list) else None
    if parts is None or not all(
        isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
        for p in parts
    ):
        raise ApiError(
            400, f"{where}: must be a string or a list of text parts (only text is served)", where
        )
    return "".join(p["text"] for p in parts)


# ---------------------------------------------------------------- tokens
def count_prompt_tokens(
    encode: Callable[[str, bool], list[int]], text: str, templated: bool, context: int
) -> tuple[int, bool]:
    """(tokens of `text` as the model will see it, whether that count is exact). A text far
    longer than the context is first counted window by window (4 characters per context
    token each), stopping as soon as the count clearly exceeds the context; then the count
    is a lower bound above `context` and the whole text is never tokenized at once
    (tokenizing a 20 MB prompt costs gigabytes). Cost: O(min(len(text), 8 * context))
    characters of tokenizer work for a text that does not fit."""
    window = max(4096, 4 * context)
    if len(text) > 2 * window:
        seen = 0
        for start in range(0, len(text), window):
            seen += len(encode(text[start : start + window], True))
            if seen > context + context // 8 + 16:
                return seen, False
    return len(encode(text, templated)), True


def completion_budget(
    where: str, counted: tuple[int, bool], asked: int | None, default: int, context: int
) -> int:
    """max_new_tokens for one prompt of `counted` tokens (see count_prompt_tokens): `asked`
    when it fits the context, else 400; when not asked, `default` clamped to the room left.
    `where` names the prompt in messages."""
    prompt_tokens, exact = counted
    room = context - prompt_tokens
    if prompt_tokens == 0:
        raise ApiError(400, f"{where}: the prompt is empty (no tokens)", where, "empty_prompt")
    if room < 1:
        size = f"{prompt_tokens} tokens" if exact else f"more than {context} tokens"
        raise ApiError(
            400,
            f"{where}: {size}; the model's context is {context} tokens, which leaves no room "
            "for a completion",
            where,
            "context_length_exceeded",
        )
    if asked is None:
        return min(default, room)
    if asked > room:
        raise ApiError(
            400,
            f"max_tokens: {asked} + the {prompt_tokens} tokens of {where} is over the model's "
            f"context of {context} tokens; ask for at most {room}",
            "max_tokens",
            "context_length_exceeded",
        )
    return asked
