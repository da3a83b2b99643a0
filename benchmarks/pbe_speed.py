"""PBE rewrite cascades: generation speed by length, the reference synthesiser's solve rate
by length (the symbolic baseline models are compared with), and the worst verify time on
hostile responses.

    python benchmarks/pbe_speed.py [--items 30] [--solve-items 100] [--lengths 1-6]
                                   [--budget 20000] [--skip generate,solve,verify]

Generation counts everything stored per item: constructive build with the necessity check,
data-measured interactions, and the bounded search for a shorter equivalent cascade. The
solve table runs the synthesiser twice on the same items: proposing only the edits of one
difflib alignment (beam 8: the synthesiser before issue 18) and with the anchored
substring-pair proposals (the default).
"""

from __future__ import annotations

import argparse
import time

import reasoning
from reasoning.core import Instance
from solvers.rewrite import synthesize

INTERACTIONS = ("feeding", "bleeding", "counterfeeding", "counterbleeding")


def generation_table(items: int) -> None:
    """Items per second and the measured interactions, by cascade length."""
    print(
        f"{'length':>6} {'items/s':>8} {'ambiguous':>9} {'feeding':>8} {'bleeding':>8} "
        f"{'c-feed':>7} {'c-bleed':>7}"
    )
    for length in (5, 20, 30, 40):
        start = time.perf_counter()
        batch = reasoning.generate("pbe", items, 0, length=length)
        rate = len(batch) / (time.perf_counter() - start)
        mean = [sum(it.meta["interactions"][k] for it in batch) / len(batch) for k in INTERACTIONS]
        ambiguous = sum(it.meta["ambiguous"] for it in batch)
        print(f"{length:>6} {rate:>8.1f} {ambiguous:>9} " + " ".join(f"{m:>7.1f}" for m in mean))


def _solve(batch: list[Instance], length: int, budget: int, anchored: bool) -> tuple[int, float]:
    start = time.perf_counter()
    solved = 0
    for it in batch:
        examples = [(x, y) for x, y in it.meta["examples"]]
        beam = 16 if anchored else 8
        result = synthesize(examples, length + 2, beam=beam, budget=budget, anchored=anchored)
        solved += result.rules is not None
    return solved, (time.perf_counter() - start) / len(batch)


def solve_table(items: int, lengths: list[int], budget: int) -> None:
    """Solve rate of the reference synthesiser by gold cascade length."""
    print(f"reference synthesiser: budget {budget} evaluations, depth = gold length + 2")
    print(f"{'length':>6} {'one alignment':>14} {'s/item':>7} {'anchored pairs':>15} {'s/item':>7}")
    for length in lengths:
        batch = reasoning.generate("pbe", items, 1, length=length)
        old, old_s = _solve(batch, length, budget, anchored=False)
        new, new_s = _solve(batch, length, budget, anchored=True)
        print(
            f"{length:>6} {old:>6}/{items:<3} {old / items:>4.0%} {old_s:>7.3f} "
            f"{new:>7}/{items:<3} {new / items:>4.0%} {new_s:>7.3f}"
        )


def hostile_responses() -> dict[str, str]:
    """Responses of up to 100 KB built to be slow or large to read or to run."""
    grow = 'replace("a", "aaaa")\n'
    return {
        "10,000 x the same call": 'replace("a", "b")\n' * 10_000,
        "100 KB of [": "[" * 100_000,
        "nested ( )": "(" * 50_000 + ")" * 50_000,
        "100 KB of quotes": "\"'" * 50_000,
        "one 100 KB line": "a" * 100_000,
        "unclosed string of escapes": 'replace("a' + "\\\\" * 49_000,
        "100 KB replacement": 'replace("a", "' + "b" * 99_000 + '")',
        "NUL and surrogates": "\x00\ud800" * 50_000,
        "25,000 empty fences": "```\n" * 25_000,
        "250 x a -> aaaa": grow * 250,
        "quoted calls, 250 x": "[" + '\'replace("a", "aaaa")\', ' * 250 + "]",
    }


def verify_table() -> None:
    """Worst of 5 verify times per hostile response, on an item whose examples hold 'a'."""
    item = reasoning.generate("pbe", 1, 0, length=5, alphabet="ab", n_examples=200)[0]
    print("verify on hostile responses (200 examples, worst of 5 runs)")
    print(f"{'response':<28} {'ms':>7}  feedback")
    for name, text in hostile_responses().items():
        worst, verdict = 0.0, None
        for _ in range(5):
            start = time.perf_counter()
            verdict = reasoning.verify(item, text)
            worst = max(worst, time.perf_counter() - start)
        print(f"{name:<28} {1000 * worst:>7.1f}  {verdict.feedback[:60]}")


def _lengths(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=30, help="items per generation length")
    parser.add_argument("--solve-items", type=int, default=100, help="items per solve length")
    parser.add_argument("--lengths", default="1-6", help="gold lengths for the solve table")
    parser.add_argument("--budget", type=int, default=20_000, help="synthesiser evaluations")
    parser.add_argument("--skip", default="", help="comma-separated: generate,solve,verify")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    if "generate" not in skip:
        generation_table(args.items)
        print()
    if "solve" not in skip:
        solve_table(args.solve_items, _lengths(args.lengths), args.budget)
        print()
    if "verify" not in skip:
        verify_table()


if __name__ == "__main__":
    main()
