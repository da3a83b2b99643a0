"""Columnar export of an instance file: Parquet, loadable with pandas, pyarrow or
`datasets.load_dataset("parquet", data_files=...)`. The JSONL file stays the source of truth.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FORMATS = ("jsonl", "parquet")


def write_parquet(jsonl_path: str | os.PathLike[str]) -> Path:
    """Write `<stem>.parquet` beside a JSONL file with the same rows; return its path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = Path(jsonl_path)
    with src.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    target = src.with_suffix(".parquet")
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, target)
    return target
