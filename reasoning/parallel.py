"""Process-parallel generation and re-checking.

Item i depends only on (family, knobs, seed, i), so index ranges can be made in separate
worker processes and put back in order: the output is byte for byte what one process
writes. Workers start with `spawn` (no forked solver or torch threads), and each keeps its
own solver contexts for the chunks it is given.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from reasoning.core import ConfigError, Instance


def check_jobs(jobs: Any) -> int:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"jobs={jobs!r} must be a positive integer (worker processes)")
    return jobs


def chunk_ranges(n: int, jobs: int, most: int = 256) -> list[tuple[int, int]]:
    """(start, count) pieces of range(n): about four per worker (for even load and a live
    progress bar), at most `most` items each.

    >>> chunk_ranges(10, 2)
    [(0, 2), (2, 2), (4, 2), (6, 2), (8, 2)]
    """
    size = max(1, min(most, -(-n // (4 * jobs))))
    return [(start, min(size, n - start)) for start in range(0, n, size)]


def _pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


def _generate_chunk(task: tuple[str, dict, int, int, int]) -> list[Instance]:
    from reasoning.core import build_config
    from reasoning.registry import get_family

    family, point, seed, start, count = task
    fam = get_family(family)
    return list(fam.generate(build_config(fam.config, point), seed, count, start))


def generate_parallel(
    family: str, n: int, seed: int, points: Sequence[dict], jobs: int
) -> Iterator[Instance]:
    """n items per knob point, made by `jobs` worker processes, yielded in order."""
    tasks = [(family, dict(p), seed, s, c) for p in points for s, c in chunk_ranges(n, jobs)]
    with _pool(jobs) as pool:
        for items in pool.map(_generate_chunk, tasks):
            yield from items


_WORKER_CHECKS: dict[str, Any] = {}  # a worker's checking contexts, kept across its chunks


def _recheck_chunk(items: list[Instance]) -> list[list[str]]:
    from reasoning.api import recheck_with

    return list(recheck_with(items, _WORKER_CHECKS))


def recheck_parallel(instances: Sequence[Instance], jobs: int) -> Iterator[list[str]]:
    """`iter_recheck` over `jobs` worker processes, answers in the items' order."""
    pieces = [instances[s : s + c] for s, c in chunk_ranges(len(instances), jobs)]
    with _pool(jobs) as pool:
        for answers in pool.map(_recheck_chunk, pieces):
            yield from answers
