"""`reasoning.verify` on what a pruned model writes: runs of whitespace, the same marker a
thousand times, deep nesting, broken Unicode. Every family must hand back a Verdict, from
its own checking (not the last-resort guard in `reasoning.api.verify`), and must not hang:
each test carries a generous timeout (the speed figures live in
benchmarks/verify_worst_case.py, not here)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from reasoning.core import Verdict
from reasoning.core.answers import MAX_RESPONSE_CHARS
from reasoning.registry import get_family

FAMILIES = {
    "nlsat": ("nlsat", {}),
    "logicasker": ("logicasker", {}),
    "pbe": ("pbe", {}),
    "fol-translate": ("fol", {"task": "translate"}),
    "fol-entail": ("fol", {"task": "entail"}),
    "kgqa": ("kgqa", {}),
}
GUARD = "could not check this item"

# Pieces a broken model repeats; each is one failure class of the hardening issue.
UNITS = [
    " ", "\t", "\n", "\r\n", "answer", "Answer: ", "final answer is ", "yes ", "no ", "True",
    "a,", "a;", "(", ")", "[", "]", "{", "\"", "'", "`", "```\n", "```fol\n", "¬", "~",
    " ∧ P(a)", " ∨ ", " → ", "∀x ", "∃y ", "P(a)", "1. ", "12) ", "(a, b, c) ",
    'replace("a", "b")\n', "\"replace('a','b')\", ", "Alan is not big, ", "is ", "-0 ",
    "\ud83d", "\udc00", "\x00", "\u200b", "\ufffd", "é", "x",
]  # fmt: skip


# Noise that states nothing in any family's answer format.
NOISE = [" ", "\t", "\n", "\r\n", "x", "é", "\u200b", "\x00", "\ud83d", "lorem ipsum "]


@st.composite
def hostile(draw, most: int = 30_000, units: list[str] = UNITS) -> str:
    """One to four segments, each one unit repeated up to `most` characters' worth."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        unit = draw(st.sampled_from(units))
        parts.append(unit * draw(st.integers(1, max(1, most // len(unit)))))
    return "".join(parts)


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def item(request):
    name, knobs = FAMILIES[request.param]
    return reasoning.generate(name, 1, seed=3, **knobs)[0]


def _checked(item, response: str) -> Verdict:
    verdict = reasoning.verify(item, response)
    assert isinstance(verdict, Verdict)
    assert 0.0 <= verdict.score <= 1.0
    assert not verdict.feedback.startswith(GUARD), verdict.feedback
    return verdict


@pytest.mark.timeout(300)
@settings(max_examples=25)
@given(response=hostile())
def test_every_family_gives_a_verdict_on_hostile_text(item, response):
    _checked(item, response)


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "response",
    [
        "answer" + " " * 20_000 + "x",
        "Answer: " + "a," * 50_000,
        "1. " + "¬" * 600 + "P(a)",
        "1. " + " ∧ ".join(["P(a)"] * 500),
        "1. " + "∀x " * 500 + "P(x)",
        "(" * 50_000 + ")" * 50_000,
        "\n" * 100_000,
        "```\n" * 25_000,
    ],
    ids=["spaces", "commas", "negation", "conjunction", "quantifiers", "parens", "newlines",
         "fences"],
)  # fmt: skip
def test_the_reported_shapes_give_a_verdict(item, response):
    _checked(item, response)


@pytest.mark.timeout(120)
@given(junk=hostile(most=2_000, units=NOISE))
@settings(max_examples=10)
def test_a_long_response_is_cut_to_its_tail_and_says_so(item, junk):
    oracle = get_family(item.family).oracle(item)
    padding = junk * (MAX_RESPONSE_CHARS // len(junk) + 1)
    verdict = _checked(item, padding + "\n" + oracle)
    assert "response cut to its last" in verdict.feedback
    assert verdict.correct, verdict.feedback  # the answer at the end survives the cut


@pytest.mark.timeout(120)
def test_lone_surrogates_do_not_hide_a_right_answer(item):
    oracle = get_family(item.family).oracle(item)
    verdict = _checked(item, "\ud83d\udc00 thinking \udfff\n" + oracle)
    assert verdict.correct, verdict.feedback


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@pytest.mark.timeout(300)
@settings(max_examples=20)
@given(field=st.sampled_from(["answer", "meta", "hardness"]), value=JSON, data=st.data())
def test_an_item_with_fields_of_the_wrong_type_gives_a_verdict(item, field, value, data):
    if field == "meta" and data.draw(st.booleans()):  # one meta key broken, the rest kept
        key = data.draw(st.sampled_from(sorted(item.meta)))
        value = {**item.meta, key: value}
    broken = dataclasses.replace(item, **{field: value})
    oracle = get_family(item.family).oracle(item)
    verdict = reasoning.verify(broken, oracle)  # the guard may answer here: never a raise
    assert isinstance(verdict, Verdict)
