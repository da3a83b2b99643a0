"""Evals fixtures: the shared tiny model (tests/models)."""

from tests.models.conftest import tiny_llama  # noqa: F401  (shared fixture)
