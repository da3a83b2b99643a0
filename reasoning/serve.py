"""`reasoning serve`: an OpenAI-compatible HTTP server (chat completions and completions)
over a local HF model, full or pruned, so the harness, the verifier loop and third-party
tools reach every model the same way.

One model serves every request, one prompt at a time: prompts take the model in arrival
order, so a request with many prompts interleaves with those that arrive while it runs.
Chat requests carry whole conversations (system, user and assistant turns), rendered by the
model's chat template. A request may ask for `n` samples per prompt (up to
`ServeLimits.max_samples`): sample k is drawn with the seed `sample_seed(seed, k)` (sample 0
with the request's own seed), so each choice is what `HFBackend` gives for
`sample_settings(settings, k)`; greedy samples are identical and generated once.
What a request may ask for is bounded (`ServeLimits`: body size, prompts per request,
tokens per prompt against the model's context, requests in flight), and every request the
server will not serve gets an OpenAI-style error naming the field at fault (400, 404, 413,
503), never a 500 or a torch message. See serve_limits.py and serve_requests.py."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from reasoning.core import ConfigError
from reasoning.models import Completion, GenerationSettings, HFBackend
from reasoning.models.base import sample_settings
from reasoning.serve_limits import ApiError, BodyLimit, ModelQueue, ServeLimits, error_response
from reasoning.serve_requests import (
    ChatRequest,
    CommonRequest,
    CompletionRequest,
    chat_messages,
    check_common,
    completion_budget,
    count_prompt_tokens,
    parse,
    prompt_list,
    stop_strings,
)

__all__ = ["ApiError", "ServeLimits", "create_app", "model_context", "serve"]

Job = tuple[tuple[str, bool], GenerationSettings]
GREEDY_BELOW = 1e-5  # temperatures under this decode greedily (as vLLM does)


def model_context(backend: HFBackend, limits: ServeLimits) -> int:
    """Tokens of prompt + completion one request may use: `limits.context_length` when set
    (never above the model's positions), else the model's `max_position_embeddings`, else
    the tokenizer's `model_max_length`."""
    config = getattr(backend.model, "config", None)
    positions = getattr(config, "max_position_embeddings", None)
    if limits.context_length is not None:
        if positions and limits.context_length > positions:
            raise ConfigError(
                f"context_length={limits.context_length} is over the model's {positions} positions"
            )
        return limits.context_length
    if positions:
        return int(positions)
    stated = getattr(backend.tokenizer, "model_max_length", None)
    if isinstance(stated, int) and 0 < stated < 10**7:
        return stated
    raise ConfigError("the model states no context length; give one (context_length)")


def _temperature(asked: float | None) -> float:
    """Below GREEDY_BELOW a temperature is greedy decoding: sampling at 1e-300 would divide
    the logits into infinities (a torch error), and means greedy anyway."""
    return 0.0 if asked is None or asked < GREEDY_BELOW else asked


def _usage(outs: Sequence[Completion], samples: int = 1) -> dict:
    """Token usage: each prompt's tokens once (outs hold `samples` per prompt, in a row),
    every completion's tokens."""
    p = sum(o.prompt_tokens for o in outs[::samples])
    c = sum(o.completion_tokens for o in outs)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    """Starlette's own errors (unknown route, wrong method) in the OpenAI shape too."""
    return error_response(exc.status_code, str(exc.detail))


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return exc.response()


class _Server:
    """What the routes share: the model, its name and context, the limits, the queue."""

    def __init__(self, backend: HFBackend, model_name: str, limits: ServeLimits) -> None:
        self.backend, self.model_name, self.limits = backend, model_name, limits
        self.context = model_context(backend, limits)
        self.queue = ModelQueue(limits.max_pending)
        self.default_tokens = min(limits.default_max_tokens, limits.max_tokens or self.context)

    def plan(
        self, rendered: list[tuple[str, bool]], where: list[str], req: CommonRequest, chat: bool
    ) -> list[Job]:
        """Each prompt with its settings; 400 for an empty or oversized prompt. Runs in a
        worker thread (it tokenizes)."""
        stops = stop_strings(req.stop)
        jobs = []
        for item, name in zip(rendered, where, strict=True):
            counted = count_prompt_tokens(self.backend.encode, item[0], item[1], self.context)
            budget = completion_budget(
                name, counted, req.requested_tokens(), self.default_tokens, self.context
            )
            settings = GenerationSettings(
                max_new_tokens=budget,
                temperature=_temperature(req.temperature),
                top_p=req.top_p if req.top_p is not None else 1.0,
                seed=req.seed or 0,
                stop=stops,
                chat=chat,
                batch_size=1,
            )
            jobs.append((item, settings))
        return jobs

    def plan_chat(self, messages: list[dict[str, str]], req: ChatRequest) -> list[Job]:
        try:
            rendered = self.backend.render_chat(messages)
        except Exception as exc:  # the model's own template judges the conversation
            raise ApiError(
                400, f"messages: the model's chat template cannot render them: {exc}", "messages"
            ) from None
        return self.plan([rendered], ["messages"], req, chat=True)

    async def generate(
        self, jobs: list[Job], request: Request, samples: int = 1
    ) -> list[Completion]:
        """`samples` completions of every job, in order (job i sample k at i * samples + k,
        drawn with `sample_settings(settings, k)`), one model slice each; greedy samples of
        a job are one slice. 500 if the model itself fails. A client that has gone (e.g.
        timed out) gets no further slices."""
        outs = []
        for item, settings in jobs:
            drawn: dict[GenerationSettings, Completion] = {}
            for k in range(samples):
                sample = sample_settings(settings, k)
                if sample not in drawn:
                    drawn[sample] = await self._slice(item, sample, request)
                outs.append(drawn[sample])
        return outs

    async def _slice(
        self, item: tuple[str, bool], settings: GenerationSettings, request: Request
    ) -> Completion:
        if await request.is_disconnected():
            raise ApiError(400, "the client closed the request", code="client_closed")
        (out,) = await self.queue.run(self.backend.generate_rendered, [item], settings)
        if out.finish_reason == "error":
            raise ApiError(500, f"generation failed: {out.error}", code="generation_failed")
        return out

    def card(self, model_id: str | None = None) -> dict:
        if model_id not in (None, self.model_name):
            raise ApiError(404, f"model {model_id!r} is not served here; this serves "
                           f"{self.model_name!r}", code="model_not_found")  # fmt: skip
        return {"id": self.model_name, "object": "model", "created": 0,
                "owned_by": "reasoning-suite", "root": self.backend.fingerprint()}  # fmt: skip

    async def completions(self, request: Request) -> dict:
        req = parse(CompletionRequest, await request.body())
        check_common(req, self.model_name, self.limits.max_tokens, self.limits.max_samples)
        prompts = prompt_list(req.prompt, self.limits.max_prompts)
        where = ["prompt"] if isinstance(req.prompt, str) else [f"prompt[{i}]" for i in
                                                                range(len(prompts))]  # fmt: skip
        with self.queue.admit():
            rendered = [(p, False) for p in prompts]
            jobs = await anyio.to_thread.run_sync(self.plan, rendered, where, req, False)
            outs = await self.generate(jobs, request, req.samples())
        choices = [
            {"index": i, "text": o.text, "finish_reason": o.finish_reason, "logprobs": None}
            for i, o in enumerate(outs)
        ]
        return {
            "id": f"cmpl-{uuid.uuid4().hex}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": self.model_name,
            "choices": choices,
            "usage": _usage(outs, req.samples()),
        }

    async def chat(self, request: Request) -> dict:
        req = parse(ChatRequest, await request.body())
        check_common(req, self.model_name, self.limits.max_tokens, self.limits.max_samples)
        messages = chat_messages(req.messages)
        with self.queue.admit():
            jobs = await anyio.to_thread.run_sync(self.plan_chat, messages, req)
            outs = await self.generate(jobs, request, req.samples())
        choices = [
            {
                "index": k,
                "message": {"role": "assistant", "content": out.text},
                "finish_reason": out.finish_reason,
            }
            for k, out in enumerate(outs)
        ]
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model_name,
            "choices": choices,
            "usage": _usage(outs, req.samples()),
        }


def create_app(backend: HFBackend, model_name: str, limits: ServeLimits | None = None) -> FastAPI:
    """The ASGI app serving `backend` as `model_name` within `limits` (default
    ServeLimits()). `app.state` holds `limits`, `context_length` and the `queue`."""
    server = _Server(backend, model_name, limits or ServeLimits())
    app = FastAPI(title="reasoning serve", version="1")
    app.state.limits, app.state.context_length = server.limits, server.context
    app.state.queue = server.queue
    app.add_middleware(BodyLimit, limit=server.limits.max_body_bytes)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)

    @app.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [server.card()]}

    @app.get("/v1/models/{model_id:path}")
    def model(model_id: str) -> dict:
        return server.card(model_id)

    @app.post("/v1/completions")
    async def completions(request: Request) -> dict:
        return await server.completions(request)

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> dict:
        return await server.chat(request)

    return app


def serve(
    model: str,
    host: str,
    port: int,
    device: str | None,
    dtype: str,
    name: str | None,
    *,
    max_body_bytes: int = ServeLimits.max_body_bytes,
    max_prompts: int = ServeLimits.max_prompts,
    max_tokens: int | None = ServeLimits.max_tokens,
    context_length: int | None = ServeLimits.context_length,
    max_pending: int = ServeLimits.max_pending,
    max_samples: int = ServeLimits.max_samples,
) -> None:
    """Load `model` and serve it until interrupted, within the given limits (see
    ServeLimits). Connections beyond 2 * max_pending get uvicorn's 503."""
    import uvicorn

    limits = ServeLimits(
        max_body_bytes=max_body_bytes,
        max_prompts=max_prompts,
        max_tokens=max_tokens,
        context_length=context_length,
        max_pending=max_pending,
        max_samples=max_samples,
    )
    backend = HFBackend.load(model, device=device, dtype=dtype)
    app = create_app(backend, name or model, limits)
    print(
        f"serving {name or model} ({backend.fingerprint()}) on http://{host}:{port}/v1 "
        f"(context {app.state.context_length} tokens, body <= {max_body_bytes} bytes, "
        f"<= {max_prompts} prompts per request)"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", limit_concurrency=2 * max_pending)
