"""Gold-free checks: what can be established about a response from the problem alone.

`check(view, response)` judges a response against a `ProblemView`, never against gold:
- `passed=True`: established correct (or, where noted, well-formed) from the problem;
- `passed=False`: established wrong or invalid; `feedback` says what to fix;
- `passed=None`: cannot be established without the gold answer (or a solver search the
  loop's strategies do themselves).

Per family:
- nlsat: a 'yes' that states who has which property (rules grammar) is checked against
  every statement: True when the facts make every statement true, False naming the first
  statement they make false (or a fact stated both ways); anything else that reads as an
  answer is None.
- pbe: the cascade is run on every example the prompt shows: True iff all are reproduced,
  else False with the first failing example (input, expected, produced).
- fol: translate: True iff every sentence has a numbered formula that parses, has no free
  variable and keeps to the prompt's vocabulary. True means well-formed only: equivalence
  to the sentence needs the gold formula. entail: a readable answer is None.
- kgqa: `reasoning.loop.kgqa` (cited facts and the chains they make).
- logicasker: a readable answer is None (deciding it needs a formalisation: that is the
  'formalize' strategy's job).
A response with no readable answer is False with the family's answer-format hint.

Model output is hostile: the response is cut and cleaned by `bound_response` first, every
reader used is linear in its length, and `check` never raises.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from types import MappingProxyType

from generators.fol.family import LABELS as FOL_LABELS
from generators.fol.translate import read_translations
from generators.logicasker.family import LABELS as LOGICASKER_LABELS
from generators.nlsat.english import statements_of
from generators.nlsat.family import LABELS as NLSAT_LABELS
from generators.nlsat.family import _assignment
from generators.pbe.family import _first_failure, string_cap
from generators.pbe.response import ResponseParseError, parse_cascade
from reasoning.core import answer_hint, extract_choice
from reasoning.core.answers import bound_response
from reasoning.loop.kgqa import check_kgqa
from reasoning.loop.result import Check
from reasoning.loop.view import ProblemView
from solvers.fol import render
from solvers.rewrite import run_cascade_capped
from solvers.sat import read_dimacs

MAX_FEEDBACK_CHARS = 500


def check(view: ProblemView, response: str) -> Check:
    """The gold-free check of `response` for the problem in `view`. Never raises: a
    response that is not text is False, a family with no check or a failure inside one
    is None ('could not check ...'). The response is read as `bound_response` leaves it,
    and the feedback says when it was cut. Cost: linear in the response (bounded to
    MAX_RESPONSE_CHARS) plus the family's checking, itself bounded by the problem size."""
    if not isinstance(response, str):
        return Check(False, None, f"response must be text, got {type(response).__name__}")
    checker = CHECKS.get(view.family)
    if checker is None:
        return Check(None, None, f"could not check: no gold-free check for {view.family!r}")
    text, note = bound_response(response)
    try:
        result = checker(view, text)
    except Exception as exc:  # noqa: BLE001 - the last guard: model output is data
        message = f"could not check this response: {type(exc).__name__}: {exc}"
        return Check(None, None, message[:MAX_FEEDBACK_CHARS])
    if note is not None:
        result = dataclasses.replace(result, feedback=f"{note}; {result.feedback}")
    return result


def check_nlsat(view: ProblemView, text: str) -> Check:
    """A stated assignment against every statement (DIMACS clause), for a 'yes' in the
    rules grammar. Cost: one linear scan of the text, one pass over the clauses."""
    choice = extract_choice(text, NLSAT_LABELS)
    if choice is None:
        return Check(False, None, answer_hint(NLSAT_LABELS))
    parsed: dict = {"answer": choice}
    if choice != "yes":
        return Check(
            None,
            parsed,
            "not checkable from the problem alone: showing that the statements cannot "
            "all be true together needs a full search",
        )
    atoms = list(view.meta.get("atoms") or [])
    if view.meta.get("grammar") != "rules" or not atoms:
        return Check(
            None,
            parsed,
            "not checkable from the problem alone: "
            "this fragment does not state anyone's properties",
        )
    stated, clashes = _assignment(text, atoms)
    if not stated:
        return Check(
            None,
            parsed,
            "not checked: to have it tested against every statement, say who has which "
            "property (for example: Alan is big, Bob is not red)",
        )
    parsed["assignment"] = {atoms[v - 1]: value for v, value in sorted(stated.items())}
    if clashes:
        return Check(False, parsed, f"the assignment contradicts itself on '{clashes[0]}'")
    return _test_assignment(view, stated, parsed)


def _test_assignment(view: ProblemView, stated: dict[int, bool], parsed: dict) -> Check:
    """A consistent stated assignment against the item's DIMACS clauses: True if it makes
    every clause true, False naming the first statement it makes false, None naming the
    first it leaves undecided. Cost: one pass over the clauses."""
    cnf = read_dimacs(view.meta["formal"]["text"])
    bad = cnf.first_falsified(stated)
    if bad is not None:
        statement = _statement(view.prompt, bad)
        return Check(
            False, parsed, f"the stated assignment makes this statement false: {statement}"
        )
    undecided = next(
        (
            i
            for i, clause in enumerate(cnf.clauses)
            if not any(stated.get(abs(lit)) == (lit > 0) for lit in clause)
        ),
        None,
    )
    if undecided is not None:
        statement = _statement(view.prompt, undecided)
        return Check(
            None,
            parsed,
            f"the stated facts leave this statement undecided: "
            f"{statement}; state the missing facts",
        )
    return Check(
        True, parsed, f"the stated assignment makes all {len(cnf.clauses)} statements true"
    )


def _statement(prompt: str, index: int) -> str:
    """The English statement of clause `index` (0-based) in an NLSat prompt."""
    lines = statements_of(prompt).splitlines()
    return lines[index] if index < len(lines) else f"statement {index + 1}"


def check_pbe(view: ProblemView, text: str) -> Check:
    """The response's cascade run on every example shown. Cost: O(len(text) + n_rules ·
    n_examples · string_cap), n_rules bounded by the parser's MAX_RULES."""
    try:
        rules = parse_cascade(text)
    except ResponseParseError as exc:
        return Check(False, None, str(exc)[:MAX_FEEDBACK_CHARS])
    parsed: dict = {"rules": [list(r) for r in rules]}
    empty = next((i + 1 for i, (pattern, _) in enumerate(rules) if not pattern), None)
    if empty is not None:
        return Check(False, parsed, f"rule {empty} has an empty pattern")
    examples = [(str(x), str(y)) for x, y in view.meta["examples"]]
    cap = string_cap(examples)
    runs = [run_cascade_capped(x, rules, cap) for x, _ in examples]
    matched = sum(run == (y, len(rules)) for run, (_, y) in zip(runs, examples, strict=True))
    parsed.update(matched=matched, examples=len(examples))
    if matched == len(examples):
        return Check(True, parsed, f"the rules reproduce all {len(examples)} examples")
    failure = _first_failure(examples, runs, len(rules), cap)
    feedback = f"{matched}/{len(examples)} examples reproduced; {failure}"
    return Check(False, parsed, feedback[:MAX_FEEDBACK_CHARS])


def check_fol(view: ProblemView, text: str) -> Check:
    """translate: every numbered formula parses (bounded by the parser's size limits),
    is closed and keeps to the vocabulary; entail: the answer is read. Cost: linear in the
    text, one LALR parse per sentence."""
    if view.meta.get("task") != "translate":
        choice = extract_choice(text, (*FOL_LABELS, "Uncertain"))
        if choice is None:
            return Check(False, None, answer_hint(FOL_LABELS))
        choice = "Unknown" if choice == "Uncertain" else choice
        return Check(
            None,
            {"answer": choice},
            "not checkable from the problem alone: deciding "
            "whether the premises settle the conclusion needs a formalisation",
        )
    count = len(view.meta["sentences"])
    symbols = dict(view.meta.get("symbols") or {})
    readings = read_translations(text, count, symbols)
    formulas = [None if r.formula is None else render(r.formula) for r in readings]
    problems = [r.problem for r in readings if r.problem]
    parsed = {"formulas": formulas}
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Check(False, parsed, (problems[0] + more)[:MAX_FEEDBACK_CHARS])
    return Check(
        True,
        parsed,
        f"all {count} formulas are well-formed and keep to the "
        "vocabulary (whether each means its sentence is not checked here)",
    )


def check_logicasker(view: ProblemView, text: str) -> Check:
    """The yes/no answer is read; nothing about it can be established without a
    formalisation. Cost: linear in the text."""
    choice = extract_choice(text, LOGICASKER_LABELS)
    if choice is None:
        return Check(False, None, answer_hint(LOGICASKER_LABELS))
    return Check(
        None,
        {"answer": choice},
        "not checkable from the problem alone: deciding the inference needs a formalisation",
    )


CHECKS: Mapping[str, Callable[[ProblemView, str], Check]] = MappingProxyType(
    {
        "nlsat": check_nlsat,
        "pbe": check_pbe,
        "fol": check_fol,
        "kgqa": check_kgqa,
        "logicasker": check_logicasker,
    }
)
"""The gold-free check of each family, by name."""
