"""`reasoning run` a second time with every completion cached does not prune again
(issue 16, as `reasoning eval`)."""

from __future__ import annotations

from evals.results import read_results, without_timestamps
from reasoning.cli import main


def _run(model, out) -> int:
    args = ["run", "--model", str(model), "-n", "1", "--variants", "dense,magnitude:0.5,wanda:0.5"]
    return main([*args, "--n-calibration", "2", "-q", "-o", str(out)])


def test_a_second_main_job_prunes_nothing_and_writes_the_same_results(
    tiny_llama, tmp_path, pruned, capsys
):
    out = tmp_path / "main"
    assert _run(tiny_llama, out) == 0
    assert pruned == ["magnitude", "wanda"]
    first, first_samples, _ = read_results(out)
    assert "without pruning" not in capsys.readouterr().err

    pruned.clear()
    assert _run(tiny_llama, out) == 0
    assert pruned == []
    assert capsys.readouterr().err.count("served from the cache without pruning") == 2
    second, second_samples, _ = read_results(out)
    assert without_timestamps(second) == without_timestamps(first)
    assert second_samples == first_samples
    fingerprints = [v["fingerprint"] for v in second["variants"]]
    assert len(set(fingerprints)) == 3  # dense and two distinct recorded pruned weights
    assert (out / "report.html").is_file()
