"""KGQA family: multi-hop questions whose gold answers are the entities a relation path
reaches in a local knowledge graph."""

from generators.kgqa.family import FAMILY, Config, follow_path, generate, recheck, verify

__all__ = ["FAMILY", "Config", "follow_path", "generate", "recheck", "verify"]
