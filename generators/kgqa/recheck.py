"""The independent second path for KGQA gold labels.

The answer set is re-derived by following the stored relation paths from the topic
entities over the networkx edge lists (the generator uses the store's tails/heads index),
and compared with `answer` (names) and `meta.answer_ids`. `meta.formal` must be exactly
the shape the family writes: one chain of graph edges per (topic, one of the first three
answers), starting at the topic, following the path's relations, ending at the answer.
The prompt must be the facts and question the item's paths give: every gold edge shown,
every other fact an edge at a topic entity, the question re-written from the paths.
"""

from __future__ import annotations

from collections import Counter

from generators.kgqa import render
from kg import INVERSE, KnowledgeGraph
from kg.sources import load_ref
from reasoning.core import Instance, instance_id

FAMILY_NAME = "kgqa"
Triple = tuple[str, str, str]


def _step(kg: KnowledgeGraph, node: str, label: str) -> set[str]:
    """Neighbours of `node` over edges keyed `label` (against the edge for '...^-1')."""
    g = kg.graph
    if node not in g:
        return set()
    if label.endswith(INVERSE):
        base = label[: -len(INVERSE)]
        return {u for u, _, k in g.in_edges(node, keys=True) if k == base}
    return {v for _, v, k in g.out_edges(node, keys=True) if k == label}


def reached(kg: KnowledgeGraph, topic: str, path: list[str]) -> set[str]:
    """Entities at the end of `path` from `topic`, every branch followed."""
    frontier = {topic}
    for label in path:
        frontier = {u for v in frontier for u in _step(kg, v, label)}
    return frontier


def _strings(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise TypeError(f"{what} is not a list of strings")
    return value


def _read(instance: Instance) -> tuple[list[str], list[list[str]], list[str], str]:
    meta = instance.meta
    topics = _strings(meta["topic_entities"], "meta.topic_entities")
    if not isinstance(meta["relation_paths"], list):
        raise TypeError("meta.relation_paths is not a list")
    paths = [_strings(p, "a relation path") for p in meta["relation_paths"]]
    ids = _strings(meta["answer_ids"], "meta.answer_ids")
    formal = meta["formal"]
    if not isinstance(formal, dict) or formal.get("format") != "triples":
        raise TypeError("meta.formal is not {'format': 'triples', 'text': ...}")
    if not isinstance(formal.get("text"), str):
        raise TypeError("meta.formal.text is not a string")
    return topics, paths, ids, formal["text"]


def recheck(instance: Instance) -> list[str]:
    """Disagreements between the stored item and the graph (empty when the label holds).
    DataError when the item's graph cannot be found or has changed."""
    try:
        topics, paths, ids, formal = _read(instance)
    except (KeyError, TypeError) as exc:
        return [f"meta unreadable: {exc}"]
    kg = load_ref(instance.meta["kg"])
    problems = _check_knobs(instance, topics, paths)
    if len(topics) != len(paths) or not topics:
        return [*problems, "meta.topic_entities and meta.relation_paths differ in length"]
    answers = set.intersection(*(reached(kg, t, p) for t, p in zip(topics, paths, strict=True)))
    answers -= set(topics)
    if sorted(answers) != ids:
        problems.append("following the relation paths gives a different answer set")
    if instance.answer != sorted(kg.name(a) for a in answers):
        problems.append("answer differs from the names of the entities the paths reach")
    if instance.meta.get("topic_names") != [kg.name(t) for t in topics]:
        problems.append("meta.topic_names are not the topic entities' names")
    gold, formal_problems = _check_formal(kg, formal, topics, paths, sorted(answers))
    problems += formal_problems
    problems += _check_prompt(kg, instance, topics, paths, None if formal_problems else gold)
    return problems


def _check_knobs(instance: Instance, topics: list[str], paths: list[list[str]]) -> list[str]:
    knobs, meta, problems = instance.hardness, instance.meta, []
    if instance.id != instance_id(FAMILY_NAME, knobs, meta.get("seed"), meta.get("index")):
        problems.append("id is not the hash of (family, hardness, seed, index)")
    if len(topics) != knobs.get("topic_entities") or len(set(topics)) != len(topics):
        want = knobs.get("topic_entities")
        problems.append(f"{len(topics)} distinct topic entities, knob topic_entities={want}")
    if any(len(p) != knobs.get("hops") for p in paths):
        problems.append(f"a relation path is not {knobs.get('hops')} hops long")
    ref = meta.get("kg")
    if isinstance(ref, dict) and ref.get("name") != "tsv" and ref.get("name") != knobs.get("kg"):
        problems.append(f"meta.kg names {ref.get('name')}, knob kg={knobs.get('kg')}")
    if isinstance(ref, dict) and ref.get("name") == "synthetic":
        if (ref.get("seed"), ref.get("people")) != (knobs.get("kg_seed"), knobs.get("kg_size")):
            problems.append("meta.kg is not the synthetic graph of knobs kg_seed and kg_size")
    if len(meta.get("answer_ids") or ()) > knobs.get("max_answers", 0):
        problems.append("more answers than the knob max_answers allows")
    return problems


def _chain(kg: KnowledgeGraph, block: str, topic: str, path: list[str], end: str) -> str | None:
    """Why one formal block is not an edge chain topic -> end along `path` (None if it is)."""
    rows = [line.split("\t") for line in block.split("\n")]
    if len(rows) != len(path) or any(len(r) != 3 for r in rows):
        return f"{len(rows)} lines, the path has {len(path)} relations"
    node = topic
    for (h, r, t), label in zip(rows, path, strict=True):
        backwards = label.endswith(INVERSE)
        base = label[: -len(INVERSE)] if backwards else label
        here, there = (t, h) if backwards else (h, t)
        if r != base or here != node:
            return f"({h}, {r}, {t}) does not follow {label} from {node}"
        if t not in _step(kg, h, r):
            return f"({h}, {r}, {t}) is not an edge of the graph"
        node = there
    return None if node == end else f"ends at {node}, not at the answer {end}"


def _check_formal(
    kg: KnowledgeGraph, text: str, topics: list[str], paths: list[list[str]], answers: list[str]
) -> tuple[set[Triple], list[str]]:
    """The gold edges meta.formal lists, and what is wrong with its shape."""
    blocks = text.split("\n\n") if text else []
    ends = answers[:3]
    expected = [(t, p, a) for t, p in zip(topics, paths, strict=True) for a in ends]
    if len(blocks) != len(expected):
        return set(), [f"meta.formal has {len(blocks)} paths, expected {len(expected)}"]
    problems, gold = [], set()
    for i, (block, (topic, path, end)) in enumerate(zip(blocks, expected, strict=True)):
        why = _chain(kg, block, topic, path, end)
        if why:
            problems.append(f"meta.formal path {i + 1}: {why}")
        else:
            gold.update(tuple(line.split("\t")) for line in block.split("\n"))
    return gold, problems


def _check_prompt(
    kg: KnowledgeGraph,
    instance: Instance,
    topics: list[str],
    paths: list[list[str]],
    gold: set[Triple] | None,
) -> list[str]:
    """The prompt must be the facts and question the item's paths give (the facts are
    checked only when `gold`, the gold edges, could be read from meta.formal)."""
    question = render.question(kg, topics, [tuple(p) for p in paths])
    if instance.meta.get("question") != question:
        return ["meta.question is not the question the relation paths give"]
    marker = f"\n\nQuestion: {question}\n\n"
    head, sep, _ = instance.prompt.partition(marker)
    lines = head.removeprefix("Facts:\n").split("\n")
    if not sep or not head.startswith("Facts:\n"):
        return ["the prompt does not hold the question the relation paths give"]
    if instance.prompt != render.prompt(lines, question):
        return ["the prompt is not facts + question + answer format as the family writes it"]
    if lines != sorted(set(lines)):
        return ["the prompt's facts are not sorted and distinct"]
    if gold is None:
        return []
    return _check_facts(kg, instance, topics, paths, gold, lines)


def _check_facts(
    kg: KnowledgeGraph,
    instance: Instance,
    topics: list[str],
    paths: list[list[str]],
    gold: set[Triple],
    lines: list[str],
) -> list[str]:
    """The fact lines must be the gold edges plus, for `distractor_relations` (topic,
    relation) pairs whose relation is on no path, up to two edges each way at the topic."""
    used = {label.removesuffix(INVERSE) for p in paths for label in p}
    by_line = {render.fact(kg, *tr): tr for tr in _edges_at(kg, topics) if tr[1] not in used}
    gold_lines = {render.fact(kg, *tr) for tr in gold}
    if not gold_lines <= set(lines):
        return ["a gold path's fact is missing from the prompt"]
    strays = [ln for ln in lines if ln not in gold_lines and ln not in by_line]
    if strays:
        return [f"a prompt fact is neither a gold edge nor a distractor: {strays[0][:200]}"]
    shown = {by_line[ln] for ln in lines if ln not in gold_lines}
    pairs = {(t, r) for t in topics for (r, _) in kg.neighbours(t)}
    options = {(t, r.removesuffix(INVERSE)) for t, r in pairs} - {
        (t, u) for t in topics for u in used
    }
    expect = {p: _distractors(kg, *p) for p in options}
    full = {p: e for p, e in expect.items() if e <= shown}
    covered = set().union(*full.values()) if full else set()
    needed = min(instance.hardness.get("distractor_relations", 0), len(options))
    times = Counter(tr for e in full.values() for tr in e)
    essential = [p for p, e in full.items() if any(times[tr] == 1 for tr in e)]
    if covered != shown or len(full) < needed or len(essential) > needed:
        return [f"the prompt's distractor facts are not {needed} whole (topic, relation) groups"]
    return []


def _distractors(kg: KnowledgeGraph, topic: str, relation: str) -> set[Triple]:
    """The facts the family shows for one distractor (topic, relation) pair."""
    out = {(topic, relation, u) for u in sorted(_step(kg, topic, relation))[:2]}
    back = sorted(_step(kg, topic, relation + INVERSE))[:2]
    return out | {(u, relation, topic) for u in back}


def _edges_at(kg: KnowledgeGraph, nodes: list[str]) -> set[Triple]:
    """Every edge with a head or tail in `nodes`, as (head, relation, tail)."""
    out: set[Triple] = set()
    for v in nodes:
        if v in kg.graph:
            out.update((h, k, t) for h, t, k in kg.graph.out_edges(v, keys=True))
            out.update((h, k, t) for h, t, k in kg.graph.in_edges(v, keys=True))
    return out
