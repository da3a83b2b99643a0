from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvers.sat import CNF, DimacsError, read_dimacs, write_dimacs


@st.composite
def cnfs(draw, max_vars=12, max_clauses=30):
    n = draw(st.integers(1, max_vars))
    lit = st.integers(1, n).flatmap(lambda v: st.sampled_from([v, -v]))
    clauses = draw(st.lists(st.lists(lit, min_size=1, max_size=5).map(tuple), max_size=max_clauses))
    return CNF(n, tuple(clauses))


@given(cnfs())
def test_write_read_round_trip(cnf):
    assert read_dimacs(write_dimacs(cnf)) == cnf


def test_both_satlib_styles_are_read():
    modern = "p cnf 3  2 \n 1 -2 0\n2 3 0\n"
    original = "c SATLIB style\nc with comments\np cnf 3 2\n1 -2\n 0 2 3 0\n%\n0\n\n"
    expected = CNF(3, ((1, -2), (2, 3)))
    assert read_dimacs(modern) == expected
    assert read_dimacs(original) == expected


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("1 2 0\n", "clause before the 'p cnf' line"),
        ("p cnf x 1\n1 0\n", "counts must be integers"),
        ("p cnf 2 1\n1 3 0\n", "literal 3 exceeds 2 variables"),
        ("p cnf 2 2\n1 0\n", "declares 2 clauses, found 1"),
        ("p cnf 2 1\n1 a 0\n", "'a' is not a literal"),
        ("", "no 'p cnf' problem line"),
    ],
)
def test_malformed_dimacs_names_the_problem(text, pattern):
    with pytest.raises(DimacsError, match=pattern):
        read_dimacs(text)


@given(cnfs(), st.dictionaries(st.integers(1, 12), st.booleans()))
def test_first_falsified_agrees_with_brute_definition(cnf, assignment):
    bad = cnf.first_falsified(assignment)
    falsified = [
        i
        for i, c in enumerate(cnf.clauses)
        if all(abs(x) in assignment and assignment[abs(x)] != (x > 0) for x in c)
    ]
    assert bad == (falsified[0] if falsified else None)
