"""Skip re-pruning a variant whose completions are all cached (issue 16).

The cache keys a pruned variant's completions on the fingerprint of its pruned weights,
which is only known after pruning. So after each prune the cache records
(base fingerprint, variant spec, calibration ids and texts, seed, device) -> (pruned fingerprint,
pruning report) (`CompletionCache.put_record('pruned', ...)`). On a rerun the base is
loaded (its fingerprint is a hash of its weights) and, if a pruned fingerprint is
recorded, the variant is first answered by `CacheOnly`: a stand-in with that fingerprint
that generates nothing and notes every miss. No miss (and whatever else the caller needs
is stored, e.g. its signals): those answers are the variant's, served from the cache
without pruning (said on stderr). Any miss: the variant is pruned and answered for real
(the stand-in's error completions are never stored).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from evals.cache import CompletionCache
from evals.variants import VariantSpec, build_variant
from reasoning.core import Instance
from reasoning.models.base import Completion
from reasoning.prune.calibration import calibration_text, texts_hash

T = TypeVar("T")
MISS = "not in the cache (cache-only stand-in of a pruned variant)"


class CacheOnly:
    """A backend that has only a fingerprint: every request it is asked (a cache miss)
    is counted in `missed` and answered with an error completion, which is not stored."""

    def __init__(self, name: str, fingerprint: str) -> None:
        self.name, self._fingerprint, self.missed = name, fingerprint, 0

    def fingerprint(self) -> str:
        return self._fingerprint

    def generate(self, prompts: Sequence[str], settings: Any) -> list[Completion]:
        self.missed += len(prompts)
        return [Completion("", 0, 0, "error", MISS) for _ in prompts]

    def chat(self, conversations: Sequence[Any], settings: Any) -> list[Completion]:
        return self.generate([""] * len(conversations), settings)


def prune_key(
    base_fingerprint: str,
    spec: VariantSpec,
    calibration: Sequence[Instance] | None,
    seed: int = 0,
    device: str | None = None,
) -> str:
    """sha256 of what decides a pruned variant's weights: the base's fingerprint, the
    spec, the calibration ids in order and the texts pruning reads from them (so a change
    of how an item becomes calibration text never reuses an old variant), the seed and the
    device."""
    ids = [c.id for c in calibration] if calibration else None
    texts = texts_hash([calibration_text(c) for c in calibration]) if calibration else None
    text = json.dumps([base_fingerprint, spec.to_dict(), ids, texts, seed, device], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def build_or_reuse(
    spec: VariantSpec,
    load_base: Callable[[], Any],
    calibration: Sequence[Instance] | None,
    cache: CompletionCache,
    answer: Callable[[Any], T],
    ready: Callable[[str], bool] = lambda fingerprint: True,
    model_name: str | None = None,
    device: str | None = None,
    dtype: str = "auto",
) -> tuple[Any, dict | None, T, bool]:
    """(backend, pruning report, `answer(backend)`, reused) for one variant. A variant
    pruned on the fly whose recorded pruned fingerprint has every completion `answer`
    asks for in the cache, and `ready(fingerprint)`, is not pruned: `backend` is then a
    `CacheOnly` stand-in and `reused` True. Otherwise as `build_variant`, recording the
    pruned fingerprint for the next run."""
    if spec.method is None:
        backend, pruning = build_variant(spec, load_base, calibration, model_name, device, dtype)
        return backend, pruning, answer(backend), False
    base = load_base()
    key = prune_key(base.fingerprint(), spec, calibration, device=device)
    recorded = cache.get_record("pruned", key)
    if recorded is not None and ready(recorded["fingerprint"]):
        stand_in = CacheOnly(spec.name, recorded["fingerprint"])
        result = answer(stand_in)
        if not stand_in.missed:
            print(
                f"{spec.name}: every completion is cached under its recorded pruned "
                "fingerprint; served from the cache without pruning",
                file=sys.stderr,
            )
            return stand_in, recorded["pruning"], result, True
    backend, pruning = build_variant(spec, lambda: base, calibration, model_name, device, dtype)
    cache.put_record("pruned", key, {"fingerprint": backend.fingerprint(), "pruning": pruning})
    return backend, pruning, answer(backend), False
