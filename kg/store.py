"""A knowledge graph over networkx with O(1) neighbour lookup and fast multi-hop paths.

Edges are usable in both directions; a reversed edge is written with a trailing '^-1' in
a path's relation labels. A relation blacklist and a hub degree cap (hubs may end a path but
are never passed through) are settings of the graph.
"""

from __future__ import annotations

import tarfile
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from reasoning.core import DataError

INVERSE = "^-1"


@dataclass(frozen=True)
class RelationPath:
    """A relation path: `nodes` from source to target, `relations` between them (a label
    ending in '^-1' was traversed against its direction)."""

    nodes: tuple[str, ...]
    relations: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.relations)


@dataclass
class KnowledgeGraph:
    names: dict[str, str] = field(default_factory=dict)
    relation_text: dict[str, str] = field(default_factory=dict)
    blacklist: frozenset[str] = frozenset()
    max_degree: int | None = None

    def __post_init__(self) -> None:
        self.graph = nx.MultiDiGraph()
        self.tails: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.heads: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.adjacent: dict[str, list[tuple[str, str]]] = defaultdict(list)  # (label, node)

    # ---------------------------------------------------------------- building
    def add(self, head: str, relation: str, tail: str) -> None:
        if relation in self.blacklist or (tail in self.tails[(head, relation)]):
            return
        self.graph.add_edge(head, tail, key=relation)
        self.tails[(head, relation)].add(tail)
        self.heads[(tail, relation)].add(head)
        self.adjacent[head].append((relation, tail))
        self.adjacent[tail].append((relation + INVERSE, head))

    def add_all(self, triples: Iterable[tuple[str, str, str]]) -> KnowledgeGraph:
        for h, r, t in triples:
            self.add(h, r, t)
        return self

    @classmethod
    def from_tsv(cls, path: str | Path, **settings) -> KnowledgeGraph:
        """head<TAB>relation<TAB>tail per line; DataError naming the file (and line) if it
        is unreadable, not UTF-8, malformed or holds no triple."""
        kg = cls(**settings).add_all(_read_triples(Path(path)))
        if not kg.adjacent:
            raise DataError(f"{path}: no head<TAB>relation<TAB>tail triples in the file")
        return kg

    @classmethod
    def from_umls(cls, folder: str | Path, splits=("train",), **settings) -> KnowledgeGraph:
        folder = Path(folder)
        kg = cls(
            names=_read_map(folder / "entity2text.txt"),
            relation_text=_read_map(folder / "relation2text.txt"),
            **settings,
        )
        for split in splits:
            kg.add_all(_read_triples(folder / f"{split}.tsv"))
        return kg

    @classmethod
    def from_fb15k237(cls, folder: str | Path, splits=("train",), **settings) -> KnowledgeGraph:
        """The FB15k-237 tarball plus mid2name.txt and relation2text.txt in `folder`."""
        folder = Path(folder)
        names = {k: v.replace("_", " ") for k, v in _read_map(folder / "mid2name.txt").items()}
        kg = cls(names=names, relation_text=_read_map(folder / "relation2text.txt"), **settings)
        try:
            with tarfile.open(folder / "FB15k-237.tar.gz") as tar:
                for split in splits:
                    member = next(m for m in tar.getmembers() if m.name.endswith(f"{split}.txt"))
                    text = tar.extractfile(member).read().decode("utf-8")
                    kg.add_all(_parse_triples(text.splitlines(), f"{member.name}"))
        except (OSError, tarfile.TarError, StopIteration) as exc:
            raise DataError(f"cannot read FB15k-237 from {folder}: {exc}") from None
        return kg

    # ---------------------------------------------------------------- lookup
    def name(self, entity: str) -> str:
        return self.names.get(entity, entity)

    def text(self, relation: str) -> str:
        base = relation[: -len(INVERSE)] if relation.endswith(INVERSE) else relation
        words = self.relation_text.get(base, base.replace("_", " ").strip("/"))
        return f"{words} (reversed)" if relation.endswith(INVERSE) else words

    def degree(self, entity: str) -> int:
        return len(self.adjacent.get(entity, ()))

    def neighbours(self, entity: str) -> list[tuple[str, str]]:
        """(relation label, neighbour) pairs, both directions."""
        return self.adjacent.get(entity, [])

    def follow(self, entity: str, relation: str) -> set[str]:
        """Entities reached from `entity` by one edge labelled `relation` (or its '^-1')."""
        if relation.endswith(INVERSE):
            return set(self.heads.get((entity, relation[: -len(INVERSE)]), ()))
        return set(self.tails.get((entity, relation), ()))

    def has_edge(self, head: str, relation: str, tail: str) -> bool:
        return tail in self.follow(head, relation)

    @property
    def entities(self) -> list[str]:
        return sorted(self.adjacent)

    # ---------------------------------------------------------------- paths
    def _passable(self, node: str) -> bool:
        return self.max_degree is None or self.degree(node) <= self.max_degree

    def distances(self, source: str, limit: int) -> dict[str, int]:
        """Hop distances from `source` up to `limit` (BFS, both directions; hubs are reached
        but not expanded)."""
        dist = {source: 0}
        queue = deque([source])
        while queue:
            v = queue.popleft()
            if dist[v] == limit or (v != source and not self._passable(v)):
                continue
            for _, u in self.adjacent.get(v, ()):
                if u not in dist:
                    dist[u] = dist[v] + 1
                    queue.append(u)
        return dist

    def paths(self, source: str, target: str, max_hops: int) -> Iterator[RelationPath]:
        """Every simple relation path of at most `max_hops` edges from source to target,
        edges usable in either direction, one RelationPath per distinct relation sequence.

        A bounded BFS from the target (radius max_hops - 1) gives d(v, t) for every node that
        can still finish a path; the depth-first walk from the source enters a node u at
        depth d only if d + 1 + d(u, t) <= max_hops, so it never leaves the region of nodes
        with d(s, v) + d(v, t) <= k. Cost: O(that region + number of paths), far below
        enumerating simple paths in the whole graph.
        """
        if source not in self.adjacent or target not in self.adjacent or source == target:
            return
        if max_hops < 1:
            return
        to_target = self.distances(target, max_hops - 1)
        nodes, rels = [source], []
        on_path = {source}

        def walk(v: str) -> Iterator[RelationPath]:
            depth = len(rels)
            for label, u in self.adjacent[v]:
                if u == target:
                    yield RelationPath((*nodes, u), (*rels, label))
                    continue
                if u in on_path or depth + 1 >= max_hops:
                    continue
                left = to_target.get(u)
                if left is None or depth + 1 + left > max_hops or not self._passable(u):
                    continue
                nodes.append(u)
                rels.append(label)
                on_path.add(u)
                yield from walk(u)
                on_path.discard(u)
                nodes.pop()
                rels.pop()

        yield from walk(source)

    def joint_paths(
        self, sources: list[str], max_hops: int
    ) -> dict[tuple[str, str], list[RelationPath]]:
        """Paths joining every pair of topic entities (PoG's multi-entity case)."""
        return {
            (a, b): list(self.paths(a, b, max_hops))
            for i, a in enumerate(sources)
            for b in sources[i + 1 :]
        }

    def collapsed(self) -> nx.Graph:
        """The simple undirected graph underneath (for comparisons with networkx)."""
        g = nx.Graph()
        g.add_edges_from((u, v) for u, v, _ in self.graph.edges(keys=True) if u != v)
        return g


def _parse_triples(lines: Iterable[str], where: str) -> Iterator[tuple[str, str, str]]:
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 3 or not all(p.strip() for p in parts):
            raise DataError(f"{where}:{lineno}: expected head<TAB>relation<TAB>tail")
        yield parts[0].strip(), parts[1].strip(), parts[2].strip()


def _read_triples(path: Path) -> Iterator[tuple[str, str, str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return _parse_triples(lines, str(path))


def _read_map(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("\t")
        if key:
            out[key] = value.strip() or key
    return out
