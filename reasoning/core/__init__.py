"""The contract: instance/verdict types, knobs, family shape, JSONL I/O, answer extraction.

Imports nothing from the other project packages.
"""

from reasoning.core.answers import answer_hint, extract_choice, fenced_blocks
from reasoning.core.errors import (
    ConfigError,
    DataError,
    GenerationError,
    OutputError,
    ReasoningError,
    UnknownFamilyError,
)
from reasoning.core.family import (
    Family,
    generate_batches,
    generate_items,
    instance_id,
    item_rng,
    wants_yes,
)
from reasoning.core.io import read_jsonl, write_jsonl
from reasoning.core.knobs import build_config, check_knobs, knob, knob_table, knob_values
from reasoning.core.types import CORRECT, INCORRECT, Instance, Verdict

__all__ = [
    "CORRECT",
    "INCORRECT",
    "ConfigError",
    "DataError",
    "Family",
    "GenerationError",
    "Instance",
    "OutputError",
    "ReasoningError",
    "UnknownFamilyError",
    "Verdict",
    "answer_hint",
    "build_config",
    "check_knobs",
    "extract_choice",
    "fenced_blocks",
    "generate_batches",
    "generate_items",
    "instance_id",
    "item_rng",
    "knob",
    "knob_table",
    "knob_values",
    "read_jsonl",
    "wants_yes",
    "write_jsonl",
]
