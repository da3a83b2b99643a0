"""Knowledge graphs over networkx, fast multi-hop relation paths, and a Paths-over-Graph
style pruned path explorer."""

from kg import synthetic
from kg.sources import load_kg
from kg.store import INVERSE, KnowledgeGraph, RelationPath

__all__ = ["INVERSE", "KnowledgeGraph", "RelationPath", "load_kg", "synthetic"]
