"""The LogicAsker rule inventory as schemas over metavariables.

Propositional schemas use 0-ary metavariables P, Q, R, S (any formula may stand for them).
Predicate schemas use unary metavariables P, Q, R, S over x, and the constant a.
Every propositional inference rule also has a universal form ("universal_<rule>"): its
compound premises are quantified over x and its literal premises are facts about a.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from solvers.fol import Formula, parse

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
    "modus_tollens": ([(["P → Q", "¬Q"], "¬P")], "if P then Q, and not Q; so not P"),
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
        [(["P ↔ Q", "P"], "Q"), (["P ↔ Q", "¬Q"], "¬P")],
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
    "existential_simplification": (
        [(["∃x (P(x) ∧ Q(x))"], "∃x P(x)")],
        "someone is P and Q, so someone is P",
    ),
    "existential_addition": (
        [(["∃x P(x)"], "∃x (P(x) ∨ Q(x))")],
        "someone is P, so someone is P or Q",
    ),
    "existential_disjunctive_syllogism": (
        [(["∀x (P(x) ∨ Q(x))", "∃x ¬P(x)"], "∃x Q(x)")],
        "the x that is not P must be Q",
    ),
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
        "∀ distributes over 'and', ∃ over 'or'",
    ),
    "quantifier_movement": (
        [("∀x (P(a) → Q(x))", "P(a) → (∀x Q(x))"), ("∃x (P(x) ∧ Q(a))", "(∃x P(x)) ∧ Q(a)")],
        "a quantifier moves past a part that does not mention x",
    ),
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


def _build() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for table, category in ((_PROP_INFERENCE, INFERENCE), (_PROP_EQUIVALENCE, EQUIVALENCE)):
        for name, (pairs, why) in table.items():
            variants = _variants(*pairs) if category == INFERENCE else _eq(*pairs)
            rules[name] = Rule(name, category, PROPOSITIONAL, variants, why, chainable=True)
    for name, (pairs, why) in _PROP_INFERENCE.items():
        rules[f"universal_{name}"] = Rule(
            f"universal_{name}",
            INFERENCE,
            PREDICATE,
            _variants(*pairs),
            f"for each x: {why}",
            chainable=True,
        )
    for name, (pairs, why) in _QUANT_INFERENCE.items():
        rules[name] = Rule(name, INFERENCE, PREDICATE, _variants(*pairs), why)
    for name, (pairs, why) in _QUANT_EQUIVALENCE.items():
        rules[name] = Rule(name, EQUIVALENCE, PREDICATE, _eq(*pairs), why)
    for name, (pairs, why) in _FALLACIES_PROP.items():
        rules[name] = Rule(name, FALLACY, PROPOSITIONAL, _variants(*pairs), why, chainable=True)
    for name, (pairs, why) in _FALLACIES_PRED.items():
        rules[name] = Rule(name, FALLACY, PREDICATE, _variants(*pairs), why)
    return rules


RULES: dict[str, Rule] = _build()
