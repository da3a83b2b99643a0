"""A reference synthesiser for rewrite cascades: beam search over rules suggested by the
input/output differences. The symbolic baseline that models are compared with.

Search state: the current strings of all examples. Candidate rules come from the local
edits (difflib opcodes) between each current string and its target, with 0..`context`
characters of context on either side. States are ranked by total Levenshtein distance to
the targets. The budget is counted in candidate evaluations, not seconds, so a search gives
the same answer on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz.distance import Levenshtein

from solvers.rewrite.cascade import Rule


@dataclass(frozen=True)
class SynthesisResult:
    """`rules` is a cascade mapping every input to its output, or None; `exhausted` says
    whether the whole beam was explored within the budget."""

    rules: list[Rule] | None
    evaluations: int
    exhausted: bool


def _candidates(current: Sequence[str], targets: Sequence[str], context: int) -> list[Rule]:
    found: set[Rule] = set()
    for cur, tgt in zip(current, targets, strict=True):
        if cur == tgt:
            continue
        ops = SequenceMatcher(None, cur, tgt, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                continue
            for left in range(context + 1):
                for right in range(context + 1):
                    if i1 - left < 0 or i2 + right > len(cur):
                        continue
                    pre, post = cur[i1 - left : i1], cur[i2 : i2 + right]
                    pattern = pre + cur[i1:i2] + post
                    replacement = pre + tgt[j1:j2] + post
                    if pattern and pattern != replacement:
                        found.add((pattern, replacement))
    return sorted(found)


def _distance(current: Sequence[str], targets: Sequence[str]) -> int:
    return sum(Levenshtein.distance(c, t) for c, t in zip(current, targets, strict=True))


def synthesize(
    examples: Sequence[tuple[str, str]],
    max_length: int,
    beam: int = 8,
    context: int = 1,
    budget: int = 20_000,
) -> SynthesisResult:
    """Search for a cascade of at most `max_length` rules that maps every input to its
    output. Cost: at most `budget` candidate evaluations, each O(total example length)."""
    inputs = tuple(x for x, _ in examples)
    targets = tuple(y for _, y in examples)
    if inputs == targets:
        return SynthesisResult([], 0, True)
    frontier: list[tuple[int, tuple[str, ...], list[Rule]]] = [
        (_distance(inputs, targets), inputs, [])
    ]
    seen = {inputs}
    evaluations = 0
    for _ in range(max_length):
        children: list[tuple[int, tuple[str, ...], list[Rule]]] = []
        for _, state, rules in frontier:
            for rule in _candidates(state, targets, context):
                if evaluations >= budget:
                    return SynthesisResult(None, evaluations, False)
                evaluations += 1
                nxt = tuple(s.replace(*rule) for s in state)
                if nxt in seen:
                    continue
                seen.add(nxt)
                if nxt == targets:
                    return SynthesisResult([*rules, rule], evaluations, True)
                children.append((_distance(nxt, targets), nxt, [*rules, rule]))
        if not children:
            break
        children.sort(key=lambda c: (c[0], c[2]))
        frontier = children[:beam]
    return SynthesisResult(None, evaluations, True)
