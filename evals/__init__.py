"""Evaluation harness: full vs pruned models on the same instances (a later issue)."""
