from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from reasoning.core import ConfigError
from solvers.fol import equivalent, label_many, parse, render

seeds = st.integers(0, 2**31)


@given(seeds, st.integers(1, 4), st.integers(0, 2))
@settings(max_examples=30)
def test_translate_gold_round_trips_and_is_self_equivalent(seed, depth, quantifiers):
    item = reasoning.generate("fol", 1, seed, depth=depth, quantifiers=quantifiers)[0]
    assert len(item.answer) == 3 == len(item.meta["sentences"])
    for gold in item.answer:
        f = parse(gold)
        again = parse(render(parse(render(f))))
        assert again == f
        assert equivalent(f, again) is True


@given(seeds)
@settings(max_examples=15)
def test_entail_labels_follow_from_the_premises(seed):
    items = reasoning.generate("fol", 3, seed, task="entail", sentences=4)
    assert [it.answer for it in items] == ["True", "False", "Unknown"]
    for it in items:
        premises = [parse(p) for p in it.meta["fol"]["premises"]]
        (result,) = label_many(premises, [parse(it.meta["fol"]["conclusion"])])
        assert result.decided and result.label == it.answer
        assert it.meta["fol"]["conclusion"] not in it.meta["fol"]["premises"]
        assert reasoning.recheck(it) == []


def test_entail_is_balanced_by_default():
    items = reasoning.generate("fol", 12, 5, task="entail")
    assert Counter(it.answer for it in items) == {"True": 4, "False": 4, "Unknown": 4}


@pytest.fixture(scope="module")
def item():
    return reasoning.generate("fol", 1, 11, sentences=2, quantifiers=1)[0]


def test_equivalent_rewrites_are_accepted(item):
    # contraposition / double negation of the gold formula must still count as correct
    rewritten = [f"¬¬({g})" for g in item.answer]
    text = "Sure!\n```\n" + "\n".join(f"{i}. {g}" for i, g in enumerate(rewritten, 1)) + "\n```"
    assert reasoning.verify(item, text).correct


def test_wrong_translation_gets_a_counter_model(item):
    wrong = [item.answer[0], f"¬({item.answer[1]})"]
    verdict = reasoning.verify(item, "\n".join(f"{i}. {g}" for i, g in enumerate(wrong, 1)))
    assert not verdict.correct and verdict.score == 0.5
    assert (
        verdict.feedback.startswith("sentence 2: not equivalent")
        and "is true but" in verdict.feedback
    )


def test_symbols_outside_the_vocabulary_are_named(item):
    verdict = reasoning.verify(item, f"1. {item.answer[0]}\n2. Wizard(merlin)")
    assert not verdict.correct
    assert verdict.feedback == "sentence 2: Wizard/1 is not in the vocabulary"


def test_parse_errors_and_missing_lines_are_feedback(item):
    verdict = reasoning.verify(item, f"1. {item.answer[0]}\n2. ∀x (Foo(x) →")
    assert not verdict.correct and "sentence 2: line 1" in verdict.feedback
    verdict = reasoning.verify(item, f"1. {item.answer[0]}")
    assert "sentence 2: no formula found" in verdict.feedback


def test_single_sentence_answer_needs_no_number():
    item = reasoning.generate("fol", 1, 2, sentences=1)[0]
    assert reasoning.verify(item, f"FOL: {item.answer[0]}").correct


def test_entail_answers_are_read_strictly():
    item = reasoning.generate("fol", 1, 0, task="entail")[0]
    assert reasoning.verify(item, "Answer: True").correct
    assert reasoning.verify(item, "Answer: Uncertain").parsed == {"answer": "Unknown"}
    assert reasoning.verify(item, "It is untrue.").parsed is None


@pytest.mark.parametrize(
    "knobs, pattern",
    [({"task": "prove"}, r"allowed: translate \| entail"), ({"predicates": 2}, r"3\.\.16")],
)
def test_bad_knobs(knobs, pattern):
    with pytest.raises(ConfigError, match=pattern):
        reasoning.generate("fol", 1, 0, **knobs)


# ------------------------------------------------------------ issue 18: free variables, scope
def _wedding_item():
    """A translate item about john's children and wedding (vocabulary fixed by hand)."""
    item = reasoning.generate("fol", 1, 3, sentences=1)[0]
    symbols = {"predicates": ["Child/2", "Wedding/1", "Tall/1"], "constants": ["john"]}
    return dataclasses.replace(
        item,
        answer=["∀y (Child(john, y) → ¬Wedding(john))"],
        meta={**item.meta, "symbols": symbols},
    )


def test_a_free_variable_is_refused_with_its_name():
    item = _wedding_item()
    verdict = reasoning.verify(item, "1. Child(john, y) → ¬Wedding(john)")
    # closed universally this would be gold; the verifier refuses to guess instead
    assert equivalent(parse("Child(john, y) → ¬Wedding(john)"), parse(item.answer[0]))
    assert not verdict.correct and verdict.score == 0.0
    assert verdict.feedback.startswith("sentence 1: free variable y: bind it with ∀ or ∃")
    verdict = reasoning.verify(item, "1. Tall(x) ∧ Child(x, z)")
    assert "free variables x, z" in verdict.feedback


def test_a_response_whose_meaning_depends_on_the_scope_convention_gets_a_note():
    item = _wedding_item()
    # read with the widest scope: ∃y (Child(john, y) → ¬Wedding(john)), not gold
    verdict = reasoning.verify(item, "1. ∃y Child(john, y) → ¬Wedding(john)")
    assert not verdict.correct
    assert "note on sentence 1" in verdict.feedback and "NLTK" in verdict.feedback
    # gold under both conventions: correct, and no note
    verdict = reasoning.verify(item, "1. ∀y (Child(john, y) → ¬Wedding(john))")
    assert verdict.correct and "note" not in verdict.feedback
    # our reading is gold, NLTK's is not: correct, with the note
    verdict = reasoning.verify(item, "1. ∀y Child(john, y) → ¬Wedding(john)")
    assert verdict.correct and "note on sentence 1" in verdict.feedback


@given(seeds)
@settings(max_examples=10, deadline=None)
def test_gold_answers_get_no_scope_note(seed):
    item = reasoning.generate("fol", 1, seed, quantifiers=2)[0]
    verdict = reasoning.verify(item, "\n".join(f"{i}. {g}" for i, g in enumerate(item.answer, 1)))
    assert verdict.correct and "note" not in verdict.feedback


def test_scope_note_does_not_change_correctness():
    item = _wedding_item()
    item = dataclasses.replace(item, answer=["∃y (Child(john, y) → ¬Wedding(john))"])
    verdict = reasoning.verify(item, "1. ∃y Child(john, y) → ¬Wedding(john)")
    assert verdict.correct and verdict.score == 1.0
    assert "note on sentence 1" in verdict.feedback


def test_function_terms_outside_the_vocabulary_are_named():
    item = _wedding_item()
    verdict = reasoning.verify(item, "1. ∀y (Child(john, y) → ¬Wedding(father(john)))")
    assert verdict.feedback == "sentence 1: function father/1 is not in the vocabulary"
