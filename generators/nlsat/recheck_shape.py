"""The shape checks of the NLSat re-check: what `family.checker`'s label check takes for
granted. An item must have the fields the family writes, of the types it writes them
(so that a hand-edited item is a disagreement, never an exception), a formal form in
DIMACS, and a prompt that is exactly the grammar's header, one block of statements and the
grammar's question (a statement in a paragraph of its own, or another question, changes
what is asked without changing the statements block the label check parses)."""

from __future__ import annotations

from generators.nlsat.english import GRAMMARS
from reasoning.core import Instance


def shape_problems(instance: Instance) -> list[str]:
    """The ways an NLSat item is not shaped as the family writes it (empty if none); the
    label check (`family.checker`) should run only when this is empty. Cost: linear in
    the item's size."""
    problems = _type_problems(instance)
    if problems:
        return problems
    meta = instance.meta
    if meta["formal"]["format"] != "dimacs":
        problems.append(f"meta.formal.format is {meta['formal']['format']!r}, not 'dimacs'")
    from generators.nlsat.family import _HEADERS, _QUESTIONS, statements_of

    grammar = meta.get("grammar", "rules")
    block = statements_of(instance.prompt)
    if instance.prompt != "\n\n".join([_HEADERS[grammar], block, _QUESTIONS[grammar]]):
        problems.append("the prompt is not the header, statements and question the family writes")
    return problems


def _is_list_of(value: object, kind: type) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, kind) and not isinstance(v, bool) for v in value
    )


def _type_problems(instance: Instance) -> list[str]:
    """Fields missing or of the wrong type (each stops the checks that read it)."""
    meta = instance.meta
    if not isinstance(instance.prompt, str) or not isinstance(meta, dict):
        return ["prompt is not text, or meta is not an object"]
    formal = meta.get("formal")
    if not (isinstance(formal, dict) and isinstance(formal.get("text"), str)):
        return ["meta.formal is not an object with a text"]
    problems = []
    if meta.get("grammar", "rules") not in GRAMMARS:
        problems.append(f"meta.grammar is {meta.get('grammar')!r}, not one of {GRAMMARS}")
    if not _is_list_of(meta.get("atoms"), str):
        problems.append("meta.atoms is not a list of texts")
    if not _is_list_of(meta.get("witness", []), int):
        problems.append("meta.witness is not a list of literals")
    if instance.answer not in ("yes", "no"):
        problems.append(f"answer is {instance.answer!r}, not 'yes' or 'no'")
    return problems
