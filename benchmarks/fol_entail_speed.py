"""FOL entail items per second: an older checkout of the generator against this one.

    git worktree add --detach /tmp/fol_old <older commit>
    python benchmarks/fol_entail_speed.py [--old /tmp/fol_old] [--repeats 3] [--scale 1]

Each run makes a config's items with `reasoning.generate` in a fresh process (one core,
imports outside the clock) whose `sys.path` starts with the tree being timed, so the older
checkout's `generators` and `solvers` are imported, not the editable install's; the run
reports which files it imported, and refuses to time a tree that is not the one asked for.
Old and new runs alternate (old, new, old, new, …) so that drift and a neighbour process
on the other core hit both; the table gives the median of `--repeats` runs and their
spread (min–max). Each tree must write the same JSONL on every one of its runs (its
sha256 is compared; the script stops if not: generation must be deterministic). Whether
the old and new trees write the same items is reported per config, not required: across
a generator version bump they may differ (FOL version 3 differs from 2 only on stories
where z3 gave up on a check); `meta.generator_version`, which a bump always changes, is
left out of the digest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

CONFIGS = [  # (label, seed, items at --scale 1, knobs)
    ("sentences=2", 0, 100, {"sentences": 2}),
    ("sentences=3", 1, 100, {"sentences": 3}),
    ("sentences=3 predicates=8 depth=2 vocab=7", 2, 60, {
        "sentences": 3, "predicates": 8, "depth": 2, "vocab": 7,
    }),
    # stories on which z3 sometimes gives up: where FOL version 3 may differ from 2
    ("sentences=4 quantifiers=2 predicates=3", 142, 40, {
        "sentences": 4, "quantifiers": 2, "depth": 1, "predicates": 3,
    }),
]  # fmt: skip

RUNNER = """
import io, json, sys, time
sys.path.insert(0, sys.argv[1])
import generators, reasoning, solvers
from reasoning.core.io import dump_jsonl
items, seed, knobs = int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
reasoning.generate("fol", 1, seed + 1, task="entail", **knobs)  # warm imports and z3
start = time.perf_counter()
made = reasoning.generate("fol", items, seed, task="entail", **knobs)
seconds = time.perf_counter() - start
for item in made:
    item.meta.pop("generator_version")  # the one field a version bump always changes
print(json.dumps({
    "seconds": seconds,
    "sha256": dump_jsonl(made, io.StringIO()),
    "imported": [generators.__file__, solvers.__file__],
}))
"""


def timed(tree: Path, items: int, seed: int, knobs: dict) -> tuple[float, str]:
    """(seconds, sha256 of the JSONL) for `items` entail items made by the code in `tree`."""
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(tree), str(items), str(seed), json.dumps(knobs)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"run in {tree} failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    for path in report["imported"]:
        if not Path(path).resolve().is_relative_to(tree.resolve()):
            raise SystemExit(f"the run for {tree} imported {path}: not the tree asked for")
    return report["seconds"], report["sha256"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, default=Path("/tmp/fol_old"), help="older checkout")
    parser.add_argument("--new", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--repeats", type=int, default=3, help="runs per tree and config")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the item counts")
    args = parser.parse_args()
    if not (args.old / "generators" / "fol" / "family.py").is_file():
        raise SystemExit(f"{args.old} is not a checkout: git worktree add --detach {args.old} …")
    head = "| config | items | old s (min–max) | new s (min–max) | old items/s | new items/s |"
    print(f"{head} speed-up | same items |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for label, seed, items, knobs in CONFIGS:
        n = max(1, round(items * args.scale))
        runs: dict[str, list[float]] = {"old": [], "new": []}
        digests: dict[str, set[str]] = {"old": set(), "new": set()}
        for _ in range(args.repeats):
            for name, tree in (("old", args.old), ("new", args.new)):
                seconds, digest = timed(tree, n, seed, knobs)
                runs[name].append(seconds)
                digests[name].add(digest)
        for name, seen in digests.items():
            if len(seen) != 1:
                raise SystemExit(f"{label}: the {name} tree's runs differ ({sorted(seen)})")
        same = "yes" if digests["old"] == digests["new"] else "no"
        old, new = statistics.median(runs["old"]), statistics.median(runs["new"])
        print(
            f"| {label}, seed {seed} | {n} | {old:.1f} ({min(runs['old']):.1f}–"
            f"{max(runs['old']):.1f}) | {new:.1f} ({min(runs['new']):.1f}–"
            f"{max(runs['new']):.1f}) | {n / old:.2f} | {n / new:.2f} | {old / new:.2f}× | {same} |"
        )
    print(
        f"\nmedian of {args.repeats} alternating runs per tree; each tree's JSONL sha256 the"
        " same on all its runs; 'same items': old and new JSONL byte-identical"
        " but for meta.generator_version"
    )


if __name__ == "__main__":
    main()
