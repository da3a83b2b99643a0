"""A forward DRUP proof checker (reverse unit propagation with two watched literals).

An UNSAT answer from a solver is trusted only when its DRUP proof checks here: every added
lemma must follow from the current clause set by unit propagation (RUP), deletions are
honoured (which can only make checking harder, never unsound), and the empty clause must be
derived in the end. Cost: one unit propagation per lemma, O(total watch visits).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ProofCheck:
    valid: bool
    lemmas: int
    deletions: int
    reason: str = ""


class _Database:
    def __init__(self, n_vars: int) -> None:
        self.n = n_vars
        self.val = [0] * (n_vars + 1)
        self.clauses: list[list[int]] = []
        self.alive: list[bool] = []
        self.watches: dict[int, list[int]] = {}
        self.units: dict[int, int] = {}  # literal -> multiplicity
        self.index: dict[tuple[int, ...], list[int]] = {}
        self.has_empty = False

    def _grow(self, var: int) -> None:
        if var > self.n:
            self.val.extend([0] * (var - self.n))
            self.n = var

    def add(self, lits: Sequence[int]) -> None:
        clause = list(dict.fromkeys(lits))
        if any(-lit in clause for lit in clause):
            return  # tautology: always satisfied, never propagates
        for lit in clause:
            self._grow(abs(lit))
        key = tuple(sorted(clause))
        if not clause:
            self.has_empty = True
        elif len(clause) == 1:
            self.units[clause[0]] = self.units.get(clause[0], 0) + 1
        else:
            ci = len(self.clauses)
            self.clauses.append(clause)
            self.alive.append(True)
            self.watches.setdefault(clause[0], []).append(ci)
            self.watches.setdefault(clause[1], []).append(ci)
            self.index.setdefault(key, []).append(ci)

    def delete(self, lits: Sequence[int]) -> None:
        clause = list(dict.fromkeys(lits))
        if len(clause) == 1:
            lit = clause[0]
            if self.units.get(lit, 0) > 1:
                self.units[lit] -= 1
            else:
                self.units.pop(lit, None)
            return
        ids = self.index.get(tuple(sorted(clause)))
        if ids:
            self.alive[ids.pop()] = False

    def _value(self, lit: int) -> int:
        v = self.val[abs(lit)]
        return v if lit > 0 else -v

    def implies_conflict(self, assumptions: Iterable[int]) -> bool:
        """Does unit propagation from the units plus `assumptions` reach a conflict?"""
        if self.has_empty:
            return True
        val = self.val
        trail: list[int] = []
        try:
            for lit in list(self.units) + list(assumptions):
                cur = self._value(lit)
                if cur < 0:
                    return True
                if cur == 0:
                    val[abs(lit)] = 1 if lit > 0 else -1
                    trail.append(lit)
            head = 0
            while head < len(trail):
                false_lit = -trail[head]
                head += 1
                watching = self.watches.get(false_lit)
                if not watching:
                    continue
                keep: list[int] = []
                conflict = False
                for pos, ci in enumerate(watching):
                    if not self.alive[ci]:
                        continue  # drop dead clauses from the watch list lazily
                    clause = self.clauses[ci]
                    if clause[0] == false_lit:
                        clause[0], clause[1] = clause[1], clause[0]
                    other = clause[0]
                    if self._value(other) > 0:
                        keep.append(ci)
                        continue
                    for k in range(2, len(clause)):
                        if self._value(clause[k]) >= 0:
                            clause[1], clause[k] = clause[k], clause[1]
                            self.watches.setdefault(clause[1], []).append(ci)
                            break
                    else:
                        keep.append(ci)
                        if self._value(other) < 0:
                            keep.extend(c for c in watching[pos + 1 :])
                            conflict = True
                            break
                        val[abs(other)] = 1 if other > 0 else -1
                        trail.append(other)
                self.watches[false_lit] = keep
                if conflict:
                    return True
            return False
        finally:
            for lit in trail:
                val[abs(lit)] = 0


def _parse_line(line: str | bytes) -> tuple[bool, list[int]]:
    if isinstance(line, bytes):
        line = line.decode()
    tokens = line.split()
    deletion = bool(tokens) and tokens[0] == "d"
    if deletion:
        tokens = tokens[1:]
    lits = [int(t) for t in tokens]
    if not lits or lits[-1] != 0:
        raise ValueError(f"proof line not terminated by 0: {line!r}")
    return deletion, lits[:-1]


def check_drup(
    n_vars: int, clauses: Iterable[Sequence[int]], proof: Iterable[str | bytes]
) -> ProofCheck:
    """Check a DRUP proof of unsatisfiability of `clauses`; never raises on a bad proof."""
    db = _Database(n_vars)
    for clause in clauses:
        db.add(clause)
    lemmas = deletions = 0
    try:
        for line in proof:
            if not str(line).strip():
                continue
            deletion, lits = _parse_line(line)
            if deletion:
                db.delete(lits)
                deletions += 1
                continue
            lemmas += 1
            if not db.implies_conflict([-lit for lit in lits]):
                return ProofCheck(False, lemmas, deletions, f"lemma {lemmas} {lits} is not RUP")
            db.add(lits)
            if not lits:
                return ProofCheck(True, lemmas, deletions)
    except ValueError as exc:
        return ProofCheck(False, lemmas, deletions, str(exc))
    if db.implies_conflict([]):
        return ProofCheck(True, lemmas, deletions)
    return ProofCheck(False, lemmas, deletions, "proof does not derive the empty clause")
