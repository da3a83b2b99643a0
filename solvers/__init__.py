"""Solver-facing code with no knowledge of prompts. Imports nothing from the project."""
