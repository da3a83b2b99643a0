"""Strict parsing of a model's cascade: a lark grammar, never `eval`."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from lark import Lark, Token
from lark.exceptions import UnexpectedInput

from reasoning.core import fenced_blocks
from solvers.rewrite import Rule

MAX_RESPONSE_CHARS = 100_000


class ResponseParseError(ValueError):
    """The response holds no cascade in an accepted shape."""


@lru_cache(maxsize=1)
def _parser() -> Lark:
    text = resources.files("generators.pbe").joinpath("response.lark").read_text()
    return Lark(text, parser="lalr")


def _unquote(token: Token) -> str:
    raw = str(token)
    if raw.startswith('"'):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise ResponseParseError(f"bad escape in string {raw}") from None
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def _rules(text: str) -> list[Rule]:
    tree = _parser().parse(text)
    return [
        (_unquote(node.children[0]), _unquote(node.children[1]))
        for node in tree.iter_subtrees_topdown()
        if node.data in ("call", "pair")
    ]


def parse_cascade(response: str) -> list[Rule]:
    """The cascade in a response: the last fenced code block that parses, else the whole
    text. Raises ResponseParseError naming the position of the first problem."""
    if len(response) > MAX_RESPONSE_CHARS:
        raise ResponseParseError(f"response longer than {MAX_RESPONSE_CHARS} characters")
    candidates = [*reversed(fenced_blocks(response)), response]
    problem = ""
    for text in candidates:
        try:
            return _rules(text.strip())
        except UnexpectedInput as exc:
            problem = problem or f"line {exc.line}, column {exc.column}"
        except ResponseParseError as exc:
            problem = problem or str(exc)
    raise ResponseParseError(
        f"no cascade found ({problem}); write one "
        'replace("pattern", "replacement") per line inside a ``` code block'
    )
