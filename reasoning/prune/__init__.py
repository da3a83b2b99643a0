"""Pruning: magnitude, global magnitude, Wanda, SparseGPT (unstructured or N:M), and
structured removal of attention heads, MLP channels and layers."""

from reasoning.prune.api import METHODS, STRUCTURED, UNSTRUCTURED, MatrixReport, PruneReport, prune
from reasoning.prune.masks import parse_pattern, satisfies_pattern

__all__ = [
    "METHODS",
    "STRUCTURED",
    "UNSTRUCTURED",
    "MatrixReport",
    "PruneReport",
    "parse_pattern",
    "prune",
    "satisfies_pattern",
]
