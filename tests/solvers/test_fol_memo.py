"""Entailment up to renaming: the shape key and the memo that asks z3 once per shape."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvers.fol import (
    BinOp,
    Const,
    EntailmentMemo,
    Eq,
    InconsistentPremises,
    Not,
    Pred,
    Quant,
    SmtlibByShape,
    SmtlibMemo,
    entailment,
    label_smtlib,
    parse,
    shape,
    shape_and_symbols,
    smtlib_shape,
    to_smtlib,
)
from solvers.fol.ast import signature
from solvers.fol.z3bridge import _plain_smtlib
from tests.solvers.test_fol import formulas

problems = st.lists(formulas(), min_size=1, max_size=4)


def rename(f, preds: dict, consts: dict):
    """f with predicate names and constant names mapped (arities kept)."""
    if isinstance(f, Pred):
        args = tuple(Const(consts[a.name]) if isinstance(a, Const) else a for a in f.args)
        return Pred(preds[f.name], args)
    if isinstance(f, Eq):
        left, right = (
            Const(consts[t.name]) if isinstance(t, Const) else t for t in (f.left, f.right)
        )
        return Eq(left, right)
    if isinstance(f, Not):
        return Not(rename(f.body, preds, consts))
    if isinstance(f, BinOp):
        return BinOp(f.op, rename(f.left, preds, consts), rename(f.right, preds, consts))
    return Quant(f.kind, f.var, rename(f.body, preds, consts))


def names_of(fs):
    preds, consts = signature(fs)
    return sorted(preds), sorted(consts)


@given(problems, st.randoms(use_true_random=False))
def test_shape_ignores_one_to_one_renaming(fs, rng):
    preds, consts = names_of(fs)
    new_preds = rng.sample([f"N{i}" for i in range(10)], len(preds))
    new_consts = rng.sample([f"k{i}" for i in range(10)], len(consts))
    renamed = [
        rename(
            f, dict(zip(preds, new_preds, strict=True)), dict(zip(consts, new_consts, strict=True))
        )
        for f in fs
    ]
    assert shape(renamed) == shape(fs)


@given(problems, st.data())
def test_shape_sees_two_predicates_merged(fs, data):
    arities, consts = signature(fs)
    pairs = [(p, q) for p in arities for q in arities if p < q and arities[p] & arities[q]]
    if not pairs:  # only symbols of one name and arity become one symbol
        return
    a, b = data.draw(st.sampled_from(pairs))
    same = {c: c for c in consts}
    merged = [rename(f, {p: a if p == b else p for p in arities}, same) for f in fs]
    assert shape(merged) != shape(fs)


def _answer(ask, premises, conclusion):
    try:
        result = ask(premises, conclusion)
    except InconsistentPremises:
        return "inconsistent"
    return result.label if result.decided else None


@settings(max_examples=60, deadline=None)
@given(problems, st.randoms(use_true_random=False))
def test_memo_answers_as_z3_does_for_renamed_copies(fs, rng):
    memo = EntailmentMemo(timeout_ms=2000)
    *premises, conclusion = fs if len(fs) > 1 else [*fs, fs[0]]
    preds, consts = names_of(fs)
    for copy in range(3):
        binding = dict(
            zip(preds, rng.sample([f"R{copy}_{i}" for i in range(10)], len(preds)), strict=True)
        )
        cbinding = dict(zip(consts, [f"c{copy}_{c}" for c in consts], strict=True))
        ps = [rename(p, binding, cbinding) for p in premises]
        c = rename(conclusion, binding, cbinding)
        fresh = _answer(lambda p, q: entailment(p, q, timeout_ms=2000), ps, c)
        remembered = _answer(memo, ps, c)
        if fresh is not None and remembered is not None:
            assert remembered == fresh
    assert memo.misses >= 1
    assert memo.hits + memo.misses == 3


def test_memo_hits_on_a_renamed_question_and_keeps_inconsistency():
    memo = EntailmentMemo()
    p, q, r, s = (Pred(n) for n in "PQRS")
    assert memo([BinOp("implies", p, q), p], q).label == "True"
    assert memo([BinOp("implies", r, s), r], s).label == "True"
    assert (memo.hits, memo.misses) == (1, 1)
    assert memo([BinOp("implies", r, s), s], r).label == "Unknown"  # a new shape
    assert memo.misses == 2
    for _ in range(2):
        with pytest.raises(InconsistentPremises):
            memo([p, Not(p)], q)
    assert memo.hits == 2


# ------------------------------------------------------------------ SMT-LIB2 text shapes
def _renamed_copy(fs, rng, tag):
    preds, consts = names_of(fs)
    binding = dict(
        zip(preds, rng.sample([f"{tag}P{i}" for i in range(10)], len(preds)), strict=True)
    )
    cbinding = dict(
        zip(consts, rng.sample([f"{tag}c{i}" for i in range(10)], len(consts)), strict=True)
    )
    return [rename(f, binding, cbinding) for f in fs]


@given(problems, st.randoms(use_true_random=False))
def test_smtlib_shape_ignores_renaming_and_sees_merges(fs, rng):
    *premises, conclusion = fs if len(fs) > 1 else [*fs, fs[0]]
    key = smtlib_shape(*to_smtlib(premises, conclusion))
    assert key is not None
    *p2, c2 = _renamed_copy([*premises, conclusion], rng, "z")
    assert smtlib_shape(*to_smtlib(p2, c2)) == key
    arities, consts = signature(fs)
    pairs = [(p, q) for p in arities for q in arities if p < q and arities[p] & arities[q]]
    if pairs:
        a, b = rng.choice(pairs)
        merged = [
            rename(f, {p: a if p == b else p for p in arities}, {c: c for c in consts})
            for f in [*premises, conclusion]
        ]
        assert smtlib_shape(*to_smtlib(merged[:-1], merged[-1])) != key


_SMT_NOISE = ["(", ")", "and", "or", "not", "=>", "assert", "declare-fun", "Obj", "Bool", "x!0"]


@settings(max_examples=60, deadline=None)
@given(
    problems,
    st.lists(st.tuples(st.integers(0, 200), st.sampled_from(_SMT_NOISE)), min_size=1, max_size=3),
)
def test_smtlib_memo_never_answers_an_edited_text_from_memory(fs, edits):
    """Prime the memo with a text, then ask about edited texts: every answer must be what
    z3 says about the edited text itself (or the same refusal to read it)."""
    *premises, conclusion = fs if len(fs) > 1 else [*fs, fs[0]]
    script, query = to_smtlib(premises, conclusion)
    memo = SmtlibMemo(timeout_ms=2000)
    try:
        memo(script, query)
    except ValueError:
        return
    tokens = script.replace("(", " ( ").replace(")", " ) ").split()
    for at, word in edits:
        tokens[at % len(tokens)] = word
    edited = " ".join(tokens)
    outcomes = []
    for ask in (memo, lambda s, q: label_smtlib(s, q, timeout_ms=2000)):
        try:
            outcomes.append(ask(edited, query))
        except ValueError:
            outcomes.append("unreadable")
    if None not in outcomes:  # a timeout on either side says nothing
        assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    "script",
    [
        "(declare-fun |odd name| () Bool)\n(assert |odd name|)\n",
        "; a comment\n(declare-fun p () Bool)\n(assert p)\n",
        "(define-fun p () Bool true)\n(assert p)\n",
        "(declare-fun and () Bool)\n(assert and)\n",
        "(assert p)\n(declare-fun p () Bool)\n",
        "(declare-fun p () Bool)\n(assert p\n",
    ],
)
def test_smtlib_shape_declines_texts_outside_the_plain_layout(script):
    assert smtlib_shape(script, "p") is None


@given(st.lists(formulas(), min_size=2, max_size=5), st.randoms(use_true_random=False))
def test_smtlib_by_shape_writes_what_to_smtlib_writes(fs, rng):
    """The per-shape writer, primed by one list, gives to_smtlib's exact text for renamed
    copies of it in any premise order, or declines (None) where to_smtlib leaves its
    one-walk path: unsafe or clashing names, free variables."""
    writer = SmtlibByShape()
    copies = [fs, _renamed_copy(fs, rng, "a"), _renamed_copy(fs, rng, "b")]
    preds, consts = names_of(fs)
    same_preds, same_consts = {p: p for p in preds}, {c: c for c in consts}
    if preds and consts:  # every constant spelled like a predicate: names clash
        copies.append([rename(f, same_preds, dict.fromkeys(consts, preds[0])) for f in fs])
    if preds:  # a hyphen is not SMT-LIB-safe
        copies.append([rename(f, {p: f"{p}-x" for p in preds}, same_consts) for f in fs])
    for copy in copies:
        *premises, query = copy
        order = list(range(len(premises)))
        rng.shuffle(order)
        key, p, c = shape_and_symbols(copy)
        written = writer(key, p, c, copy, order)
        plain = _plain_smtlib([premises[i] for i in order], query)
        assert written == plain
        if written is not None:
            assert written == to_smtlib([premises[i] for i in order], query)


# ------------------------------------------------------------ function terms (issue 18)
def test_shape_renames_predicates_and_constants_around_function_terms_not_functions():
    base = [parse("∀x (Customer(x) → Schedule(x, agent(x)))"), parse("Customer(rina)")]
    renamed = [parse("∀x (Client(x) → Book(x, agent(x)))"), parse("Client(bob)")]
    other_function = [parse("∀x (Client(x) → Book(x, owner(x)))"), parse("Client(bob)")]
    assert shape(base) == shape(renamed)
    assert shape(base) != shape(other_function)  # function names are kept, not renamed
    assert shape([parse("P(f(a))")]) != shape([parse("P(a)")])
    assert shape([parse("P(f(a, b))")]) != shape([parse("P(f(a, a))")])


def test_memo_with_function_terms_answers_as_z3_does():
    memo = EntailmentMemo(timeout_ms=2000)
    for person in ("rina", "bob", "3", "New York"):
        premises = [
            parse("∀x (Customer(x) → Schedule(x, agent(x)))"),
            Pred("Customer", (Const(person),)),
        ]
        for text in ("∃y Schedule({}, y)", "Schedule({}, agent(d))"):
            conclusion = parse(text.format(f'"{person}"'))
            assert memo(premises, conclusion).label == entailment(premises, conclusion).label
    assert memo.hits >= 4


def test_smtlib_by_shape_declines_function_terms_and_to_smtlib_writes_them():
    fs = [parse("∀x (Customer(x) → Schedule(x, agent(x)))"), parse("Schedule(rina, agent(a))")]
    key, preds, consts = shape_and_symbols(fs)
    assert SmtlibByShape()(key, preds, consts, fs) is None
    text, query = to_smtlib(fs[:1], fs[1])
    assert "(declare-fun agent (Obj) Obj)" in text and query == "(Schedule rina (agent a))"
