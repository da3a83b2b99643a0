"""Item seeds and ids: the hash of the compact, key-sorted JSON of (family, knobs, seed,
index). Ids are cited by users, so the memoised fast path must give the same bytes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Knobless:
    def validate(self) -> None:
        pass


@given(st.integers(0, 600), st.integers(0, 50), st.integers(1, 300), st.booleans())
def test_batches_cover_the_range_in_order_and_leave_the_collector_as_found(n, start, size, on):
    """generate_batches asks for every index once, in order, in batches of at most `size`;
    the cyclic collector is off inside a batch and as it was found afterwards, also when a
    batch raises."""
    import gc

    from reasoning.core.family import generate_batches

    seen, states = [], []

    def make_batch(config, knobs, seed, indices):
        states.append(gc.isenabled())
        assert 0 < len(indices) <= size
        seen.extend(indices)
        return list(indices)

    before = gc.isenabled()
    try:
        gc.enable() if on else gc.disable()
        out = list(generate_batches(_Knobless(), 0, n, make_batch, start, size))
        assert out == seen == list(range(start, start + n))
        assert not any(states) and gc.isenabled() == on

        def failing(config, knobs, seed, indices):
            raise RuntimeError("boom")

        try:
            list(generate_batches(_Knobless(), 0, max(n, 1), failing, start, size))
        except RuntimeError:
            pass
        assert gc.isenabled() == on
    finally:
        gc.enable() if before else gc.disable()


def test_a_verdict_tells_no_answer_from_a_wrong_answer():
    from reasoning.core import Verdict

    assert not Verdict.unparsed("no final answer found").answered
    wrong = Verdict(False, 0.0, {"answer": "no"}, "incorrect")
    assert wrong.answered and not wrong.correct
