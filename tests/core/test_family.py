"""Item seeds and ids: the hash of the compact, key-sorted JSON of (family, knobs, seed,
index). Ids are cited by users, so the memoised fast path must give the same bytes."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from reasoning.core.family import _digest, instance_id, item_rng

scalars = st.one_of(
    st.integers(-(10**12), 10**12), st.floats(allow_nan=False), st.text(max_size=8), st.booleans()
)
knob_dicts = st.dictionaries(
    st.text(min_size=1, max_size=8), st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=6
)


@given(st.text(min_size=1, max_size=10), knob_dicts, st.integers(0, 2**63), st.integers(0, 10**9))
def test_digest_is_the_hash_of_the_json_key(family, knobs, seed, index):
    key = json.dumps([family, knobs, seed, index], sort_keys=True, separators=(",", ":"))
    assert _digest(family, knobs, seed, index) == hashlib.sha256(key.encode()).digest()


@given(knob_dicts, st.integers(0, 1000), st.integers(0, 1000))
def test_items_of_one_run_differ_and_repeat(knobs, a, b):
    same = instance_id("f", knobs, 0, a) == instance_id("f", knobs, 0, b)
    assert same == (a == b)
    assert item_rng("f", knobs, 0, a).random() == item_rng("f", knobs, 0, a).random()
