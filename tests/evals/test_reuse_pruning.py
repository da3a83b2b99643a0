"""Issue 16: a rerun whose completions are all cached does not prune again; one that needs
a completion the cache lacks does."""

from __future__ import annotations

from evals.cache import CompletionCache
from evals.results import read_results, without_timestamps
from evals.reuse import CacheOnly, build_or_reuse, prune_key
from evals.variants import parse_variant
from reasoning.cli import main


def _eval(model, out, *extra) -> int:
    args = ["eval", "--family", "nlsat", "--set", "n_vars=4", "-n", "3", "--model", str(model)]
    args += ["--variants", "dense,magnitude:0.5,wanda:0.5", "--n-calibration", "2"]
    args += ["--max-new-tokens", "4", "--device", "cpu", "-q", "-o", str(out)]
    return main([*args, *extra])


def test_a_second_run_serves_pruned_variants_from_the_cache(tiny_llama, tmp_path, pruned, capsys):
    out = tmp_path / "eval"
    assert _eval(tiny_llama, out, "--strategy", "refine:1") == 0
    assert pruned == ["magnitude", "wanda"]
    first, first_samples, _ = read_results(out)
    capsys.readouterr()

    pruned.clear()
    assert _eval(tiny_llama, out, "--strategy", "refine:1") == 0
    assert pruned == []
    err = capsys.readouterr().err
    assert err.count("served from the cache without pruning") == 2
    second, second_samples, _ = read_results(out)
    assert without_timestamps(second) == without_timestamps(first)
    assert second_samples == first_samples
    fingerprints = {v["name"]: v["fingerprint"] for v in second["variants"]}
    assert len(set(fingerprints.values())) == 3  # the recorded pruned fingerprints

    # a strategy not run before needs completions the cache lacks: prune again
    assert _eval(tiny_llama, out, "--strategy", "refine:1,self_critique") == 0
    assert pruned == ["magnitude", "wanda"]
    assert "without pruning" not in capsys.readouterr().err
    third, _, _ = read_results(out)
    assert third["groups"] == first["groups"]
    assert {v["name"]: v["fingerprint"] for v in third["variants"]} == fingerprints


class Base:
    """A base model stand-in: a fingerprint and nothing to prune (never reached)."""

    name = "base"

    def fingerprint(self) -> str:
        return "base-fp"


def test_a_recorded_fingerprint_with_a_missing_completion_prunes(tmp_path, monkeypatch):
    spec = parse_variant("magnitude:0.5")
    built = []
    monkeypatch.setattr(
        "evals.reuse.build_variant",
        lambda spec, load, *a: built.append(spec.name) or (CacheOnly("real", "pruned-fp"), {}),
    )
    asked = []

    def answer(backend):
        asked.append(type(backend).__name__)
        backend.generate(["p"], None)  # nothing is cached: the stand-in notes a miss
        return "rows"

    with CompletionCache(tmp_path / "c.sqlite") as cache:
        cache.put_record("pruned", prune_key("base-fp", spec, None), {"fingerprint": "pruned-fp",
                                                                     "pruning": {}})  # fmt: skip
        _, _, result, reused = build_or_reuse(spec, Base, None, cache, answer)
    assert (result, reused, built) == ("rows", False, ["magnitude:0.5"])
    assert asked == ["CacheOnly", "CacheOnly"]  # the stand-in first, then the pruned model


def test_prune_key_follows_the_calibration_texts_not_only_their_ids(monkeypatch):
    import reasoning
    from evals.variants import parse_variants

    spec = parse_variants("wanda:0.5")[0]
    items = reasoning.generate("logicasker", 3, 5)
    key = prune_key("base-fp", spec, items)
    assert key == prune_key("base-fp", spec, list(items))
    assert key != prune_key("base-fp", spec, items[:2])
    assert key != prune_key("base-fp", spec, None)
    monkeypatch.setattr("evals.reuse.calibration_text", lambda item: item.prompt)
    assert prune_key("base-fp", spec, items) != key  # same ids, other texts
