"""The gold-free view and checks: nothing touches gold, gold never fails, wrong answers
that the problem can refute are refuted, and hostile text never raises."""

from __future__ import annotations

import functools
import json
import random
import re
from collections.abc import Iterator, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from generators.kgqa.response import normalise
from reasoning import get_family
from reasoning.core import answer_hint
from reasoning.loop import GOLD_FREE_META, Check, ProblemView, check, view_of
from reasoning.loop.kgqa import listed_facts

# The meta keys that hold or give away gold, per family, listed here independently of
# GOLD_FREE_META (seed and index regenerate the item, gold included).
GOLD_META = {
    "nlsat": {"witness", "solver", "seed", "index"},
    "pbe": {"formal", "interactions", "ambiguous", "ambiguity_search", "seed", "index"},
    "fol": {"formal", "fol", "seed", "index"},
    "kgqa": {"formal", "answer_ids", "kg", "seed", "index"},
    "logicasker": {
        *("formal", "fol", "rule", "category", "kind", "steps", "proof", "justification"),
        *("seed", "index"),
    },
}
SETTINGS = [
    ("nlsat", {}),
    ("nlsat", {"grammar": "relative", "n_vars": 6}),
    ("pbe", {}),
    ("fol", {"task": "translate"}),
    ("fol", {"task": "entail"}),
    ("kgqa", {"hops": 1}),
    ("kgqa", {"hops": 2}),
    ("kgqa", {"hops": 2, "topic_entities": 2}),
    ("logicasker", {}),
]
YES_NO_WORDS = re.compile(r"\b(yes|no)\b", re.IGNORECASE)


class GoldTouched(AssertionError):
    """Raised (and logged) when a guarded gold field is read."""


class GuardedMeta(Mapping):
    """An instance's meta whose gold keys raise on access; `touched` logs every try."""

    def __init__(self, meta: dict, gold: set[str], touched: list[str]) -> None:
        self._meta, self._gold, self._touched = meta, gold, touched

    def __getitem__(self, key: str):
        if key in self._gold:
            self._touched.append(f"meta[{key!r}]")
            raise GoldTouched(f"meta[{key!r}] read")
        return self._meta[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._meta)

    def __len__(self) -> int:
        return len(self._meta)


class GuardedInstance:
    """An Instance-like object whose `answer` and gold meta keys raise on access."""

    def __init__(self, item: reasoning.Instance) -> None:
        self.touched: list[str] = []
        self.id, self.family, self.prompt, self.hardness = (
            item.id,
            item.family,
            item.prompt,
            item.hardness,
        )
        self.meta = GuardedMeta(item.meta, GOLD_META[item.family], self.touched)

    @property
    def answer(self):
        self.touched.append("answer")
        raise GoldTouched("answer read")


@functools.cache
def items(family: str, knobs: tuple) -> tuple[reasoning.Instance, ...]:
    return tuple(reasoning.generate(family, 4, 11, **dict(knobs)))


def all_items() -> list[reasoning.Instance]:
    return [it for family, knobs in SETTINGS for it in items(family, tuple(knobs.items()))]


def nlsat_assignment(atoms: list[str], values: dict[int, bool]) -> str:
    """'Alan is big, Bob is not red' for variable -> value."""
    facts = [
        atoms[v - 1] if value else atoms[v - 1].replace(" is ", " is not ", 1)
        for v, value in sorted(values.items())
    ]
    return "The facts: " + ", ".join(facts) + ".\nAnswer: yes"


def kgqa_cited(item: reasoning.Instance, extra: str = "") -> str:
    """The gold paths' facts cited as the prompt lists them, and the answers they end at
    (the prompt shows paths for at most three answers), plus `extra` if given."""
    listed = {tuple(map(normalise, f)): f for f in listed_facts(item.prompt)}
    topics = set(item.meta["topic_names"])
    cited, ends = [], []
    for path in item.meta["formal"]["text"].split("\n\n"):
        triples = [line.split("\t") for line in path.splitlines()]
        node = triples[0][0] if triples[0][0] in topics else triples[0][2]
        for h, r, t in triples:
            cited.append(listed[(normalise(h), normalise(r), normalise(t))])
            node = t if h == node else h
        ends.append(node)
    names = [a for a in item.answer if a in ends] + ([extra] if extra else [])
    return "\n".join(f"({h}, {r}, {t})" for h, r, t in cited) + "\nAnswer: " + "; ".join(names)


def wrong_responses(item: reasoning.Instance) -> list[str]:
    """Responses that are wrong, unreadable or off-vocabulary for the item's family."""
    base = ["", "I am not sure.", "Answer: maybe"]
    if item.family == "nlsat":
        flipped = "no" if item.answer == "yes" else "yes"
        return [*base, f"Answer: {flipped}"]
    if item.family == "pbe":
        return [*base, '```\nreplace("a", "b")\n```', "```\nreplace('a'\n```"]
    if item.family == "fol" and item.meta["task"] == "translate":
        return [*base, "1. Zebra(alan)", "1. (((", "1. Likes(x)"]
    if item.family == "kgqa":
        return [*base, "(Nobody, knows, Nothing)\nAnswer: Nothing", "Answer: Zebra"]
    return [*base, "Answer: yes", "Answer: no", "Answer: True", "Answer: Unknown"]


def test_every_family_has_a_view_and_a_check():
    assert set(GOLD_FREE_META) == set(reasoning.family_names())
    for family, gold in GOLD_META.items():
        assert not gold & set(GOLD_FREE_META[family]), family


@pytest.mark.parametrize(("family", "knobs"), SETTINGS, ids=lambda p: str(p))
def test_view_and_check_never_touch_gold(family, knobs):
    for item in items(family, tuple(knobs.items())):
        oracle = get_family(family).oracle(item)  # computed before the guard goes on
        extra = []
        if family == "nlsat" and item.answer == "yes" and item.meta["grammar"] == "rules":
            extra.append(nlsat_assignment(item.meta["atoms"], _witness(item)))
        if family == "kgqa":
            extra.append(kgqa_cited(item))
        guarded = GuardedInstance(item)
        view = view_of(guarded)
        assert isinstance(view, ProblemView) and not hasattr(view, "answer")
        assert not set(view.meta) & GOLD_META[family]
        labels = get_family(family).labels if knobs.get("task") != "translate" else None
        for response in [oracle, *extra, *wrong_responses(item)]:
            result = check(view, response)
            assert isinstance(result, Check)
            assert not result.feedback.startswith("could not check"), result.feedback
            if labels and result.feedback != answer_hint(labels):
                words = "|".join(labels)
                assert not re.search(rf"\b({words})\b", result.feedback, re.I), result.feedback
        assert guarded.touched == []


def test_the_guard_catches_a_gold_read():
    guarded = GuardedInstance(items("nlsat", ())[0])
    with pytest.raises(GoldTouched):
        get_family("nlsat").verify(guarded, "Answer: yes")  # scoring reads the label
    with pytest.raises(GoldTouched):
        dict(guarded.meta)  # reading every key reaches the witness
    assert guarded.touched[0] == "answer" and guarded.touched[1] in (
        "meta['solver']",
        "meta['witness']",
    )


@pytest.mark.parametrize(("family", "knobs"), SETTINGS, ids=lambda p: str(p))
def test_gold_never_fails(family, knobs):
    for item in items(family, tuple(knobs.items())):
        result = check(view_of(item), get_family(family).oracle(item))
        assert result.passed is not False, result.feedback
        if family == "pbe" or knobs.get("task") == "translate":
            assert result.passed is True, result.feedback


def _witness(item: reasoning.Instance) -> dict[int, bool]:
    return {abs(lit): lit > 0 for lit in item.meta["witness"]}


def test_a_witness_passes_and_a_cited_gold_path_passes():
    sat = [it for it in items("nlsat", ()) if it.answer == "yes" and it.meta["grammar"] == "rules"]
    assert sat
    for item in sat:
        result = check(view_of(item), nlsat_assignment(item.meta["atoms"], _witness(item)))
        assert result.passed is True, result.feedback
    for hops in (1, 2):
        for item in items("kgqa", (("hops", hops),)):
            result = check(view_of(item), kgqa_cited(item))
            assert result.passed is True, result.feedback
            result = check(view_of(item), kgqa_cited(item, extra="Zebra Nobody"))
            assert result.passed is False and "'zebra nobody' is not reached" in result.feedback


@settings(max_examples=30)
@given(st.integers(0, 2**31), st.integers(0, 200), st.integers(0, 2**31))
def test_a_falsifying_assignment_is_refuted_without_naming_the_label(seed, pick, bits):
    item = reasoning.generate("nlsat", 1, seed, n_vars=8)[0]
    clauses = [
        [int(x) for x in line.split()[:-1]] for line in item.meta["formal"]["text"].splitlines()[1:]
    ]
    clause = clauses[pick % len(clauses)]
    rng = random.Random(bits)
    values = {v: rng.random() < 0.5 for v in range(1, 9)}
    values.update({abs(lit): lit < 0 for lit in clause})  # every literal of `clause` false
    result = check(view_of(item), nlsat_assignment(item.meta["atoms"], values))
    assert result.passed is False
    assert "makes this statement false: If " in result.feedback
    statement = result.feedback.split("false: ", 1)[1]
    assert statement in item.prompt.splitlines()
    assert not YES_NO_WORDS.search(result.feedback)


@settings(max_examples=20)
@given(st.integers(0, 2**31), st.integers(0, 100), st.integers(2, 5))
def test_a_cascade_missing_a_rule_is_refuted_with_an_example(seed, pick, length):
    item = reasoning.generate("pbe", 1, seed, length=length, n_examples=4)[0]
    rules = [tuple(r) for r in item.answer]
    del rules[pick % len(rules)]  # every gold rule is necessary: some example now differs
    response = "```\n" + "\n".join(f"replace({json.dumps(a)}, {json.dumps(b)})" for a, b in rules)
    result = check(view_of(item), response + "\n```")
    assert result.passed is False
    assert "should give" in result.feedback and "but gives" in result.feedback
    assert item.meta["formal"]["text"] not in result.feedback


def test_fol_translate_names_the_sentence_and_the_problem():
    item = items("fol", (("task", "translate"),))[0]
    view = view_of(item)
    gold = get_family("fol").oracle(item).splitlines()
    off = check(view, "\n".join([*gold[:-1], f"{len(gold)}. Zebra(alan)"]))
    assert off.passed is False and f"sentence {len(gold)}" in off.feedback
    assert "Zebra/1 is not in the vocabulary" in off.feedback
    broken = check(view, "\n".join(["1. ∀x (", *gold[1:]]))
    assert broken.passed is False and broken.feedback.startswith("sentence 1:")


def test_unreadable_answers_fail_with_the_format_hint():
    for item in all_items():
        result = check(view_of(item), "I am not sure.")
        if item.family == "kgqa":
            assert result.passed is None  # a last line is read as the answer list
        else:
            assert result.passed is False and result.feedback


HOSTILE = [
    " " * 100_000,
    "\n" * 100_000,
    "Answer: " * 10_000,
    "answer is " * 10_000 + "yes",
    "(" * 50_000 + ")" * 50_000,
    "[" * 30_000 + "replace(" * 5_000,
    "```\n" * 10_000,
    "1. " + "¬(" * 20_000 + "P(a)" + ")" * 20_000,
    "(a, b, c) " * 10_000 + "\nAnswer: a",
    "Alan is big, " * 8_000 + "Answer: yes",
    "\ud800\udfff\ud83d" * 1_000 + "Answer: yes",
    "x" * 300_000 + "Answer: no",
    "replace('" + "\\" * 50_000,
    "\x00" * 10_000,
]


@pytest.mark.parametrize("response", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_responses_return_a_check(response):
    for family, knobs in SETTINGS:
        item = items(family, tuple(knobs.items()))[0]
        result = check(view_of(item), response)
        assert isinstance(result, Check) and isinstance(result.feedback, str)
        assert len(result.feedback) <= 1_000


def test_a_response_that_is_not_text_and_an_unknown_family():
    view = view_of(items("pbe", ())[0])
    assert check(view, None).passed is False  # type: ignore[arg-type]
    other = ProblemView("x", "nope", "prompt", {})
    assert check(other, "Answer: yes").passed is None
