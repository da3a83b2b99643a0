"""Evals fixtures: the shared tiny model (tests/models); a counter of pruning calls."""

import pytest

import reasoning.prune
from tests.models.conftest import tiny_llama  # noqa: F401  (shared fixture)


@pytest.fixture
def pruned(monkeypatch) -> list[str]:
    """The methods `reasoning.prune.prune` was called with, in order."""
    calls: list[str] = []
    original = reasoning.prune.prune

    def counted(model, method, *args, **kwargs):
        calls.append(method)
        return original(model, method, *args, **kwargs)

    monkeypatch.setattr(reasoning.prune, "prune", counted)
    return calls
