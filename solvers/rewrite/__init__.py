"""Rewrite cascades: executor, data-measured rule interactions, reference synthesiser."""

from solvers.rewrite.cascade import (
    Rule,
    apply_rule,
    run_cascade,
    run_cascade_bounded,
    run_cascade_capped,
    trace,
    unnecessary_rules,
)
from solvers.rewrite.interactions import CATEGORIES, measure_interactions
from solvers.rewrite.synth import SynthesisResult, synthesize

__all__ = [
    "CATEGORIES",
    "Rule",
    "SynthesisResult",
    "apply_rule",
    "measure_interactions",
    "run_cascade",
    "run_cascade_bounded",
    "run_cascade_capped",
    "synthesize",
    "trace",
    "unnecessary_rules",
]
