from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pysat.solvers import Solver

from solvers.sat import (
    CNF,
    check_drup,
    count_models,
    decide,
    read_dimacs,
    solve,
    z3_satisfiable,
)
from tests.conftest import shared
from tests.solvers.test_dimacs import cnfs


def brute_force_sat(cnf: CNF) -> bool:
    for bits in itertools.product([False, True], repeat=cnf.n_vars):
        if cnf.satisfied_by({v + 1: b for v, b in enumerate(bits)}):
            return True
    return False


def satlib_files():
    root = shared("satlib")
    files = sorted(root.glob("*/*.cnf"))
    assert len(files) == 300
    return files


def test_all_300_satlib_files_get_certified_labels():
    for path in satlib_files():
        cnf = read_dimacs(path.read_text())
        result = solve(cnf)
        expect_sat = not path.name.startswith("uuf")
        assert result.satisfiable == expect_sat, path.name
        assert result.certificate == ("model" if expect_sat else "drup"), path.name
        if expect_sat:
            assert cnf.satisfied_by(result.model)


def test_z3_agrees_on_every_satlib_file():
    for path in satlib_files():
        cnf = read_dimacs(path.read_text())
        assert z3_satisfiable(cnf) == (not path.name.startswith("uuf")), path.name


@given(cnfs(max_vars=8, max_clauses=40), st.sampled_from(["cadical195", "glucose4", "maplechrono"]))
def test_certified_label_matches_brute_force(cnf, engine):
    result = solve(cnf, solver=engine)
    assert result.satisfiable == brute_force_sat(cnf)
    assert result.satisfiable == z3_satisfiable(cnf)
    assert decide(cnf, engine) == result.satisfiable == decide(cnf, "minisat22")


def _proof(cnf: CNF) -> list[str]:
    with Solver(
        name="cadical195", bootstrap_with=[list(c) for c in cnf.clauses], with_proof=True
    ) as s:
        assert not s.solve()
        return list(s.get_proof())


def _random_unsat(rng: random.Random, n: int) -> CNF:
    while True:
        clauses = tuple(
            tuple(v if rng.random() < 0.5 else -v for v in rng.sample(range(1, n + 1), 3))
            for _ in range(int(5.5 * n))
        )
        cnf = CNF(n, clauses)
        if not solve(cnf, certify=False).satisfiable:
            return cnf


@given(st.integers(0, 10**6))
def test_drup_checker_never_certifies_a_satisfiable_formula(seed):
    """Soundness: a real proof of some UNSAT formula, replayed against a satisfiable subset
    of it, must be rejected."""
    rng = random.Random(seed)
    cnf = _random_unsat(rng, 20)
    proof = _proof(cnf)
    assert check_drup(cnf.n_vars, cnf.clauses, proof).valid
    clauses = list(cnf.clauses)
    while not solve(CNF(cnf.n_vars, tuple(clauses)), certify=False).satisfiable:
        clauses.pop(rng.randrange(len(clauses)))
    assert not check_drup(cnf.n_vars, clauses, proof).valid


@given(st.integers(0, 10**6), st.integers(1, 5))
def test_drup_checker_accepts_the_engines_proofs_with_extra_variables(seed, extra):
    """Completeness on real proofs (the root assignment is kept between lemmas), also when
    lemmas first mention variables beyond n_vars (the checker's tables grow mid-proof)."""
    rng = random.Random(seed)
    cnf = _random_unsat(rng, 12)
    proof = _proof(cnf)
    assert check_drup(cnf.n_vars, cnf.clauses, proof).valid
    fresh = cnf.n_vars + extra
    weakened = [  # each subsumed by a clause of the formula, so RUP
        " ".join(map(str, (sign * fresh, *clause, 0)))
        for clause in cnf.clauses[:3]
        for sign in (1, -1)
    ]
    assert check_drup(cnf.n_vars, cnf.clauses, [proof[0], *weakened, *proof[1:]]).valid


def test_drup_checker_rejects_garbage_lines():
    cnf = CNF(1, ((1,), (-1,)))
    assert check_drup(1, cnf.clauses, ["0"]).valid
    assert not check_drup(1, ((1,),), ["0"]).valid
    assert not check_drup(1, cnf.clauses, ["1 2"]).valid  # not terminated by 0


def test_unknown_or_proofless_solver_is_a_clear_error():
    cnf = CNF(1, ((1,),))
    with pytest.raises(ValueError, match="unknown SAT solver 'nope'"):
        solve(cnf, solver="nope")
    with pytest.raises(ValueError, match="unknown SAT solver 'nope'"):
        decide(cnf, "nope")
    big = CNF(30, ((1, 2), (-1,), (-2,)))  # too many variables to certify by exhaustion
    with pytest.raises(ValueError, match="cannot emit DRUP proofs"):
        solve(big, solver="minisat22")
    assert solve(cnf, solver="minisat22", certify=False).satisfiable
    assert solve(CNF(1, ((1,), (-1,))), solver="minisat22").certificate == "exhaustive"


@given(cnfs(max_vars=8, max_clauses=40))
def test_model_count_matches_brute_force(cnf):
    count = sum(
        cnf.satisfied_by({v + 1: b for v, b in enumerate(bits)})
        for bits in itertools.product([False, True], repeat=cnf.n_vars)
    )
    assert count_models(cnf) == count
    result = solve(cnf)
    assert result.certificate == ("model" if count else "exhaustive")


_SHARED_SETS: dict = {}  # one table per variable count, reused across examples (clause hits)


@given(cnfs(max_vars=8, max_clauses=40))
def test_shared_literal_sets_give_the_fresh_answer(cnf):
    from solvers.sat.truthtable import literal_sets, satisfying_assignments

    shared = _SHARED_SETS.setdefault(cnf.n_vars, literal_sets(cnf.n_vars))
    fresh = satisfying_assignments(cnf, dict(literal_sets(cnf.n_vars)))  # a plain dict too
    assert satisfying_assignments(cnf, shared) == fresh
    assert fresh.bit_count() == count_models(cnf)


@given(cnfs(max_vars=8, max_clauses=40), st.sampled_from(["cadical195", "minisat22"]))
def test_direct_engine_calls_match_the_solver_class(cnf, engine):
    """solve() drives these engines through python-sat's C functions; the answer, model
    and stats must be what pysat.solvers.Solver gives for the same clauses."""
    from solvers.sat.solve import _direct_engine

    assert _direct_engine(engine) is not None
    result = solve(cnf, solver=engine, certify=False)
    with Solver(name=engine, bootstrap_with=cnf.clauses) as s:
        sat = s.solve()
        model = s.get_model() if sat else None
        stats = s.accum_stats()
    assert result.satisfiable == sat
    assert result.stats == {k: stats.get(k, 0) for k in ("conflicts", "decisions", "propagations")}
    if sat:
        assert {v for v, val in result.model.items() if val} == {lit for lit in model if lit > 0}


@given(cnfs(max_vars=8, max_clauses=40))
def test_a_model_outside_the_exhaustive_set_is_not_certified(cnf):
    """A SAT answer is certified by its model's bit in the satisfying set when the caller
    passes that set: a set without that bit must raise, never pass."""
    from solvers.sat import UncertifiedAnswer
    from solvers.sat.solve import assignment_index
    from solvers.sat.truthtable import satisfying_assignments

    models = satisfying_assignments(cnf)
    result = solve(cnf, models=models)
    assert result.satisfiable == bool(models)
    if result.satisfiable:
        assert result.certificate == "model"
        wrong = models & ~(1 << assignment_index(result.model))
        with pytest.raises(UncertifiedAnswer):
            solve(cnf, models=wrong)


def hard_random_3sat(n_vars: int = 350, seed: int = 0) -> CNF:
    """Random 3-SAT at the phase transition: far beyond a few hundred conflicts."""
    rng = random.Random(seed)
    clauses = tuple(
        tuple(v if rng.random() < 0.5 else -v for v in rng.sample(range(1, n_vars + 1), 3))
        for _ in range(round(4.26 * n_vars))
    )
    return CNF(n_vars, clauses)


@pytest.mark.parametrize("engine", ["cadical195", "minisat22", "glucose4"])
@pytest.mark.parametrize("certify", [True, False])
def test_a_call_out_of_budget_is_undecided_not_a_hang(engine, certify):
    """A hard formula under a small conflict budget comes back undecided (status 'unknown',
    no model, no certificate) from every path: the direct C call, the Solver class and the
    proof-logging run; decide() says None."""
    cnf = hard_random_3sat()
    if certify and engine == "minisat22":
        return  # no proofs: a certified call is refused (tested elsewhere)
    result = solve(cnf, solver=engine, certify=certify, budget=200)
    assert result.satisfiable is None and result.status == "unknown"
    assert result.model is None and result.certificate == "none"
    assert result.stats["conflicts"] >= 200
    assert decide(cnf, engine, budget=200) is None


@given(
    cnfs(max_vars=10, max_clauses=60),
    st.integers(1, 40),
    st.sampled_from(["cadical195", "minisat22", "glucose4"]),
)
def test_a_budgeted_answer_is_none_or_the_truth_and_repeats(cnf, budget, engine):
    """Under any budget an engine either gives the true answer or none; the budget counts
    conflicts, not time, so the same call gives the same outcome and stats again."""
    truth = brute_force_sat(cnf)
    first = solve(cnf, solver=engine, certify=False, budget=budget)
    assert first.satisfiable in (None, truth)
    assert first.status == {None: "unknown", True: "sat", False: "unsat"}[first.satisfiable]
    again = solve(cnf, solver=engine, certify=False, budget=budget)
    assert (again.satisfiable, again.stats) == (first.satisfiable, first.stats)
    assert decide(cnf, engine, budget=budget) == first.satisfiable


def test_unboundable_engines_and_bad_budgets_are_refused():
    cnf = CNF(2, ((1, 2),))
    with pytest.raises(ValueError, match="'lingeling' has no conflict budget"):
        solve(cnf, solver="lingeling", certify=False)
    for budget in (0, -5, 1.5):
        with pytest.raises(ValueError, match="budget must be a positive number"):
            decide(cnf, budget=budget)
    from solvers.sat.dimacs import MAX_VARS

    with pytest.raises(ValueError, match="exceed the limit"):
        decide(CNF(MAX_VARS + 1, ((1,),)))


def test_z3_second_opinion_is_bounded_and_reads_through_our_reader():
    """z3 stops at its rlimit (deterministic work units) with None; a hostile header is
    rejected by our bounded reader before z3's own parser sizes anything by it."""
    from solvers.sat import DimacsError, z3_satisfiable_dimacs

    assert z3_satisfiable(hard_random_3sat(), rlimit=20_000) is None
    with pytest.raises(DimacsError, match="2000000000 variables"):
        z3_satisfiable_dimacs("p cnf 2000000000 1\n2000000000 0\n")
    assert z3_satisfiable_dimacs("p cnf 2 2\n1 0\n-1 2 0\n") is True
