"""The one explicit registry of task families: name -> where its `FAMILY` lives.

Lazy (a family's module is imported only when asked for), so `reasoning --help` stays fast
and the contract package never imports the generators at import time.
"""

from __future__ import annotations

import importlib

from reasoning.core import Family, UnknownFamilyError

_FAMILIES: dict[str, str] = {
    "fol": "generators.fol",
    "kgqa": "generators.kgqa",
    "logicasker": "generators.logicasker",
    "nlsat": "generators.nlsat",
    "pbe": "generators.pbe",
}


def family_names() -> list[str]:
    """Registered family names, sorted."""
    return sorted(_FAMILIES)


def get_family(name: str) -> Family:
    """The registered family called `name`; UnknownFamilyError lists the known ones."""
    if name not in _FAMILIES:
        raise UnknownFamilyError(
            f"unknown family {name!r}; known families: {', '.join(family_names())}"
        )
    family = importlib.import_module(_FAMILIES[name]).FAMILY
    if family.name != name:
        raise RuntimeError(f"registry entry {name!r} points at family {family.name!r}")
    return family
