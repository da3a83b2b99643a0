"""Verified items per second: NLSat and LogicAsker next to reasoning-gym's propositional_logic.

    pip install reasoning-gym   # the peer, for this benchmark only
    python benchmarks/generate_speed.py [--items 2000 20000] [--jobs 2] [--repeats 3]

"generate" counts making the items with their certified labels: NLSat samples, decides,
certifies (model check, exhaustive evaluation or a checked DRUP proof), solves with CaDiCaL
for the stats, renders the English and writes DIMACS; LogicAsker builds the argument, asks
z3 whether the premises are consistent and what follows (once per argument shape: the
answer does not change when names are renamed), and writes the English, FOL and SMT-LIB2.
"+ re-check" adds `reasoning verify`'s independent second path: NLSat parses the English
back to a CNF, checks that it is meta.formal's (written to the same DIMACS text, or the
text read and compared), decides it with MiniSat and checks the witness; LogicAsker has
z3 read the SMT-LIB2 text, python-sat re-decide propositional items and the English parse
back to the stored formulas. Every run is timed in a fresh process, so it starts cold: no
solver answers carried over, and LogicAsker's first ~230 argument shapes (~0.2 s of z3)
weigh more in short runs.
The peer row only generates (it has no verifier of labels). Best of `--repeats` runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from reasoning.api import iter_generate_grid, iter_recheck


def ours(family: str, items: int, jobs: int = 1, **knobs) -> tuple[float, float]:
    """(seconds to generate, seconds to re-check) `items` items, timed in a fresh process
    (cold: no solver answers or parses remembered from an earlier run)."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(_timed, family, items, jobs, knobs).result()


def _timed(family: str, items: int, jobs: int, knobs: dict) -> tuple[float, float]:
    from reasoning.registry import get_family

    get_family(family)  # imports stay outside the clock, as the peer's import does
    start = time.perf_counter()
    sweep = {k: [v] for k, v in knobs.items()}
    generated = list(iter_generate_grid(family, items, 0, sweep, jobs))
    made = time.perf_counter()
    for item, problems in zip(generated, iter_recheck(generated, jobs), strict=True):
        if problems:
            raise SystemExit(f"recheck failed on {item.id}: {problems}")
    return made - start, time.perf_counter() - made


def peer(items: int) -> float | None:
    """Seconds for reasoning-gym to make `items` propositional_logic items (None if absent)."""
    try:
        import reasoning_gym
    except ImportError:
        return None
    start = time.perf_counter()
    data = reasoning_gym.create_dataset("propositional_logic", size=items, seed=0)
    count = sum(1 for _ in data)
    assert count == items
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--items", type=int, nargs="+", default=[2000, 20000], help="items per run (one table each)"
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="also time ours with this many worker processes"
    )
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    for n in args.items:
        table(n, args.jobs, args.repeats)


SETTINGS = [
    ("nlsat n_vars=10 ratio=4.26", "nlsat", {"n_vars": 10}),
    ("logicasker defaults", "logicasker", {}),
]


def table(n: int, jobs: int, repeats: int) -> None:
    runs: dict[tuple[str, int], list[tuple[float, float]]] = {}
    peer_times = []
    for _ in range(repeats):  # ours and the peer alternate, so drift hits both
        for procs in sorted({1, jobs}):
            for name, family, knobs in SETTINGS:
                runs.setdefault((name, procs), []).append(ours(family, n, procs, **knobs))
        seconds = peer(n)
        if seconds is not None:
            peer_times.append(seconds)
    peer_rate = n / min(peer_times) if peer_times else None
    rows = []
    for (name, procs), timings in runs.items():
        make, check = min(timings, key=sum)
        where = "" if procs == 1 else f", {procs} processes"
        rows.append((f"ours: {name}{where}: generate", n / make))
        rows.append((f"ours: {name}{where}: generate + re-check", n / (make + check)))
    width = max(len(name) for name, _ in rows) + 2
    print(f"{n} items per run, best of {repeats}")
    print(f"{'generator':<{width}} {'items/s':>9} {'ratio vs peer':>14}")
    for name, rate in rows:
        ratio = f"{rate / peer_rate:.2f}" if peer_rate else "n/a"
        print(f"{name:<{width}} {rate:>9.0f} {ratio:>14}")
    if peer_rate is None:
        print("reasoning-gym not installed: pip install reasoning-gym to compare")
    else:
        name = "reasoning-gym propositional_logic (no checks)"
        print(f"{name:<{width}} {peer_rate:>9.0f} {'1.00':>14}")
    print()


if __name__ == "__main__":
    main()
