"""English rendering of CNF for NLSat, and a grammar-based parser back to CNF.

Two fragments (the `grammar` knob):
- `rules`: atoms are (person, property) facts; each clause is a conditional sentence.
- `relative`: atoms are properties of an arbitrary person; each clause is a universally
  quantified sentence with relative clauses. With "there is at least one person" the story
  is satisfiable iff the CNF over properties is (monadic first-order logic, one variable).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedInput

from solvers.larkerrors import describe
from solvers.sat import CNF

GRAMMARS = ("rules", "relative")


class EnglishParseError(ValueError):
    """The text is not in the fragment's grammar, or names an atom outside the vocabulary."""


@lru_cache(maxsize=1)
def _parser() -> Lark:
    text = resources.files("generators.nlsat").joinpath("english.lark").read_text()
    return Lark(text, parser="lalr", start=list(GRAMMARS))


def atom_text(person: str | None, prop: str) -> str:
    """The atom's canonical text: 'Alan is big' (rules) or 'big' (relative)."""
    return prop if person is None else f"{person} is {prop}"


def _fact(atom: str, positive: bool) -> str:
    person, prop = atom.split(" is ")
    return f"{person} is {prop}" if positive else f"{person} is not {prop}"


def render_clause(clause: tuple[int, ...], atoms: list[str], grammar: str) -> str:
    """One sentence for one clause (literal order is kept, so parsing gives it back)."""
    *body, head = clause
    if grammar == "rules":
        conds = [_fact(atoms[abs(lit) - 1], lit < 0) for lit in body]
        cond = conds[0] if len(conds) == 1 else ", ".join(conds[:-1]) + " and " + conds[-1]
        return f"If {cond}, then {_fact(atoms[abs(head) - 1], head > 0)}."
    traits = " and who ".join(
        f"is {atoms[abs(lit) - 1]}" if lit < 0 else f"is not {atoms[abs(lit) - 1]}" for lit in body
    )
    quant = "Everyone" if head > 0 else "Nobody"
    return f"{quant} who {traits} is {atoms[abs(head) - 1]}."


def render_cnf(cnf: CNF, atoms: list[str], grammar: str) -> str:
    """The statements block: one sentence per clause, one per line."""
    return "\n".join(render_clause(c, atoms, grammar) for c in cnf.clauses)


def _literal(token: Token) -> tuple[str, bool]:
    """'Alan is not big' -> ('Alan is big', False); 'is big' -> ('big', True)."""
    words = str(token).split()
    positive = "not" not in words
    person = words[0] if words[0] != "is" else None
    return atom_text(person, words[-1]), positive


class _ToLiterals(Transformer):
    """Turns parse trees into lists of (atom text, literal-is-positive) per sentence."""

    def cond_last(self, items):
        return [_literal(items[0])]

    def cond_pair(self, items):
        return [_literal(items[0]), _literal(items[1])]

    def cond_more(self, items):
        return [_literal(items[0]), *items[1]]

    def rule_sentence(self, items):
        cond, head = items
        return [(atom, not pos) for atom, pos in cond] + [_literal(head)]

    def rel_sentence(self, items):
        quant, *traits, head = items
        body = [(atom, not pos) for atom, pos in map(_literal, traits)]
        atom, positive = _literal(head)
        # "Everyone who ... is big" and "Nobody who ... is not big" both assert 'big'
        return body + [(atom, positive == (str(quant) == "Everyone"))]

    def rules(self, items):
        return items

    def relative(self, items):
        return items


_NAMES = {
    "COMMA": "','",
    "DOT": "'.'",
    "AND": "'and'",
    "THEN": "'then'",
    "IF": "'If'",
    "WHO": "'who'",
    "QUANT": "'Everyone' or 'Nobody'",
    "FACT": "a fact like 'Alan is big'",
    "TRAIT": "a trait like 'is big'",
    "$END": "end of text",
}


def parse_cnf(text: str, atoms: list[str], grammar: str) -> CNF:
    """Parse a statements block back to CNF, numbering atoms by their index in `atoms`.

    Raises EnglishParseError (with line/column) on text outside the fragment or on an atom
    not in `atoms`. Cost: linear in the text (LALR).
    """
    if grammar not in GRAMMARS:
        raise EnglishParseError(f"unknown grammar {grammar!r}; choose from {', '.join(GRAMMARS)}")
    try:
        tree = _parser().parse(text, start=grammar)
    except UnexpectedInput as exc:
        raise EnglishParseError(describe(exc, text, _NAMES)) from None
    except LarkError as exc:
        raise EnglishParseError(str(exc).strip().splitlines()[0]) from None
    number = {atom: i + 1 for i, atom in enumerate(atoms)}
    clauses = []
    for sentence in _ToLiterals().transform(tree):  # only pure data handling, never raises
        clause = []
        for atom, positive in sentence:
            if atom not in number:
                raise EnglishParseError(f"unknown atom {atom!r}")
            clause.append(number[atom] if positive else -number[atom])
        clauses.append(tuple(clause))
    return CNF(len(atoms), tuple(clauses))
