"""The runner: same items for every variant, verifier scoring, paired summary."""

from __future__ import annotations

import pytest

import reasoning
from evals.cache import CompletionCache
from evals.runner import answer_variant, group_keys, summarise
from evals.variants import parse_variant, parse_variants
from reasoning.core import ConfigError
from reasoning.models.base import Completion, GenerationSettings
from reasoning.registry import get_family


class Scripted:
    """Answers from a table prompt -> text (the oracle, a wrong label, or noise)."""

    def __init__(self, name, answers):
        self.name, self.answers = name, answers

    def fingerprint(self):
        return f"scripted-{self.name}"

    def generate(self, prompts, settings):
        return [Completion(self.answers[p], 10, 4) for p in prompts]


@pytest.fixture(scope="module")
def items():
    return reasoning.generate("nlsat", 12, 5, n_vars=4) + reasoning.generate(
        "nlsat", 12, 5, n_vars=6
    )


def _wrong(item):
    return "Answer: " + ("no" if item.answer == "yes" else "yes")


def test_paired_summary_counts_what_the_scripts_did(items, tmp_path):
    oracle = {it.prompt: get_family(it.family).oracle(it) for it in items}
    # the variant: right on the first 8, wrong on the next 8, no answer on the last 8
    half = {
        it.prompt: oracle[it.prompt] if i < 8 else _wrong(it) if i < 16 else "hmm"
        for i, it in enumerate(items)
    }
    settings = GenerationSettings(max_new_tokens=8)
    with CompletionCache(tmp_path / "c.sqlite") as cache:
        rows = answer_variant("dense", Scripted("dense", oracle), items, settings, cache)
        rows += answer_variant("pruned", Scripted("pruned", half), items, settings, cache)
    summary = summarise(items, rows, n_boot=200)
    overall = summary["overall"]
    assert overall["variants"]["dense"]["accuracy"] == 1.0
    assert overall["variants"]["pruned"]["accuracy"] == pytest.approx(8 / 24)
    assert overall["variants"]["pruned"]["no_answer_rate"] == pytest.approx(8 / 24)
    versus = overall["vs_dense"]["pruned"]
    assert versus["right_to_wrong"] == 16 and versus["wrong_to_right"] == 0
    assert versus["retention"] == pytest.approx(8 / 24)
    assert versus["mcnemar_p"] < 0.001
    ladder = sorted(k for k in summary if k != "overall")
    assert ladder == ["nlsat n_vars=4", "nlsat n_vars=6"]
    assert summary["nlsat n_vars=4"]["variants"]["pruned"]["accuracy"] == pytest.approx(8 / 12)


def test_groups_follow_each_family_s_own_ladder(items):
    mixed = items + reasoning.generate("logicasker", 3, 1)
    keys = group_keys(mixed)
    assert {keys[i.id] for i in mixed if i.family == "logicasker"} == {"logicasker"}
    assert {keys[i.id] for i in items} == {"nlsat n_vars=4", "nlsat n_vars=6"}


def test_variant_specs_parse_and_refuse_clearly():
    specs = parse_variants("magnitude:0.5,wanda:2:4,layers:0.25", urls=["srv=http://x/v1"])
    assert [s.name for s in specs] == ["dense", "magnitude:0.5", "wanda:2:4", "layers:0.25", "srv"]
    assert specs[2].pattern == "2:4" and specs[1].sparsity == 0.5 and specs[4].url
    for bad in ("prune:0.5", "wanda:1.5", "wanda:x", "wanda:3:2"):
        with pytest.raises(ConfigError):
            parse_variant(bad)
    with pytest.raises(ConfigError, match="twice"):
        parse_variants("dense,wanda:0.5,wanda:0.5")
