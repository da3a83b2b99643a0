"""Median solver effort vs clause/variable ratio for random 3-SAT (the phase transition).

    python benchmarks/nlsat_phase.py [--n-vars 50] [--samples 100]

Prints one row per alpha: P(SAT) and the median CaDiCaL conflicts and decisions. The hardest
region should sit near alpha ~ 4.26, where P(SAT) crosses 0.5.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from generators.nlsat.sampling import random_ksat
from solvers.sat import solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-vars", type=int, default=50)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    alphas = [2.0 + 0.25 * i for i in range(19)]  # 2.0 .. 6.5
    print(f"random 3-SAT, n_vars={args.n_vars}, {args.samples} formulas per alpha, cadical195")
    print(f"{'alpha':>6} {'P(SAT)':>7} {'median conflicts':>17} {'median decisions':>17}")
    peak = (0.0, -1.0)
    start = time.perf_counter()
    for alpha in alphas:
        rng = random.Random(f"{args.seed}-{alpha}")
        m = round(alpha * args.n_vars)
        results = [solve(random_ksat(rng, args.n_vars, m, 3, 0.0)) for _ in range(args.samples)]
        conflicts = statistics.median(r.stats["conflicts"] for r in results)
        decisions = statistics.median(r.stats["decisions"] for r in results)
        p_sat = sum(r.satisfiable for r in results) / len(results)
        peak = max(peak, (conflicts, alpha))
        print(f"{alpha:>6.2f} {p_sat:>7.2f} {conflicts:>17.1f} {decisions:>17.1f}")
    print(f"peak median conflicts at alpha={peak[1]:.2f} ({time.perf_counter() - start:.1f}s)")


if __name__ == "__main__":
    main()
