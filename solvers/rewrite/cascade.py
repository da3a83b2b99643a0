"""Rewrite cascades: ordered `replace(pattern, replacement)` rules applied like Python's
`str.replace` (every non-overlapping occurrence, left to right), one rule after the other.
"""

from __future__ import annotations

from collections.abc import Sequence

Rule = tuple[str, str]


def apply_rule(text: str, rule: Rule) -> str:
    """One rule on one string. The pattern must be non-empty."""
    pattern, replacement = rule
    if not pattern:
        raise ValueError("a rule's pattern must be non-empty")
    return text.replace(pattern, replacement)


def run_cascade(text: str, rules: Sequence[Rule]) -> str:
    """The string after every rule, in order.

    >>> run_cascade("abc", [("a", "b"), ("bb", "c")])
    'cc'
    """
    for rule in rules:
        text = apply_rule(text, rule)
    return text


def trace(text: str, rules: Sequence[Rule]) -> list[str]:
    """[text, after rule 1, …, after rule n]: len(rules) + 1 states."""
    states = [text]
    for rule in rules:
        states.append(apply_rule(states[-1], rule))
    return states


def unnecessary_rules(inputs: Sequence[str], rules: Sequence[Rule]) -> list[int]:
    """Indices of rules whose removal leaves every output unchanged. Cost: O(n_rules² · n)."""
    outputs = [run_cascade(s, rules) for s in inputs]
    return [
        i
        for i in range(len(rules))
        if [run_cascade(s, [*rules[:i], *rules[i + 1 :]]) for s in inputs] == outputs
    ]


def run_cascade_capped(text: str, rules: Sequence[Rule], max_len: int) -> tuple[str, int]:
    """(the string, how many rules were applied): the rules in order, stopping before the
    first one whose result would exceed `max_len` characters (checked by counting, before
    anything is built, so `replace("a", "aaaa")` forty times cannot exhaust memory). All
    rules were applied iff the count is len(rules). Cost: O(len(rules) · max_len).

    >>> run_cascade_capped("ab", [("a", "aaa"), ("a", "aaa"), ("b", "c")], 6)
    ('aaab', 1)
    """
    for done, (pattern, replacement) in enumerate(rules):
        if not pattern:
            raise ValueError("a rule's pattern must be non-empty")
        growth = len(replacement) - len(pattern)
        if growth > 0 and len(text) + growth * text.count(pattern) > max(max_len, len(text)):
            return text, done
        text = text.replace(pattern, replacement)
    return text, len(rules)


def run_cascade_bounded(text: str, rules: Sequence[Rule], max_len: int) -> str | None:
    """`run_cascade`, but None as soon as a string would exceed `max_len` characters (so a
    hostile cascade such as 40 × replace("a", "aaaaaaaaaa") cannot exhaust memory)."""
    result, done = run_cascade_capped(text, rules, max_len)
    return result if done == len(rules) else None
