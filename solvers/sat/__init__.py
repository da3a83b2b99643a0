"""SAT: DIMACS I/O, certified solving (python-sat + our DRUP checker or exhaustive evaluation),
z3 cross-check."""

from solvers.sat.dimacs import CNF, MAX_VARS, DimacsError, read_dimacs, write_dimacs
from solvers.sat.drup import ProofCheck, check_drup
from solvers.sat.solve import (
    DEFAULT_BUDGET,
    DEFAULT_SOLVER,
    PROOF_SOLVERS,
    SolveResult,
    UncertifiedAnswer,
    available_solvers,
    decide,
    solve,
)
from solvers.sat.truthtable import count_models, satisfying_assignments
from solvers.sat.z3check import z3_satisfiable, z3_satisfiable_dimacs

__all__ = [
    "CNF",
    "DEFAULT_BUDGET",
    "DEFAULT_SOLVER",
    "MAX_VARS",
    "PROOF_SOLVERS",
    "DimacsError",
    "ProofCheck",
    "SolveResult",
    "UncertifiedAnswer",
    "available_solvers",
    "check_drup",
    "count_models",
    "decide",
    "read_dimacs",
    "satisfying_assignments",
    "solve",
    "write_dimacs",
    "z3_satisfiable",
    "z3_satisfiable_dimacs",
]
