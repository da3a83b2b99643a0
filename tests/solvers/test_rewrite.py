from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from solvers.rewrite import run_cascade_capped, synthesize
from tests.generators.test_pbe import scan_replace

letters = st.text("ab", max_size=4)
rules = st.lists(st.tuples(letters.filter(bool), st.text("ab", max_size=5)), max_size=12)


@given(st.text("ab", max_size=12), rules, st.integers(1, 60))
@settings(max_examples=500)
def test_capped_run_stops_exactly_before_the_first_rule_past_the_cap(text, cascade, cap):
    result, done = run_cascade_capped(text, cascade, cap)
    expected = text
    for k, (pattern, replacement) in enumerate(cascade):
        nxt = scan_replace(expected, pattern, replacement)
        if len(nxt) > cap and len(nxt) > len(expected):
            assert (result, done) == (expected, k)
            return
        expected = nxt
    assert (result, done) == (expected, len(cascade))


def test_exponential_rules_are_cut_without_building_the_string():
    result, done = run_cascade_capped("a", [("a", "aaaa")] * 1000, 100_000)
    assert done == 8 and result == "a" * 4**8  # 4**9 > 100_000


def _runs(examples, cascade) -> bool:
    outs = []
    for x, _ in examples:
        for pattern, replacement in cascade:
            x = scan_replace(x, pattern, replacement)
        outs.append(x)
    return outs == [y for _, y in examples]


def test_synthesiser_finds_a_rule_that_one_alignment_hides():
    # issue 18: on hcbyvw -> hiyjbww difflib's alignment suggests yv -> '' then w -> ww,
    # which the lone w of "wa" rules out; the gold c -> iyj, yv -> w is never proposed by
    # the alignment alone, so that search finds nothing within two rules
    examples = [("hcbyvw", "hiyjbww"), ("wa", "wa"), ("hyvw", "hww")]
    assert _runs(examples, [("c", "iyj"), ("yv", "w")])
    assert synthesize(examples, 2, beam=8, anchored=False).rules is None
    result = synthesize(examples, 2)
    assert result.rules is not None and len(result.rules) <= 2
    assert _runs(examples, result.rules)


@given(st.lists(st.text("abc", min_size=1, max_size=8), min_size=1, max_size=6), rules)
@settings(max_examples=100, deadline=None)
def test_whatever_the_synthesiser_returns_maps_every_example(inputs, cascade):
    examples = []
    for x in inputs:
        y = x
        for pattern, replacement in cascade:
            y = scan_replace(y, pattern, replacement)
        examples.append((x, y))
    result = synthesize(examples, 3, budget=2000)
    if result.rules is not None:
        assert len(result.rules) <= 3 and _runs(examples, result.rules)
