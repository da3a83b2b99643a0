"""A second, independent SAT decision through z3 (another code base, its own DIMACS parser)."""

from __future__ import annotations

import z3

from solvers.sat.dimacs import CNF, write_dimacs


def z3_satisfiable_dimacs(text: str, timeout_ms: int = 60_000) -> bool | None:
    """Decide DIMACS CNF text with z3's own parser and SAT engine.

    True/False, or None if z3 gives up within the timeout. Raises ValueError if z3 cannot
    read the text.
    """
    solver = z3.SolverFor("QF_FD")
    solver.set("timeout", timeout_ms)
    try:
        solver.from_string(text)
    except z3.Z3Exception as exc:
        raise ValueError(f"z3 cannot read the DIMACS text: {exc}") from None
    result = solver.check()
    if result == z3.sat:
        return True
    if result == z3.unsat:
        return False
    return None


def z3_satisfiable(cnf: CNF, timeout_ms: int = 60_000) -> bool | None:
    """`z3_satisfiable_dimacs` of a CNF value."""
    return z3_satisfiable_dimacs(write_dimacs(cnf), timeout_ms)
