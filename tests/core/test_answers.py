from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from reasoning.core import extract_choice

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
