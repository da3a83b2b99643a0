"""The words of a KGQA item: facts, question clauses and the prompt, written the same way
by the generator and by the re-check that reads them back."""

from __future__ import annotations

from kg import KnowledgeGraph

INSTRUCTIONS = (
    "List every answer entity, separated by semicolons, on a final line starting "
    "with 'Answer:'. You may cite the facts you used as (head, relation, tail)."
)


def fact(kg: KnowledgeGraph, head: str, relation: str, tail: str) -> str:
    """One fact line: '(head name, relation text, tail name)'."""
    return f"({kg.name(head)}, {kg.text(relation)}, {kg.name(tail)})"


def clause(kg: KnowledgeGraph, topic: str, relations: tuple[str, ...]) -> str:
    """'reached starting from X and following 'a' then 'b (reversed)'' (one reading only)."""
    chain = " then ".join(f"'{kg.text(r)}'" for r in relations)
    return f"reached starting from {kg.name(topic)} and following {chain}"


def question(kg: KnowledgeGraph, topics: list[str], paths: list[tuple[str, ...]]) -> str:
    """The question: one clause per topic entity, joined as a conjunction."""
    clauses = [clause(kg, t, p) for t, p in zip(topics, paths, strict=True)]
    return "Which entities are " + ", and also ".join(clauses) + "?"


def prompt(fact_lines: list[str], question_text: str) -> str:
    """The prompt: the fact lines, the question, the answer format."""
    return "Facts:\n" + "\n".join(fact_lines) + f"\n\nQuestion: {question_text}\n\n{INSTRUCTIONS}"
