"""PBE rewrite cascades: generation speed by length, and the reference synthesiser's solve
rate by length (the symbolic baseline models are compared with).

    python benchmarks/pbe_speed.py [--items 30] [--budget 20000]

Generation counts everything stored per item: constructive build with the necessity check,
data-measured interactions, and the bounded search for a shorter equivalent cascade.
"""

from __future__ import annotations

import argparse
import time

import reasoning
from solvers.rewrite import synthesize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--budget", type=int, default=20_000, help="synthesiser evaluations")
    args = parser.parse_args()

    print(
        f"{'length':>6} {'items/s':>8} {'ambiguous':>9} {'feeding':>8} {'bleeding':>8} "
        f"{'c-feed':>7} {'c-bleed':>7}"
    )
    for length in (5, 20, 30, 40):
        start = time.perf_counter()
        items = reasoning.generate("pbe", args.items, 0, length=length)
        rate = len(items) / (time.perf_counter() - start)
        mean = {
            k: sum(it.meta["interactions"][k] for it in items) / len(items)
            for k in ("feeding", "bleeding", "counterfeeding", "counterbleeding")
        }
        ambiguous = sum(it.meta["ambiguous"] for it in items)
        print(
            f"{length:>6} {rate:>8.1f} {ambiguous:>9} {mean['feeding']:>8.1f} "
            f"{mean['bleeding']:>8.1f} {mean['counterfeeding']:>7.1f} "
            f"{mean['counterbleeding']:>7.1f}"
        )

    print()
    print(
        f"reference synthesiser (beam 8, budget {args.budget} evaluations, "
        "search depth = gold length + 2)"
    )
    print(f"{'length':>6} {'solved':>8} {'rate':>6} {'shorter than gold':>18} {'s/item':>7}")
    for length in (1, 2, 3, 5, 8, 12, 20, 30):
        items = reasoning.generate("pbe", args.items, 1, length=length)
        start = time.perf_counter()
        solved = shorter = 0
        for it in items:
            examples = [tuple(e) for e in it.meta["examples"]]
            result = synthesize(examples, length + 2, budget=args.budget)
            if result.rules is not None:
                solved += 1
                shorter += len(result.rules) < length
        took = (time.perf_counter() - start) / len(items)
        print(
            f"{length:>6} {solved:>5}/{len(items):<2} {solved / len(items):>6.2f} "
            f"{shorter:>18} {took:>7.3f}"
        )


if __name__ == "__main__":
    main()
