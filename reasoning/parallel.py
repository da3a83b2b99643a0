"""Process-parallel generation and re-checking.

Item i depends only on (family, knobs, seed, i), so index ranges can be made in separate
worker processes and put back in order: the output is byte for byte what one process
writes. Workers start with `spawn` (no forked solver or torch threads), and each keeps its
own solver contexts for the chunks it is given.

Chunks are submitted lazily, at most `window` (2 per worker) ahead of the one being
consumed, so memory does not grow with the number of items. Workers start with SIGINT
blocked and then ignore it: a Ctrl-C reaches the parent only, which stops the workers and
cleans up.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from reasoning.core import ConfigError, Instance
from reasoning.core.output import signals_deferred

T = TypeVar("T")
R = TypeVar("R")


def check_jobs(jobs: Any) -> int:
    """`jobs` if it is a positive integer, else ConfigError."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"jobs={jobs!r} must be a positive integer (worker processes)")
    return jobs


def available_cpus() -> int:
    """CPUs this process may run on (its affinity set where the platform tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def usable_jobs(jobs: Any) -> int:
    """`jobs` checked and capped at `available_cpus()` (more workers only add overhead)."""
    return min(check_jobs(jobs), available_cpus())


def iter_chunks(n: int, jobs: int, most: int = 256) -> Iterator[tuple[int, int]]:
    """(start, count) pieces of range(n), lazily: about four per worker (for even load and
    a live progress bar), at most `most` items each.

    >>> list(iter_chunks(10, 2))
    [(0, 2), (2, 2), (4, 2), (6, 2), (8, 2)]
    """
    size = max(1, min(most, -(-n // (4 * jobs))))
    return ((start, min(size, n - start)) for start in range(0, n, size))


def chunk_ranges(n: int, jobs: int, most: int = 256) -> list[tuple[int, int]]:
    """`iter_chunks` as a list."""
    return list(iter_chunks(n, jobs, most))


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _submit(pool: ProcessPoolExecutor, fn: Callable, task: Any) -> Future:
    """`pool.submit`, with Ctrl-C held back meanwhile: a worker it starts inherits the held
    SIGINT (a Ctrl-C while the worker imports cannot print a traceback from it), and the
    launch cannot be interrupted halfway. SIGTERM is not held: `_stop` relies on it."""
    with signals_deferred({signal.SIGINT}):
        return pool.submit(fn, task)


def _pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_ignore_sigint,
    )


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued work and end the workers now (their chunks are being thrown away)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
    else:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def ordered_map(submit: Callable[[T], Future[R]], tasks: Iterable[T], window: int) -> Iterator[R]:
    """Results of `submit(task)` in the tasks' order, with at most `window` tasks submitted
    whose results the caller has not yet taken; `tasks` is read lazily, as results are."""
    if window < 1:
        raise ValueError(f"window={window} must be >= 1")
    source = iter(tasks)
    pending: deque[Future[R]] = deque()
    for task in source:
        pending.append(submit(task))
        if len(pending) >= window:
            break
    while pending:
        yield pending.popleft().result()
        for task in source:  # the next task, once the caller has taken this result
            pending.append(submit(task))
            break


def pool_map(fn: Callable[[T], R], tasks: Iterable[T], jobs: int) -> Iterator[R]:
    """`fn` over `tasks` in `jobs` worker processes, results in order, two chunks per
    worker in flight. Leaving early (an exception, Ctrl-C, or closing the iterator) stops
    the workers at once."""
    pool = _pool(jobs)
    try:
        submit = functools.partial(_submit, pool, fn)
        yield from ordered_map(submit, tasks, 2 * jobs)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


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
    return generate_cells([(family, p, n) for p in points], seed, jobs)


def generate_cells(
    cells: Sequence[tuple[str, dict, int]], seed: int, jobs: int
) -> Iterator[Instance]:
    """The items of (family, knobs, n) cells, cell after cell, made by `jobs` worker
    processes of one pool: the same items, in the same order, as generating each cell."""
    jobs = usable_jobs(jobs)
    tasks = (
        (family, dict(point), seed, start, count)
        for family, point, n in cells
        for start, count in iter_chunks(n, jobs)
    )
    for items in pool_map(_generate_chunk, tasks, jobs):
        yield from items


_WORKER_CHECKS: dict[str, Any] = {}  # a worker's checking contexts, kept across its chunks


def _recheck_chunk(items: list[Instance]) -> list[list[str]]:
    from reasoning.api import recheck_with

    return list(recheck_with(items, _WORKER_CHECKS))


def recheck_parallel(instances: Sequence[Instance], jobs: int) -> Iterator[list[str]]:
    """`iter_recheck` over `jobs` worker processes, answers in the items' order."""
    jobs = usable_jobs(jobs)
    pieces = (instances[s : s + c] for s, c in iter_chunks(len(instances), jobs))
    for answers in pool_map(_recheck_chunk, pieces, jobs):
        yield from answers
