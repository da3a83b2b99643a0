"""The public Python API: generate, verify, and knob sweeps.

Other tools rely on these names: `generate(family, n, seed, **knobs)`, `verify(instance,
response)`; `read_jsonl` / `write_jsonl` are re-exported from `reasoning.core`.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from reasoning.core import ConfigError, DataError, Instance, Verdict, build_config
from reasoning.core.answers import bound_response
from reasoning.parallel import check_jobs, generate_parallel, recheck_parallel
from reasoning.registry import get_family


def _check_counts(n: Any, seed: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ConfigError(f"n={n!r} must be a non-negative integer")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed={seed!r} must be an integer")


def iter_generate(family: str, n: int, seed: int = 0, **knobs: Any) -> Iterator[Instance]:
    """Lazily yield n instances of `family` with the given knobs (see `reasoning families`)."""
    _check_counts(n, seed)
    fam = get_family(family)
    config = build_config(fam.config, knobs)
    return fam.generate(config, seed, n)


def generate(family: str, n: int, seed: int = 0, **knobs: Any) -> list[Instance]:
    """n instances of `family`; same family, knobs and seed give the same instances, and
    item i does not depend on n.

    >>> items = generate("nlsat", 2, seed=7, n_vars=5)
    >>> [it.answer for it in items] == [it.answer for it in generate("nlsat", 2, seed=7, n_vars=5)]
    True
    """
    return list(iter_generate(family, n, seed, **knobs))


def knob_grid(sweep: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The cross product of knob value lists, in the order given (last knob varies fastest)."""
    names = list(sweep)
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(sweep[k] for k in names))
    ]


def iter_generate_grid(
    family: str, n: int, seed: int, sweep: Mapping[str, Sequence[Any]], jobs: int = 1
) -> Iterator[Instance]:
    """n instances per point of a knob grid (a hardness ladder), point after point.

    Every point is validated before the first item is generated, so a bad value fails fast.
    `jobs` > 1 makes them in that many worker processes; the items are the same, in the
    same order.
    """
    _check_counts(n, seed)
    check_jobs(jobs)
    fam = get_family(family)
    points = knob_grid(sweep)
    configs = [build_config(fam.config, point) for point in points]
    if jobs > 1:
        yield from generate_parallel(fam.name, n, seed, points, jobs)
        return
    for config in configs:
        yield from fam.generate(config, seed, n)


def verify(instance: Instance, response: str) -> Verdict:
    """Judge a model's response to an instance with its family's verifier. Never raises:
    malformed text, and an item whose fields are not what its family writes, give a
    Verdict with feedback. The family reads the response as `bound_response` leaves it
    (at most MAX_RESPONSE_CHARS characters, the tail kept; no surrogate code points), and
    the feedback says when it was cut."""
    if not isinstance(response, str):
        return Verdict.unparsed(f"response must be text, got {type(response).__name__}")
    text, note = bound_response(response)
    try:
        verdict = get_family(instance.family).verify(instance, text)
    except Exception as exc:  # noqa: BLE001 - the last guard: one item, never the run
        return Verdict.unparsed(f"could not check this item: {type(exc).__name__}: {exc}"[:500])
    if note is None:
        return verdict
    return dataclasses.replace(verdict, feedback=f"{note}; {verdict.feedback}")


def recheck(instance: Instance) -> list[str]:
    """Disagreements between the gold label and the family's second solver path."""
    return get_family(instance.family).recheck(instance)


def iter_recheck(instances: Iterable[Instance], jobs: int = 1) -> Iterator[list[str]]:
    """`recheck` for many items, in order, sharing each family's checking context (solver,
    parsed sentence shapes) across its items: the same answers, less work per item.
    `jobs` > 1 spreads the items over that many worker processes."""
    if check_jobs(jobs) > 1:
        yield from recheck_parallel(list(instances), jobs)
        return
    yield from recheck_with(instances, {})


def recheck_with(instances: Iterable[Instance], checks: dict[str, Any]) -> Iterator[list[str]]:
    """`iter_recheck` in this process, with `checks` holding each family's checking context
    (pass the same dict again to keep the contexts warm across batches). An item whose meta
    breaks its family's checker is reported as malformed."""
    for inst in instances:
        check = checks.get(inst.family)
        if check is None:
            fam = get_family(inst.family)
            check = checks[inst.family] = fam.checker() if fam.checker else fam.recheck
        try:
            yield check(inst)
        except DataError:
            raise  # data the items need (a graph file) is missing or changed: one line, exit 2
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            # a hand-edited or foreign item whose meta is not what its family writes: a
            # disagreement to report, not a crash that loses the rest of the run
            yield [f"malformed item ({type(exc).__name__}: {exc})"]
