"""Random k-SAT sampling (the uniform fixed-clause-length model, with optional 2-SAT mix)."""

from __future__ import annotations

import functools
import itertools
import math
import random
from dataclasses import dataclass

from solvers.sat import CNF
from solvers.sat.truthtable import LIMIT as EXHAUSTIVE_LIMIT
from solvers.sat.truthtable import LiteralSets, literal_sets

TABLE_LIMIT = 50_000  # clause tables up to this size are enumerated once per sampler


class ClauseSampler:
    """Draws uniform random clauses: k distinct variables (2 with probability `mix_2sat`)
    in random order, each with a fair-coin sign.

    For small n every possible clause is listed once, in a fixed order, and a clause is one
    uniform index into that list (one random number); otherwise variables are drawn by
    rejection. Both give the same distribution; which one runs depends only on the knobs,
    so output stays deterministic.
    """

    def __init__(self, n_vars: int, k: int, mix_2sat: float) -> None:
        self.n_vars, self.k, self.mix_2sat = n_vars, k, mix_2sat
        widths = {k, 2} if mix_2sat > 0 else {k}
        self.tables = {w: _all_clauses(n_vars, w) for w in widths if w <= n_vars}

    def positions(self, rng: random.Random, n_clauses: int) -> list[int] | None:
        """Table positions of n_clauses uniform k-clauses (the draws `cnf` makes: one random
        number each), or None when no single clause table applies (a 2-SAT mix, large n).
        `clauses_at` turns them into clauses."""
        table = self.tables.get(self.k)
        if self.mix_2sat or table is None:
            return None
        # int(random() * size) per clause, looped in C (random() never returns the 2.0)
        draws = itertools.islice(iter(rng.random, 2.0), n_clauses)
        return list(map(math.floor, map(float(len(table)).__mul__, draws)))

    def clauses_at(self, positions: list[int]) -> tuple[tuple[int, ...], ...]:
        return tuple(map(self.tables[self.k].__getitem__, positions))

    def cnf(self, rng: random.Random, n_clauses: int) -> CNF:
        """One formula of n_clauses clauses. Cost: O(n_clauses) draws (O(n_clauses * k) by
        rejection for large n)."""
        picks = self.positions(rng, n_clauses)
        if picks is not None:
            return CNF(self.n_vars, self.clauses_at(picks))
        rand = rng.random
        clauses = []
        for _ in range(n_clauses):
            width = 2 if (self.mix_2sat > 0 and rand() < self.mix_2sat) else self.k
            table = self.tables.get(width)
            if table is not None:
                clauses.append(table[int(rand() * len(table))])
            else:
                clauses.append(_draw_clause(rng, self.n_vars, width))
        return CNF(self.n_vars, tuple(clauses))


@functools.lru_cache(maxsize=16)
def _all_clauses(n_vars: int, width: int) -> tuple[tuple[int, ...], ...] | None:
    """Every clause of `width` distinct variables in a fixed order: variables in
    permutation order, then signs with the last literal's varying fastest."""
    count = 2**width
    for i in range(width):
        count *= n_vars - i
    if count > TABLE_LIMIT:
        return None
    return tuple(
        clause
        for chosen in itertools.permutations(range(1, n_vars + 1), width)
        for clause in itertools.product(*[(v, -v) for v in chosen])
    )


def _draw_clause(rng: random.Random, n_vars: int, width: int) -> tuple[int, ...]:
    chosen: list[int] = []
    while len(chosen) < width:
        var = int(rng.random() * n_vars) + 1
        if var not in chosen:
            chosen.append(var)
    bits = rng.getrandbits(width)
    return tuple(v if (bits >> j) & 1 else -v for j, v in enumerate(chosen))


def random_ksat(rng: random.Random, n_vars: int, n_clauses: int, k: int, mix_2sat: float) -> CNF:
    """A uniform random CNF (see ClauseSampler; build one sampler to draw many formulas)."""
    return ClauseSampler(n_vars, k, mix_2sat).cnf(rng, n_clauses)


@dataclass(frozen=True)
class DrawTables:
    """What every item of a run draws from: the clause sampler and, for exhaustive
    evaluation (at most truthtable.LIMIT variables), each literal's and each table clause's
    satisfying-assignment set."""

    sampler: ClauseSampler
    sets: dict[int, int] | None
    masks: list[int] | None
    everything: int  # the set of all assignments

    @classmethod
    def of(cls, n_vars: int, k: int, mix_2sat: float) -> DrawTables:
        sets = _literal_sets(n_vars) if n_vars <= EXHAUSTIVE_LIMIT else None
        return cls(
            ClauseSampler(n_vars, k, mix_2sat),
            sets,
            clause_sets(n_vars, k) if sets is not None else None,
            (1 << (1 << n_vars)) - 1 if sets is not None else 0,
        )


@functools.lru_cache(maxsize=4)
def clause_sets(n_vars: int, k: int) -> list[int] | None:
    """For each clause of the sampler's k-clause table (same order), the set of assignments
    satisfying it; None when those sets would take more than ~16 MiB."""
    table = ClauseSampler(n_vars, k, 0.0).tables.get(k)
    if n_vars > EXHAUSTIVE_LIMIT or table is None or len(table) << n_vars > 1 << 27:
        return None
    sets = _literal_sets(n_vars)
    return [sets[clause] for clause in table]


@functools.lru_cache(maxsize=4)
def _literal_sets(n_vars: int) -> LiteralSets:
    """One table per variable count for the whole process: its clause sets stay warm
    across runs and chunks (the sets depend on nothing else)."""
    return literal_sets(n_vars)
