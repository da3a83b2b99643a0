from __future__ import annotations

import json

import pyarrow.parquet as pq

from reasoning.cli import main


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_hf_datasets_reads_the_same_rows_from_jsonl_and_parquet(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    out = tmp_path / "items.jsonl"
    assert (
        main(
            [
                "generate",
                "nlsat",
                "-n",
                "4",
                "--set",
                "grammar=rules,relative",
                "--set",
                "n_vars=5",
                "-o",
                str(out),
                "--format",
                "parquet",
                "-q",
            ]
        )
        == 0
    )
    import datasets

    expected = _rows(out)
    from_json = datasets.load_dataset("json", data_files=str(out), split="train")
    from_parquet = datasets.load_dataset(
        "parquet", data_files=str(out.with_suffix(".parquet")), split="train"
    )
    assert from_json.to_list() == expected
    assert from_parquet.to_list() == expected
    assert pq.read_table(out.with_suffix(".parquet")).num_rows == 8


def test_parquet_export_is_deterministic(tmp_path):
    for name in ("a", "b"):
        assert (
            main(
                [
                    "generate",
                    "nlsat",
                    "-n",
                    "3",
                    "--seed",
                    "9",
                    "-o",
                    str(tmp_path / f"{name}.jsonl"),
                    "--format",
                    "parquet",
                    "-q",
                ]
            )
            == 0
        )
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
