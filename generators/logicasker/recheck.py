"""Second paths for LogicAsker labels. The premises and the question are read back from
the prompt itself (its exact layout, one sentence a line) by the English grammar; they must
be the stored formulas (meta.fol), and meta.formal must be exactly the SMT-LIB2 text the
family writes for them (one assert per premise, the question as the query). z3 then reads
that text with its own parser and re-derives the label, and python-sat decides
propositional items again on the Tseitin CNF."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from generators.logicasker.english import EnglishParseError, Vocabulary, parse_sentence
from reasoning.core import Instance
from solvers.fol import (
    FOLParseError,
    Formula,
    SmtlibByShape,
    SmtlibMemo,
    parse,
    render,
    shape_and_symbols,
    to_smtlib,
)
from solvers.fol.cnf import NotPropositional, Undecided, sat_consistent, sat_entails
from solvers.fol.memo import Memo

# the prompt's layout, as the family writes it (family._instance)
HEAD = "Consider the following premises:\n"
ASK = "\n\nCan we infer the following from them? "
TAIL = "\n\nEnd your reply with 'Answer: yes' or 'Answer: no'."
LOGICS = ("propositional", "predicate")
_MALFORMED = (AttributeError, IndexError, KeyError, TypeError, ValueError)


def recheck(instance: Instance) -> list[str]:
    """The disagreements of one item (see `checker`)."""
    return checker()(instance)


@dataclass
class _Context:
    """What a checker keeps across items: z3's labels (one z3 read per argument shape),
    python-sat's answers per shape, the SMT-LIB2 writer's templates per shape, and the
    grammar's parses of sentence skeletons."""

    z3: SmtlibMemo = field(default_factory=SmtlibMemo)
    labels: Memo = field(default_factory=Memo)
    sat: Memo = field(default_factory=Memo)
    writer: SmtlibByShape = field(default_factory=SmtlibByShape)
    skeletons: dict = field(default_factory=dict)


def checker() -> Callable[[Instance], list[str]]:
    """A recheck function that keeps its solver, answers per shape (decisions are the same
    for every renaming of an argument's names) and grammar parses across items; use it
    from one thread. A malformed item (fields of the wrong type) is a disagreement, never
    an exception."""
    return functools.partial(_guarded, context=_Context())


def _guarded(instance: Instance, context: _Context) -> list[str]:
    try:
        return _recheck(instance, context)
    except _MALFORMED as exc:
        return [f"malformed item ({type(exc).__name__}: {exc})"]


def _recheck(instance: Instance, context: _Context) -> list[str]:
    stated = _stated_formulas(instance, context.skeletons)
    if isinstance(stated, list):  # the prompt does not state the stored formulas
        return stated
    problems = []
    formal = instance.meta["formal"]
    if formal.get("format") != "smtlib2":
        problems.append(f"meta.formal.format is {formal.get('format')!r}, not 'smtlib2'")
    script, query = formal["text"], formal["query"]
    key, preds, consts = shape_and_symbols(list(stated))
    *premises, conclusion = stated
    written = context.writer(key, preds, consts, list(stated)) or to_smtlib(premises, conclusion)
    if written != (script, query):  # z3 reads only what the family writes
        return [
            *problems,
            "meta.formal is not the SMT-LIB2 text of the prompt's premises and question",
        ]
    hit, label = context.labels.lookup(key)  # the text is a renaming of its shape's others
    if not hit:
        label = context.z3(script, query)
        if label is not None:  # only decided labels are kept
            context.labels.store(key, label)
    if label is None:
        problems.append("z3 gave up on meta.formal")
    elif ("yes" if label == "True" else "no") != instance.answer:
        problems.append(f"z3 says {label}, label is {instance.answer!r}")
    logic = instance.meta.get("logic")
    if logic not in LOGICS:
        problems.append(f"meta.logic is {logic!r}, not one of {LOGICS}")
    if logic == "propositional":
        problems += _sat_problems(premises, conclusion, key, instance.answer, context.sat)
    return problems


def prompt_sentences(prompt: str) -> tuple[list[str], str] | None:
    """(premise sentences, question) of a prompt in the family's layout, or None when the
    prompt is laid out otherwise. Cost: linear in the prompt."""
    if not (prompt.startswith(HEAD) and prompt.endswith(TAIL)):
        return None
    premises, ask, question = prompt[len(HEAD) : len(prompt) - len(TAIL)].partition(ASK)
    if not ask or not premises or ASK in question or "\n" in question:
        return None
    return premises.split("\n"), question


def _stated_formulas(instance: Instance, skeletons: dict) -> tuple[Formula, ...] | list[str]:
    """The formulas the prompt's premise sentences and question state, when they are
    exactly the stored ones (meta.fol, meta.sentences, meta.question); else the problems."""
    read = prompt_sentences(instance.prompt)
    if read is None:
        return ["the prompt is not laid out as the family writes it"]
    sentences, question = read
    meta = instance.meta
    if meta["sentences"] != sentences or meta["question"] != question:
        return ["meta.sentences / meta.question are not the prompt's"]
    stored = [*meta["fol"]["premises"], meta["fol"]["conclusion"]]
    texts = [*sentences, question]
    if len(texts) != len(stored):
        return [f"the prompt states {len(texts)} formulas, meta.fol {len(stored)}"]
    vocab = Vocabulary.from_meta(meta["vocabulary"])
    stated, problems = [], []
    for text, fol in zip(texts, stored, strict=True):
        try:
            formula = parse_sentence(text, vocab, skeletons)
        except EnglishParseError as exc:
            problems.append(str(exc))
            continue
        # render is injective (parse(render(f)) == f), so equal text means equal formulas;
        # other spellings of the same formula are compared after parsing them
        if render(formula) != fol and _parsed(fol) != formula:
            problems.append(f"sentence does not state its formula: {text!r}")
        stated.append(formula)
    return problems if problems else tuple(stated)


def _parsed(text: str) -> Formula | None:
    try:
        return parse(text)
    except FOLParseError:
        return None


def _sat_problems(
    premises: list[Formula], conclusion: Formula, key: tuple, answer: object, memo: Memo
) -> list[str]:
    """python-sat's disagreements with the label; `key` is the argument's shape."""
    try:
        consistent, entailed = _sat(premises, conclusion, key, memo)
    except NotPropositional as exc:
        return [f"propositional item is not propositional: {exc}"]
    except Undecided as exc:
        return [str(exc)]
    if not consistent:
        return ["python-sat: premises are unsatisfiable"]
    if ("yes" if entailed else "no") != answer:
        return ["python-sat disagrees with the label"]
    return []


def _sat(premises: list[Formula], conclusion: Formula, key: tuple, memo: Memo) -> tuple[bool, bool]:
    """(premises consistent?, premises ⊨ conclusion?) by python-sat, once per shape."""
    hit, answer = memo.lookup(key)
    if not hit:
        consistent = sat_consistent(premises)
        answer = (consistent, consistent and sat_entails(premises, conclusion))
        memo.store(key, answer)
    return answer
