"""Safe output: path checks, groups of files that land together, and text that always encodes."""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reasoning.core.errors import OutputError, ReasoningError
from reasoning.core.output import (
    AtomicDirectory,
    AtomicFiles,
    check_output_dir,
    check_output_path,
    json_line,
    signals_deferred,
    write_json_lines,
)


def test_output_error_is_a_user_error():
    assert issubclass(OutputError, ReasoningError)


@pytest.mark.parametrize("kind", ["empty", "blank", "directory", "slash", "symlink", "fifo"])
def test_unusable_targets_are_refused(kind, tmp_path):
    real = tmp_path / "real.jsonl"
    real.write_text("keep\n")
    target: str | Path = tmp_path / "target"
    if kind == "empty":
        target = ""
    elif kind == "blank":
        target = "  "
    elif kind == "directory":
        Path(target).mkdir()
    elif kind == "slash":
        target = f"{tmp_path / 'new'}/"
    elif kind == "symlink":
        Path(target).symlink_to(real)
    elif kind == "fifo":
        os.mkfifo(target)
    with pytest.raises(OutputError):
        check_output_path(target)
    assert real.read_text() == "keep\n"


def test_a_new_path_and_a_plain_file_are_accepted(tmp_path):
    plain = tmp_path / "old.jsonl"
    plain.write_text("x\n")
    assert check_output_path(plain) == plain
    assert check_output_path(tmp_path / "sub" / "new.jsonl") == tmp_path / "sub" / "new.jsonl"


@pytest.mark.parametrize("alias", ["same", "dotted", "manifest", "hardlink", "via-symlinked-dir"])
def test_an_input_in_any_spelling_is_refused(alias, tmp_path):
    source = tmp_path / "items.jsonl"
    source.write_text("items\n")
    (tmp_path / "items.jsonl.manifest.json").write_text("{}\n")
    target = {
        "same": source,
        "dotted": tmp_path / "." / "items.jsonl",
        "manifest": tmp_path / "items.jsonl.manifest.json",
        "hardlink": tmp_path / "link.jsonl",
        "via-symlinked-dir": tmp_path / "alias" / "items.jsonl",
    }[alias]
    if alias == "hardlink":
        os.link(source, target)
    if alias == "via-symlinked-dir":
        (tmp_path / "alias").symlink_to(tmp_path)
    with pytest.raises(OutputError, match="input"):
        check_output_path(target, inputs=[str(source)])


def test_output_directory_may_not_be_the_input_model_or_inside_it(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    for bad in (model, model / "pruned", tmp_path / "." / "model"):
        with pytest.raises(OutputError):
            check_output_dir(bad, inputs=[model])
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError):
        check_output_dir(tmp_path / "file")
    with pytest.raises(OutputError):
        check_output_dir("")
    assert check_output_dir(tmp_path / "model-pruned", inputs=[model]) == tmp_path / "model-pruned"


def _group(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "data.jsonl", tmp_path / "data.jsonl.manifest.json"


def _write_pair(files: AtomicFiles, data: Path, manifest: Path, text: str) -> None:
    files.temp(data).write_text(text)
    files.temp(manifest).write_text(json.dumps({"describes": text}))


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt, SystemExit])
def test_a_failed_group_leaves_the_old_files_and_no_debris(error, tmp_path):
    data, manifest = _group(tmp_path)
    data.write_text("old")
    manifest.write_text(json.dumps({"describes": "old"}))
    with pytest.raises(error), AtomicFiles([data, manifest]) as files:
        _write_pair(files, data, manifest, "new")
        raise error()
    assert data.read_text() == "old"
    assert json.loads(manifest.read_text()) == {"describes": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [data.name, manifest.name]


def test_a_group_lands_together_and_keeps_the_old_mode(tmp_path):
    data, manifest = _group(tmp_path)
    data.write_text("old")
    data.chmod(0o640)
    with AtomicFiles([data, manifest]) as files:
        _write_pair(files, data, manifest, "new")
    assert data.read_text() == "new"
    assert json.loads(manifest.read_text()) == {"describes": "new"}
    assert data.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [data.name, manifest.name]


def test_two_targets_that_are_one_file_are_refused(tmp_path):
    with pytest.raises(OutputError, match="both"):
        AtomicFiles([tmp_path / "a", tmp_path / "." / "a"])


@pytest.mark.parametrize("had_old", [False, True])
@pytest.mark.parametrize("crash_at", range(4))
def test_a_crash_at_any_commit_step_never_pairs_data_with_a_stale_manifest(
    crash_at, had_old, tmp_path, monkeypatch
):
    """Whichever rename or unlink of the commit fails (every one is tried), a manifest on
    disk describes the data beside it, and no temporary file is left."""
    folder = tmp_path
    data, manifest = _group(folder)
    if had_old:
        data.write_text("old")
        manifest.write_text(json.dumps({"describes": "old"}))
    steps = {"n": 0}

    def counting(real, cleanup_passes: bool):
        def step(*args, **kwargs):
            if cleanup_passes and str(args[0]).endswith(".tmp"):
                return real(*args, **kwargs)  # removing a temporary file is cleanup, not commit
            if steps["n"] == crash_at:
                raise OSError("simulated crash")
            steps["n"] += 1
            return real(*args, **kwargs)

        return step

    monkeypatch.setattr(os, "replace", counting(os.replace, False))
    monkeypatch.setattr(os, "unlink", counting(os.unlink, True))
    try:
        with AtomicFiles([data, manifest]) as files:
            _write_pair(files, data, manifest, "new")
    except OSError:
        pass
    monkeypatch.undo()
    assert steps["n"] == min(crash_at, 2 + had_old)  # the crash hit a real step, or none left
    if manifest.exists():
        assert json.loads(manifest.read_text()) == {"describes": data.read_text()}
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_atomic_directory_moves_files_in_only_on_success(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "pruning.json").write_text("old report")
    (out / "notes.txt").write_text("the user's")
    with pytest.raises(KeyboardInterrupt), AtomicDirectory(out, last=["pruning.json"]) as temp:
        (temp / "model.bin").write_text("half")
        raise KeyboardInterrupt
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "pruning.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    with AtomicDirectory(out, last=["pruning.json"]) as temp:
        (temp / "model.bin").write_text("weights")
        (temp / "pruning.json").write_text("new report")
    assert (out / "pruning.json").read_text() == "new report"
    assert (out / "notes.txt").read_text() == "the user's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


any_text = st.text(st.characters(categories=["Cs", "Ll", "Lo", "Zs", "Nd", "Cc"]), max_size=30)


@given(st.dictionaries(st.text(max_size=5), any_text | st.lists(any_text, max_size=3), max_size=4))
def test_json_lines_always_encode_and_read_back_unchanged(record):
    """Lone surrogates (possible in a hostile response) never break the write."""
    line = json_line(record, sort_keys=True)
    raw = line.encode("utf-8")
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1
    assert json.loads(raw.decode("utf-8")) == record


def test_json_lines_keep_readable_text_readable():
    assert json_line({"a": "café"}) == '{"a": "café"}\n'


def test_write_json_lines_refuses_an_input_and_leaves_it(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("precious\n")
    with pytest.raises(OutputError):
        write_json_lines([{"a": 1}], source, inputs=[source])
    assert source.read_text() == "precious\n"
    target = write_json_lines([{"a": "\ud800"}, {"b": 2}], tmp_path / "out.jsonl")
    rows = [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]
    assert rows == [{"a": "\ud800"}, {"b": 2}]


def test_a_signal_while_temporaries_are_made_leaves_no_debris(tmp_path, monkeypatch):
    """Ctrl-C held back while the temporary files are created still cleans them up."""
    real = tempfile.mkstemp

    def mkstemp_then_ctrl_c(*args, **kwargs):
        made = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # held back until all temporaries exist
        return made

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_ctrl_c)
    data, manifest = _group(tmp_path)
    with pytest.raises(KeyboardInterrupt), AtomicFiles([data, manifest]):
        pytest.fail("the block must not run")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("via_other_thread", [False, True])
def test_signals_deferred_delivers_after_the_block_only(via_other_thread):
    """A Ctrl-C during the block (taken by this thread or another one) is raised after it."""
    done = threading.Event()
    helper = threading.Thread(target=done.wait)
    helper.start()
    finished_block = False
    try:
        with pytest.raises(KeyboardInterrupt):
            with signals_deferred():
                if via_other_thread:
                    signal.pthread_kill(helper.ident, signal.SIGINT)
                else:
                    os.kill(os.getpid(), signal.SIGINT)
                for _ in range(5):  # giving the GIL up lets a pending handler run
                    time.sleep(0.001)
                finished_block = True
    finally:
        done.set()
        helper.join()
    assert finished_block
