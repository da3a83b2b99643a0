"""Safe output: checked paths, and groups of files that land together or not at all.

Every command that writes goes through here, so one set of rules holds everywhere:

- `check_output_path` refuses an empty path, a directory, an existing target that is not
  a regular file (symlink, FIFO, device, socket) and any path that is one of the command's
  inputs or an input's manifest (same resolved path, or the same file by another name).
- `AtomicFiles` writes a group of targets (a JSONL file, its manifest, a Parquet copy) to
  temporary files beside them and renames them into place only when all are written.
  The first target is the primary; the others describe it. The commit removes any old
  describing files first, then renames the primary, then the others, so at every instant
  a manifest on disk describes the file beside it: a crash mid-commit can leave a new file
  without its manifest (which `verify` reads as "no manifest"), never with a stale one.
  SIGINT and SIGTERM are held back while temporary files are made and during the commit,
  and delivered right after (so a signal during the commit ends the command once the new
  files are in place). On any exception before the commit, including KeyboardInterrupt and
  SystemExit, the temporary files are removed and the targets are left as they were.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reasoning.core.errors import OutputError

PathLike = str | os.PathLike[str]


# ---------------------------------------------------------------- path checks
def _manifest_of(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def _same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links and other aliases
    except OSError:
        return False


def _nonempty(target: PathLike, what: str) -> str:
    text = os.fspath(target)
    if not text.strip():
        raise OutputError(f"{what} path is empty")
    return text


def check_output_path(target: PathLike, inputs: Iterable[PathLike] = ()) -> Path:
    """`target` as a Path if it may be (re)written as a regular file; OutputError if it is
    empty, a directory, an existing non-regular file, or one of `inputs` (or an input's
    `.manifest.json`)."""
    text = _nonempty(target, "output")
    path = Path(text)
    if text.endswith((os.sep, "/")):
        raise OutputError(f"output {text} names a directory; give a file path")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"output {path}: {exc.strerror or exc}") from None
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise OutputError(f"output {path} is a directory; give a file path")
        if stat.S_ISLNK(mode):
            raise OutputError(f"output {path} is a symbolic link; give the file's real path")
        if not stat.S_ISREG(mode):
            raise OutputError(f"output {path} exists and is not a regular file")
    for source in inputs:
        source = Path(source)
        for guarded in (source, _manifest_of(source)):
            if _same_file(path, guarded):
                raise OutputError(f"output {path} is the input {guarded}; refusing to overwrite it")
    return path


def check_output_dir(target: PathLike, inputs: Iterable[PathLike] = ()) -> Path:
    """`target` as a Path if files may be written into it as a directory; OutputError if it
    is empty, an existing non-directory, or one of the `inputs` directories or inside one."""
    path = Path(_nonempty(target, "output directory"))
    if os.path.lexists(path) and not path.is_dir():
        raise OutputError(f"output {path} exists and is not a directory")
    real = os.path.realpath(path)
    for source in inputs:
        inner = os.path.realpath(source)
        if real == inner or real.startswith(inner.rstrip(os.sep) + os.sep):
            raise OutputError(
                f"output directory {path} is (inside) the input {source}; refusing to overwrite it"
            )
    return path


# ---------------------------------------------------------------- signals
_CAN_MASK = hasattr(signal, "pthread_sigmask")


@contextmanager
def signals_deferred(
    signums: Iterable[int] = (signal.SIGINT, signal.SIGTERM),
) -> Iterator[None]:
    """Hold the signals back while the block runs; deliver them after it, to whatever
    handler is then in place. The calling thread blocks them (a process it starts inherits
    that), and their Python handlers only record them meanwhile, because another thread of
    the process may still take one. A no-op off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = set(signums)
    arrived: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: arrived.append(signum)) for s in wanted}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, wanted) if _CAN_MASK else None
    try:
        yield
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(arrived):
            signal.raise_signal(signum)


# ---------------------------------------------------------------- atomic groups
def _new_file_mode(target: Path) -> int:
    """The mode a plain open() would give: the old file's, else 0o666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def _fsync(path: PathLike) -> None:
    """Flush a file's bytes to disk before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: PathLike) -> None:
    """Flush a directory's entries (the renames); skipped where the platform cannot."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is still atomic
    finally:
        os.close(fd)


class AtomicFiles:
    """Temporary files for `targets` that replace them together, or not at all.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with AtomicFiles([folder / "a.jsonl", folder / "a.jsonl.manifest.json"]) as files:
    ...     _ = files.temp(folder / "a.jsonl").write_text("{}\\n")
    ...     _ = files.temp(folder / "a.jsonl.manifest.json").write_text("{}\\n")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.jsonl', 'a.jsonl.manifest.json']
    >>> import shutil; shutil.rmtree(folder)

    Every target is checked with `check_output_path` against `inputs`, and the targets
    must be distinct. Parent directories are created.
    """

    def __init__(self, targets: Sequence[PathLike], inputs: Iterable[PathLike] = ()) -> None:
        sources = list(inputs)
        self.targets = [check_output_path(t, sources) for t in targets]
        for i, target in enumerate(self.targets):
            for other in self.targets[:i]:
                if _same_file(target, other):
                    raise OutputError(f"two outputs would both be written to {target}")
        self._temps: dict[Path, Path] = {}

    def __enter__(self) -> AtomicFiles:
        try:  # a signal held back below arrives as the block ends: still inside the try
            with signals_deferred():
                for target in self.targets:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    fd, name = tempfile.mkstemp(
                        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
                    )
                    self._temps[target] = Path(name)
                    if hasattr(os, "fchmod"):  # mkstemp makes 0600; give the usual mode
                        os.fchmod(fd, _new_file_mode(target))
                    os.close(fd)
        except BaseException:
            self._discard()
            raise
        return self

    def temp(self, target: PathLike) -> Path:
        """The temporary file that will become `target` (one of the group's targets)."""
        return self._temps[Path(target)]

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._discard()
            return
        try:
            self._commit()
        except BaseException:
            self._discard()
            raise

    def _commit(self) -> None:
        for temp in self._temps.values():
            _fsync(temp)
        with signals_deferred():
            for target in self.targets[1:]:
                if os.path.lexists(target):
                    os.unlink(target)  # no old manifest may sit beside a new file
            for target in self.targets:
                os.replace(self._temps[target], target)
                del self._temps[target]
        for folder in {t.parent for t in self.targets}:
            _fsync_dir(folder)

    def _discard(self) -> None:
        for temp in self._temps.values():
            try:
                temp.unlink(missing_ok=True)
            except OSError:
                pass
        self._temps.clear()


class AtomicDirectory:
    """A temporary directory whose files move into `target` only when the block succeeds.

    Files already in `target` that the new set does not name are kept; `last` names are
    removed from `target` first and moved in last (a report that describes the others).
    On any exception the temporary directory is removed and `target` is untouched.
    """

    def __init__(
        self, target: PathLike, inputs: Iterable[PathLike] = (), last: Sequence[str] = ()
    ) -> None:
        self.target = check_output_dir(target, inputs)
        self.last = tuple(last)
        self.temp: Path | None = None

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        try:  # a signal held back below arrives as the block ends: still inside the try
            with signals_deferred():
                self.temp = Path(
                    tempfile.mkdtemp(dir=self.target.parent, prefix=f".{self.target.name}.")
                )
        except BaseException:
            self._drop()
            raise
        return self.temp

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None and self.temp is not None:
                self._commit(self.temp)
        finally:
            self._drop()

    def _drop(self) -> None:
        if self.temp is not None:
            shutil.rmtree(self.temp, ignore_errors=True)
            self.temp = None

    def _commit(self, temp: Path) -> None:
        names = sorted(p.name for p in temp.iterdir())
        order = [n for n in names if n not in self.last] + [n for n in self.last if n in names]
        for name in order:
            if (temp / name).is_file():
                _fsync(temp / name)
        self.target.mkdir(parents=True, exist_ok=True)
        with signals_deferred():
            for name in self.last:
                if (self.target / name).is_file():
                    (self.target / name).unlink()
            for name in order:
                os.replace(temp / name, self.target / name)
        _fsync_dir(self.target)


# ---------------------------------------------------------------- text lines
def json_line(value: Any, **options: Any) -> str:
    """`value` as one JSON line (with newline) that encodes as UTF-8: text stays readable,
    and only a value holding a lone surrogate (hostile model output) is written escaped."""
    text = json.dumps(value, ensure_ascii=False, **options)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=True, **options)
    return text + "\n"


def write_json_lines(
    records: Iterable[Any], target: PathLike, inputs: Iterable[PathLike] = (), **options: Any
) -> Path:
    """Write one `json_line` per record to `target` atomically; return the target's path."""
    with AtomicFiles([target], inputs) as files:
        path = files.targets[0]
        with files.temp(path).open("w", encoding="utf-8", newline="\n") as handle:
            for record in records:
                handle.write(json_line(record, **options))
    return path
