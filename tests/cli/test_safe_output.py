"""Outputs never destroy data: inputs, links, FIFOs and directories are refused, files land
whole or not at all, and one hostile response never costs the other verdicts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import reasoning.cli
import reasoning.scoring
from reasoning import parallel
from reasoning.cli import main
from reasoning.core import Verdict, read_jsonl
from reasoning.core.io import sha256_file


def run(*argv: str | os.PathLike) -> int:
    return main([str(a) for a in argv])


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reasoning: error: "), err
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry of a folder: a file's bytes, or what kind of thing it is."""
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.iterdir()):
        if p.is_symlink():
            out[p.name] = f"link->{os.readlink(p)}"
        elif p.is_file():
            out[p.name] = p.read_bytes()
        else:
            out[p.name] = "dir" if p.is_dir() else "special"
    return out


@pytest.fixture(scope="module")
def items(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("safe") / "items.jsonl"
    assert run("generate", "nlsat", "-n", "4", "--seed", "2", "-o", out, "-q") == 0
    return out


@pytest.fixture()
def workdir(items, tmp_path) -> Path:
    """A folder holding a copy of the items, their manifest, and responses to them."""
    for name in (items.name, items.name + ".manifest.json"):
        (tmp_path / name).write_bytes(items.with_name(name).read_bytes())
    ids = [it.id for it in read_jsonl(items)]
    lines = [json.dumps({"id": i, "response": "yes"}) for i in ids]
    (tmp_path / "responses.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


# ---------------------------------------------------------------- score
@pytest.mark.parametrize("target", ["items.jsonl", "responses.jsonl", "items.jsonl.manifest.json"])
def test_score_refuses_to_write_over_an_input(target, workdir, capsys):
    before = snapshot(workdir)
    code = run(
        "score", workdir / "items.jsonl", workdir / "responses.jsonl", "-o", workdir / target
    )
    assert code == 2
    assert "input" in one_error_line(capsys)
    assert snapshot(workdir) == before


def test_score_writes_lone_surrogates_as_valid_utf8(workdir, monkeypatch, capsys):
    """A verifier that echoes a hostile response (lone surrogate) must not break the write."""
    monkeypatch.setattr(
        reasoning.scoring,
        "verify",
        lambda inst, text: Verdict(False, 0.0, {"echo": text}, f"saw {text}"),
    )
    first = read_jsonl(workdir / "items.jsonl")[0].id
    (workdir / "responses.jsonl").write_text(json.dumps({"id": first, "response": "ok \ud800"}))
    assert run("score", workdir / "items.jsonl", workdir / "responses.jsonl") == 0
    raw = (workdir / "responses.verdicts.jsonl").read_bytes()
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    assert rows[0]["id"] == first and rows[0]["parsed"] == {"echo": "ok \ud800"}


def test_one_raising_verifier_costs_only_its_own_item(workdir, monkeypatch, capsys):
    victims = {read_jsonl(workdir / "items.jsonl")[1].id}

    def fragile(inst, text):
        if inst.id in victims:
            raise RecursionError("verifier blew up")
        return Verdict(True, 1.0, text, "fine")

    monkeypatch.setattr(reasoning.scoring, "verify", fragile)
    assert run("score", workdir / "items.jsonl", workdir / "responses.jsonl") == 0
    rows = [json.loads(x) for x in (workdir / "responses.verdicts.jsonl").read_text().splitlines()]
    assert len(rows) == 4
    for row in rows:
        if row["id"] in victims:
            assert not row["correct"] and "internal error" in row["feedback"]
        else:
            assert row["correct"] and row["feedback"] == "fine"


def test_an_interrupted_score_keeps_the_old_verdicts(workdir, monkeypatch, capsys):
    old = workdir / "responses.verdicts.jsonl"
    old.write_text("earlier verdicts\n")
    before = snapshot(workdir)

    def interrupted(inst, text):
        raise KeyboardInterrupt

    monkeypatch.setattr(reasoning.scoring, "verify", interrupted)
    assert run("score", workdir / "items.jsonl", workdir / "responses.jsonl") == 130
    assert capsys.readouterr().err.strip() == "reasoning: interrupted"
    assert snapshot(workdir) == before


@pytest.mark.parametrize("which", ["items", "responses"])
def test_deeply_nested_json_in_score_inputs_is_one_line(which, workdir, capsys):
    (workdir / f"{which}.jsonl").write_text("[" * 100_000 + "\n")
    assert run("score", workdir / "items.jsonl", workdir / "responses.jsonl") == 2
    assert f"{which}.jsonl:1: JSON nested too deeply" in one_error_line(capsys)


# ---------------------------------------------------------------- generate
def _special(kind: str, folder: Path) -> str:
    (folder / "real.jsonl").write_text("precious\n")
    if kind == "symlink":
        (folder / "out.jsonl").symlink_to("real.jsonl")
    elif kind == "fifo":
        os.mkfifo(folder / "out.jsonl")
    elif kind == "directory":
        (folder / "out.jsonl").mkdir()
    return "" if kind == "empty" else str(folder / "out.jsonl")


@pytest.mark.parametrize("kind", ["symlink", "fifo", "directory", "empty"])
def test_generate_refuses_unusable_outputs_and_leaves_them_alone(kind, tmp_path, capsys):
    target = _special(kind, tmp_path)
    before = snapshot(tmp_path)
    assert run("generate", "nlsat", "-n", "2", "-o", target, "-q") == 2
    one_error_line(capsys)
    assert snapshot(tmp_path) == before


def test_generate_refuses_a_parquet_copy_onto_its_own_jsonl(tmp_path, capsys):
    code = run("generate", "nlsat", "-n", "2", "--format", "parquet", "-o", tmp_path / "x.parquet")
    assert code == 2
    one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_generate_refuses_to_overwrite_a_knob_input_file(tmp_path, capsys):
    graph = tmp_path / "graph.tsv"
    graph.write_text("a\tr\tb\nb\tr\tc\n")
    code = run("generate", "kgqa", "-n", "1", "--set", f"kg={graph}", "-o", graph, "-q")
    assert code == 2
    assert "input" in one_error_line(capsys)
    assert graph.read_text() == "a\tr\tb\nb\tr\tc\n"


def test_an_interrupted_generate_keeps_the_previous_pair(items, tmp_path, monkeypatch, capsys):
    out = tmp_path / "items.jsonl"
    for name in (items.name, items.name + ".manifest.json"):
        (tmp_path / name).write_bytes(items.with_name(name).read_bytes())
    before = snapshot(tmp_path)
    real = reasoning.cli.iter_generate_grid

    def dies_midway(*args, **kwargs):
        for k, inst in enumerate(real(*args, **kwargs)):
            if k == 3:
                raise KeyboardInterrupt
            yield inst

    monkeypatch.setattr(reasoning.cli, "iter_generate_grid", dies_midway)
    code = run("generate", "nlsat", "-n", "9", "--format", "parquet", "-o", out, "-q")
    assert code == 130
    assert snapshot(tmp_path) == before


def test_a_new_generate_replaces_data_and_manifest_together(items, tmp_path):
    out = tmp_path / "items.jsonl"
    for name in (items.name, items.name + ".manifest.json"):
        (tmp_path / name).write_bytes(items.with_name(name).read_bytes())
    assert run("generate", "nlsat", "-n", "3", "--seed", "9", "-o", out, "-q") == 0
    manifest = json.loads((tmp_path / "items.jsonl.manifest.json").read_text())
    assert manifest["sha256"] == sha256_file(out) and manifest["count"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "items.jsonl",
        "items.jsonl.manifest.json",
    ]


# ---------------------------------------------------------------- -j
def test_jobs_above_the_cpu_count_are_capped_with_a_note(items, monkeypatch, capsys):
    monkeypatch.setattr(parallel, "available_cpus", lambda: 1)
    assert run("verify", items, "-j", "7", "-q") == 0
    err = capsys.readouterr().err
    assert "-j 7 capped at 1" in err and "Traceback" not in err


# ---------------------------------------------------------------- knowledge graph files
@pytest.mark.parametrize("content", [b"", b"\n\n", b"head\trel\t\xff\xfe\n"])
def test_an_empty_or_non_utf8_graph_file_is_one_line(content, tmp_path, capsys):
    graph = tmp_path / "graph.tsv"
    graph.write_bytes(content)
    code = run("generate", "kgqa", "-n", "1", "--set", f"kg={graph}", "-o", tmp_path / "o", "-q")
    assert code == 2
    one_error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.tsv"]


def test_hostile_text_in_an_items_file_prints_without_a_traceback(workdir, capsys):
    """A lone surrogate in a hardness value reaches the printed table; printing must cope."""
    path = workdir / "items.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rows[0]["hardness"]["n_vars"] = "\ud800"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert run("score", path, workdir / "responses.jsonl") == 0
    assert "n_vars=\\ud800" in capsys.readouterr().out
