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
            if all(abs(lit) in assignment and assignment[abs(lit)] != (lit > 0) for lit in clause):
                return i
        return None

    def satisfied_by(self, assignment: dict[int, bool]) -> bool:
        """True iff every clause has a literal made true by the (partial) assignment."""
        return all(
            any(assignment.get(abs(lit)) == (lit > 0) for lit in clause) for clause in self.clauses
        )


def read_dimacs(text: str) -> CNF:
    """Parse DIMACS CNF text. Raises DimacsError naming the line on malformed input."""
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
    lines = [f"p cnf {cnf.n_vars} {len(cnf.clauses)}"]
    lines += [" ".join(str(lit) for lit in clause) + " 0" for clause in cnf.clauses]
    return "\n".join(lines) + "\n"
