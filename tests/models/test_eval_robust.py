"""`reasoning eval` as a user runs it, in a subprocess: killed with `kill -9` and rerun,
run twice, and pointed at an endpoint that is not there."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from evals.results import without_timestamps

# `reasoning eval` with HFBackend.generate logging every prompt it is asked (variant name
# and prompt sha256, one line each) to the file named by $ASKED_LOG.
LOGGED_EVAL = textwrap.dedent(
    """
    import hashlib, os, sys
    from reasoning.models import hf
    from reasoning.cli import main

    original = hf.HFBackend.generate

    def logged(self, prompts, settings):
        out = original(self, prompts, settings)
        with open(os.environ["ASKED_LOG"], "a", encoding="utf-8") as log:
            for p in prompts:
                log.write(f"{self.name}\\t{hashlib.sha256(p.encode()).hexdigest()}\\n")
        return out

    hf.HFBackend.generate = logged
    sys.exit(main(sys.argv[1:]))
    """
)

N_ITEMS = 12


def _comparable(results: dict) -> dict:
    """results.json less what legitimately differs between identical runs."""
    return without_timestamps(results)


def _env(log: Path) -> dict:
    return {**os.environ, "PYTHONPATH": os.getcwd(), "ASKED_LOG": str(log)}


def _eval_args(model: Path, out: Path) -> list[str]:
    return [
        "eval", "--model", str(model), "--family", "nlsat", "-n", str(N_ITEMS),
        "--variants", "dense,magnitude:0.5", "--batch-size", "1", "--max-new-tokens", "4",
        "-q", "-o", str(out),
    ]  # fmt: skip


def _rows(db: Path) -> list[tuple[str, str]]:
    """(fingerprint, prompt sha256) of every stored completion."""
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("SELECT fingerprint, prompt_sha256 FROM completions").fetchall()
        except sqlite3.OperationalError:  # the table is not created yet
            return []


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_kill_9_mid_eval_then_rerun_completes_without_recomputing(tiny_llama, tmp_path):
    script = tmp_path / "logged_eval.py"
    script.write_text(LOGGED_EVAL)
    out, db = tmp_path / "res", tmp_path / "res.cache.sqlite"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    command = [sys.executable, str(script), *_eval_args(tiny_llama, out)]
    proc = subprocess.Popen(command, env=_env(first_log), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        if len(_rows(db)) >= 3:  # some completions stored, most not
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the first run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored_before = len(_rows(db))
    assert 0 < stored_before < 2 * N_ITEMS
    assert not (out / "results.json").exists()

    done = subprocess.run(command, env=_env(second_log), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = _rows(db)
    assert len(rows) == 2 * N_ITEMS == len(set(rows))  # each (variant, item) exactly once
    assert len({fp for fp, _ in rows}) == 2  # dense and magnitude:0.5
    assert len(_lines(second_log)) == 2 * N_ITEMS - stored_before  # only what was missing
    results = json.loads((out / "results.json").read_text())
    overall = results["groups"]["overall"]["variants"]
    assert {v: overall[v]["n"] for v in overall} == {"dense": N_ITEMS, "magnitude:0.5": N_ITEMS}
    assert len(_lines(out / "samples.jsonl")) == 2 * N_ITEMS

    # the same command a third time: everything is served from the cache
    third_log = tmp_path / "third.log"
    again = subprocess.run(command, env=_env(third_log), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert _lines(third_log) == []
    assert len(_rows(db)) == 2 * N_ITEMS
    rerun = json.loads((out / "results.json").read_text())
    assert _comparable(rerun) == _comparable(results)


def _reasoning(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reasoning.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )


def test_the_same_eval_twice_writes_the_same_results(tiny_llama, tmp_path):
    """Two fresh runs (separate caches): only `created` may differ."""
    runs = []
    for name in ("a", "b"):
        args = _eval_args(tiny_llama, tmp_path / name)
        args[args.index("-n") + 1] = "4"
        done = _reasoning(*args)
        assert done.returncode == 0, done.stderr
        runs.append(json.loads((tmp_path / name / "results.json").read_text()))
    assert runs[0]["command"] != runs[1]["command"]  # they name their own -o
    first, second = (_comparable(r) | {"command": None} for r in runs)
    assert first == second
    for name in ("samples.jsonl", "metrics.csv", "items.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_endpoint_is_one_line_and_exit_2(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    done = _reasoning(
        "eval", "--model", "x", "--base-url", url, "--variants", "dense", "--family", "nlsat",
        "-n", "2", "-q", "-o", str(tmp_path / "res"),
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert url in lines[0] and "refused" in lines[0]
    assert not (tmp_path / "res").exists()


def test_an_unreachable_variant_keeps_the_finished_ones(tiny_llama, tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    done = _reasoning(
        "eval", "--model", str(tiny_llama), "--variants", "dense", "--variant-url",
        f"srv={url}", "--family", "nlsat", "-n", "3", "--max-new-tokens", "4", "-q",
        "-o", str(tmp_path / "res"),
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert url in done.stderr.strip().splitlines()[-1]
    assert len(_rows(tmp_path / "res.cache.sqlite")) == 3  # dense's rows stay
