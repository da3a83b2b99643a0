"""JSONL files of instances and their manifests.

Lines are canonical JSON (contract key order at the top, sorted keys below, no spaces,
UTF-8), so the same instances always give the same bytes. Writes go through
`reasoning.core.output` (temporary file, then rename); reads turn any malformed line,
including one nested too deeply to parse, into a DataError naming file and line.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from reasoning.core.errors import DataError
from reasoning.core.output import AtomicFiles
from reasoning.core.types import Instance

REQUIRED = ("id", "family", "prompt", "answer", "hardness", "meta")


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return [_sorted(v) for v in value]
    return value


def dumps(instance: Instance) -> str:
    """One canonical JSON line (without newline) for an instance."""
    record = instance.to_dict()
    record["hardness"] = _sorted(record["hardness"])
    record["meta"] = _sorted(record["meta"])
    record["answer"] = _sorted(record["answer"])
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def instance_from_dict(record: Any, where: str) -> Instance:
    """Build an Instance from a parsed JSON object, naming `where` on any problem."""
    if not isinstance(record, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(record).__name__}")
    missing = [k for k in REQUIRED if k not in record]
    if missing:
        raise DataError(f"{where}: missing field(s) {', '.join(missing)}")
    for name, kind in (("id", str), ("family", str), ("prompt", str)):
        if not isinstance(record[name], kind):
            raise DataError(f"{where}: field {name!r} must be a string")
    for name in ("hardness", "meta"):
        if not isinstance(record[name], dict):
            raise DataError(f"{where}: field {name!r} must be an object")
    return Instance(**{k: record[k] for k in REQUIRED})


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{where}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise DataError(f"{where}: JSON nested too deeply") from None


def iter_json_lines(path: str | os.PathLike[str]) -> Iterable[tuple[str, Any]]:
    """(location, parsed object) for every non-blank line; DataError on bad JSON."""
    p = Path(path)
    try:
        handle = p.open(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read {p}: {exc.strerror or exc}") from None
    with handle:
        try:
            for lineno, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                where = f"{p}:{lineno}"
                yield where, _parse(line, where)
        except UnicodeDecodeError:
            raise DataError(f"{p}: not UTF-8 text") from None


def read_jsonl(path: str | os.PathLike[str]) -> list[Instance]:
    """All instances in a JSONL file; DataError (naming file and line) if malformed."""
    instances = []
    seen: dict[str, str] = {}
    for where, record in iter_json_lines(path):
        inst = instance_from_dict(record, where)
        if inst.id in seen:
            raise DataError(f"{where}: duplicate id {inst.id!r} (first at {seen[inst.id]})")
        seen[inst.id] = where
        instances.append(inst)
    return instances


def dump_jsonl(instances: Iterable[Instance], handle: IO[str]) -> str:
    """Write instances as canonical JSONL lines to an open text file; return their sha256."""
    digest = hashlib.sha256()
    for inst in instances:
        line = dumps(inst) + "\n"
        digest.update(line.encode("utf-8"))
        handle.write(line)
    return digest.hexdigest()


def write_jsonl(instances: Iterable[Instance], path: str | os.PathLike[str]) -> str:
    """Write instances as canonical JSONL (atomically: the old file stays until the new one
    is complete); return the file's sha256."""
    with AtomicFiles([path]) as files:
        with files.temp(path).open("w", encoding="utf-8", newline="\n") as out:
            return dump_jsonl(instances, out)


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(path: str | os.PathLike[str]) -> Path:
    """The sibling manifest of a JSONL file: `<file>.manifest.json`."""
    p = Path(path)
    return p.with_name(p.name + ".manifest.json")


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as written to disk: sorted keys, two-space indent, final newline."""
    return json.dumps(_sorted(manifest), indent=2, ensure_ascii=False) + "\n"


def write_manifest(path: str | os.PathLike[str], manifest: dict[str, Any]) -> Path:
    """Write the manifest beside a JSONL file (atomically); return its path."""
    target = manifest_path(path)
    with AtomicFiles([target]) as files:
        files.temp(target).write_text(manifest_text(manifest), encoding="utf-8")
    return target


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The manifest beside a JSONL file, or None when there is none."""
    target = manifest_path(path)
    if not target.exists():
        return None
    try:
        data = _parse(target.read_text(encoding="utf-8"), str(target))
    except UnicodeDecodeError:
        raise DataError(f"{target}: not UTF-8 text") from None
    except OSError as exc:
        raise DataError(f"cannot read {target}: {exc.strerror or exc}") from None
    if not isinstance(data, dict):
        raise DataError(f"{target}: not a valid manifest (expected an object)")
    return data
