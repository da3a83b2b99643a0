"""`reasoning serve`: an OpenAI-compatible HTTP server (chat completions and completions)
over a local HF model, full or pruned, so the harness, the verifier loop and third-party
tools reach every model the same way. Requests are served one at a time (one model)."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from reasoning.models import BackendError, GenerationSettings, HFBackend


class _Common(BaseModel):
    model: str | None = None
    max_tokens: int | None = Field(default=256, ge=1)
    temperature: float = Field(default=0.0, ge=0.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    seed: int | None = None
    stop: str | list[str] | None = None
    n: int = 1
    stream: bool = False


class CompletionRequest(_Common):
    prompt: str | list[str]


class ChatRequest(_Common):
    messages: list[dict[str, Any]]


def _error(status: int, message: str) -> JSONResponse:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": status}}
    return JSONResponse(status_code=status, content=body)


def _settings(req: _Common, chat: bool) -> GenerationSettings:
    stop = (req.stop,) if isinstance(req.stop, str) else tuple(req.stop or ())
    return GenerationSettings(
        max_new_tokens=req.max_tokens or 256,
        temperature=req.temperature,
        top_p=req.top_p,
        seed=req.seed or 0,
        stop=stop,
        chat=chat,
        batch_size=1,
    )


def create_app(backend: HFBackend, model_name: str) -> FastAPI:
    app = FastAPI(title="reasoning serve", version="1")
    lock = threading.Lock()

    def check(req: _Common) -> JSONResponse | None:
        if req.stream:
            return _error(400, "streaming is not supported")
        if req.n != 1:
            return _error(400, "only n=1 is supported")
        if req.model not in (None, model_name):
            return _error(
                404, f"model {req.model!r} is not served here; this serves {model_name!r}"
            )
        return None

    def usage(outs) -> dict:
        p = sum(o.prompt_tokens for o in outs)
        c = sum(o.completion_tokens for o in outs)
        return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}

    def card() -> dict:
        return {"id": model_name, "object": "model", "created": 0,
                "owned_by": "reasoning-suite", "root": backend.fingerprint()}  # fmt: skip

    @app.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [card()]}

    @app.get("/v1/models/{model_id:path}")
    def model(model_id: str):
        if model_id != model_name:
            return _error(404, f"model {model_id!r} is not served here; this serves {model_name!r}")
        return card()

    @app.post("/v1/completions")
    def completions(req: CompletionRequest):
        if (bad := check(req)) is not None:
            return bad
        prompts = [req.prompt] if isinstance(req.prompt, str) else req.prompt
        try:
            settings = _settings(req, chat=False)
        except BackendError as exc:
            return _error(400, str(exc))
        with lock:
            outs = backend.generate_rendered([(p, False) for p in prompts], settings)
        if any(o.finish_reason == "error" for o in outs):
            return _error(400, next(o.error for o in outs if o.error))
        choices = [
            {"index": i, "text": o.text, "finish_reason": o.finish_reason, "logprobs": None}
            for i, o in enumerate(outs)
        ]
        return {
            "id": f"cmpl-{uuid.uuid4().hex}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": model_name,
            "choices": choices,
            "usage": usage(outs),
        }

    @app.post("/v1/chat/completions")
    def chat(req: ChatRequest):
        if (bad := check(req)) is not None:
            return bad
        try:
            settings = _settings(req, chat=True)
        except BackendError as exc:
            return _error(400, str(exc))
        with lock:
            (out,) = backend.generate_rendered([backend.render_chat(req.messages)], settings)
        if out.finish_reason == "error":
            return _error(400, out.error or "generation failed")
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": out.text},
            "finish_reason": out.finish_reason,
        }
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model_name,
            "choices": [choice],
            "usage": usage([out]),
        }

    return app


def serve(
    model: str, host: str, port: int, device: str | None, dtype: str, name: str | None
) -> None:
    """Load `model` and serve it until interrupted."""
    import uvicorn

    backend = HFBackend.load(model, device=device, dtype=dtype)
    app = create_app(backend, name or model)
    print(f"serving {name or model} ({backend.fingerprint()}) on http://{host}:{port}/v1")
    uvicorn.run(app, host=host, port=port, log_level="warning")
