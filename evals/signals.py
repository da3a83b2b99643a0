"""Secondary signals of a compressed variant: how far its next-token distributions moved
from dense on the evaluation prompts (token-level KL), and its perplexity on held-out text.

Both need logits, so only local HF variants get them; a remote (OpenAI-compatible)
variant gets `null` with the reason. They are what a perplexity-only evaluation would
report; the report sets them beside the accuracy drop to show where they understate it.

Memory: dense log-probabilities are never stored across texts. The harness keeps the
dense model loaded while it scores each variant (one extra model in memory, the same
size as the variant), and each text is scored one at a time: at most two [L, V] float32
log-probability tensors are alive (L <= max_tokens positions, V the vocabulary), ~200 MB
for 512 tokens of a 49k vocabulary. Cost per variant: two forward passes per KL text
(dense and variant) and one per held-out text. One text at a time means no padding, so a
text's numbers do not depend on which texts it is scored with.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import torch

from reasoning.api import generate
from reasoning.core import Instance, ReasoningError
from reasoning.core.seeds import check_disjoint, heldout_seed
from reasoning.models.base import GenerationSettings
from reasoning.models.hf import HFBackend
from reasoning.prune.calibration import item_text

SIGNAL_TEXTS = 32  # evaluation prompts for KL, and as many held-out texts for perplexity
MAX_TOKENS = 512  # each text is cut to its first MAX_TOKENS tokens


def spread(items: Sequence[Instance], n: int) -> list[Instance]:
    """n items taken evenly across `items` (all of them when n >= len(items)), in order,
    so every family and hardness level of a run is represented.

    >>> spread(list(range(10)), 3)
    [0, 3, 6]
    """
    if n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def heldout_items(items: Sequence[Instance], n: int = SIGNAL_TEXTS) -> list[Instance]:
    """n held-out twins of evaluation items: twin j has the family and knobs of the j-th
    of `spread(items, n)` and is drawn with `heldout_seed(j)` (the family's defaults when
    those knobs cannot be rebuilt), so it is never an evaluation, calibration or training
    item; checked by id against `items`."""
    twins = []
    for j, item in enumerate(spread(items, n)):
        try:
            twins += generate(item.family, 1, heldout_seed(j), **item.hardness)
        except (ReasoningError, TypeError):
            twins += generate(item.family, 1, heldout_seed(j))
    check_disjoint([i.id for i in items], [t.id for t in twins], "held-out")
    return twins


def is_local(backend: object) -> bool:
    """Whether the backend has local logits (an HF model)."""
    return isinstance(backend, HFBackend)


def _cap(backend: HFBackend, max_tokens: int) -> int:
    limit = getattr(backend.model.config, "max_position_embeddings", None) or max_tokens
    return max(1, min(max_tokens, limit))


def prompt_ids(
    backend: HFBackend, prompts: Sequence[str], settings: GenerationSettings, max_tokens: int
) -> list[list[int]]:
    """Each prompt as the runner feeds it (`render`, then `encode`), first tokens kept."""
    cap = _cap(backend, max_tokens)
    return [backend.encode(*backend.render(p, settings))[:cap] for p in prompts]


def log_probs(backend: HFBackend, ids: list[int]) -> torch.Tensor:
    """[len(ids), V] float32 next-token log-probabilities at every position of one text."""
    batch = torch.tensor([ids], device=backend.device)
    with torch.inference_mode():
        logits = backend.model(batch).logits[0]
    return torch.log_softmax(logits.float(), dim=-1)


def kl_per_position(dense: torch.Tensor, variant: torch.Tensor) -> torch.Tensor:
    """KL(dense || variant) in nats at each position, from [L, V] log-probabilities;
    tokens dense gives no mass contribute 0."""
    p = dense.exp()
    terms = torch.where(p > 0, p * (dense - variant), torch.zeros_like(p))
    return terms.sum(dim=-1)


def token_kl(
    dense_backend: HFBackend,
    variant_backend: HFBackend,
    texts: Sequence[str],
    max_tokens: int = MAX_TOKENS,
    settings: GenerationSettings | None = None,
) -> dict:
    """KL(dense || variant) of the next-token distributions at every position of each
    prompt, rendered as the runner renders it (`settings`, default GenerationSettings()),
    cut to `max_tokens`. Returns {"mean": over all positions, "per_text": mean per text,
    "tokens", "n_texts", "max_tokens"}. ValueError when the two tokenizers disagree on a
    prompt or the vocabularies differ (no position-wise comparison then)."""
    settings = settings or GenerationSettings()
    dense_ids = prompt_ids(dense_backend, texts, settings, max_tokens)
    variant_ids = prompt_ids(variant_backend, texts, settings, max_tokens)
    if dense_ids != variant_ids:
        raise ValueError("the variant's tokenizer reads the prompts differently from dense's")
    total, count, per_text = 0.0, 0, []
    for ids in dense_ids:
        if not ids:
            continue
        variant = log_probs(variant_backend, ids)
        dense = log_probs(dense_backend, ids).to(variant.device)
        if dense.shape != variant.shape:
            raise ValueError(f"vocabularies differ: {dense.shape[-1]} vs {variant.shape[-1]}")
        kl = kl_per_position(dense, variant).double()
        total, count = total + float(kl.sum()), count + len(ids)
        per_text.append(_round(float(kl.mean())))
    return {
        "mean": _round(total / count) if count else None,
        "per_text": per_text,
        "tokens": count,
        "n_texts": len(per_text),
        "max_tokens": max_tokens,
    }


def negative_log_likelihood(
    backend: HFBackend, texts: Sequence[str], max_tokens: int = MAX_TOKENS
) -> tuple[float, int]:
    """(sum of -log p(token | tokens before it), number of tokens predicted) over the
    texts, each tokenized as plain text (special tokens as the tokenizer adds them) and
    cut to `max_tokens`; a text's first token is context only."""
    cap = _cap(backend, max_tokens)
    total, count = 0.0, 0
    for text in texts:
        ids = backend.encode(text, False)[:cap]
        if len(ids) < 2:
            continue
        logp = log_probs(backend, ids)[:-1]
        target = torch.tensor(ids[1:], device=logp.device)
        total -= float(logp.gather(1, target[:, None]).double().sum())
        count += len(ids) - 1
    return total, count


def perplexity(backend: HFBackend, texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> float:
    """exp(mean negative log-likelihood per predicted token) over all the texts; ValueError
    when no text has two tokens."""
    total, count = negative_log_likelihood(backend, texts, max_tokens)
    if not count:
        raise ValueError("no text has a token to predict")
    return math.exp(total / count)


def signals_for(
    variant_backend: object,
    dense_backend: object | None,
    items: Sequence[Instance],
    n_texts: int = SIGNAL_TEXTS,
    settings: GenerationSettings | None = None,
    max_tokens: int = MAX_TOKENS,
) -> dict:
    """One variant's `signals` entry of results.json: {"kl": token_kl on `spread(items,
    n_texts)`'s prompts or None, "perplexity": {"value", "mean_nll", "tokens", "n_texts",
    "ids_sha256"} on `heldout_items(items, n_texts)` or None, "reasons": {signal: why it
    is None}}. Dense itself (the same backend object) gets no KL: it is the reference."""
    reasons: dict[str, str] = {}
    if not is_local(variant_backend):
        reason = "remote (OpenAI-compatible) variant: no local logits"
        return {"kl": None, "perplexity": None, "reasons": {"kl": reason, "perplexity": reason}}
    kl = None
    if variant_backend is dense_backend:
        reasons["kl"] = "dense is the reference"
    elif not is_local(dense_backend):
        reasons["kl"] = "dense is not a local model: no reference logits"
    else:
        prompts = [item.prompt for item in spread(items, n_texts)]
        kl = _guarded(reasons, "kl", token_kl, dense_backend, variant_backend, prompts,
                      max_tokens, settings)  # fmt: skip
    heldout = heldout_items(items, n_texts)
    texts = [item_text(item) for item in heldout]
    nll = _guarded(reasons, "perplexity", negative_log_likelihood, variant_backend, texts,
                   max_tokens)  # fmt: skip
    ppl = None
    if nll is not None and nll[1]:
        ppl = {
            "value": _round(math.exp(nll[0] / nll[1])),
            "mean_nll": _round(nll[0] / nll[1]),
            "tokens": nll[1],
            "n_texts": len(texts),
            "ids_sha256": hashlib.sha256("\n".join(i.id for i in heldout).encode()).hexdigest(),
        }
    elif nll is not None:
        reasons["perplexity"] = "no held-out text has a token to predict"
    return {"kl": kl, "perplexity": ppl, "reasons": reasons}


def _guarded(reasons: dict, name: str, fn, *args):
    """fn(*args), or None with the reason recorded (e.g. out of memory) so one failing
    signal does not lose a finished evaluation."""
    try:
        return fn(*args)
    except (RuntimeError, ValueError) as exc:
        reasons[name] = f"{type(exc).__name__}: {str(exc)[:200]}"
        return None


def _round(value: float) -> float:
    return float(f"{value:.6g}")
