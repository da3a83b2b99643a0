"""Strict extraction of a closed answer (yes/no, True/False/Unknown) from model text.

No substring tricks: 'know' is not 'no', 'yesterday' is not 'yes'. The answer is read, in
order of preference, from an explicit marker ('Answer: yes', 'final answer is no'), from the
response's first word, or from a last line that is only the answer. A response that names
two different answers in the same position of preference is ambiguous and yields None.
"""

from __future__ import annotations

import re

_STRIP = " \t\r\n*_`'\".,;:!()[]"


def _word_pattern(choices: tuple[str, ...]) -> str:
    return "|".join(re.escape(c) for c in sorted(choices, key=len, reverse=True))


def extract_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The choice a response commits to (as spelled in `choices`), or None.

    >>> extract_choice("Let me think... Answer: No.", ("yes", "no"))
    'no'
    >>> extract_choice("I know it.", ("yes", "no")) is None
    True
    """
    lookup = {c.lower(): c for c in choices}
    words = _word_pattern(choices)
    marker = re.compile(
        rf"(?:final\s+answer|answer)\s*(?:is|:|=|-)?\s*[*_`\"'(\[]*\s*({words})\b",
        re.IGNORECASE,
    )
    found = [m.group(1).lower() for m in marker.finditer(text)]
    if found:
        return lookup[found[-1]]
    stripped = text.strip(_STRIP)
    first = re.match(rf"({words})\b", stripped, re.IGNORECASE)
    if first:
        return lookup[first.group(1).lower()]
    lines = [ln.strip(_STRIP) for ln in text.strip().splitlines() if ln.strip(_STRIP)]
    if lines and lines[-1].lower() in lookup:
        return lookup[lines[-1].lower()]
    return None


_FENCE = re.compile(r"```[^\n`]*\n(.*?)```", re.DOTALL)


def fenced_blocks(text: str) -> list[str]:
    """Contents of the ``` code blocks in a response, in order."""
    return _FENCE.findall(text)


def answer_hint(choices: tuple[str, ...]) -> str:
    """Feedback text for a response with no readable answer."""
    options = " or ".join(f"'Answer: {c}'" for c in choices)
    return f"no final answer found; end the response with {options}"
