"""The LogicAsker rule inventory as schemas over metavariables.

Propositional schemas use 0-ary metavariables P, Q, R, S (any formula may stand for them).
Predicate schemas use unary metavariables P, Q, R, S over x, and the constant a.
Every propositional rule (inference, equivalence law, fallacy) has two predicate forms:
- universal_<rule>: its compound premises are quantified over x and its literal premises
  are facts about a (the anchor quantifies literals too, so its universal modus ponens
  ∀x (P→Q), ∀x P ⊢ ∀x Q is universal_generalization here); these chain like the rule;
- existential_<rule>: every premise quantified over x, one of them (each in turn: one
  variant each) by ∃, the others by ∀, and the conclusion by ∃.
A rule's `note` says where the anchor (LogicAsker's rules.py) names or states it otherwise;
its schemas are taken only where they are right.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from solvers.fol import Formula, Pred, Quant, Var, parse
from solvers.fol.ast import map_atoms

INFERENCE, EQUIVALENCE, FALLACY = "inference", "equivalence", "fallacy"
PROPOSITIONAL, PREDICATE = "propositional", "predicate"


@dataclass(frozen=True)
class Rule:
    name: str
    category: str  # inference | equivalence | fallacy
    logic: str  # propositional | predicate
    variants: tuple[tuple[tuple[Formula, ...], Formula], ...]  # (premises, conclusion)
    justification: str
    chainable: bool = False  # a propositional schema: chains, and lifts to predicate logic
    note: str = ""  # where the anchor differs, and why

    @functools.cached_property
    def metas(self) -> tuple[tuple[str, ...], ...]:
        """Each variant's metavariables, sorted."""
        from generators.logicasker.chains import metas_of

        return tuple(metas_of(premises, conclusion) for premises, conclusion in self.variants)


def _variants(*pairs: tuple[list[str], str]) -> tuple:
    return tuple((tuple(parse(p) for p in ps), parse(c)) for ps, c in pairs)


def _eq(*pairs: tuple[str, str]) -> tuple:
    """An equivalence law applies in both directions."""
    both = [([a], b) for a, b in pairs] + [([b], a) for a, b in pairs]
    return _variants(*both)


_PROP_INFERENCE = {
    "modus_ponens": ([(["P → Q", "P"], "Q")], "if P then Q, and P; so Q"),
    "modus_tollens": (
        [(["P → Q", "¬Q"], "¬P"), (["P → ¬Q", "Q"], "¬P")],
        "if P then Q, and not Q; so not P",
    ),
    "hypothetical_syllogism": (
        [(["P → Q", "Q → R"], "P → R")],
        "implications chain: P→Q, Q→R give P→R",
    ),
    "disjunctive_syllogism": ([(["P ∨ Q", "¬P"], "Q")], "P or Q, and not P; so Q"),
    "addition": ([(["P"], "P ∨ Q")], "from P, 'P or anything' follows"),
    "simplification": ([(["P ∧ Q"], "P")], "from 'P and Q', P follows"),
    "conjunction": ([(["P", "Q"], "P ∧ Q")], "from P and from Q, 'P and Q' follows"),
    "resolution": ([(["P ∨ Q", "¬P ∨ R"], "Q ∨ R")], "P or Q, and not-P or R; so Q or R"),
    "disjunction_elimination": (
        [(["P → R", "Q → R", "P ∨ Q"], "R")],
        "both cases of 'P or Q' lead to R",
    ),
    "constructive_dilemma": (
        [(["P → Q", "R → S", "P ∨ R"], "Q ∨ S")],
        "P→Q, R→S and P or R; so Q or S",
    ),
    "biconditional_introduction": (
        [(["P → Q", "Q → P"], "P ↔ Q")],
        "implications both ways give 'iff'",
    ),
    "biconditional_elimination": (
        [
            (["P ↔ Q", "P"], "Q"),
            (["P ↔ Q", "¬Q"], "¬P"),
            (["P ↔ Q", "¬P"], "¬Q"),
            (["P ↔ Q"], "P → Q"),
            (["P ↔ Q"], "Q → P"),
        ],
        "'P iff Q' lets each side stand for the other",
    ),
}

_PROP_EQUIVALENCE = {
    "idempotent": ([("P ∧ P", "P"), ("P ∨ P", "P")], "P and P, or P or P, is just P"),
    "commutative": (
        [("P ∧ Q", "Q ∧ P"), ("P ∨ Q", "Q ∨ P")],
        "order does not matter in 'and' and 'or'",
    ),
    "associative": (
        [("(P ∧ Q) ∧ R", "P ∧ (Q ∧ R)"), ("(P ∨ Q) ∨ R", "P ∨ (Q ∨ R)")],
        "grouping does not matter in 'and' and 'or'",
    ),
    "distributive": (
        [("P ∧ (Q ∨ R)", "(P ∧ Q) ∨ (P ∧ R)"), ("P ∨ (Q ∧ R)", "(P ∨ Q) ∧ (P ∨ R)")],
        "'and' distributes over 'or' and vice versa",
    ),
    "complement": (
        [("Q", "Q ∧ (P ∨ ¬P)"), ("Q", "Q ∨ (P ∧ ¬P)")],
        "P or not P is always true; P and not P never is",
    ),
    "conditional": (
        [("P → Q", "¬P ∨ Q"), ("P → Q", "¬Q → ¬P")],
        "P→Q is 'not P or Q', and its contrapositive",
    ),
    "biconditional": ([("P ↔ Q", "(P → Q) ∧ (Q → P)")], "'P iff Q' is implication both ways"),
    "de_morgan": (
        [("¬(P ∧ Q)", "¬P ∨ ¬Q"), ("¬(P ∨ Q)", "¬P ∧ ¬Q")],
        "negation swaps 'and' and 'or'",
    ),
    "double_negation": ([("¬¬P", "P")], "not not P is P"),
}

_QUANT_INFERENCE = {
    "universal_instantiation": ([(["∀x P(x)"], "P(a)")], "what holds for everyone holds for a"),
    "universal_generalization": (
        [(["∀x (P(x) → Q(x))", "∀x P(x)"], "∀x Q(x)")],
        "Q holds of an arbitrary x, so of all x",
    ),
    "existential_instantiation": (
        [(["∃x P(x)", "∀x (P(x) → Q(x))"], "∃x Q(x)")],
        "take the x that is P; it is Q",
    ),
    "existential_generalization": ([(["P(a)"], "∃x P(x)")], "a is P, so someone is P"),
}

_QUANT_EQUIVALENCE = {
    "quantifier_negation": (
        [("¬∀x P(x)", "∃x ¬P(x)"), ("¬∃x P(x)", "∀x ¬P(x)")],
        "'not all' is 'some not'; 'none' is 'all not'",
    ),
    "quantifier_distribution": (
        [
            ("∀x (P(x) ∧ Q(x))", "(∀x P(x)) ∧ (∀x Q(x))"),
            ("∃x (P(x) ∨ Q(x))", "(∃x P(x)) ∨ (∃x Q(x))"),
        ],
        "∀ distributes over 'and', ∃ over 'or' (and, one way only, ∀ over 'or', ∃ over 'and')",
    ),
    "quantifier_movement": (
        [
            ("∀x (P(a) → Q(x))", "P(a) → (∀x Q(x))"),
            ("∃x (P(a) → Q(x))", "P(a) → (∃x Q(x))"),
            ("(∀x P(x)) → Q(a)", "∃x (P(x) → Q(a))"),
            ("(∃x P(x)) → Q(a)", "∀x (P(x) → Q(a))"),
            ("∃x (P(x) ∧ Q(a))", "(∃x P(x)) ∧ Q(a)"),
        ],
        "a quantifier moves past a part that does not mention x (out of an antecedent, "
        "∀ turns into ∃ and ∃ into ∀)",
    ),
}

_ONE_WAY = {  # schemas of an equivalence rule whose converse is invalid
    "quantifier_distribution": [
        (["(∀x P(x)) ∨ (∀x Q(x))"], "∀x (P(x) ∨ Q(x))"),
        (["∃x (P(x) ∧ Q(x))"], "(∃x P(x)) ∧ (∃x Q(x))"),
    ],
}

_FALLACIES_PROP = {
    "affirming_the_consequent": (
        [(["P → Q", "Q"], "P")],
        "Q can hold without P: 'if P then Q' is not 'if Q then P'",
    ),
    "denying_the_antecedent": ([(["P → Q", "¬P"], "¬Q")], "Q can hold without P"),
    "affirming_a_disjunct": ([(["P ∨ Q", "P"], "¬Q")], "'or' is inclusive: P and Q can both hold"),
    "denying_a_conjunct": ([(["¬(P ∧ Q)", "¬P"], "Q")], "'not both' allows neither"),
    "illicit_commutativity": ([(["P → Q"], "Q → P")], "an implication does not reverse"),
}

_FALLACIES_PRED = {
    "existential_fallacy": (
        [(["∀x (P(x) → Q(x))"], "∃x (P(x) ∧ Q(x))")],
        "'all P are Q' holds even if nothing is P",
    ),
    "illicit_major": (
        [(["∀x (P(x) → Q(x))", "∀x (R(x) → ¬P(x))"], "∀x (R(x) → ¬Q(x))")],
        "Q covers more than P: an R can be Q without being P",
    ),
    "illicit_minor": (
        [(["∀x (P(x) → Q(x))", "∀x (P(x) → R(x))"], "∀x (R(x) → Q(x))")],
        "an R need not be P",
    ),
    "undistributed_middle": (
        [(["∀x (P(x) → R(x))", "∀x (Q(x) → R(x))"], "∀x (P(x) → Q(x))")],
        "sharing R says nothing about P and Q",
    ),
}


_ANCHOR_NOTES = {
    "hypothetical_syllogism": "the anchor calls it 'transitivity'",
    "constructive_dilemma": "not in the anchor (left there as a to-do)",
    "biconditional_elimination": "the anchor's four schemas, and P ↔ Q, P ⊢ Q, which it lacks",
    "complement": "the anchor's 'complement laws' are ¬¬P ⟺ P, which is double negation; "
    "the complement laws are these (P ∨ ¬P always holds, P ∧ ¬P never does)",
    "double_negation": "the anchor lists it as its 'complement laws'",
    "idempotent": "the anchor applies idempotent, associative, distributive and De Morgan "
    "laws one way (the reverses are commented out); every equivalence law here applies "
    "both ways",
    "universal_instantiation": "the anchor's second schema ∀x P(x) ⊢ P(y) concludes an open "
    "formula (y free); the instance here is a named individual",
    "universal_generalization": "the anchor's schemas are wrong: P(x) ⊢ ∀y P(y) drops the "
    "side condition (x arbitrary, free in no premise), and as a sentence (x a constant) it "
    "is invalid; P(x) ⊢ ∃y P(y) is existential generalization, not universal. Here Q is "
    "derived for an arbitrary x from premises about every x, then generalized",
    "existential_instantiation": "not in the anchor",
    "quantifier_distribution": "the anchor lists ∀x P ∨ ∀x Q ⊢ ∀x (P ∨ Q) and "
    "∃x (P ∧ Q) ⊢ ∃x P ∧ ∃x Q among its equivalence laws, but their converses are invalid: "
    "here they apply one way only",
    "quantifier_movement": "the anchor states (∀x P(x)) → p ⊢ ∃x (P(x) → p) and "
    "(∃x P(x)) → p ⊢ ∀x (P(x) → p) one way; both are equivalences (domains are non-empty), "
    "applied both ways here, with P(a) as the part without x",
    "existential_fallacy": "the anchor's schema ∀x (P→Q), ¬∃x P ⊢ ¬∃x Q is a quantified "
    "denying the antecedent (see universal_denying_the_antecedent); the existential fallacy "
    "reads 'some P is Q' into 'all P are Q'",
    "illicit_major": "the anchor's schema ∀x (P→Q), ∃x Q ⊢ ∃x P is "
    "existential_affirming_the_consequent (here under that name); the illicit major "
    "concludes about all of the major term from premises about part of it",
    "undistributed_middle": "the anchor's schema ∀x (P→Q), Q(a) ⊢ P(a) is "
    "universal_affirming_the_consequent (here under that name); here the middle term R is "
    "never distributed",
}


def _lift(f: Formula) -> Formula:
    """A propositional schema over P..S as a predicate schema over P(x)..S(x)."""
    return map_atoms(f, lambda p: p if p.args else Pred(p.name, (Var("x"),)))


def _existential(variants: tuple) -> tuple:
    """The existential form of a propositional rule's variants: for each premise in turn,
    that premise under ∃x and the others under ∀x; the conclusion under ∃x. Valid whenever
    the propositional schema is (the ∃ premise's witness satisfies every ∀ premise)."""
    forms = []
    for premises, conclusion in variants:
        bodies = [_lift(p) for p in premises]
        for i in range(len(bodies)):
            quantified = tuple(
                Quant("exists" if j == i else "forall", "x", b) for j, b in enumerate(bodies)
            )
            forms.append((quantified, Quant("exists", "x", _lift(conclusion))))
    return tuple(forms)


def _propositional() -> list[Rule]:
    tables = (
        (_PROP_INFERENCE, INFERENCE),
        (_PROP_EQUIVALENCE, EQUIVALENCE),
        (_FALLACIES_PROP, FALLACY),
    )
    return [
        Rule(
            name,
            category,
            PROPOSITIONAL,
            _eq(*pairs) if category == EQUIVALENCE else _variants(*pairs),
            why,
            chainable=True,
        )
        for table, category in tables
        for name, (pairs, why) in table.items()
    ]


def _build() -> dict[str, Rule]:
    base = _propositional()
    rules = {r.name: r for r in base}
    for r in base:
        name = f"universal_{r.name}"
        why = f"for each x: {r.justification}"
        rules[name] = Rule(name, r.category, PREDICATE, r.variants, why, chainable=True)
    for r in base:
        name = f"existential_{r.name}"
        why = f"for some x: {r.justification}"
        rules[name] = Rule(name, r.category, PREDICATE, _existential(r.variants), why)
    for name, (pairs, why) in _QUANT_INFERENCE.items():
        rules[name] = Rule(name, INFERENCE, PREDICATE, _variants(*pairs), why)
    for name, (pairs, why) in _QUANT_EQUIVALENCE.items():
        variants = _eq(*pairs) + _variants(*_ONE_WAY.get(name, []))
        rules[name] = Rule(name, EQUIVALENCE, PREDICATE, variants, why)
    for name, (pairs, why) in _FALLACIES_PRED.items():
        rules[name] = Rule(name, FALLACY, PREDICATE, _variants(*pairs), why)
    for name, note in _ANCHOR_NOTES.items():
        rules[name] = dataclasses.replace(rules[name], note=note)
    return rules


RULES: dict[str, Rule] = _build()
