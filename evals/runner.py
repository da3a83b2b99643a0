"""Ask every variant the same prompts with the same settings, score by the family
verifiers only, and compare each variant with dense on the same items.

A sample row is one (item, variant, sample index): the completion, its token counts, and
the verdict (`correct`, `score`, `answered`: no readable answer is not a wrong answer).
Groups are family x the knobs that vary within the family's items (its hardness ladder).
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tqdm import tqdm

from evals.cache import CachedBackend, CompletionCache
from evals.stats import compare, wilson_interval
from reasoning.api import verify
from reasoning.core import Instance
from reasoning.core.answers import bound_response
from reasoning.models.base import Backend, GenerationSettings
from reasoning.registry import get_family
from reasoning.scoring import varying_knobs

Cluster = Callable[[Instance], Hashable]


@dataclass(frozen=True)
class Sample:
    """One completion of one item by one variant, and its verdict."""

    variant: str
    item_id: str
    group: str
    sample: int
    prompt_sha256: str
    completion: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    correct: bool
    score: float
    answered: bool
    feedback: str
    flexible_correct: bool

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def group_keys(items: Sequence[Instance]) -> dict[str, str]:
    """item id -> 'family knob=value ...' over the knobs that vary within that family."""
    by_family: dict[str, list[Instance]] = defaultdict(list)
    for item in items:
        by_family[item.family].append(item)
    keys = {}
    for family, members in by_family.items():
        ladder = varying_knobs(members)
        for item in members:
            keys[item.id] = " ".join([family, *(f"{k}={item.hardness.get(k)}" for k in ladder)])
    return keys


@functools.lru_cache(maxsize=16)
def _label_words(labels: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in sorted(labels, key=len, reverse=True))
    return re.compile(rf"\b({words})\b", re.IGNORECASE)


def flexible_match(item: Instance, text: str) -> bool:
    """The lenient reading, reported beside the strict verifier: for a closed-answer
    family, the last whole label word anywhere in the (bounded) text is the answer, with
    no marker needed ('... so the statements can all hold: yes, ...'). Open-answer
    families (programs, formulas, entity lists) have no lenient reading: False."""
    labels = get_family(item.family).labels
    if not labels or not isinstance(item.answer, str):
        return False
    bounded, _ = bound_response(text)
    found = _label_words(tuple(labels)).findall(bounded)
    return bool(found) and found[-1].lower() == item.answer.lower()


def answer_variant(
    name: str,
    backend: Backend,
    items: Sequence[Instance],
    settings: GenerationSettings,
    cache: CompletionCache,
    sample: int = 0,
    progress: bool = False,
    prompts: Mapping[str, str] | None = None,
) -> list[Sample]:
    """Every item's completion from one variant (through the cache, stored a batch at a
    time as it arrives) and its verdict; a progress bar with items/s and ETA on request.
    `prompts` (item id -> text) replaces the text sent to the model (k-shot prompts); the
    verdict always reads the item itself."""
    sent = prompts or {}
    groups = group_keys(items)
    cached = CachedBackend(backend, cache)
    step = max(1, settings.batch_size) * 4
    rows: list[Sample] = []
    with tqdm(
        total=len(items), desc=name, unit="item", disable=not progress or None, file=sys.stderr
    ) as bar:
        for start in range(0, len(items), step):
            chunk = items[start : start + step]
            texts = [sent.get(it.id, it.prompt) for it in chunk]
            outs = cached.generate(texts, settings, sample=sample)
            rows.extend(
                _sample(name, it, groups[it.id], sample, out, text)
                for it, out, text in zip(chunk, outs, texts, strict=True)
            )
            bar.update(len(chunk))
    return rows


def _sample(name: str, item: Instance, group: str, sample: int, out, prompt: str) -> Sample:
    verdict = verify(item, out.text)
    return Sample(
        variant=name,
        item_id=item.id,
        group=group,
        sample=sample,
        prompt_sha256=hashlib.sha256(prompt.encode("utf-8", "replace")).hexdigest(),
        completion=out.text,
        prompt_tokens=out.prompt_tokens,
        completion_tokens=out.completion_tokens,
        finish_reason=out.finish_reason,
        correct=verdict.correct,
        score=verdict.score,
        answered=verdict.answered,
        feedback=verdict.feedback,
        flexible_correct=verdict.correct or flexible_match(item, out.text),
    )


def accuracy_block(rows: Sequence[Sample]) -> dict:
    """n, accuracy, flexible_accuracy, wilson95, no_answer_rate, mean_score,
    mean_completion_tokens, errors of some rows (one per item)."""
    n = len(rows)
    correct = sum(r.correct for r in rows)
    low, high = wilson_interval(correct, n)
    flexible = sum(r.flexible_correct for r in rows)
    return {
        "n": n,
        "accuracy": correct / n if n else 0.0,
        "flexible_accuracy": flexible / n if n else 0.0,
        "wilson95": [low, high],
        "no_answer_rate": sum(not r.answered for r in rows) / n if n else 0.0,
        "mean_score": sum(r.score for r in rows) / n if n else 0.0,
        "mean_completion_tokens": sum(r.completion_tokens for r in rows) / n if n else 0.0,
        "errors": sum(r.finish_reason == "error" for r in rows),
    }


def family_cluster(item: Instance) -> Hashable:
    """The cluster an item's errors share, as its family declares it (`Family.cluster`:
    LogicAsker's rule, KGQA's topic entities); the item itself otherwise."""
    return get_family(item.family).cluster_of(item)


def summarise(
    items: Sequence[Instance],
    rows: Iterable[Sample],
    cluster: Cluster | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> dict:
    """Per group (and 'overall') and per variant: accuracy with Wilson interval, no-answer
    rate, tokens; and for every variant but dense, the paired comparison with dense on the
    same items (sample 0). `cluster(item)` names the cluster an item's errors share (e.g.
    its rule); without it every item is its own."""
    by_key: dict[tuple[str, str], Sample] = {}
    for row in rows:
        if row.sample == 0:
            by_key[(row.variant, row.item_id)] = row
    variants = list(dict.fromkeys(v for v, _ in by_key))
    groups = group_keys(items)
    members: dict[str, list[Instance]] = defaultdict(list)
    for item in items:
        members["overall"].append(item)
        members[groups[item.id]].append(item)
    summary = {}
    for group, group_items in members.items():
        entry: dict = {"variants": {}, "vs_dense": {}}
        for variant in variants:
            got = [by_key[(variant, it.id)] for it in group_items if (variant, it.id) in by_key]
            entry["variants"][variant] = accuracy_block(got)
        dense = [by_key.get(("dense", it.id)) for it in group_items]
        for variant in variants:
            if variant == "dense" or any(d is None for d in dense):
                continue
            other = [by_key.get((variant, it.id)) for it in group_items]
            if any(o is None for o in other):
                continue
            labels = [cluster(it) for it in group_items] if cluster else None
            result = compare(
                [d.correct for d in dense], [o.correct for o in other], labels, n_boot, seed
            )
            entry["vs_dense"][variant] = result.to_dict()
        summary[group] = entry
    return summary
