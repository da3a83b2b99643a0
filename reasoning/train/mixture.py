"""What the embedded model is trained and held-out-tested on: parts of (family, knobs,
share), drawn from the seed range reserved for training; held-out items come from the
evaluation range (and, for KGQA, from a graph the model never trained on).

A part's knob may list values (`nlsat:n_vars=3+4+5`): the part splits evenly over the
cross product. A part may show each of its items several times (`fol:task=entail@0.25x3`:
a third as many distinct items, each seen three times), for a family whose certified items
are slow to make; pruning calibration always draws distinct items. The default mixture
spans every hardness level the model is tested on, so its capacity is used (a model with
room to spare hides pruning damage).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from reasoning.api import iter_generate
from reasoning.core import ConfigError, Instance, build_config
from reasoning.core.knobs import knob_table, parse_knob_value
from reasoning.core.seeds import EVALUATION_SEED_LIMIT, training_seed
from reasoning.parallel import generate_cells, usable_jobs
from reasoning.registry import family_names, get_family

# the seed of the held-out items: an evaluation seed, one `reasoning run` (seed 0) doesn't use
HELDOUT_EVAL_SEED = 1
# KGQA trains over graphs other than the default one (kg_seed 0), which it is tested on
KG_TRAINING_SEEDS = tuple(range(1, 25))


@dataclass(frozen=True)
class Part:
    """A share of the training items: one family, knob values (a list splits the part);
    `repeat` > 1 shows each distinct item that many times in training."""

    family: str
    knobs: dict[str, Any] = field(default_factory=dict)
    share: float = 1.0
    repeat: int = 1

    def points(self) -> list[dict[str, Any]]:
        """The knob dicts this part covers (the cross product of listed values)."""
        names = list(self.knobs)
        lists = [v if isinstance(v, (list, tuple)) else [v] for v in self.knobs.values()]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*lists)]

    def label(self) -> str:
        knobs = ",".join(f"{k}={_show(v)}" for k, v in self.knobs.items())
        name = f"{self.family}:{knobs}" if knobs else self.family
        return f"{name} x{self.repeat}" if self.repeat > 1 else name


def _show(value: Any) -> str:
    return "+".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


# family -> (training parts, held-out ladder: knob dicts the accuracy table reports)
DEFAULTS: dict[str, tuple[tuple[Part, ...], tuple[dict[str, Any], ...]]] = {
    "logicasker": (
        (Part("logicasker", {"steps": 1}, 0.38), Part("logicasker", {"steps": [2, 3]}, 0.24)),
        ({"steps": 1}, {"steps": 2}, {"steps": 3}),
    ),
    "nlsat": (
        (Part("nlsat", {"n_vars": [3, 4]}, 0.40),),
        ({"n_vars": 3}, {"n_vars": 4}, {"n_vars": 5}, {"n_vars": 4, "ratio": 6.0}),
    ),
    "kgqa": (
        (Part("kgqa", {"hops": [1, 2], "kg_seed": list(KG_TRAINING_SEEDS)}, 0.25),),
        ({"hops": 1}, {"hops": 2}),
    ),
    "fol": (
        (Part("fol", {"task": "entail", "sentences": [2, 3]}, 0.38, repeat=4),),
        ({"task": "entail", "sentences": 2}, {"task": "entail", "sentences": 3}),
    ),
}
# the shipped model's recipe: the two families a few-million-parameter model learns on 2
# CPU cores in under 30 minutes (NLSat's worked tables and KGQA's names it does not)
DEFAULT_FAMILIES = ("logicasker", "fol")


def parse_part(text: str) -> Part:
    """'FAMILY[:KNOB=V[+V...],...][@SHARE[xREPEAT]]' -> Part; ConfigError naming what is
    wrong.

    >>> parse_part("nlsat:n_vars=3+4@0.5")
    Part(family='nlsat', knobs={'n_vars': [3, 4]}, share=0.5, repeat=1)
    >>> parse_part("fol:task=entail@0.25x3").repeat
    3
    """
    body, _, share_text = text.partition("@")
    share_text, x, repeat_text = share_text.partition("x")
    if x and not (
        repeat_text.isascii() and repeat_text.isdigit() and 1 <= int(repeat_text) <= 1000
    ):
        raise ConfigError(f"part {text!r}: repeat {repeat_text!r} is not a whole number 1..1000")
    repeat = int(repeat_text) if x else 1
    name, _, knob_text = body.partition(":")
    name = name.strip()
    if name not in family_names():
        raise ConfigError(f"part {text!r}: unknown family {name!r} ({', '.join(family_names())})")
    try:
        share = float(share_text) if share_text else 1.0
    except ValueError:
        raise ConfigError(f"part {text!r}: share {share_text!r} is not a number") from None
    if not (share > 0 and math.isfinite(share)):
        raise ConfigError(f"part {text!r}: share must be a positive number")
    fam = get_family(name)
    table = {k.name: k for k in knob_table(fam.config)}
    knobs: dict[str, Any] = {}
    for item in filter(None, (s.strip() for s in knob_text.split(","))):
        key, eq, value = (s.strip() for s in item.partition("="))
        if not eq:
            raise ConfigError(f"part {text!r}: {item!r} is not KNOB=VALUE")
        if key not in table:
            raise ConfigError(f"part {text!r}: unknown knob {key!r} ({', '.join(table)})")
        values = [parse_knob_value(table[key], v) for v in value.split("+")]
        knobs[key] = values if len(values) > 1 else values[0]
    part = Part(name, knobs, share, repeat)
    for point in part.points():
        build_config(fam.config, point).validate()
    return part


def default_parts(families: list[str]) -> list[Part]:
    """The default training parts of the named families (ConfigError for one without)."""
    parts = []
    for name in families:
        if name not in DEFAULTS:
            raise ConfigError(
                f"no default training mixture for {name!r}; known: {', '.join(DEFAULTS)} "
                "(or give --part FAMILY:KNOB=V,...)"
            )
        parts.extend(DEFAULTS[name][0])
    return parts


def heldout_ladder(families: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """(family, knobs) of every held-out accuracy cell, in table order."""
    return [(f, dict(k)) for f in families if f in DEFAULTS for k in DEFAULTS[f][1]]


def allocate(parts: list[Part], total: int) -> list[tuple[str, dict[str, Any], int]]:
    """(family, knobs, count) per point: `total` items split by share, then evenly over a
    part's points (largest remainders, so the counts add up exactly)."""
    return [(f, k, n) for f, k, n, _ in _allocate(parts, total)]


def _allocate(parts: list[Part], total: int) -> list[tuple[str, dict[str, Any], int, int]]:
    """`allocate`'s cells with each part's repeat."""
    cells = []
    weight = sum(p.share for p in parts)
    for part in parts:
        points = part.points()
        for knobs in points:
            cells.append((part, knobs, total * part.share / weight / len(points)))
    counts = [math.floor(c[2]) for c in cells]
    order = sorted(range(len(cells)), key=lambda i: counts[i] - cells[i][2])
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return [(p.family, k, n, p.repeat) for (p, k, _), n in zip(cells, counts, strict=True)]


def training_items(
    parts: list[Part], total: int, seed: int, progress=None, jobs: int = 1
) -> list[Instance]:
    """`total` items drawn from the training seed range (`training_seed(seed)`), in a
    deterministic interleaving of the parts (item order is fixed by the seed); a part with
    a repeat contributes each of its distinct items that many times (the last pass cut
    short where the count is not a multiple)."""
    return mixture_items(parts, total, training_seed(seed), seed, progress, jobs, repeats=True)


def mixture_items(
    parts: list[Part],
    total: int,
    item_seed: int,
    order_seed: int,
    progress=None,
    jobs: int = 1,
    repeats: bool = False,
) -> list[Instance]:
    """`total` items of the parts, generated with `item_seed` and shuffled by `order_seed`
    (training draws from the training range; pruning calibration from its own range).
    `jobs` > 1 generates in that many worker processes: the same items. `repeats` honours
    the parts' repeats (`progress` then counts distinct items made)."""
    import random

    cells = _allocate(parts, total)
    distinct = [(f, k, -(-n // r) if repeats else n) for f, k, n, r in cells]
    if usable_jobs(jobs) > 1:
        made = generate_cells(distinct, item_seed, jobs)
    else:
        made = (it for f, knobs, n in distinct for it in iter_generate(f, n, item_seed, **knobs))
    if progress is not None and hasattr(progress, "total"):
        progress.total = sum(m for _, _, m in distinct)  # a bar counts the items made
    items: list[Instance] = []
    for (_, _, n, _), (_, _, m) in zip(cells, distinct, strict=True):
        cell = []
        for item in itertools.islice(made, m):
            cell.append(item)
            if progress is not None:
                progress.update(1)
        items.extend(itertools.islice(itertools.cycle(cell), n))
    random.Random(order_seed).shuffle(items)
    return items


def recorded_parts(record: dict) -> list[Part]:
    """The training parts a `training.json` record names (its explicit parts, else its
    families' defaults); ConfigError when the record does not describe a mixture."""
    config = record.get("config") if isinstance(record, dict) else None
    if not isinstance(config, dict):
        raise ConfigError("training record has no config")
    explicit = config.get("parts") or []
    families = config.get("families") or []
    if not all(isinstance(v, list) and all(isinstance(x, str) for x in v)
               for v in (explicit, families)):  # fmt: skip
        raise ConfigError("training record's parts/families are not lists of strings")
    parts = resolve_parts(explicit, families)
    if not parts:
        raise ConfigError("training record names no parts and no families")
    return parts


def resolve_parts(part_texts, families) -> list[Part]:
    """Explicit parts ('FAMILY:KNOB=V@SHARE') when any are given, else the families'
    default mixtures: what `reasoning train` trains on, and what its record describes."""
    return [parse_part(p) for p in part_texts] or default_parts(list(families))


def heldout_items(
    families: list[str], per_cell: int, seed: int = HELDOUT_EVAL_SEED
) -> list[tuple[str, dict[str, Any], list[Instance]]]:
    """`per_cell` evaluation-range items for every held-out cell."""
    if not 0 <= seed < EVALUATION_SEED_LIMIT:
        raise ConfigError(f"held-out seed {seed} is not an evaluation seed")
    return [
        (family, knobs, list(iter_generate(family, per_cell, seed, **knobs)))
        for family, knobs in heldout_ladder(families)
    ]
