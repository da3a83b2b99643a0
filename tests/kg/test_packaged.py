"""KGQA works from a plain (non-editable) install, in a folder with no data folder above it:
the default graph is built from a seed and the small graph ships inside the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")
CLI = "import sys; from reasoning.cli import main; sys.exit(main())"


@pytest.mark.slow
def test_generate_and_verify_kgqa_from_a_wheel(tmp_path):
    wheels, site, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
    work.mkdir()
    source = tmp_path / "source"  # build from a copy: the build leaves build/ and egg-info
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*SKIP))
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check", "--no-input"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("reasoning_suite-*.whl")
    assert "kg/data/mini.tsv" in zipfile.ZipFile(wheel).namelist()
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("REASONING_DATA", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=work, env=env, capture_output=True, text=True
        )

    where = run("-c", "import kg; print(kg.__file__)")
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
    for kg in ("synthetic", "mini"):
        made = run("-c", CLI, "generate", "kgqa", "-n", "3", "--set", f"kg={kg}", "-o", "out.jsonl")
        assert made.returncode == 0, made.stderr
        checked = run("-c", CLI, "verify", "out.jsonl")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "0 disagreement(s)" in checked.stdout
    default = run("-c", CLI, "generate", "kgqa", "-n", "3", "-o", "default.jsonl")
    assert default.returncode == 0, default.stderr
    assert run("-c", CLI, "verify", "default.jsonl").returncode == 0
