"""The contract between the packages: one `Instance` per task item, one `Verdict` per answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = Any  # a JSON-serialisable value: None, bool, int, float, str, list, dict


@dataclass(frozen=True)
class Instance:
    """One task item, exactly as it is stored on one JSONL line.

    `hardness` holds the knob values that produced the item; `meta.formal` holds the
    solver-neutral formal form so that anyone can re-derive `answer` with another tool.
    """

    id: str
    family: str
    prompt: str
    answer: JSON
    hardness: dict[str, JSON]
    meta: dict[str, JSON] = field(default_factory=dict)

    def to_dict(self) -> dict[str, JSON]:
        """The JSON object of this instance, keys in contract order."""
        return {
            "id": self.id,
            "family": self.family,
            "prompt": self.prompt,
            "answer": self.answer,
            "hardness": self.hardness,
            "meta": self.meta,
        }


# Named scores, after inspect_ai's CORRECT / INCORRECT constants.
CORRECT = 1.0
INCORRECT = 0.0


@dataclass(frozen=True)
class Verdict:
    """The result of checking one response against one instance.

    `correct` is the headline judgement; `score` in [0, 1] may give partial credit;
    `parsed` is what was read out of the response (None when nothing could be parsed:
    "no answer", which `answered` tells apart from a wrong answer);
    `feedback` is a short human-readable reason usable as feedback to a model.
    """

    correct: bool
    score: float
    parsed: JSON
    feedback: str

    @property
    def answered(self) -> bool:
        """Whether an answer could be read at all (a wrong answer is answered; text with
        no readable answer is not)."""
        return self.parsed is not None

    def to_dict(self) -> dict[str, JSON]:
        return {
            "correct": self.correct,
            "score": self.score,
            "parsed": self.parsed,
            "feedback": self.feedback,
        }

    @classmethod
    def unparsed(cls, feedback: str) -> Verdict:
        """A verdict for a response from which no answer could be read."""
        return cls(correct=False, score=INCORRECT, parsed=None, feedback=feedback)
