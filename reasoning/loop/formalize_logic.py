"""The formalize route for LogicAsker and FOL entail: the model writes premises and
conclusion in first-order logic, z3 decides entailment.

The formalisation a model writes (inside a ``` block or as plain lines; the last block
that holds any of these lines is read, else the whole response):

    1. ∀x (Cat(x) → Furry(x))
    2. Cat(tom)
    Conclusion: Furry(tom)

one numbered line per premise, in the problem's order, and one `Conclusion:` line, in the
syntax of `solvers.fol.parse` (Unicode or ASCII connectives). The gold-free checks: every
premise 1..n is there (n is read from the problem: LogicAsker's premise sentences, the
numbered premises of a FOL prompt) and no other; each line parses, has no free variable
and keeps to the problem's vocabulary (when the view has one); the premises are
consistent; z3 decides within `TIMEOUT_MS` and its deterministic work budget. The answer
is built from z3's verdict: LogicAsker 'yes' iff the premises entail the conclusion; FOL
True / False / Unknown (entails it / entails its negation / neither).

Hostile text: every scan is linear (line regexes without nested repeats), a formula line
is cut at MAX_LINE_CHARS before parsing (the parser bounds operators and nesting), at
most MAX_PREMISES lines are parsed, and nothing raises out of `judge_logic`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from generators.fol.translate import vocabulary_problem
from reasoning.core import fenced_blocks
from reasoning.loop.result import Check
from reasoning.loop.view import ProblemView
from solvers.fol import FOLParseError, Formula, InconsistentPremises, entailment, free_vars, parse

TIMEOUT_MS = 5_000  # z3's safety net per check; z3bridge.RLIMIT is the deterministic bound
MAX_PREMISES = 64
MAX_LINE_CHARS = 2_000
MAX_FEEDBACK_CHARS = 500
_NUMBERED = re.compile(r"^[^\S\n]*(\d{1,4})[^\S\n]*[.):][^\S\n]*(\S[^\n]*)$", re.MULTILINE)
_CONCLUSION = re.compile(
    r"^[^\S\n]*(?:conclusion|query|goal)[^\S\n]*:[^\S\n]*(\S[^\n]*)$", re.MULTILINE | re.I
)
_PROMPT_PREMISE = re.compile(r"^(\d{1,4})\. ", re.MULTILINE)

EXAMPLE = (
    "For example, for another problem ('Every cat is furry. Tom is a cat. Can we infer "
    "that Tom is furry?') you would write:\n```\n1. ∀x (Cat(x) → Furry(x))\n2. Cat(tom)\n"
    "Conclusion: Furry(tom)\n```"
)


def premise_count(view: ProblemView) -> int | None:
    """How many premises the problem states (None when the view does not say): the
    premise sentences of a LogicAsker item, the numbered premises of a FOL prompt."""
    if view.family == "logicasker":
        sentences = view.meta.get("sentences")
        return len(sentences) if isinstance(sentences, list) and sentences else None
    numbers = [int(n) for n in _PROMPT_PREMISE.findall(view.prompt)]
    return max(numbers) if numbers else None


def vocabulary(view: ProblemView) -> dict[str, list[str]] | None:
    """The symbols a formalisation may use, as `meta.symbols` spells them ('Name/arity'
    predicates, constant names), or None when the view has no vocabulary. LogicAsker's
    0-ary atoms (Poet_dylan) are allowed beside its unary predicates."""
    if view.family == "fol":
        symbols = view.meta.get("symbols")
        return dict(symbols) if isinstance(symbols, Mapping) else None
    words = view.meta.get("vocabulary")
    if not isinstance(words, Mapping):
        return None

    def keys(name: str) -> list[str]:
        return [str(x).split("|", 1)[0] for x in words.get(name) or []]

    preds = [f"{p}/1" for p in keys("phrases")] + [f"{p}/0" for p in keys("props")]
    return {"predicates": preds, "constants": keys("names")}


def logic_prompt(view: ProblemView) -> str:
    """The formalize prompt: the problem, the vocabulary (when known), the syntax and a
    tiny example that is no item's."""
    count = premise_count(view)
    symbols = vocabulary(view)
    lines = [
        "Here is a problem:\n",
        view.prompt,
        "\nDo not answer it yourself. Instead, write it in first-order logic; a solver "
        "will decide it.",
    ]
    if view.family == "logicasker" and count:
        listed = "\n".join(f"{i}. {s}" for i, s in enumerate(view.meta["sentences"], 1))
        lines.append(f"The premises, numbered:\n{listed}")
    if symbols is not None:
        preds = ", ".join(symbols.get("predicates") or [])
        consts = ", ".join(symbols.get("constants") or [])
        lines.append(f"Use only these predicates (name/arity): {preds}; and constants: {consts}.")
    how_many = (
        f"{count} numbered lines, one per premise" if count else "one numbered line per premise"
    )
    lines.append(
        f"Write {how_many} in the order given, then one line 'Conclusion: <formula>' for "
        "the statement to be judged, inside a ``` code block. Syntax: ∀x ∃x ¬ ∧ ∨ → ↔ ⊕ = "
        "(or forall x, exists x, ~, &, |, ->, <->, ^); predicates are capitalised, "
        "constants are lower case, variables are x, y, z and must be bound."
    )
    lines.append(EXAMPLE)
    return "\n".join(lines)


def _lines(text: str) -> tuple[dict[int, str], str | None]:
    """(numbered lines by number, the last Conclusion line) from the last fenced block
    holding any, else from the whole text. Linear in the text."""
    for source in [*reversed(fenced_blocks(text)), text]:
        numbered: dict[int, str] = {}
        for number, body in _NUMBERED.findall(source):
            numbered.setdefault(int(number), body.strip().strip("`").strip())
        conclusions = _CONCLUSION.findall(source)
        if numbered or conclusions:
            return numbered, (conclusions[-1].strip().strip("`").strip() if conclusions else None)
    return {}, None


def _formula(label: str, text: str, symbols: dict | None) -> tuple[Formula | None, str | None]:
    """(the formula, None) or (None, the problem with it)."""
    if len(text) > MAX_LINE_CHARS:
        return None, f"{label}: longer than {MAX_LINE_CHARS} characters"
    try:
        formula = parse(text)
    except FOLParseError as exc:
        return None, f"{label}: {exc}"
    except RecursionError:
        return None, f"{label}: too deeply nested"
    names = sorted(free_vars(formula))
    if names:
        return None, f"{label}: free variable {', '.join(names)}: bind it with ∀ or ∃"
    issue = vocabulary_problem(formula, symbols) if symbols is not None else None
    return (None, f"{label}: {issue}") if issue else (formula, None)


def read_logic(view: ProblemView, text: str) -> tuple[list[Formula], Formula | None, str | None]:
    """(premises, conclusion, None) as the response writes them, or ([], None, the first
    problem found). Parses at most MAX_PREMISES + 1 lines."""
    numbered, conclusion_text = _lines(text)
    expected = premise_count(view)
    symbols = vocabulary(view)
    if not numbered:
        return [], None, "no numbered premise lines found (write '1. <formula>' per premise)"
    top = max(numbered)
    count = expected if expected is not None else top
    if count > MAX_PREMISES or top > MAX_PREMISES:
        return [], None, f"more than {MAX_PREMISES} premises"
    if top > count:
        return [], None, f"premise {top}: the problem has only {count} premises"
    premises = []
    for i in range(1, count + 1):
        if i not in numbered:
            return [], None, f"premise {i}: no formula found (number the lines '{i}. …')"
        formula, problem = _formula(f"premise {i}", numbered[i], symbols)
        if formula is None:
            return [], None, problem
        premises.append(formula)
    if conclusion_text is None:
        return [], None, "no 'Conclusion: <formula>' line found"
    conclusion, problem = _formula("conclusion", conclusion_text, symbols)
    return (premises, conclusion, None) if conclusion is not None else ([], None, problem)


def _response(family: str, label: str) -> tuple[str, str]:
    """(the answer in the family's labels, the response stating it)."""
    if family == "logicasker":
        answer = "yes" if label == "True" else "no"
    else:
        answer = label
    said = {
        "True": "the premises entail the conclusion",
        "False": "the premises entail the negation of the conclusion",
        "Unknown": "the premises entail neither the conclusion nor its negation",
    }[label]
    return answer, f"The solver finds that {said}.\nAnswer: {answer}"


def judge_logic(view: ProblemView, text: str) -> Check:
    """Read the formalisation in `text` and let z3 decide it: True with the answer (and
    the `response` that states it) in `parsed`, False with the first problem (parse,
    vocabulary, count, inconsistent premises, z3 undecided). Cost: linear reading, at most
    MAX_PREMISES + 1 parses and three bounded z3 checks."""
    premises, conclusion, problem = read_logic(view, text)
    if conclusion is None:
        return Check(False, None, str(problem)[:MAX_FEEDBACK_CHARS])
    parsed: dict = {"statements": len(premises)}
    try:
        result = entailment(premises, conclusion, TIMEOUT_MS, explain=False)
    except InconsistentPremises:
        feedback = (
            "your premises contradict each other (then everything would follow); "
            "check each formula against its sentence"
        )
        return Check(False, {**parsed, "solver": "inconsistent"}, feedback)
    except Exception as exc:  # noqa: BLE001 - z3 on model-made formulas: report, never raise
        return Check(False, {**parsed, "solver": "error"}, f"the solver failed: {exc}"[:200])
    if not result.decided:
        feedback = (
            "the solver could not decide your formalisation within its budget; "
            "write simpler formulas"
        )
        return Check(False, {**parsed, "solver": "undecided"}, feedback)
    answer, response = _response(view.family, result.label)
    parsed.update(solver=result.label, answer=answer, response=response)
    feedback = f"{len(premises)} premises and the conclusion read; z3: {result.label}"
    return Check(True, parsed, f"{feedback} (answer: {answer})")
