"""Time `reasoning run` (the main job) end to end and print its survival table.

    python benchmarks/main_job.py                   # the embedded model, runs/bench-main
    python benchmarks/main_job.py --model DIR -n 2  # any arguments of `reasoning run`

The budget is 5 minutes on 2 CPU cores for the default command. The run uses a fresh output
directory and cache (removed first), so nothing is served from an earlier run; it then
times the same command again, which the cache should answer in seconds.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from reasoning.cli import main


def _timed(argv: list[str]) -> tuple[int, float]:
    started = time.perf_counter()
    code = main(argv)
    return code, time.perf_counter() - started


def run(extra: list[str]) -> int:
    """Fresh run, then the cached rerun; prints both times."""
    out = Path("runs/bench-main")
    if "-o" not in extra and "--output" not in extra:
        extra = [*extra, "-o", str(out)]
    target = Path(extra[extra.index("-o" if "-o" in extra else "--output") + 1])
    shutil.rmtree(target, ignore_errors=True)
    target.with_name(target.name + ".cache.sqlite").unlink(missing_ok=True)
    code, fresh = _timed(["run", "-q", *extra])
    if code:
        return code
    code, cached = _timed(["run", "-q", *extra])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"\nreasoning run {' '.join(extra)}: {fresh:.0f} s fresh, {cached:.0f} s from the "
        f"cache ({cores} cores; load average {os.getloadavg()[0]:.1f}; budget 300 s)"
    )
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
