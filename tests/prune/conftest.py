from tests.models.conftest import smollm2, tiny_gpt2, tiny_llama  # noqa: F401  (shared fixtures)
