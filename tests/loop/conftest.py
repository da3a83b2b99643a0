"""Loop fixtures: a scripted fake backend (no model needed) and the shared tiny model."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reasoning.models.base import Completion, GenerationSettings, Message
from tests.models.conftest import tiny_llama  # noqa: F401  (shared fixture)

Answerer = Callable[[list[Message], GenerationSettings, int], str]


class ScriptedBackend:
    """Answers each call from `answer(conversation, settings, call_index)` (or, given a
    list, from it in order, repeating its last entry); logs every call. Each completion
    reports 10 prompt tokens and 1 token per 4 characters."""

    name = "scripted"

    def __init__(self, answer: Answerer | Sequence[str]) -> None:
        if not callable(answer):
            script = list(answer)
            answer = lambda _c, _s, i: script[min(i, len(script) - 1)]  # noqa: E731
        self.answer = answer
        self.calls: list[tuple[list[Message], GenerationSettings]] = []

    def generate(self, prompts: Sequence[str], settings: GenerationSettings) -> list[Completion]:
        return self.chat([[{"role": "user", "content": p}] for p in prompts], settings)

    def chat(
        self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings
    ) -> list[Completion]:
        out = []
        for conversation in conversations:
            self.calls.append((list(conversation), settings))
            text = self.answer(list(conversation), settings, len(self.calls) - 1)
            out.append(Completion(text, 10, max(1, len(text) // 4)))
        return out

    def fingerprint(self) -> str:
        return "scripted"
