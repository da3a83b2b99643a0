"""formalize: the model's formal form, decided by a solver, gives answers the family's own
verify accepts; bad formalisations get gold-free feedback (parse, vocabulary, count,
solver) and abstain from the vote; nothing reads gold; hostile text never raises."""

from __future__ import annotations

import functools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reasoning
from reasoning import get_family
from reasoning.core import ConfigError
from reasoning.core.answers import MAX_RESPONSE_CHARS
from reasoning.loop import check, parse_strategy, solve, view_of
from reasoning.loop.formalize import ABSTAINED, route_for
from reasoning.loop.formalize_logic import judge_logic
from reasoning.loop.formalize_sat import judge_sat
from reasoning.loop.parse_strategy import Strategy
from reasoning.models.base import GenerationSettings
from tests.loop.conftest import ScriptedBackend
from tests.loop.test_checks import SETTINGS, GuardedInstance
from tests.loop.test_strategies import FailingBackend

GREEDY = GenerationSettings(max_new_tokens=64)
GARBAGE = "I think the answer is obvious."


@functools.cache
def items(family: str, knobs: tuple = (), n: int = 6) -> tuple[reasoning.Instance, ...]:
    return tuple(reasoning.generate(family, n, 23, **dict(knobs)))


def fol_formalisation(item: reasoning.Instance, negate: bool = False) -> str:
    """The item's gold formalisation (the test's oracle; the loop never sees it)."""
    fol = item.meta["fol"]
    lines = [f"{i}. {p}" for i, p in enumerate(fol["premises"], 1)]
    conclusion = f"¬({fol['conclusion']})" if negate else fol["conclusion"]
    return "Here it is:\n```\n" + "\n".join(lines) + f"\nConclusion: {conclusion}\n```"


def sat_formalisation(item: reasoning.Instance, rule_form: bool = False) -> str:
    """The item's statements as clauses over its facts, from its DIMACS (test oracle)."""
    atoms = item.meta["atoms"]
    lines = []
    for i, line in enumerate(item.meta["formal"]["text"].splitlines()[1:], 1):
        lits = [int(x) for x in line.split()[:-1]]
        words = [("not " if lit < 0 else "") + atoms[abs(lit) - 1] for lit in lits]
        if rule_form and len(lits) > 1:  # 'if ¬l1 and ... then ln'
            flipped = [w[4:] if w.startswith("not ") else "not " + w for w in words[:-1]]
            lines.append(f"{i}. if {' and '.join(flipped)} then {words[-1]}")
        else:
            lines.append(f"{i}. {' or '.join(words)}")
    return "```\n" + "\n".join(lines) + "\n```"


def oracle_formalisation(item: reasoning.Instance) -> str:
    if item.family == "nlsat":
        return sat_formalisation(item)
    if item.family == "logicasker" or item.meta.get("task") == "entail":
        return fol_formalisation(item)
    return get_family(item.family).oracle(item)


def run(answers, item, spec: str):
    backend = ScriptedBackend(answers)
    return backend, solve(backend, view_of(item), parse_strategy(spec), GREEDY)


CASES = [
    ("logicasker", ()),
    ("fol", (("task", "entail"),)),
    ("nlsat", ()),
    ("nlsat", (("grammar", "relative"), ("n_vars", 6))),
]


@pytest.mark.parametrize(("family", "knobs"), CASES, ids=str)
def test_a_right_formalisation_gives_the_answer_verify_accepts(family, knobs):
    labels = set()
    for item in items(family, knobs):
        backend, result = run([oracle_formalisation(item)], item, "formalize")
        assert (result.stopped, result.calls) == ("passed", 1)
        verdict = reasoning.verify(item, result.response)
        assert verdict.correct and verdict.score == 1.0, (result.response, verdict.feedback)
        assert result.rounds[0].proposal == oracle_formalisation(item)
        assert result.rounds[0].check.parsed["response"] == result.response
        assert result.votes == ((verdict.parsed["answer"], 1),)
        prompt = backend.calls[0][0][0]["content"]
        assert prompt.startswith("Here is a problem:") and item.prompt in prompt
        labels.add(item.answer)
    assert len(labels) > 1  # both (all) labels were reached through the solver


def test_nlsat_rules_can_be_written_as_if_then():
    for item in items("nlsat"):
        _, result = run([sat_formalisation(item, rule_form=True)], item, "formalize")
        assert reasoning.verify(item, result.response).score == 1.0


def test_a_negated_conclusion_flips_the_answer():
    """The solver, not the model, answers: the same premises with the conclusion negated
    give the other label (True <-> False), which verify then rejects."""
    for item in items("fol", (("task", "entail"),)):
        if item.answer == "Unknown":
            continue
        _, result = run([fol_formalisation(item, negate=True)], item, "formalize")
        assert result.stopped == "passed"
        assert not reasoning.verify(item, result.response).correct


@pytest.mark.parametrize("spec", ["formalize", "formalize:3", "formalize:3+refine:2"])
@pytest.mark.parametrize(("family", "knobs"), SETTINGS, ids=str)
def test_formalize_runs_to_the_end_on_every_family_without_gold(family, knobs, spec):
    for item in tuple(reasoning.generate(family, 2, 11, **knobs)):
        right = oracle_formalisation(item)  # computed before the guard goes on
        guarded = GuardedInstance(item)
        view = view_of(guarded)
        backend = ScriptedBackend([GARBAGE, right])
        result = solve(backend, view, parse_strategy(spec), GREEDY)
        assert guarded.touched == []
        assert result.calls == len(backend.calls) == len(result.rounds) >= 1
        assert result.prompt_tokens == 10 * result.calls
        assert result.stopped in {"passed", "vote", "abstain", "first", "done", "undecided"}
        assert isinstance(result.response, str)
        if "refine" in spec and route_for(view).formal:
            assert reasoning.verify(item, result.response).correct  # repaired by feedback


def test_refine_sends_the_parse_error_back_and_repairs():
    item = items("logicasker")[0]
    broken = "```\n1. ∀x (P(x) ∧\nConclusion: Q(a)\n```"
    backend, result = run([broken, fol_formalisation(item)], item, "formalize:1+refine:2")
    assert (result.stopped, result.calls) == ("passed", 2)
    assert [r.kind for r in result.rounds] == ["formalize", "refine"]
    first = result.rounds[0]
    assert first.check.passed is False and first.check.feedback.startswith("premise 1: ")
    assert "column" in first.check.feedback or "position" in first.check.feedback
    sent = backend.calls[1][0]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"] == broken and first.check.feedback.rstrip(". ") in sent[2]["content"]
    assert reasoning.verify(item, result.response).correct


def _vocabulary_cases(item):
    fol = item.meta["fol"]
    n = len(fol["premises"])
    numbered = [f"{i}. {p}" for i, p in enumerate(fol["premises"], 1)]
    end = f"Conclusion: {fol['conclusion']}"
    unary = next(p.split("/")[0] for p in item.meta["symbols"]["predicates"] if p.endswith("/1"))
    return [
        ("\n".join([*numbered[:-1], f"{n}. Zebra(kate)", end]), "Zebra/1 is not in the vocabulary"),
        ("\n".join([*numbered, f"{n + 1}. {fol['premises'][0]}", end]), f"only {n} premises"),
        ("\n".join([*numbered[1:], end]), "premise 1: no formula found"),
        ("\n".join(numbered), "no 'Conclusion: <formula>' line"),
        ("\n".join([*numbered, "Conclusion: Poet(x)"]), "free variable x"),
        (
            "\n".join([*numbered, f"Conclusion: {unary}(nobody)"]),
            "'nobody' is not in the vocabulary",
        ),
    ]


@pytest.mark.parametrize("case", range(6))
def test_bad_formalisations_fail_with_gold_free_feedback(case):
    item = items("fol", (("task", "entail"),))[0]
    text, needle = _vocabulary_cases(item)[case]
    verdict = judge_logic(view_of(item), text)
    assert verdict.passed is False and needle in verdict.feedback, verdict.feedback


def test_contradictory_premises_are_refused():
    item = items("logicasker")[1]
    symbols = item.meta["vocabulary"]
    pred = symbols["phrases"][0].split("|")[0]
    const = symbols["names"][0].split("|")[0]
    n = len(item.meta["sentences"])
    lines = [f"{i}. {pred}({const})" for i in range(1, n)] + [f"{n}. ¬{pred}({const})"]
    if n == 1:
        lines = [f"1. {pred}({const}) ∧ ¬{pred}({const})"]
    verdict = judge_logic(view_of(item), "\n".join([*lines, f"Conclusion: {pred}({const})"]))
    assert verdict.passed is False and "contradict" in verdict.feedback
    assert verdict.parsed["solver"] == "inconsistent"


def test_nlsat_checks_facts_count_and_the_problem_itself():
    item = next(it for it in items("nlsat") if it.answer == "yes")
    view = view_of(item)
    right = sat_formalisation(item).strip("`\n").splitlines()
    unknown = judge_sat(view, "\n".join([*right[:-1], f"{len(right)}. Zorro is brave"]))
    assert unknown.passed is False and "'zorro is brave' is not one of the problem's facts" in (
        unknown.feedback
    )
    short = judge_sat(view, "\n".join(right[:-1]))
    assert short.passed is False and f"statement {len(right)}: no clause found" in short.feedback
    # satisfiable clauses whose only model breaks statement 1: the problem refutes them
    atoms = item.meta["atoms"]
    first = [int(x) for x in item.meta["formal"]["text"].splitlines()[1].split()[:-1]]
    forced = [("" if lit < 0 else "not ") + atoms[abs(lit) - 1] for lit in first]
    lines = [f"{i}. {forced[min(i, len(forced)) - 1]}" for i in range(1, len(right) + 1)]
    refuted = judge_sat(view, "\n".join(lines))
    assert refuted.passed is False and refuted.parsed["solver"] == "refuted"
    assert "fails the problem" in refuted.feedback


def test_the_vote_takes_the_majority_and_failures_abstain():
    item = next(it for it in items("fol", (("task", "entail"),)) if it.answer != "Unknown")
    right, flipped = fol_formalisation(item), fol_formalisation(item, negate=True)
    backend, result = run([flipped, GARBAGE, right, right], item, "formalize:4")
    assert result.calls == 4 and result.stopped == "vote"
    assert dict(result.votes) == {
        item.answer: 2,
        {"True": "False", "False": "True"}[item.answer]: 1,
    }
    assert reasoning.verify(item, result.response).correct
    assert any("1 of 4 formalisations abstained" in note for note in result.notes)
    assert json.loads(json.dumps(result.to_dict()))["votes"] == dict(result.votes)
    assert {s.temperature for _, s in backend.calls} == {0.7}
    assert len({s.seed for _, s in backend.calls}) == 4  # one seed per sample


def test_sampling_stops_once_the_vote_is_settled():
    item = items("logicasker")[0]
    _, result = run([fol_formalisation(item)], item, "formalize:3")
    assert (result.calls, result.stopped, result.samples_drawn) == (2, "vote", 2)
    assert result.tokens_saved > 0 and dict(result.votes) == {item.answer: 2}


def test_no_decided_formalisation_abstains():
    item = items("nlsat")[0]
    _, result = run([GARBAGE], item, "formalize:2+refine:1")
    assert (result.stopped, result.response, result.calls) == ("abstain", ABSTAINED, 4)
    assert result.votes == () and not reasoning.verify(item, ABSTAINED).correct
    assert reasoning.verify(item, ABSTAINED).parsed is None  # no yes/no read into it


def test_answer_routes_vote_over_passing_answers():
    item = items("pbe")[0]
    oracle = get_family("pbe").oracle(item)
    _, result = run([GARBAGE, oracle, oracle], item, "formalize:3")
    assert result.response == oracle and result.stopped == "vote"
    assert "checked as given" in result.notes[0]
    kgqa = items("kgqa", (("hops", 1),))[0]
    _, result = run([GARBAGE], kgqa, "formalize")
    undecided = check(view_of(kgqa), GARBAGE).passed is None
    assert result.stopped == ("undecided" if undecided else "done")
    assert result.response == GARBAGE and result.calls == 1


@pytest.mark.parametrize("raises", [True, False])
def test_a_failing_backend_ends_with_error(raises):
    item = items("logicasker")[0]
    backend = FailingBackend([fol_formalisation(item)], 1, raises)
    result = solve(backend, view_of(item), parse_strategy("formalize:3"), GREEDY)
    assert (result.stopped, result.calls) == ("error", 2)
    assert reasoning.verify(item, result.response).correct  # the first decided one kept


# --- hostile text -------------------------------------------------------------------
WORDS = st.sampled_from(
    ["1.", "Conclusion:", "not", "or", "and", "if", "then", "(", ")", "∀x", "¬", "→", "P(a)",
     "Iris is zany", "\ud800", "\x00", "```", "\n", " " * 50, "é", "Answer: yes"]
)  # fmt: skip
GARBAGE_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(WORDS, max_size=120).map(" ".join),
    st.tuples(WORDS, st.integers(1, 1_000)).map(lambda p: (p[0] + " ") * p[1]),
    st.integers(1, 5_000).map(lambda d: "1. " + "(" * d + "P(a)" + ")" * d + "\nConclusion: P(a)"),
    st.integers(1, 3_000).map(lambda d: "1. " + "not " * d + "Iris is zany"),
)
HOSTILE = [
    " \t\n" * 20_000,
    "1. " + "Poet " * 1_000 + "\nConclusion: " + "Poet " * 1_000,
    "1. " + "(" * 50_000 + "\nConclusion: P(a)",
    "1. " + "¬" * 5_000 + "P(a)\nConclusion: P(a)",
    "\ud800\udfff\ud83d" * 2_000,
    "\n".join(f"{i}. P(a) ∨ P(a)" for i in range(1, 20_000)),
    "```\n" * 10_000,
    "1. " + " or ".join(["Iris is zany"] * 1_000),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(GARBAGE_TEXT)
def test_garbage_never_raises_in_the_judges(text):
    for family, knobs in CASES[:3]:
        item = items(family, knobs)[0]
        verdict = route_for(view_of(item)).judge(view_of(item), text)
        assert verdict.passed in (True, False) and isinstance(verdict.feedback, str)


@pytest.mark.parametrize("spec", ["formalize", "formalize:2+refine:1"])
def test_hostile_model_output_never_raises(spec):
    for family, knobs in CASES + [("pbe", ()), ("kgqa", (("hops", 2),))]:
        item = items(family, knobs)[0]
        for shift in range(0, len(HOSTILE), 2):
            _, result = run(HOSTILE[shift:] + HOSTILE[:shift], item, spec)
            assert len(result.response) <= MAX_RESPONSE_CHARS
            result.response.encode("utf-8")
            for r in result.rounds:
                assert r.check is not None and r.check.passed is not True
                assert len(r.check.feedback) <= 600


# --- strategy specs -----------------------------------------------------------------
@given(st.integers(1, 16), st.integers(0, 16))
def test_parse_strategy_reads_formalize(n, k):
    text = f"formalize:{n}" + (f"+refine:{k}" if k else "")
    strategy = parse_strategy(text)
    assert (strategy.formalize, strategy.refine, strategy.best_of) == (n, k, 0)
    assert str(strategy) == text and parse_strategy(str(strategy)) == strategy


def test_parse_strategy_formalize_defaults_and_old_forms_unchanged():
    assert parse_strategy("formalize") == Strategy(formalize=1)
    assert parse_strategy("best_of:2+refine:1") == Strategy(best_of=2, refine=1)


@pytest.mark.parametrize(
    "text",
    ["formalize:0", "formalize:17", "best_of:2+formalize:2", "formalize:2+best_of:2",
     "refine:1+formalize:2", "self_critique+formalize", "direct+formalize",
     "formalize+formalize:2", "formalize:x"],
)  # fmt: skip
def test_parse_strategy_rejects_bad_formalize_forms(text):
    with pytest.raises(ConfigError) as caught:
        parse_strategy(text)
    assert repr(text) in str(caught.value) and "formalize[:N]" in str(caught.value)


# --- the command line ---------------------------------------------------------------
def test_reasoning_loop_prints_formalisation_check_and_solver_answer(tmp_path, monkeypatch, capsys):
    import reasoning.models
    from tests.loop.test_loop_command import run_cli

    item = next(it for it in items("logicasker") if it.answer == "yes")
    path = tmp_path / "items.jsonl"
    reasoning.write_jsonl([item], path)
    backend = ScriptedBackend([GARBAGE, fol_formalisation(item)])
    monkeypatch.setattr(reasoning.models, "load_backend", lambda *_: backend)
    argv = ["loop", "logicasker", "--model", "scripted", "--file", str(path)]
    assert run_cli([*argv, "--strategy", "formalize:3"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "round 1 [sample 0]: I think" in out and "round 3 [sample 2]: Here it is:" in out
    assert out.count("check: True") == 2 and "check: False: no numbered premise" in out
    assert out.count("solver: True -> The solver finds that the premises entail") == 2
    assert "votes: yes 2" in out and "verdict: correct" in out
    assert out.strip().splitlines()[-1].startswith("logicasker · formalize:3: accuracy 1/1")
