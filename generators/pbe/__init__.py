"""PBE family: rewrite-cascade program induction with dialable length and interactions."""

from generators.pbe.family import FAMILY, Config, build_cascade, generate, verify
from generators.pbe.recheck import recheck

__all__ = ["FAMILY", "Config", "build_cascade", "generate", "recheck", "verify"]
