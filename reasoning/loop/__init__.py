"""Verifier-in-the-loop: a gold-free view of each instance, a gold-free check per family,
and the strategies that propose, check, feed back and retry.

Strategies see `view_of(instance)` (the problem and its formal form, never the label,
witness, proof or gold paths) and judge each proposal with `check(view, response)`;
`solve(backend, view, parse_strategy(text), settings)` runs one; scoring against gold
(`reasoning.verify`) happens only after the loop ends. `formalize` has the model write the
problem's formal form and a solver answer (`route_for` says how, per family).
"""

from reasoning.loop.checks import CHECKS, check
from reasoning.loop.formalize import ABSTAINED, Route, route_for
from reasoning.loop.parse_strategy import Strategy, parse_strategy
from reasoning.loop.result import Check
from reasoning.loop.strategies import LoopResult, Round, solve
from reasoning.loop.view import GOLD_FREE_META, ProblemView, view_of

__all__ = [
    "ABSTAINED",
    "CHECKS",
    "GOLD_FREE_META",
    "Check",
    "LoopResult",
    "ProblemView",
    "Round",
    "Route",
    "Strategy",
    "check",
    "parse_strategy",
    "route_for",
    "solve",
    "view_of",
]
