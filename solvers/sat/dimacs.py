"""DIMACS CNF: a small immutable `CNF` value, a strict linear-time reader and a canonical
writer.

The reader follows the SAT competition format as mature solvers read it (Kissat's
default mode): comment and blank lines before `p cnf VARS CLAUSES`; then literals, each
clause ended by `0`; a clause may span or share lines; `c` starts a comment up to the end
of its line anywhere in the body, also right after a literal (`1 c note`, `0c`); spaces,
tabs and CR LF line ends are whitespace. It also takes SATLIB's `%` trailer (a line
starting with `%` ends the formula). It rejects `-0`, `+1`, non-ASCII digits, a literal
beyond VARS, a last clause without its `0`, a clause count other than CLAUSES, and any
header claiming more than MAX_VARS variables or more clauses than the text after it could
hold, so a hostile header never makes anything allocate by its claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

Clause = tuple[int, ...]

# The most variables a DIMACS header may claim: engines and models allocate per variable,
# so a claim of 2*10^9 would cost tens of GB before the first clause. This suite's formulas
# have at most hundreds of variables; 2^20 leaves room for any formula of a sensible size.
MAX_VARS = 1 << 20


class DimacsError(ValueError):
    """Malformed DIMACS text; the message names the line."""


@dataclass(frozen=True)
class CNF:
    """A formula in conjunctive normal form over variables 1..n_vars.

    >>> cnf = CNF(2, ((1, -2), (2,)))
    >>> cnf.satisfied_by({1: True, 2: True})
    True
    """

    n_vars: int
    clauses: tuple[Clause, ...]

    @classmethod
    def of(cls, n_vars: int, clauses: Sequence[Sequence[int]]) -> CNF:
        return cls(n_vars, tuple(tuple(c) for c in clauses))

    def first_falsified(self, assignment: dict[int, bool]) -> int | None:
        """Index of the first clause every literal of which is false, else None.

        A clause with an unassigned literal is not falsified.
        """
        for i, clause in enumerate(self.clauses):
            for lit in clause:
                value = assignment.get(lit if lit > 0 else -lit)
                if value is None or value == (lit > 0):
                    break  # unassigned or true: not falsified
            else:
                return i
        return None

    def satisfied_by(self, assignment: dict[int, bool]) -> bool:
        """True iff every clause has a literal made true by the (partial) assignment."""
        for clause in self.clauses:
            for lit in clause:
                if assignment.get(lit if lit > 0 else -lit) == (lit > 0):
                    break
            else:
                return False
        return True


def read_dimacs(text: str) -> CNF:
    """Parse DIMACS CNF text. Raises DimacsError naming the line on malformed input.

    Cost: linear in len(text); nothing is allocated by what the header claims (the claims
    are checked against MAX_VARS and against the text that follows, before any clause).
    """
    head = _header(text)
    plain = _plain_body(head, text)
    return plain if plain is not None else _general_body(head, text)


class _Header(NamedTuple):
    n_vars: int
    n_clauses: int
    lineno: int  # the problem line's number
    end: int  # offset of the first character after the problem line


_PROBLEM = re.compile(r"p[ \t]+cnf[ \t]+([0-9]+)[ \t]+([0-9]+)[ \t]*\r?")
_COUNT_DIGITS = 20  # counts are checked against small bounds; longer digit strings are junk


def _header(text: str) -> _Header:
    """The problem line, after any comment or blank lines; its claims bounded."""
    lineno, start = 1, 0
    while start < len(text):
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        line = text[start:stop]
        stripped = line.strip(" \t\r")
        if stripped.startswith("p"):
            return _problem_line(line, lineno, stop + 1, len(text))
        if stripped and not stripped.startswith("c"):
            if stripped[0] == "-" or stripped[0].isdigit():
                raise DimacsError(f"line {lineno}: clause before the 'p cnf' line")
            raise DimacsError(f"line {lineno}: expected a 'c' comment or the 'p cnf' line")
        lineno, start = lineno + 1, stop + 1
    raise DimacsError("no 'p cnf' problem line")


def _problem_line(line: str, lineno: int, end: int, size: int) -> _Header:
    match = _PROBLEM.fullmatch(line.strip(" \t"))
    if match is None:
        shown = line if len(line) <= 60 else line[:60] + "..."
        raise DimacsError(f"line {lineno}: expected 'p cnf VARS CLAUSES', got {shown!r}")
    if max(len(match[1]), len(match[2])) > _COUNT_DIGITS:
        raise DimacsError(f"line {lineno}: counts in the 'p cnf' line are too large")
    n_vars, n_clauses = int(match[1]), int(match[2])
    if n_vars > MAX_VARS:
        raise DimacsError(
            f"line {lineno}: header claims {n_vars} variables; at most {MAX_VARS} are read"
        )
    room = (max(0, size - end) + 1) // 2  # each clause takes at least '0' and a separator
    if n_clauses > room:
        raise DimacsError(
            f"line {lineno}: header claims {n_clauses} clauses but the text after it "
            f"holds at most {room}"
        )
    return _Header(n_vars, n_clauses, lineno, min(end, size))


_SMALL_INTS = {str(i): i for i in range(-1000, 1001)}  # a dict lookup is 4x int(str)
_PLAIN_BODY = re.compile(r"[0-9 \n-]*")  # no comments, tabs, carriage returns or trailer
_LITERAL = re.compile(r"-[1-9][0-9]*|[0-9]+")  # no '-0', no '+', no '_', ASCII digits only
_LITERAL_DIGITS = 20


def _number(token: str) -> int | None:
    """The integer a clause token spells under the DIMACS grammar, else None."""
    if len(token) > _LITERAL_DIGITS or _LITERAL.fullmatch(token) is None:
        return None
    return int(token)


def _plain_body(head: _Header, text: str) -> CNF | None:
    """The common case: after the problem line only literals, zeros, spaces and newlines.
    None for anything else (comments, a '%' trailer, a bad token, wrong counts), which the
    general reader then parses or rejects, naming the line."""
    n_vars, n_clauses = head.n_vars, head.n_clauses
    if _PLAIN_BODY.fullmatch(text, head.end) is None:
        return None
    tokens = text[head.end :].split()
    try:
        numbers = list(map(_SMALL_INTS.__getitem__, tokens))
    except KeyError:  # a literal beyond the table, or not a literal
        numbers = list(map(_number, tokens))
        if None in numbers:
            return None
    if (numbers and numbers[-1] != 0) or numbers.count(0) != n_clauses:
        return None
    if numbers and (max(numbers) > n_vars or -min(numbers) > n_vars):
        return None
    if n_clauses and len(numbers) % n_clauses == 0:  # every clause of one width w:
        step = len(numbers) // n_clauses  # zeros at w, 2w+1, ... (and only there: counted)
        if step > 1 and not any(numbers[step - 1 :: step]):
            columns = [numbers[j::step] for j in range(step - 1)]
            return CNF(n_vars, tuple(zip(*columns, strict=True)))
    clauses = []
    start = 0
    for end, number in enumerate(numbers):
        if number == 0:
            clauses.append(tuple(numbers[start:end]))
            start = end + 1
    return CNF(n_vars, tuple(clauses))


_NOT_BODY = re.compile(r"[^0-9 \t-]")


def _general_body(head: _Header, text: str) -> CNF:
    """Clauses after the problem line, SAT-competition style plus SATLIB's quirks: a clause
    may span or share lines, 'c' starts a comment up to the end of its line anywhere (also
    right after a literal: '1 c note', '0c'), tabs and CR LF line ends are whitespace, and a
    line starting with '%' ends the formula (SATLIB's trailer)."""
    n_vars, n_clauses = head.n_vars, head.n_clauses
    clauses: list[Clause] = []
    current: list[int] = []
    lineno = last = head.lineno
    for lineno, raw in enumerate(text[head.end :].split("\n"), head.lineno + 1):
        cut = raw.find("c")
        line = raw[:cut] if cut >= 0 else raw.removesuffix("\r")
        if line.lstrip(" \t").startswith(("%", "p")):
            if line.lstrip(" \t")[0] == "p":
                raise DimacsError(f"line {lineno}: second problem line")
            break
        if _NOT_BODY.search(line):
            raise DimacsError(f"line {lineno}: {_bad_token(line)}")
        for token in line.split():
            lit = _SMALL_INTS.get(token)
            if lit is None:
                lit = _number(token)
                if lit is None:
                    raise DimacsError(f"line {lineno}: {token!r} is not a literal")
            if lit == 0:
                if len(clauses) == n_clauses:
                    raise DimacsError(f"line {lineno}: more clauses than the {n_clauses} declared")
                clauses.append(tuple(current))
                current = []
            elif lit > n_vars or -lit > n_vars:
                raise DimacsError(f"line {lineno}: literal {lit} exceeds {n_vars} variables")
            else:
                current.append(lit)
                last = lineno
    if current:
        raise DimacsError(f"line {last}: the last clause is not terminated by 0")
    if len(clauses) != n_clauses:
        raise DimacsError(f"header declares {n_clauses} clauses, found {len(clauses)}")
    return CNF(n_vars, tuple(clauses))


def _bad_token(line: str) -> str:
    """Why a clause line with a character outside digits, '-', space and tab is rejected."""
    if "\r" in line:
        return "carriage return not followed by a newline"
    for token in line.split():
        if _NOT_BODY.search(token):
            return f"{token[:40]!r} is not a literal"
    bad = _NOT_BODY.search(line)
    return f"unexpected character {bad[0] if bad else '?'!r}"


def write_dimacs(cnf: CNF) -> str:
    """Canonical DIMACS text: header line, one clause per line, newline-terminated."""
    if len(_LINES) > _LINES_LIMIT:
        _LINES.clear()
    body = "".join(map(_LINES.__getitem__, cnf.clauses))
    return f"p cnf {cnf.n_vars} {len(cnf.clauses)}\n{body}"


class _ClauseLines(dict):
    """clause -> its DIMACS line, written on first use (random formulas over few variables
    reuse a small set of clauses)."""

    def __missing__(self, clause: Clause) -> str:
        self[clause] = line = " ".join(map(str, clause)) + " 0\n"
        return line


_LINES = _ClauseLines()
_LINES_LIMIT = 1 << 20
