"""Solve CNF with python-sat and certify the answer.

SAT answers are certified by checking the model against every clause; UNSAT answers by
checking the solver's DRUP proof with our own RUP checker (`solvers.sat.drup`), or, for at
most `truthtable.LIMIT` variables, by evaluating the formula on every assignment.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from pysat.solvers import Solver, SolverNames

from solvers.sat.dimacs import CNF
from solvers.sat.drup import check_drup
from solvers.sat.truthtable import LIMIT as EXHAUSTIVE_LIMIT
from solvers.sat.truthtable import satisfying_assignments

DEFAULT_SOLVER = "cadical195"
# Engines that can emit DRUP proofs through python-sat.
PROOF_SOLVERS = ("cadical195", "cadical153", "glucose4", "glucose3", "lingeling", "maplechrono")


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
    `truthtable.satisfying_assignments`, when the caller already has it (an UNSAT answer of
    a small formula is then certified by that exhaustive evaluation without repeating it).

    Raises ValueError for an unknown solver name (or one without proofs when certifying a
    formula too large to evaluate exhaustively) and UncertifiedAnswer if a certificate
    fails. Cost: the solver call plus, for UNSAT, one unit propagation per proof lemma, or
    2^n-bit operations per literal for at most EXHAUSTIVE_LIMIT variables.
    """
    if solver not in available_solvers():
        raise ValueError(
            f"unknown SAT solver {solver!r}; choose from {', '.join(available_solvers())}"
        )
    exhaustive = cnf.n_vars <= EXHAUSTIVE_LIMIT
    want_proof = certify and not exhaustive and solver in PROOF_SOLVERS
    if certify and not exhaustive and not want_proof:
        raise ValueError(
            f"solver {solver!r} cannot emit DRUP proofs; "
            f"certifying solvers: {', '.join(PROOF_SOLVERS)}"
        )
    with Solver(name=solver, bootstrap_with=cnf.clauses, with_proof=want_proof) as s:
        sat = bool(s.solve())
        raw = s.accum_stats() or {}
        stats = {k: int(raw.get(k, 0)) for k in ("conflicts", "decisions", "propagations")}
        model = None
        if sat:
            model = dict.fromkeys(range(1, cnf.n_vars + 1), False)
            model.update((abs(lit), lit > 0) for lit in s.get_model() or [] if abs(lit) in model)
        proof = s.get_proof() if (want_proof and not sat) else None
    if not certify:
        return SolveResult(sat, model, solver, stats)
    if sat:
        assert model is not None
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
