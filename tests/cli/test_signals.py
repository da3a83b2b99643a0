"""Ctrl-C and SIGTERM end `reasoning generate` cleanly: exit 130 / 143, one line on stderr,
the previous output untouched and nothing else left in its folder.

A real process is started in its own process group and the signal goes to the whole group,
as a terminal's Ctrl-C does (worker processes included).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXE = Path(sys.executable).with_name("reasoning")
PATIENCE = 120.0  # seconds to wait for the run to start writing (a bound, not an assertion)


def _children(pid: int) -> list[str]:
    """Child process ids of `pid` (Linux /proc); [] where that cannot be read."""
    found: list[str] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += task.read_text().split()
        except OSError:
            pass
    return found


def _interrupt_midway(
    folder: Path, signum: int, jobs: int, when_workers_start: bool = False
) -> tuple[int, str]:
    out = folder / "items.jsonl"
    argv = [str(EXE), "generate", "nlsat", "-n", "10000000", "-j", str(jobs), "-q", "-o", str(out)]
    before = set(os.listdir(folder))
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + PATIENCE
        while proc.poll() is None and (
            set(os.listdir(folder)) == before or (when_workers_start and not _children(proc.pid))
        ):
            if time.monotonic() > deadline:
                pytest.fail("generate never started writing")
            time.sleep(0.01)
        assert proc.poll() is None, proc.communicate()
        os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=PATIENCE)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, err


def _previous_output(folder: Path) -> dict[str, bytes]:
    (folder / "items.jsonl").write_bytes(b'{"previous": "items"}\n')
    (folder / "items.jsonl.manifest.json").write_bytes(b'{"previous": "manifest"}\n')
    return {p.name: p.read_bytes() for p in folder.iterdir()}


CASES = [
    pytest.param(signal.SIGINT, 130, "reasoning: interrupted", 1, id="ctrl-c"),
    pytest.param(signal.SIGTERM, 143, "reasoning: terminated", 1, id="sigterm"),
    pytest.param(signal.SIGINT, 130, "reasoning: interrupted", 2, id="ctrl-c-workers"),
    pytest.param(signal.SIGTERM, 143, "reasoning: terminated", 2, id="sigterm-workers"),
]


@pytest.mark.parametrize("signum, code, line, jobs", CASES)
def test_a_signal_ends_generate_cleanly(signum, code, line, jobs, tmp_path):
    before = _previous_output(tmp_path)
    returncode, err = _interrupt_midway(tmp_path, signum, jobs)
    assert returncode == code, err
    assert err.strip() == line
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_ctrl_c_while_workers_start_prints_no_worker_traceback(tmp_path):
    """The signal lands while the worker processes are still importing (spawn)."""
    before = _previous_output(tmp_path)
    returncode, err = _interrupt_midway(tmp_path, signal.SIGINT, 2, when_workers_start=True)
    assert returncode == 130, err
    assert err.strip() == "reasoning: interrupted"
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
