"""Strict parsing of a model's cascade: a hand-written linear scanner, never `eval`.

Accepted shapes (whitespace free between tokens; `S` is a single- or double-quoted string
with backslash escapes, one line long):

    response   := [label (":" | "=")] cascade | "{" label ":" cascade [","] "}"
    label      := "programs" | S   (the string must read "programs")
    cascade    := (call [";"])+ | "[" [item ("," item)* [","]] "]"
    item       := call | "[" S "," S "]" | "(" S "," S ")" | S   (a quoted call)
    call       := "replace" "(" S "," S ")"

A quoted call is how PBEBench asks for and stores programs: `["replace('bc','dc')", ...]`
or `["replace(\\"aM\\", \\"eWS\\")"]`; its text, once unescaped, must be exactly one call.
Cost: O(len(response)) — one left-to-right pass with one token of lookahead, each quoted
call scanned once more; at most `MAX_RULES` rules are read before giving up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reasoning.core import fenced_blocks
from solvers.rewrite import Rule

MAX_RESPONSE_CHARS = 100_000
MAX_RULES = 256  # far above any gold cascade (length <= 40); bounds the work per response
MAX_BLOCKS = 8  # fenced blocks tried, from the last one back

_TOKEN = re.compile(r"(?P<space>\s+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[\[\](){},;:=])")
# A string's body up to (not including) its closing quote. Greedy and never failing, so the
# scan is one pass with no backtracking whether or not the closing quote is there.
_BODY = {q: re.compile(rf"[^{q}\\\n]*(?:\\.[^{q}\\\n]*)*") for q in "\"'"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_CLOSE = {"[": "]", "(": ")"}


class ResponseParseError(ValueError):
    """The response holds no cascade in an accepted shape."""


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code in "\\'\"":
        return code
    if code in _SIMPLE:
        return _SIMPLE[code]
    if len(code) > 1 and int(code[1:], 16) <= 0x10FFFF:
        return chr(int(code[1:], 16))
    raise ResponseParseError(f"unknown escape \\{code[:10]}")


def unquote(token: str) -> str:
    """The text of a quoted string token (its quotes stripped, JSON / Python escapes
    decoded). Rejects unknown escapes and lone surrogates, so a rule is always valid UTF-8."""
    text = _ESCAPE.sub(_unescape, token[1:-1])
    if _SURROGATE.search(text):  # join escaped pairs such as "\ud83d\ude00"; refuse lone ones
        try:
            text = text.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            raise ResponseParseError("a string holds a lone surrogate code point") from None
    return text


class _Scanner:
    """Tokens of one text, read left to right with one token of lookahead."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._tokens = self._scan()
        self.kind, self.value, self.pos = next(self._tokens)

    def _scan(self) -> Iterator[tuple[str, str, int]]:
        pos, end = 0, len(self.text)
        while pos < end:
            quote = self.text[pos]
            if quote in _BODY:
                close = _BODY[quote].match(self.text, pos + 1).end()
                if close == end or self.text[close] != quote:
                    yield "junk", quote, pos
                    return
                yield "string", self.text[pos : close + 1], pos
                pos = close + 1
                continue
            match = _TOKEN.match(self.text, pos)
            if match is None:
                yield "junk", self.text[pos], pos
                return
            if match.lastgroup != "space":
                yield str(match.lastgroup), match.group(), pos
            pos = match.end()
        yield "end", "", end

    def where(self, pos: int | None = None) -> str:
        """'line L, column C' of `pos` (default: the current token); O(pos), errors only."""
        pos = self.pos if pos is None else pos
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return f"line {line}, column {column}"

    def fail(self, wanted: str) -> ResponseParseError:
        if self.kind == "junk" and self.value in _BODY:
            return ResponseParseError(f"{self.where()}: a string is not closed on its line")
        shown = repr(self.value[:20]) if self.kind != "end" else "the end"
        return ResponseParseError(f"{self.where()}: expected {wanted}, found {shown}")

    def advance(self) -> str:
        value = self.value
        if self.kind not in ("end", "junk"):
            self.kind, self.value, self.pos = next(self._tokens)
        return value

    def accept(self, punct: str) -> bool:
        if self.kind == "punct" and self.value == punct:
            self.advance()
            return True
        return False

    def expect(self, punct: str) -> None:
        if not self.accept(punct):
            raise self.fail(repr(punct))

    def string(self) -> str:
        if self.kind != "string":
            raise self.fail("a quoted string")
        return unquote(self.advance())


def _call(scan: _Scanner) -> Rule:
    if scan.kind != "name" or scan.value != "replace":
        raise scan.fail("replace(")
    scan.advance()
    scan.expect("(")
    pattern = scan.string()
    scan.expect(",")
    replacement = scan.string()
    scan.expect(")")
    return pattern, replacement


def _quoted_call(scan: _Scanner) -> Rule:
    start = scan.pos
    try:
        inner = _Scanner(scan.string())
        rule = _call(inner)
        if inner.kind != "end":
            raise inner.fail("the end of the quoted call")
    except ResponseParseError as exc:
        raise ResponseParseError(f"{scan.where(start)}, in the quoted call: {exc}") from None
    return rule


def _item(scan: _Scanner) -> Rule:
    if scan.kind == "string":
        return _quoted_call(scan)
    if scan.kind == "punct" and scan.value in _CLOSE:
        close = _CLOSE[scan.advance()]
        pattern = scan.string()
        scan.expect(",")
        replacement = scan.string()
        scan.expect(close)
        return pattern, replacement
    return _call(scan)


def _checked(rules: list[Rule], scan: _Scanner) -> list[Rule]:
    if len(rules) > MAX_RULES:
        raise ResponseParseError(f"{scan.where()}: more than {MAX_RULES} rules")
    return rules


def _cascade(scan: _Scanner) -> list[Rule]:
    rules: list[Rule] = []
    if not scan.accept("["):
        while True:
            rules.append(_call(scan))
            scan.accept(";")
            if scan.kind != "name":
                return _checked(rules, scan)
            _checked(rules, scan)
    while not scan.accept("]"):
        rules.append(_item(scan))
        _checked(rules, scan)
        if not scan.accept(","):
            scan.expect("]")
            break
    return rules


def _label(scan: _Scanner) -> None:
    """Skip a leading `programs:` / `"programs":` / `programs =` label, if there is one."""
    where = scan.where()
    if scan.kind == "name" and scan.value != "replace":
        label = scan.advance()
    elif scan.kind == "string":
        label = scan.string()
    else:
        return
    if label.lower() != "programs":
        raise ResponseParseError(f"{where}: expected the label 'programs', found {label[:20]!r}")
    if not scan.accept("="):
        scan.expect(":")


def _rules(text: str) -> list[Rule]:
    scan = _Scanner(text)
    braced = scan.accept("{")
    if braced or scan.kind != "punct":
        _label(scan)
    rules = _cascade(scan)
    if braced:
        scan.accept(",")
        scan.expect("}")
    if scan.kind != "end":
        raise scan.fail("the end of the cascade")
    return rules


def parse_cascade(response: str) -> list[Rule]:
    """The cascade in a response: the last of the final `MAX_BLOCKS` fenced code blocks
    that parses, else the whole text. Raises ResponseParseError naming the position of the
    first problem. Cost: O(len(response))."""
    if len(response) > MAX_RESPONSE_CHARS:
        raise ResponseParseError(f"response longer than {MAX_RESPONSE_CHARS} characters")
    candidates = [*reversed(fenced_blocks(response)[-MAX_BLOCKS:]), response]
    problem = ""
    for text in candidates:
        try:
            return _rules(text)
        except ResponseParseError as exc:
            problem = problem or str(exc)
    raise ResponseParseError(
        f"no cascade found ({problem}); write one "
        'replace("pattern", "replacement") per line inside a ``` code block'
    )
