"""Random k-SAT sampling (the uniform fixed-clause-length model, with optional 2-SAT mix)."""

from __future__ import annotations

import random

from solvers.sat import CNF


def random_ksat(rng: random.Random, n_vars: int, n_clauses: int, k: int, mix_2sat: float) -> CNF:
    """A uniform random CNF: each clause picks k distinct variables (2 with probability
    `mix_2sat`) and random signs. Cost: O(n_clauses * k)."""
    clauses = []
    for _ in range(n_clauses):
        width = 2 if (mix_2sat > 0 and rng.random() < mix_2sat) else k
        chosen = rng.sample(range(1, n_vars + 1), width)
        clauses.append(tuple(v if rng.random() < 0.5 else -v for v in chosen))
    return CNF(n_vars, tuple(clauses))
