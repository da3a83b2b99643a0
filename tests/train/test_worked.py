"""Worked answers (what `reasoning train` teaches): the strict verifier gives them full
score, and NLSat's table is a faithful search over the item's own clauses."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import reasoning
from generators.nlsat.english import statements_of
from generators.nlsat.worked import MAX_WORKED_VARS, first_mention_order
from reasoning.registry import get_family
from solvers.sat import read_dimacs


@given(st.integers(3, 6), st.integers(0, 10**6), st.sampled_from(["rules", "relative"]))
def test_nlsat_worked_answers_score_full_and_search_honestly(n_vars, seed, grammar):
    family = get_family("nlsat")
    (item,) = reasoning.generate("nlsat", 1, seed, n_vars=n_vars, grammar=grammar)
    text = family.target(item)
    verdict = reasoning.verify(item, text)
    assert verdict.correct and verdict.score == 1.0
    lines = text.splitlines()
    if grammar != "rules" or n_vars > MAX_WORKED_VARS:
        assert lines == [f"Answer: {item.answer}"]
        return
    tried = [line for line in lines if line.endswith((": holds", ": fails"))]
    assert all(line.endswith(": fails") for line in tried[:-1])
    if item.answer == "no":
        assert len(tried) == 2**n_vars and tried[-1].endswith(": fails")
    else:
        assert tried[-1].endswith(": holds") and "assignment" in verdict.parsed
        cnf = read_dimacs(item.meta["formal"]["text"])
        atoms = item.meta["atoms"]
        stated = {atoms.index(a) + 1: v for a, v in verdict.parsed["assignment"].items()}
        assert cnf.first_falsified(stated) is None  # the stated facts satisfy every clause


def test_atoms_are_named_in_the_order_the_statements_mention_them():
    for item in reasoning.generate("nlsat", 20, 3, n_vars=4):
        atoms = item.meta["atoms"]
        order = first_mention_order(atoms, statements_of(item.prompt))
        assert sorted(order) == list(range(len(atoms)))
        text = statements_of(item.prompt)

        def first(atom: str, text: str = text) -> int:
            person, _, prop = atom.partition(" is ")
            hits = [text.find(f"{person} is {neg}{prop}") for neg in ("", "not ")]
            return min(h for h in hits if h >= 0)

        positions = [first(atoms[i]) for i in order]
        assert positions == sorted(positions)


@given(st.integers(1, 3), st.integers(0, 10**6))
def test_logicasker_worked_answers_name_the_rule_and_score_full(steps, seed):
    (item,) = reasoning.generate("logicasker", 1, seed, steps=steps)
    text = get_family("logicasker").target(item)
    verdict = reasoning.verify(item, text)
    assert verdict.correct and verdict.score == 1.0
    assert text.endswith(f"Answer: {item.answer}")


@given(st.integers(1, 2), st.integers(0, 10**6), st.integers(0, 3))
def test_kgqa_worked_answers_quote_prompt_facts_that_lead_to_the_answer(hops, seed, kg_seed):
    family = get_family("kgqa")
    (item,) = reasoning.generate("kgqa", 1, seed, hops=hops, kg_seed=kg_seed)
    text = family.target(item)
    verdict = reasoning.verify(item, text)
    assert verdict.correct and verdict.score == 1.0
    assert "not in the graph" not in verdict.feedback
    *cited, last = text.splitlines()
    assert last == "Answer: " + "; ".join(item.answer)
    facts = set(item.prompt.splitlines())
    assert cited and all(line in facts for line in cited)  # every cited line is quoted
    assert len(cited) >= hops  # a whole path: one fact per hop at least
    for topic in item.meta["topic_names"]:  # each path starts at a topic entity
        assert any(f"({topic}, " in line or line.endswith(f", {topic})") for line in cited)
