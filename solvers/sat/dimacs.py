"""DIMACS CNF: a small immutable `CNF` value, a tolerant reader and a canonical writer.

The reader accepts both SATLIB styles: `c` comment lines, a `%` trailer (everything after
it is ignored), extra spaces (`p cnf 20  91`), and clauses spread over or sharing lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Clause = tuple[int, ...]


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
    """Parse DIMACS CNF text. Raises DimacsError naming the line on malformed input."""
    plain = _read_plain(text)
    return plain if plain is not None else _read_general(text)


_SMALL_INTS = {str(i): i for i in range(-1000, 1001)}  # a dict lookup is 4x int(str)


def _read_plain(text: str) -> CNF | None:
    """The common case: the problem line first, then only literals and zeros. None for
    anything else (comments, a '%' trailer, a bad token, wrong counts), which the general
    reader then parses or rejects, naming the line."""
    head, _, body = text.partition("\n")
    parts = head.split()
    if len(parts) != 4 or parts[0] != "p" or parts[1] != "cnf":
        return None
    try:
        n_vars, n_clauses = int(parts[2]), int(parts[3])
        tokens = body.split()
        try:
            numbers = list(map(_SMALL_INTS.__getitem__, tokens))
        except KeyError:  # a literal beyond the table, or not a number
            numbers = list(map(int, tokens))
    except ValueError:
        return None
    if n_vars < 0 or (numbers and numbers[-1] != 0) or numbers.count(0) != n_clauses:
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


def _read_general(text: str) -> CNF:
    n_vars = n_clauses = None
    clauses: list[Clause] = []
    current: list[int] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("c"):
            continue
        if line.startswith("%"):
            break
        if line.startswith("p"):
            parts = line.split()
            if n_vars is not None:
                raise DimacsError(f"line {lineno}: second problem line")
            if len(parts) != 4 or parts[1] != "cnf":
                raise DimacsError(f"line {lineno}: expected 'p cnf VARS CLAUSES', got {line!r}")
            try:
                n_vars, n_clauses = int(parts[2]), int(parts[3])
            except ValueError:
                raise DimacsError(f"line {lineno}: counts must be integers: {line!r}") from None
            if n_vars < 0 or n_clauses < 0:
                raise DimacsError(f"line {lineno}: counts must be non-negative")
            continue
        if n_vars is None:
            raise DimacsError(f"line {lineno}: clause before the 'p cnf' line")
        lits = _literals(line, lineno)
        if lits and lits[-1] == 0 and not current and 0 not in lits[:-1]:
            if max(map(abs, lits)) <= n_vars:  # the common case: one whole clause per line
                clauses.append(tuple(lits[:-1]))
                continue
        for lit in lits:
            if lit == 0:
                clauses.append(tuple(current))
                current = []
            elif abs(lit) > n_vars:
                raise DimacsError(f"line {lineno}: literal {lit} exceeds {n_vars} variables")
            else:
                current.append(lit)
    if n_vars is None:
        raise DimacsError("no 'p cnf' problem line")
    if current:  # tolerate a last clause without its terminating 0
        clauses.append(tuple(current))
    if len(clauses) != n_clauses:
        raise DimacsError(f"header declares {n_clauses} clauses, found {len(clauses)}")
    return CNF(n_vars, tuple(clauses))


def _literals(line: str, lineno: int) -> list[int]:
    tokens = line.split()
    try:
        return [int(token) for token in tokens]
    except ValueError:
        for token in tokens:
            try:
                int(token)
            except ValueError:
                raise DimacsError(f"line {lineno}: {token!r} is not a literal") from None
        raise  # pragma: no cover - int() failed on the list but on no single token


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
