"""Second, independent path for FOL gold answers.

Both tasks: the sentences are read from the prompt itself (its exact layout) and every
gold formula must be what its sentence states (`statements.readings` writes the family's
English for a formula again, from the formula), and meta.formal must be exactly the
SMT-LIB2 text of the gold formulas.
entail: z3 reads `meta.formal` with its own parser in a fresh context and re-derives the
label, which must be `answer`; the premises and conclusion are meta.fol.
translate: the gold formulas are `answer`; each survives render -> parse unchanged, the
prompt's vocabulary block is meta.symbols', and z3 reads back one assert per sentence.
"""

from __future__ import annotations

import re

import z3

from generators.fol.statements import Words, readings, words_of
from reasoning.core import Instance
from solvers.fol import FOLParseError, Formula, label_smtlib, parse, render, to_smtlib

# the prompts' layout, as the family writes them (family._translate_item, _entail_prompt)
TRANSLATE_HEAD = "Translate each sentence into first-order logic, using only this vocabulary:\n"
TRANSLATE_TAIL = (
    "\n\nWrite one formula per line, numbered like the sentences, e.g. "
    "`1. ∀x (Student(x) → Young(x))`. Use ∀ ∃ ¬ ∧ ∨ → ↔ ⊕ = (or forall, exists, ~, &, |, "
    "->, <->, ^)."
)
ENTAIL_HEAD = "Premises:\n"
ENTAIL_TAIL = (
    "\n\nBased only on the premises, is the conclusion True, False, or Unknown? "
    "End your reply with 'Answer: True', 'Answer: False' or 'Answer: Unknown'."
)
_NUMBERED = re.compile(r"(\d+)\. (.+)")
_MALFORMED = (AttributeError, IndexError, KeyError, TypeError, ValueError, FOLParseError)


def recheck(instance: Instance) -> list[str]:
    """The disagreements of one item; a malformed item is a disagreement, never an error."""
    try:
        formal = instance.meta["formal"]
        problems = []
        if formal["format"] != "smtlib2":
            problems.append(f"meta.formal.format is {formal['format']!r}, not 'smtlib2'")
        task = instance.meta["task"]
        if task == "translate":
            return problems + _translation_problems(instance, formal)
        if task != "entail":
            return [*problems, f"meta.task is {task!r}, not 'translate' or 'entail'"]
        return problems + _entailment_problems(instance, formal)
    except _MALFORMED as exc:
        return [f"malformed item ({type(exc).__name__}: {exc})"]


def _numbered(block: str) -> list[str] | None:
    """The sentences of a block of lines '1. …', '2. …' numbered from 1, or None."""
    sentences = []
    for n, line in enumerate(block.split("\n"), 1):
        m = _NUMBERED.fullmatch(line)
        if m is None or m.group(1) != str(n):
            return None
        sentences.append(m.group(2))
    return sentences


def translate_prompt(prompt: str) -> tuple[str, list[str]] | None:
    """(vocabulary block, sentences) of a translate prompt in the family's layout, or None.
    Cost: linear in the prompt."""
    if not (prompt.startswith(TRANSLATE_HEAD) and prompt.endswith(TRANSLATE_TAIL)):
        return None
    gloss, mark, block = prompt[len(TRANSLATE_HEAD) : -len(TRANSLATE_TAIL)].partition(
        "\n\nSentences:\n"
    )
    sentences = _numbered(block) if mark else None
    return None if sentences is None else (gloss, sentences)


def entail_prompt(prompt: str) -> tuple[list[str], str] | None:
    """(premise sentences, conclusion) of an entail prompt in the family's layout, or None.
    Cost: linear in the prompt."""
    if not (prompt.startswith(ENTAIL_HEAD) and prompt.endswith(ENTAIL_TAIL)):
        return None
    block, mark, conclusion = prompt[len(ENTAIL_HEAD) : -len(ENTAIL_TAIL)].partition(
        "\n\nConclusion: "
    )
    premises = _numbered(block) if mark else None
    if premises is None or "\n" in conclusion:
        return None
    return premises, conclusion


def _unstated(sentences: list[str], formulas: list[Formula], words: Words) -> list[str]:
    """The problems where a sentence does not state its formula."""
    if len(sentences) != len(formulas):
        return [f"the prompt has {len(sentences)} sentences for {len(formulas)} formulas"]
    return [
        f"sentence {i} does not state {render(f)}: {s!r}"
        for i, (s, f) in enumerate(zip(sentences, formulas, strict=True), 1)
        if s not in readings(f, words)
    ]


def _entailment_problems(instance: Instance, formal: dict) -> list[str]:
    script, query = formal["text"], formal["query"]
    fol = instance.meta["fol"]
    premises = [parse(p) for p in fol["premises"]]
    conclusion = parse(fol["conclusion"])
    if to_smtlib(premises, conclusion) != (script, query):  # z3 reads only what we write
        return ["meta.fol does not translate to meta.formal"]
    problems = []
    label = label_smtlib(script, query)
    if label is None:
        problems.append("z3 gave up on the SMT-LIB2 text")
    elif label != instance.answer:
        problems.append(f"z3 on meta.formal says {label}, label is {instance.answer}")
    read = entail_prompt(instance.prompt)
    if read is None:
        return [*problems, "the prompt is not laid out as the family writes it"]
    sentences, stated = read
    if instance.meta["conclusion"] != stated:
        problems.append("meta.conclusion is not the prompt's conclusion")
    words = words_of(instance.meta["symbols"])
    return problems + _unstated([*sentences, stated], [*premises, conclusion], words)


def _translation_problems(instance: Instance, formal: dict) -> list[str]:
    script = formal["text"]
    problems = []
    if formal["query"] is not None:
        problems.append("meta.formal.query is set; a translate item has none")
    if not isinstance(instance.answer, list):
        return [*problems, "answer is not a list of formulas"]
    try:
        gold = [parse(g) for g in instance.answer]
    except FOLParseError as exc:
        return [*problems, f"gold formula does not parse: {exc}"]
    for g in gold:
        if parse(render(g)) != g:
            problems.append(f"gold formula changes in a render/parse round trip: {render(g)}")
    if to_smtlib(gold)[0] != script:  # z3 reads only what the family writes
        return [*problems, "gold formulas do not translate to meta.formal"]
    asserted = z3.parse_smt2_string(script, ctx=z3.Context())
    if len(asserted) != len(gold):
        problems.append(f"meta.formal asserts {len(asserted)} formulas for {len(gold)} gold")
    read = translate_prompt(instance.prompt)
    if read is None:
        return [*problems, "the prompt is not laid out as the family writes it"]
    gloss, sentences = read
    if instance.meta["sentences"] != sentences:
        problems.append("meta.sentences are not the prompt's sentences")
    words = words_of(instance.meta["symbols"])
    if words.lexicon().gloss() != gloss:
        problems.append("the prompt's vocabulary is not meta.symbols'")
    return problems + _unstated(sentences, gold, words)
