"""Models in data/models/<name>/ are found by name from any working directory: in a
checkout, and after a plain (non-editable) install of a built wheel (the tests bundle a
tiny trained model of their own; the shipped one is tested in test_embedded_default.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reasoning.models import HFBackend, embedded
from reasoning.models.base import GenerationSettings
from reasoning.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[2]
NAME = "tiny-reasoner"
MODEL_FILES = {"config.json", "model.safetensors", "tokenizer.json", "training.json"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny model trained by `reasoning.train` (seconds), as a bundled folder would be."""
    out = tmp_path_factory.mktemp("bundle") / NAME
    cfg = TrainConfig(parts=("logicasker:steps=1",), steps=4, batch_size=2, hidden_size=32,
                      layers=1, heads=2, intermediate_size=64, vocab_size=300,
                      heldout_per_cell=1, eval_every=0)  # fmt: skip
    train(cfg, out, command="test", quiet=True)
    return out


def test_a_bundled_model_loads_by_name_from_another_directory(trained, tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "bundled_roots", lambda: [trained.parent])
    monkeypatch.chdir(tmp_path)
    assert NAME in embedded.known_names() and embedded.is_named(NAME)
    assert embedded.resolve_named(NAME) == trained
    backend = HFBackend.load(NAME)
    (out,) = backend.generate(["Can we infer it?"], GenerationSettings(max_new_tokens=3))
    assert out.finish_reason in {"stop", "length"}
    (tmp_path / NAME).mkdir()  # a local folder of that name is the user's, not ours
    assert not embedded.is_named(NAME)
    assert embedded.is_named("smollm2-135m")


def test_unknown_names_list_the_known_ones(monkeypatch, tmp_path):
    monkeypatch.setattr(embedded, "bundled_roots", lambda: [tmp_path])
    with pytest.raises(embedded.BackendError, match="known: smollm2-135m"):
        embedded.resolve_named("no-such-model")


def test_the_checkout_and_the_installed_package_are_both_searched():
    roots = embedded.bundled_roots()
    assert roots[0] == ROOT / "reasoning" / "data" / "models"  # inside an installed package
    assert roots[1] == ROOT / "data" / "models"  # a checkout (editable install)


def _wheel_tools() -> bool:
    try:
        import setuptools  # noqa: F401
        import wheel  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _wheel_tools(), reason="needs setuptools and wheel (the test extras)")
def test_a_plain_install_finds_a_bundled_model_from_anywhere(trained, tmp_path):
    source = tmp_path / "src"
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    for name in tracked.stdout.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    shutil.copytree(trained, source / "data" / "models" / NAME)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel_file,) = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel_file).namelist())
    for file in MODEL_FILES:
        assert f"reasoning/data/models/{NAME}/{file}" in names
    target = tmp_path / "site"
    zipfile.ZipFile(wheel_file).extractall(target)  # what a plain install puts in site-packages
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = f"from reasoning.models.embedded import resolve_named; print(resolve_named({NAME!r}))"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(target)}
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(found).resolve() == (target / "reasoning" / "data" / "models" / NAME).resolve()
