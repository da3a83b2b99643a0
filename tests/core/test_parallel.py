"""Bounded, ordered parallel map: memory independent of the number of chunks."""

from __future__ import annotations

from concurrent.futures import Future

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reasoning import parallel
from reasoning.core import ConfigError
from reasoning.parallel import iter_chunks, ordered_map, usable_jobs


class Ledger:
    """A fake executor: counts tasks drawn from the source, submitted, and results consumed."""

    def __init__(self) -> None:
        self.drawn = 0
        self.submitted = 0
        self.most_in_flight = 0
        self.consumed = 0

    def tasks(self, n: int):
        for i in range(n):
            self.drawn += 1
            yield i

    def submit(self, task: int) -> Future:
        self.submitted += 1
        self.most_in_flight = max(self.most_in_flight, self.submitted - self.consumed)
        future: Future = Future()
        future.set_result(task * task)
        return future


@given(n=st.integers(0, 300), window=st.integers(1, 9), stop=st.integers(0, 300))
def test_ordered_map_keeps_order_and_a_bounded_window(n, window, stop):
    ledger = Ledger()
    results = []
    for result in ordered_map(ledger.submit, ledger.tasks(n), window):
        ledger.consumed += 1
        results.append(result)
        assert ledger.submitted - ledger.consumed <= window
        assert ledger.drawn <= ledger.consumed + window
        if len(results) == stop:
            break
    assert results == [i * i for i in range(min(n, stop) if stop else n)]
    assert ledger.most_in_flight <= window


def test_ordered_map_reads_an_endless_task_source_lazily():
    ledger = Ledger()

    def endless():
        i = 0
        while True:
            ledger.drawn += 1
            yield i
            i += 1

    mapped = ordered_map(ledger.submit, endless(), window=4)
    assert [next(mapped) for _ in range(10)] == [i * i for i in range(10)]
    assert ledger.drawn <= 10 + 4


def test_ordered_map_rejects_an_empty_window():
    with pytest.raises(ValueError):
        list(ordered_map(Ledger().submit, iter([1]), 0))


@given(n=st.integers(0, 5000), jobs=st.integers(1, 16))
def test_chunks_cover_the_range_in_order(n, jobs):
    chunks = list(iter_chunks(n, jobs))
    assert [i for start, count in chunks for i in range(start, start + count)] == list(range(n))
    assert all(0 < count <= 256 for _, count in chunks)


def test_jobs_are_capped_at_the_cpus_available(monkeypatch):
    monkeypatch.setattr(parallel, "available_cpus", lambda: 3)
    assert usable_jobs(2) == 2
    assert usable_jobs(64) == 3
    for bad in (0, -1, True, 1.5, "2"):
        with pytest.raises(ConfigError):
            usable_jobs(bad)
