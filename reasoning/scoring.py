"""Score a file of model responses against a file of instances.

Responses are JSONL lines `{"id": ..., "response": "..."}`. Every instance gets a verdict:
a missing response is an unanswered item (scored 0 with feedback), never silently dropped.
"""

from __future__ import annotations

import json
import math
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from reasoning.api import verify
from reasoning.core import DataError, Instance, UnknownFamilyError, Verdict
from reasoning.core.io import iter_json_lines
from reasoning.registry import get_family

# every family's declared tags together (each family copies its own: Family.tags)
TAGS = ("rule", "kind", "logic", "task", "grammar")


def read_responses(path: str | os.PathLike[str]) -> dict[str, str]:
    """id -> response text from a responses JSONL file; DataError on malformed lines."""
    responses: dict[str, str] = {}
    for where, record in iter_json_lines(path):
        if not isinstance(record, dict) or "id" not in record or "response" not in record:
            raise DataError(f"{where}: expected an object with 'id' and 'response'")
        if not isinstance(record["id"], str):
            raise DataError(f"{where}: 'id' must be a string")
        if record["response"] is not None and not isinstance(record["response"], str):
            raise DataError(f"{where}: 'response' must be a string or null")
        if record["id"] in responses:
            raise DataError(f"{where}: duplicate response for id {record['id']!r}")
        responses[record["id"]] = record["response"] or ""
    return responses


def wilson_interval(successes: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (95 % by default)."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Row:
    group: str
    n: int
    answered: int
    correct: int
    mean_score: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0


def varying_knobs(instances: Sequence[Instance]) -> list[str]:
    """Knob names whose values differ between instances (the file's hardness ladder)."""
    values: dict[str, set[str]] = defaultdict(set)
    for inst in instances:
        for name, value in inst.hardness.items():
            values[name].add(json.dumps(value, sort_keys=True))
    return sorted(name for name, seen in values.items() if len(seen) > 1)


def score_all(
    instances: Sequence[Instance], responses: dict[str, str]
) -> tuple[list[dict], list[Row], list[str]]:
    """(verdict records, summary rows [overall first, then per family x hardness], unknown ids)."""
    known = {inst.id for inst in instances}
    unknown = sorted(set(responses) - known)
    ladder = varying_knobs(instances)
    groups: dict[str, list[tuple[Verdict, bool]]] = defaultdict(list)
    records = []
    for inst in instances:
        answered = inst.id in responses
        if answered:
            verdict = _verify_one(inst, responses[inst.id])
        else:
            verdict = Verdict.unparsed("no response for this id")
        tags = item_tags(inst)
        records.append({"id": inst.id, "family": inst.family, "tags": tags, **verdict.to_dict()})
        key = " ".join([inst.family] + [f"{k}={inst.hardness.get(k)}" for k in ladder])
        groups["overall"].append((verdict, answered))
        groups[key].append((verdict, answered))
    rows = [_row(name, items) for name, items in groups.items()]
    return records, rows, unknown


def item_tags(instance: Instance) -> dict[str, str]:
    """The string-valued meta fields the item's family declares as tags (`Family.tags`)."""
    try:
        names = get_family(instance.family).tags
    except UnknownFamilyError:
        return {}
    return {k: instance.meta[k] for k in names if isinstance(instance.meta.get(k), str)}


def _verify_one(instance: Instance, response: str) -> Verdict:
    """The family's verdict, or an "internal error" verdict for this item alone if the
    verifier raises (one hostile response never costs the other items their verdicts)."""
    try:
        return verify(instance, response)
    except Exception as exc:  # noqa: BLE001 - any verifier failure is this item's verdict
        return Verdict.unparsed(f"internal error while verifying: {type(exc).__name__}")


def _row(group: str, items: list[tuple[Verdict, bool]]) -> Row:
    n = len(items)
    return Row(
        group=group,
        n=n,
        answered=sum(1 for _, a in items if a),
        correct=sum(1 for v, _ in items if v.correct),
        mean_score=sum(v.score for v, _ in items) / n if n else 0.0,
    )


def format_table(rows: Sequence[Row]) -> str:
    """A plain-text table: group, n, answered, accuracy with 95 % Wilson interval, score."""
    header = f"{'group':<40} {'n':>6} {'answered':>8} {'accuracy':>8} {'95% CI':>15} {'score':>6}"
    lines = [header, "-" * len(header)]
    for row in rows:
        lo, hi = wilson_interval(row.correct, row.n)
        lines.append(
            f"{row.group:<40} {row.n:>6} {row.answered:>8} {row.accuracy:>8.3f} "
            f"{f'[{lo:.3f}, {hi:.3f}]':>15} {row.mean_score:>6.3f}"
        )
    return "\n".join(lines)
