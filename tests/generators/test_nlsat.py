from __future__ import annotations

import functools
import operator
import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import reasoning
from generators.nlsat import statements_of
from generators.nlsat.english import EnglishParseError, parse_cnf, render_clause, render_cnf
from generators.vocab import PEOPLE, PROPERTIES
from reasoning.core import ConfigError, GenerationError
from solvers.sat import CNF, read_dimacs, solve, write_dimacs
from tests.solvers.test_sat import brute_force_sat, hard_random_3sat

seeds = st.integers(0, 2**32)
grammars = st.sampled_from(["rules", "relative"])


@given(seeds, grammars, st.integers(3, 12))
def test_same_seed_same_items_and_item_i_does_not_depend_on_n(seed, grammar, n_vars):
    a = reasoning.generate("nlsat", 3, seed, n_vars=n_vars, grammar=grammar)
    b = reasoning.generate("nlsat", 5, seed, n_vars=n_vars, grammar=grammar)
    assert a == b[:3]
    assert len({it.id for it in b}) == 5


def test_seed_and_index_do_not_collide():
    # reasoning-gym's bug: seed 1 item 2 == seed 2 item 1
    s1 = reasoning.generate("nlsat", 3, 1, n_vars=6)
    s2 = reasoning.generate("nlsat", 3, 2, n_vars=6)
    assert s1[2].meta["formal"] != s2[1].meta["formal"]
    assert s1[2].id != s2[1].id


@given(seeds, grammars, st.integers(5, 10), st.floats(0.0, 0.4))
def test_label_is_the_truth(seed, grammar, n_vars, mix):
    for item in reasoning.generate("nlsat", 2, seed, n_vars=n_vars, mix_2sat=mix, grammar=grammar):
        cnf = read_dimacs(item.meta["formal"]["text"])
        assert item.answer == ("yes" if brute_force_sat(cnf) else "no")
        assert parse_cnf(statements_of(item.prompt), item.meta["atoms"], grammar) == cnf
        assert reasoning.recheck(item) == []
        if item.answer == "yes":
            assert cnf.satisfied_by({abs(v): v > 0 for v in item.meta["witness"]})


@st.composite
def cnf_and_atoms(draw):
    n = draw(st.integers(2, 12))
    grammar = draw(grammars)
    lit = st.integers(1, n).flatmap(lambda v: st.sampled_from([v, -v]))
    low, high = (2, 5) if draw(st.booleans()) else (draw(st.integers(2, 5)),) * 2  # mixed/even
    low, high = min(low, n), min(high, n)
    clause = st.lists(lit, min_size=low, max_size=high, unique_by=abs).map(tuple)
    cnf = CNF(n, tuple(draw(st.lists(clause, min_size=1, max_size=20))))
    if grammar == "relative":
        atoms = draw(st.permutations(PROPERTIES))[:n]
    else:
        pool = [f"{p} is {q}" for p in PEOPLE[:6] for q in PROPERTIES[:6]]
        atoms = draw(st.permutations(pool))[:n]
    return cnf, atoms, grammar


@given(cnf_and_atoms())
def test_parse_of_render_is_identity(case):
    cnf, atoms, grammar = case
    text = render_cnf(cnf, atoms, grammar)
    assert parse_cnf(text, atoms, grammar) == cnf
    assert text == "\n".join(render_clause(c, atoms, grammar) for c in cnf.clauses)


EDITS = ["If", "then", "and", "not", "is", "who", "Everyone", "Nobody", ",", ".", "\n", "  ",
         "Alan", "big", "Zed is odd", "is not", ""]  # fmt: skip


@given(cnf_and_atoms(), st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(EDITS)),
                                 max_size=4))  # fmt: skip
def test_parse_by_shape_agrees_with_the_whole_grammar_parse(case, edits):
    """The shape shortcut returns exactly what the grammar over the whole block returns,
    on rendered text and on text with random word edits (or both reject it)."""
    cnf, atoms, grammar = case
    words = re.split(r"( |\n)", render_cnf(cnf, atoms, grammar))
    for where, word in edits:
        words[where % len(words)] = word
    text = "".join(words)
    shapes: dict = {}  # primed by the first parse, so the second reads by known shapes
    outcomes = []
    for by_shape in (True, True, False):
        try:
            outcomes.append(parse_cnf(text, atoms, grammar, by_shape=by_shape, shapes=shapes))
        except EnglishParseError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1] == outcomes[2]


def test_parse_errors_name_the_position():
    with pytest.raises(EnglishParseError, match=r"line 1, column 16: unexpected 'then'"):
        parse_cnf("If Alan is big then Bob is red.", ["Alan is big", "Bob is red"], "rules")
    with pytest.raises(EnglishParseError, match="unknown atom 'Carl is red'"):
        parse_cnf("If Alan is big, then Carl is red.", ["Alan is big"], "rules")


@given(st.floats(0.0, 1.0), seeds)
def test_balance_is_met_on_every_prefix(share, seed):
    items = reasoning.generate("nlsat", 12, seed, n_vars=6, balance=share)
    for prefix in range(1, 13):
        yes = sum(it.answer == "yes" for it in items[:prefix])
        assert abs(yes - share * prefix) <= 1


def test_hardness_records_the_knobs():
    item = reasoning.generate("nlsat", 1, 0, n_vars=7, ratio=3.5, grammar="relative")[0]
    assert item.hardness["n_vars"] == 7 and item.hardness["ratio"] == 3.5
    assert item.hardness["grammar"] == "relative"
    assert read_dimacs(item.meta["formal"]["text"]).n_vars == 7
    assert len(read_dimacs(item.meta["formal"]["text"]).clauses) == round(3.5 * 7)


@pytest.mark.parametrize(
    "knobs, pattern",
    [
        ({"k": 5, "n_vars": 3}, "k=5 exceeds n_vars=3"),
        ({"n_vars": 100, "grammar": "relative"}, "too large for grammar=relative"),
        ({"grammar": "poetry"}, r"allowed: rules \| relative"),
        ({"n_vars": 1}, r"allowed: 2\.\.150"),
        ({"n_vars": 151}, r"allowed: 2\.\.150"),
    ],
)
def test_bad_knobs_are_rejected(knobs, pattern):
    with pytest.raises(ConfigError, match=pattern):
        reasoning.generate("nlsat", 1, 0, **knobs)


def test_unreachable_label_share_is_a_clear_error():
    with pytest.raises(GenerationError, match="balance=1"):
        reasoning.generate("nlsat", 2, 0, n_vars=30, ratio=1.0)


# ---------------------------------------------------------------- verify
@pytest.fixture(scope="module")
def items():
    return reasoning.generate("nlsat", 8, 11, n_vars=6)


def test_gold_answer_scores_one_and_wrong_answer_zero(items):
    for item in items:
        other = "no" if item.answer == "yes" else "yes"
        good = reasoning.verify(item, f"Thinking it through.\nAnswer: {item.answer}")
        bad = reasoning.verify(item, f"Answer: {other}")
        assert (good.correct, good.score) == (True, 1.0)
        assert (bad.correct, bad.score) == (False, 0.0)


def _say(atoms, assignment):
    return ", ".join(
        a if assignment[i + 1] else a.replace(" is ", " is not ", 1) for i, a in enumerate(atoms)
    )


def test_stated_assignment_is_checked_against_the_statements(items):
    sat = [it for it in items if it.answer == "yes"]
    assert sat
    for item in sat:
        atoms = item.meta["atoms"]
        witness = {abs(v): v > 0 for v in item.meta["witness"]}
        good = reasoning.verify(item, f"{_say(atoms, witness)}. Answer: yes")
        assert good.score == 1.0 and len(good.parsed["assignment"]) == len(atoms)
        cnf = read_dimacs(item.meta["formal"]["text"])
        rng = random.Random(0)
        for _ in range(200):  # find a falsifying total assignment
            guess = {v: rng.random() < 0.5 for v in range(1, cnf.n_vars + 1)}
            bad = cnf.first_falsified(guess)
            if bad is not None:
                break
        verdict = reasoning.verify(item, f"{_say(atoms, guess)}. Answer: yes")
        assert verdict.correct and verdict.score == 0.5
        sentence = statements_of(item.prompt).splitlines()[bad]
        assert sentence in verdict.feedback


def test_contradictory_assignment_is_named(items):
    item = next(it for it in items if it.answer == "yes")
    atom = item.meta["atoms"][0]
    verdict = reasoning.verify(item, f"{atom}, {atom.replace(' is ', ' is not ')}. Answer: yes")
    assert verdict.score == 0.5 and "contradicts itself" in verdict.feedback


@given(st.text(max_size=300))
def test_junk_responses_never_raise(text):
    item = reasoning.generate("nlsat", 2, 5, n_vars=5)[1]
    verdict = reasoning.verify(item, text)
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.correct == (
        verdict.parsed is not None and verdict.parsed["answer"] == item.answer
    )


def test_unparseable_response_gets_a_hint(items):
    verdict = reasoning.verify(items[0], "I know, I know.")
    assert verdict.parsed is None and not verdict.correct
    assert re.search("Answer: yes", verdict.feedback)


def test_tampered_label_is_caught_by_recheck(items):
    from dataclasses import replace

    item = items[0]
    flipped = replace(item, answer="no" if item.answer == "yes" else "yes")
    assert any("minisat22 says" in p for p in reasoning.recheck(flipped))
    cnf_text = item.meta["formal"]["text"].replace(" 0\n", " 0\n", 1)
    lines = statements_of(item.prompt).splitlines()
    broken_prompt = item.prompt.replace(lines[0], lines[0].replace(" is ", " is not ", 1), 1)
    assert cnf_text and reasoning.recheck(replace(item, prompt=broken_prompt))


def _with_formal(item, text: str):
    from dataclasses import replace

    return replace(item, meta={**item.meta, "formal": {"format": "dimacs", "text": text}})


def test_a_hard_formula_in_meta_formal_is_undecided_not_a_hang(items):
    """Issue 14: a tampered item whose meta.formal is a hard 350-variable random 3-SAT
    formula: the re-check's MiniSat stops at its conflict budget and says so (not a pass,
    not a crash, not a hang)."""
    tampered = _with_formal(items[0], write_dimacs(hard_random_3sat(350)))
    problems = reasoning.recheck(tampered)
    assert any("undecided within the solver budget" in p for p in problems), problems
    assert not any(" says " in p for p in problems)  # no verdict claimed either way


@pytest.mark.parametrize(
    "text", ["p cnf 2000000000 1\n2000000000 0\n", "p cnf 2 1\n1 -0\n", "p cnf 3 9\n1 0\n"]
)
def test_hostile_meta_formal_is_a_disagreement_and_verify_does_not_raise(items, text):
    yes = next(item for item in items if item.answer == "yes")
    tampered = _with_formal(yes, text)
    assert any("meta.formal unreadable" in p for p in reasoning.recheck(tampered))
    atom = yes.meta["atoms"][0]
    verdict = reasoning.verify(tampered, f"{atom}. Answer: yes")
    assert verdict.correct and "meta.formal unreadable" in verdict.feedback


@given(st.integers(0, 2**32), st.integers(20, 400))
def test_undecided_formulas_are_redrawn_deterministically(seed, budget):
    """Under a small conflict budget some formulas at 40 variables are undecided: they are
    redrawn from the item's own RNG, so the items are the same on every run, item i does
    not depend on n, and every kept label is still the truth (or the run stops with the
    budget's error)."""
    from generators.nlsat import family

    saved = family.BUDGET
    family.BUDGET = budget
    try:
        try:
            a = reasoning.generate("nlsat", 3, seed, n_vars=40)
        except GenerationError as exc:
            assert "undecided within the solver budget" in str(exc)
            return
        b = reasoning.generate("nlsat", 2, seed, n_vars=40)
    finally:
        family.BUDGET = saved
    assert a[:2] == b
    for item in a:
        truth = solve(read_dimacs(item.meta["formal"]["text"])).satisfiable
        assert truth == (item.answer == "yes")
        assert item.meta["solver"]["conflicts"] <= budget + 10  # CaDiCaL stops near it


def test_a_size_beyond_the_budget_stops_with_the_budget_named():
    from generators.nlsat import family

    saved = family.BUDGET
    family.BUDGET = 5
    try:
        with pytest.raises(GenerationError, match=r"undecided within the solver budget \(5 "):
            reasoning.generate("nlsat", 2, 0, n_vars=120)
    finally:
        family.BUDGET = saved


@pytest.mark.slow
def test_larger_formulas_still_certified():
    items = reasoning.generate("nlsat", 20, 0, n_vars=100, ratio=4.26)
    assert all(
        solve(read_dimacs(it.meta["formal"]["text"])).satisfiable == (it.answer == "yes")
        for it in items
    )


def test_relative_fragment_reads_both_ways_of_negating_the_head():
    atoms = ["big", "red"]
    a = parse_cnf("Everyone who is big is not red.", atoms, "relative")
    b = parse_cnf("Nobody who is big is red.", atoms, "relative")
    assert a == b == CNF(2, ((-1, -2),))


@pytest.mark.parametrize("k", [2, 3])
def test_table_and_rejection_sampling_draw_the_same_clause_distribution(k):
    """Small n lists every clause and picks one by index; large n draws by rejection. Over
    40,000 clauses each, every (position, literal) frequency agrees within 5 sigma."""
    from collections import Counter

    from generators.nlsat.sampling import ClauseSampler, _draw_clause

    n, draws = 5, 40_000
    table = ClauseSampler(n, k, 0.0)
    assert table.tables[k] is not None
    by_table = table.cnf(random.Random(1), draws).clauses
    rng = random.Random(2)
    by_rejection = [_draw_clause(rng, n, k) for _ in range(draws)]
    for clauses in (by_table, by_rejection):
        assert all(len({abs(x) for x in c}) == k and all(1 <= abs(x) <= n for x in c)
                   for c in clauses)  # fmt: skip
    p = 1 / (2 * n)
    sigma = (draws * p * (1 - p)) ** 0.5
    for pos in range(k):
        a = Counter(c[pos] for c in by_table)
        b = Counter(c[pos] for c in by_rejection)
        for lit in [*range(1, n + 1), *range(-n, 0)]:
            assert abs(a[lit] - draws * p) < 5 * sigma and abs(b[lit] - draws * p) < 5 * sigma


@given(st.integers(2, 9), st.integers(2, 4), st.integers(0, 200), st.integers(0, 10**9))
def test_table_positions_are_one_uniform_number_each(n, k, m, seed):
    """The sampler's positions are table[int(random() * size)], one draw per clause (the
    draws items were always made with), and the decision by position sets is the
    exhaustive evaluation of the formula those positions spell."""
    from generators.nlsat.sampling import ClauseSampler, clause_sets
    from solvers.sat.truthtable import satisfying_assignments

    k = min(k, n)
    sampler = ClauseSampler(n, k, 0.0)
    table = sampler.tables[k]
    picks = sampler.positions(random.Random(seed), m)
    rng = random.Random(seed)
    assert picks == [int(rng.random() * len(table)) for _ in range(m)]
    sets = clause_sets(n, k)
    everything = (1 << (1 << n)) - 1
    decided = functools.reduce(operator.and_, (sets[p] for p in picks), everything)
    assert decided == satisfying_assignments(CNF(n, sampler.clauses_at(picks)))


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_recheck_reads_what_the_formal_text_says(seed, pick):
    """The re-check accepts meta.formal in any DIMACS layout (comments, spacing) when it
    is the prompt's CNF, and names the problem when a clause or the witness is changed."""
    item = reasoning.generate("nlsat", 1, seed, n_vars=6)[0]
    text = item.meta["formal"]["text"]
    header, *lines = text.splitlines()
    relaid = "c the same formula, laid out differently\n" + header + "\n" + "  ".join(lines)
    assert reasoning.recheck(_with_meta(item, formal={"format": "dimacs", "text": relaid})) == []
    i = pick % len(lines)
    lits = lines[i].split()
    lits[0] = str(-int(lits[0]))  # one literal negated: a different formula
    changed = "\n".join([header, *lines[:i], " ".join(lits), *lines[i + 1 :]]) + "\n"
    problems = reasoning.recheck(_with_meta(item, formal={"format": "dimacs", "text": changed}))
    assert "prompt text does not parse to meta.formal" in problems
    if item.answer == "yes":
        witness = item.meta["witness"]
        clash = [*witness, -witness[pick % len(witness)]]  # one variable both ways
        assert "stored witness does not satisfy the formula" in reasoning.recheck(
            _with_meta(item, witness=clash)
        )
        cnf = read_dimacs(text)
        clause = cnf.clauses[pick % len(cnf.clauses)]
        falsifying = [v for v in witness if v not in clause and -v not in clause]
        falsifying += [-lit for lit in clause]
        assert "stored witness does not satisfy the formula" in reasoning.recheck(
            _with_meta(item, witness=falsifying)
        )


def _with_meta(item, **changes):
    from dataclasses import replace

    return replace(item, meta={**item.meta, **changes})


@given(st.lists(st.sampled_from(["a", "b", "\n", "\n\n", "x\n\ny"]), max_size=8))
def test_statements_block_is_the_second_paragraph(pieces):
    prompt = "".join(pieces)
    parts = prompt.split("\n\n")
    assert statements_of(prompt) == (parts[1] if len(parts) >= 3 else "")


def test_formulas_too_large_for_exhaustive_evaluation_are_certified_by_proof():
    """Above the exhaustive limit (14 variables) the filter is MiniSat and UNSAT labels
    come with a checked DRUP proof; the README's default ladder goes up to 40."""
    items = reasoning.generate("nlsat", 4, 3, n_vars=40)
    certificates = {it.answer: it.meta["solver"]["certificate"] for it in items}
    assert certificates == {"yes": "model", "no": "drup"}
    assert all(reasoning.recheck(it) == [] for it in items)
