"""LogicAsker: atomic rules of propositional and predicate logic, and fallacies, as
yes/no questions whose labels z3 certifies (and python-sat re-checks for propositional
items). Premises are always checked satisfiable: no vacuous items."""

from __future__ import annotations

import functools
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from generators.logicasker.chains import (
    Argument,
    Slots,
    apply_rule,
    has_slot,
    is_literal,
    proof_lines,
)
from generators.logicasker.english import Vocabulary, sentence
from generators.logicasker.explain import explain
from generators.logicasker.realise import realise
from generators.logicasker.recheck import ASK, HEAD, TAIL, checker, recheck
from generators.logicasker.rules import (
    EQUIVALENCE,
    FALLACY,
    INFERENCE,
    PREDICATE,
    PROPOSITIONAL,
    RULES,
    Rule,
)
from reasoning.core import (
    ConfigError,
    Family,
    GenerationError,
    Instance,
    Verdict,
    answer_hint,
    check_knobs,
    extract_choice,
    generate_batches,
    instance_id,
    item_rng,
    knob,
    wants_yes,
)
from solvers.fol import (
    BinOp,
    EntailmentMemo,
    Formula,
    InconsistentPremises,
    Not,
    SmtlibByShape,
    render,
    shape_and_symbols,
    to_smtlib,
)

NAME = "logicasker"
VERSION = "3"
LABELS = ("yes", "no")
KINDS = ("inference", "contradiction", "unrelated", "fallacy")
KIND_LABELS = {  # z3's three-way verdicts that each case kind allows
    "inference": ("True",),  # the conclusion follows
    "contradiction": ("False",),  # its negation follows
    "unrelated": ("Unknown",),  # neither follows
    "fallacy": ("Unknown", "False"),  # an invalid step: the conclusion does not follow
}
MAX_ATTEMPTS = 200
HELPERS = [  # rules that extend a chain by consuming its last conclusion
    r
    for r in RULES.values()
    if r.chainable and r.category == INFERENCE and r.logic == PROPOSITIONAL
]


@dataclass(frozen=True)
class Config:
    rule: str = knob("all", "'all', one rule name, or a comma-separated list (see the rule list)")
    kind: str = knob(
        "all", "case kind; 'all' mixes them to meet `balance`", choices=("all", *KINDS)
    )
    logic: str = knob(
        "both",
        "propositional, predicate, or both (drawn per item)",
        choices=("propositional", "predicate", "both"),
    )
    steps: int = knob(1, "rule applications chained before the question", low=1, high=10)
    distractors: int = knob(0, "irrelevant premises added", low=0, high=20)
    negation_depth: int = knob(0, "max negations wrapped around each fresh atom", low=0, high=3)
    vocab: int = knob(
        0, "vocabulary seed (0: fresh names and predicates per item)", low=0, high=10**9
    )
    balance: float = knob(
        0.5,
        "share of 'yes' items when kind=all (a selection of fallacies only is all 'no')",
        low=0.0,
        high=1.0,
    )

    def validate(self) -> None:
        check_knobs(self)
        logics = self.logics()
        if not logics:
            raise ConfigError(
                f"knob rule={self.rule!r} has no rule usable with logic={self.logic} and "
                f"steps={self.steps} (quantifier rules need steps=1; a propositional rule's "
                "predicate-logic forms are universal_<rule> and existential_<rule>)"
            )
        for logic in logics:
            kinds = _kinds(self.pool(logic))
            if self.kind != "all" and self.kind not in kinds:
                raise ConfigError(f"knob kind={self.kind!r} impossible with rule={self.rule!r}")

    def pool(self, logic: str) -> tuple[Rule, ...]:
        """The selected rules usable in `logic` at this chain length."""
        return _pool(self, logic)

    def rules(self) -> list[Rule]:
        if self.rule.strip() == "all":
            return list(RULES.values())
        names = [n.strip() for n in self.rule.split(",") if n.strip()]
        unknown = [n for n in names if n not in RULES]
        if unknown or not names:
            raise ConfigError(
                f"knob rule: unknown rule(s) {', '.join(unknown) or '(none given)'}; "
                f"allowed: all, {', '.join(RULES)}"
            )
        return [RULES[n] for n in names]

    def logics(self) -> list[str]:
        """The logics items alternate between: those where some selected rule is usable."""
        wanted = [PROPOSITIONAL, PREDICATE] if self.logic == "both" else [self.logic]
        return [logic for logic in wanted if self.pool(logic)]


@functools.lru_cache(maxsize=64)
def _pool(config: Config, logic: str) -> tuple[Rule, ...]:
    return tuple(r for r in config.rules() if _usable(r, logic, config.steps))


def _usable(rule: Rule, logic: str, steps: int) -> bool:
    """Propositional items use the propositional rules; predicate items their universal_
    and existential_ forms and the quantifier rules (in chains only the chainable ones)."""
    return rule.logic == logic and (rule.chainable or steps == 1)


def _kinds(pool: tuple[Rule, ...]) -> list[str]:
    kinds = []
    if any(r.category in (INFERENCE, EQUIVALENCE) for r in pool):
        kinds += ["inference", "contradiction", "unrelated"]
    if any(r.category == FALLACY for r in pool):
        kinds.append("fallacy")
    return kinds


def _case(config: Config, kinds: list[str], index: int, rng: random.Random) -> str:
    if config.kind != "all":
        return config.kind
    if "inference" in kinds and wants_yes(index, config.balance):
        return "inference"
    return rng.choice([k for k in kinds if k != "inference"])


def _build(rng, config, targets: tuple[Rule, ...]) -> tuple[Argument, Rule, Slots]:
    """The slot-level argument: a target rule (drawn from `targets`) on fresh slots, then
    steps-1 helper rules each consuming the previous conclusion (modus ponens always can)."""
    slots = Slots(rng, config.negation_depth)
    target = rng.choice(targets)
    step = apply_rule(target, rng, slots, None)
    assert step is not None
    arg = Argument([step])
    for _ in range(config.steps - 1):
        nxt = None
        for _ in range(20):
            nxt = apply_rule(rng.choice(HELPERS), rng, slots, arg.conclusion)
            if nxt is not None:
                break
        if nxt is None:
            nxt = apply_rule(RULES["modus_ponens"], rng, slots, arg.conclusion)
        arg.steps.append(nxt)
    return arg, target, slots


def _distractor(rng: random.Random, slots: Slots) -> Formula:
    a, b = slots.fresh(), slots.fresh()
    return rng.choice([a, Not(a), BinOp("implies", a, b), BinOp("or", a, b), BinOp("and", a, b)])


@dataclass(frozen=True)
class _Plan:
    """What every item of a run draws from: the logics, each one's kinds, and its target
    rules by (logic, whether the case is a fallacy)."""

    logics: list[str]
    kinds: dict[str, list[str]]
    targets: dict[tuple[str, bool], tuple[Rule, ...]]

    @classmethod
    def of(cls, config: Config) -> _Plan:
        logics = config.logics()
        pools = {logic: config.pool(logic) for logic in logics}
        targets = {
            (logic, fallacy): tuple(r for r in pool if (r.category == FALLACY) == fallacy)
            for logic, pool in pools.items()
            for fallacy in (False, True)
        }
        return cls(logics, {logic: _kinds(pool) for logic, pool in pools.items()}, targets)


def _make_item(config: Config, knobs: dict, seed: int, index: int, plan: _Plan) -> Instance:
    entail, writer = _entailment_memo(), _smtlib_writer()
    rng = item_rng(NAME, knobs, seed, index)
    logic = rng.choice(plan.logics)  # not by index: that would lock logic to the label
    case = _case(config, plan.kinds[logic], index, rng)
    targets = plan.targets[logic, case == "fallacy"]
    expected = "yes" if case == "inference" else "no"
    for _ in range(MAX_ATTEMPTS):
        arg, target, slots = _build(rng, config, targets)
        conclusion = arg.conclusion
        if case == "contradiction":
            conclusion = Not(conclusion)
        elif case == "unrelated":
            conclusion = slots.fresh()
        stated = arg.premises
        universal = all(not is_literal(p) for p in stated if has_slot(p)) and not is_literal(
            arg.conclusion
        )
        extras = [_distractor(rng, slots) for _ in range(config.distractors)]
        premises, concl, vocab = realise(
            [*stated, *extras], conclusion, universal and case != "unrelated", rng, config, logic
        )
        order = list(range(len(premises)))
        rng.shuffle(order)
        key, preds, consts = shape_and_symbols([*premises, concl])
        try:  # asked in construction order: fewer shapes to decide than after the shuffle
            result = entail(premises, concl, key)
        except InconsistentPremises:
            continue
        built, premises = premises, [premises[i] for i in order]
        if not result.decided and result.label == "Unknown":
            continue
        if result.label in KIND_LABELS[case]:  # z3 certifies the kind, not just yes/no
            formal = writer(key, preds, consts, [*built, concl], order)
            formal = formal or to_smtlib(premises, concl)  # to_smtlib: names it must change
            return _instance(
                config,
                knobs,
                seed,
                index,
                premises,
                concl,
                vocab,
                rng,
                arg,
                target,
                case,
                logic,
                expected,
                formal,
            )
    raise GenerationError(
        f"no {case} item for rule {config.rule!r} in {MAX_ATTEMPTS} tries; lower negation_depth"
    )


def _instance(
    config, knobs, seed, index, premises, concl, vocab, rng, arg, target, case, logic, label, formal
) -> Instance:
    lines = [sentence(p, rng, vocab) for p in premises]
    question = sentence(concl, rng, vocab)
    prompt = HEAD + "\n".join(lines) + ASK + question + TAIL  # the layout recheck reads
    script, query = formal
    meta = {
        "formal": {"format": "smtlib2", "text": script, "query": query},
        "fol": {"premises": [render(p) for p in premises], "conclusion": render(concl)},
        "sentences": lines,
        "question": question,
        "rule": target.name,
        "category": target.category,
        "kind": case,
        "logic": logic,
        "steps": len(arg.steps),
        "proof": proof_lines(arg),
        "justification": target.justification,
        "vocabulary": vocab.to_meta(),
        "seed": seed,
        "index": index,
        "generator_version": VERSION,
    }
    return Instance(instance_id(NAME, knobs, seed, index), NAME, prompt, label, knobs, meta)


def vocabulary_of(instance: Instance) -> Vocabulary:
    """The item's surface vocabulary, read back from meta.vocabulary."""
    return Vocabulary.from_meta(instance.meta["vocabulary"])


def generate(config: Config, seed: int, n: int, start: int = 0) -> Iterator[Instance]:
    """n LogicAsker items; item i depends only on (knobs, seed, i)."""
    config.validate()
    plan = _Plan.of(config)

    def make_batch(config: Config, knobs: dict, seed: int, indices: range) -> list[Instance]:
        return [_make_item(config, knobs, seed, index, plan) for index in indices]

    return generate_batches(config, seed, n, make_batch, start)


_THREAD = threading.local()


def _entailment_memo() -> EntailmentMemo:
    """This thread's memo: z3 decides each argument shape once for every run made here
    (answers do not depend on the knobs, and a z3 context must stay in one thread)."""
    memo = getattr(_THREAD, "entail", None)
    if memo is None:
        memo = _THREAD.entail = EntailmentMemo()
    return memo


def _smtlib_writer() -> SmtlibByShape:
    """This thread's SMT-LIB2 writer by argument shape (kept across runs, as the memo)."""
    writer = getattr(_THREAD, "smtlib", None)
    if writer is None:
        writer = _THREAD.smtlib = SmtlibByShape()
    return writer


def verify(instance: Instance, response: str) -> Verdict:
    """Strict final yes/no; the explanation is kept in `parsed` but never scored."""
    choice = extract_choice(response, LABELS)
    if choice is None:
        return Verdict.unparsed(answer_hint(LABELS))
    correct = choice == instance.answer
    parsed = {"answer": choice, "explanation": response.strip()[:2000]}
    rule = instance.meta.get("rule", "")
    feedback = (
        "correct"
        if correct
        else f"incorrect (rule: {rule}): {instance.meta.get('justification', '')}"
    )
    return Verdict(correct, 1.0 if correct else 0.0, parsed, feedback)


FAMILY = Family(
    name=NAME,
    summary="LogicAsker: can the conclusion be inferred? every atomic rule of propositional "
    "and predicate logic, and fallacies (yes/no)",
    config=Config,
    generate=generate,
    verify=verify,
    recheck=recheck,
    oracle=lambda inst: f"Answer: {inst.answer}",
    labels=LABELS,
    version=VERSION,
    checker=checker,
    tags=("rule", "kind", "logic"),
    cluster="rule",
    calibration=2,
    explain=explain,
    worked=lambda inst: explain(inst.meta),  # the rule named, then the answer
    catalogue=tuple(
        (f"{category} rules", tuple(r.name for r in RULES.values() if r.category == category))
        for category in (INFERENCE, EQUIVALENCE, FALLACY)
    ),
)
