"""A second, independent SAT decision through z3 (another code base, its own DIMACS parser)."""

from __future__ import annotations

import z3

from solvers.sat.dimacs import CNF, read_dimacs, write_dimacs

# z3's deterministic work budget per call ("rlimit" units, as in solvers.fol.z3bridge):
# whether z3 gives up depends on the formula, not on the machine. All 300 SATLIB files
# here (up to 250 variables) are decided within 200,000 units; a hard 350-variable random
# 3-SAT formula spends 2,000,000 in about 2-3 s.
RLIMIT = 2_000_000


def z3_satisfiable_dimacs(
    text: str, timeout_ms: int = 60_000, rlimit: int = RLIMIT, checked: bool = False
) -> bool | None:
    """Decide DIMACS CNF text with z3's own parser and SAT engine.

    True/False, or None if z3 gives up within `rlimit` units of work (or, as a safety net,
    the timeout). The text is first read by our bounded reader (skipped when `checked`:
    the caller wrote it), so z3 never sizes anything by a hostile header. Raises ValueError
    (DimacsError) if either reader rejects the text.
    """
    if not checked:
        read_dimacs(text)
    solver = z3.SolverFor("QF_FD")
    solver.set("rlimit", rlimit)
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


def z3_satisfiable(cnf: CNF, timeout_ms: int = 60_000, rlimit: int = RLIMIT) -> bool | None:
    """`z3_satisfiable_dimacs` of a CNF value."""
    return z3_satisfiable_dimacs(write_dimacs(cnf), timeout_ms, rlimit, checked=True)
