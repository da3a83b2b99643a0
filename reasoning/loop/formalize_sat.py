"""The formalize route for NLSat: the model writes each statement as a clause over the
problem's facts, python-sat decides.

The formalisation a model writes (inside a ``` block or as plain lines; the last block
that holds numbered lines is read, else the whole response), one numbered line per
statement, in the problem's order, each either a disjunction or a rule:

    1. not Tom is wet or Ada is dry
    2. if Ada is dry and Tom is not wet then Ada is warm or Tom is cold

A literal is a fact as the problem words it ('Tom is wet', or 'wet' where the statements
are about everyone), negated by a leading 'not' or by 'is not'. The gold-free checks:
statements 1..n are all there (n: the statement lines of the prompt) and no others, every
literal is one of the problem's facts (`meta.atoms`; without them, each new fact becomes
a new variable), at most MAX_LITERALS literals a line, and the solver decides within its
conflict budget. The answer: 'no' when the clauses are unsatisfiable; 'yes' when they are
satisfiable, with the solver's assignment stated as facts where the problem is about named
people ('The facts: Tom is wet, Ada is not dry.'), which `checks.check` then tests
against the problem's own statements (a failure there means a statement was misread, and
its feedback goes back).

Hostile text: linear scans and splits only, lines cut at MAX_LINE_CHARS, at most
MAX_STATEMENTS lines and MAX_ATOMS facts, a bounded solver call; nothing raises out of
`judge_sat`.
"""

from __future__ import annotations

import re

from generators.nlsat.english import statements_of
from reasoning.core import fenced_blocks
from reasoning.loop.checks import check
from reasoning.loop.result import Check
from reasoning.loop.view import ProblemView
from solvers.sat import CNF, solve

MAX_STATEMENTS = 10_000  # the family's n_clauses knob allows up to 10,000
MAX_LITERALS = 16
MAX_ATOMS = 1_000
MAX_LINE_CHARS = 1_000
BUDGET = 50_000  # conflicts (solvers.sat's default): solver work, the same on every machine
MAX_FEEDBACK_CHARS = 500
_NUMBERED = re.compile(r"^[^\S\n]*(\d{1,5})[^\S\n]*[.):][^\S\n]*(\S[^\n]*)$", re.MULTILINE)
_SPACE = re.compile(r"\s+")

EXAMPLE = (
    "For example, for other statements ('If Tom is wet, then Ada is not dry.' and "
    "'Ada is dry or Tom is cold.') you would write:\n```\n"
    "1. if Tom is wet then not Ada is dry\n2. Ada is dry or Tom is cold\n```"
)


def sat_prompt(view: ProblemView) -> str:
    """The formalize prompt: the problem, the facts to use (when known), the syntax and a
    tiny example that is no item's."""
    count = len(_statement_lines(view.prompt))
    atoms = _atoms(view)
    lines = [
        "Here is a problem:\n",
        view.prompt,
        "\nDo not answer it yourself. Instead, write each statement as a logical clause; "
        "a SAT solver will decide whether they can all be true together.",
    ]
    if atoms:
        lines.append("Use only these facts: " + "; ".join(atoms) + ".")
    how_many = f"{count} numbered lines" if count else "numbered lines"
    lines.append(
        f"Write {how_many}, one per statement in the order given, inside a ``` code block. "
        "Each line is either facts joined by 'or', or 'if <facts joined by and> then "
        "<facts joined by or>'. Negate a fact with 'not' in front of it."
    )
    lines.append(EXAMPLE)
    return "\n".join(lines)


def _statement_lines(prompt: str) -> list[str]:
    return [ln for ln in statements_of(prompt).splitlines() if ln.strip()]


def _atoms(view: ProblemView) -> list[str]:
    atoms = view.meta.get("atoms")
    return [str(a) for a in atoms] if isinstance(atoms, list) else []


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip(" .,;:`'\"").lower()


class _Atoms:
    """Fact text -> variable: the problem's facts when known, else numbered as met."""

    def __init__(self, atoms: list[str]) -> None:
        self.fixed = bool(atoms)
        self.index = {_norm(a): i + 1 for i, a in enumerate(atoms)}

    def literal(self, text: str) -> int | str:
        """The literal `text` names (±variable), or the problem with it."""
        fact, negated = _norm(text), False
        while fact.startswith("not "):
            fact, negated = fact[4:].strip(), not negated
        if " is not " in fact:
            fact, negated = fact.replace(" is not ", " is ", 1), not negated
        if not fact:
            return "an empty fact"
        var = self.index.get(fact)
        if var is None:
            if self.fixed:
                return f"'{fact}' is not one of the problem's facts"
            if len(self.index) >= MAX_ATOMS:
                return f"more than {MAX_ATOMS} different facts"
            var = self.index[fact] = len(self.index) + 1
        return -var if negated else var


def _clause(text: str, atoms: _Atoms) -> tuple[int, ...] | str:
    """The clause one line states, or the problem with it. Linear in the line."""
    body = _norm(text)
    if body.startswith("if ") and " then " in body:
        condition, _, outcome = body[3:].partition(" then ")
        parts = [("not " + p) for p in condition.split(" and ")] + outcome.split(" or ")
    else:
        parts = body.split(" or ")
    if len(parts) > MAX_LITERALS:
        return f"more than {MAX_LITERALS} facts in one statement"
    clause = []
    for part in parts:
        literal = atoms.literal(part)
        if isinstance(literal, str):
            return literal
        clause.append(literal)
    return tuple(clause)


def read_clauses(view: ProblemView, text: str) -> tuple[CNF | None, str | None]:
    """(the CNF the response writes, None) or (None, the first problem found)."""
    numbered: dict[int, str] = {}
    for source in [*reversed(fenced_blocks(text)), text]:
        for number, body in _NUMBERED.findall(source):
            numbered.setdefault(int(number), body)
        if numbered:
            break
    if not numbered:
        return None, "no numbered statement lines found (write '1. <clause>' per statement)"
    expected = len(_statement_lines(view.prompt)) or max(numbered)
    top = max(numbered)
    if top > MAX_STATEMENTS or expected > MAX_STATEMENTS:
        return None, f"more than {MAX_STATEMENTS} statements"
    if top > expected:
        return None, f"statement {top}: the problem has only {expected} statements"
    atoms = _Atoms(_atoms(view))
    clauses = []
    for i in range(1, expected + 1):
        if i not in numbered:
            return None, f"statement {i}: no clause found (number the lines '{i}. …')"
        if len(numbered[i]) > MAX_LINE_CHARS:
            return None, f"statement {i}: longer than {MAX_LINE_CHARS} characters"
        clause = _clause(numbered[i], atoms)
        if isinstance(clause, str):
            return None, f"statement {i}: {clause}"
        clauses.append(clause)
    return CNF.of(max(1, len(atoms.index)), clauses), None


def _facts(view: ProblemView, model: dict[int, bool]) -> str:
    """'The facts: Tom is wet, Ada is not dry.' for a named-people problem, else ''."""
    atoms = _atoms(view)
    if view.meta.get("grammar") != "rules" or not atoms:
        return ""
    facts = [
        atom if model.get(i, False) else atom.replace(" is ", " is not ", 1)
        for i, atom in enumerate(atoms, 1)
    ]
    return "The facts: " + ", ".join(facts) + ".\n"


def judge_sat(view: ProblemView, text: str) -> Check:
    """Read the clauses in `text` and let python-sat decide them: True with the answer
    (and the `response` stating it) in `parsed`, False with the first problem (parse,
    unknown fact, count, solver undecided, or a solver assignment the problem's own
    statements refute). Cost: linear reading, one solver call of at most BUDGET
    conflicts, one pass over the problem's statements."""
    cnf, problem = read_clauses(view, text)
    if cnf is None:
        return Check(False, None, str(problem)[:MAX_FEEDBACK_CHARS])
    parsed: dict = {"statements": len(cnf.clauses)}
    try:
        result = solve(cnf, budget=BUDGET)
    except Exception as exc:  # noqa: BLE001 - report, never raise
        return Check(False, {**parsed, "solver": "error"}, f"the solver failed: {exc}"[:200])
    if result.satisfiable is None:
        feedback = "the solver could not decide your clauses within its budget"
        return Check(False, {**parsed, "solver": "undecided"}, feedback)
    answer = "yes" if result.satisfiable else "no"
    response = (_facts(view, result.model or {}) if result.satisfiable else "") + (
        f"Answer: {answer}"
    )
    parsed.update(solver=result.status, answer=answer, response=response)
    said = "can all be true" if result.satisfiable else "cannot all be true"
    feedback = f"{len(cnf.clauses)} clauses read; the solver says they {said} (answer: {answer})"
    confirmed = check(view, response) if result.satisfiable else None
    if confirmed is not None and confirmed.passed is False:
        feedback = (
            "the solver satisfies your clauses, but its assignment fails the problem: "
            f"{confirmed.feedback}; one of your clauses misstates its statement"
        )
        return Check(False, {**parsed, "solver": "refuted"}, feedback[:MAX_FEEDBACK_CHARS])
    return Check(True, parsed, feedback)
