"""The README's main-job command, run as written (its `reasoning` step, into a temp dir):
a change that breaks the first thing a newcomer runs must fail CI."""

from __future__ import annotations

import json
import re
import shlex

import pytest

from reasoning.cli import main
from tests.conftest import ROOT


def _main_job_argv() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("Main job", 1)[1]
    line = re.search(r"```bash\n(.+?)\n```", block, re.S).group(1)
    steps = [step.strip() for step in line.split("&&")]
    commands = [shlex.split(step)[1:] for step in steps if step.startswith("reasoning ")]
    assert len(commands) == 1 and commands[0][0] == "run", commands
    return commands[0]


def _runs(argv: list[str], tmp_path) -> dict:
    out = tmp_path / "main"
    assert main([*argv, "-q", "-o", str(out)]) == 0, argv
    for name in ("results.json", "report.md", "report.html"):
        assert (out / name).is_file(), name
    return json.loads((out / "results.json").read_text())


def test_readme_main_job_runs_on_one_item_per_rung(tmp_path):
    results = _runs([*_main_job_argv(), "-n", "1"], tmp_path)
    assert results["groups"]["overall"]["variants"]["dense"]["n"] > 0


@pytest.mark.slow
def test_readme_main_job_runs_exactly_as_written(tmp_path):
    results = _runs(_main_job_argv(), tmp_path)
    assert len(results["variants"]) == 5
