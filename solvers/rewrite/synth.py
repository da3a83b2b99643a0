"""A reference synthesiser for rewrite cascades: beam search over rules suggested by the
input/output differences. The symbolic baseline that models are compared with.

Search state: the current strings of all examples. Candidate rules come from two sources,
so that no single alignment decides what is proposed:
- anchored edits: every short substring pair at the first and at the last position where a
  current string differs from its target (a pattern of 1..`max_pattern` characters that
  reaches the differing position, against every replacement of 0..`max_replacement`
  characters read off the target at the same offset, from the left and from the right);
- the local edits (difflib opcodes) of one alignment, with 0..`context` characters of
  context on either side (these reach differences in the middle of a string).
Candidates proposed by more examples are tried first. States are ranked by total
Levenshtein distance to the targets. The budget is counted in candidate evaluations, not
seconds, so a search gives the same answer on every machine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
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


@dataclass(frozen=True)
class _Shape:
    max_pattern: int
    max_replacement: int
    context: int
    anchored: bool


def _common_ends(cur: str, tgt: str) -> tuple[int, int]:
    """(common prefix length, common suffix length), the two not overlapping."""
    limit = min(len(cur), len(tgt))
    p = 0
    while p < limit and cur[p] == tgt[p]:
        p += 1
    s = 0
    while s < limit - p and cur[-1 - s] == tgt[-1 - s]:
        s += 1
    return p, s


def _anchored(cur: str, tgt: str, shape: _Shape) -> Iterator[Rule]:
    """Substring pairs explaining the first and the last difference of cur and tgt."""
    p, s = _common_ends(cur, tgt)
    pmax, rmax = shape.max_pattern, shape.max_replacement
    for i in range(max(0, p - pmax), p + 1):
        for end in range(max(i + 1, p), min(len(cur), i + pmax) + 1):
            for b in range(min(rmax, len(tgt) - i) + 1):
                yield cur[i:end], tgt[i : i + b]
    e0, shift = len(cur) - s, len(tgt) - len(cur)
    for e in range(max(1, e0), min(len(cur), e0 + pmax) + 1):
        for start in range(max(0, e - pmax), min(e0, e - 1) + 1):
            for b in range(min(rmax, e + shift) + 1):
                yield cur[start:e], tgt[e + shift - b : e + shift]


def _opcode_edits(cur: str, tgt: str, context: int) -> Iterator[Rule]:
    """The local edits of difflib's alignment, with 0..context characters around them."""
    ops = SequenceMatcher(None, cur, tgt, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        for left in range(min(context, i1) + 1):
            for right in range(min(context, len(cur) - i2) + 1):
                pre, post = cur[i1 - left : i1], cur[i2 : i2 + right]
                yield pre + cur[i1:i2] + post, pre + tgt[j1:j2] + post


def _candidates(current: Sequence[str], targets: Sequence[str], shape: _Shape) -> list[Rule]:
    """Candidate rules, the ones proposed by the most examples first (ties by the rule);
    without `shape.anchored`, only the alignment's edits, in rule order."""
    if not shape.anchored:
        return sorted(
            {
                r
                for cur, tgt in zip(current, targets, strict=True)
                if cur != tgt
                for r in _opcode_edits(cur, tgt, shape.context)
                if r[0] and r[0] != r[1]
            }
        )
    support: Counter[Rule] = Counter()
    for cur, tgt in zip(current, targets, strict=True):
        if cur == tgt:
            continue
        proposed = set(_anchored(cur, tgt, shape))
        proposed.update(_opcode_edits(cur, tgt, shape.context))
        support.update(r for r in proposed if r[0] and r[0] != r[1] and r[0] in cur)
    return sorted(support, key=lambda r: (-support[r], r))


def _distance(current: Sequence[str], targets: Sequence[str]) -> int:
    return sum(Levenshtein.distance(c, t) for c, t in zip(current, targets, strict=True))


def synthesize(
    examples: Sequence[tuple[str, str]],
    max_length: int,
    beam: int = 16,
    context: int = 1,
    budget: int = 20_000,
    max_pattern: int = 3,
    max_replacement: int = 3,
    anchored: bool = True,
) -> SynthesisResult:
    """Search for a cascade of at most `max_length` rules that maps every input to its
    output. Cost: at most `budget` candidate evaluations, each O(total example length);
    proposing candidates costs O(n_examples · max_pattern² · max_replacement) per state.
    `anchored=False` proposes only the alignment's edits: fewer candidates per state, so a
    small budget goes deeper, but rules hidden by that one alignment are never tried."""
    shape = _Shape(max_pattern, max_replacement, context, anchored)
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
            for rule in _candidates(state, targets, shape):
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
