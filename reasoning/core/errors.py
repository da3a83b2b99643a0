"""Errors a user can cause. The CLI turns each into one line and exit code 2."""

from __future__ import annotations


class ReasoningError(ValueError):
    """Base class for user-caused errors (bad knob, malformed file, unknown family)."""


class ConfigError(ReasoningError):
    """A knob has an unknown name, a value of the wrong type, or a value out of range."""


class UnknownFamilyError(ReasoningError):
    """No family is registered under the requested name."""


class DataError(ReasoningError):
    """A file could not be read as the suite's JSONL / manifest format."""


class GenerationError(ReasoningError):
    """The knobs are valid but the generator cannot meet them (e.g. an unreachable label share)."""


class OutputError(ReasoningError):
    """An output path is unusable: empty, a directory, not a regular file, or an input."""
