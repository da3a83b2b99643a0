"""Model backends: local transformers (CPU/CUDA) and OpenAI-compatible endpoints.

The backends are imported on first use, so code that only needs the protocol and its
value types (a cache, a fake model in a test) does not pay for importing torch.
"""

from typing import Any

from reasoning.models.base import (
    Backend,
    BackendError,
    Completion,
    GenerationSettings,
    truncate_at_stop,
)

_LAZY = {
    "HFBackend": "reasoning.models.hf",
    "pick_device": "reasoning.models.hf",
    "OpenAIBackend": "reasoning.models.openai_compat",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'reasoning.models' has no attribute {name!r}")


def load_backend(model: str, base_url: str | None = None, **options) -> Backend:
    """`base_url` given: an OpenAI-compatible endpoint serving `model`; otherwise a local
    directory, a named offline model (smollm2-135m) or a hub id, through transformers."""
    if base_url:
        from reasoning.models.openai_compat import OpenAIBackend

        return OpenAIBackend(model, base_url=base_url, **options)
    from reasoning.models.hf import HFBackend

    return HFBackend.load(model, **options)


__all__ = [
    "Backend",
    "BackendError",
    "Completion",
    "GenerationSettings",
    "HFBackend",
    "OpenAIBackend",
    "load_backend",
    "pick_device",
    "truncate_at_stop",
]
