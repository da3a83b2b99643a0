"""NLSat: random k-SAT in English (after allenai/language_fragments), solver-certified.

Gold "yes" iff the statements can all be true together. Every label comes from CaDiCaL
and is certified: SAT by checking its model against every clause, UNSAT by checking its
DRUP proof or, for at most 14 variables, by evaluating the formula on every assignment.
The re-check (`reasoning verify`) decides the DIMACS again with another engine (MiniSat)
and parses the English story back with the grammar, which must give the same CNF.
"""

from __future__ import annotations

import functools
import math
import operator
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from generators.nlsat.english import GRAMMARS, EnglishParseError, atom_text, parse_cnf, render_cnf
from generators.nlsat.sampling import ClauseSampler
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
    UncertifiedAnswer,
    decide,
    read_dimacs,
    satisfying_assignments,
    solve,
    write_dimacs,
)
from solvers.sat.truthtable import LIMIT as EXHAUSTIVE_LIMIT
from solvers.sat.truthtable import LiteralSets, literal_sets

SECOND_SOLVER = "minisat22"  # the re-check's engine: not the one that labels (CaDiCaL)

NAME = "nlsat"
VERSION = "3"  # 3: atoms drawn from the chosen people x every property (two draws)
MAX_ATTEMPTS = 1000
LABELS = ("yes", "no")


@dataclass(frozen=True)
class Config:
    n_vars: int = knob(10, "number of propositional variables (atoms)", low=2, high=500)
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


def statements_of(prompt: str) -> str:
    """The statements block of an NLSat prompt (its second paragraph)."""
    first = prompt.find("\n\n")  # what prompt.split("\n\n")[1] is when it has 3+ parts
    second = prompt.find("\n\n", first + 2) if first >= 0 else -1
    return prompt[first + 2 : second] if second >= 0 else ""


@dataclass
class _Draft:
    """An item between its stages: the kept formula and, when evaluated exhaustively, its
    satisfying-assignment set; `rng` goes on to draw the atoms."""

    index: int
    rng: random.Random
    cnf: CNF
    models: int | None


@dataclass(frozen=True)
class _Tables:
    """What every item of a run draws from: the clause sampler and, for exhaustive
    evaluation, each literal's and each table clause's satisfying-assignment set."""

    sampler: ClauseSampler
    sets: dict[int, int] | None
    masks: list[int] | None
    everything: int  # the set of all assignments

    @classmethod
    def of(cls, config: Config) -> _Tables:
        sets = _literal_sets(config.n_vars) if config.n_vars <= EXHAUSTIVE_LIMIT else None
        return cls(
            ClauseSampler(config.n_vars, config.k, config.mix_2sat),
            sets,
            _clause_sets(config.n_vars, config.k) if sets is not None else None,
            (1 << (1 << config.n_vars)) - 1 if sets is not None else 0,
        )


def _make_batch(
    config: Config, knobs: dict, seed: int, indices: range, tables: _Tables
) -> list[Instance]:
    """The items of `indices`, stage by stage over the batch: draw and filter formulas,
    certify each with CaDiCaL, then write each out."""
    drafts = [_draft(config, knobs, seed, i, tables) for i in indices]
    results = [solve(d.cnf, models=d.models) for d in drafts]  # CaDiCaL, certified
    return [_finish(config, knobs, seed, d, r) for d, r in zip(drafts, results, strict=True)]


def _draft(config: Config, knobs: dict, seed: int, index: int, tables: _Tables) -> _Draft:
    rng = item_rng(NAME, knobs, seed, index)
    target = wants_yes(index, config.balance)
    m = config.clause_count
    sampler, sets, masks, everything = tables.sampler, tables.sets, tables.masks, tables.everything
    for _ in range(MAX_ATTEMPTS):  # attempts are only filtered; the kept one is certified
        picks = sampler.positions(rng, m) if masks is not None else None
        if picks is not None:  # the common case: decide from the clauses' table positions
            models = functools.reduce(operator.and_, map(masks.__getitem__, picks), everything)
            if bool(models) == target:
                return _Draft(index, rng, CNF(config.n_vars, sampler.clauses_at(picks)), models)
            continue
        cnf = sampler.cnf(rng, m)
        models = None
        if sets is not None:
            models = satisfying_assignments(cnf, sets)
            sat = bool(models)
        else:
            sat = decide(cnf, SECOND_SOLVER)
        if sat == target:
            return _Draft(index, rng, cnf, models)
    wanted = "satisfiable" if target else "unsatisfiable"
    raise GenerationError(
        f"no {wanted} formula in {MAX_ATTEMPTS} tries at n_vars={config.n_vars}, "
        f"clauses={config.clause_count}, k={config.k}: such formulas are too rare here; "
        f"move ratio towards the phase transition (~4.26 for 3-SAT) or set balance="
        f"{0.0 if target else 1.0:g} for an unbalanced set"
    )


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


@functools.lru_cache(maxsize=4)
def _clause_sets(n_vars: int, k: int) -> list[int] | None:
    """For each clause of the sampler's k-clause table (same order), the set of assignments
    satisfying it; None when those sets would take more than ~16 MiB."""
    table = ClauseSampler(n_vars, k, 0.0).tables.get(k)
    if n_vars > EXHAUSTIVE_LIMIT or table is None or len(table) << n_vars > 1 << 27:
        return None
    sets = _literal_sets(n_vars)
    return [sets[clause] for clause in table]


@functools.lru_cache(maxsize=4)
def _literal_sets(n_vars: int) -> LiteralSets:
    """One table per variable count for the whole process: its clause sets stay warm
    across runs and chunks (the sets depend on nothing else)."""
    return literal_sets(n_vars)


def generate(config: Config, seed: int, n: int, start: int = 0) -> Iterator[Instance]:
    """n NLSat items; item i depends only on (knobs, seed, i). Cost: one cheap decision per
    attempt (exhaustive evaluation up to 14 variables, else MiniSat; about 1/balance
    attempts per item near the phase transition) and one certified CaDiCaL solve."""
    config.validate()
    make = functools.partial(_make_batch, tables=_Tables.of(config))
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
            cnf = read_dimacs(instance.meta["formal"]["text"])
            bad = cnf.first_falsified(stated)
            lines = statements_of(instance.prompt).splitlines()
            if clashes:
                feedback += f"; the assignment contradicts itself on '{clashes[0]}'"
                score = min(score, 0.5)
            elif bad is not None:
                sentence = lines[bad] if bad < len(lines) else f"clause {bad + 1}"
                feedback += f"; the stated assignment makes this statement false: {sentence}"
                score = min(score, 0.5)
    return Verdict(correct=correct, score=score, parsed=parsed, feedback=feedback)


def checker() -> Callable[[Instance], list[str]]:
    """A recheck function that keeps the parsed sentence shapes across items."""
    shapes: dict = {}

    def check(instance: Instance) -> list[str]:
        """Re-derive the label by a second path: another engine (MiniSat, not CaDiCaL)
        decides meta.formal; the English parses back to the same CNF; the stored witness
        satisfies it. Returns the disagreements."""
        problems = []
        atoms = instance.meta.get("atoms") or []
        grammar = instance.meta.get("grammar", "rules")
        try:
            english = parse_cnf(statements_of(instance.prompt), atoms, grammar, shapes=shapes)
        except EnglishParseError as exc:
            english = None
            problems.append(f"prompt text does not parse: {exc}")
        try:
            formal = instance.meta["formal"]["text"]
            if english is not None and write_dimacs(english) == formal:
                cnf = english  # the same CNF: the writer is canonical and read inverts it
            else:
                cnf = read_dimacs(formal)
                if english is not None and english != cnf:
                    problems.append("prompt text does not parse to meta.formal")
        except (KeyError, TypeError, ValueError) as exc:
            return [*problems, f"meta.formal unreadable: {exc}"]
        sat = decide(cnf, SECOND_SOLVER)
        if ("yes" if sat else "no") != instance.answer:
            problems.append(
                f"{SECOND_SOLVER} says {'SAT' if sat else 'UNSAT'}, label is {instance.answer!r}"
            )
        if instance.answer == "yes":
            true = set(instance.meta.get("witness") or [])
            if len({abs(v) for v in true}) != len(true) or any(
                true.isdisjoint(clause) for clause in cnf.clauses
            ):
                problems.append("stored witness does not satisfy the formula")
        return problems

    return check


def recheck(instance: Instance) -> list[str]:
    """See `checker`: the same check for one item."""
    return checker()(instance)


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
)
