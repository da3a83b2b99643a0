from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from generators.pbe import verify as family_verify
from generators.pbe.response import MAX_RULES, ResponseParseError, parse_cascade
from reasoning.core import ConfigError, GenerationError, Instance
from solvers.rewrite import measure_interactions, synthesize

seeds = st.integers(0, 2**32)


def scan_replace(text: str, pattern: str, replacement: str) -> str:
    """A second executor, written independently: scan left to right, replace each match and
    jump past it (non-overlapping), copy other characters."""
    out, i = [], 0
    while i < len(text):
        if text.startswith(pattern, i):
            out.append(replacement)
            i += len(pattern)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def scan_run(text: str, rules) -> str:
    for pattern, replacement in rules:
        text = scan_replace(text, pattern, replacement)
    return text


@given(seeds, st.integers(1, 12), st.sampled_from(["3", "6", "abcdefgh"]), st.integers(1, 12))
@settings(max_examples=40)
def test_gold_cascade_is_exact_necessary_and_of_the_asked_length(seed, length, alphabet, n):
    for item in reasoning.generate("pbe", 2, seed, length=length, alphabet=alphabet, n_examples=n):
        rules = [tuple(r) for r in item.answer]
        examples = item.meta["examples"]
        assert len(rules) == length
        assert all(scan_run(x, rules) == y for x, y in examples)
        outputs = [y for _, y in examples]
        for i in range(len(rules)):
            dropped = rules[:i] + rules[i + 1 :]
            assert [scan_run(x, dropped) for x, _ in examples] != outputs, f"rule {i} unneeded"
        assert all(len(x) <= 40 and len(y) <= 40 for x, y in examples)
        assert set("".join(x for x, _ in examples)) <= set(
            "abcdefgh" if alphabet == "abcdefgh" else "abcdefghijklmnopqrstuvwxyz"[: int(alphabet)]
        )
        assert reasoning.recheck(item) == []
        assert json.loads(item.meta["formal"]["text"]) == item.answer


@given(seeds, st.integers(1, 6))
@settings(max_examples=20)
def test_determinism_and_prefix_independence(seed, length):
    a = reasoning.generate("pbe", 2, seed, length=length)
    b = reasoning.generate("pbe", 3, seed, length=length)
    assert a == b[:2]


def test_long_cascades_are_built_constructively():
    items = reasoning.generate("pbe", 3, 1, length=40)
    assert all(len(it.answer) == 40 and reasoning.recheck(it) == [] for it in items)


def test_required_interactions_are_met_and_measured_on_the_data():
    items = reasoning.generate("pbe", 3, 2, length=6, interactions="bleeding,counterfeeding")
    for it in items:
        assert it.meta["interactions"]["bleeding"] >= 1
        assert it.meta["interactions"]["counterfeeding"] >= 1
        inputs = [x for x, _ in it.meta["examples"]]
        assert (
            measure_interactions(inputs, [tuple(r) for r in it.answer]) == it.meta["interactions"]
        )


def test_interactions_follow_their_definitions():
    # "a"->"b" feeds "b"->"c"; "x"->"y" bleeds "xz"->"q"
    assert measure_interactions(["a"], [("a", "b"), ("b", "c")])["feeding"] == 1
    assert measure_interactions(["xz"], [("x", "y"), ("xz", "q")])["bleeding"] == 1
    # "b"->"c" then "a"->"b": had the second applied first, the first gets more sites
    assert measure_interactions(["a"], [("b", "c"), ("a", "b")])["counterfeeding"] == 1
    # a rule pair whose sites never occur in the data interacts with nothing
    assert sum(measure_interactions(["zzz"], [("a", "b"), ("b", "c")]).values()) == 0


def test_ambiguity_flag_matches_the_search_it_reports():
    items = reasoning.generate("pbe", 30, 3, length=3, n_examples=3)
    flagged = [it for it in items if it.meta["ambiguous"]]
    assert flagged, "some short cascades on few examples should have shorter equivalents"
    for it in flagged:
        shorter = [tuple(r) for r in it.meta["ambiguity_search"]["shorter"]]
        assert len(shorter) < 3
        assert all(scan_run(x, shorter) == y for x, y in it.meta["examples"])


def test_synthesizer_solves_what_it_claims():
    items = reasoning.generate("pbe", 10, 4, length=2)
    for it in items:
        examples = [tuple(e) for e in it.meta["examples"]]
        result = synthesize(examples, 4, budget=5000)
        if result.rules is not None:
            assert all(scan_run(x, result.rules) == y for x, y in examples)
            assert len(result.rules) <= 4


# ---------------------------------------------------------------- verify
@pytest.fixture(scope="module")
def item():
    return reasoning.generate("pbe", 1, 5, length=4)[0]


def _lines(rules):
    return "\n".join(f'replace("{a}", "{b}")' for a, b in rules)


def test_all_three_answer_shapes_are_accepted(item):
    rules = item.answer
    shapes = [
        f"Here you go:\n```\n{_lines(rules)}\n```",
        "```python\n[" + ", ".join(f"replace('{a}', '{b}')" for a, b in rules) + "]\n```",
        json.dumps(rules),
    ]
    for text in shapes:
        verdict = reasoning.verify(item, text)
        assert verdict.correct and verdict.score == 1.0, text
        assert verdict.parsed["rules"] == rules


def test_partial_credit_and_first_failure(item):
    wrong = item.answer[:-1]
    verdict = reasoning.verify(item, _lines(wrong))
    examples = item.meta["examples"]
    expected = sum(scan_run(x, wrong) == y for x, y in examples)
    assert verdict.parsed["matched"] == expected
    assert verdict.score == pytest.approx(expected / len(examples))
    assert not verdict.correct and "first failure" in verdict.feedback
    assert 0.0 <= verdict.parsed["edit_similarity"] < 1.0


def test_exploding_cascade_is_contained(item):
    verdict = reasoning.verify(item, "\n".join(['replace("a", "aaaaaaaaaa")'] * 40))
    assert not verdict.correct


def test_empty_pattern_gets_feedback(item):
    verdict = reasoning.verify(item, 'replace("", "x")')
    assert not verdict.correct and "empty pattern" in verdict.feedback


@pytest.mark.parametrize(
    "text",
    [
        'replace("a", "b"',
        "replace(a, b)",
        '__import__("os").system("true")',
        "[[1, 2]]",
        "",
        "[\"replace('a', 'b') + x\"]",  # a quoted string holding more than one call
        "[\"replace('a', 'b')\", replace]",
        "\"answer\": [\"replace('a', 'b')\"]",  # only the label PBEBench asks for
        "[\"replace('a', 'b')\"",
        '[\'replace("a", "\\q")\']',  # an unknown escape inside the quoted call
        '["\\ud800"]',
        "\n".join(['replace("a", "b")'] * (MAX_RULES + 1)),
    ],
)
def test_non_cascades_are_parse_errors(text):
    with pytest.raises(ResponseParseError, match="no cascade found"):
        parse_cascade(text)


alphabet = st.sampled_from(list("replace()[]\"', \n`abc\\;{}"))


@given(st.text(max_size=200) | st.text(alphabet=alphabet, max_size=200))
@settings(max_examples=10_000)
def test_junk_responses_never_raise(item, text):
    verdict = reasoning.verify(item, text)
    assert 0.0 <= verdict.score <= 1.0


@pytest.mark.parametrize(
    "knobs, pattern",
    [
        ({"length": 0}, r"allowed: 1\.\.40"),
        ({"alphabet": "1"}, "a size must be 2..26"),
        ({"alphabet": "aab"}, "distinct"),
        ({"input_len": "9-3"}, "out of range"),
        ({"input_len": "x"}, "not a range"),
        ({"interactions": "feeding,sliding"}, "unknown category 'sliding'"),
        ({"input_len": "50", "max_output_len": 20}, "exceeds max_output_len"),
    ],
)
def test_bad_knobs_are_rejected(knobs, pattern):
    with pytest.raises(ConfigError, match=pattern):
        reasoning.generate("pbe", 1, 0, **knobs)


def test_unreachable_interactions_are_a_clear_error():
    with pytest.raises(GenerationError, match="interactions"):
        reasoning.generate("pbe", 1, 0, length=1, interactions="feeding")


# ---------------------------------------------------------------- PBEBench's own format
PBEBENCH = json.loads((Path(__file__).parent / "data" / "pbebench_items.json").read_text())


def _instance(inputs, outputs, rules=()) -> Instance:
    examples = [[x, y] for x, y in zip(inputs, outputs, strict=True)]
    return Instance("t", "pbe", "", [list(r) for r in rules], {}, {"examples": examples})


@pytest.mark.parametrize("entry", PBEBENCH["items"], ids=lambda e: e["source"][-40:])
def test_pbebench_items_verify_in_pbebench_formats(entry):
    programs, rules = entry["programs"], [tuple(r) for r in entry["rules"]]
    instance = _instance(entry["inputs"], entry["outputs"])
    responses = [
        json.dumps(programs),  # how the data stores gold programs
        repr(programs),  # a Python list literal, as models write it
        f"### Program Sequence\n```python\n{json.dumps(programs)}\n```",
        f'```\n"programs": {json.dumps(programs)}\n```',  # the older prompt's final line
        "{'programs': " + repr(programs) + "}",
        f"```python\nprograms = {repr(programs)}\n```",
    ]
    for text in responses:
        assert parse_cascade(text) == rules, text
        verdict = reasoning.verify(instance, text)
        assert verdict.correct, (text, verdict.feedback)
    wrong = reasoning.verify(instance, json.dumps(programs[::-1]))
    assert wrong.parsed["rules"] == [list(r) for r in rules[::-1]]


no_surrogates = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
quoting = st.sampled_from([json.dumps, lambda s: json.dumps(s, ensure_ascii=False), repr])


@given(no_surrogates.filter(bool), no_surrogates, quoting, quoting)
@settings(max_examples=500)
def test_quoted_calls_read_back_any_pattern_whatever_the_quoting(pattern, replacement, q1, q2):
    call = f"replace({q1(pattern)}, {q1(replacement)})"
    assert parse_cascade(f"[{q2(call)}]") == [(pattern, replacement)]
    assert parse_cascade(f"programs: [{q2(call)}, {q2(call)},]") == [(pattern, replacement)] * 2


# ---------------------------------------------------------------- hostile responses
hostile_piece = st.one_of(
    st.integers(1, 5000).map(lambda n: "[" * n),
    st.integers(1, 3000).map(lambda n: "(" * n + ")" * n),
    st.integers(1, 3000).map(lambda n: "\"'" * n),
    st.integers(1, 20_000).map(lambda n: "a" * n),
    st.integers(1, 3000).map(lambda n: 'replace("a", "b")\n' * n),
    st.integers(1, 20_000).map(lambda n: f'replace("a", "{"b" * n}")\n'),
    st.integers(1, 80).map(lambda n: 'replace("a", "aaaa")\n' * n),
    st.integers(1, 80).map(lambda n: "[" + '\'replace("a", "aaaa")\', ' * n + "]"),
    st.sampled_from(["\x00", "\ud800", "\udfff", "\\", "\\u", "\\x4", "```\n", "\n```", "{"]),
    st.text(alphabet, max_size=200),
)


@given(st.lists(hostile_piece, max_size=6).map("".join))
@settings(deadline=None, max_examples=200)
def test_hostile_responses_get_a_bounded_verdict(text):
    instance = _instance(["a", "ab", "ba" * 20], ["b", "bb", "bb" * 20])
    for check in (reasoning.verify, family_verify):
        verdict = check(instance, text)
        assert 0.0 <= verdict.score <= 1.0
        json.dumps(verdict.to_dict(), ensure_ascii=False).encode("utf-8")  # storable
        if verdict.parsed is not None:
            rules = verdict.parsed["rules"]
            assert len(rules) <= MAX_RULES
            assert sum(len(p) + len(r) for p, r in rules) <= len(text)
            if "cut_rule" in verdict.parsed:
                assert 1 <= verdict.parsed["cut_rule"] <= len(rules)
                assert "was cut" in verdict.feedback


def test_a_rule_that_would_blow_a_string_up_is_cut_and_reported():
    instance = _instance(["a", "b"], ["aaaa", "b"])
    verdict = reasoning.verify(instance, 'replace("a", "aaaa")\n' * 40)
    assert not verdict.correct and verdict.parsed["matched"] == 1  # "b" is untouched
    # 4**k > 100 (the cap for these tiny examples) first at k = 4, so rule 4 is cut
    assert verdict.parsed["cut_rule"] == 4 and "rule 4 would grow" in verdict.feedback
