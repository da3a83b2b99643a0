"""Where the reference knowledge graphs live, and loading them once per process."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from kg.store import KnowledgeGraph
from reasoning.core import DataError

NAMED = ("umls", "fb15k237")


def data_roots() -> list[Path]:
    """$REASONING_DATA, then shared/data beside or above the working directory and repo."""
    roots = []
    if os.environ.get("REASONING_DATA"):
        roots.append(Path(os.environ["REASONING_DATA"]))
    here = Path(__file__).resolve().parents[1]
    for base in (Path.cwd(), Path.cwd().parent, here, here.parent):
        roots.append(base / "shared" / "data")
    return roots


def _find(sub: str) -> Path:
    for root in data_roots():
        if (root / "kg" / sub).exists():
            return root / "kg" / sub
    raise DataError(
        f"knowledge graph data kg/{sub} not found; set REASONING_DATA to the folder that "
        f"holds kg/ (looked in: {', '.join(str(r) for r in data_roots())})"
    )


@lru_cache(maxsize=4)
def load_kg(spec: str) -> KnowledgeGraph:
    """'umls', 'fb15k237' (train split), or a path to a head/relation/tail TSV file."""
    if spec == "umls":
        return KnowledgeGraph.from_umls(_find("umls"))
    if spec == "fb15k237":
        return KnowledgeGraph.from_fb15k237(_find("fb15k-237"))
    path = Path(spec)
    if not path.is_file():
        raise DataError(f"kg={spec!r} is neither {' nor '.join(NAMED)} nor a TSV file")
    return KnowledgeGraph.from_tsv(path)
