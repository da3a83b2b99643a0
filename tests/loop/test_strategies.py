"""Strategies: every strategy runs to the end on every family without touching gold;
refine stops at the first pass and feeds the check back; best_of stops early or votes;
self_critique decides without the check; hostile model output never raises."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reasoning
from reasoning import get_family
from reasoning.core import ConfigError
from reasoning.core.answers import MAX_RESPONSE_CHARS
from reasoning.loop import check, view_of
from reasoning.loop import strategies as loop_strategies
from reasoning.loop.parse_strategy import Strategy, parse_strategy
from reasoning.loop.strategies import CRITIQUE_MESSAGE, LoopResult, solve
from reasoning.models.base import Completion, GenerationSettings, sample_seed
from tests.loop.conftest import ScriptedBackend
from tests.loop.test_checks import SETTINGS, GuardedInstance, items

STRATEGIES = ["direct", "refine:2", "best_of:3", "self_critique", "best_of:2+refine:1"]
GREEDY = GenerationSettings(max_new_tokens=64)
UNSURE = "I am not sure."


def first(family: str, **knobs) -> reasoning.Instance:
    return items(family, tuple(knobs.items()))[0]


def run(answers, item, spec: str, gen: GenerationSettings = GREEDY):
    backend = ScriptedBackend(answers)
    return backend, solve(backend, view_of(item), parse_strategy(spec), gen)


@pytest.mark.parametrize("spec", STRATEGIES)
@pytest.mark.parametrize(("family", "knobs"), SETTINGS, ids=lambda p: str(p))
def test_every_strategy_runs_to_the_end_without_gold(family, knobs, spec):
    for item in items(family, tuple(knobs.items()))[:2]:
        oracle = get_family(family).oracle(item)  # computed before the guard goes on
        guarded = GuardedInstance(item)
        view = view_of(guarded)
        backend = ScriptedBackend([UNSURE, oracle])  # wrong first, then right
        result = solve(backend, view, parse_strategy(spec), GREEDY)
        assert guarded.touched == []
        assert isinstance(result, LoopResult) and result.response in (UNSURE, oracle)
        assert result.calls == len(backend.calls) == len(result.rounds) >= 1
        ends = {"done", "passed", "undecided", "budget", "vote", "first"}
        assert result.stopped in ({"critiqued"} if spec == "self_critique" else ends)
        if "refine" in spec and check(view, UNSURE).passed is False:
            assert result.response == oracle  # the feedback round fixed it
            assert reasoning.verify(item, result.response).correct
        assert result.prompt_tokens == 10 * result.calls


def test_refine_stops_at_the_first_pass_and_sends_the_feedback_back():
    item = first("pbe")
    oracle = get_family("pbe").oracle(item)
    wrong = ['```\nreplace("a", "b")\n```', "```\nreplace('a'\n```"]
    backend, result = run([*wrong, oracle, "never asked"], item, "refine:4")
    assert result.stopped == "passed" and result.response == oracle
    assert result.calls == 3 and [r.kind for r in result.rounds] == ["propose", *["refine"] * 2]
    sent = backend.calls[1][0]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"] == item.prompt and sent[1]["content"] == wrong[0]
    feedback = result.rounds[0].check.feedback
    assert result.rounds[0].check.passed is False
    assert sent[2]["content"].startswith("Your answer did not pass a check: ")
    assert feedback.rstrip(". ") in sent[2]["content"]
    assert result.rounds[0].feedback == sent[2]["content"]
    assert result.rounds[-1].feedback is None

    _, result = run(wrong, item, "refine:1")
    assert (result.stopped, result.calls, result.response) == ("budget", 2, wrong[1])


def test_refine_stops_when_the_check_cannot_decide():
    backend, result = run(["Answer: yes", "never asked"], first("logicasker"), "refine:3")
    assert (result.stopped, result.calls) == ("undecided", 1)
    _, result = run([get_family("pbe").oracle(first("pbe"))], first("pbe"), "refine:3")
    assert (result.stopped, result.calls) == ("passed", 1)


def test_best_of_stops_at_the_first_passing_sample():
    item = first("pbe")
    oracle = get_family("pbe").oracle(item)
    backend, result = run([UNSURE, oracle, "never asked"], item, "best_of:4")
    assert (result.stopped, result.calls, result.samples_drawn) == ("passed", 2, 2)
    assert result.response == oracle
    spent = result.prompt_tokens + result.completion_tokens
    assert result.tokens_saved == spent  # two samples drawn, two saved
    assert [s.temperature for _, s in backend.calls] == [0.7, 0.7]
    assert [s.seed for _, s in backend.calls] == [sample_seed(0, k) for k in range(2)]
    assert "temperature 0.7" in result.notes[0]

    backend, result = run([UNSURE], item, "best_of:2", GenerationSettings(temperature=0.3))
    assert [s.temperature for _, s in backend.calls] == [0.3, 0.3] and result.notes == ()
    assert (result.stopped, result.response, result.tokens_saved) == ("first", UNSURE, 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Answer: yes", "Answer: no", "hmm"]), min_size=1, max_size=7))
def test_best_of_votes_over_the_samples_that_did_not_fail(answers):
    _, result = run(answers, first("logicasker"), f"best_of:{len(answers)}")
    assert result.calls == result.samples_drawn == len(answers)
    voters = [a for a in answers if a != "hmm"]  # unreadable: the check fails them
    if not voters:
        assert (result.stopped, result.response) == ("first", answers[0])
    else:
        assert result.stopped == "vote"
        assert result.response == Counter(voters).most_common(1)[0][0]


def test_best_of_votes_on_open_answers_as_sets():
    answers = ["Answer: Ann; Bob", "Answer: Carl", "Answer: Bob; Ann"]
    _, result = run(answers, first("kgqa", hops=1), "best_of:3")
    assert (result.stopped, result.response) == ("vote", answers[0])


def test_best_of_then_refine_continues_from_the_pick():
    item = first("pbe")
    oracle = get_family("pbe").oracle(item)
    backend, result = run([UNSURE, "```\nreplace('a'\n```", oracle], item, "best_of:2+refine:1")
    assert (result.stopped, result.calls, result.response) == ("passed", 3, oracle)
    assert [r.kind for r in result.rounds] == ["sample", "sample", "refine"]
    assert backend.calls[2][0][1]["content"] == UNSURE  # the first sample was picked


def test_self_critique_decides_without_the_check(monkeypatch):
    item = first("pbe")
    oracle = get_family("pbe").oracle(item)
    events: list[str] = []
    real_check = loop_strategies.check

    def logged_check(view, response):
        events.append("check")
        return real_check(view, response)

    def answer(conversation, _settings, i):
        events.append("call")
        return [oracle, UNSURE, UNSURE][i]

    monkeypatch.setattr(loop_strategies, "check", logged_check)
    backend = ScriptedBackend(answer)
    result = solve(backend, view_of(item), parse_strategy("self_critique:2"), GREEDY)
    assert events == ["call"] * 3 + ["check"] * 3  # checks only after every model call
    assert result.response == UNSURE  # the control keeps its last answer, right or wrong
    assert result.rounds[0].check.passed is True and result.stopped == "critiqued"
    assert backend.calls[1][0][-1]["content"] == CRITIQUE_MESSAGE
    assert backend.calls[2][0][1]["content"] == UNSURE


FORMS = st.one_of(
    st.just("direct"),
    st.integers(1, 16).map(lambda k: f"refine:{k}"),
    st.integers(1, 16).map(lambda n: f"best_of:{n}"),
    st.integers(1, 16).map(lambda k: f"self_critique:{k}"),
    st.tuples(st.integers(1, 16), st.integers(1, 16)).map(
        lambda p: f"best_of:{p[0]}+refine:{p[1]}"
    ),
)


@given(FORMS)
def test_parse_strategy_accepts_every_form(text):
    strategy = parse_strategy(text)
    assert isinstance(strategy, Strategy)
    assert str(strategy) == text and parse_strategy(str(strategy)) == strategy


BAD = [
    "", "refine", "refine:0", "refine:17", "best_of:99", "direct:2", "refine:2+best_of:2",
    "self_critique+refine:1", "direct+refine:1", "refine:1+refine:2", "formalize:0",
    "best_of:-1", "refine:1.5", "best_of:2+",
]  # fmt: skip


@pytest.mark.parametrize("text", BAD)
def test_parse_strategy_rejects_bad_forms_naming_them(text):
    with pytest.raises(ConfigError) as caught:
        parse_strategy(text)
    message = str(caught.value)
    assert "allowed: direct, refine:K" in message and "\n" not in message
    assert repr(text) in message


@given(st.text(max_size=40))
def test_parse_strategy_never_raises_anything_else(text):
    try:
        parse_strategy(text)
    except ConfigError:
        pass


HOSTILE = [
    "Answer: yes " * 9_000,
    "\ud800\udfff\ud83d" * 1_000 + "Answer: yes",
    "x" * 300_000,
    "",
    "(" * 60_000 + "replace(" * 5_000,
]


@pytest.mark.parametrize("spec", STRATEGIES)
def test_hostile_model_output_never_raises(spec):
    for family, knobs in [("pbe", {}), ("nlsat", {}), ("kgqa", {"hops": 2}), *SETTINGS[3:5]]:
        item = first(family, **knobs)
        for shift in range(len(HOSTILE)):
            script = HOSTILE[shift:] + HOSTILE[:shift]
            _, result = run(script, item, spec)
            assert len(result.response) <= MAX_RESPONSE_CHARS
            result.response.encode("utf-8")  # no lone surrogates left
            assert all(len(r.proposal) <= MAX_RESPONSE_CHARS for r in result.rounds)


class FailingBackend(ScriptedBackend):
    """Answers from the script until call `fail_at`, then fails (raises or an error)."""

    def __init__(self, script, fail_at: int, raises: bool) -> None:
        super().__init__(script)
        self.fail_at, self.raises = fail_at, raises

    def chat(self, conversations, settings):
        if len(self.calls) >= self.fail_at:
            self.calls.append((list(conversations[0]), settings))
            if self.raises:
                raise RuntimeError("connection reset")
            return [Completion("", 0, 0, "error", "server said no")]
        return super().chat(conversations, settings)


@pytest.mark.parametrize("raises", [True, False])
@pytest.mark.parametrize("spec", STRATEGIES)
def test_a_failing_backend_ends_the_loop_with_error(spec, raises):
    item = first("pbe")
    result = solve(FailingBackend([UNSURE], 0, raises), view_of(item), parse_strategy(spec), GREEDY)
    assert (result.stopped, result.response, result.calls) == ("error", "", 1)
    assert result.rounds[0].error and result.rounds[0].check is None
    if spec != "direct":
        result = solve(
            FailingBackend([UNSURE], 1, raises), view_of(item), parse_strategy(spec), GREEDY
        )
        assert (result.stopped, result.response, result.calls) == ("error", UNSURE, 2)


def test_results_serialise():
    import json

    _, result = run([UNSURE, "Answer: x"], first("pbe"), "best_of:2+refine:1")
    record = json.loads(json.dumps(result.to_dict()))
    assert record["strategy"] == "best_of:2+refine:1" and len(record["rounds"]) == 3
