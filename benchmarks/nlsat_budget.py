"""NLSat per-item generation time by size under the solver budget, and the default speed.

    python benchmarks/nlsat_budget.py [--n-vars 100 150 200 250 300] [--items 4]
                                      [--cap 300] [--speed-items 5000] [--repeats 3]

Table 1: for each n_vars at the default ratio (4.26), `--items` items (half satisfiable,
half not) generated in a fresh process with a `--cap` second wall clock: seconds per item,
the most CaDiCaL conflicts and DRUP lemmas of a kept item, and how the run ended (done,
the generator's error, or still running at the cap). Table 2: the default setting
(n_vars=10) generated and re-checked, best of `--repeats` fresh processes.
Point PYTHONPATH at another checkout to measure that one ("before" numbers).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def one_size(n_vars: int, items: int) -> dict:
    """Generate `items` items at n_vars in this process; timings and solver effort."""
    import reasoning
    from reasoning.core import ReasoningError

    start = time.perf_counter()
    try:
        made = reasoning.generate("nlsat", items, 0, n_vars=n_vars)
    except ReasoningError as exc:
        return {"seconds": time.perf_counter() - start, "ended": f"error: {exc}"}
    solver = [item.meta["solver"] for item in made]
    return {
        "seconds": time.perf_counter() - start,
        "ended": "done",
        "conflicts": max(s["conflicts"] for s in solver),
        "lemmas": max(s["proof_lemmas"] for s in solver),
    }


def default_speed(items: int) -> tuple[float, float]:
    """(generate, re-check) seconds for `items` default items in this process."""
    import reasoning
    from reasoning.api import iter_recheck

    start = time.perf_counter()
    made = reasoning.generate("nlsat", items, 0, n_vars=10)
    mid = time.perf_counter()
    if any(list(iter_recheck(made))):
        raise SystemExit("re-check failed")
    return mid - start, time.perf_counter() - mid


def _child(args: list[str], cap: float) -> dict | None:
    try:
        out = subprocess.run(
            [sys.executable, __file__, *args], capture_output=True, text=True, timeout=cap
        )
    except subprocess.TimeoutExpired:
        return None
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-vars", type=int, nargs="*", default=[100, 150, 200, 250, 300])
    parser.add_argument("--items", type=int, default=4)
    parser.add_argument("--cap", type=float, default=300.0)
    parser.add_argument("--speed-items", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", type=int, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--speed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(*args.one)))
        return
    if args.speed:
        print(json.dumps(default_speed(args.speed)))
        return
    if args.n_vars:
        print(f"NLSat, ratio 4.26, {args.items} items per size, cap {args.cap:g} s per size")
        print(f"{'n_vars':>6} {'s/item':>8} {'max conflicts':>14} {'max lemmas':>11}  ended")
    for n in args.n_vars:
        row = _child(["--one", str(n), str(args.items)], args.cap)
        if row is None:
            print(
                f"{n:>6} {'>' + format(args.cap / args.items, '.1f'):>8} {'':>14} {'':>11}  "
                f"still running at {args.cap:g} s"
            )
            continue
        per = row["seconds"] / args.items
        print(
            f"{n:>6} {per:>8.2f} {row.get('conflicts', ''):>14} {row.get('lemmas', ''):>11}"
            f"  {row['ended'][:110]}"
        )
    if args.speed_items:
        runs = [_child(["--speed", str(args.speed_items)], 600.0) for _ in range(args.repeats)]
        gen, check = min(r for r in runs if r is not None)
        print(
            f"\ndefault n_vars=10, {args.speed_items} items, best of {args.repeats}: "
            f"generate {gen:.2f} s ({args.speed_items / gen:,.0f}/s), "
            f"re-check {check:.2f} s ({args.speed_items / check:,.0f}/s)"
        )


if __name__ == "__main__":
    main()
