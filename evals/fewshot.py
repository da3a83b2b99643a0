"""k-shot prompts: each item's prompt preceded by k solved items of the same family and
knobs, drawn from the demonstration seed range (never an evaluation item) and never from
the item's own cluster (a KGQA demonstration about the same topic entity could answer the
question; a LogicAsker one could show the same rule).

The item itself is not changed (its verifier reads its own prompt); only the text sent to
the model is, and the cache keys on that text, so 0-shot and k-shot never share a
completion. Demonstrations answer with the family's bare oracle answer ('Answer: yes').
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from reasoning.api import iter_generate
from reasoning.core import ConfigError, Instance
from reasoning.core.seeds import demonstration_seed
from reasoning.registry import get_family

MAX_SHOTS = 16
CANDIDATES = 4  # demonstrations drawn per shot, so cluster clashes can be skipped
HEADER = "Here are solved examples.\n\n"
SEPARATOR = "\n\n---\n\n"
LEAD_IN = "Now solve this one.\n\n"


def check_shots(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= MAX_SHOTS:
        raise ConfigError(f"--shots {k!r} must be an integer in 0..{MAX_SHOTS}")


def shot_prompts(items: Sequence[Instance], k: int, seed: int = 0) -> dict[str, str]:
    """item id -> the prompt the model sees (the item's own prompt when k is 0)."""
    check_shots(k)
    if k == 0:
        return {it.id: it.prompt for it in items}
    pools: dict[str, list[Instance]] = {}
    out = {}
    for item in items:
        family = get_family(item.family)
        key = json.dumps([item.family, item.hardness], sort_keys=True, default=str)
        if key not in pools:
            pools[key] = list(
                iter_generate(
                    item.family, k * CANDIDATES, demonstration_seed(seed), **item.hardness
                )
            )
        mine = family.cluster_of(item)
        demos = [d for d in pools[key] if family.cluster_of(d) != mine][:k]
        shown = [f"{d.prompt}\n{family.oracle(d)}" for d in demos]
        out[item.id] = HEADER + SEPARATOR.join(shown) + SEPARATOR + LEAD_IN + item.prompt
    return out
