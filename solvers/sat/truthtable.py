"""Exhaustive bit-parallel evaluation of a small CNF.

Assignment a (an integer, bit v-1 = value of variable v) is bit a of a 2^n-bit integer, so
one big-integer OR per literal and one AND per clause evaluate the formula on every
assignment at once. For n up to ~14 this decides satisfiability faster than creating a
solver, and the result is a certificate by exhaustion: every assignment was checked.

>>> from solvers.sat.dimacs import CNF
>>> satisfying_assignments(CNF(2, ((1, 2), (-1,))))  # only a = 0b10: x1 false, x2 true
4
>>> count_models(CNF(2, ((1, 2),)))
3
"""

from __future__ import annotations

from solvers.sat.dimacs import CNF

LIMIT = 14  # 2^14-bit integers: a few microseconds per operation


class LiteralSets(dict):
    """literal -> the set of assignments making it true; looked up with a clause (a tuple),
    the set making the clause true, computed on first use and kept (random formulas over
    few variables reuse a small set of clauses). Keeps at most ~16 MiB of clause sets."""

    def __init__(self, literals: dict[int, int]) -> None:
        super().__init__(literals)
        n_vars = len(literals) // 2
        self.clauses_kept = 0
        self.most_clauses = (1 << 27) // max(64, 1 << n_vars)  # 2^27 bits = 16 MiB

    def __missing__(self, clause: tuple[int, ...]) -> int:
        if not isinstance(clause, tuple):
            raise KeyError(clause)  # a literal beyond the formula's variables
        covered = 0
        for lit in clause:
            covered |= self[lit]
        if self.clauses_kept < self.most_clauses:
            self[clause] = covered
            self.clauses_kept += 1
        return covered


def literal_sets(n_vars: int) -> LiteralSets:
    """For every literal l of n_vars variables, the set of assignments making l true."""
    if not 0 <= n_vars <= 20:
        raise ValueError(f"exhaustive evaluation needs 0..20 variables, got {n_vars}")
    total = 1 << n_vars
    everything = (1 << total) - 1
    sets: dict[int, int] = {}
    for var in range(1, n_vars + 1):
        half = 1 << (var - 1)  # assignments repeat in runs of `half` with the bit off, then on
        pattern, width = ((1 << half) - 1) << half, 2 * half
        while width < total:
            pattern |= pattern << width
            width *= 2
        sets[var], sets[-var] = pattern, everything ^ pattern
    return LiteralSets(sets)


def satisfying_assignments(cnf: CNF, sets: dict[int, int] | None = None) -> int:
    """The set of satisfying assignments as a 2^n-bit integer (0 iff unsatisfiable).
    Cost: one big-integer operation per literal, 2^n bits each."""
    if sets is None:
        sets = literal_sets(cnf.n_vars)
    elif not isinstance(sets, LiteralSets):
        sets = LiteralSets(sets)
    acc = (1 << (1 << cnf.n_vars)) - 1
    for clause in cnf.clauses:
        acc &= sets[clause]
        if not acc:
            break
    return acc


def count_models(cnf: CNF) -> int:
    """Number of satisfying assignments over variables 1..n_vars."""
    return satisfying_assignments(cnf).bit_count()
