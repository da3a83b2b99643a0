"""Checking a model's FOL translations: parse strictly, refuse free variables, keep to the
prompt's vocabulary, then prove equivalence to gold (feedback: the parse error, the free
variables, the unknown symbol, or a counter-model in words). A formula whose meaning
depends on the quantifier-scope convention (ours: widest; NLTK's: one term) gets a note in
the feedback; its correctness is judged under ours."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reasoning.core import Instance, Verdict, fenced_blocks
from solvers.fol import (
    FOLParseError,
    Formula,
    equivalence,
    free_vars,
    function_signature,
    parse,
    render,
    signature,
)

# '3. formula' lines. Linear: no two unbounded repeats can split the same run (a leading
# '\s*' that crossed newlines made every line start rescan all the blank lines after it).
_NUMBERED = re.compile(r"^[^\S\n]*(\d+)\s*[.):]\s*(\S.*)$", re.MULTILINE)
_PREFIX = re.compile(r"^\s*(?:FOL|Formula|Answer)\s*:\s*", re.IGNORECASE)
TIMEOUT_MS = 5_000


def _candidates(response: str, count: int) -> dict[int, str]:
    """Numbered formulas from the last fenced block that has any, else from the whole
    response; a one-sentence item may also give its formula alone on the last line."""
    blocks = fenced_blocks(response)
    found: dict[int, str] = {}
    for text in [*reversed(blocks), response]:  # disjoint or whole: linear in all
        found = {int(n): body.rstrip().strip("` ") for n, body in _NUMBERED.findall(text)}
        if found:
            break
    if not found and count == 1:
        text = blocks[-1] if blocks else response
        lines = [ln for ln in text.strip().splitlines() if ln.strip()]
        if lines:
            found = {1: _PREFIX.sub("", lines[-1]).strip("` ")}
    return found


def vocabulary_problem(formula: Formula, symbols: dict) -> str | None:
    """The first predicate, function or constant of `formula` outside `symbols` (an
    item's meta.symbols: 'Name/arity' lists and constant names), as feedback; else None."""
    allowed_preds = set(symbols.get("predicates", []))
    allowed_consts = set(symbols.get("constants", []))
    preds, consts = signature([formula])
    for name, arities in sorted(preds.items()):
        for arity in sorted(arities):
            if f"{name}/{arity}" not in allowed_preds:
                return f"{name}/{arity} is not in the vocabulary"
    allowed_funcs = set(symbols.get("functions", []))
    for name, arities in sorted(function_signature([formula]).items()):
        for arity in sorted(arities):
            if f"{name}/{arity}" not in allowed_funcs:
                return f"function {name}/{arity} is not in the vocabulary"
    unknown = sorted(consts - allowed_consts)
    return f"constant {unknown[0]!r} is not in the vocabulary" if unknown else None


def _free_variable_problem(formula: Formula) -> str | None:
    names = sorted(free_vars(formula))
    if not names:
        return None
    listed = ", ".join(names)
    return (
        f"free variable{'s' * (len(names) > 1)} {listed}: bind "
        f"{'them' if len(names) > 1 else 'it'} with ∀ or ∃"
    )


def scope_note(text: str, formula: Formula, timeout_ms: int = TIMEOUT_MS) -> str | None:
    """A note when `text` means something else where a quantifier binds only the next term
    (NLTK) than it does under our widest scope (`formula`): both readings parse and z3
    shows them not equivalent. None otherwise (one z3 call at most, only when the two
    readings differ as formulas)."""
    try:
        narrow = parse(text, scope="narrow")
    except FOLParseError:
        return None
    if narrow == formula or equivalence(formula, narrow, timeout_ms).equivalent is not False:
        return None
    return (
        f"read as {render(formula)} (a quantifier's scope extends as far right as "
        f"possible); where a quantifier binds only the next term (NLTK) it would mean "
        f"{render(narrow)}: add parentheses to make the scope explicit"
    )


@dataclass(frozen=True)
class Reading:
    """One numbered sentence's formula as a response gives it: its text (None when the
    response has no line for it), the parsed formula (None when absent or unparsable) and
    the first problem found without gold (missing, unparsable, a free variable, a symbol
    outside the vocabulary), as 'sentence i: ...', or None."""

    source: str | None
    formula: Formula | None
    problem: str | None


def read_translations(response: str, count: int, symbols: dict) -> list[Reading]:
    """The readings of sentences 1..count in `response`, checked against the vocabulary
    `symbols` (an item's meta.symbols). Shared by `verify_translation` and the loop's
    gold-free check."""
    found = _candidates(response, count)
    readings = []
    for i in range(1, count + 1):
        if i not in found:
            problem = f"sentence {i}: no formula found (number the lines '1. …')"
            readings.append(Reading(None, None, problem))
            continue
        try:
            formula = parse(found[i])
        except FOLParseError as exc:
            readings.append(Reading(found[i], None, f"sentence {i}: {exc}"))
            continue
        issue = _free_variable_problem(formula) or vocabulary_problem(formula, symbols)
        readings.append(Reading(found[i], formula, f"sentence {i}: {issue}" if issue else None))
    return readings


def verify_translation(instance: Instance, response: str) -> Verdict:
    gold = [parse(g) for g in instance.answer]
    readings = read_translations(response, len(gold), instance.meta.get("symbols") or {})
    results: list[str | None] = []
    problems: list[str] = []
    notes: list[str] = []
    for i, (target, reading) in enumerate(zip(gold, readings, strict=True), 1):
        formula = reading.formula
        results.append(None if formula is None else render(formula))
        if formula is not None and reading.source is not None:
            note = scope_note(reading.source, formula)
            if note:
                notes.append(f"note on sentence {i}: {note}")
        if reading.problem:
            problems.append(reading.problem)
            continue
        check = equivalence(target, formula, TIMEOUT_MS)
        if check.equivalent is None:
            problems.append(f"sentence {i}: the solver could not decide equivalence in time")
        elif not check.equivalent:
            problems.append(f"sentence {i}: not equivalent to the sentence; {check.countermodel}")
    right = len(gold) - len(problems)
    parsed = {"formulas": results}
    if not problems:
        feedback = f"correct: all {len(gold)} translations are equivalent"
        return Verdict(True, 1.0, parsed, "; ".join([feedback, *notes]))
    return Verdict(False, right / len(gold), parsed, "; ".join([problems[0], *notes]))
