"""Solve CNF with python-sat and certify the answer.

SAT answers are certified by checking the model against every clause; UNSAT answers by
checking the solver's DRUP proof with our own RUP checker (`solvers.sat.drup`), or, for at
most `truthtable.LIMIT` variables, by evaluating the formula on every assignment.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from pysat.solvers import Solver, SolverNames

from solvers.sat.dimacs import CNF
from solvers.sat.drup import check_drup
from solvers.sat.truthtable import LIMIT as EXHAUSTIVE_LIMIT
from solvers.sat.truthtable import satisfying_assignments

DEFAULT_SOLVER = "cadical195"
# Engines that can emit DRUP proofs through python-sat.
PROOF_SOLVERS = ("cadical195", "cadical153", "glucose4", "glucose3", "lingeling", "maplechrono")


# Engines called through python-sat's C module directly when no proof is asked for: the
# same engine and answers as `pysat.solvers.Solver`, without two Python layers per clause
# (a third of the cost on the ~40-clause formulas of a generated item).
DIRECT_SOLVERS = ("cadical195", "minisat22")
STAT_KEYS = ("conflicts", "decisions", "propagations")


class UncertifiedAnswer(RuntimeError):
    """The solver's answer did not pass its certificate check (a solver bug, or ours)."""


@dataclass(frozen=True)
class SolveResult:
    """The outcome of one solver call.

    `model` maps every variable to a bool (SAT only); `stats` holds the solver's conflicts,
    decisions and propagations; `certificate` is 'model', 'drup' or 'exhaustive' (every
    assignment evaluated) once checked, else 'none'.
    """

    satisfiable: bool
    model: dict[int, bool] | None
    solver: str
    stats: dict[str, int] = field(default_factory=dict)
    certificate: str = "none"
    proof_lemmas: int = 0


@functools.lru_cache(maxsize=1)
def available_solvers() -> tuple[str, ...]:
    """Names of every python-sat engine (for error messages and --help)."""
    return tuple(sorted(k for k in vars(SolverNames) if not k.startswith("_")))


def solve(
    cnf: CNF, solver: str = DEFAULT_SOLVER, certify: bool = True, models: int | None = None
) -> SolveResult:
    """Decide satisfiability of `cnf`; with `certify`, check the model or the DRUP proof.

    `models`: the formula's satisfying-assignment set from
    `truthtable.satisfying_assignments`, when the caller already has it: a small formula's
    UNSAT answer is then certified by that exhaustive evaluation without repeating it, and
    a model by its bit in the set (every clause was evaluated on every assignment).

    Raises ValueError for an unknown solver name (or one without proofs when certifying a
    formula too large to evaluate exhaustively) and UncertifiedAnswer if a certificate
    fails. Cost: the solver call plus, for UNSAT, one unit propagation per proof lemma, or
    2^n-bit operations per literal for at most EXHAUSTIVE_LIMIT variables.
    """
    _known(solver)
    exhaustive = cnf.n_vars <= EXHAUSTIVE_LIMIT
    want_proof = certify and not exhaustive and solver in PROOF_SOLVERS
    if certify and not exhaustive and not want_proof:
        raise ValueError(
            f"solver {solver!r} cannot emit DRUP proofs; "
            f"certifying solvers: {', '.join(PROOF_SOLVERS)}"
        )
    sat, raw, literals, proof = _run(cnf, solver, want_proof)
    stats = {k: int(raw.get(k, 0)) for k in STAT_KEYS}
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


def decide(cnf: CNF, solver: str = DEFAULT_SOLVER) -> bool:
    """Satisfiable or not, in one engine call: no certificate, model or stats (for filters
    and second opinions; `solve` for a certified answer). ValueError for an unknown solver."""
    _known(solver)
    return _run(cnf, solver, False)[0]


def _known(solver: str) -> None:
    if solver not in available_solvers():
        raise ValueError(
            f"unknown SAT solver {solver!r}; choose from {', '.join(available_solvers())}"
        )


def _run(cnf: CNF, solver: str, want_proof: bool) -> tuple[bool, dict, list | None, list | None]:
    """(satisfiable, accumulated stats, model literals, DRUP proof lines) from one fresh
    engine instance."""
    engine = None if want_proof else _direct_engine(solver)
    if engine is not None:
        return (*_solve_direct(engine, cnf.clauses), None)
    with Solver(name=solver, bootstrap_with=cnf.clauses, with_proof=want_proof) as s:
        sat = bool(s.solve())
        raw = s.accum_stats() or {}
        literals = s.get_model() if sat else None
        proof = s.get_proof() if (want_proof and not sat) else None
    return sat, raw, literals, proof


@functools.cache
def _direct_engine(solver: str) -> tuple | None:
    """python-sat's C functions for `solver` (new, add clause, solve, stats, model, delete),
    or None: not one of DIRECT_SOLVERS, or a python-sat build without them (then the
    `Solver` class runs it)."""
    if solver not in DIRECT_SOLVERS:
        return None
    try:
        import pysolvers  # python-sat's extension module, behind pysat.solvers.Solver
    except ImportError:
        return None
    ops = ("new", "add_cl", "solve", "acc_stats", "model", "del")
    try:
        new, add, run, stats, model, delete = (getattr(pysolvers, f"{solver}_{op}") for op in ops)
    except AttributeError:
        return None
    if solver.startswith("cadical"):  # its destructor also takes the proof file (none here)
        return new, add, run, stats, model, lambda handle: delete(handle, None)
    return new, add, run, stats, model, delete


def _solve_direct(engine: tuple, clauses: Sequence[Sequence[int]]) -> tuple[bool, dict, list]:
    """(satisfiable, accumulated stats, model literals) from one fresh engine instance."""
    new, add, run, stats, model, delete = engine
    handle = new()
    try:
        for clause in clauses:
            add(handle, clause)
        # as python-sat does: let Ctrl-C interrupt a long solve in the main thread
        sat = bool(run(handle, [], int(threading.current_thread() is threading.main_thread())))
        return sat, stats(handle) or {}, (model(handle) or []) if sat else []
    finally:
        delete(handle)


def assignment_index(model: dict[int, bool]) -> int:
    """The assignment as an integer, bit v-1 = value of variable v (the bit position of the
    assignment in `truthtable.satisfying_assignments`)."""
    return sum(1 << (var - 1) for var, value in model.items() if value)
