"""A cache hit never crosses fingerprints: prune a real model in place, ask again, miss."""

from __future__ import annotations

from evals.cache import CachedBackend, CompletionCache
from reasoning.models import GenerationSettings, HFBackend
from reasoning.prune import prune


class Counting:
    """Wraps a backend and records every prompt that reaches the model."""

    def __init__(self, backend):
        self.backend, self.name, self.asked = backend, backend.name, []

    def fingerprint(self):
        return self.backend.fingerprint()

    def generate(self, prompts, settings):
        self.asked.extend(prompts)
        return self.backend.generate(prompts, settings)


def test_pruning_in_place_turns_every_hit_into_a_miss(tiny_llama, tmp_path):
    backend = HFBackend.load(str(tiny_llama), device="cpu")
    model = Counting(backend)
    prompts = ["Is 7 prime?", "Answer: yes or no", "Is 7 prime?"]
    settings = GenerationSettings(max_new_tokens=6, batch_size=2)
    with CompletionCache(tmp_path / "c.sqlite") as cache:
        cached = CachedBackend(model, cache)
        dense = cached.generate(prompts, settings)
        dense_fingerprint = backend.fingerprint()
        assert len(model.asked) == 2  # the repeated prompt is asked once
        cached.generate(prompts, settings)
        assert len(model.asked) == 2  # all hits
        prune(backend.model, "magnitude", 0.9)  # in place: same object, new weights
        assert backend.fingerprint() != dense_fingerprint
        pruned = cached.generate(prompts, settings)
        assert len(model.asked) == 4  # every prompt missed after pruning
        assert len(cache) == 4
    assert pruned[0] == backend.generate([prompts[0]], settings)[0]
    assert dense[0] == dense[2]
