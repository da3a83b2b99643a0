"""Which items an evaluation asks: a suite file, command-line families, or a JSONL file.

A suite file is TOML: a default `n` and `seed`, then one `[[family]]` table per family with
its knob ladder (a list of values is a sweep, as `--set a=1,2` is):

    n = 20
    seed = 0

    [[family]]
    name = "nlsat"
    set = { n_vars = [3, 4, 6, 8] }

    [[family]]
    name = "logicasker"
    n = 40
    set = { steps = [1, 2, 3] }

Seeds must be evaluation seeds (below 2**40): the calibration and training ranges are the
suite's own (`reasoning.core.seeds`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reasoning.api import iter_generate_grid
from reasoning.core import ConfigError, DataError, Instance, read_jsonl
from reasoning.core.seeds import EVALUATION_SEED_LIMIT
from reasoning.registry import family_names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class FamilyPlan:
    """n items per knob setting of one family, from one seed."""

    name: str
    n: int
    seed: int
    sweep: dict[str, list[Any]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"family": self.name, "n": self.n, "seed": self.seed, "set": self.sweep}


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{what}={value!r} must be a non-negative integer")
    return value


def _seed(value: Any, what: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value < (EVALUATION_SEED_LIMIT)
    ):
        raise ConfigError(f"{what}={value!r}: evaluation seeds are integers in [0, 2**40)")
    return value


def plan_from_table(table: Mapping[str, Any], where: str = "suite") -> list[FamilyPlan]:
    """FamilyPlans from a parsed suite table (see the module docstring)."""
    unknown = set(table) - {"n", "seed", "family"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    n = _count(table.get("n", 20), f"{where}: n")
    seed = _seed(table.get("seed", 0), f"{where}: seed")
    families = table.get("family")
    if not isinstance(families, list) or not families:
        raise ConfigError(f"{where}: needs at least one [[family]] table")
    plans = []
    for i, entry in enumerate(families, 1):
        at = f"{where}: family #{i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ConfigError(f'{at}: needs name = "FAMILY"')
        if entry["name"] not in family_names():
            raise ConfigError(f"{at}: unknown family {entry['name']!r}")
        extra = set(entry) - {"name", "n", "seed", "set"}
        if extra:
            raise ConfigError(f"{at}: unknown key(s) {', '.join(sorted(extra))}")
        knobs = entry.get("set", {})
        if not isinstance(knobs, dict):
            raise ConfigError(f"{at}: set must be a table of knob = value or [values]")
        sweep = {k: list(v) if isinstance(v, list) else [v] for k, v in knobs.items()}
        plans.append(
            FamilyPlan(
                entry["name"],
                _count(entry.get("n", n), f"{at}: n"),
                _seed(entry.get("seed", seed), f"{at}: seed"),
                sweep,
            )
        )
    return plans


def read_suite(path: str | Path) -> list[FamilyPlan]:
    """FamilyPlans from a TOML suite file; DataError / ConfigError name the problem."""
    p = Path(path)
    try:
        table = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"cannot read suite {p}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{p}: not a valid TOML suite ({exc})") from None
    return plan_from_table(table, str(p))


def generate_plans(plans: Sequence[FamilyPlan]) -> list[Instance]:
    """Every plan's items, in plan order (knob validation errors name the family)."""
    items: list[Instance] = []
    for plan in plans:
        items.extend(iter_generate_grid(plan.name, plan.n, plan.seed, plan.sweep))
    return items


def read_items(path: str | Path) -> list[Instance]:
    """Pre-generated items from a JSONL file (must not be empty)."""
    items = read_jsonl(path)
    if not items:
        raise DataError(f"{path}: holds no items")
    return items
