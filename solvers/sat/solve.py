"""Solve CNF with python-sat and certify the answer.

SAT answers are certified by checking the model against every clause; UNSAT answers by
checking the solver's DRUP proof with our own RUP checker (`solvers.sat.drup`), or, for at
most `truthtable.LIMIT` variables, by evaluating the formula on every assignment.

Every engine call is bounded by a budget of conflicts (`DEFAULT_BUDGET` unless the caller
passes another), plus `PROPAGATIONS_PER_CONFLICT` propagations per conflict where the
engine counts them (MiniSat and its descendants; CaDiCaL has no propagation limit). A call
that runs out is undecided: `SolveResult.satisfiable` is None (status "unknown") and
`decide` returns None. Budgets count solver work, not seconds, so whether a formula is
decided within one is the same on every machine and every run.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pysat.solvers import Solver, SolverNames

from solvers.sat.dimacs import CNF, MAX_VARS
from solvers.sat.drup import check_drup
from solvers.sat.truthtable import LIMIT as EXHAUSTIVE_LIMIT
from solvers.sat.truthtable import satisfying_assignments

DEFAULT_SOLVER = "cadical195"
# Engines that can emit DRUP proofs through python-sat.
# (lingeling can emit proofs too, but python-sat gives it no budget: calls could not be bounded)
PROOF_SOLVERS = ("cadical195", "cadical153", "glucose4", "glucose3", "maplechrono")


# Engines called through python-sat's C module directly when no proof is asked for: the
# same engine and answers as `pysat.solvers.Solver`, without two Python layers per clause
# (a third of the cost on the ~40-clause formulas of a generated item).
DIRECT_SOLVERS = ("cadical195", "minisat22")
STAT_KEYS = ("conflicts", "decisions", "propagations")

# Conflicts one engine call may spend before it gives up (status "unknown"). Random 3-SAT at
# the phase transition needs ~10^3 conflicts at 100 variables and ~2*10^4 at 200 (see
# benchmarks/nlsat_budget.py); an UNSAT answer's DRUP proof has about one lemma per conflict.
DEFAULT_BUDGET = 50_000
PROPAGATIONS_PER_CONFLICT = 1_000  # the propagation limit, where an engine has one


class UncertifiedAnswer(RuntimeError):
    """The solver's answer did not pass its certificate check (a solver bug, or ours)."""


@dataclass(frozen=True)
class SolveResult:
    """The outcome of one solver call.

    `satisfiable` is None when the engine ran out of its budget undecided (`status`
    "unknown"); `model` maps every variable to a bool (SAT only); `stats` holds the solver's
    conflicts, decisions and propagations; `certificate` is 'model', 'drup' or 'exhaustive'
    (every assignment evaluated) once checked, else 'none'.
    """

    satisfiable: bool | None
    model: dict[int, bool] | None
    solver: str
    stats: dict[str, int] = field(default_factory=dict)
    certificate: str = "none"
    proof_lemmas: int = 0

    @property
    def status(self) -> str:
        """'sat', 'unsat', or 'unknown' (undecided within the budget)."""
        if self.satisfiable is None:
            return "unknown"
        return "sat" if self.satisfiable else "unsat"


@functools.lru_cache(maxsize=1)
def available_solvers() -> tuple[str, ...]:
    """Names of every python-sat engine (for error messages and --help)."""
    return tuple(sorted(k for k in vars(SolverNames) if not k.startswith("_")))


def solve(
    cnf: CNF,
    solver: str = DEFAULT_SOLVER,
    certify: bool = True,
    models: int | None = None,
    budget: int = DEFAULT_BUDGET,
) -> SolveResult:
    """Decide satisfiability of `cnf` within `budget` conflicts; with `certify`, check the
    model or the DRUP proof. Undecided within the budget: `satisfiable` None, no certificate.

    `models`: the formula's satisfying-assignment set from
    `truthtable.satisfying_assignments`, when the caller already has it: a small formula's
    UNSAT answer is then certified by that exhaustive evaluation without repeating it, and
    a model by its bit in the set (every clause was evaluated on every assignment).

    Raises ValueError for an unknown solver name (or one without proofs when certifying a
    formula too large to evaluate exhaustively, or one python-sat cannot bound) and
    UncertifiedAnswer if a certificate fails. Cost: the solver call (at most `budget`
    conflicts) plus, for UNSAT, one unit propagation per proof lemma (about one lemma per
    conflict), or 2^n-bit operations per literal for at most EXHAUSTIVE_LIMIT variables.
    """
    _check_call(cnf, solver, budget)
    exhaustive = cnf.n_vars <= EXHAUSTIVE_LIMIT
    want_proof = certify and not exhaustive and solver in PROOF_SOLVERS
    if certify and not exhaustive and not want_proof:
        raise ValueError(
            f"solver {solver!r} cannot emit DRUP proofs; "
            f"certifying solvers: {', '.join(PROOF_SOLVERS)}"
        )
    sat, raw, literals, proof = _run(cnf, solver, want_proof, budget)
    stats = {k: int(raw.get(k, 0)) for k in STAT_KEYS}
    if sat is None:
        return SolveResult(None, None, solver, stats)
    model = None
    if sat:
        model = dict.fromkeys(range(1, cnf.n_vars + 1), False)
        model.update(zip(map(abs, literals or []), map((0).__lt__, literals or []), strict=True))
        if len(model) > cnf.n_vars:  # an engine that reported variables beyond n_vars
            model = {var: model[var] for var in range(1, cnf.n_vars + 1)}
    if not certify:
        return SolveResult(sat, model, solver, stats)
    if sat:
        assert model is not None
        if models is not None and exhaustive:  # the exhaustive set checked every clause
            if not (models >> assignment_index(model)) & 1:
                raise UncertifiedAnswer(f"{solver} model falsifies a clause")
            return SolveResult(sat, model, solver, stats, certificate="model")
        bad = cnf.first_falsified(model)  # the model is total: not falsified = satisfied
        if bad is not None:
            raise UncertifiedAnswer(f"{solver} model falsifies clause {bad}")
        return SolveResult(sat, model, solver, stats, certificate="model")
    if exhaustive:
        if models if models is not None else satisfying_assignments(cnf):
            raise UncertifiedAnswer(f"{solver} says UNSAT but an assignment satisfies every clause")
        return SolveResult(sat, None, solver, stats, certificate="exhaustive")
    check = check_drup(cnf.n_vars, cnf.clauses, proof or [])
    if not check.valid:
        raise UncertifiedAnswer(f"{solver} DRUP proof rejected: {check.reason}")
    return SolveResult(sat, None, solver, stats, certificate="drup", proof_lemmas=check.lemmas)


def decide(cnf: CNF, solver: str = DEFAULT_SOLVER, budget: int = DEFAULT_BUDGET) -> bool | None:
    """Satisfiable or not, in one engine call of at most `budget` conflicts; None when the
    budget runs out first. No certificate, model or stats (for filters and second opinions;
    `solve` for a certified answer). ValueError for an unknown solver."""
    _check_call(cnf, solver, budget)
    return _run(cnf, solver, False, budget)[0]


def _check_call(cnf: CNF, solver: str, budget: int) -> None:
    if solver not in available_solvers():
        raise ValueError(
            f"unknown SAT solver {solver!r}; choose from {', '.join(available_solvers())}"
        )
    if not isinstance(budget, int) or budget < 1:
        raise ValueError(f"solver budget must be a positive number of conflicts, got {budget!r}")
    if cnf.n_vars > MAX_VARS:  # engines and models allocate per variable
        raise ValueError(f"{cnf.n_vars} variables exceed the limit of {MAX_VARS}")


def _run(
    cnf: CNF, solver: str, want_proof: bool, budget: int
) -> tuple[bool | None, dict, list | None, list | None]:
    """(satisfiable or None if undecided within `budget` conflicts, accumulated stats, model
    literals, DRUP proof lines) from one fresh engine instance."""
    engine = None if want_proof else _direct_engine(solver)
    if engine is not None:
        return (*_solve_direct(engine, cnf.clauses, budget), None)
    with Solver(name=solver, bootstrap_with=cnf.clauses, with_proof=want_proof) as s:
        try:
            s.conf_budget(budget)
        except NotImplementedError:
            raise ValueError(
                f"solver {solver!r} has no conflict budget in python-sat, so its calls "
                f"cannot be bounded; use {DEFAULT_SOLVER!r} or 'minisat22'"
            ) from None
        try:
            s.prop_budget(budget * PROPAGATIONS_PER_CONFLICT)
        except NotImplementedError:
            pass  # CaDiCaL, Kissat: conflicts only
        sat = s.solve_limited()
        raw = s.accum_stats() or {}
        literals = s.get_model() if sat else None
        proof = s.get_proof() if (want_proof and sat is False) else None
    return sat, raw, literals, proof


@dataclass(frozen=True)
class _Engine:
    """python-sat's C functions for one engine: `limit(handle, budget)` sets the call's
    budgets and `run(handle, main_thread)` is the limited solve, answering True, False or
    None (undecided)."""

    new: Callable
    add: Callable
    limit: Callable
    run: Callable
    stats: Callable
    model: Callable
    delete: Callable


@functools.cache
def _direct_engine(solver: str) -> _Engine | None:
    """python-sat's C functions for `solver`, or None: not one of DIRECT_SOLVERS, or a
    python-sat build without them (then the `Solver` class runs it)."""
    if solver not in DIRECT_SOLVERS:
        return None
    try:
        import pysolvers  # python-sat's extension module, behind pysat.solvers.Solver
    except ImportError:
        return None
    ops = ("new", "add_cl", "cbudget", "solve_lim", "acc_stats", "model", "del")
    try:
        new, add, cbudget, run, stats, model, delete = (
            getattr(pysolvers, f"{solver}_{op}") for op in ops
        )
    except AttributeError:
        return None
    if solver.startswith("cadical"):  # answers 1 / -1 / 0; conflicts are its only budget
        return _Engine(
            new,
            add,
            cbudget,
            lambda handle, main: _CADICAL_ANSWERS[run(handle, [], main)],
            stats,
            model,
            lambda handle: delete(handle, None),  # also takes the proof file (none here)
        )
    pbudget = getattr(pysolvers, f"{solver}_pbudget")

    def limit(handle: object, budget: int) -> None:
        cbudget(handle, budget)
        pbudget(handle, budget * PROPAGATIONS_PER_CONFLICT)

    # MiniSat: (handle, assumptions, main thread, expect interrupt) -> True / False / None
    return _Engine(new, add, limit, lambda h, main: run(h, [], main, 0), stats, model, delete)


_CADICAL_ANSWERS = {1: True, -1: False, 0: None}


def _solve_direct(
    engine: _Engine, clauses: Sequence[Sequence[int]], budget: int
) -> tuple[bool | None, dict, list]:
    """(satisfiable or None, accumulated stats, model literals) from one fresh engine
    instance, limited to `budget` conflicts."""
    handle = engine.new()
    try:
        add = engine.add
        for clause in clauses:
            add(handle, clause)
        engine.limit(handle, budget)
        # as python-sat does: let Ctrl-C interrupt a long solve in the main thread
        sat = engine.run(handle, int(threading.current_thread() is threading.main_thread()))
        return sat, engine.stats(handle) or {}, (engine.model(handle) or []) if sat else []
    finally:
        engine.delete(handle)


def assignment_index(model: dict[int, bool]) -> int:
    """The assignment as an integer, bit v-1 = value of variable v (the bit position of the
    assignment in `truthtable.satisfying_assignments`)."""
    return sum(1 << (var - 1) for var, value in model.items() if value)
