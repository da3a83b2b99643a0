"""Reading a model's KGQA response: the final answer line, its entity names, and the
(head, relation, tail) facts it cites.

Model output is hostile input: every function here is one left-to-right pass (no
backtracking regex, no recursion), so its cost is linear in the response length whatever
the text (long whitespace, many commas or markers, deep parentheses, lone surrogates, NUL).
"""

from __future__ import annotations

import re

MAX_CITED = 50  # cited facts checked per response (the rest are ignored)
MAX_ANSWER_CHARS = 20_000  # a longer answer line is not read (50 long names fit easily)
MAX_SHOWN = 80  # characters of a response fragment echoed in feedback

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")  # one class, no alternation: linear
# '(' then three comma-separated runs free of '(),' then ')': the runs cannot overlap and
# each match attempt starts at a '(' and stops at the next delimiter, so a scan is linear
_TRIPLE = re.compile(r"\(([^(),]*),([^(),]*),([^(),]*)\)")
_FLAT_SPLIT = re.compile(r"[;,]")
_DELIMITER = re.compile(r"[(),;]")


def normalise(name: str) -> str:
    """Lower case, every run of non-alphanumerics (underscores too) to one space.

    >>> normalise("  Body_Part, Organ or-Organ Component ")
    'body part organ or organ component'
    """
    return _NOT_ALNUM.sub(" ", name.lower()).strip()


def answer_line(response: str) -> str | None:
    """The last non-blank line starting with 'answer' (any case), else the last non-blank
    line, with a leading 'Answer:' / 'Answer -' removed; None for a blank response.

    >>> answer_line("thinking...\\nAnswer: a; b\\nthanks")
    'a; b'
    """
    last = final = None
    for raw in reversed(response.splitlines()):
        line = raw.strip()
        if not line:
            continue
        if last is None:
            last = line
        if line[:6].lower() == "answer":
            final = line
            break
    final = final if final is not None else last
    if final is None:
        return None
    if final[:6].lower() == "answer":
        final = final[6:].lstrip()
        if final[:1] in (":", "-"):
            final = final[1:]
    return final.strip()


def split_entities(line: str) -> list[str]:
    """Entity names on an answer line: split at ';' and at ',' outside parentheses,
    normalised, empties dropped, duplicates dropped (first occurrence kept).

    >>> split_entities("Paris; Lyon (France, city), Lyon (France, city); nice")
    ['paris', 'lyon france city', 'nice']
    """
    if "(" in line:
        pieces, start, depth = [], 0, 0
        for match in _DELIMITER.finditer(line):
            char = match.group()
            if char == "(":
                depth += 1
            elif char == ")":
                depth = max(depth - 1, 0)
            elif char == ";" or depth == 0:
                pieces.append(line[start : match.start()])
                start = match.end()
        pieces.append(line[start:])
    else:
        pieces = _FLAT_SPLIT.split(line)
    names = (normalise(p) for p in dict.fromkeys(pieces))
    return list(dict.fromkeys(n for n in names if n))


def cited_triples(response: str, limit: int = MAX_CITED) -> list[tuple[str, str, str]]:
    """The distinct '(head, relation, tail)' groups among the first `limit` in the response
    (no parenthesis inside and exactly two commas; a group with a blank part is skipped),
    parts stripped.

    >>> cited_triples("(a, r, b) and (x, y) then (c , s,d) (a,r,b)")
    [('a', 'r', 'b'), ('c', 's', 'd')]
    """
    found: dict[tuple[str, str, str], None] = {}
    for seen, parts in enumerate(_TRIPLE.finditer(response), 1):
        head, rel, tail = (p.strip() for p in parts.groups())
        if head and rel and tail:
            found.setdefault((head, rel, tail), None)
        if seen >= limit:
            break
    return list(found)


def shown(text: str) -> str:
    """A response fragment safe to echo in feedback: at most MAX_SHOWN characters, lone
    surrogates and control characters escaped."""
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN - 3] + "..."
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
