"""`reasoning verify` catches a tampered item in every family (issue 14, section 8).

Each family's re-check must re-derive the label from the formal form, compare it with
`answer`, and refuse a formal form or a prompt that is not what the family writes. Items
are generated once per module; hypothesis picks an item, one tampering of one part of it
(`answer`, `meta.formal` or `prompt`) and how to apply it; every tampering changes what
the item states, and each must be reported as at least one disagreement.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import random
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from generators.fol.statements import readings, words_of
from reasoning.core import Instance
from solvers.fol import parse

Tamper = Callable[[Instance, random.Random], Instance | None]

POOLS: dict[str, tuple[str, int, dict]] = {  # key -> (family, n, knobs)
    "logicasker": ("logicasker", 10, {"distractors": 1}),
    "logicasker-chain": ("logicasker", 6, {"logic": "propositional", "steps": 3}),
    "nlsat": ("nlsat", 8, {"n_vars": 6}),
    "nlsat-relative": ("nlsat", 6, {"n_vars": 5, "grammar": "relative"}),
    "pbe": ("pbe", 8, {"length": 3, "n_examples": 4}),
    "fol-translate": ("fol", 8, {"depth": 3, "sentences": 4}),
    "fol-entail": ("fol", 4, {"task": "entail"}),
}


@functools.cache
def pool(key: str) -> tuple[Instance, ...]:
    family, n, knobs = POOLS[key]
    return tuple(reasoning.generate(family, n, 11, **knobs))


def _with(item: Instance, **changes) -> Instance:
    """A deep copy of item with top-level fields replaced."""
    return dataclasses.replace(copy.deepcopy(item), **changes)


def _with_formal(item: Instance, **changes) -> Instance:
    meta = copy.deepcopy(item.meta)
    meta["formal"].update(changes)
    return _with(item, meta=meta)


def _other(rng: random.Random, values: list, not_this) -> object | None:
    choices = [v for v in values if v != not_this]
    return rng.choice(choices) if choices else None


# ------------------------------------------------------------------ answers
def flip_yes_no(item: Instance, rng: random.Random) -> Instance:
    return _with(item, answer={"yes": "no", "no": "yes"}[item.answer])


def other_fol_label(item: Instance, rng: random.Random) -> Instance:
    return _with(item, answer=_other(rng, ["True", "False", "Unknown"], item.answer))


def other_cascade(item: Instance, rng: random.Random) -> Instance | None:
    """The gold cascade with one rule dropped, two swapped, one replacement changed, or a
    rule appended that never fires; or the shorter cascade the ambiguity search found."""
    rules = copy.deepcopy(item.answer)
    shorter = item.meta["ambiguity_search"]["shorter"]
    how = rng.choice(["drop", "swap", "change", "append", "shorter"])
    if how == "shorter" and shorter:
        return _with(item, answer=shorter)
    if how == "drop":
        del rules[rng.randrange(len(rules))]
    elif how == "swap" and len(rules) > 1 and rules[0] != rules[1]:
        rules[0], rules[1] = rules[1], rules[0]
    elif how == "append":
        rules.append(["zzzz", "q"])
    else:
        rules[rng.randrange(len(rules))][1] += "q"
    return _with(item, answer=rules)


def other_gold_formulas(item: Instance, rng: random.Random) -> Instance:
    """A translate item whose gold list has one formula negated, dropped or swapped."""
    gold = list(item.answer)
    i = rng.randrange(len(gold))
    how = rng.choice(["negate", "drop", "swap"])
    if how == "drop":
        del gold[i]
    elif how == "swap" and len(set(gold)) > 1:
        j = next(j for j in range(len(gold)) if gold[j] != gold[i])
        gold[i], gold[j] = gold[j], gold[i]
    else:
        gold[i] = f"¬({gold[i]})"
    return _with(item, answer=gold)


# ------------------------------------------------------------------ SMT-LIB2 formal forms
def _asserts(text: str) -> tuple[list[str], list[str]]:
    lines = text.splitlines()
    return [x for x in lines if not x.startswith("(assert")], [
        x for x in lines if x.startswith("(assert")
    ]


def tamper_smtlib(item: Instance, rng: random.Random) -> Instance | None:
    """An extra hard assertion (a copy, a tautology, `false`), a dropped or reordered
    assertion, a changed query, or another format name."""
    formal = item.meta["formal"]
    head, asserts = _asserts(formal["text"])
    how = rng.choice(["copy", "tautology", "false", "drop", "reorder", "query", "format"])
    if how == "format":
        return _with_formal(item, format="smtlib")
    if how == "query" and formal["query"] is not None:
        return _with_formal(item, query=f"(not {formal['query']})")
    if how == "query":  # translate: a query where the family writes none
        return _with_formal(item, query="true")
    if how == "drop":
        del asserts[rng.randrange(len(asserts))]
    elif how == "reorder" and len(set(asserts)) > 1:
        i = next(i for i in range(len(asserts)) if asserts[i] != asserts[0])
        asserts[0], asserts[i] = asserts[i], asserts[0]
    elif how == "false":
        asserts.append("(assert false)")
    elif how == "tautology":
        asserts.append("(assert (or true false))")
    else:
        asserts.insert(rng.randrange(len(asserts) + 1), rng.choice(asserts))
    return _with_formal(item, text="\n".join([*head, *asserts]) + "\n")


# ------------------------------------------------------------------ DIMACS formal forms
def tamper_dimacs(item: Instance, rng: random.Random) -> Instance:
    """A well-formed DIMACS text of another formula (a clause dropped, copied, or with a
    literal flipped; one more variable), or another format name."""
    lines = item.meta["formal"]["text"].splitlines()
    _, _, n_vars, _ = lines[0].split()
    clauses = lines[1:]
    how = rng.choice(["drop", "copy", "flip", "vars", "format"])
    if how == "format":
        return _with_formal(item, format="cnf")
    i = rng.randrange(len(clauses))
    if how == "drop":
        del clauses[i]
    elif how == "copy":
        clauses.insert(rng.randrange(len(clauses) + 1), clauses[i])
    elif how == "flip":
        literals = clauses[i].split()
        literals[0] = str(-int(literals[0]))
        clauses[i] = " ".join(literals)
    else:
        n_vars = str(int(n_vars) + 1)
    text = "\n".join([f"p cnf {n_vars} {len(clauses)}", *clauses]) + "\n"
    return _with_formal(item, text=text)


# ------------------------------------------------------------------ cascades
def tamper_cascade_formal(item: Instance, rng: random.Random) -> Instance | None:
    if rng.random() < 0.2:
        return _with_formal(item, format="rules")
    other = other_cascade(item, rng)
    return _with_formal(item, text=json.dumps(other.answer))


# ------------------------------------------------------------------ prompts
_IS = re.compile(r"\b(is|are) (?!not\b|either\b|neither\b|a person\b)")
_IS_NOT = re.compile(r"\b(is|are) not\b")


def _negate_once(text: str, rng: random.Random) -> str | None:
    """One fact of a sentence negated ('is' <-> 'is not'), or None if it has none."""
    matches = list(_IS.finditer(text)) + list(_IS_NOT.finditer(text))
    if not matches:
        return None
    m = rng.choice(matches)
    if m.group(0).endswith("not"):
        return text[: m.start()] + m.group(1) + text[m.end() :]
    return text[: m.start()] + f"{m.group(1)} not " + text[m.end() :]


def _edit_block(item: Instance, start: str, rng: random.Random, numbered: bool = False):
    """The item with one line of the prompt's block after `start` (up to the next blank
    line) replaced by another line, dropped, copied, or with one fact negated; numbered
    blocks ('1. …') are numbered again."""
    head, rest = item.prompt.split(start, 1)
    body, sep, tail = rest.partition("\n\n")
    lines = body.splitlines()
    if numbered:
        lines = [line.split(". ", 1)[1] for line in lines]
    i = rng.randrange(len(lines))
    how = rng.choice(["other", "drop", "copy", "negate"])
    if how == "other":
        other = _other(rng, lines, lines[i])
        if other is None:
            return None
        lines[i] = other
    elif how == "drop":
        del lines[i]
    elif how == "copy":
        lines.insert(rng.randrange(len(lines) + 1), lines[i])
    else:
        negated = _negate_once(lines[i], rng)
        if negated is None:
            return None
        lines[i] = negated
    if numbered:
        lines = [f"{n}. {line}" for n, line in enumerate(lines, 1)]
    return _with(item, prompt=head + start + "\n".join(lines) + sep + tail)


def _edit_line(item: Instance, after: str, rng: random.Random) -> Instance | None:
    """The item with one fact negated in the prompt's line that starts after `after`."""
    head, rest = item.prompt.split(after, 1)
    line, sep, tail = rest.partition("\n")
    negated = _negate_once(line, rng)
    return negated and _with(item, prompt=head + after + negated + sep + tail)


def tamper_logicasker_prompt(item: Instance, rng: random.Random) -> Instance | None:
    if rng.random() < 0.25:
        return _edit_line(item, "Can we infer the following from them? ", rng)
    return _edit_block(item, "Consider the following premises:\n", rng)


def tamper_nlsat_prompt(item: Instance, rng: random.Random) -> Instance | None:
    how = rng.random()
    if how < 0.15:  # a statement in a paragraph of its own
        paragraphs = item.prompt.split("\n\n")
        extra = _negate_once(rng.choice(paragraphs[1].splitlines()), rng)
        return _with(item, prompt="\n\n".join([*paragraphs[:2], extra, *paragraphs[2:]]))
    if how < 0.3:  # another question
        asked = "Can all of these statements be true at the same time?"
        return _with(item, prompt=item.prompt.replace(asked, "Is at least one of them false?"))
    return _edit_block(item, "\n\n", rng)


def tamper_pbe_prompt(item: Instance, rng: random.Random) -> Instance | None:
    how = rng.choice(["output", "input", "line"])
    if how == "line":
        return _edit_block(item, "Examples (input -> output):\n", rng)
    lines = item.prompt.split("Examples (input -> output):\n", 1)[1].split("\n\n")[0]
    line = rng.choice(lines.splitlines())
    x, y = (json.loads(s) for s in line.split(" -> "))
    x, y = (x + "a", y) if how == "input" else (x, y + "a")
    return _with(item, prompt=item.prompt.replace(line, f"{json.dumps(x)} -> {json.dumps(y)}"))


def tamper_fol_prompt(item: Instance, rng: random.Random) -> Instance | None:
    entail = item.meta["task"] == "entail"
    how = rng.random()
    if entail and how < 0.25:
        return _edit_line(item, "Conclusion: ", rng)
    if not entail and how < 0.25:  # one word's reading in the vocabulary changed
        block = item.prompt.split("vocabulary:\n", 1)[1].split("\n\n")[0]
        gloss = rng.choice([g for g in block.splitlines() if ": x " in g])
        return _with(item, prompt=item.prompt.replace(gloss, gloss + "q"))
    return _edit_block(item, "Premises:\n" if entail else "Sentences:\n", rng, numbered=True)


TAMPERINGS: dict[str, dict[str, Tamper]] = {
    "logicasker": {
        "answer": flip_yes_no,
        "formal": tamper_smtlib,
        "prompt": tamper_logicasker_prompt,
    },
    "nlsat": {"answer": flip_yes_no, "formal": tamper_dimacs, "prompt": tamper_nlsat_prompt},
    "pbe": {"answer": other_cascade, "formal": tamper_cascade_formal, "prompt": tamper_pbe_prompt},
    "fol-translate": {
        "answer": other_gold_formulas,
        "formal": tamper_smtlib,
        "prompt": tamper_fol_prompt,
    },
    "fol-entail": {"answer": other_fol_label, "formal": tamper_smtlib, "prompt": tamper_fol_prompt},
}


def _family_of(key: str) -> str:
    return key if key.startswith("fol") else key.split("-")[0]


def recheck(item: Instance) -> list[str]:
    """`reasoning.recheck`, the path `reasoning verify` takes."""
    return reasoning.recheck(item)


@pytest.mark.parametrize("key", sorted(POOLS))
def test_untampered_items_have_no_disagreement(key):
    for item in pool(key):
        assert recheck(item) == []


@pytest.mark.parametrize("part", ["answer", "formal", "prompt"])
@pytest.mark.parametrize("key", sorted(POOLS))
@given(pick=st.integers(0, 10**6), rng=st.randoms(use_true_random=False))
@settings(max_examples=25)
def test_every_tampering_is_a_disagreement(key, part, pick, rng):
    item = pool(key)[pick % len(pool(key))]
    tampered = TAMPERINGS[_family_of(key)][part](item, rng)
    if tampered is None or tampered == item:
        return  # this tampering does not apply to this item
    problems = recheck(tampered)
    assert problems, (part, tampered.to_dict())
    assert all(isinstance(p, str) for p in problems)


READ = {  # the meta fields each family's re-check reads (formal: also its fields)
    "logicasker": ("formal", "fol", "sentences", "question", "vocabulary", "logic"),
    "nlsat": ("formal", "atoms", "grammar"),
    "pbe": ("formal", "examples"),
    "fol-translate": ("formal", "task", "sentences", "symbols"),
    "fol-entail": ("formal", "task", "fol", "conclusion", "symbols"),
}
WRONG = (None, 5, "x", [1, [2]], {"a": 1})


def _malformed(item: Instance):
    """Every copy of item with one field (the answer, the prompt, a meta field or a
    meta.formal field) replaced by a value of another type: (field name, copy)."""
    for value in WRONG:
        if type(value) is not type(item.answer):
            yield "answer", _with(item, answer=value)
        if type(value) is not str:
            yield "prompt", _with(item, prompt=value)
        for name, old in item.meta.items():
            if type(value) is not type(old):
                yield name, _with(item, meta={**copy.deepcopy(item.meta), name: value})
        for name, old in item.meta["formal"].items():
            if type(value) is not type(old):
                yield f"formal.{name}", _with_formal(item, **{name: value})
    yield "meta", _with(item, meta=[])


@pytest.mark.parametrize("key", sorted(POOLS))
def test_malformed_items_are_disagreements_not_errors(key):
    read = {"answer", "prompt", "meta", *READ[_family_of(key)]}
    for item in pool(key)[:1]:
        for name, broken in _malformed(item):
            problems = recheck(broken)  # must not raise
            assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
            if name.split(".")[0] in read:
                assert problems, name


def test_nlsat_verify_runs_the_shape_checks():
    item = pool("nlsat")[0]
    paragraphs = item.prompt.split("\n\n")
    moved = "\n\n".join([*paragraphs[:2], "Hugo is big.", *paragraphs[2:]])
    assert reasoning.recheck(_with(item, prompt=moved))
    assert reasoning.recheck(_with_formal(item, format="cnf"))
    assert reasoning.recheck(_with(item, meta={**item.meta, "atoms": 5}))


@pytest.mark.parametrize("key", ["fol-translate", "fol-entail"])
def test_fol_sentences_name_their_formulas(key):
    """The recheck's formula -> English readings: each prompt sentence is one of its gold
    formula's readings and of no other formula's in the item."""
    for item in pool(key):
        words = words_of(item.meta["symbols"])
        if key == "fol-translate":
            formulas = [parse(g) for g in item.answer]
        else:
            formulas = [parse(p) for p in item.meta["fol"]["premises"]]
        sentences = [
            line.split(". ", 1)[1] for line in item.prompt.split("\n") if line[:1].isdigit()
        ]
        assert len(sentences) == len(formulas)
        for i, sentence in enumerate(sentences):
            holding = [j for j, f in enumerate(formulas) if sentence in readings(f, words)]
            assert holding and {formulas[j] for j in holding} == {formulas[i]}, sentence
