"""In-context demonstrations aimed at a model's weaknesses (LogicAsker's documented but
missing `get_weakness`): rank rules by failure rate in a verdicts file, then build worked
examples (premises, question, answer, the rule's one-line justification) for the weakest.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass

from reasoning.api import generate
from reasoning.core import ConfigError, DataError
from reasoning.core.io import iter_json_lines
from reasoning.registry import get_family


@dataclass(frozen=True)
class Weakness:
    rule: str
    failures: int
    total: int

    @property
    def failure_rate(self) -> float:
        return self.failures / self.total if self.total else 0.0


def rank_weaknesses(verdicts_path: str | os.PathLike[str]) -> list[Weakness]:
    """Rules by failure rate (highest first, then by count); needs verdicts written by
    `reasoning score`, which carry each item's rule."""
    failures: dict[str, int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    for where, record in iter_json_lines(verdicts_path):
        if not isinstance(record, dict) or "correct" not in record:
            raise DataError(f"{where}: not a verdict (expected 'correct')")
        rule = (record.get("tags") or {}).get("rule")
        if rule is None:
            continue
        totals[rule] += 1
        failures[rule] += not record["correct"]
    if not totals:
        raise DataError(f"{verdicts_path}: no verdict names a rule (score a LogicAsker file)")
    ranked = [Weakness(r, failures[r], totals[r]) for r in totals]
    return sorted(ranked, key=lambda w: (-w.failure_rate, -w.failures, w.rule))


def explain(meta: dict, family: str = "logicasker") -> str:
    """A one-line worked justification of an item's answer, by the family's own `explain`
    hook (LogicAsker's: by case kind); ConfigError for a family without one."""
    hook = get_family(family).explain
    if hook is None:
        raise ConfigError(f"family {family!r} has no worked explanations (try logicasker)")
    return hook(meta)


def build_demos(family: str, weaknesses: list[Weakness], k: int, seed: int) -> list[dict]:
    """k demonstrations, round-robin over the weak rules (those with any failure), from
    freshly generated items (a seed of their own, so they are not the test items)."""
    weak = [w for w in weaknesses if w.failures] or weaknesses
    demos: list[dict] = []
    round_ = 0
    while len(demos) < k:
        for w in weak:
            if len(demos) == k:
                break
            item = generate(family, round_ + 1, seed, rule=w.rule)[round_]
            demos.append(
                {
                    "rule": w.rule,
                    "failure_rate": round(w.failure_rate, 4),
                    "prompt": item.prompt,
                    "answer": item.answer,
                    "explanation": explain(item.meta, family),
                    "id": item.id,
                }
            )
        round_ += 1
    return demos
