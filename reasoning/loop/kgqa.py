"""The gold-free KGQA check: the facts a response cites, and the chains they make.

A response may cite the facts it used as (head, relation, tail). From the prompt alone
the check establishes:
- every cited fact is one of the facts the prompt lists (else False, naming it);
- every answer entity is reached from each of the question's topic entities along the
  asked relations by cited facts alone (else False, naming the entity and the path);
both hold: True. True says the stated answers are supported, not that the list is
complete (the prompt need not show a fact for every gold answer). No citation: None.

Names are compared as `generators.kgqa.response.normalise` leaves them, as `verify` does.
A fact whose names hold a comma cannot be cited (the citation reader takes exactly three
comma-separated parts), so a chain through it is never reached.
"""

from __future__ import annotations

from generators.kgqa.response import (
    MAX_ANSWER_CHARS,
    answer_line,
    cited_triples,
    normalise,
    shown,
    split_entities,
)
from reasoning.loop.result import Check
from reasoning.loop.view import ProblemView

REVERSED = " (reversed)"  # how the question marks a relation followed against its direction
_CLAUSE = "reached starting from {} and following "
_NEXT_CLAUSE = ", and also reached starting from "

Triple = tuple[str, str, str]


def check_kgqa(view: ProblemView, text: str) -> Check:
    """Cited facts against the listed facts, answers against the cited chains. Cost:
    linear in the text and the prompt; the chains follow at most MAX_CITED cited facts
    per hop."""
    final = answer_line(text)
    if final is None:
        return Check(False, None, "empty response; end with 'Answer: entity; entity'")
    if len(final) > MAX_ANSWER_CHARS:
        return Check(False, None, f"the answer line is over {MAX_ANSWER_CHARS} characters")
    answers = split_entities(final)
    if not answers:
        return Check(False, None, "no entity names found on the answer line")
    cited = cited_triples(text)
    parsed: dict = {"entities": answers[:50], "cited": [list(t) for t in cited]}
    if not cited:
        return Check(
            None,
            parsed,
            "no facts cited, so nothing to test: cite the facts you used as (head, relation, tail)",
        )
    listed = set(map(_normalised, listed_facts(view.prompt)))
    for fact in cited:
        if _normalised(fact) not in listed:
            head, relation, tail = map(shown, fact)
            return Check(
                False,
                parsed,
                f"cited fact not among the listed facts: ({head}, {relation}, {tail})",
            )
    chains = asked_chains(str(view.meta["question"]), list(view.meta["topic_names"]))
    if chains is None:
        return Check(None, parsed, "could not check: the question's relations were not read")
    edges = [_normalised(fact) for fact in cited]
    for topic, relations in chains:
        reached = _follow(edges, normalise(topic), relations)
        missing = next((a for a in answers if a not in reached), None)
        if missing is not None:
            path = " then ".join(f"'{r}'" for r in relations)
            return Check(
                False,
                parsed,
                f"'{shown(missing)}' is not reached from {topic} "
                f"following {path} through the cited facts",
            )
    return Check(
        True,
        parsed,
        "every answer is reached along the asked relations through "
        "cited facts that the prompt lists",
    )


def listed_facts(prompt: str) -> list[Triple]:
    """The (head, relation text, tail) facts a KGQA prompt lists, read with the same
    reader as citations. Cost: linear in the prompt."""
    start = prompt.find("Facts:\n")
    end = prompt.find("\n\nQuestion:", max(start, 0))
    if start < 0 or end < 0:
        return []
    block = prompt[start + len("Facts:\n") : end]
    return cited_triples(block, limit=block.count("\n") + 1)


def asked_chains(question: str, topics: list[str]) -> list[tuple[str, list[str]]] | None:
    """(topic name, relation texts) per clause of the question, as `render.question`
    writes it ('... reached starting from X and following 'a' then 'b (reversed)' ...');
    None when the question is not in that shape. Cost: linear in the question."""
    chains, pos = [], 0
    for topic in topics:
        prefix = _CLAUSE.format(topic)
        start = question.find(prefix, pos)
        if start < 0:
            return None
        start += len(prefix)
        end = question.find(_NEXT_CLAUSE, start)
        end = end if end >= 0 else question.rfind("?")
        chain = question[start:end]
        if end < start or len(chain) < 2 or chain[0] != "'" or chain[-1] != "'":
            return None
        chains.append((topic, chain[1:-1].split("' then '")))
        pos = end
    return chains


def _normalised(fact: Triple) -> Triple:
    head, relation, tail = fact
    return normalise(head), normalise(relation), normalise(tail)


def _follow(edges: list[Triple], start: str, relations: list[str]) -> set[str]:
    """Normalised entities reached from `start` along `relations` (texts; a ' (reversed)'
    one is followed from tail to head) using only `edges`. Cost: O(len(relations) ·
    len(edges))."""
    frontier = {start}
    for text in relations:
        backwards = text.endswith(REVERSED)
        relation = normalise(text[: -len(REVERSED)] if backwards else text)
        if backwards:
            frontier = {h for h, r, t in edges if r == relation and t in frontier}
        else:
            frontier = {t for h, r, t in edges if r == relation and h in frontier}
    return frontier
