"""The independent second path for PBE gold labels: a regex-based executor (not
`str.replace`) re-runs the gold cascade from `meta.formal`, and re-derives necessity and
length from scratch."""

from __future__ import annotations

import json
import re

from reasoning.core import Instance


def regex_run(text: str, rules: list[tuple[str, str]]) -> str:
    """Apply rules with `re.sub` on escaped patterns (leftmost, non-overlapping matches)."""
    for pattern, replacement in rules:
        text = re.sub(re.escape(pattern), lambda _m, r=replacement: r, text)
    return text


def recheck(instance: Instance) -> list[str]:
    """Disagreements between the stored examples / gold cascade and a fresh execution."""
    try:
        rules = [tuple(r) for r in json.loads(instance.meta["formal"]["text"])]
        examples = [tuple(e) for e in instance.meta["examples"]]
    except (KeyError, TypeError, ValueError) as exc:
        return [f"meta unreadable: {exc}"]
    problems = []
    if [list(r) for r in rules] != instance.answer:
        problems.append("answer differs from meta.formal")
    if len(rules) != instance.hardness.get("length"):
        problems.append(
            f"cascade has {len(rules)} rules, knob length={instance.hardness.get('length')}"
        )
    if any(not p for p, _ in rules):
        problems.append("a gold rule has an empty pattern")
        return problems
    for x, y in examples:
        got = regex_run(x, rules)
        if got != y:
            problems.append(f"gold cascade maps {x!r} to {got!r}, stored output {y!r}")
    outputs = [y for _, y in examples]
    for i in range(len(rules)):
        dropped = rules[:i] + rules[i + 1 :]
        if [regex_run(x, dropped) for x, _ in examples] == outputs:
            problems.append(f"rule {i + 1} {list(rules[i])} is unnecessary")
    return problems
