"""The completion cache for chat conversations and for samples: keyed on the exact message
list and the sample index, each sample drawn with its own seed, stored once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.cache import CachedBackend, CompletionCache, cache_key
from reasoning.models.base import (
    BackendError,
    Completion,
    GenerationSettings,
    sample_seed,
)

SETTINGS = GenerationSettings(max_new_tokens=8, temperature=0.7, seed=4, batch_size=2)
TURNS = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Is the sky blue?"},
    {"role": "assistant", "content": "yes"},
    {"role": "user", "content": "Are you sure?"},
]


@dataclass
class Talker:
    """A fake chat model: its answer depends on its weights, the turns and the seed; it
    records what it was asked."""

    weights: int = 0
    name: str = "talker"
    asked: list = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    fail: str | None = None

    def fingerprint(self) -> str:
        return f"talker-{self.weights}"

    def generate(self, prompts, settings):
        return self.chat([[{"role": "user", "content": p}] for p in prompts], settings)

    def chat(self, conversations, settings):
        self.asked.extend(conversations)
        self.seeds.append(settings.seed)
        return [self._answer(c, settings.seed) for c in conversations]

    def _answer(self, conversation, seed) -> Completion:
        last = conversation[-1]["content"]
        if last == self.fail:
            return Completion("", 0, 0, "error", "boom")
        return Completion(f"{len(conversation)}:{last}|w={self.weights}|s={seed}", 5, 2)


def _ask(path, model, conversations, sample=0, settings=SETTINGS):
    with CompletionCache(path) as cache:
        cached = CachedBackend(model, cache)
        outs = cached.chat(conversations, settings, sample=sample)
    return outs, cached


def test_a_conversation_is_stored_once_and_a_rerun_is_a_hit(tmp_path):
    model = Talker()
    first, cached = _ask(tmp_path / "c.sqlite", model, [TURNS, TURNS[:2], TURNS])
    assert model.asked == [TURNS, TURNS[:2]]  # the repeated conversation is generated once
    assert (cached.hits, cached.misses) == (0, 2)
    model.asked.clear()
    again, cached = _ask(tmp_path / "c.sqlite", model, [TURNS, TURNS[:2], TURNS])
    assert again == first and model.asked == []
    assert (cached.hits, cached.misses) == (3, 0)


def test_key_order_inside_a_message_does_not_matter(tmp_path):
    model = Talker()
    _ask(tmp_path / "c.sqlite", model, [TURNS])
    reordered = [{"content": m["content"], "role": m["role"]} for m in TURNS]
    _, cached = _ask(tmp_path / "c.sqlite", model, [reordered])
    assert cached.hits == 1 and len(model.asked) == 1


@pytest.mark.parametrize(
    "other",
    [
        TURNS[:3] + [{"role": "user", "content": "Are you sure? "}],
        [{**TURNS[0], "role": "user"}] + TURNS[1:],
        TURNS[1:],
        TURNS + [{"role": "user", "content": "Why?"}],
    ],
)
def test_a_different_message_list_is_a_miss(tmp_path, other):
    model = Talker()
    _ask(tmp_path / "c.sqlite", model, [TURNS])
    _, cached = _ask(tmp_path / "c.sqlite", model, [other])
    assert (cached.hits, cached.misses) == (0, 1)


def test_each_sample_index_is_its_own_entry_with_its_own_seed(tmp_path):
    model = Talker()
    outs = [_ask(tmp_path / "c.sqlite", model, [TURNS], sample=k)[0][0] for k in range(3)]
    assert model.seeds == [sample_seed(SETTINGS.seed, k) for k in range(3)]
    assert model.seeds[0] == SETTINGS.seed and len(set(model.seeds)) == 3
    assert len({o.text for o in outs}) == 3
    model.asked.clear()
    again = [_ask(tmp_path / "c.sqlite", model, [TURNS], sample=k)[0][0] for k in range(3)]
    assert again == outs and model.asked == []
    _, cached = _ask(tmp_path / "c.sqlite", model, [TURNS], sample=3)
    assert cached.misses == 1


def test_sample_zero_keeps_the_key_it_always_had(tmp_path):
    with CompletionCache(tmp_path / "c.sqlite") as cache:
        CachedBackend(Talker(), cache).generate(["hi"], SETTINGS)
        key = cache_key("talker-0", "hi", SETTINGS.key(), 0)
        assert list(cache.get_many([key])) == [key]


def test_a_fingerprint_change_is_a_miss(tmp_path):
    model = Talker()
    _ask(tmp_path / "c.sqlite", model, [TURNS])
    model.weights = 1  # e.g. pruned in place
    (out,), cached = _ask(tmp_path / "c.sqlite", model, [TURNS])
    assert cached.misses == 1 and "w=1" in out.text


def test_chat_and_generate_entries_are_apart(tmp_path):
    model = Talker()
    with CompletionCache(tmp_path / "c.sqlite") as cache:
        cached = CachedBackend(model, cache)
        cached.generate(["hi"], SETTINGS)
        cached.chat([[{"role": "user", "content": "hi"}]], SETTINGS)
        assert cached.misses == 2 and len(cache) == 2


def test_a_failed_chat_is_not_stored_and_is_retried(tmp_path):
    model = Talker(fail="Are you sure?")
    (out,), _ = _ask(tmp_path / "c.sqlite", model, [TURNS])
    assert out.finish_reason == "error"
    model.fail = None
    (out,), cached = _ask(tmp_path / "c.sqlite", model, [TURNS])
    assert out.finish_reason == "stop" and cached.misses == 1


def test_a_malformed_conversation_is_refused_before_the_model(tmp_path):
    model = Talker()
    with pytest.raises(BackendError, match="conversation 1, message 0"):
        _ask(tmp_path / "c.sqlite", model, [TURNS, [{"role": "robot", "content": "x"}]])
    assert model.asked == []


@given(
    st.lists(
        st.lists(
            st.fixed_dictionaries(
                {
                    "role": st.sampled_from(["system", "user", "assistant"]),
                    "content": st.text(max_size=8),
                }
            ),
            min_size=1,
            max_size=3,
        ),
        max_size=8,
    ),
    st.integers(0, 3),
)
def test_any_conversations_are_served_from_the_cache_the_second_time(
    tmp_path_factory, conversations, sample
):
    path = tmp_path_factory.mktemp("cache") / "c.sqlite"
    model = Talker()
    first, _ = _ask(path, model, conversations, sample=sample)
    distinct = {json.dumps(c, sort_keys=True) for c in conversations}
    assert len(model.asked) == len(distinct)
    model.asked.clear()
    again, _ = _ask(path, model, conversations, sample=sample)
    assert again == first and model.asked == []
