"""Verified items per second: NLSat and LogicAsker next to reasoning-gym's propositional_logic.

    pip install reasoning-gym   # the peer, for this benchmark only
    python benchmarks/generate_speed.py [--items 300] [--jobs 2]

Our rows count the whole pipeline per item: sample, certified solve (model check or DRUP
proof check), English rendering, parse back to the formula, and the independent second-path
re-check (`reasoning verify`, which shares each family's checking context across items).
The peer row only generates (it has no verifier of labels).
"""

from __future__ import annotations

import argparse
import time

from reasoning.api import iter_generate_grid, iter_recheck


def ours(family: str, items: int, jobs: int = 1, **knobs) -> float:
    start = time.perf_counter()
    sweep = {k: [v] for k, v in knobs.items()}
    generated = list(iter_generate_grid(family, items, 0, sweep, jobs))
    for item, problems in zip(generated, iter_recheck(generated, jobs), strict=True):
        if problems:
            raise SystemExit(f"recheck failed on {item.id}: {problems}")
    return items / (time.perf_counter() - start)


def peer(items: int) -> float | None:
    try:
        import reasoning_gym
    except ImportError:
        return None
    start = time.perf_counter()
    data = reasoning_gym.create_dataset("propositional_logic", size=items, seed=0)
    count = sum(1 for _ in data)
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument(
        "--jobs", type=int, default=1, help="also time ours with this many worker processes"
    )
    args = parser.parse_args()
    rows = [
        ("ours: nlsat n_vars=10 ratio=4.26 (+recheck)", ours("nlsat", args.items, n_vars=10)),
        ("ours: logicasker defaults (+recheck)", ours("logicasker", args.items)),
    ]
    if args.jobs > 1:
        rows += [
            (
                f"  same, {args.jobs} processes: nlsat",
                ours("nlsat", args.items, args.jobs, n_vars=10),
            ),
            (
                f"  same, {args.jobs} processes: logicasker",
                ours("logicasker", args.items, args.jobs),
            ),
        ]
    peer_rate = peer(args.items)
    print(f"{'generator':<48} {'items/s':>9} {'ratio vs peer':>14}")
    for name, rate in rows:
        ratio = f"{rate / peer_rate:.2f}" if peer_rate else "n/a"
        print(f"{name:<48} {rate:>9.1f} {ratio:>14}")
    if peer_rate is None:
        print("reasoning-gym not installed: pip install reasoning-gym to compare")
    else:
        name = "reasoning-gym propositional_logic (no checks)"
        print(f"{name:<48} {peer_rate:>9.1f} {'1.00':>14}")


if __name__ == "__main__":
    main()
