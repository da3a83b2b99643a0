"""Columnar export of an instance file: Parquet, loadable with pandas, pyarrow or
`datasets.load_dataset("parquet", data_files=...)`. The JSONL file stays the source of truth.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FORMATS = ("jsonl", "parquet")


def parquet_path(jsonl_path: str | os.PathLike[str]) -> Path:
    """Where the Parquet copy of a JSONL file goes: `<stem>.parquet` beside it."""
    return Path(jsonl_path).with_suffix(".parquet")


def write_parquet(
    jsonl_path: str | os.PathLike[str], target: str | os.PathLike[str] | None = None
) -> Path:
    """Write the rows of a JSONL file as Parquet to `target` (default `parquet_path`);
    return the path written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = Path(jsonl_path)
    with src.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    out = Path(target) if target is not None else parquet_path(src)
    pq.write_table(pa.Table.from_pylist(rows), str(out))
    return out
