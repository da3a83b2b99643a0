"""NLSat family: random k-SAT rendered in English, labels certified by SAT solving."""

from generators.nlsat.family import FAMILY, Config, generate, recheck, statements_of, verify

__all__ = ["FAMILY", "Config", "generate", "recheck", "statements_of", "verify"]
