"""Strategies: propose, check without gold, feed back, retry (`solve`).

`solve(backend, view, strategy, settings)` sees only a `ProblemView` and judges proposals
only with the gold-free `check`; scoring against gold happens after it returns.

- direct: one completion of `view.prompt` (its check is recorded, not acted on).
- refine:K: propose; while the check says False and rounds are left (K extra), send
  [user: prompt, assistant: last proposal, user: FEEDBACK_MESSAGE with the check's
  feedback] through `backend.chat` and check the new proposal. Stops at True ('passed'),
  at None ('undecided': without gold there is nothing more to learn, so another round
  would only be a guess), or after K extra rounds still False ('budget').
- best_of:N: samples k = 0..N-1 of the prompt with `sample_settings(settings, k)` (at
  DEFAULT_TEMPERATURE when `settings` are greedy; the result's notes say so), stopping at
  the first whose check passes ('passed'; `tokens_saved` estimates the tokens the undrawn
  samples would have cost). Otherwise a majority vote over the parsed answers of the
  samples whose check did not fail ('vote'; ties go to the earliest), else the first
  sample ('first').
- best_of:N+refine:K: best_of picks; if the pick's check failed, refine continues from it.
- self_critique[:K] (the negative control): one proposal, then K rounds of
  [user: prompt, assistant: answer, user: CRITIQUE_MESSAGE]; the last answer is kept.
  `check` is not consulted while deciding: the checks are computed after the last model
  call, for the record only ('critiqued').
- formalize[:N][+refine:K]: the model writes the problem's formal form and a solver
  answers; N formalisations vote (`reasoning.loop.formalize`, which documents its rounds).

Nothing a model writes can raise out of `solve` or hang it: every completion goes through
`bound_response`, `check` never raises, and a backend that fails (an error Completion or
an exception) ends the loop with stopped='error' keeping the last proposal.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reasoning.core.answers import bound_response
from reasoning.loop.checks import check
from reasoning.loop.formalize import formalize
from reasoning.loop.parse_strategy import Strategy
from reasoning.loop.result import Check
from reasoning.loop.view import ProblemView
from reasoning.models.base import Backend, Completion, GenerationSettings, Message, sample_settings

DEFAULT_TEMPERATURE = 0.7
FEEDBACK_MESSAGE = (
    "Your answer did not pass a check: {feedback}. Fix it and end with the answer line as asked."
)
CRITIQUE_MESSAGE = (
    "Review your answer above for mistakes. If it is wrong, give a corrected answer; "
    "end with the answer line as asked."
)


@dataclass(frozen=True)
class Round:
    """One model call: `kind` ('propose', 'sample', 'refine', 'critique'), the messages
    `sent`, the `proposal` (bounded text), its gold-free `check` (None when the call
    failed), the `feedback` message sent back next (None if none), the `sample` index
    (best_of) and the backend's `error` if the call failed."""

    kind: str
    sent: tuple[Message, ...]
    proposal: str
    check: Check | None
    feedback: str | None = None
    sample: int | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["sent"], out["check"] = list(self.sent), self.check and self.check.to_dict()
        return out


@dataclass(frozen=True)
class LoopResult:
    """What `solve` returns: the final `response`, every `rounds` record, model `calls`,
    token counts as the backend reported them, `samples_drawn` (best_of), why it
    `stopped` ('done', 'passed', 'undecided', 'budget', 'vote', 'first', 'critiqued',
    'abstain', 'error'), `tokens_saved` (best_of's and formalize's estimate against always
    drawing N), `notes`, and `votes` (formalize: each answer's count among the
    formalisations the solver decided)."""

    strategy: str
    response: str
    rounds: tuple[Round, ...]
    calls: int
    prompt_tokens: int
    completion_tokens: int
    samples_drawn: int
    stopped: str
    tokens_saved: int = 0
    notes: tuple[str, ...] = ()
    votes: tuple[tuple[str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["rounds"], out["notes"] = [r.to_dict() for r in self.rounds], list(self.notes)
        out["votes"] = dict(self.votes)
        return out


@dataclass
class _Run:
    """The mutable state of one `solve` call (never shared between calls)."""

    backend: Backend
    view: ProblemView
    settings: GenerationSettings
    rounds: list[Round] = field(default_factory=list)
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    notes: list[str] = field(default_factory=list)

    def call(self, messages: Sequence[Message], settings: GenerationSettings) -> Completion:
        """One model call (generate for a lone user prompt, else chat); a failure of any
        kind becomes an error Completion. Tokens are counted as reported."""
        self.calls += 1
        try:
            if len(messages) == 1:
                out = self.backend.generate([messages[0]["content"]], settings)[0]
            else:
                out = self.backend.chat([list(messages)], settings)[0]
        except Exception as exc:  # noqa: BLE001 - a backend failure ends the loop, not the run
            return Completion("", 0, 0, "error", f"{type(exc).__name__}: {exc}"[:500])
        if not isinstance(out, Completion):
            return Completion("", 0, 0, "error", f"backend returned {type(out).__name__}")
        self.prompt_tokens += _count(out.prompt_tokens)
        self.completion_tokens += _count(out.completion_tokens)
        return out

    def ask(
        self,
        kind: str,
        messages: Sequence[Message],
        *,
        judge: bool | Callable[[ProblemView, str], Check] = True,
        **extra: Any,
    ) -> Round | None:
        """Call the model, record the round (checked when `judge`: by `check`, or by
        `judge` itself when it is a function that never raises), or None on an error
        (recorded too). `extra` may carry `sample` and `settings`."""
        settings = extra.pop("settings", self.settings)
        out = self.call(messages, settings)
        if out.finish_reason == "error":
            error = str(out.error or "backend error")[:500]
            self.rounds.append(Round(kind, tuple(messages), "", None, error=error, **extra))
            return None
        text = out.text if isinstance(out.text, str) else ""
        text, _ = bound_response(text)
        judged = judge if callable(judge) else check
        verdict = judged(self.view, text) if judge else None
        self.rounds.append(Round(kind, tuple(messages), text, verdict, **extra))
        return self.rounds[-1]

    def result(self, strategy: Strategy, response: str, stopped: str, **extra: Any) -> LoopResult:
        samples = sum(r.sample is not None for r in self.rounds)
        return LoopResult(
            strategy=str(strategy),
            response=response,
            rounds=tuple(self.rounds),
            calls=self.calls,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            samples_drawn=samples,
            stopped=stopped,
            notes=tuple(self.notes),
            **extra,
        )


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _user(text: str) -> Message:
    return {"role": "user", "content": text}


def solve(
    backend: Backend, view: ProblemView, strategy: Strategy, settings: GenerationSettings
) -> LoopResult:
    """Run `strategy` on the problem in `view` (gold-free: nothing else is read). Never
    raises for anything the model writes or the backend fails at. Cost: at most
    max(best_of, 1) + refine model calls (1 + critique for self_critique), each followed
    by one gold-free check (see `reasoning.loop.checks` for theirs); formalize: at most
    formalize · (1 + refine) calls, each followed by one bounded solver call."""
    run = _Run(backend, view, settings)
    if strategy.formalize:
        return formalize(run, strategy)
    if strategy.critique:
        return _self_critique(run, strategy)
    if strategy.best_of:
        picked, stopped, saved = _best_of(run, strategy.best_of)
    else:
        picked, stopped, saved = run.ask("propose", [_user(view.prompt)]), "done", 0
    if picked is not None and picked.check is not None and strategy.refine:
        if picked.check.passed is False:
            picked, stopped = _refine(run, picked, strategy.refine)
        elif stopped == "done":
            stopped = "passed" if picked.check.passed else "undecided"
    if picked is None:
        return run.result(strategy, _last_proposal(run), "error", tokens_saved=saved)
    return run.result(strategy, picked.proposal, stopped, tokens_saved=saved)


def _last_proposal(run: _Run) -> str:
    return next((r.proposal for r in reversed(run.rounds) if r.error is None), "")


def _refine(run: _Run, current: Round, budget: int) -> tuple[Round | None, str]:
    """Up to `budget` feedback rounds from the failing proposal `current`: (the last
    proposal or None on an error, why it stopped)."""
    for _ in range(budget):
        if current.check is None:
            return None, "error"
        feedback = FEEDBACK_MESSAGE.format(feedback=current.check.feedback.rstrip(". "))
        at = next(i for i, r in enumerate(run.rounds) if r is current)
        run.rounds[at] = current = dataclasses.replace(current, feedback=feedback)
        messages = [
            _user(run.view.prompt),
            {"role": "assistant", "content": current.proposal},
            _user(feedback),
        ]
        nxt = run.ask("refine", messages)
        if nxt is None or nxt.check is None:
            return None, "error"
        current = nxt
        if current.check.passed is True:
            return current, "passed"
        if current.check.passed is None:
            return current, "undecided"
    return current, "budget"


def _best_of(run: _Run, n: int) -> tuple[Round | None, str, int]:
    """Samples 0..n-1 until one passes, else a vote: (the pick or None on an error, why
    it stopped, estimated tokens saved by stopping early)."""
    settings = run.settings
    if settings.temperature == 0:
        settings = dataclasses.replace(settings, temperature=DEFAULT_TEMPERATURE)
        run.notes.append(
            f"best_of: the settings are greedy, so samples are drawn at temperature "
            f"{DEFAULT_TEMPERATURE}"
        )
    drawn: list[Round] = []
    for k in range(n):
        sample = run.ask(
            "sample", [_user(run.view.prompt)], sample=k, settings=sample_settings(settings, k)
        )
        if sample is None:
            return None, "error", 0
        drawn.append(sample)
        if sample.check is not None and sample.check.passed is True:
            spent = run.prompt_tokens + run.completion_tokens
            return sample, "passed", round(spent * (n - len(drawn)) / len(drawn))
    voters = [r for r in drawn if r.check is not None and r.check.passed is not False]
    keys = [_vote_key(r.check.parsed) for r in voters if r.check is not None]
    counted = Counter(k for k in keys if k is not None)
    if not counted:
        return drawn[0], "first", 0
    winner, _ = counted.most_common(1)[0]  # equal counts: the first encountered wins
    return voters[keys.index(winner)], "vote", 0


def _vote_key(parsed: Any) -> str | None:
    """What a vote compares: a closed answer's label, an entity list as a set, any other
    parsed form as canonical JSON; None when nothing was parsed."""
    if parsed is None:
        return None
    if isinstance(parsed, dict) and "answer" in parsed:
        parsed = parsed["answer"]
    elif isinstance(parsed, dict) and isinstance(parsed.get("entities"), list):
        parsed = sorted({str(e) for e in parsed["entities"]})
    return json.dumps(parsed, sort_keys=True, ensure_ascii=False, default=str)


def _self_critique(run: _Run, strategy: Strategy) -> LoopResult:
    """The control: one proposal, then `strategy.critique` self-review rounds, keeping the
    last answer. No check is consulted until every model call is done."""
    prompt = run.view.prompt
    current = run.ask("propose", [_user(prompt)], judge=False)
    stopped = "critiqued"
    for _ in range(strategy.critique):
        if current is None:
            break
        messages = [
            _user(prompt),
            {"role": "assistant", "content": current.proposal},
            _user(CRITIQUE_MESSAGE),
        ]
        current = run.ask("critique", messages, judge=False)
    if current is None:
        stopped = "error"
    run.rounds = [  # for the report only: the decision above never saw these
        r if r.error is not None else dataclasses.replace(r, check=check(run.view, r.proposal))
        for r in run.rounds
    ]
    return run.result(strategy, _last_proposal(run), stopped)
