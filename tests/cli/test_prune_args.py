"""`reasoning prune` checks every setting and its output directory before it loads a model.

The model argument is an empty folder, which cannot be loaded: if a check ran only after
loading, the message would be about the model instead of the bad setting.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from reasoning.cli import main


@pytest.fixture()
def model_dir(tmp_path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"original weights")
    return folder


BAD_SETTINGS = [
    (["--n-calibration", "0"], "n_calibration=0"),
    (["--seq-len", "-1"], "seq_len=-1"),
    (["--device", "tpu9"], "'tpu9' is not one of cpu, cuda, cuda:N, mps"),
    (["--device", "cpu:1"], "is not one of"),
    (["--sparsity", "1.5"], "sparsity must be in"),
    (["--pattern", "3:2"], "need 0 < N < M"),
    (["--method", "shrink"], "unknown pruning method 'shrink'"),
]


@pytest.mark.parametrize("extra, message", BAD_SETTINGS)
def test_bad_settings_are_one_line_before_the_model_loads(extra, message, model_dir, capsys):
    argv = ["prune", str(model_dir), "--method", "magnitude", "--sparsity", "0.5"]
    code = main(argv + extra + ["-o", str(model_dir.parent / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and message in err
    assert not (model_dir.parent / "out").exists()


def test_cuda_without_cuda_is_one_clear_line(model_dir, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    argv = ["prune", str(model_dir), "--method", "magnitude", "--sparsity", "0.5"]
    assert main(argv + ["--device", "cuda", "-o", str(model_dir.parent / "out")]) == 2
    assert "CUDA is not available" in capsys.readouterr().err


@pytest.mark.parametrize("inside", [".", "pruned", "./sub/.."])
def test_output_in_the_input_model_directory_is_refused(inside, model_dir, capsys):
    argv = ["prune", str(model_dir), "--method", "magnitude", "--sparsity", "0.5"]
    assert main(argv + ["-o", str(model_dir / inside)]) == 2
    assert "input" in capsys.readouterr().err
    assert sorted(p.name for p in model_dir.iterdir()) == ["weights.bin"]
    assert (model_dir / "weights.bin").read_bytes() == b"original weights"


def test_a_failed_load_leaves_no_staging_directory(model_dir, capsys):
    argv = ["prune", str(model_dir), "--method", "magnitude", "--sparsity", "0.5"]
    assert main(argv + ["-o", str(model_dir.parent / "out")]) == 2
    assert "cannot load model" in capsys.readouterr().err
    assert sorted(p.name for p in model_dir.parent.iterdir()) == ["model"]
