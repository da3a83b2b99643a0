"""Where the knowledge graphs live, how an item records which graph it was made from, and
loading each graph once per process.

A graph *spec* is what a user types (`kg=synthetic`, `kg=umls`, `kg=path/to/graph.tsv`);
a graph *ref* is the JSON object an item stores so that `reasoning verify` can find the very
same graph from any folder: `{"name": "umls"}`, `{"name": "synthetic", "seed": 0,
"people": 300, "sha256": <hex of its triples>}`, `{"name": "mini", "sha256": <hex>}` (the
file shipped in kg/data/), or `{"name": "tsv", "path": <absolute>, "sha256": <hex>}`.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg import synthetic
from kg.store import KnowledgeGraph
from reasoning.core import DataError

REFERENCE = ("umls", "fb15k237")  # read from the shared data folder
NAMED = ("synthetic", "mini", *REFERENCE)
MINI = Path(__file__).resolve().parent / "data" / "mini.tsv"
RACY_NS = 2_000_000_000


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


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, memoised on (resolved path, mtime, size); a file changed
    in the last two seconds is hashed afresh (a rewrite within one clock tick keeps its
    mtime: git's 'racy clean' case)."""
    try:
        stat = path.stat()
        if time.time_ns() - stat.st_mtime_ns < RACY_NS:
            return _sha256.__wrapped__(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        return _sha256(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None


@lru_cache(maxsize=8)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def graph_ref(spec: str, seed: int = 0, people: int = synthetic.DEFAULT_PEOPLE) -> dict[str, Any]:
    """The JSON object an item stores to find and identify the graph `spec` names
    (`seed` and `people` shape kg=synthetic only)."""
    if spec == "synthetic":
        sha = synthetic_sha256(seed, people)
        return {"name": spec, "seed": seed, "people": people, "sha256": sha}
    if spec == "mini":
        return {"name": spec, "sha256": file_sha256(MINI)}
    if spec in REFERENCE:
        return {"name": spec}
    path = Path(spec)
    if not path.is_file():
        raise DataError(f"kg={spec!r} is none of {', '.join(NAMED)} and not a TSV file")
    return {"name": "tsv", "path": str(path.resolve()), "sha256": file_sha256(path)}


def ref_key(ref: Mapping[str, Any] | str) -> tuple[tuple[str, Any], ...]:
    """A hashable form of a graph ref (for memoising per graph); TypeError if it is not a
    flat JSON object of strings and numbers. The bare name 'umls' or 'fb15k237' (how
    generator version 1 wrote meta.kg) stands for {"name": <it>}; DataError for a version 1
    TSV path, which was relative to a folder the item does not record."""
    if isinstance(ref, str):
        if ref in REFERENCE:
            return (("name", ref),)
        raise DataError(
            f"the item names its graph {ref[:100]!r} as generator version 1 did (a path "
            "relative to where it was made): regenerate the items"
        )
    if not isinstance(ref, Mapping) or not all(
        isinstance(v, str | int | float) and isinstance(k, str) for k, v in ref.items()
    ):
        raise TypeError(f"graph reference is not a flat JSON object: {ref!r}"[:200])
    return tuple(sorted(ref.items()))


def load_ref(ref: Mapping[str, Any] | str) -> KnowledgeGraph:
    """The graph a stored ref names; DataError (one line) when a TSV graph has moved or
    its bytes changed since the item was made."""
    key = ref_key(ref)
    ref = dict(key)
    name = ref.get("name")
    if name in REFERENCE:
        return load_kg(name)
    if name == "synthetic":
        seed, people = ref.get("seed"), ref.get("people")
        if not isinstance(seed, int) or not isinstance(people, int):
            raise TypeError(f"synthetic graph reference without integer seed and people: {ref}")
        if synthetic_sha256(seed, people) != ref.get("sha256"):
            raise DataError(
                f"the synthetic graph for seed={seed}, people={people} is not the one these "
                "items were made from (made by another version of the generator)"
            )
        return load_kg("synthetic", seed, people)
    if name == "mini":
        _same_bytes(MINI, ref.get("sha256"), "the shipped graph")
        return load_kg("mini")
    if name != "tsv":
        raise ValueError(f"unknown knowledge graph reference {dict(key)!r}"[:300])
    path = Path(str(ref.get("path")))
    if not path.is_file():
        raise DataError(f"knowledge graph file {path} not found (moved or deleted since the items)")
    _same_bytes(path, ref.get("sha256"), "knowledge graph file")
    return load_kg(str(path))


def _same_bytes(path: Path, sha256: object, what: str) -> None:
    actual = file_sha256(path)
    if actual != sha256:
        raise DataError(
            f"{what} {path} changed since generation "
            f"(sha256 {actual[:12]}..., the items say {str(sha256)[:12]}...)"
        )


def load_kg(spec: str, seed: int = 0, people: int = synthetic.DEFAULT_PEOPLE) -> KnowledgeGraph:
    """'synthetic' (fictional, built from `seed` with `people` persons), 'mini' (shipped
    with the package), 'umls', 'fb15k237' (train split), or a path to a head/relation/tail
    TSV file. Each graph is built or read once per process (a TSV again when its bytes
    change)."""
    if spec == "synthetic":
        return _load_synthetic(seed, people)
    if spec == "mini":
        return _load_tsv(str(MINI), file_sha256(MINI))
    if spec in REFERENCE:
        return _load_named(spec)
    path = Path(spec)
    if not path.is_file():
        raise DataError(f"kg={spec!r} is none of {', '.join(NAMED)} and not a TSV file")
    return _load_tsv(str(path.resolve()), file_sha256(path))


@lru_cache(maxsize=32)  # training targets cycle through 25 graphs
def _load_synthetic(seed: int, people: int) -> KnowledgeGraph:
    return KnowledgeGraph().add_all(synthetic.build(seed, people))


@lru_cache(maxsize=32)
def synthetic_sha256(seed: int, people: int) -> str:
    """sha256 of the synthetic graph's triples as a TSV (what `synthetic.to_tsv` writes)."""
    return hashlib.sha256(synthetic.to_tsv(synthetic.build(seed, people)).encode()).hexdigest()


@lru_cache(maxsize=2)
def _load_named(name: str) -> KnowledgeGraph:
    if name == "umls":
        return KnowledgeGraph.from_umls(_find("umls"))
    return KnowledgeGraph.from_fb15k237(_find("fb15k-237"))


@lru_cache(maxsize=4)
def _load_tsv(path: str, sha256: str) -> KnowledgeGraph:
    """A TSV graph, memoised on its path and content hash."""
    return KnowledgeGraph.from_tsv(path)
