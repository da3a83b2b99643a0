"""Strategy specs: the text a user writes (`refine:2`, `best_of:4+refine:2`) and the
`Strategy` value `reasoning.loop.strategies.solve` runs.

Forms: `direct`; `refine:K`; `best_of:N`; `self_critique` or `self_critique:K`;
`formalize` or `formalize:N` (the model writes the problem's formal form, a solver answers,
N formalisations vote: `reasoning.loop.formalize`); and `best_of:N+refine:K` or
`formalize:N+refine:K` (the first part, then refine). K and N are integers in 1..16.
`direct` and `self_critique` (the no-solver control) stand alone; best_of and formalize
exclude each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reasoning.core import ConfigError

MAX_ROUNDS = 16
FORMS = (
    "direct, refine:K, best_of:N, self_critique[:K], formalize[:N], best_of:N+refine:K, "
    "formalize:N+refine:K (K, N in 1..16)"
)
_PART = re.compile(r"([a-z_]+)(?::([0-9]{1,6}))?")
_COUNTED = ("refine", "best_of", "self_critique", "formalize")
_BARE = ("self_critique", "formalize")  # a count of 1 may be left out
_FIRST = ("best_of", "formalize")  # parts that come before refine


@dataclass(frozen=True)
class Strategy:
    """What `solve` does: draw `best_of` samples (0: one plain proposal), then up to
    `refine` feedback rounds; or, with `critique` > 0, the no-solver control: that many
    self-review rounds and no check in the decision; or, with `formalize` > 0, that many
    formalisations decided by a solver, each repaired by up to `refine` feedback rounds,
    then a vote over the solver's answers.

    >>> parse_strategy("best_of:4+refine:2")
    Strategy(best_of=4, refine=2, critique=0, formalize=0)
    >>> str(parse_strategy("self_critique")), str(parse_strategy("formalize"))
    ('self_critique:1', 'formalize:1')
    >>> parse_strategy("formalize:3+refine:2").formalize
    3
    """

    best_of: int = 0
    refine: int = 0
    critique: int = 0
    formalize: int = 0

    def __str__(self) -> str:
        if self.critique:
            return f"self_critique:{self.critique}"
        parts = []
        if self.best_of:
            parts.append(f"best_of:{self.best_of}")
        if self.formalize:
            parts.append(f"formalize:{self.formalize}")
        if self.refine:
            parts.append(f"refine:{self.refine}")
        return "+".join(parts) or "direct"


def parse_strategy(text: str) -> Strategy:
    """The Strategy `text` names, or ConfigError naming the bad part and the allowed
    forms. Linear in the text."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"strategy {text!r} is empty; allowed: {FORMS}")
    counts: dict[str, int] = {}
    for part in text.strip().split("+"):
        name, count = _part(part.strip(), text)
        if name in counts or (name == "direct" and "direct" in counts):
            raise ConfigError(f"strategy {text!r}: {name!r} given twice; allowed: {FORMS}")
        if counts and (name in ("direct", "self_critique") or "self_critique" in counts):
            raise ConfigError(f"strategy {text!r}: {name!r} cannot be combined; allowed: {FORMS}")
        if name in _FIRST and "refine" in counts:
            raise ConfigError(f"strategy {text!r}: {name} comes before refine; allowed: {FORMS}")
        if name in _FIRST and any(first in counts for first in _FIRST):
            raise ConfigError(
                f"strategy {text!r}: best_of and formalize cannot be combined; allowed: {FORMS}"
            )
        counts[name] = count
    if "direct" in counts and len(counts) > 1:
        raise ConfigError(f"strategy {text!r}: 'direct' cannot be combined; allowed: {FORMS}")
    return Strategy(
        best_of=counts.get("best_of", 0),
        refine=counts.get("refine", 0),
        critique=counts.get("self_critique", 0),
        formalize=counts.get("formalize", 0),
    )


def _part(part: str, text: str) -> tuple[str, int]:
    """(name, count) of one '+'-separated part; ConfigError naming it if it is bad."""
    match = _PART.fullmatch(part)
    if match is None or match[1] not in ("direct", *_COUNTED):
        raise ConfigError(f"strategy {text!r}: unknown part {part!r}; allowed: {FORMS}")
    name, digits = match[1], match[2]
    if name == "direct":
        if digits is not None:
            raise ConfigError(f"strategy {text!r}: 'direct' takes no count; allowed: {FORMS}")
        return name, 0
    if digits is None:
        if name not in _BARE:
            raise ConfigError(f"strategy {text!r}: {part!r} needs a count; allowed: {FORMS}")
        return name, 1
    count = int(digits)
    if not 1 <= count <= MAX_ROUNDS:
        raise ConfigError(
            f"strategy {text!r}: {part!r} count {count} is not in 1..{MAX_ROUNDS}; allowed: {FORMS}"
        )
    return name, count
