"""KGQA: multi-hop questions over a local knowledge graph: a fictional one built from a
seed (the default: no answer can come from memorised facts), the small graph shipped with
the package, UMLS, FB15k-237, or any TSV.

A relation path of `hops` edges is sampled from a topic entity; the gold answer is every
entity the path reaches. With 2-3 topic entities the answer is the intersection of the
paths' answers (CWQ-style conjunctions). The prompt lists the facts along the gold paths
plus facts of `distractor_relations` other relations around the topics.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from generators.kgqa import render
from generators.kgqa.recheck import recheck
from generators.kgqa.response import (
    MAX_ANSWER_CHARS,
    answer_line,
    cited_triples,
    normalise,
    shown,
    split_entities,
)
from kg import INVERSE, KnowledgeGraph, load_kg, synthetic
from kg.sources import graph_ref, load_ref, ref_key
from reasoning.core import (
    DataError,
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
VERSION = "3"
MAX_ATTEMPTS = 400
MAX_LISTED = 200  # entity names kept in a verdict's `parsed`


@dataclass(frozen=True)
class Config:
    kg: str = knob(
        "synthetic",
        "knowledge graph: synthetic (fictional, built from kg_seed), mini (shipped), umls, "
        "fb15k237 (shared data), or a head/relation/tail TSV path",
    )
    kg_seed: int = knob(0, "seed of the synthetic graph (kg=synthetic only)", low=0, high=2**31 - 1)
    kg_size: int = knob(
        synthetic.DEFAULT_PEOPLE,
        "persons in the synthetic graph (kg=synthetic only)",
        low=20,
        high=20_000,
    )
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


def _make_item(config: Config, knobs: dict, seed: int, index: int) -> Instance:
    kg = load_kg(config.kg, config.kg_seed, config.kg_size)
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
    lines = sorted(render.fact(kg, h, r, t) for h, r, t in facts)
    question = render.question(kg, topics, paths)
    text = "\n\n".join("\n".join("\t".join(tr) for tr in path) for path in gold)
    meta = {
        "formal": {"format": "triples", "text": text},
        "kg": graph_ref(config.kg, config.kg_seed, config.kg_size),
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
    ident = instance_id(NAME, knobs, seed, index)
    return Instance(ident, NAME, render.prompt(lines, question), answer, knobs, meta)


def generate(config: Config, seed: int, n: int, start: int = 0) -> Iterator[Instance]:
    return generate_items(config, seed, n, _make_item, start)


def verify(instance: Instance, response: str) -> Verdict:
    """Entity list from the final 'Answer:' line (else the last line); Hits@1 decides
    `correct`, F1 is the score; up to MAX_CITED cited (head, relation, tail) facts are
    checked in the graph. Linear in the response length; never raises on any text."""
    final = answer_line(response)
    if final is None:
        return Verdict.unparsed("empty response; end with 'Answer: entity; entity'")
    if len(final) > MAX_ANSWER_CHARS:
        return Verdict.unparsed(f"the answer line is over {MAX_ANSWER_CHARS} characters")
    predicted = split_entities(final)
    if not predicted:
        return Verdict.unparsed("no entity names found on the answer line")
    gold = {normalise(a) for a in instance.answer}
    hits1 = predicted[0] in gold
    tp = len(set(predicted) & gold)
    precision, recall = tp / len(predicted), tp / max(len(gold), 1)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    parsed = {"entities": predicted[:MAX_LISTED], "hits@1": hits1, "f1": round(f1, 4)}
    if len(predicted) > MAX_LISTED:
        parsed["entities_total"] = len(predicted)
    feedback = f"hits@1={'yes' if hits1 else 'no'}, F1={f1:.2f}"
    cited = cited_triples(response)
    if cited:
        try:
            missing = _missing_edge(instance.meta["kg"], cited)
        except (DataError, KeyError, TypeError, ValueError) as exc:
            missing, feedback = None, f"{feedback}; cited facts not checked ({exc})"
        if missing:
            feedback += f"; cited fact not in the graph: {missing}"
    return Verdict(hits1, f1, parsed, feedback)


@lru_cache(maxsize=4)
def _name_index(key: tuple) -> tuple[KnowledgeGraph, dict[str, str], dict[str, str]]:
    """(graph, normalised entity name -> entity, normalised relation text -> relation) for
    one stored graph ref, built once per graph and process."""
    kg = load_ref(dict(key))
    by_name: dict[str, str] = {}
    for e in kg.entities:
        by_name.setdefault(normalise(kg.name(e)), e)
    relations = {r for (_, r) in kg.tails}
    by_text = {normalise(kg.text(r)): r for r in relations} | {normalise(r): r for r in relations}
    return kg, by_name, by_text


def _missing_edge(ref: dict, cited: list[tuple[str, str, str]]) -> str | None:
    """The first cited fact that is not an edge of the item's graph, as shown text."""
    kg, by_name, by_text = _name_index(ref_key(ref))
    for h, r, t in cited:
        head, tail = by_name.get(normalise(h)), by_name.get(normalise(t))
        rel = by_text.get(normalise(r))
        if head is None or tail is None or rel is None or not kg.has_edge(head, rel, tail):
            return f"({shown(h)}, {shown(r)}, {shown(t)})"
    return None


def worked(instance: Instance) -> str:
    """A worked KGQA answer: the facts of the gold paths cited one per line exactly as the
    prompt shows them (the topic entity and relation come from the question; the tail is
    read off the matching fact line), then the answer line. A small model learns to find and
    copy a fact it can quote, where the bare entity name gives it nothing to match."""
    kg = load_ref(instance.meta["kg"])
    lines: list[str] = []
    for block in instance.meta["formal"]["text"].split("\n\n"):
        for row in filter(None, block.split("\n")):
            line = render.fact(kg, *row.split("\t"))
            if line not in lines:
                lines.append(line)
    return "\n".join([*lines, "Answer: " + "; ".join(instance.answer)])


FAMILY = Family(
    name=NAME,
    summary="multi-hop questions over a knowledge graph (fictional, UMLS, FB15k-237, any TSV)",
    config=Config,
    generate=generate,
    verify=verify,
    recheck=recheck,
    oracle=lambda inst: "Answer: " + "; ".join(inst.answer),
    worked=worked,
    labels=None,
    version=VERSION,
    cluster="topic_entities",
)
