"""What a task family is: a Config dataclass, a generator, a verifier and a re-checker.

Each item draws from its own RNG, seeded by a hash of (family, knobs, seed, index), so item i
is the same whatever n is, and no two (seed, index) pairs share a stream (reasoning-gym's
seed + idx collision: seed 1 item 2 == seed 2 item 1).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from reasoning.core.types import Instance, Verdict


class Config(Protocol):
    """A family's frozen knob dataclass."""

    def validate(self) -> None:
        """Raise ConfigError naming the knob, its value and the allowed range."""


@dataclass(frozen=True)
class Family:
    """One registered task family.

    `generate(config, seed, n, start=0)` yields instances start..start+n-1;
    `verify(instance, response)` judges a model's text; `recheck(instance)` re-derives the
    gold label by a second, independent solver path and returns the list of disagreements
    (empty when the label holds).
    `labels` lists the closed answer set (None for open answers) used for label balance.
    `oracle(instance)` writes the gold answer as a response the verifier accepts (used by
    tests, demonstrations and the verifier loop). `checker()`, when set, returns a recheck
    function that keeps a context across items (a solver, parsed shapes), for re-checking
    many items at once; `recheck` must give the same answers item by item.

    What the harness groups by is declared here, not in generic modules: `tags` names the
    meta fields (string-valued) copied into verdicts and kept for grouping (`reasoning
    score`, `reasoning demos`); `cluster` names the meta field whose items share their
    errors (LogicAsker's `rule`, KGQA's topic entities), used by the paired statistics'
    clustered intervals, None when every item is its own cluster; `calibration` is the
    family's place among the default prune calibration families (1 first; None: not one);
    `explain(meta)`, when set, writes a one-line worked justification of an item's answer
    (used by `reasoning demos`). `worked(instance)`, when set, writes a full worked response
    (a derivation a small model can learn to write, then the answer) that the verifier
    accepts with full score; `reasoning train` teaches it instead of the bare `oracle`.
    """

    name: str
    summary: str
    config: type
    generate: Callable[..., Iterator[Instance]]
    verify: Callable[[Instance, str], Verdict]
    recheck: Callable[[Instance], list[str]]
    oracle: Callable[[Instance], str]
    labels: tuple[str, ...] | None = None
    version: str = "1"
    catalogue: tuple[tuple[str, tuple[str, ...]], ...] = ()  # e.g. (("rules", names),)
    checker: Callable[[], Callable[[Instance], list[str]]] | None = None
    tags: tuple[str, ...] = ()
    cluster: str | None = None
    calibration: int | None = None
    explain: Callable[[dict], str] | None = None
    worked: Callable[[Instance], str] | None = None

    def target(self, instance: Instance) -> str:
        """What a model is trained to write for `instance`: `worked`, else `oracle`."""
        return (self.worked or self.oracle)(instance)

    def cluster_of(self, instance: Instance) -> Any:
        """The hashable cluster label of an item (its `cluster` meta field, lists as
        tuples), or its id when the family declares none or the item lacks the field."""
        value = instance.meta.get(self.cluster) if self.cluster else None
        if isinstance(value, list):
            value = tuple(json.dumps(v, sort_keys=True) for v in value)
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = json.dumps(value, sort_keys=True)
        return instance.id if value is None else (self.cluster, value)


def _digest(family: str, knobs: dict[str, Any], seed: int, index: int) -> bytes:
    """sha256 of the compact, key-sorted JSON of [family, knobs, seed, index]."""
    knob_items = tuple(sorted(knobs.items()))
    try:
        return _item_digest(family, knob_items, seed, int(index))
    except TypeError:  # an unhashable knob value: no memo
        prefix = _run_prefix.__wrapped__(family, knob_items, seed)
        return hashlib.sha256(f"{prefix}{int(index)}]".encode()).digest()


@functools.lru_cache(maxsize=8)  # item_rng and instance_id of one item ask in turn
def _item_digest(family: str, knob_items: tuple, seed: int, index: int) -> bytes:
    prefix = _run_prefix(family, knob_items, seed)
    return hashlib.sha256(f"{prefix}{index}]".encode()).digest()


@functools.lru_cache(maxsize=256)
def _run_prefix(family: str, knob_items: tuple, seed: int) -> str:
    """The JSON of [family, knobs, seed, index] up to the index (the same for a whole run)."""
    text = json.dumps([family, dict(knob_items), seed], sort_keys=True, separators=(",", ":"))
    return text[:-1] + ","


def item_rng(family: str, knobs: dict[str, Any], seed: int, index: int) -> random.Random:
    """The private RNG of item `index` (independent of n and of every other item)."""
    return random.Random(int.from_bytes(_digest(family, knobs, seed, index), "big"))


def instance_id(family: str, knobs: dict[str, Any], seed: int, index: int) -> str:
    """A stable id: family name + hash of (family, knobs, seed, index)."""
    return f"{family}-{_digest(family, knobs, seed, index).hex()[:16]}"


def generate_items(
    config: Any,
    seed: int,
    n: int,
    make_item: Callable[[Any, dict, int, int], Instance],
    start: int = 0,
) -> Iterator[Instance]:
    """The generate loop every family shares: validate once, then items start..start+n-1,
    item i from make_item(config, knobs, seed, i), so item i never depends on n (and a
    range of items can be made anywhere, e.g. in another process)."""
    from reasoning.core.knobs import knob_values

    config.validate()
    knobs = knob_values(config)
    for index in range(start, start + n):
        yield make_item(config, knobs, seed, index)


def generate_batches(
    config: Any,
    seed: int,
    n: int,
    make_batch: Callable[[Any, dict, int, range], list[Instance]],
    start: int = 0,
    size: int = 256,
) -> Iterator[Instance]:
    """`generate_items` for a family that makes items a batch of indices at a time (each
    stage runs over the whole batch, so its code and data stay warm in the CPU caches;
    the cyclic garbage collector pauses while a batch is made, see `_gc_paused`).
    make_batch(config, knobs, seed, indices) returns the items for those indices, in order;
    item i must still depend only on (knobs, seed, i), never on the batch it falls in."""
    from reasoning.core.knobs import knob_values

    config.validate()
    knobs = knob_values(config)
    for first in range(start, start + n, size):
        with _gc_paused():
            batch = make_batch(config, knobs, seed, range(first, min(first + size, start + n)))
        yield from batch


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while one batch is made, as `timeit` does: a batch
    makes many short-lived containers that reference counting frees, so scans during it
    find next to nothing (LogicAsker: ~13% of its time); the few cycles are collected
    after. Off only inside the batch, never while the caller handles the items, and a
    collector that was off stays off."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def wants_yes(index: int, share: float) -> bool:
    """Whether item `index` should carry the 'yes' label for a target yes-share.

    A low-discrepancy schedule: every prefix of items has a yes-share within 1/len of
    `share`, and item i's target does not depend on n.
    """
    return int((index + 1) * share) > int(index * share)
