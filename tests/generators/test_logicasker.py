from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from generators.logicasker import RULES
from generators.logicasker.english import parse_sentence
from generators.logicasker.family import vocabulary_of
from reasoning.api import recheck_with
from reasoning.cli import main
from reasoning.core import ConfigError
from solvers.fol import InconsistentPremises, Quant, entailment, entails, parse, reusable_solver
from solvers.fol.cnf import sat_consistent, sat_entails

_CHECKS: dict = {}  # the re-checker's z3 context and parses, shared by the per-rule tests
_SOLVER = reusable_solver()  # one z3 context for this module's own entailment questions


def _label(premises, conclusion) -> str:
    return entailment(premises, conclusion, solver=_SOLVER, explain=False).label


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_generates_certified_items(name):
    """Items of every rule: z3 (reading meta.formal), python-sat and the English read back
    agree with the label, and z3's verdict is what the case kind says."""
    items = reasoning.generate("logicasker", 4, 7, rule=name)
    for item, problems in zip(items, recheck_with(items, _CHECKS), strict=True):
        assert item.meta["rule"] == name
        assert problems == []
        kind = item.meta["kind"]
        assert item.answer == ("yes" if kind == "inference" else "no")
        premises = [parse(p) for p in item.meta["fol"]["premises"]]
        assert _label(premises, parse(item.meta["fol"]["conclusion"])) in KIND_MEANING[kind]


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_schema_is_certified_by_z3(name):
    """Each schema of the table: premises satisfiable; a rule's conclusion follows, a
    fallacy's does not."""
    rule = RULES[name]
    for premises, conclusion in rule.variants:
        label = _label(list(premises), conclusion)  # raises on unsatisfiable premises
        assert (label != "True") if rule.category == "fallacy" else (label == "True")


def test_existential_forms_put_one_premise_under_exists():
    for name, rule in RULES.items():
        if name.startswith("existential_") and f"{name[12:]}" in RULES:
            base = RULES[name[12:]]
            assert len(rule.variants) == sum(len(ps) for ps, _ in base.variants)
            for premises, conclusion in rule.variants:
                assert [p.kind for p in premises].count("exists") == 1
                assert all(isinstance(p, Quant) for p in premises)
                assert conclusion.kind == "exists"


# The anchor's (LogicAsker's) 34 base rule names, by their names here: its 'transitivity'
# is hypothetical_syllogism and its 'complement laws' double_negation (see the rule notes).
ANCHOR_PROPOSITIONAL = """modus_ponens modus_tollens hypothetical_syllogism
    disjunctive_syllogism addition simplification conjunction resolution
    disjunction_elimination biconditional_introduction biconditional_elimination idempotent
    associative commutative distributive double_negation de_morgan conditional biconditional
    affirming_the_consequent denying_the_antecedent affirming_a_disjunct denying_a_conjunct
    illicit_commutativity""".split()
ANCHOR_QUANTIFIER = """universal_instantiation existential_generalization
    universal_generalization quantifier_negation quantifier_distribution quantifier_movement
    existential_fallacy illicit_major illicit_minor undistributed_middle""".split()
# schemas of the anchor (in this table's notation: P(a) for its 0-ary p) that were missing
ANCHOR_SCHEMAS = [
    ("modus_tollens", ["P → ¬Q", "Q"], "¬P"),
    ("biconditional_elimination", ["P ↔ Q"], "P → Q"),
    ("biconditional_elimination", ["P ↔ Q"], "Q → P"),
    ("biconditional_elimination", ["P ↔ Q", "¬P"], "¬Q"),
    ("quantifier_distribution", ["(∀x P(x)) ∨ (∀x Q(x))"], "∀x (P(x) ∨ Q(x))"),
    ("quantifier_distribution", ["∃x (P(x) ∧ Q(x))"], "(∃x P(x)) ∧ (∃x Q(x))"),
    ("quantifier_movement", ["∃x (P(a) → Q(x))"], "P(a) → (∃x Q(x))"),
    ("quantifier_movement", ["(∀x P(x)) → Q(a)"], "∃x (P(x) → Q(a))"),
    ("quantifier_movement", ["(∃x P(x)) → Q(a)"], "∀x (P(x) → Q(a))"),
    ("existential_affirming_the_consequent", ["∀x (P(x) → Q(x))", "∃x Q(x)"], "∃x P(x)"),
]


def test_every_anchor_rule_and_schema_has_a_counterpart():
    names = {*ANCHOR_QUANTIFIER}
    names |= {
        f"{form}{n}" for n in ANCHOR_PROPOSITIONAL for form in ("", "universal_", "existential_")
    }
    assert len(names) == 82 and names <= set(RULES)
    for name, premises, conclusion in ANCHOR_SCHEMAS:
        assert (tuple(map(parse, premises)), parse(conclusion)) in RULES[name].variants, name


def test_a_propositional_rule_in_predicate_logic_points_to_its_forms():
    with pytest.raises(ConfigError, match="universal_<rule> and existential_<rule>"):
        reasoning.generate("logicasker", 1, 0, rule="modus_ponens", logic="predicate")


@given(
    st.integers(0, 2**31),
    st.integers(1, 5),
    st.integers(0, 4),
    st.integers(0, 2),
    st.sampled_from(["propositional", "predicate", "both"]),
)
@settings(max_examples=25)
def test_labels_are_entailment_and_premises_are_satisfiable(seed, steps, distractors, neg, logic):
    items = reasoning.generate(
        "logicasker", 2, seed, steps=steps, distractors=distractors, negation_depth=neg, logic=logic
    )
    for item in items:
        premises = [parse(p) for p in item.meta["fol"]["premises"]]
        conclusion = parse(item.meta["fol"]["conclusion"])
        try:
            label = entails(premises, conclusion)
        except InconsistentPremises:  # pragma: no cover - the assertion below reports it
            pytest.fail(f"vacuous item {item.id}: premises unsatisfiable")
        assert ("yes" if label == "True" else "no") == item.answer
        # the case kind means what it says: what follows is the conclusion (inference), its
        # negation (contradiction), neither (unrelated), not the conclusion (fallacy)
        assert label in KIND_MEANING[item.meta["kind"]], (item.meta["kind"], label)
        if item.meta["logic"] == "propositional":
            assert sat_consistent(premises)
            assert sat_entails(premises, conclusion) == (item.answer == "yes")
        assert item.meta["steps"] == steps or item.meta["rule"] in _quantifier_rules()
        # the English states exactly the kept formulas, whatever templates were drawn
        vocab = vocabulary_of(item)
        for text, formula in zip(item.meta["sentences"], premises, strict=True):
            assert parse_sentence(text, vocab) == formula
        assert parse_sentence(item.meta["question"], vocab) == conclusion


KIND_MEANING = {
    "inference": {"True"},
    "contradiction": {"False"},
    "unrelated": {"Unknown"},
    "fallacy": {"Unknown", "False"},
}


def _quantifier_rules() -> set[str]:
    return {n for n, r in RULES.items() if not r.chainable}


def test_yes_share_is_balanced_and_all_kinds_occur():
    items = reasoning.generate("logicasker", 120, 3)
    assert Counter(it.answer for it in items) == {"yes": 60, "no": 60}
    assert {it.meta["kind"] for it in items} == {
        "inference",
        "contradiction",
        "unrelated",
        "fallacy",
    }


@pytest.mark.parametrize(
    "knobs, pattern",
    [
        ({"rule": "modus_bogus"}, "unknown rule.*modus_bogus.*allowed: all, modus_ponens"),
        ({"steps": 0}, r"allowed: 1\.\.10"),
        ({"rule": "universal_instantiation", "steps": 3}, "quantifier rules need steps=1"),
        ({"rule": "modus_ponens", "kind": "fallacy"}, "kind='fallacy' impossible"),
    ],
)
def test_bad_knobs_list_the_allowed_values(knobs, pattern):
    with pytest.raises(ConfigError, match=pattern):
        reasoning.generate("logicasker", 1, 0, **knobs)


def test_explanation_is_kept_but_not_scored():
    item = reasoning.generate("logicasker", 1, 0)[0]
    wrong = "yes" if item.answer == "no" else "no"
    verdict = reasoning.verify(item, f"Because of modus ponens, yes... Answer: {wrong}")
    assert not verdict.correct and "modus ponens" in verdict.parsed["explanation"]
    assert reasoning.verify(item, f"Answer: {item.answer}").correct


def test_demos_target_the_rules_a_model_fails(tmp_path, capsys):
    items = reasoning.generate("logicasker", 60, 1)
    reasoning.write_jsonl(items, tmp_path / "items.jsonl")
    # a model that fails exactly the fallacy items
    lines = [
        json.dumps(
            {
                "id": it.id,
                "response": "Answer: yes"
                if it.meta["kind"] == "fallacy"
                else f"Answer: {it.answer}",
            }
        )
        for it in items
    ]
    (tmp_path / "r.jsonl").write_text("\n".join(lines) + "\n")
    assert main(["score", str(tmp_path / "items.jsonl"), str(tmp_path / "r.jsonl")]) == 0
    verdicts = tmp_path / "r.verdicts.jsonl"
    assert (
        main(
            [
                "demos",
                "logicasker",
                "--from",
                str(verdicts),
                "-k",
                "3",
                "-o",
                str(tmp_path / "demos.jsonl"),
            ]
        )
        == 0
    )
    demos = [json.loads(x) for x in (tmp_path / "demos.jsonl").read_text().splitlines()]
    assert len(demos) == 3
    failed_rules = {it.meta["rule"] for it in items if it.meta["kind"] == "fallacy"}
    assert {d["rule"] for d in demos} <= failed_rules
    assert all(d["explanation"].endswith(f"Answer: {d['answer']}") for d in demos)
    assert all(d["id"] not in {it.id for it in items} for d in demos)


def test_logic_is_not_tied_to_the_label():
    items = reasoning.generate("logicasker", 80, 4)
    pairs = Counter((it.meta["logic"], it.answer) for it in items)
    assert len(pairs) == 4, pairs  # every (logic, label) combination occurs


# ------------------------------------------------ reading English back: fast paths vs reference
@st.composite
def worded(draw):
    """(sentence, vocabulary): a random formula over a random vocabulary, in English."""
    import random

    from generators.logicasker.english import Vocabulary, sentence
    from generators.logicasker.realise import WORDS
    from generators.vocab import PEOPLE
    from solvers.fol import BinOp, Const, Not, Pred, Quant, Var

    people = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3, unique=True))
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4, unique=True))
    names = {p.lower(): p for p in people}
    propositional = draw(st.booleans())  # facts as 0-ary atoms, or predicates and ∀/∃
    props = {f"{w.pred}_{c}": (c, w.pred) for c in names for w in words} if propositional else {}
    vocab = Vocabulary({w.pred: w.is_() for w in words}, names, props)
    atoms = [Pred(a) for a in props]
    atoms += [] if propositional else [Pred(w.pred, (Const(c),)) for w in words for c in names]
    open_atoms = [Pred(w.pred, (Var("x"),)) for w in words]  # only under a quantifier

    def formula(depth, bound=False):
        kinds = ["atom", "not", "bin"] + ([] if propositional else ["quant"])
        kind = draw(st.sampled_from(kinds if depth else ["atom"]))
        if kind == "atom":
            return draw(st.sampled_from(atoms + open_atoms if bound else atoms))
        if kind == "not":
            return Not(formula(depth - 1, bound))
        if kind == "quant":
            kind = draw(st.sampled_from(["forall", "exists"]))
            return Quant(kind, "x", formula(depth - 1, True))
        op = draw(st.sampled_from(["and", "or", "xor", "implies", "iff"]))
        return BinOp(op, formula(depth - 1, bound), formula(depth - 1, bound))

    f = formula(3)
    return sentence(f, random.Random(draw(st.integers(0, 2**32))), vocab), vocab, f


_NOISE = ["is", "not", "and", "or", "a", "x", ",", "(", "Alan", "tall", "then", "if", "."]


@given(worded(), st.lists(st.tuples(st.integers(0, 60), st.sampled_from(_NOISE)), max_size=3))
@settings(max_examples=200)
def test_fact_shortcut_and_lalr_read_what_the_reference_reads(case, edits):
    """The precompiled fact pattern and the LALR skeleton parser give exactly what the
    vocabulary's own pattern and the Earley parser give, on rendered sentences and on
    sentences with words replaced."""
    from generators.logicasker.english import EnglishParseError, _parser

    text, vocab, formula = case
    words = text.split(" ")
    for at, word in edits:
        words[at % len(words)] = word
    edited = " ".join(words)
    outcomes = []
    for generic in (True, False):
        skeletons: dict = {}
        try:
            outcomes.append(parse_sentence(edited, vocab, skeletons, generic=generic))
        except EnglishParseError:
            outcomes.append("error")
        for skeleton, (tree, _) in skeletons.items():
            try:
                reference = _parser("earley").parse(skeleton)
            except Exception:  # noqa: BLE001 - any rejection by the reference parser
                reference = None
            assert tree == reference
    assert outcomes[0] == outcomes[1]
    if not edits:
        assert outcomes[0] == formula


def test_items_do_not_depend_on_what_the_memo_already_knows():
    """z3's answers are remembered per thread across runs; a warm memo (after other knobs)
    and a cold one (a fresh thread) must give the same items."""
    import threading

    reasoning.generate("logicasker", 40, 5, steps=2, distractors=2)  # warm this thread
    warm = reasoning.generate("logicasker", 30, 9)
    cold: list = []
    worker = threading.Thread(target=lambda: cold.extend(reasoning.generate("logicasker", 30, 9)))
    worker.start()
    worker.join()
    assert [json.dumps(i.to_dict(), sort_keys=True) for i in warm] == [
        json.dumps(i.to_dict(), sort_keys=True) for i in cold
    ]


def test_too_many_atoms_for_the_predicate_vocabulary_is_a_clear_error(tmp_path, capsys):
    from reasoning.core import GenerationError

    knobs = {"steps": 10, "distractors": 20, "logic": "predicate"}
    with pytest.raises(GenerationError, match=r"lower distractors \(now 20\).*logic=propositional"):
        reasoning.generate("logicasker", 5, 4, **knobs)
    out = tmp_path / "x.jsonl"
    args = ["generate", "logicasker", "-n", "5", "-o", str(out)]
    args += [a for k, v in knobs.items() for a in ("--set", f"{k}={v}")]
    assert main(args) == 2
    assert "vocabulary has" in capsys.readouterr().err
    assert not out.exists()  # nothing half-written
    assert reasoning.generate("logicasker", 5, 4, steps=10, distractors=20, logic="propositional")
