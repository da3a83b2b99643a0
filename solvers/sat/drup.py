"""A forward DRUP proof checker (reverse unit propagation with two watched literals).

An UNSAT answer from a solver is trusted only when its DRUP proof checks here: every added
lemma must follow from the current clause set by unit propagation (RUP), and the empty
clause must be derived in the end. Deletions are honoured, except that what a deleted
clause already implied at the root stays implied (as drat-trim does with unit deletions):
every clause here follows from the formula, so this is sound. The root assignment is kept
between lemmas, so a lemma check propagates only its own assumptions. Cost: one unit
propagation per lemma, O(total watch visits).
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
    """The clause set and its root-level assignment: every literal unit propagation derives
    from the clauses alone, kept from one lemma check to the next (a lemma check only
    propagates its own assumptions and undoes them afterwards)."""

    def __init__(self, n_vars: int) -> None:
        self.n = n_vars
        # value of each literal: lv[lit] is 1 (true), -1 (false) or 0, with lit < 0 indexing
        # from the end (-1 is position 2n), so a lookup needs no abs() and no call
        self.lv = [0] * (2 * n_vars + 1)
        self.clauses: list[list[int]] = []
        self.alive: list[bool] = []
        self.watches: dict[int, list[int]] = {}
        self.index: dict[tuple[int, ...], list[int]] = {}
        self.trail: list[int] = []  # the root assignment, then a check's own literals
        self.conflict = False  # unit propagation at the root refutes the clause set

    def _grow(self, var: int) -> None:
        if var > self.n:
            old, n = self.lv, self.n
            self.lv = [0] * (2 * var + 1)
            for v in range(1, n + 1):
                self.lv[v], self.lv[-v] = old[v], old[-v]
            self.n = var

    def add(self, lits: Sequence[int]) -> None:
        """Add a clause, watching two literals not false at the root; a clause unit at the
        root extends the root assignment (and propagates it)."""
        clause = list(dict.fromkeys(lits))
        if any(-lit in clause for lit in clause):
            return  # tautology: always satisfied, never propagates
        for lit in clause:
            self._grow(abs(lit))
        if self.conflict:
            return
        clause.sort(key=lambda lit: self._value(lit) < 0)  # literals not false first
        if not clause or self._value(clause[0]) < 0:
            self.conflict = True  # empty, or every literal false at the root
            return
        if len(clause) == 1 or self._value(clause[1]) < 0:  # unit at the root
            if self._value(clause[0]) == 0:
                self._assign(clause[0])
                if self._propagate(len(self.trail) - 1):
                    self.conflict = True
                    return
            if len(clause) == 1:
                return
        ci = len(self.clauses)
        self.clauses.append(clause)
        self.alive.append(True)
        self.watches.setdefault(clause[0], []).append(ci)
        self.watches.setdefault(clause[1], []).append(ci)
        self.index.setdefault(tuple(sorted(clause)), []).append(ci)

    def delete(self, lits: Sequence[int]) -> None:
        """Drop a clause. What it already implied at the root stays (as in drat-trim): every
        clause here follows from the formula, so keeping its consequences is sound."""
        ids = self.index.get(tuple(sorted(dict.fromkeys(lits))))
        if ids:
            self.alive[ids.pop()] = False

    def _value(self, lit: int) -> int:
        return self.lv[lit]

    def _assign(self, lit: int) -> None:
        self.lv[lit], self.lv[-lit] = 1, -1
        self.trail.append(lit)

    def implies_conflict(self, assumptions: Iterable[int]) -> bool:
        """Does unit propagation from the root assignment plus `assumptions` reach a
        conflict? The assumptions and what they imply are undone afterwards."""
        if self.conflict:
            return True
        trail, lv = self.trail, self.lv
        mark = len(trail)
        try:
            for lit in assumptions:
                cur = lv[lit]
                if cur < 0:
                    return True
                if cur == 0:
                    self._assign(lit)
            return self._propagate(mark)
        finally:
            for lit in trail[mark:]:
                lv[lit] = lv[-lit] = 0
            del trail[mark:]

    def _propagate(self, head: int) -> bool:
        """Propagate the trail's literals from `head` on; True on a conflict."""
        lv, trail, clauses, alive, watches = (
            self.lv,
            self.trail,
            self.clauses,
            self.alive,
            self.watches,
        )
        while head < len(trail):
            false_lit = -trail[head]
            head += 1
            watching = watches.get(false_lit)
            if not watching:
                continue
            keep: list[int] = []
            conflict = False
            for pos, ci in enumerate(watching):
                if not alive[ci]:
                    continue  # drop dead clauses from the watch list lazily
                clause = clauses[ci]
                if clause[0] == false_lit:
                    clause[0], clause[1] = clause[1], clause[0]
                other = clause[0]
                if lv[other] > 0:
                    keep.append(ci)
                    continue
                for k in range(2, len(clause)):
                    if lv[clause[k]] >= 0:
                        clause[1], clause[k] = clause[k], clause[1]
                        watches.setdefault(clause[1], []).append(ci)
                        break
                else:
                    keep.append(ci)
                    if lv[other] < 0:
                        keep.extend(watching[pos + 1 :])
                        conflict = True
                        break
                    lv[other], lv[-other] = 1, -1
                    trail.append(other)
            watches[false_lit] = keep
            if conflict:
                return True
        return False


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
