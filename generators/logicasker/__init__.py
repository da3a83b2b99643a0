"""LogicAsker family: atomic inference and equivalence rules, and fallacies."""

from generators.logicasker.family import FAMILY, Config, generate, verify
from generators.logicasker.recheck import recheck
from generators.logicasker.rules import RULES

__all__ = ["FAMILY", "RULES", "Config", "generate", "recheck", "verify"]
