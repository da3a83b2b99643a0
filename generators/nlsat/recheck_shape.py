"""The shape checks of the NLSat re-check: what `family.checker`'s label check takes for
granted. meta.formal must be DIMACS, and the prompt exactly the grammar's header, one
block of statements and the grammar's question (a statement in a paragraph of its own, or
another question, changes what is asked without changing the statements block the label
check parses). `guarded` runs these first and turns a malformed item (fields of the wrong
type) into a disagreement instead of an exception."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from generators.nlsat.english import GRAMMARS
from reasoning.core import Instance

_MALFORMED = (AttributeError, IndexError, KeyError, TypeError, ValueError)
_BLANK_LINE = re.compile("\n\n")  # a paragraph break (re scans faster than `in` here)


def guarded(check: Callable[[Instance], list[str]]) -> Callable[[Instance], list[str]]:
    """`check` (the label check) behind the shape checks: an item of the wrong shape gets
    the shape's disagreements, an item whose fields `check` cannot read gets one
    'malformed item' disagreement; neither raises."""

    def checked(instance: Instance) -> list[str]:
        try:
            return shape_problems(instance) or check(instance)
        except _MALFORMED as exc:
            return [f"malformed item ({type(exc).__name__}: {exc})"]

    return checked


def shape_problems(instance: Instance) -> list[str]:
    """The ways an NLSat item is not laid out as the family writes it (empty if none).
    Raises the errors of `_MALFORMED` on fields of the wrong type. Cost: one scan of the
    prompt."""
    problems = []
    meta = instance.meta
    if meta["formal"]["format"] != "dimacs":
        problems.append(f"meta.formal.format is {meta['formal']['format']!r}, not 'dimacs'")
    head, tail = _frame(meta.get("grammar", "rules"))
    prompt = instance.prompt
    if not (
        prompt.startswith(head)
        and prompt.endswith(tail)
        and len(prompt) > len(head) + len(tail)
        and _BLANK_LINE.search(prompt, len(head), len(prompt) - len(tail)) is None
    ):
        problems.append("the prompt is not the header, statements and question the family writes")
    return problems


@functools.lru_cache(maxsize=len(GRAMMARS))
def _frame(grammar: str) -> tuple[str, str]:
    """What a prompt of `grammar` starts with before its statements and ends with after;
    KeyError for a grammar the family does not have."""
    from generators.nlsat.family import _HEADERS, _QUESTIONS  # imported late: family uses us

    return _HEADERS[grammar] + "\n\n", "\n\n" + _QUESTIONS[grammar]
