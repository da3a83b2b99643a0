"""Second, independent path for FOL gold answers.

entail: z3 reads `meta.formal` (SMT-LIB2 text) with its own parser in a fresh context and
re-derives the label; the stored FOL strings must re-translate to the same text.
translate: every gold formula parses, survives render -> parse unchanged, and the SMT-LIB2
text z3 reads back asserts one formula per sentence.
"""

from __future__ import annotations

import z3

from reasoning.core import Instance
from solvers.fol import FOLParseError, label_smtlib, parse, render, to_smtlib


def recheck(instance: Instance) -> list[str]:
    formal = instance.meta.get("formal") or {}
    try:
        script = formal["text"]
    except (KeyError, TypeError):
        return ["meta.formal missing"]
    if instance.meta.get("task") == "translate":
        return _translation_problems(instance, script)
    problems = []
    try:
        label = label_smtlib(script, formal["query"])
    except (KeyError, ValueError) as exc:
        return [f"meta.formal unreadable: {exc}"]
    if label is None:
        problems.append("z3 gave up on the SMT-LIB2 text")
    elif label != instance.answer:
        problems.append(f"z3 on meta.formal says {label}, label is {instance.answer}")
    try:
        fol = instance.meta["fol"]
        premises = [parse(p) for p in fol["premises"]]
        text, query = to_smtlib(premises, parse(fol["conclusion"]))
        if (text, query) != (script, formal["query"]):
            problems.append("meta.fol does not translate to meta.formal")
    except (KeyError, FOLParseError) as exc:
        problems.append(f"meta.fol unreadable: {exc}")
    return problems


def _translation_problems(instance: Instance, script: str) -> list[str]:
    problems = []
    try:
        gold = [parse(g) for g in instance.answer]
    except FOLParseError as exc:
        return [f"gold formula does not parse: {exc}"]
    for g in gold:
        if parse(render(g)) != g:
            problems.append(f"gold formula changes in a render/parse round trip: {render(g)}")
    try:
        asserted = z3.parse_smt2_string(script, ctx=z3.Context())
        if len(asserted) != len(gold):
            problems.append(f"meta.formal asserts {len(asserted)} formulas for {len(gold)} gold")
    except z3.Z3Exception as exc:
        problems.append(f"meta.formal unreadable by z3: {exc}")
    if to_smtlib(gold)[0] != script:
        problems.append("gold formulas do not translate to meta.formal")
    return problems
