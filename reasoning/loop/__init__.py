"""Verifier-in-the-loop: a gold-free view of each instance and a gold-free check per family.

Strategies see `view_of(instance)` (the problem and its formal form, never the label,
witness, proof or gold paths) and judge each proposal with `check(view, response)`;
scoring against gold (`reasoning.verify`) happens only after the loop ends.
"""

from reasoning.loop.checks import CHECKS, check
from reasoning.loop.result import Check
from reasoning.loop.view import GOLD_FREE_META, ProblemView, view_of

__all__ = ["CHECKS", "GOLD_FREE_META", "Check", "ProblemView", "check", "view_of"]
