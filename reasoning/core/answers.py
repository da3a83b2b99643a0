"""Strict extraction of a closed answer (yes/no, True/False/Unknown) from model text.

No substring tricks: 'know' is not 'no', 'yesterday' is not 'yes'. The answer is read, in
order of preference, from an explicit marker ('Answer: yes', 'final answer is no'), from the
response's first word, or from a last line that is only the answer. A response that names
two different answers in the same position of preference is ambiguous and yields None.

Model text is hostile input: every reader here is linear in the length of the text (no
regular expression with two adjacent unbounded repeats that can split the same run), so a
pruned model's 100 KB of whitespace or a thousand repeated markers cost microseconds per
kilobyte, not minutes.
"""

from __future__ import annotations

import re
from functools import lru_cache

_STRIP = " \t\r\n*_`'\".,;:!()[]"

MAX_RESPONSE_CHARS = 100_000
"""Longest response a verifier reads; a longer one keeps its last MAX_RESPONSE_CHARS
characters (where the prompts ask for the final answer) and its verdict says it was cut."""
_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)  # str.translate table


def bound_response(text: str, limit: int = MAX_RESPONSE_CHARS) -> tuple[str, str | None]:
    """(the text a verifier reads, a note or None). Surrogate code points, which a broken
    decoder leaves and no UTF-8 file or solver accepts, become U+FFFD; text longer than
    `limit` characters is cut to its last `limit`, and the note says so.

    >>> bound_response("Answer: yes")
    ('Answer: yes', None)
    >>> bound_response("x" * 5 + "yes", limit=3)
    ('yes', 'response cut to its last 3 of 8 characters')
    """
    if len(text) > limit:
        note = f"response cut to its last {limit:,} of {len(text):,} characters"
        text = text[len(text) - limit :]
    else:
        note = None
    try:
        text.encode("utf-8")  # C speed; fails only where there is a surrogate
    except UnicodeEncodeError:
        text = text.translate(_SURROGATES)
    return text, note


@lru_cache(maxsize=32)
def _marker(choices: tuple[str, ...]) -> re.Pattern[str]:
    """'answer' (so also 'final answer'), spaces, an optional 'is' / ':' / '=' / '-',
    spaces, opening quotes, brackets or emphasis, spaces, then a whole choice word.

    Every run of spaces is `\\s*(?=\\S)`: it can only end at a non-space, so when the word
    is missing, backtracking tries each shorter run once at O(1) (two adjacent `\\s*` would
    try every split of the run: cubic on 'answer' + 2,000 spaces)."""
    words = "|".join(re.escape(c) for c in sorted(choices, key=len, reverse=True))
    return re.compile(
        rf"answer\s*(?=\S)(?:(?:is|:|=|-)\s*(?=\S))?[*_`\"'(\[]*\s*(?=\S)({words})\b",
        re.IGNORECASE,
    )


@lru_cache(maxsize=32)
def _first_word(choices: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(c) for c in sorted(choices, key=len, reverse=True))
    return re.compile(rf"({words})\b", re.IGNORECASE)


def extract_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The choice a response commits to (as spelled in `choices`), or None. Linear time.

    >>> extract_choice("Let me think... Answer: No.", ("yes", "no"))
    'no'
    >>> extract_choice("I know it.", ("yes", "no")) is None
    True
    """
    lookup = {c.lower(): c for c in choices}
    key = tuple(choices)
    found = _marker(key).findall(text) if "answer" in text.lower() else []
    if found:
        return lookup[found[-1].lower()]
    first = _first_word(key).match(text.strip(_STRIP))
    if first:
        return lookup[first.group(1).lower()]
    lines = [ln.strip(_STRIP) for ln in text.strip().splitlines() if ln.strip(_STRIP)]
    if lines and lines[-1].lower() in lookup:
        return lookup[lines[-1].lower()]
    return None


_FENCE_OPEN = re.compile(r"```[^\n`]*\n")


def fenced_blocks(text: str) -> list[str]:
    """Contents of the ``` code blocks in a response, in order. Linear time: each block
    is one search for its opening line and one `str.find` for its close, and a fence that
    is never closed ends the scan (where a lazy `.*?` would rescan the rest of the text
    from every unclosed fence).

    >>> fenced_blocks("Here:\\n```fol\\nP(a)\\n```\\nand ```\\nQ\\n```")
    ['P(a)\\n', 'Q\\n']
    """
    blocks: list[str] = []
    pos = 0
    while (opening := _FENCE_OPEN.search(text, pos)) is not None:
        close = text.find("```", opening.end())
        if close < 0:
            break  # nothing after this can close a block
        blocks.append(text[opening.end() : close])
        pos = close + 3
    return blocks


def answer_hint(choices: tuple[str, ...]) -> str:
    """Feedback text for a response with no readable answer."""
    options = " or ".join(f"'Answer: {c}'" for c in choices)
    return f"no final answer found; end the response with {options}"
