"""A worked NLSat answer: the derivation a small model can learn to write, then the answer.

Rules fragment, few atoms: name the atoms in the order the statements first mention them,
then try the assignments one by one (first atom slowest, true before false), writing for
each whether it `holds` (breaks no statement) or `fails`; stop at the first that holds and
state it as facts ('Yara is weak, Clara is not blue'), which the verifier checks against
every statement; when none holds, the answer is no. Each line needs one look-up (is there
a statement all of whose parts this assignment makes false?), so a few-million-parameter
model can learn what it cannot learn from the yes/no bit alone.

Lines write an atom as 'Yara weak' (no 'is'), so the verifier reads only the final
sentence as a stated assignment. Larger items, and the relative-clause fragment, get the
plain answer (2**n lines would not fit).
"""

from __future__ import annotations

import itertools
import re

from generators.nlsat.english import statements_of
from reasoning.core import Instance
from solvers.sat import read_dimacs

MAX_WORKED_VARS = 4


def _short(atom: str, value: bool = True) -> str:
    person, _, prop = atom.partition(" is ")
    return f"{'' if value else 'not '}{person} {prop}"


def _fact(atom: str, value: bool) -> str:
    person, _, prop = atom.partition(" is ")
    return f"{person} is {'' if value else 'not '}{prop}"


def first_mention_order(atoms: list[str], statements: str) -> list[int]:
    """Atom indices sorted by where the statements first mention them."""

    def position(atom: str) -> int:
        person, _, prop = atom.partition(" is ")
        hit = re.search(rf"\b{re.escape(person)} is (?:not )?{re.escape(prop)}\b", statements)
        return hit.start() if hit else len(statements)

    return sorted(range(len(atoms)), key=lambda i: (position(atoms[i]), i))


def worked(instance: Instance) -> str:
    """The worked response for an NLSat item ('Answer: yes/no' alone when not worked)."""
    atoms = instance.meta.get("atoms") or []
    if instance.meta.get("grammar") != "rules" or not 0 < len(atoms) <= MAX_WORKED_VARS:
        return f"Answer: {instance.answer}"
    cnf = read_dimacs(instance.meta["formal"]["text"])
    order = first_mention_order(atoms, statements_of(instance.prompt))
    lines = ["Atoms: " + ", ".join(_short(atoms[i]) for i in order) + "."]
    for values in itertools.product((True, False), repeat=len(order)):
        assignment = {order[j] + 1: v for j, v in enumerate(values)}
        holds = cnf.first_falsified(assignment) is None
        lines.append(
            ", ".join(_short(atoms[i], v) for i, v in zip(order, values, strict=True))
            + (": holds" if holds else ": fails")
        )
        if holds:
            facts = ", ".join(_fact(atoms[i], v) for i, v in zip(order, values, strict=True))
            return "\n".join([*lines, f"So {facts}.", "Answer: yes"])
    return "\n".join([*lines, "Answer: no"])
