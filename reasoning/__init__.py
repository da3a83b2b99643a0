"""Solver-certified logic benchmarks with dialable hardness, and the tools to measure how a
model's reasoning survives pruning.

Public API (stable names): `generate`, `verify`, `read_jsonl`, `write_jsonl`, plus the
contract types `Instance` and `Verdict`.
"""

from reasoning.api import generate, iter_generate, recheck, verify
from reasoning.core import Instance, Verdict, read_jsonl, write_jsonl
from reasoning.registry import family_names, get_family

__all__ = [
    "Instance",
    "Verdict",
    "family_names",
    "generate",
    "get_family",
    "iter_generate",
    "read_jsonl",
    "recheck",
    "verify",
    "write_jsonl",
]
