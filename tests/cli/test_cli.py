from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reasoning.cli import main
from reasoning.core import read_jsonl
from reasoning.core.io import sha256_file


def run(*argv: str) -> int:
    return main(list(argv))


@pytest.fixture(scope="module")
def ladder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "ladder.jsonl"
    assert (
        run(
            "generate",
            "nlsat",
            "-n",
            "6",
            "--seed",
            "4",
            "--set",
            "n_vars=5,8",
            "-o",
            str(out),
            "-q",
        )
        == 0
    )
    return out


def test_generate_writes_jsonl_and_manifest(ladder):
    items = read_jsonl(ladder)
    manifest = json.loads(ladder.with_name(ladder.name + ".manifest.json").read_text())
    assert len(items) == 12 == manifest["count"]
    assert manifest["sha256"] == sha256_file(ladder)
    assert manifest["knobs"] == {"n_vars": [5, 8]}
    assert manifest["labels"] == {
        "yes": sum(i.answer == "yes" for i in items),
        "no": sum(i.answer == "no" for i in items),
    }
    assert sorted({i.hardness["n_vars"] for i in items}) == [5, 8]


def test_manifest_command_regenerates_the_same_bytes(ladder, tmp_path):
    manifest = json.loads(ladder.with_name(ladder.name + ".manifest.json").read_text())
    argv = manifest["command"].split()[1:]
    again = tmp_path / "again.jsonl"
    argv[argv.index("-o") + 1] = str(again)
    assert run(*argv, "-q") == 0
    assert again.read_bytes() == ladder.read_bytes()


def test_verify_passes_and_catches_a_flipped_label(ladder, tmp_path, capsys):
    assert run("verify", str(ladder), "-q") == 0
    assert "0 disagreement(s)" in capsys.readouterr().out
    lines = ladder.read_text().splitlines()
    row = json.loads(lines[3])
    row["answer"] = "no" if row["answer"] == "yes" else "yes"
    lines[3] = json.dumps(row)
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join(lines) + "\n")
    assert run("verify", str(tampered), "-q") == 1
    out = capsys.readouterr().out
    assert f"DISAGREE {row['id']}" in out and "1 disagreement(s)" in out


@pytest.mark.parametrize("family", ["nlsat", "logicasker"])
def test_worker_processes_write_the_same_bytes_and_find_the_same_problems(family, tmp_path, capsys):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run("generate", family, "-n", "9", "--seed", "5", "-o", str(one), "-q") == 0
    assert run("generate", family, "-n", "9", "--seed", "5", "-o", str(two), "-q", "-j", "2") == 0
    assert one.read_bytes() == two.read_bytes()
    rows = [json.loads(x) for x in one.read_text().splitlines()]
    for i in (2, 7):  # flip two labels, in different chunks
        rows[i]["answer"] = "no" if rows[i]["answer"] == "yes" else "yes"
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("".join(json.dumps(r) + "\n" for r in rows))
    capsys.readouterr()
    assert run("verify", str(tampered), "-q", "-j", "2") == 1
    out = capsys.readouterr().out
    assert "2 disagreement(s)" in out
    assert all(f"DISAGREE {rows[i]['id']}" in out for i in (2, 7))


def test_verify_notices_a_file_changed_after_its_manifest(ladder, tmp_path, capsys):
    copy = tmp_path / "copy.jsonl"
    copy.write_text(ladder.read_text() + "\n")
    copy.with_name(copy.name + ".manifest.json").write_text(
        ladder.with_name(ladder.name + ".manifest.json").read_text()
    )
    assert run("verify", str(copy), "-q") == 1
    assert "sha256 differs" in capsys.readouterr().out


def test_score_reports_per_hardness_and_writes_verdicts(ladder, tmp_path, capsys):
    items = read_jsonl(ladder)
    responses = tmp_path / "responses.jsonl"
    # right on n_vars=5, always "yes" on n_vars=8, one item unanswered
    rows = []
    for it in items[:-1]:
        text = f"Answer: {it.answer}" if it.hardness["n_vars"] == 5 else "Answer: yes"
        rows.append(json.dumps({"id": it.id, "response": text}))
    responses.write_text("\n".join(rows) + "\n")
    assert run("score", str(ladder), str(responses)) == 0
    out = capsys.readouterr().out
    verdicts = [
        json.loads(x) for x in (tmp_path / "responses.verdicts.jsonl").read_text().splitlines()
    ]
    assert len(verdicts) == len(items)
    assert verdicts[-1]["feedback"] == "no response for this id" and not verdicts[-1]["correct"]
    five = [line for line in out.splitlines() if line.startswith("nlsat n_vars=5")]
    assert len(five) == 1 and " 1.000 " in five[0]
    expected = sum(it.answer == "yes" for it in items[:-1] if it.hardness["n_vars"] == 8)
    eight = next(line for line in out.splitlines() if line.startswith("nlsat n_vars=8"))
    assert f"{expected / 6:.3f}" in eight


@pytest.mark.parametrize(
    "argv, message",
    [
        (["generate", "nope", "-n", "1", "-o", "x.jsonl"], "unknown family 'nope'"),
        (
            ["generate", "nlsat", "-n", "1", "--set", "n_vars=zero", "-o", "x.jsonl"],
            "not a valid int",
        ),
        (["generate", "nlsat", "-n", "1", "--set", "colour=3", "-o", "x.jsonl"], "unknown knob"),
        (["generate", "nlsat", "-n", "1", "--set", "k", "-o", "x.jsonl"], "expects KNOB=VALUE"),
        (["generate", "nlsat", "-n", "-3", "-o", "x.jsonl"], "n=-3 must be a non-negative"),
        (["verify", "missing.jsonl"], "cannot read"),
        (["generate", "nlsat", "-n", "1", "-j", "0", "-o", "x.jsonl"], "jobs=0 must be a positive"),
    ],
)
def test_user_errors_exit_2_with_one_line(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(*argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x.jsonl").exists()


def test_malformed_responses_exit_2(ladder, tmp_path, capsys):
    bad = tmp_path / "r.jsonl"
    bad.write_text('{"id": "x"}\n')
    assert run("score", str(ladder), str(bad)) == 2
    assert "expected an object with 'id' and 'response'" in capsys.readouterr().err


def test_console_script_help_and_families():
    exe = Path(sys.executable).with_name("reasoning")
    for sub in (["--help"], ["generate", "--help"], ["verify", "--help"], ["score", "--help"]):
        proc = subprocess.run([str(exe), *sub], capture_output=True, text=True, check=False)
        assert proc.returncode == 0 and "usage: reasoning" in proc.stdout
    proc = subprocess.run(
        [str(exe), "families", "--json"], capture_output=True, text=True, check=True
    )
    families = {f["family"]: f for f in json.loads(proc.stdout)}
    knobs = {k["name"]: k for k in families["nlsat"]["knobs"]}
    assert {"n_vars", "ratio", "n_clauses", "k", "mix_2sat", "grammar", "balance"} <= set(knobs)
    assert knobs["k"]["allowed"] == "2..5"


@pytest.mark.parametrize("family", ["nlsat", "logicasker", "fol", "pbe", "kgqa"])
def test_verify_reports_items_with_broken_meta_and_does_not_crash(family, tmp_path, capsys):
    """Hand-edited meta (wrong types, missing keys) is a reported disagreement, exit 1,
    and every other item is still checked."""
    path = tmp_path / "items.jsonl"
    assert run("generate", family, "-n", "4", "--seed", "2", "-o", str(path), "-q") == 0
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    breakers = [
        lambda meta: meta.update({k: None for k in meta if k != "generator_version"}),
        lambda meta: meta.update({k: ["x"] for k in meta if k != "generator_version"}),
        lambda meta: meta.update({k: {"text": 7} for k in meta if k != "generator_version"}),
    ]
    for row, breaker in zip(rows, breakers, strict=False):
        breaker(row["meta"])
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    path.with_name(path.name + ".manifest.json").unlink()  # its sha256 would differ too
    capsys.readouterr()
    assert run("verify", str(path), "-q") == 1
    out = capsys.readouterr().out
    assert "3 disagreement(s)" in out
    assert all(f"DISAGREE {rows[i]['id']}" in out for i in range(3))
    assert f"DISAGREE {rows[3]['id']}" not in out
