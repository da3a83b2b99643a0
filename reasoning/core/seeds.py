"""Seed ranges reserved by purpose, so evaluation items never coincide with the items a
model was trained or calibrated on.

Item i of a run is drawn from a hash of (family, knobs, seed, i): two runs share items
only if they share a seed (and knobs). Evaluation uses the seeds users pass, which are
below EVALUATION_SEED_LIMIT; the suite's own calibration (pruning) and training draw from
ranges above it, offset from the caller's seed, so `generate --seed 0` and the default
calibration of `prune --seed 0` are different items. The held-out text the harness
measures perplexity on has a range of its own, above training. `check_disjoint` asserts
it by id.
"""

from __future__ import annotations

from collections.abc import Iterable

from reasoning.core.errors import ReasoningError

EVALUATION_SEED_LIMIT = 1 << 40
CALIBRATION_SEED_BASE = 1 << 40
TRAINING_SEED_BASE = 1 << 41
HELDOUT_SEED_BASE = 3 << 40
DEMONSTRATION_SEED_BASE = 4 << 40
_SPAN = 1 << 40


def _reserved(base: int, seed: int, purpose: str) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < _SPAN:
        raise ReasoningError(f"{purpose} seed {seed!r} must be an integer in [0, 2**40)")
    return base + seed


def calibration_seed(seed: int = 0) -> int:
    """The seed the suite's default calibration items are drawn with.

    >>> calibration_seed(0) >= EVALUATION_SEED_LIMIT
    True
    """
    return _reserved(CALIBRATION_SEED_BASE, seed, "calibration")


def training_seed(seed: int = 0) -> int:
    """The seed the embedded model's training items are drawn with."""
    return _reserved(TRAINING_SEED_BASE, seed, "training")


def heldout_seed(seed: int = 0) -> int:
    """The seed of the held-out items the harness measures perplexity on (never an
    evaluation, calibration or training item).

    >>> purpose(heldout_seed(0))
    'held-out'
    """
    return _reserved(HELDOUT_SEED_BASE, seed, "held-out")


def demonstration_seed(seed: int = 0) -> int:
    """The seed of the solved examples a k-shot prompt shows (never an evaluation,
    calibration, training or held-out item).

    >>> purpose(demonstration_seed(0))
    'demonstration'
    """
    return _reserved(DEMONSTRATION_SEED_BASE, seed, "demonstration")


def purpose(seed: int) -> str:
    """'evaluation', 'calibration', 'training', 'held-out' or 'demonstration': the range a
    seed falls in."""
    if seed >= DEMONSTRATION_SEED_BASE:
        return "demonstration"
    if seed >= HELDOUT_SEED_BASE:
        return "held-out"
    if seed >= TRAINING_SEED_BASE:
        return "training"
    if seed >= CALIBRATION_SEED_BASE:
        return "calibration"
    return "evaluation"


def check_disjoint(evaluation_ids: Iterable[str], other_ids: Iterable[str], other: str) -> None:
    """Raise ReasoningError naming an id that is both an evaluation item and one of the
    `other` items (e.g. 'calibration')."""
    shared = set(evaluation_ids) & set(other_ids)
    if shared:
        raise ReasoningError(
            f"{len(shared)} evaluation item(s) are also {other} items, e.g. {min(shared)}"
        )
