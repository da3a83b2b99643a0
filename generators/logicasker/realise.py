"""Realising a slot-level argument: slot atoms become facts about people (propositional)
or predicates of one constant (predicate logic), and the item gets its English vocabulary."""

from __future__ import annotations

import random

from generators.fol.lexicon import ADJECTIVES, NOUNS, Unary
from generators.logicasker.chains import slots_of, substitute, to_predicate
from generators.logicasker.english import Vocabulary
from generators.logicasker.rules import PROPOSITIONAL
from generators.vocab import PEOPLE
from reasoning.core import GenerationError
from solvers.fol import Pred

WORDS = [Unary(w.capitalize(), True, w) for w in NOUNS] + [
    Unary(w.capitalize(), False, w) for w in ADJECTIVES
]
PHRASES = {w.pred: w.is_() for w in WORDS}  # predicate -> words after 'is'


def realise(premises, conclusion, universal_conclusion, rng, config, logic):
    """Slot formulas / schemas -> real atoms and the English vocabulary: three people, and
    one predicate per atom (plus the schema's P..S in predicate logic), drawn from `rng`,
    or from the `vocab` knob's own seed when it is set. GenerationError when the
    vocabulary has too few predicates for the item (`config`: the family's knobs)."""
    names_used = sorted(slots_of(*premises, conclusion), key=lambda s: int(s[1:]))
    source = random.Random(f"logicasker-vocab-{config.vocab}") if config.vocab else rng
    pool = WORDS
    people = source.sample(PEOPLE, 3)
    names = {p.lower(): p for p in people}
    if logic == PROPOSITIONAL:
        words = source.sample(pool, min(len(pool), max(2, len(names_used))))
        grid = [(c, w) for c in names for w in words]
        chosen = rng.sample(grid, len(names_used))
        props = {f"{w.pred}_{c}": (c, w.pred) for c, w in chosen}
        atoms = {s: Pred(a, ()) for s, a in zip(names_used, props, strict=True)}
        vocab = Vocabulary({w.pred: PHRASES[w.pred] for w in words}, names, props)
        return [substitute(p, atoms) for p in premises], substitute(conclusion, atoms), vocab
    if len(names_used) + 4 > len(pool):  # one predicate per atom, plus the schema's P..S
        raise GenerationError(
            f"a predicate-logic item here needs {len(names_used) + 4} distinct predicates "
            f"and the vocabulary has {len(pool)}: lower distractors (now {config.distractors}) "
            f"or steps (now {config.steps}), or set logic=propositional"
        )
    words = source.sample(pool, len(names_used) + 4)
    preds = dict(zip(["P", "Q", "R", "S"], [w.pred for w in words[:4]], strict=True))
    preds.update({s: w.pred for s, w in zip(names_used, words[4:], strict=True)})
    const = people[0].lower()
    real = [to_predicate(p, preds, const) for p in premises]
    concl = to_predicate(conclusion, preds, const, universal_conclusion)
    return real, concl, Vocabulary({w.pred: PHRASES[w.pred] for w in words}, names, {})
