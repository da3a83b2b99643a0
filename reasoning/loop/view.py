"""The gold-free view of an instance: what a verifier-in-the-loop may see.

A strategy proposes, checks and retries without the gold answer; only after the loop ends
is the response scored against gold (`reasoning.verify`). The view carries the problem as
the model sees it (id, family, prompt, hardness) and, per family, only the meta keys that
are part of the problem itself: never the label, a witness, a proof, gold formulas or
paths, solver statistics that tell the label, nor (seed, index), from which the item and
so its gold could be regenerated.

`GOLD_FREE_META` below is the one place that says which meta keys each family may show.
`view_of` reads an instance's `answer` never and its meta only at those keys.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

JSON = Any  # a JSON-serialisable value, as in reasoning.core.types

GOLD_FREE_META: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # nlsat: `formal` is the DIMACS of the statements, the English rendered clause by
        # clause (the problem itself, not a certificate of its label); `atoms` names each
        # variable's English fact and `grammar` the fragment: both read the story, not the
        # answer. Left out: `witness` (a satisfying model), `solver` (its `certificate`
        # says 'model' or a proof: the label).
        "nlsat": ("formal", "atoms", "grammar"),
        # pbe: `examples` are the input/output pairs the prompt shows. Left out: `formal`
        # (the gold cascade), `ambiguity_search` (holds a shorter solving cascade),
        # `interactions` and `ambiguous` (measured on the gold cascade).
        "pbe": ("examples",),
        # fol: `task`, the English `sentences` (translate) or `conclusion` (entail), and
        # `symbols` (the vocabulary the prompt fixes). Left out: `formal` (translate: the
        # gold formulas; entail: the gold formalisation, which a solver turns into the
        # label) and `fol` (the same formulas rendered).
        "fol": ("task", "sentences", "conclusion", "symbols"),
        # kgqa: the `question`, its `topic_entities` / `topic_names` and the asked
        # `relation_paths` (all stated in the question). Left out: `formal` (the gold
        # paths), `answer_ids`, and `kg` (the whole graph: following the relation paths
        # in it computes the gold set, and the check keeps to the facts the prompt shows).
        "kgqa": ("question", "topic_entities", "topic_names", "relation_paths"),
        # logicasker: the English premise `sentences` and `question`, the `vocabulary`
        # (symbol names for a formalisation) and `logic` (propositional or predicate: the
        # form of the sentences, the same for 'yes' and 'no' items). Left out: `formal`
        # and `fol` (the gold formalisation), `rule`, `category`, `kind` (a fallacy's
        # label is 'no'), `steps`, `proof`, `justification`.
        "logicasker": ("sentences", "question", "vocabulary", "logic"),
    }
)


@dataclass(frozen=True)
class ProblemView:
    """What the loop may see of one instance: the problem and its gold-free meta.

    `meta` is a read-only mapping holding deep copies of the allowed keys that the
    instance has (a family's key it lacks is simply absent).
    """

    id: str
    family: str
    prompt: str
    hardness: Mapping[str, JSON]
    meta: Mapping[str, JSON] = field(default_factory=lambda: MappingProxyType({}))


def view_of(instance: Any) -> ProblemView:
    """The gold-free view of an `Instance` (or any object with its fields). Reads
    `instance.meta` only at the keys `GOLD_FREE_META` allows for its family (none for an
    unknown family) and never `instance.answer`.

    >>> from reasoning.core import Instance
    >>> item = Instance("x-1", "pbe", "p", [["a", "b"]], {"length": 1},
    ...                 {"examples": [["a", "b"]], "formal": {"text": "gold"}})
    >>> view = view_of(item)
    >>> dict(view.meta), hasattr(view, "answer")
    ({'examples': [['a', 'b']]}, False)
    """
    meta = instance.meta
    kept = {
        key: copy.deepcopy(meta[key])
        for key in GOLD_FREE_META.get(instance.family, ())
        if key in meta
    }
    return ProblemView(
        id=instance.id,
        family=instance.family,
        prompt=instance.prompt,
        hardness=MappingProxyType(copy.deepcopy(dict(instance.hardness))),
        meta=MappingProxyType(kept),
    )
