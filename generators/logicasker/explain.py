"""LogicAsker's worked justifications: one line per item, by case kind (the `explain`
hook of its Family, used by `reasoning demos`)."""

from __future__ import annotations


def explain(meta: dict) -> str:
    """A one-line worked justification of an item's answer, from its meta."""
    rule, why = meta.get("rule", "?"), meta.get("justification", "")
    kind = meta.get("kind")
    if kind == "inference":
        return f"By {rule} ({why}), the question follows from the premises. Answer: yes"
    if kind == "contradiction":
        return f"By {rule} ({why}), the opposite of the question follows. Answer: no"
    if kind == "unrelated":
        return "The question is about something the premises do not settle. Answer: no"
    return f"That would be the fallacy of {rule.replace('_', ' ')}: {why}. Answer: no"
