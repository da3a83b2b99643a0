"""A Paths-over-Graph style explorer on a local graph: question -> topic entities ->
candidate relation paths (start shallow, deepen while deeper paths fit better) -> three
pruning steps (fuzzy top W1, branch-reduced top W2, precise top W_max) -> answer.

The explorer sees the question text and topic entities only: never a gold answer (PoG's
multi-entity code used the gold answer to stop expanding; see the tests).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.scorers import CallCounter, Scorer
from kg.store import KnowledgeGraph

MAX_FRONTIER = 500  # entities followed per path prefix (hubs stay cheap)


@dataclass(frozen=True)
class ExplorerSettings:
    max_depth: int = 3
    w1: int = 80  # kept by the fuzzy step
    w2: int = 20  # kept by the branch-reduced step
    w_max: int = 3  # kept by the precise step


@dataclass
class Candidate:
    topic: str
    relations: tuple[str, ...]
    reached: frozenset[str]
    text: str
    score: float = 0.0


@dataclass
class Exploration:
    answers: list[str]
    kept: list[Candidate]
    after_step: dict[str, int] = field(default_factory=dict)
    depth: int = 0
    counter: CallCounter = field(default_factory=CallCounter)


def match_topics(kg: KnowledgeGraph, question: str) -> list[str]:
    """Entities whose names occur in the question, longest names first, non-overlapping."""
    lowered = question.lower()
    found, taken = [], []
    for entity in sorted(kg.entities, key=lambda e: -len(kg.name(e))):
        name = kg.name(entity).lower()
        if len(name) < 3:
            continue
        at = lowered.find(name)
        if at >= 0 and not any(a <= at < b or at <= a < at + len(name) for a, b in taken):
            found.append(entity)
            taken.append((at, at + len(name)))
    return found


def explore_instance(explorer: PathExplorer, instance) -> Exploration:
    """Run the explorer on a KGQA instance using only its question and topic entities."""
    return explorer.explore(instance.meta["question"], list(instance.meta["topic_entities"]))


class PathExplorer:
    def __init__(
        self,
        kg: KnowledgeGraph,
        fuzzy: Scorer,
        judge: Scorer | None = None,
        settings: ExplorerSettings | None = None,
    ) -> None:
        self.kg, self.fuzzy, self.judge = kg, fuzzy, judge or fuzzy
        self.settings = settings or ExplorerSettings()

    def _text(self, topic: str, rels: tuple[str, ...]) -> str:
        return " ; ".join([self.kg.name(topic), *(self.kg.text(r) for r in rels)])

    def _expand(self, cands: list[Candidate]) -> list[Candidate]:
        out = []
        for c in cands:
            labels: dict[str, set[str]] = defaultdict(set)
            for v in sorted(c.reached)[:MAX_FRONTIER]:
                for label, u in self.kg.neighbours(v):
                    if u != c.topic:
                        labels[label].add(u)
            for label in sorted(labels):
                rels = (*c.relations, label)
                out.append(
                    Candidate(c.topic, rels, frozenset(labels[label]), self._text(c.topic, rels))
                )
        return out

    def _top(
        self, scorer: Scorer, question: str, cands: list[Candidate], k: int, counter: CallCounter
    ) -> list[Candidate]:
        if len(cands) <= k and scorer is self.fuzzy:
            return cands
        scores = scorer.score(question, [c.text for c in cands], counter)
        for c, s in zip(cands, scores, strict=True):
            c.score = s
        order = sorted(range(len(cands)), key=lambda i: (-cands[i].score, cands[i].text))
        return [cands[i] for i in order[:k]]

    def explore(self, question: str, topics: list[str] | None = None) -> Exploration:
        """Answer entity ids for `question`, best first. `topics`: entity ids, or None to
        match entity names in the question."""
        counter = CallCounter()
        topics = [t for t in (topics or match_topics(self.kg, question)) if t in self.kg.adjacent]
        if not topics:
            return Exploration([], [], {"topics": 0}, 0, counter)
        s = self.settings
        frontier = [Candidate(t, (), frozenset({t}), self.kg.name(t)) for t in topics]
        pool: list[Candidate] = []
        best = float("-inf")
        depth = 0
        while depth < s.max_depth:  # start shallow, deepen while deeper paths fit better
            depth += 1
            layer = self._top(self.fuzzy, question, self._expand(frontier), s.w1, counter)
            if not layer:
                break
            top = max(c.score for c in layer)
            pool.extend(layer)
            if top <= best:
                break
            best, frontier = top, layer
        fuzzy = self._top(self.fuzzy, question, pool, s.w1, counter)
        # branch-reduced: one candidate per (topic, first relation) branch, then top W2
        branches: dict[tuple, Candidate] = {}
        for c in fuzzy:
            key = (c.topic, c.relations[:1])
            if key not in branches or c.score > branches[key].score:
                branches[key] = c
        reduced = self._top(self.judge, question, list(branches.values()) + fuzzy, s.w2, counter)
        reduced = list({(c.topic, c.relations): c for c in reduced}.values())[: s.w2]
        precise = self._top(self.judge, question, reduced, s.w_max, counter)
        answers = self._answers(precise, topics)
        steps = {
            "candidates": len(pool),
            "fuzzy": len(fuzzy),
            "branch": len(reduced),
            "precise": len(precise),
        }
        return Exploration(answers, precise, steps, depth, counter)

    def _answers(self, kept: list[Candidate], topics: list[str]) -> list[str]:
        """Entities of the best path per topic, intersected across topics when that is
        non-empty; then the other kept paths' entities."""
        best_per_topic: dict[str, Candidate] = {}
        for c in kept:
            best_per_topic.setdefault(c.topic, c)
        sets = [set(c.reached) - set(topics) for c in best_per_topic.values()]
        joint = set.intersection(*sets) if sets else set()
        first = joint or (sets[0] if sets else set())
        ranked = sorted(first, key=self.kg.name)
        for c in kept:
            ranked += sorted(set(c.reached) - set(ranked) - set(topics), key=self.kg.name)
        return ranked
