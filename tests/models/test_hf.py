from __future__ import annotations

import pytest
import torch

from reasoning.models import BackendError, GenerationSettings, HFBackend

PROMPTS = [
    "Answer: yes",
    "Answer: no",
    "If Alan is big, then Bob is red.",
    "Here are some statements about people.",
    "True False Unknown",
    "Answer: yes",
    "Can all of these statements be true at the same time?",
]


@pytest.fixture(scope="module")
def tiny(tiny_llama):
    return HFBackend.load(str(tiny_llama), device="cpu")


def test_greedy_does_not_depend_on_batch_size(tiny):
    runs = [
        tiny.generate(PROMPTS, GenerationSettings(max_new_tokens=12, batch_size=b, chat=False))
        for b in (1, 2, 8)
    ]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0][0] == runs[0][5]  # the same prompt twice gives the same completion


def test_token_counts_and_finish_reasons(tiny):
    (out,) = tiny.generate(["Answer: yes"], GenerationSettings(max_new_tokens=5, chat=False))
    assert out.prompt_tokens == len(tiny.encode("Answer: yes", False))
    assert out.completion_tokens <= 5
    assert out.finish_reason == ("length" if out.completion_tokens == 5 else "stop")


def test_stop_strings_cut_the_text(tiny):
    settings = GenerationSettings(max_new_tokens=24, chat=False)
    (full,) = tiny.generate(["Here are some"], settings)
    stop = full.text[len(full.text) // 2 : len(full.text) // 2 + 2]
    if not stop.strip():
        stop = full.text.strip()[-2:]
    (cut,) = tiny.generate(
        ["Here are some"], GenerationSettings(max_new_tokens=24, chat=False, stop=(stop,))
    )
    assert stop not in cut.text and full.text.startswith(cut.text)
    assert cut.finish_reason == "stop"


def test_loglikelihood_prefers_the_greedy_next_token(tiny):
    prompt = "Answer:"
    ids = tiny.encode(prompt, False)
    with torch.inference_mode():
        logits = tiny.model(torch.tensor([ids])).logits[0, -1]
    ranked = torch.argsort(logits, descending=True).tolist()

    def clean(t: int) -> bool:  # tokens that re-encode to themselves after the prompt
        piece = tiny.tokenizer.decode([t])
        return bool(piece) and tiny.encode(prompt + piece, False)[len(ids) :] == [t]

    usable = [t for t in ranked if clean(t)]
    assert len(usable) >= 2
    best, worse = usable[0], usable[-1]
    assert logits[best] > logits[worse]
    pieces = [tiny.tokenizer.decode([t]) for t in (best, worse)]
    scores = tiny.loglikelihood(prompt, pieces, GenerationSettings(chat=False))
    assert scores[0] > scores[1] and all(s <= 0 for s in scores)


def test_fingerprint_tracks_the_weights(tiny_llama, tiny):
    again = HFBackend.load(str(tiny_llama), device="cpu")
    assert again.fingerprint() == tiny.fingerprint()
    with torch.no_grad():
        next(again.model.parameters()).view(-1)[0] = 0.0
    # no reset: asked again after an in-place change (as `prune` makes), it must differ
    assert again.fingerprint() != tiny.fingerprint()


def test_prompt_longer_than_the_model_is_an_item_error(tiny_llama):
    backend = HFBackend.load(str(tiny_llama), device="cpu")
    backend.model.config.max_position_embeddings = 8
    outs = backend.generate(
        ["short", "a much longer prompt " * 5], GenerationSettings(max_new_tokens=4, chat=False)
    )
    assert outs[1].finish_reason == "error" and "positions" in outs[1].error


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(BackendError, match="cannot load model"):
        HFBackend.load(str(tmp_path / "nowhere"))
    with pytest.raises(BackendError, match="dtype"):
        HFBackend.load(str(tmp_path), dtype="float8")


def test_gpt2_style_models_work_too(tiny_gpt2):
    backend = HFBackend.load(str(tiny_gpt2), device="cpu")
    a = backend.generate(PROMPTS, GenerationSettings(max_new_tokens=6, batch_size=1, chat=False))
    b = backend.generate(PROMPTS, GenerationSettings(max_new_tokens=6, batch_size=4, chat=False))
    assert a == b


def test_embedded_smollm2_answers_with_its_chat_template(smollm2):
    settings = GenerationSettings(max_new_tokens=8)
    a = smollm2.generate(["Is the sky blue? Answer yes or no.", "Name a color."], settings)
    b = smollm2.generate(["Is the sky blue? Answer yes or no.", "Name a color."],
                         GenerationSettings(max_new_tokens=8, batch_size=1))  # fmt: skip
    assert a == b and all(c.text.strip() for c in a)
    scores = smollm2.loglikelihood("Is the sky blue? Answer yes or no.", ["Yes", "No"])
    assert all(s < 0 for s in scores) and sum(2.718281828**s for s in scores) <= 1.0
    # greedy decoding picks the first token the log-likelihoods rank higher
    first = a[0].text.strip().split()[0].strip(".,!")
    if first in ("Yes", "No"):
        assert first == ("Yes" if scores[0] > scores[1] else "No")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_greedy_matches_cpu(tiny_llama):
    settings = GenerationSettings(max_new_tokens=8, chat=False, batch_size=4)
    cpu = HFBackend.load(str(tiny_llama), device="cpu").generate(PROMPTS, settings)
    gpu = HFBackend.load(str(tiny_llama), device="cuda", dtype="float32").generate(
        PROMPTS, settings
    )
    assert [g.text for g in gpu] == [c.text for c in cpu]
