"""FOL family: compositional English/FOL pairs (translate) and certified entailment stories."""

from generators.fol.family import FAMILY, Config, generate, verify
from generators.fol.recheck import recheck

__all__ = ["FAMILY", "Config", "generate", "recheck", "verify"]
