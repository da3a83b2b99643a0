"""The outcome of one gold-free check (`reasoning.loop.checks.check`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSON = Any  # a JSON-serialisable value, as in reasoning.core.types


@dataclass(frozen=True)
class Check:
    """What the problem alone establishes about one response.

    `passed`: True established correct (or well-formed, where the family says so), False
    established wrong or invalid, None not decidable without the gold answer; `parsed`:
    what was read out of the response (None when nothing could be read); `feedback`: a
    short message a model can act on, which never quotes the gold answer.
    """

    passed: bool | None
    parsed: JSON
    feedback: str

    def to_dict(self) -> dict[str, JSON]:
        return {"passed": self.passed, "parsed": self.parsed, "feedback": self.feedback}
