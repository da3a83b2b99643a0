"""KGQA: multi-hop questions over a local knowledge graph (UMLS, FB15k-237, or any TSV).

A relation path of `hops` edges is sampled from a topic entity; the gold answer is every
entity the path reaches. With 2-3 topic entities the answer is the intersection of the
paths' answers (CWQ-style conjunctions). The prompt lists the facts along the gold paths
plus facts of `distractor_relations` other relations around the topics.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg import INVERSE, KnowledgeGraph, load_kg
from reasoning.core import (
    Family,
    GenerationError,
    Instance,
    Verdict,
    check_knobs,
    generate_items,
    instance_id,
    item_rng,
    knob,
)

NAME = "kgqa"
VERSION = "1"
MAX_ATTEMPTS = 400


@dataclass(frozen=True)
class Config:
    kg: str = knob("umls", "knowledge graph: umls, fb15k237, or a head/relation/tail TSV path")
    hops: int = knob(2, "relations on each gold path", low=1, high=4)
    topic_entities: int = knob(
        1, "topic entities (2-3: answers are the intersection)", low=1, high=3
    )
    max_answers: int = knob(10, "largest gold answer set allowed", low=1, high=50)
    distractor_relations: int = knob(
        3, "other relations around the topics shown as facts", low=0, high=20
    )

    def validate(self) -> None:
        check_knobs(self)


def follow_path(kg: KnowledgeGraph, start: str, relations: tuple[str, ...]) -> set[str]:
    """Entities reached from `start` along a relation sequence (all branches)."""
    frontier = {start}
    for rel in relations:
        frontier = {u for v in frontier for u in kg.follow(v, rel)}
    return frontier


def _walk(rng: random.Random, kg: KnowledgeGraph, start: str, hops: int) -> tuple[str, ...] | None:
    rels, node = [], start
    for _ in range(hops):
        options = sorted(kg.neighbours(node))
        if not options:
            return None
        label, node = rng.choice(options)
        rels.append(label)
    return tuple(rels)


def _reverse(rels: tuple[str, ...]) -> tuple[str, ...]:
    flip = lambda r: r[: -len(INVERSE)] if r.endswith(INVERSE) else r + INVERSE  # noqa: E731
    return tuple(flip(r) for r in reversed(rels))


def _witness(kg: KnowledgeGraph, start: str, rels: tuple[str, ...], end: str) -> list[tuple]:
    """One concrete edge path start -> end along rels, as (head, relation, tail) triples."""
    layers = [{start: None}]
    for rel in rels:
        nxt = {}
        for v in sorted(layers[-1]):
            for u in sorted(kg.follow(v, rel)):
                nxt.setdefault(u, v)
        layers.append(nxt)
    triples, node = [], end
    for rel, layer in zip(reversed(rels), reversed(layers[1:]), strict=True):
        prev = layer[node]
        head, base, tail = (
            (node, rel[: -len(INVERSE)], prev) if rel.endswith(INVERSE) else (prev, rel, node)
        )
        triples.append((head, base, tail))
        node = prev
    return list(reversed(triples))


def _question(kg: KnowledgeGraph, topic: str, rels: tuple[str, ...]) -> str:
    """'starting from X and following 'a' then 'b (reversed)'' (one reading only)."""
    chain = " then ".join(f"'{kg.text(r)}'" for r in rels)
    return f"reached starting from {kg.name(topic)} and following {chain}"


def _make_item(config: Config, knobs: dict, seed: int, index: int) -> Instance:
    kg = load_kg(config.kg)
    rng = item_rng(NAME, knobs, seed, index)
    entities = kg.entities
    for _ in range(MAX_ATTEMPTS):
        first = rng.choice(entities)
        rels = _walk(rng, kg, first, config.hops)
        if rels is None:
            continue
        answers = follow_path(kg, first, rels) - {first}
        if not answers:
            continue
        anchor = rng.choice(sorted(answers))
        topics, paths = [first], [rels]
        for _ in range(config.topic_entities - 1):
            back = _walk(rng, kg, anchor, config.hops)
            if back is None:
                break
            ends = sorted(follow_path(kg, anchor, back) - set(topics) - {anchor})
            if not ends:
                break
            other = rng.choice(ends)
            topics.append(other)
            paths.append(_reverse(back))
        if len(topics) < config.topic_entities:
            continue
        for t, p in zip(topics[1:], paths[1:], strict=True):
            answers &= follow_path(kg, t, p)
        answers -= set(topics)
        if 1 <= len(answers) <= config.max_answers:
            return _instance(config, knobs, seed, index, kg, rng, topics, paths, answers)
    raise GenerationError(
        f"no {config.hops}-hop question with <= {config.max_answers} answers in "
        f"{MAX_ATTEMPTS} tries on {config.kg}; raise max_answers"
    )


def _instance(config, knobs, seed, index, kg, rng, topics, paths, answers) -> Instance:
    clauses = [_question(kg, t, p) for t, p in zip(topics, paths, strict=True)]
    gold = [
        _witness(kg, t, p, a)
        for t, p in zip(topics, paths, strict=True)
        for a in sorted(answers)[:3]
    ]
    facts = {tr for path in gold for tr in path}
    used = {r.removesuffix(INVERSE) for p in paths for r in p}
    nearby = sorted(
        {(t, r.removesuffix(INVERSE)) for t in topics for r, _ in kg.neighbours(t)}
        - {(t, u) for t in topics for u in used}
    )
    rng.shuffle(nearby)
    for t, rel in nearby[: config.distractor_relations]:
        for u in sorted(kg.follow(t, rel))[:2]:
            facts.add((t, rel, u))
        for u in sorted(kg.follow(t, rel + INVERSE))[:2]:
            facts.add((u, rel, t))
    lines = sorted(f"({kg.name(h)}, {kg.text(r)}, {kg.name(t)})" for h, r, t in facts)
    question = "Which entities are " + ", and also ".join(clauses) + "?"
    prompt = (
        "Facts:\n" + "\n".join(lines) + f"\n\nQuestion: {question}\n\n"
        "List every answer entity, separated by semicolons, on a final line starting "
        "with 'Answer:'. You may cite the facts you used as (head, relation, tail)."
    )
    text = "\n\n".join("\n".join("\t".join(tr) for tr in path) for path in gold)
    meta = {
        "formal": {"format": "triples", "text": text},
        "kg": config.kg,
        "question": question,
        "topic_entities": list(topics),
        "topic_names": [kg.name(t) for t in topics],
        "relation_paths": [list(p) for p in paths],
        "answer_ids": sorted(answers),
        "seed": seed,
        "index": index,
        "generator_version": VERSION,
    }
    answer = sorted(kg.name(a) for a in answers)
    return Instance(instance_id(NAME, knobs, seed, index), NAME, prompt, answer, knobs, meta)


def generate(config: Config, seed: int, n: int, start: int = 0) -> Iterator[Instance]:
    return generate_items(config, seed, n, _make_item, start)


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower().replace("_", " ")).strip()


_TRIPLE = re.compile(r"\(([^,()]+),\s*([^,()]+),\s*([^,()]+)\)")


def verify(instance: Instance, response: str) -> Verdict:
    """Entity list from the final 'Answer:' line (else the last line); Hits@1 decides
    `correct`, F1 is the score; cited (head, relation, tail) facts are checked in the graph."""
    lines = [ln.strip() for ln in response.strip().splitlines() if ln.strip()]
    marked = [ln for ln in lines if ln.lower().startswith("answer")]
    if not lines:
        return Verdict.unparsed("empty response; end with 'Answer: entity; entity'")
    final = (marked or lines)[-1]
    final = re.sub(r"^answer\s*[:\-]?\s*", "", final, flags=re.IGNORECASE)
    predicted = [normalise(p) for p in re.split(r"[;\n]|,(?![^()]*\))", final) if normalise(p)]
    gold = {normalise(a) for a in instance.answer}
    if not predicted:
        return Verdict.unparsed("no entity names found on the answer line")
    hits1 = predicted[0] in gold
    tp = len(set(predicted) & gold)
    precision, recall = tp / len(set(predicted)), tp / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    parsed = {"entities": predicted, "hits@1": hits1, "f1": round(f1, 4)}
    feedback = f"hits@1={'yes' if hits1 else 'no'}, F1={f1:.2f}"
    missing = _missing_edge(instance, response)
    if missing:
        feedback += f"; cited fact not in the graph: {missing}"
    return Verdict(hits1, f1, parsed, feedback)


def _missing_edge(instance: Instance, response: str) -> str | None:
    cited = _TRIPLE.findall(response)
    if not cited:
        return None
    kg = load_kg(instance.meta["kg"])
    by_name = {}
    for e in kg.entities:
        by_name.setdefault(normalise(kg.name(e)), e)
    by_text = {normalise(kg.text(r)): r for (_, r) in kg.tails} | {
        normalise(r): r for (_, r) in kg.tails
    }
    for h, r, t in cited:
        head, rel, tail = (
            by_name.get(normalise(h)),
            by_text.get(normalise(r)),
            by_name.get(normalise(t)),
        )
        if head is None or tail is None or rel is None or not kg.has_edge(head, rel, tail):
            return f"({h.strip()}, {r.strip()}, {t.strip()})"
    return None


def recheck(instance: Instance) -> list[str]:
    """Re-follow the stored relation paths in the graph, and check every gold triple is an
    edge of the networkx graph."""
    kg = load_kg(instance.meta["kg"])
    problems = []
    answers = None
    for t, p in zip(instance.meta["topic_entities"], instance.meta["relation_paths"], strict=True):
        reached = follow_path(kg, t, tuple(p))
        answers = reached if answers is None else answers & reached
    answers = (answers or set()) - set(instance.meta["topic_entities"])
    if sorted(answers) != instance.meta["answer_ids"]:
        problems.append("following the relation paths gives a different answer set")
    for line in instance.meta["formal"]["text"].splitlines():
        if line.strip():
            h, r, t = line.split("\t")
            if not kg.graph.has_edge(h, t, key=r):
                problems.append(f"gold triple not in the graph: {h} {r} {t}")
    return problems


FAMILY = Family(
    name=NAME,
    summary="multi-hop questions over a local knowledge graph (UMLS, FB15k-237, any TSV)",
    config=Config,
    generate=generate,
    verify=verify,
    recheck=recheck,
    oracle=lambda inst: "Answer: " + "; ".join(inst.answer),
    labels=None,
    version=VERSION,
)
