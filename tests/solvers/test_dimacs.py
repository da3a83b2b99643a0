from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvers.sat import CNF, DimacsError, read_dimacs, write_dimacs
from solvers.sat.dimacs import MAX_VARS


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


@pytest.mark.parametrize(
    "text, expected",
    [
        ("p cnf 2 2\n1 c first clause\n0 2 c second\n0\n", ((1,), (2,))),
        ("p cnf 2 2\n1 -2 0c no space before the comment\n2 0c\n", ((1, -2), (2,))),
        ("p cnf 2 1\n  1\tc tab, then a comment\n\t-2 0\n", ((1, -2),)),
        ("c crlf\r\np cnf 2 1\r\n1 2 0\r\n", ((1, 2),)),
        ("\nc blank lines before the header\n\np   cnf\t2  1 \n-1 0\n", ((-1,),)),
        ("p cnf 2 1\n2 0", ((2,),)),  # no newline after the last 0
        ("p cnf 2 1\n2 0 c a last comment without a newline", ((2,),)),
        ("p cnf 2 2\n0\n1 0\n", ((), (1,))),  # the empty clause, written as a lone 0
        ("p cnf 12 1\n012 -12 00\n", ((12, -12),)),  # leading zeros (not after '-')
        ("p cnf 0 0\n", ()),
    ],
)
def test_valid_competition_layouts_are_read(text, expected):
    """Layouts that the SAT competition format (as Kissat and CaDiCaL read it) allows."""
    assert read_dimacs(text).clauses == expected


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
        ("p cnf x 1\n1 0\n", "line 1: expected .p cnf VARS CLAUSES."),
        ("p cnf 2 1\n1 3 0\n", "literal 3 exceeds 2 variables"),
        ("p cnf 2 2\n1 0\n", "declares 2 clauses, found 1"),
        ("p cnf 2 1\n1 a 0\n", "'a' is not a literal"),
        ("", "no 'p cnf' problem line"),
        ("p cnf 2 1\n1 -0\n", "line 2: '-0' is not a literal"),
        ("p cnf 2 2\n1 0\n-0 2 0\n", "line 3: '-0' is not a literal"),
        ("p cnf 2 1\n+1 0\n", "'\\+1' is not a literal"),
        ("p cnf 20 1\n1_0 0\n", "'1_0' is not a literal"),
        ("p cnf 2 1\n\u0661 0\n", "is not a literal"),  # an Arabic-Indic digit one
        ("p cnf 2 1\n1\xa02 0\n", "line 2"),  # a no-break space is not DIMACS whitespace
        ("p cnf 2 1\n1a 0\n", "'1a' is not a literal"),
        ("p cnf 2 1\n- 1 0\n", "'-' is not a literal"),
        ("p cnf 2 1\n1 2\n", "line 2: the last clause is not terminated by 0"),
        ("p cnf 2 1\n1 0\n2 0\n", "line 3: more clauses than the 1 declared"),
        ("p cnf 2 1\n1\r0\n", "line 2: carriage return not followed by a newline"),
        ("p cnf 2 1\np cnf 2 1\n1 0\n", "line 2: second problem line"),
        ("p cnf 2\n1 0\n", "line 1: expected 'p cnf VARS CLAUSES'"),
        ("p cnf 2 1 c note\n1 0\n", "line 1: expected 'p cnf VARS CLAUSES'"),
        ("p cnf 2 -1\n", "line 1: expected 'p cnf VARS CLAUSES'"),
        ("c x\nq\np cnf 1 0\n", "line 2: expected a 'c' comment or the 'p cnf' line"),
        ("p cnf 2000000000 0\n", f"line 1: header claims 2000000000 variables; at most {MAX_VARS}"),
        ("p cnf 3 20000000000000000000000\n1 0\n", "line 1: counts .* too large"),
        ("c\np cnf 3 3\n1 0\n", "line 2: header claims 3 clauses but the text after it holds"),
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
    from solvers.sat.dimacs import _general_body, _header, _plain_body

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
    try:
        head = _header(text)
    except DimacsError:
        return  # both readers share the header
    fast = _plain_body(head, text)
    try:
        general = _general_body(head, text)
    except DimacsError:
        assert fast is None
    else:
        assert fast is None or fast == general


@given(cnfs(), st.dictionaries(st.integers(1, 12), st.booleans()))
def test_satisfied_by_agrees_with_brute_definition(cnf, assignment):
    expected = all(any(assignment.get(abs(x)) == (x > 0) for x in c) for c in cnf.clauses)
    assert cnf.satisfied_by(assignment) == expected


def _lines_with_tokens(cnf: CNF) -> list[list[str]]:
    return [line.split() for line in write_dimacs(cnf).splitlines()]


@given(
    st.one_of(cnfs(), uniform_cnfs()),
    st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from([" c", "c", "\tc", " c c 1 0"]))),
    st.text(st.characters(blacklist_characters="\r\n"), max_size=20),
)
def test_a_comment_after_any_token_is_ignored(cnf, cuts, note):
    """'c' starts a comment anywhere in the body, also right after a literal or a 0; what
    follows it on that line, whatever it is, is not read."""
    lines = _lines_with_tokens(cnf)
    body = lines[1:]
    ends: dict[tuple[int, int], str] = {}
    for at, mark in cuts:
        if body:
            row = at % len(body)
            ends[(row, at // len(body) % len(body[row]))] = mark + note
    text_lines = [" ".join(lines[0])]
    for row, tokens in enumerate(body):
        cut = min((col for r, col in ends if r == row), default=None)
        if cut is None:
            text_lines.append(" ".join(tokens))
        else:  # the line stops at the comment; the rest of its tokens move to the next line
            text_lines.append(" ".join(tokens[: cut + 1]) + ends[(row, cut)])
            text_lines.append(" ".join(tokens[cut + 1 :]))
    assert read_dimacs("\n".join(text_lines) + "\n") == cnf


@given(st.one_of(cnfs(), uniform_cnfs()), st.integers(0, 10**6), st.sampled_from(["-0", "-00"]))
def test_minus_zero_is_rejected_and_its_line_named(cnf, at, token):
    """'-0' is neither a literal nor a clause end: replacing any token with it is an error
    on that line, never a silently shorter clause."""
    lines = _lines_with_tokens(cnf)
    if len(lines) < 2:
        return
    row = 1 + at % (len(lines) - 1)
    lines[row][at % len(lines[row])] = token
    text = "\n".join(" ".join(tokens) for tokens in lines) + "\n"
    with pytest.raises(DimacsError, match=f"line {row + 1}: '{token}' is not a literal"):
        read_dimacs(text)


@given(
    st.integers(MAX_VARS + 1, 10**30),
    st.integers(0, 10**30),
    st.text(alphabet="0123456789 -\n", max_size=200),
)
def test_hostile_header_claims_are_rejected(n_vars, n_clauses, body):
    """A header claiming more than MAX_VARS variables is rejected whatever follows; one
    claiming more clauses than the text after it can hold (each needs a '0' and a
    separator) is rejected before any clause is read."""
    with pytest.raises(DimacsError, match="line 1: (header claims|counts)"):
        read_dimacs(f"p cnf {n_vars} {n_clauses}\n{body}")
    room = (len(body) + 1) // 2
    claim = room + 1 + n_clauses % 10**6
    with pytest.raises(DimacsError, match=f"line 1: header claims {claim} clauses"):
        read_dimacs(f"p cnf 3 {claim}\n{body}")


def test_a_two_billion_variable_header_allocates_nothing_by_its_claim():
    """The issue's case: 'p cnf 2000000000 1' with a clause on the last variable. Reading it
    (and failing) must not allocate anything near the claim's size (tens of GB once an
    engine or a model is sized by it): the peak stays under a megabyte."""
    import tracemalloc

    for text in ("p cnf 2000000000 1\n2000000000 0\n", "p cnf 2000000000 0\n"):
        tracemalloc.start()
        try:
            with pytest.raises(DimacsError, match="2000000000 variables"):
                read_dimacs(text)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 1 << 20


@given(
    st.one_of(cnfs(), uniform_cnfs()), st.integers(0, 10**6), st.sampled_from(["x", "+1", "1.0"])
)
def test_an_error_names_the_line_it_is_on(cnf, at, junk):
    lines = write_dimacs(cnf).splitlines()
    row = at % (len(lines) + 1)
    if row == 0:
        lines.insert(0, "c a comment line first")
        row = 1
    lines.insert(row, f"1 {junk} 0")
    with pytest.raises(DimacsError, match=f"line {row + 1}: "):
        read_dimacs("\n".join(lines) + "\n")
