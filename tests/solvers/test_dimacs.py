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


@st.composite
def uniform_cnfs(draw, max_vars=12, max_clauses=30):
    """CNFs whose clauses all have one width (random k-SAT's layout)."""
    n = draw(st.integers(1, max_vars))
    width = draw(st.integers(1, 5))
    lit = st.integers(1, n).flatmap(lambda v: st.sampled_from([v, -v]))
    clause = st.lists(lit, min_size=width, max_size=width).map(tuple)
    return CNF(n, tuple(draw(st.lists(clause, max_size=max_clauses))))


@given(st.one_of(cnfs(), uniform_cnfs()))
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


_EDITS = ["comment", "trailer", "spaces", "split", "join", "junk", "count", "big", "blank"]
_EDITS += ["shift"]


@given(
    st.one_of(cnfs(), uniform_cnfs()),
    st.lists(st.tuples(st.sampled_from(_EDITS), st.integers(0, 40)), max_size=4),
)
def test_plain_layout_shortcut_reads_what_the_general_reader_reads(cnf, edits):
    """The one-clause-per-line shortcut either declines or returns exactly what the general
    reader returns, on our writer's text and on texts edited towards SATLIB's quirks."""
    from solvers.sat.dimacs import _read_general, _read_plain

    lines = write_dimacs(cnf).splitlines()
    for edit, at in edits:
        i = 1 + at % max(1, len(lines) - 1) if len(lines) > 1 else 0
        if edit == "comment":
            lines.insert(i, "c a comment")
        elif edit == "trailer":
            lines[i:] = ["%", "0"]
        elif edit == "spaces":
            lines[i] = "  " + lines[i].replace(" ", "   ") + " "
        elif edit == "split" and i < len(lines) and len(lines[i].split()) > 2:
            head, *rest = lines[i].split()
            lines[i : i + 1] = [head, " ".join(rest)]
        elif edit == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + " " + lines[i + 1]]
        elif edit == "junk":
            lines[i] += " x"
        elif edit == "count":
            lines[0] = f"p cnf {cnf.n_vars} {len(cnf.clauses) + 1}"
        elif edit == "big":
            lines.insert(i, f"{cnf.n_vars + 1} 0")
        elif edit == "blank":
            lines.insert(i, "")
        elif edit == "shift" and i < len(lines) and len(lines[i].split()) > 1:
            *rest, last, zero = lines[i].split()  # a clause ends one literal early
            lines[i] = " ".join([*rest, zero, last])
    text = "\n".join(lines) + "\n"
    fast = _read_plain(text)
    try:
        general = _read_general(text)
    except DimacsError:
        assert fast is None
    else:
        assert fast is None or fast == general


@given(cnfs(), st.dictionaries(st.integers(1, 12), st.booleans()))
def test_satisfied_by_agrees_with_brute_definition(cnf, assignment):
    expected = all(any(assignment.get(abs(x)) == (x > 0) for x in c) for c in cnf.clauses)
    assert cnf.satisfied_by(assignment) == expected
