"""What every model backend offers: prompts in, completions out (and, where possible,
log-likelihoods of closed answers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from reasoning.core import ReasoningError


class BackendError(ReasoningError):
    """A model cannot be loaded or reached (bad path, unreachable endpoint, bad settings)."""


@dataclass(frozen=True)
class GenerationSettings:
    """How to generate. temperature 0 means greedy decoding."""

    max_new_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    stop: tuple[str, ...] = ()
    chat: bool = True  # wrap the prompt as a user message when the model has a chat template
    batch_size: int = 8

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise BackendError(f"max_new_tokens={self.max_new_tokens} must be >= 1")
        if self.temperature < 0 or not 0 < self.top_p <= 1:
            raise BackendError("temperature must be >= 0 and top_p in (0, 1]")
        if self.batch_size < 1:
            raise BackendError(f"batch_size={self.batch_size} must be >= 1")

    def key(self) -> dict:
        """The settings that change a completion (for cache keys)."""
        return {
            "max_new_tokens": self.max_new_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "seed": self.seed,
            "stop": list(self.stop),
            "chat": self.chat,
        }


@dataclass(frozen=True)
class Completion:
    """One completion. `finish_reason` is 'stop' (end of text or a stop string), 'length'
    (max_new_tokens reached) or 'error' (then `error` says why and `text` is empty)."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"
    error: str | None = None
    attempts: int = 1
    extra: dict = field(default_factory=dict)


@runtime_checkable
class Backend(Protocol):
    """A model that turns prompts into completions."""

    name: str

    def generate(self, prompts: Sequence[str], settings: GenerationSettings) -> list[Completion]:
        """One completion per prompt, in order. Never raises for a single bad item: that
        item's Completion carries finish_reason='error'."""

    def fingerprint(self) -> str:
        """A stable id of exactly what answers: weights (and mask) for local models,
        endpoint + model + server-reported revision for remote ones."""


def truncate_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut text at the earliest stop string; (text, whether a stop string was found)."""
    cuts = [i for i in (text.find(s) for s in stop if s) if i >= 0]
    return (text[: min(cuts)], True) if cuts else (text, False)
