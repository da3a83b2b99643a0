"""The README's main-job command, run as written (its `reasoning` steps, into a temp dir):
a change that breaks the first thing a newcomer runs must fail CI."""

from __future__ import annotations

import re
import shlex

from reasoning.cli import main
from tests.conftest import ROOT


def test_readme_main_job_runs(tmp_path, capsys):
    readme = (ROOT / "README.md").read_text()
    block = readme.split("Main job", 1)[1]
    line = re.search(r"```bash\n(.+?)\n```", block, re.S).group(1)
    steps = [step.strip() for step in line.split("&&")]
    commands = [shlex.split(step)[1:] for step in steps if step.startswith("reasoning ")]
    assert [argv[0] for argv in commands] == ["generate", "verify"]
    for argv in commands:
        argv = [arg.replace("runs/", f"{tmp_path}/") for arg in argv]
        assert main([*argv, "-q"]) == 0, argv
    assert "0 disagreement(s)" in capsys.readouterr().out
