"""What every model backend offers: prompts or chat conversations in, completions out (and,
where possible, log-likelihoods of closed answers), with n reproducible samples per prompt
drawn through `sample_settings`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

from reasoning.core import ReasoningError

ROLES = ("system", "user", "assistant")
SAMPLE_SEED_BITS = 31  # a derived seed fits every API's seed field (some parse an int32)

Message = dict[str, str]


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
    chat: bool = True  # apply the model's chat template (when it has one)
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

    def chat(
        self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings
    ) -> list[Completion]:
        """One completion per conversation (a list of {"role": "system"|"user"|"assistant",
        "content": str}), in order: the next assistant turn. A malformed conversation raises
        BackendError (one line, see `check_conversations`) before anything is generated;
        after that, as `generate`, a failing item gets an error Completion. With
        `settings.chat` the model's chat template renders the turns; without it (or when
        the model has none) the contents are joined by blank lines (`plain_text`), so a
        one-user-message chat gives the same text as `generate` of that message."""

    def fingerprint(self) -> str:
        """A stable id of exactly what answers: weights (and mask) for local models,
        endpoint + model + server-reported revision for remote ones."""


def check_conversations(conversations: Sequence[Sequence[Message]]) -> list[list[Message]]:
    """The conversations as lists of {"role", "content"} dicts, or BackendError (one line)
    naming the first conversation and message at fault: a conversation must be a non-empty
    list of messages, a message a dict with exactly a role (system, user, assistant) and a
    text content."""
    if isinstance(conversations, (str, dict)):
        raise BackendError("conversations: must be a list of conversations (lists of messages)")
    checked = []
    for i, conversation in enumerate(conversations):
        if isinstance(conversation, (str, dict)) or not isinstance(conversation, Sequence):
            hint = " (chat takes a list of conversations)" if isinstance(conversation, dict) else ""
            raise BackendError(f"conversation {i}: must be a list of messages{hint}")
        if not conversation:
            raise BackendError(f"conversation {i}: has no messages")
        checked.append([_check_message(m, i, j) for j, m in enumerate(conversation)])
    return checked


def _check_message(message: object, i: int, j: int) -> Message:
    where = f"conversation {i}, message {j}"
    if not isinstance(message, dict):
        raise BackendError(f"{where}: must be a dict with a role and a content")
    extra = sorted(set(message) - {"role", "content"}, key=str)
    if extra:
        raise BackendError(f"{where}: unknown key {extra[0]!r} (only role and content)")
    role, content = message.get("role"), message.get("content")
    if role not in ROLES:
        raise BackendError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
    if not isinstance(content, str):
        raise BackendError(f"{where}: content must be a string (got {type(content).__name__})")
    return {"role": role, "content": content}


def plain_text(messages: Sequence[Message]) -> str:
    """A conversation as one plain prompt (for models without a chat template): the
    contents joined by blank lines."""
    return "\n\n".join(str(m.get("content", "")) for m in messages)


def sample_seed(seed: int, sample: int) -> int:
    """The seed of sample `sample` (0, 1, ...) drawn with base seed `seed`: `seed` itself for
    sample 0, else the first 4 bytes (big-endian) of sha256("sample:{seed}:{sample}"),
    keeping the low 31 bits. A hash, not `seed + sample`: seed 1 sample 2 and seed 2
    sample 1 are different draws.

    >>> sample_seed(7, 0)
    7
    >>> sample_seed(1, 2) != sample_seed(2, 1)
    True
    """
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
        raise BackendError(f"sample index {sample!r} must be an integer >= 0")
    if sample == 0:
        return seed
    digest = hashlib.sha256(f"sample:{seed}:{sample}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & ((1 << SAMPLE_SEED_BITS) - 1)


def sample_settings(settings: GenerationSettings, sample: int) -> GenerationSettings:
    """The settings that draw sample `sample` of a prompt: `settings` with the seed
    `sample_seed(settings.seed, sample)` (so sample 0 is `settings` itself). Greedy
    decoding (temperature 0) ignores seeds: its settings come back unchanged. n samples of
    a prompt are `[backend.generate([p], sample_settings(s, k))[0] for k in range(n)]`; the
    harness cache (`CachedBackend`, sample=k) does this and keys each by its index."""
    seed = sample_seed(settings.seed, sample)
    if settings.temperature == 0 or seed == settings.seed:
        return settings
    return replace(settings, seed=seed)


def truncate_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut text at the earliest stop string; (text, whether a stop string was found)."""
    cuts = [i for i in (text.find(s) for s in stop if s) if i >= 0]
    return (text[: min(cuts)], True) if cuts else (text, False)
