from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reasoning.core import extract_choice, fenced_blocks
from reasoning.core.answers import bound_response

YN = ("yes", "no")
# prose that never contains the whole words yes / no
filler = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80).filter(
    lambda s: not re.search(r"\b(yes|no)\b", s, re.IGNORECASE)
)


@given(filler, st.sampled_from(YN), st.sampled_from(["Answer: ", "answer is ", "Final answer: **"]))
def test_explicit_marker_is_read(prefix, choice, marker):
    assert extract_choice(f"{prefix}\n{marker}{choice.upper()}.", YN) == choice


@given(filler)
def test_no_answer_word_means_none(text):
    assert extract_choice(text, YN) is None


def test_words_containing_the_answer_are_not_answers():
    assert extract_choice("I know this one, yesterday I saw it.", YN) is None
    assert extract_choice("nobody knows", YN) is None


def test_last_marker_wins_and_first_word_counts():
    assert extract_choice("Answer: yes. Wait. Answer: no", YN) == "no"
    assert extract_choice("No. The rules conflict.", YN) == "no"
    assert extract_choice("Reasoning...\n\n**Yes**", YN) == "yes"


@given(st.text())
def test_never_raises_and_returns_a_choice_or_none(text):
    assert extract_choice(text, YN) in (None, "yes", "no")


# The regular expressions these readers replaced: exact on short text, but they backtrack
# cubically ('answer' + 2,000 spaces took ~19 s) or rescan from every unclosed fence. They
# are the reference the linear readers must agree with.
def _reference_choice(text: str, choices: tuple[str, ...]) -> str | None:
    lookup = {c.lower(): c for c in choices}
    words = "|".join(re.escape(c) for c in sorted(choices, key=len, reverse=True))
    marker = re.compile(
        rf"(?:final\s+answer|answer)\s*(?:is|:|=|-)?\s*[*_`\"'(\[]*\s*({words})\b",
        re.IGNORECASE,
    )
    found = [m.group(1).lower() for m in marker.finditer(text)]
    if found:
        return lookup[found[-1]]
    stripped = text.strip(" \t\r\n*_`'\".,;:!()[]")
    first = re.match(rf"({words})\b", stripped, re.IGNORECASE)
    if first:
        return lookup[first.group(1).lower()]
    lines = [ln.strip(" \t\r\n*_`'\".,;:!()[]") for ln in text.strip().splitlines()]
    lines = [ln for ln in lines if ln]
    return lookup[lines[-1].lower()] if lines and lines[-1].lower() in lookup else None


PIECES = ["answer", "Answer", "final ", " ", "\n", "\t", ":", "is", "=", "-", "*", "(", "[",
          "`", "```", "```fol\n", "'", '"', "yes", "no", "True", "Unknown", "x", "."]  # fmt: skip
pieces_text = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)


@given(pieces_text, st.sampled_from([YN, ("True", "False", "Unknown", "Uncertain")]))
def test_extract_choice_agrees_with_the_reference_expression(text, choices):
    assert extract_choice(text, choices) == _reference_choice(text, choices)


@given(pieces_text)
def test_fenced_blocks_agrees_with_the_reference_expression(text):
    reference = re.compile(r"```[^\n`]*\n(.*?)```", re.DOTALL).findall(text)
    assert fenced_blocks(text) == reference


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "text",
    ["answer" + " " * 100_000 + "x", "Answer: " * 12_500, "```\n" * 25_000, "`" * 100_000,
     ("answer" + " " * 40) * 2_000, "\n" * 100_000],
    ids=["spaces", "markers", "fences", "backticks", "marker-runs", "newlines"],
)  # fmt: skip
def test_readers_finish_on_100k_of_hostile_text(text):
    assert extract_choice(text, YN) is None
    assert isinstance(fenced_blocks(text), list)


@given(st.text(max_size=50), st.integers(1, 60))
def test_bound_response_keeps_the_tail_and_no_surrogates(text, limit):
    bounded, note = bound_response(text, limit)
    assert len(bounded) == min(len(text), limit)
    assert (note is None) == (len(text) <= limit)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in bounded)
    assert bounded.encode("utf-8").decode("utf-8") == bounded  # always encodable
    clean = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    assert clean.endswith(bounded)
