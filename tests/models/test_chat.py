"""Multi-turn chat and reproducible samples on the local backend (the tiny Llama, CPU)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reasoning.models import BackendError, GenerationSettings, HFBackend
from reasoning.models.base import check_conversations, sample_seed, sample_settings

TEMPLATE = (
    "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<assistant>{% endif %}"
)
TURNS = [
    {"role": "system", "content": "Answer with yes or no."},
    {"role": "user", "content": "If Alan is big, then Bob is red."},
    {"role": "assistant", "content": "Answer: yes"},
    {"role": "user", "content": "Can all of these statements be true at the same time?"},
]
PROMPTS = ["Answer: yes", "True False Unknown", "Here are some statements about people."]
SAMPLED = GenerationSettings(max_new_tokens=12, temperature=1.0, seed=11, batch_size=8)


@pytest.fixture(scope="module")
def tiny(tiny_llama):
    return HFBackend.load(str(tiny_llama), device="cpu")


@pytest.fixture(scope="module")
def templated(tiny):
    """The same model with a chat template (the tiny tokenizer has none)."""
    tokenizer = copy.deepcopy(tiny.tokenizer)
    tokenizer.chat_template = TEMPLATE
    return HFBackend(tiny.model, tokenizer, name="tiny-chat")


def _user(prompt: str) -> list[dict]:
    return [{"role": "user", "content": prompt}]


# ---------------------------------------------------------------- chat == generate
@pytest.mark.parametrize("which", ["tiny", "templated"])
@pytest.mark.parametrize("chat", [True, False])
@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_one_user_message_chat_equals_generate(request, which, chat, temperature):
    backend = request.getfixturevalue(which)
    settings = GenerationSettings(max_new_tokens=10, temperature=temperature, chat=chat, seed=3)
    expected = backend.generate(PROMPTS, settings)
    got = backend.chat([_user(p) for p in PROMPTS], settings)
    assert got == expected


def test_every_turn_reaches_the_model(templated):
    settings = GenerationSettings(max_new_tokens=8)
    (whole,) = templated.chat([TURNS], settings)
    (last,) = templated.chat([TURNS[-1:]], settings)
    text, _ = templated.render_chat(TURNS)
    assert all(f"<{m['role']}>{m['content']}" in text for m in TURNS)
    assert whole.prompt_tokens == len(templated.encode(text, True))
    assert whole.prompt_tokens > last.prompt_tokens
    (rendered,) = templated.generate_rendered([(text, True)], settings)
    assert whole == rendered


def test_without_a_template_the_turns_are_joined(tiny):
    settings = GenerationSettings(max_new_tokens=8)
    joined = "\n\n".join(m["content"] for m in TURNS)
    assert tiny.chat([TURNS], settings) == tiny.generate([joined], settings)


# ---------------------------------------------------------------- bad conversations
@pytest.mark.parametrize(
    "conversations, message",
    [
        ("hello", "list of conversations"),
        ([[]], "conversation 0: has no messages"),
        ([_user("hi"), [{"role": "robot", "content": "hi"}]], "conversation 1, message 0: role"),
        ([[{"role": "user", "content": None}]], "content must be a string"),
        ([[{"role": "user"}]], "content must be a string"),
        ([[{"role": "user", "content": "hi", "name": "x"}]], "unknown key 'name'"),
        ([{"role": "user", "content": "hi"}], "chat takes a list of conversations"),
        ([["hi"]], "must be a dict"),
    ],
)
def test_a_malformed_conversation_is_one_line_before_any_generation(tiny, conversations, message):
    asked = []

    class Watched(HFBackend):
        def generate_rendered(self, rendered, settings):
            asked.append(rendered)
            return super().generate_rendered(rendered, settings)

    watched = Watched(tiny.model, tiny.tokenizer)
    with pytest.raises(BackendError) as info:
        watched.chat(conversations, GenerationSettings(max_new_tokens=2))
    assert message in str(info.value) and "\n" not in str(info.value)
    assert asked == []


def test_a_conversation_the_template_refuses_is_an_item_error(tiny):
    tokenizer = copy.deepcopy(tiny.tokenizer)
    tokenizer.chat_template = (
        "{% for m in messages %}{% if m['role'] == 'system' %}"
        "{{ raise_exception('no system turns\nhere') }}{% endif %}"
        "{{ m['content'] }}\n{% endfor %}"
    )
    strict = HFBackend(tiny.model, tokenizer)
    refused, fine = strict.chat([TURNS, TURNS[1:]], GenerationSettings(max_new_tokens=3))
    assert refused.finish_reason == "error" and "no system turns here" in refused.error
    assert fine.finish_reason in ("stop", "length") and fine.error is None


def test_a_conversation_too_long_for_the_model_is_an_item_error(tiny):
    long = [{"role": "user", "content": "Answer: yes " * 2000}]
    too_long, fine = tiny.chat([long, _user("hi")], GenerationSettings(max_new_tokens=3))
    assert too_long.finish_reason == "error" and "positions" in too_long.error
    assert fine.finish_reason != "error"


def test_check_conversations_keeps_role_and_content_only_in_that_shape():
    assert check_conversations([[{"content": "x", "role": "user"}]]) == [_user("x")]


# ---------------------------------------------------------------- samples
def test_a_sample_is_reproducible_from_its_seed(tiny, tiny_llama):
    first = tiny.generate(PROMPTS, SAMPLED)
    again = HFBackend.load(str(tiny_llama), device="cpu").generate(PROMPTS, SAMPLED)
    assert first == again


def test_sample_indices_draw_different_texts(tiny):
    drawn = [tiny.chat([_user(PROMPTS[0])], sample_settings(SAMPLED, k))[0].text for k in range(4)]
    assert len(set(drawn)) > 1
    assert drawn[0] == tiny.generate(PROMPTS[:1], SAMPLED)[0].text  # sample 0: the seed itself


def test_a_sample_does_not_depend_on_the_prompts_beside_it(tiny):
    same_length = ["Answer: yes", "Answer: no"]
    assert len({len(tiny.encode(p, False)) for p in same_length}) == 1
    alone = [tiny.generate([p], SAMPLED)[0] for p in same_length]
    assert tiny.generate(same_length, SAMPLED) == alone


def test_greedy_ignores_sample_seeds(tiny):
    greedy = GenerationSettings(max_new_tokens=8, seed=5)
    assert all(sample_settings(greedy, k) is greedy for k in range(5))
    outs = [tiny.generate(PROMPTS[:1], sample_settings(greedy, k)) for k in range(3)]
    assert outs[0] == outs[1] == outs[2]


@given(seed=st.integers(-(2**63), 2**64 - 1), sample=st.integers(1, 10_000))
def test_a_sample_seed_is_a_hash_of_seed_and_index(seed, sample):
    derived = sample_seed(seed, sample)
    assert derived == sample_seed(seed, sample)
    assert 0 <= derived < 2**31
    assert sample_seed(seed, 0) == seed
    settings = sample_settings(GenerationSettings(temperature=0.5, seed=seed), sample)
    assert settings.seed == derived and settings.temperature == 0.5


def test_sample_seeds_do_not_collide_as_seed_plus_index():
    assert sample_seed(1, 2) != sample_seed(2, 1)
    assert len({sample_seed(s, k) for s in range(20) for k in range(1, 20)}) == 20 * 19


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_a_bad_sample_index_is_a_clear_error(bad):
    with pytest.raises(BackendError, match="sample index"):
        sample_settings(SAMPLED, bad)


# ---------------------------------------------------------------- through the harness cache
def test_samples_of_a_chat_come_back_from_the_cache(tmp_path, tiny):
    from evals.cache import CachedBackend, CompletionCache

    fresh = [tiny.chat([TURNS], sample_settings(SAMPLED, k))[0] for k in range(2)]
    for _ in range(2):  # stored, then served
        with CompletionCache(tmp_path / "c.sqlite") as cache:
            cached = CachedBackend(tiny, cache)
            got = [cached.chat([TURNS], SAMPLED, sample=k)[0] for k in range(2)]
        assert got == fresh
    assert cached.hits == 2 and cached.misses == 0
