"""Closed vocabularies shared by the English renderers: people and one-word properties.

Words are lowercase adjectives that never collide with the grammar's keywords
(if, then, and, is, not, who, everyone, nobody).
"""

from __future__ import annotations

PEOPLE: tuple[str, ...] = (
    "Alan", "Bob", "Carl", "Dave", "Erin", "Fiona", "Gary", "Harry", "Iris", "Jack",
    "Kate", "Liam", "Mona", "Nina", "Oscar", "Paula", "Quinn", "Rosa", "Sam", "Tina",
    "Uma", "Victor", "Wendy", "Xavier", "Yara", "Zack", "Anne", "Boris", "Clara", "Dylan",
    "Ella", "Frank", "Greta", "Hugo", "Ivan", "Julia", "Kurt", "Lena", "Marco", "Nora",
)  # fmt: skip

PROPERTIES: tuple[str, ...] = (
    "big", "red", "kind", "young", "rough", "smart", "quiet", "round", "cold", "blue",
    "green", "white", "furry", "nice", "tall", "short", "happy", "sad", "calm", "brave",
    "shy", "loud", "rich", "poor", "wise", "bold", "proud", "humble", "gentle", "fierce",
    "clever", "honest", "lazy", "busy", "eager", "fair", "funny", "grumpy", "jolly", "keen",
    "lucky", "neat", "odd", "polite", "quick", "rude", "sharp", "silly", "slow", "strong",
    "sweet", "thin", "tidy", "tough", "warm", "weak", "wild", "witty", "zany", "agile",
    "brisk", "cheerful", "daring", "earnest", "frugal", "generous", "hasty", "idle", "jovial",
    "loyal", "modest", "noble", "patient", "quirky", "serene", "timid", "upbeat", "vivid",
)  # fmt: skip
