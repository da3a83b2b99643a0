"""`reasoning loop`: rounds printed for a file (scored after the loop) and for a bare
prompt; a bad argument is one line and exit 2."""

from __future__ import annotations

import argparse

import pytest

import reasoning
from reasoning import cli
from reasoning.loop.command import add_loop_parser


def run_cli(argv: list[str], monkeypatch) -> int:
    """`reasoning.cli.main` with the loop command registered (if cli.py does not yet)."""
    original = cli.build_parser

    def build() -> argparse.ArgumentParser:
        parser = original()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "loop" not in sub.choices:
            add_loop_parser(sub)
        return parser

    monkeypatch.setattr(cli, "build_parser", build)
    return cli.main(argv)


@pytest.fixture
def items_file(tmp_path):
    path = tmp_path / "items.jsonl"
    reasoning.write_jsonl(reasoning.generate("pbe", 4, 5), path)
    return path


def test_a_file_prints_every_round_and_a_summary(tiny_llama, items_file, monkeypatch, capsys):
    argv = ["loop", "pbe", "--model", str(tiny_llama), "--file", str(items_file)]
    argv += ["--strategy", "refine:1", "--max-new-tokens", "6", "-n", "3"]
    assert run_cli(argv, monkeypatch) == 0
    out = capsys.readouterr().out
    assert out.count("== pbe-") == 3 and out.count("verdict: ") == 3
    assert "round 1 [propose]:" in out and "check: " in out and "stopped: " in out
    if "check: False" in out:
        assert "sent back: Your answer did not pass a check: " in out
        assert "round 2 [refine]:" in out
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("pbe · refine:1: accuracy ") and "/3 = " in summary
    assert "calls/item " in summary and "completion tokens/item " in summary


def test_a_prompt_prints_its_rounds_without_a_score(tiny_llama, monkeypatch, capsys):
    argv = ["loop", "nlsat", "--model", str(tiny_llama), "--prompt", "Is it? Answer: yes or no"]
    argv += ["--strategy", "best_of:2", "--max-new-tokens", "4"]
    assert run_cli(argv, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "round 1 [sample 0]:" in out and "round 2 [sample 1]:" in out
    assert "verdict" not in out and "temperature 0.7" in out


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["pbe", "--strategy", "refine:99"], "'refine:99' count 99 is not in 1..16"),
        (["pbe", "--strategy", "sometimes"], "unknown part 'sometimes'"),
        (["zebra"], "unknown family 'zebra'"),
        (["pbe", "-n", "0"], "-n 0: must be >= 1"),
        (["nlsat"], "is family 'pbe', not 'nlsat'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(extra, needle, items_file, monkeypatch, capsys):
    argv = ["loop", *extra, "--model", "no-such-model", "--file", str(items_file)]
    assert run_cli(argv, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("reasoning: error: ") and needle in err


def test_an_unreadable_file_and_an_unreachable_endpoint_exit_2(tmp_path, monkeypatch, capsys):
    argv = ["loop", "pbe", "--model", "m", "--file", str(tmp_path / "missing.jsonl")]
    assert run_cli(argv, monkeypatch) == 2
    assert capsys.readouterr().err.count("\n") == 1
    argv = ["loop", "pbe", "--model", "m", "--base-url", "http://127.0.0.1:9/v1"]
    assert run_cli([*argv, "--prompt", "hello"], monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach http://127.0.0.1:9/v1" in err


def test_without_model_the_embedded_default_answers(monkeypatch, capsys, tmp_path):
    from reasoning.models import embedded

    seen = []
    original = embedded.resolve_named
    monkeypatch.setattr(embedded, "resolve_named", lambda name: seen.append(name) or original(name))
    path = tmp_path / "la.jsonl"
    reasoning.write_jsonl(reasoning.generate("logicasker", 2, 3, steps=1), path)
    assert run_cli(["loop", "logicasker", "--file", str(path)], monkeypatch) == 0
    assert seen == [embedded.DEFAULT_MODEL]
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith("logicasker · direct: accuracy ") and "/2 = " in summary
