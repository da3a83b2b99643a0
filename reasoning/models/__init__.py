"""Model backends: local transformers (CPU/CUDA) and OpenAI-compatible endpoints."""

from reasoning.models.base import (
    Backend,
    BackendError,
    Completion,
    GenerationSettings,
    truncate_at_stop,
)
from reasoning.models.hf import HFBackend, pick_device
from reasoning.models.openai_compat import OpenAIBackend


def load_backend(model: str, base_url: str | None = None, **options) -> Backend:
    """`base_url` given: an OpenAI-compatible endpoint serving `model`; otherwise a local
    directory, a named offline model (smollm2-135m) or a hub id, through transformers."""
    if base_url:
        return OpenAIBackend(model, base_url=base_url, **options)
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
