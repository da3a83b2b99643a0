"""Loop strategies through the harness: the loop never reads gold, a rerun makes no model
call, direct results are unchanged, the recovered fraction comes out as hand-computed,
and a bad --strategy is one clear error."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

import pytest

import reasoning
from evals import strategy_eval
from evals.cache import CompletionCache
from evals.results import read_results, without_timestamps
from evals.strategy_eval import (
    StrategySample,
    answer_strategy,
    parse_strategies,
    summarise_strategies,
)
from reasoning.cli import main
from reasoning.core import ConfigError
from reasoning.models import HFBackend
from reasoning.models.base import Completion, GenerationSettings
from reasoning.registry import get_family
from tests.loop.conftest import ScriptedBackend
from tests.loop.test_checks import GOLD_META, SETTINGS, items

GREEDY = GenerationSettings(max_new_tokens=64)
UNSURE = "I am not sure."
WRONG_PROGRAM = '```\nreplace("a", "b")\n```'


class Guard:
    """Armed: every gold read raises and is logged."""

    def __init__(self) -> None:
        self.armed = True
        self.touched: list[str] = []

    def read(self, what: str) -> None:
        if self.armed:
            self.touched.append(what)
            raise AssertionError(f"{what} read while the loop ran")


class ArmedMeta(Mapping):
    def __init__(self, meta: dict, gold: set[str], guard: Guard) -> None:
        self._meta, self._gold, self._guard = meta, gold, guard

    def __getitem__(self, key: str):
        if key in self._gold:
            self._guard.read(f"meta[{key!r}]")
        return self._meta[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._meta)

    def __len__(self) -> int:
        return len(self._meta)


class ArmedInstance:
    """An Instance-like item whose answer and gold meta raise while the guard is armed."""

    def __init__(self, item: reasoning.Instance, guard: Guard) -> None:
        self.id, self.family, self.prompt, self.hardness = (
            item.id, item.family, item.prompt, item.hardness,
        )  # fmt: skip
        self.meta = ArmedMeta(item.meta, GOLD_META[item.family], guard)
        self._answer, self._guard = item.answer, guard

    @property
    def answer(self):
        self._guard.read("answer")
        return self._answer


@pytest.mark.parametrize(
    "spec", ["refine:2", "best_of:2+refine:1", "self_critique", "formalize:2+refine:1"]
)
def test_the_loop_never_reads_gold_through_the_harness(spec, tmp_path, monkeypatch):
    guard = Guard()
    plain = [it for family, knobs in SETTINGS for it in items(family, tuple(knobs.items()))[:1]]
    oracles = {it.prompt: get_family(it.family).oracle(it) for it in plain}
    armed = [ArmedInstance(it, guard) for it in plain]
    scoring = strategy_eval._row

    def disarmed_scoring(*args, **kwargs):  # the harness may read gold to score
        guard.armed = False
        try:
            return scoring(*args, **kwargs)
        finally:
            guard.armed = True

    monkeypatch.setattr(strategy_eval, "_row", disarmed_scoring)
    backend = ScriptedBackend(
        lambda conv, _s, _i: UNSURE if len(conv) == 1 else oracles[conv[0]["content"]]
    )
    ((name, strategy),) = parse_strategies([spec])[1:]
    with CompletionCache(tmp_path / "c.sqlite") as cache:
        rows = answer_strategy("dense", name, strategy, backend, armed, GREEDY, cache)
    assert guard.touched == []
    assert [r.item_id for r in rows] == [it.id for it in plain]
    assert all(r.strategy == name and r.calls == len(r.rounds) >= 1 for r in rows)
    # scoring did read gold: an oracle final answer is right, the unsure one wrong
    for row in rows:
        if not name.startswith("formalize"):  # its answer is the solver's, not the model's
            assert row.correct == (row.completion != UNSURE)


def _pbe_items() -> list[reasoning.Instance]:
    return reasoning.generate("pbe", 6, 3)


def _weak_answer(oracles: dict, kinds: dict):
    """The weak variant: right at once on kind 0, right after one refine on kind 1,
    never right on kind 2 (a program the examples refute)."""

    def answer(conv, _settings, _index):
        prompt = conv[0]["content"]
        kind = kinds[prompt]
        if kind == 0 or (kind == 1 and len(conv) > 1):
            return oracles[prompt]
        return WRONG_PROGRAM

    return answer


def test_a_rerun_makes_no_model_call_and_gives_the_same_rows(tmp_path):
    pbe = _pbe_items()
    oracles = {it.prompt: get_family("pbe").oracle(it) for it in pbe}
    kinds = {it.prompt: i % 3 for i, it in enumerate(pbe)}
    runs = []
    for _ in range(2):
        backend = ScriptedBackend(_weak_answer(oracles, kinds))
        with CompletionCache(tmp_path / "c.sqlite") as cache:  # reopened, as a rerun does
            for spec in ("refine:2", "best_of:3"):
                ((name, strategy),) = parse_strategies([spec])[1:]
                runs.append(answer_strategy("w", name, strategy, backend, pbe, GREEDY, cache))
        runs.append(len(backend.calls))
    first_refine, first_best, first_calls, again_refine, again_best, again_calls = runs
    # refine: 1 call on kind 0, 2 on kind 1, 3 on kind 2; best_of:3 draws 1 or 3 samples
    assert sum(r.calls for r in first_refine) == 2 * (1 + 2 + 3)
    # on kind 2 refine's second feedback turn repeats its first conversation word for
    # word (same wrong program, same feedback): served from the cache within the run
    assert first_calls == sum(r.calls for r in first_refine + first_best) - 2
    assert again_calls == 0
    assert [r.to_dict() for r in again_refine] == [r.to_dict() for r in first_refine]
    assert [r.to_dict() for r in again_best] == [r.to_dict() for r in first_best]
    assert [r.correct for r in first_refine] == [k != 2 for k in kinds.values()]
    assert {r.stopped for r in first_refine} == {"passed", "budget"}


def _row(variant, strategy, item_id, correct, calls=1, tokens=4):
    fields = dict(
        variant=variant, item_id=item_id, group="g", sample=0, prompt_sha256="", completion="",
        prompt_tokens=10 * calls, completion_tokens=tokens, finish_reason="stop",
        correct=correct, score=float(correct), answered=True, feedback="",
        flexible_correct=correct,
    )  # fmt: skip
    if strategy == "direct":
        return strategy_eval.Sample(**fields)
    return StrategySample(**fields, strategy=strategy, calls=calls, rounds=(), stopped="budget",
                          tokens_saved=0)  # fmt: skip


def test_the_summary_gives_the_hand_computed_recovery_and_cost():
    pbe = _pbe_items()
    ids = [it.id for it in pbe]
    dense = [1, 1, 1, 1, 1, 0]  # 5/6
    weak = [1, 0, 0, 0, 0, 0]  # 1/6: lost 4/6
    looped = [1, 1, 1, 0, 0, 0]  # 3/6: gained 2/6 -> recovered 0.5
    same = dense  # a variant that lost nothing
    rows = [_row("dense", "direct", i, bool(c)) for i, c in zip(ids, dense, strict=True)]
    rows += [_row("weak", "direct", i, bool(c)) for i, c in zip(ids, weak, strict=True)]
    rows += [_row("same", "direct", i, bool(c)) for i, c in zip(ids, same, strict=True)]
    rows += [_row("weak", "refine:2", i, bool(c), calls=3, tokens=10)
             for i, c in zip(ids, looped, strict=True)]  # fmt: skip
    rows += [_row(v, "refine:2", i, True, calls=2) for v in ("dense", "same") for i in ids]
    summary = summarise_strategies(pbe, rows, n_boot=300)
    assert summary["names"] == ["direct", "refine:2"]
    overall = summary["groups"]["overall"]
    assert summary["groups"]["pbe"] == overall  # one family: the same items
    rec = overall["refine:2"]["weak"]["recovered"]
    assert rec["fraction"] == pytest.approx(0.5)
    assert rec["extra_calls_per_item"] == pytest.approx(2.0)
    assert rec["extra_completion_tokens_per_item"] == pytest.approx(6.0)
    assert overall["refine:2"]["weak"]["calls_per_item"] == pytest.approx(3.0)
    assert overall["refine:2"]["weak"]["vs_direct"]["wrong_to_right"] == 2
    assert overall["refine:2"]["same"]["recovered"]["fraction"] is None
    assert "lost nothing" in overall["refine:2"]["same"]["recovered"]["reason"]
    assert "recovered" not in overall["refine:2"]["dense"]  # dense is the reference
    assert (
        "recovered" not in overall["direct"]["weak"]
        and "vs_direct" not in overall["direct"]["weak"]
    )


def test_strategies_parse_direct_first_once_and_refuse_clearly():
    names = [n for n, _ in parse_strategies(["refine:2,best_of:3", "refine:2", "direct"])]
    assert names == ["direct", "refine:2", "best_of:3"]
    assert [n for n, _ in parse_strategies(None)] == ["direct"]
    with pytest.raises(ConfigError, match="strategy"):
        parse_strategies(["refine:0"])


class FakeModel:
    """A local model stand-in for `HFBackend.load`: pbe programs from a script; counts
    every call."""

    def __init__(self, source: str, answer, log: list) -> None:
        self.name, self.answer, self.log = source, answer, log

    def fingerprint(self) -> str:
        return f"fake-{self.name}"

    def generate(self, prompts, settings):
        return self.chat([[{"role": "user", "content": p}] for p in prompts], settings)

    def chat(self, conversations, settings):
        self.log.extend((self.name, len(c)) for c in conversations)
        return [Completion(self.answer(list(c), settings, 0), 10, 6) for c in conversations]


@pytest.fixture
def fake_models(monkeypatch):
    pbe = _pbe_items()
    oracles = {it.prompt: get_family("pbe").oracle(it) for it in pbe}
    kinds = {it.prompt: i % 3 for i, it in enumerate(pbe)}
    log: list = []
    answers = {
        "dense-model": lambda conv, _s, _i: oracles[conv[0]["content"]],
        "weak-dir": _weak_answer(oracles, kinds),
        "same-dir": lambda conv, _s, _i: oracles[conv[0]["content"]],
    }

    def load(source, device=None, dtype="auto"):
        return FakeModel(source, answers[source], log)

    monkeypatch.setattr(HFBackend, "load", staticmethod(load))
    return pbe, log


def _eval(out, *extra) -> int:
    args = ["eval", "--family", "pbe", "-n", "6", "--seed", "3", "--model", "dense-model"]
    args += ["--variants", "dense", "--variant-dir", "weak=weak-dir"]
    args += ["--variant-dir", "same=same-dir", "--max-new-tokens", "64", "-q", "-o", str(out)]
    args += ["--cache", str(out.parent / "shared.cache.sqlite")]  # one cache for every run
    return main([*args, *extra])


def test_reasoning_eval_with_a_strategy(fake_models, tmp_path, capsys):
    pbe, log = fake_models
    assert _eval(tmp_path / "direct") == 0
    direct_only, direct_samples, _ = read_results(tmp_path / "direct")
    assert "strategies" not in direct_only
    log.clear()
    assert _eval(tmp_path / "looped", "--strategy", "refine:1") == 0
    assert "recovered" in capsys.readouterr().out
    looped, samples, items = read_results(tmp_path / "looped")
    assert [i.id for i in items] == [i.id for i in pbe]
    # direct answers, and the loop's first proposals (the same prompt and settings), came
    # from the cache: only weak's refine turns on kinds 1 and 2 were asked
    assert sorted(log) == [("weak-dir", 3)] * 4
    assert looped["groups"] == direct_only["groups"]
    assert [s for s in samples if "strategy" not in s] == direct_samples
    rows = [s for s in samples if s.get("strategy") == "refine:1"]
    assert len(rows) == 3 * len(pbe)
    assert all({"rounds", "calls", "stopped", "tokens_saved"} <= set(r) for r in rows)
    overall = looped["strategies"]["groups"]["overall"]["refine:1"]
    # weak: direct right on kinds 0 (2/6), refine:1 fixes kind 1 (4/6), dense 6/6
    assert overall["weak"]["accuracy"] == pytest.approx(4 / 6)
    assert overall["weak"]["recovered"]["fraction"] == pytest.approx(0.5)
    assert overall["weak"]["calls_per_item"] == pytest.approx((1 + 2 + 2) / 3)
    assert overall["same"]["recovered"]["fraction"] is None
    assert "lost nothing" in overall["same"]["recovered"]["reason"]

    log.clear()  # the same command again: nothing is asked, the same results
    assert _eval(tmp_path / "looped", "--strategy", "refine:1") == 0
    assert log == []
    again, again_samples, _ = read_results(tmp_path / "looped")
    assert without_timestamps(again) == without_timestamps(looped)
    assert again_samples == samples


def test_the_report_shows_the_strategies(fake_models, tmp_path):
    from evals.report import build_report

    assert _eval(tmp_path / "r", "--strategy", "refine:1,self_critique") == 0
    out = build_report(tmp_path / "r", tmp_path / "report")
    md = (out / "report.md").read_text()
    assert "## Strategies" in md and "| refine:1 | weak |" in md
    assert "| self_critique:1 | same |" in md and "n/a (lost nothing)" in md
    assert (out / "strategies.png").read_bytes()[:4] == b"\x89PNG"
    page = (out / "report.html").read_text()
    assert "<h2>Strategies</h2>" in page and 'src="http' not in page
    results = json.loads((tmp_path / "r" / "results.json").read_text())
    assert results["strategies"]["names"] == ["direct", "refine:1", "self_critique:1"]


@pytest.mark.parametrize("command", ["eval", "run"])
@pytest.mark.parametrize("bad", ["refine:0", "nonsense", "direct+refine:2"])
def test_a_bad_strategy_is_exit_2_with_one_line(command, bad, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(HFBackend, "load", staticmethod(lambda *a, **k: pytest.fail("loaded")))
    args = [command, "--strategy", bad, "-q", "-o", str(tmp_path / "out")]
    if command == "eval":
        args += ["--family", "pbe", "-n", "1", "--variants", "dense"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "strategy" in err[0] and bad in err[0]
    assert not (tmp_path / "out").exists()


def test_reasoning_run_with_a_strategy(monkeypatch, tmp_path):
    log: list = []
    monkeypatch.setattr(
        HFBackend, "load",
        staticmethod(lambda source, device=None, dtype="auto": FakeModel(
            source, lambda conv, _s, _i: "Answer: yes", log)),
    )  # fmt: skip
    out = tmp_path / "main"
    args = ["run", "--model", "fake", "-n", "1", "--variants", "dense", "-q", "-o", str(out)]
    assert main([*args, "--strategy", "self_critique"]) == 0
    results, samples, items = read_results(out)
    assert results["strategies"]["names"] == ["direct", "self_critique:1"]
    looped = [s for s in samples if s.get("strategy") == "self_critique:1"]
    assert sorted(s["item_id"] for s in looped) == sorted(i.id for i in items)
    assert all(s["calls"] == 2 and s["stopped"] == "critiqued" for s in looped)
    assert "## Strategies" in (out / "report.md").read_text()
