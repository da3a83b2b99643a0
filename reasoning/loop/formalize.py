"""The `formalize` strategy: the model writes the problem's formal form, a solver computes
the answer (Logic-LM, LINC, SatLM).

Routes, by family (`route_for`):
- logicasker, fol (entail): premises and conclusion in first-order logic, z3 decides
  (`reasoning.loop.formalize_logic`);
- nlsat: the statements as clauses over the problem's facts, python-sat decides
  (`reasoning.loop.formalize_sat`);
- pbe, fol (translate), kgqa: the answer itself is the formal form (a cascade, formulas,
  cited facts), judged by the family's gold-free `check`; kgqa has no formalisation of its
  own, and a note says so.

`formalize:N+refine:K` draws N formalisations (one with the given settings when N is 1;
otherwise samples k = 0..N-1 with `sample_settings`, at DEFAULT_TEMPERATURE when the
settings are greedy, as best_of). Each is judged gold-free (parse errors with their
position, symbols or facts outside the problem's vocabulary, the wrong number of
statements, inconsistent premises, the solver undecided within its budget); while one
fails and refine rounds are left (K per formalisation), [user: formalize prompt,
assistant: formalisation, user: FEEDBACK_MESSAGE] asks for a repaired one. Then the
formalisations the solver decided vote on their answers (ties: the earliest); failed ones
abstain (SatLM). Sampling stops early once no undrawn formalisation could change the
winner (`tokens_saved` estimates what that saved). The response is the winner's answer as
the family asks for it; when none was decided, 'abstain' with ABSTAINED (a route whose
answers are themselves the formal form keeps its first answer instead, as best_of).

Rounds record each call: `proposal` is the formalisation, `check.parsed` holds the
solver's verdict (`solver`), the `answer` and the `response` built from it; the result's
`votes` count the answers. Nothing here reads gold: only the view's prompt and its
gold-free meta; the solver answers only the model's own formalisation.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reasoning.loop.checks import check
from reasoning.loop.formalize_logic import judge_logic, logic_prompt
from reasoning.loop.formalize_sat import judge_sat, sat_prompt
from reasoning.loop.result import Check
from reasoning.loop.view import ProblemView
from reasoning.models.base import Message, sample_settings

if TYPE_CHECKING:
    from reasoning.loop.parse_strategy import Strategy
    from reasoning.loop.strategies import LoopResult, Round, _Run

DEFAULT_TEMPERATURE = 0.7
FEEDBACK_MESSAGE = (
    "Your formalisation did not pass a check: {feedback}. Write the whole formalisation "
    "again, corrected, in the same format."
)
ABSTAINED = "Abstained: the solver could decide none of the formalisations."


@dataclass(frozen=True)
class Route:
    """How one family is formalised: `name`, the `prompt` asking for the formal form,
    and `judge` (never raises) reading and deciding one formalisation. `formal` is False
    where the answer itself is the formal form (then the proposal is the response)."""

    name: str
    prompt: Callable[[ProblemView], str]
    judge: Callable[[ProblemView, str], Check]
    formal: bool = True


LOGIC = Route("first-order logic (z3)", logic_prompt, judge_logic)
CLAUSES = Route("clauses (python-sat)", sat_prompt, judge_sat)
ANSWER = Route("the answer as its own formal form", lambda view: view.prompt, check, False)


def route_for(view: ProblemView) -> Route:
    """The route of `view`'s family (ANSWER for a family with no formalisation)."""
    if view.family == "logicasker" or (
        view.family == "fol" and view.meta.get("task") != "translate"
    ):
        return LOGIC
    if view.family == "nlsat":
        return CLAUSES
    return ANSWER


def _guarded(judge: Callable[[ProblemView, str], Check]) -> Callable[[ProblemView, str], Check]:
    """`judge` that turns anything raised into a failed Check (the last guard)."""

    def judged(view: ProblemView, text: str) -> Check:
        try:
            return judge(view, text)
        except Exception as exc:  # noqa: BLE001 - model output is data: never raise
            return Check(False, None, f"could not read the formalisation: {type(exc).__name__}")

    return judged


def _user(text: str) -> Message:
    return {"role": "user", "content": text}


def formalize(run: _Run, strategy: Strategy) -> LoopResult:
    """Run `formalize:N[+refine:K]` (see the module docstring) on `run`'s view. Cost: at
    most N · (1 + K) model calls, each judged by one bounded read and solver call."""
    route = route_for(run.view)
    if not route.formal:
        run.notes.append(
            f"formalize: {run.view.family} answers in its own formal form; "
            "each answer is checked as given"
        )
    n, settings = strategy.formalize, run.settings
    if n > 1 and settings.temperature == 0:
        settings = dataclasses.replace(settings, temperature=DEFAULT_TEMPERATURE)
        run.notes.append(
            f"formalize: the settings are greedy, so the {n} formalisations are drawn at "
            f"temperature {DEFAULT_TEMPERATURE}"
        )
    prompt, judge = route.prompt(run.view), _guarded(route.judge)
    finals: list[Round] = []
    for k in range(n):
        extra: dict[str, Any] = (
            {"sample": k, "settings": sample_settings(settings, k)} if n > 1 else {}
        )
        current = run.ask("formalize", [_user(prompt)], judge=judge, **extra)
        if current is not None:
            current = _repair(run, current, prompt, judge, strategy.refine)
        if current is None:
            return run.result(strategy, _fallback(run, finals, route), "error")
        finals.append(current)
        if _settled(finals, n - k - 1):
            spent = run.prompt_tokens + run.completion_tokens
            run.notes.append(f"formalize: the vote was settled after {k + 1} of {n}")
            return _decide(run, strategy, route, finals, round(spent * (n - k - 1) / (k + 1)))
    return _decide(run, strategy, route, finals, 0)


def _repair(run: _Run, current: Round, prompt: str, judge: Callable, budget: int) -> Round | None:
    """Up to `budget` feedback rounds while `current`'s formalisation fails: the last
    round, or None on a backend error."""
    for _ in range(budget):
        if current.check is None or current.check.passed is not False:
            return current
        feedback = FEEDBACK_MESSAGE.format(feedback=current.check.feedback.rstrip(". "))
        at = next(i for i, r in enumerate(run.rounds) if r is current)
        run.rounds[at] = dataclasses.replace(current, feedback=feedback)
        messages = [
            _user(prompt),
            {"role": "assistant", "content": current.proposal},
            _user(feedback),
        ]
        nxt = run.ask("refine", messages, judge=judge)
        if nxt is None:
            return None
        current = nxt
    return current


def _key(round_: Round) -> str | None:
    """What a formalisation votes for: its answer when the solver decided it (formal
    routes) or when its check passed (answer routes); None when it abstains."""
    verdict = round_.check
    if verdict is None or verdict.passed is not True:
        return None
    parsed = verdict.parsed
    if isinstance(parsed, dict) and "answer" in parsed:
        return str(parsed["answer"])
    if isinstance(parsed, dict) and isinstance(parsed.get("entities"), list):
        parsed = sorted({str(e) for e in parsed["entities"]})
    return json.dumps(parsed, sort_keys=True, ensure_ascii=False, default=str)


def _settled(finals: list[Round], left: int) -> bool:
    """Whether `left` more votes could no longer change the leader."""
    counts = Counter(k for k in map(_key, finals) if k is not None).most_common(2)
    if not counts or left == 0:
        return False
    second = counts[1][1] if len(counts) > 1 else 0
    return counts[0][1] > second + left


def _response(route: Route, round_: Round) -> str:
    parsed = round_.check.parsed if round_.check is not None else None
    if route.formal:
        return str(parsed["response"]) if isinstance(parsed, dict) else ABSTAINED
    return round_.proposal


def _fallback(run: _Run, finals: list[Round], route: Route) -> str:
    """The response when a backend error ends the loop: the best decided so far."""
    voters = [r for r in finals if _key(r) is not None]
    if voters:
        return _response(route, voters[0])
    if not route.formal:
        return next((r.proposal for r in reversed(run.rounds) if r.error is None), "")
    return ABSTAINED


def _decide(
    run: _Run, strategy: Strategy, route: Route, finals: list[Round], saved: int
) -> LoopResult:
    """The vote over the decided formalisations (ties: the earliest)."""
    keys = [_key(r) for r in finals]
    counts = Counter(k for k in keys if k is not None)
    votes = tuple(counts.most_common())
    abstained = keys.count(None)
    if abstained and len(finals) > 1:
        run.notes.append(f"formalize: {abstained} of {len(finals)} formalisations abstained")
    if counts:
        winner = votes[0][0]
        pick = finals[keys.index(winner)]
        stopped = "passed" if len(finals) == 1 else "vote"
        return run.result(
            strategy, _response(route, pick), stopped, tokens_saved=saved, votes=votes
        )
    if route.formal:
        return run.result(strategy, ABSTAINED, "abstain", tokens_saved=saved)
    pick = next((r for r in finals if r.check is not None and r.check.passed is None), finals[0])
    undecided = pick.check is not None and pick.check.passed is None
    stopped = "undecided" if undecided else "budget" if strategy.refine else "done"
    stopped = "first" if len(finals) > 1 and not undecided else stopped
    return run.result(strategy, pick.proposal, stopped, tokens_saved=saved)
