"""NLSat: random k-SAT in English (after allenai/language_fragments), solver-certified.

Gold "yes" iff the statements can all be true together. Every label comes from CaDiCaL
and is certified: SAT by checking its model against every clause, UNSAT by checking its
DRUP proof or, for at most 14 variables, by evaluating the formula on every assignment.
The re-check (`reasoning verify`) decides the DIMACS again with another engine (MiniSat)
and parses the English story back with the grammar, which must give the same CNF.

Every solver call is bounded by BUDGET conflicts (solver work, not seconds, so the same on
every machine). In generation a formula undecided within it is redrawn from the item's own
RNG (deterministic); after MAX_UNDECIDED such formulas for one item generation stops with
an error naming the budget. In the re-check an undecided formula is a disagreement.
"""

from __future__ import annotations

import functools
import math
import operator
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from generators.nlsat.english import GRAMMARS, atom_text, render_cnf, statements_of
from generators.nlsat.sampling import DrawTables
from generators.vocab import PEOPLE, PROPERTIES
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
from solvers.sat import (
    CNF,
    DimacsError,
    SolveResult,
    UncertifiedAnswer,
    decide,
    read_dimacs,
    satisfying_assignments,
    solve,
    write_dimacs,
)

SECOND_SOLVER = "minisat22"  # the re-check's engine: not the one that labels (CaDiCaL)

NAME = "nlsat"
# 3: atoms drawn from the chosen people x every property (two draws)
# 4: every solver call bounded by BUDGET conflicts, undecided formulas redrawn; n_vars <= 150
#    (only items whose formula needed more than BUDGET conflicts differ from version 3)
VERSION = "4"
MAX_ATTEMPTS = 1000
# Conflicts per solver call (MiniSat's filter, CaDiCaL's certified solve, the re-check's
# MiniSat); a DRUP proof has about one lemma per conflict, so this also bounds its check.
BUDGET = 20_000
MAX_UNDECIDED = 10  # formulas undecided within BUDGET one item may draw before giving up
# The largest n_vars generated reliably within BUDGET at the default ratio and k: at 150 the
# hardest items need ~5,000 conflicts; at 200 some items draw MAX_UNDECIDED formulas that
# need more than BUDGET (benchmarks/nlsat_budget.py)
MAX_VARS = 150
LABELS = ("yes", "no")


@dataclass(frozen=True)
class Config:
    n_vars: int = knob(
        10,
        f"number of propositional variables (atoms). Every solver call gets {BUDGET:,} "
        f"conflicts; a formula undecided within them is redrawn, and an item that draws "
        f"{MAX_UNDECIDED} such formulas stops generation with an error. At the default ratio "
        f"and k every allowed value fits (150: a few seconds per item, most of it checking "
        f"the proof of an unsatisfiable one); a harder ratio or k can outgrow the budget",
        low=2,
        high=MAX_VARS,
    )
    ratio: float = knob(
        4.26, "clause/variable ratio alpha = m/n (ignored if n_clauses > 0)", low=0.1, high=20.0
    )
    n_clauses: int = knob(
        0, "number of clauses m; 0 means round(ratio * n_vars)", low=0, high=10000
    )
    k: int = knob(3, "literals per clause", low=2, high=5)
    mix_2sat: float = knob(
        0.0, "fraction of clauses that are 2-clauses instead of k-clauses", low=0.0, high=1.0
    )
    grammar: str = knob(
        "rules",
        "English fragment: conditional rules about people, or relative clauses about one person",
        choices=GRAMMARS,
    )
    balance: float = knob(0.5, "share of satisfiable ('yes') items", low=0.0, high=1.0)

    def validate(self) -> None:
        check_knobs(self)
        if self.k > self.n_vars:
            raise ConfigError(f"knob k={self.k} exceeds n_vars={self.n_vars}; need k <= n_vars")
        if self.grammar == "relative" and self.n_vars > len(PROPERTIES):
            raise ConfigError(
                f"knob n_vars={self.n_vars} is too large for grammar=relative "
                f"(one property per variable); allowed: 2..{len(PROPERTIES)}"
            )

    @property
    def clause_count(self) -> int:
        return self.n_clauses or max(1, round(self.ratio * self.n_vars))


def _atoms(rng, config: Config) -> list[str]:
    """The variables' English atoms. `rules`: facts about a few people (about sqrt(n)), n
    distinct (person, property) pairs drawn uniformly from those people x every property.
    `relative`: n distinct properties."""
    if config.grammar == "relative":
        return rng.sample(PROPERTIES, config.n_vars)
    people = rng.sample(PEOPLE, min(len(PEOPLE), max(2, math.ceil(math.sqrt(config.n_vars)))))
    cells = rng.sample(range(len(people) * len(PROPERTIES)), config.n_vars)
    return [_atom_of(people[c // len(PROPERTIES)], c % len(PROPERTIES)) for c in cells]


@functools.lru_cache(maxsize=1 << 14)
def _atom_of(person: str, prop: int) -> str:
    return atom_text(person, PROPERTIES[prop])


_HEADERS = {
    "rules": "Here are some statements about people.",
    "relative": "Here are some statements about people. Assume at least one person exists.",
}
_QUESTIONS = {
    "rules": (
        "Can all of these statements be true at the same time? If yes, you may also say who "
        "has which property (for example: Alan is big, Bob is not red). "
        "End your reply with 'Answer: yes' or 'Answer: no'."
    ),
    "relative": (
        "Can all of these statements be true at the same time? "
        "End your reply with 'Answer: yes' or 'Answer: no'."
    ),
}


@dataclass
class _Draft:
    """An item between its stages: the kept formula and, when evaluated exhaustively, its
    satisfying-assignment set; `rng` goes on to draw the atoms."""

    index: int
    rng: random.Random
    cnf: CNF = CNF(0, ())  # set by `_draft`
    models: int | None = None
    attempts: int = 0  # formulas drawn for this item so far
    undecided: int = 0  # of which undecided within BUDGET


def _make_batch(
    config: Config, knobs: dict, seed: int, indices: range, tables: DrawTables
) -> list[Instance]:
    """The items of `indices`, stage by stage over the batch: draw and filter formulas,
    certify each with CaDiCaL, then write each out."""
    drafts = [_draft(config, _Draft(i, item_rng(NAME, knobs, seed, i)), tables) for i in indices]
    results = [_certify(d) for d in drafts]  # CaDiCaL, certified
    for j, result in enumerate(results):
        while result.satisfiable is None:  # CaDiCaL undecided within BUDGET: draw again
            drafts[j] = draft = _draft(config, _undecided(config, drafts[j]), tables)
            results[j] = result = _certify(draft)
    return [_finish(config, knobs, seed, d, r) for d, r in zip(drafts, results, strict=True)]


def _certify(draft: _Draft) -> SolveResult:
    """CaDiCaL's certified answer for the draft's formula, or undecided within BUDGET."""
    return solve(draft.cnf, models=draft.models, budget=BUDGET)


def _draft(config: Config, draft: _Draft, tables: DrawTables) -> _Draft:
    """The next formula of the item's label drawn from `draft.rng` (its CNF and, when
    evaluated exhaustively, its models set on `draft`), counting attempts on `draft`."""
    rng, target = draft.rng, wants_yes(draft.index, config.balance)
    m = config.clause_count
    sampler, sets, masks, everything = tables.sampler, tables.sets, tables.masks, tables.everything
    while draft.attempts < MAX_ATTEMPTS:  # attempts are only filtered; the kept one certified
        draft.attempts += 1
        picks = sampler.positions(rng, m) if masks is not None else None
        if picks is not None:  # the common case: decide from the clauses' table positions
            models = functools.reduce(operator.and_, map(masks.__getitem__, picks), everything)
            if bool(models) == target:
                draft.cnf = CNF(config.n_vars, sampler.clauses_at(picks))
                draft.models = models
                return draft
            continue
        cnf = sampler.cnf(rng, m)
        models = None
        if sets is not None:
            models = satisfying_assignments(cnf, sets)
            sat = bool(models)
        else:
            sat = decide(cnf, SECOND_SOLVER, budget=BUDGET)
            if sat is None:
                draft = _undecided(config, draft)
        if sat == target:
            draft.cnf, draft.models = cnf, models
            return draft
    wanted = "satisfiable" if target else "unsatisfiable"
    raise GenerationError(
        f"no {wanted} formula in {MAX_ATTEMPTS} tries at n_vars={config.n_vars}, "
        f"clauses={config.clause_count}, k={config.k}: such formulas are too rare here; "
        f"move ratio towards the phase transition (~4.26 for 3-SAT) or set balance="
        f"{0.0 if target else 1.0:g} for an unbalanced set"
    )


def _undecided(config: Config, draft: _Draft) -> _Draft:
    """Count one formula undecided within BUDGET; past MAX_UNDECIDED, a GenerationError."""
    draft.undecided += 1
    if draft.undecided >= MAX_UNDECIDED:
        raise GenerationError(
            f"item {draft.index}: {draft.undecided} formulas at n_vars={config.n_vars}, "
            f"clauses={config.clause_count}, k={config.k} were undecided within the solver "
            f"budget ({BUDGET:,} conflicts each): formulas this size are too hard here; "
            f"use fewer variables or a ratio further from the phase transition"
        )
    return draft


def _finish(config: Config, knobs: dict, seed: int, draft: _Draft, result) -> Instance:
    """The item from its certified formula: atoms, English, DIMACS, solver stats."""
    index, cnf, target = draft.index, draft.cnf, wants_yes(draft.index, config.balance)
    if result.satisfiable != target:
        raise UncertifiedAnswer(f"CaDiCaL and the filter disagree on item {index}")
    atoms = _atoms(draft.rng, config)
    block = render_cnf(cnf, atoms, config.grammar)  # `recheck` parses it back to `cnf`
    witness = [v if result.model[v] else -v for v in range(1, cnf.n_vars + 1)] if target else []
    prompt = "\n\n".join([_HEADERS[config.grammar], block, _QUESTIONS[config.grammar]])
    return Instance(
        id=instance_id(NAME, knobs, seed, index),
        family=NAME,
        prompt=prompt,
        answer="yes" if result.satisfiable else "no",
        hardness=knobs,
        meta={
            "formal": {"format": "dimacs", "text": write_dimacs(cnf)},
            "solver": {
                "name": result.solver,
                **result.stats,
                "certificate": result.certificate,
                "proof_lemmas": result.proof_lemmas,
            },
            "atoms": atoms,
            "witness": witness,
            "grammar": config.grammar,
            "seed": seed,
            "index": index,
            "generator_version": VERSION,
        },
    )


def generate(config: Config, seed: int, n: int, start: int = 0) -> Iterator[Instance]:
    """n NLSat items; item i depends only on (knobs, seed, i). Cost: one cheap decision per
    attempt (exhaustive evaluation up to 14 variables, else MiniSat; about 1/balance
    attempts per item near the phase transition) and one certified CaDiCaL solve, each
    solver call at most BUDGET conflicts (a formula undecided within it is redrawn, at most
    MAX_UNDECIDED times per item, then GenerationError)."""
    config.validate()
    make = functools.partial(
        _make_batch, tables=DrawTables.of(config.n_vars, config.k, config.mix_2sat)
    )
    return generate_batches(config, seed, n, make, start)


def _assignment(response: str, atoms: list[str]) -> tuple[dict[int, bool], list[str]]:
    """Facts 'Alan is big' / 'Alan is not big' stated in a response, and contradictions."""
    people = {a.split(" is ")[0] for a in atoms}
    number = {a: i + 1 for i, a in enumerate(atoms)}
    pattern = re.compile(rf"\b({'|'.join(map(re.escape, sorted(people)))}) is (not )?([a-z]+)\b")
    found: dict[int, bool] = {}
    clashes = []
    for person, neg, prop in pattern.findall(response):
        var = number.get(atom_text(person, prop))
        if var is None:
            continue
        value = not neg
        if found.get(var, value) != value:
            clashes.append(atom_text(person, prop))
        found[var] = value
    return found, clashes


def verify(instance: Instance, response: str) -> Verdict:
    """Strict yes/no; for the rules fragment, also check any assignment the response states.

    score 1.0: right label (and any stated assignment satisfies every statement);
    0.5: right 'yes' with a stated assignment that falsifies a statement; 0.0 otherwise.
    """
    choice = extract_choice(response, LABELS)
    if choice is None:
        return Verdict.unparsed(answer_hint(LABELS))
    correct = choice == instance.answer
    parsed: dict = {"answer": choice}
    feedback = "correct" if correct else f"incorrect: the answer is not '{choice}'"
    score = 1.0 if correct else 0.0
    atoms = instance.meta.get("atoms") or []
    if instance.meta.get("grammar") == "rules" and atoms and choice == "yes":
        stated, clashes = _assignment(response, atoms)
        if stated:
            parsed["assignment"] = {atoms[v - 1]: val for v, val in sorted(stated.items())}
            try:
                bad = read_dimacs(instance.meta["formal"]["text"]).first_falsified(stated)
            except (KeyError, TypeError, DimacsError) as exc:
                bad, feedback = None, f"{feedback}; meta.formal unreadable: {exc}"
            lines = statements_of(instance.prompt).splitlines()
            if clashes:
                feedback += f"; the assignment contradicts itself on '{clashes[0]}'"
                score = min(score, 0.5)
            elif bad is not None:
                sentence = lines[bad] if bad < len(lines) else f"clause {bad + 1}"
                feedback += f"; the stated assignment makes this statement false: {sentence}"
                score = min(score, 0.5)
    return Verdict(correct=correct, score=score, parsed=parsed, feedback=feedback)


from generators.nlsat.recheck import checker, recheck  # noqa: E402 - uses the constants above
from generators.nlsat.worked import worked  # noqa: E402

FAMILY = Family(
    name=NAME,
    summary="random k-SAT in English: can all the statements be true together? (yes/no)",
    config=Config,
    generate=generate,
    verify=verify,
    recheck=recheck,
    oracle=lambda inst: f"Answer: {inst.answer}",
    labels=LABELS,
    version=VERSION,
    checker=checker,
    tags=("grammar",),
    calibration=1,
    worked=worked,
)
