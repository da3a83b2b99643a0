"""Held-out accuracy by family x hardness through the family verifiers (strict, greedy):
what training reports as it goes and what `training.json` records at the end."""

from __future__ import annotations

from typing import Any

from reasoning.api import verify
from reasoning.core import Instance
from reasoning.models.base import GenerationSettings

# new tokens a greedy answer needs ("Answer: yes" is 4 tokens; a KGQA answer lists names)
# (worked answers: an NLSat table of up to 16 assignments, a LogicAsker rule named)
ANSWER_TOKENS = {"logicasker": 64, "nlsat": 320, "fol": 8, "kgqa": 40, "pbe": 64}


def cell_name(family: str, knobs: dict[str, Any]) -> str:
    """'nlsat n_vars=4' — the row label of a held-out cell."""
    return " ".join([family] + [f"{k}={v}" for k, v in knobs.items()])


def accuracy_table(
    backend,
    cells: list[tuple[str, dict[str, Any], list[Instance]]],
    batch_size: int = 16,
    max_new_tokens: int | None = None,
    prompts: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per cell: family, knobs, n, correct, accuracy, answered (the share whose
    response parsed), mean completion tokens, from greedy completions scored by
    `reasoning.verify`. `max_new_tokens` overrides the per-family ANSWER_TOKENS; `prompts`
    (item id -> text) replaces what the model is sent (k-shot prompts)."""
    rows = []
    prompts = prompts or {}
    for family, knobs, items in cells:
        settings = GenerationSettings(
            max_new_tokens=max_new_tokens or ANSWER_TOKENS.get(family, 32), batch_size=batch_size
        )
        completions = backend.generate([prompts.get(it.id, it.prompt) for it in items], settings)
        verdicts = [verify(it, c.text) for it, c in zip(items, completions, strict=True)]
        correct = sum(v.correct for v in verdicts)
        rows.append(
            {
                "family": family,
                "knobs": knobs,
                "cell": cell_name(family, knobs),
                "n": len(items),
                "correct": correct,
                "accuracy": correct / len(items) if items else 0.0,
                "answered": sum(v.answered for v in verdicts) / len(items) if items else 0.0,
                "completion_tokens": (
                    sum(c.completion_tokens for c in completions) / len(items) if items else 0.0
                ),
            }
        )
    return rows


def format_table(rows: list[dict[str, Any]], columns: dict[str, list[float]] | None = None) -> str:
    """A Markdown table: cell, n, accuracy (and extra accuracy columns by name)."""
    columns = columns or {}
    head = "| cell | n | accuracy |" + "".join(f" {name} |" for name in columns)
    rule = "|---|---|---|" + "---|" * len(columns)
    lines = [head, rule]
    for i, row in enumerate(rows):
        extra = "".join(f" {100 * columns[c][i]:.1f} % |" for c in columns)
        lines.append(f"| {row['cell']} | {row['n']} | {100 * row['accuracy']:.1f} % |{extra}")
    return "\n".join(lines)
