"""Verifier-in-the-loop: a gold-free view of each instance, a gold-free check per family,
and the strategies that propose, check, feed back and retry.

Strategies see `view_of(instance)` (the problem and its formal form, never the label,
witness, proof or gold paths) and judge each proposal with `check(view, response)`;
`solve(backend, view, parse_strategy(text), settings)` runs one; scoring against gold
(`reasoning.verify`) happens only after the loop ends.
"""

from reasoning.loop.checks import CHECKS, check
from reasoning.loop.parse_strategy import Strategy, parse_strategy
from reasoning.loop.result import Check
from reasoning.loop.strategies import LoopResult, Round, solve
from reasoning.loop.view import GOLD_FREE_META, ProblemView, view_of

__all__ = [
    "CHECKS",
    "GOLD_FREE_META",
    "Check",
    "LoopResult",
    "ProblemView",
    "Round",
    "Strategy",
    "check",
    "parse_strategy",
    "solve",
    "view_of",
]
