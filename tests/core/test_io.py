from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reasoning.core import DataError, Instance, read_jsonl, write_jsonl
from reasoning.core.io import manifest_path, read_manifest, sha256_file

json_scalar = st.none() | st.booleans() | st.integers(-(10**9), 10**9) | st.text(max_size=20)
json_value = st.recursive(
    json_scalar,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
instances = st.builds(
    Instance,
    id=st.uuids().map(str),
    family=st.sampled_from(["nlsat", "x"]),
    prompt=st.text(),
    answer=json_value,
    hardness=st.dictionaries(st.text(max_size=8), json_scalar, max_size=4),
    meta=st.dictionaries(st.text(max_size=8), json_value, max_size=4),
)


@given(st.lists(instances, max_size=5, unique_by=lambda i: i.id))
def test_write_then_read_gives_the_same_instances(tmp_path_factory, items):
    path = tmp_path_factory.mktemp("io") / "items.jsonl"
    digest = write_jsonl(items, path)
    assert read_jsonl(path) == items
    assert digest == sha256_file(path)


def test_bytes_do_not_depend_on_dict_insertion_order(tmp_path):
    a = Instance("1", "x", "p", {"b": 1, "a": 2}, {"k": 1, "j": 2}, {"z": {"y": 1, "x": 2}})
    b = Instance("1", "x", "p", {"a": 2, "b": 1}, {"j": 2, "k": 1}, {"z": {"x": 2, "y": 1}})
    write_jsonl([a], tmp_path / "a.jsonl")
    write_jsonl([b], tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


@pytest.mark.parametrize(
    "content, pattern",
    [
        ('{"id": "1"}\n', r":1: missing field\(s\) family, prompt, answer, hardness, meta"),
        ("[1, 2]\n", ":1: expected a JSON object"),
        (
            '{"id": 1, "family": "x", "prompt": "p", "answer": 1, "hardness": {}, "meta": {}}\n',
            "'id' must be a string",
        ),
        ("\n\n{oops\n", ":3: not valid JSON"),
    ],
)
def test_malformed_lines_are_named(tmp_path, content, pattern):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DataError, match=pattern):
        read_jsonl(path)


def test_duplicate_ids_and_missing_file_are_errors(tmp_path):
    line = json.dumps(
        {"id": "a", "family": "x", "prompt": "", "answer": 0, "hardness": {}, "meta": {}}
    )
    path = tmp_path / "dup.jsonl"
    path.write_text(line + "\n" + line + "\n")
    with pytest.raises(DataError, match="duplicate id 'a'"):
        read_jsonl(path)
    with pytest.raises(DataError, match="cannot read"):
        read_jsonl(tmp_path / "absent.jsonl")


def test_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("old\n")

    def broken():
        yield Instance("1", "x", "p", 1, {}, {})
        raise RuntimeError("generator died")

    with pytest.raises(RuntimeError):
        write_jsonl(broken(), path)
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deeply_nested_json_is_a_data_error_naming_the_line(opener, tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("\n" + opener * 200_000 + "\n")  # line 1 blank
    with pytest.raises(DataError, match=r"deep\.jsonl:2: JSON nested too deeply"):
        read_jsonl(path)


def test_a_deeply_nested_manifest_is_a_data_error(tmp_path):
    path = tmp_path / "items.jsonl"
    write_jsonl([], path)
    manifest_path(path).write_text("[" * 200_000)
    with pytest.raises(DataError, match="nested too deeply"):
        read_manifest(path)
