"""English rendering of CNF for NLSat, and a grammar-based parser back to CNF.

Two fragments (the `grammar` knob):
- `rules`: atoms are (person, property) facts; each clause is a conditional sentence.
- `relative`: atoms are properties of an arbitrary person; each clause is a universally
  quantified sentence with relative clauses. With "there is at least one person" the story
  is satisfiable iff the CNF over properties is (monadic first-order logic, one variable).
"""

from __future__ import annotations

import re
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


@lru_cache(maxsize=1 << 14)  # atoms come from a small vocabulary: these recur all run long
def _facts(atom: str) -> tuple[str, str]:
    """The atom stated and negated: ('Alan is big', 'Alan is not big')."""
    person, is_, prop = atom.partition(" is ")
    if not is_:
        raise EnglishParseError(f"atom {atom!r} is not of the form 'Person is property'")
    return f"{person} is {prop}", f"{person} is not {prop}"


def render_clause(clause: tuple[int, ...], atoms: list[str], grammar: str) -> str:
    """One sentence for one clause (literal order is kept, so parsing gives it back)."""
    return _Renderer(atoms, grammar).sentence(clause)


def render_cnf(cnf: CNF, atoms: list[str], grammar: str) -> str:
    """The statements block: one sentence per clause, one per line."""
    renderer = _Renderer(atoms, grammar)
    if grammar == "rules" and cnf.clauses and {len(c) for c in cnf.clauses} == {3}:
        cond, head = renderer.cond, renderer.head  # all 3-SAT: one f-string per clause
        return "\n".join(
            [f"If {cond[a]} and {cond[b]}, then {head[c]}." for a, b, c in cnf.clauses]
        )
    return "\n".join(map(renderer.sentence, cnf.clauses))


class _Renderer:
    """Renders clauses over one atom list; each literal's words are built once."""

    def __init__(self, atoms: list[str], grammar: str) -> None:
        self.rules = grammar == "rules"
        if self.rules:  # (l1 ∨ … ∨ lk) read as ¬l1 ∧ … → lk: body literals appear negated
            stated, negated = zip(*map(_facts, atoms), strict=True) if atoms else ((), ())
            up, down = range(1, len(atoms) + 1), range(-1, -len(atoms) - 1, -1)
            self.head = dict(zip(up, stated, strict=True))
            self.head.update(zip(down, negated, strict=True))
            self.cond = dict(zip(up, negated, strict=True))
            self.cond.update(zip(down, stated, strict=True))
        else:
            self.atoms = {i + 1: a for i, a in enumerate(atoms)}

    def sentence(self, clause: tuple[int, ...]) -> str:
        if self.rules and len(clause) == 3:  # the common 3-SAT case, spelled out
            a, b, head = clause
            return f"If {self.cond[a]} and {self.cond[b]}, then {self.head[head]}."
        *body, head = clause
        if self.rules:
            conds = [self.cond[lit] for lit in body]
            last = conds.pop()
            cond = f"{', '.join(conds)} and {last}" if conds else last
            return f"If {cond}, then {self.head[head]}."
        traits = " and who ".join(
            f"is {self.atoms[-lit]}" if lit < 0 else f"is not {self.atoms[lit]}" for lit in body
        )
        quant = "Everyone" if head > 0 else "Nobody"
        return f"{quant} who {traits} is {self.atoms[abs(head)]}."


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


Template = list[list[tuple[int, bool]]]


def parse_cnf(
    text: str,
    atoms: list[str],
    grammar: str,
    *,
    by_shape: bool = True,
    shapes: dict[str, dict[str, tuple[Template | None, int]]] | None = None,
) -> CNF:
    """Parse a statements block back to CNF, numbering atoms by their index in `atoms`.

    Raises EnglishParseError (with line/column) on text outside the fragment or on an atom
    not in `atoms`. Cost: linear in the text. Lines that differ only in their facts
    (traits) have the same token sequence, hence the same LALR parse: each distinct line
    shape is parsed once by the grammar and the rest reuse its parse (see `_by_shape`).
    `shapes` carries those parses across calls (pass one dict when parsing many blocks);
    `by_shape=False` runs the grammar over the whole block (the reference path).
    """
    if grammar not in GRAMMARS:
        raise EnglishParseError(f"unknown grammar {grammar!r}; choose from {', '.join(GRAMMARS)}")
    number = {atom: i + 1 for i, atom in enumerate(atoms)}
    fast = _by_shape(text, number, grammar, {} if shapes is None else shapes) if by_shape else None
    if fast is not None:
        return CNF(len(atoms), fast)
    try:
        tree = _parser().parse(text, start=grammar)
    except UnexpectedInput as exc:
        raise EnglishParseError(describe(exc, text, _NAMES)) from None
    except LarkError as exc:
        raise EnglishParseError(str(exc).strip().splitlines()[0]) from None
    clauses = []
    for sentence in _ToLiterals().transform(tree):  # only pure data handling, never raises
        clause = []
        for atom, positive in sentence:
            if atom not in number:
                raise EnglishParseError(f"unknown atom {atom!r}")
            clause.append(number[atom] if positive else -number[atom])
        clauses.append(tuple(clause))
    return CNF(len(atoms), tuple(clauses))


@lru_cache(maxsize=len(GRAMMARS))
def _value_terminal(grammar: str) -> re.Pattern:
    """The grammar's own regex for the token that carries an atom (FACT or TRAIT)."""
    name = "FACT" if grammar == "rules" else "TRAIT"
    pattern = _parser().get_terminal(name).pattern.to_regexp()
    return re.compile(pattern)


@lru_cache(maxsize=len(GRAMMARS))
def _value_splitter(grammar: str) -> re.Pattern:
    """`_value_terminal` as one group, so that `split` returns the text between values
    and the values themselves."""
    return re.compile(f"({_value_terminal(grammar).pattern})")


def _by_shape(text: str, number: dict[str, int], grammar: str, seen: dict) -> tuple | None:
    """Clauses of a one-sentence-per-line block, parsing each distinct line shape once.

    A line's shape is the line with every atom-carrying token replaced by a placeholder.
    Two lines of one shape have the same token sequence, so the same parse; the grammar
    parses the first of each shape (`seen` keeps it for later lines) and records, for each token
    position, whether the clause takes the fact as stated or negated. Returns None for
    anything unusual (an unparsable line, an unknown atom, a sentence across lines), and
    the caller then parses the whole block, which also gives the exact error message.
    """
    value = _value_terminal(grammar)
    if value.groups:
        return None
    pieces = _value_splitter(grammar).split(text)  # text, value, text, value, ..., text
    values = pieces[1::2]
    literal = {}
    for atom, var in number.items():
        yes, no = _statements(atom, grammar)
        literal[yes], literal[no] = var, -var
    known = seen.setdefault(grammar, {})  # line shape -> (template, values on the line)
    even = _one_shape(pieces, literal, known)
    if even is not None:
        return even
    shapes = "\x00".join(pieces[0::2]).split("\n")  # == value.sub("\x00", text), one pass
    lines = text.split("\n")
    tables = (literal, {text: -lit for text, lit in literal.items()})  # as stated, negated
    clauses = []
    at = 0
    try:
        for line, shape in zip(lines, shapes, strict=True):
            entry = known.get(shape)
            if entry is None:
                if not shape.strip():
                    continue
                template = _line_template(line, grammar)
                known[shape] = entry = (template, shape.count("\x00"))
            template, width = entry
            if template is None:
                return None
            for sentence in template:
                clauses.append(tuple([tables[negate][values[at + j]] for j, negate in sentence]))
            at += width
    except KeyError:  # a fact about an atom outside the vocabulary
        return None
    return tuple(clauses) if at == len(values) else None


def _one_shape(pieces: list[str], literal: dict[str, int], known: dict) -> tuple | None:
    """The clauses when every line has the first line's shape and that shape is one
    sentence taking its facts in order (a plain k-SAT block), read column by column; None
    otherwise (or on an unknown fact), and the line-by-line reader decides.

    `pieces` is the block split around its values (text, value, ..., text): the lines all
    have one shape iff the texts between values are the first line's, repeated.
    """
    seps = pieces[0::2]
    n_values = len(seps) - 1
    width = next((i for i, sep in enumerate(seps) if "\n" in sep), n_values)
    if not width or n_values % width:
        return None
    prefix, between = seps[0], seps[1:width]
    suffix = seps[width].partition("\n")[0]
    joiner = f"{suffix}\n{prefix}"
    if seps != [prefix, *([*between, joiner] * (n_values // width - 1)), *between, suffix]:
        return None
    entry = known.get("\x00".join([prefix, *between, suffix]))
    if entry is None:
        return None  # the line reader parses this shape first
    template, count = entry
    if template is None or len(template) != 1 or count != width:
        return None
    if [j for j, _ in template[0]] != list(range(width)):
        return None
    values = pieces[1::2]
    negated = None
    columns = []
    try:
        for j, negate in template[0]:
            if negate and negated is None:
                negated = {text: -lit for text, lit in literal.items()}
            table = negated if negate else literal
            columns.append(list(map(table.__getitem__, values[j::width])))
    except KeyError:
        return None
    return tuple(zip(*columns, strict=True))


def _statements(atom: str, grammar: str) -> tuple[str, str]:
    """The token texts of an atom, stated and negated: 'Alan is big' / 'Alan is not big'
    (rules), 'is big' / 'is not big' (relative)."""
    if grammar == "rules":
        return _facts(atom)
    return f"is {atom}", f"is not {atom}"


def _line_template(line: str, grammar: str) -> Template | None:
    """For each sentence of one line, each literal's (token index, negated?) — or None if
    the line does not parse on its own."""
    try:
        sentences = _ToLiterals().transform(_parser().parse(line, start=grammar))
    except LarkError:
        return None
    values = _value_terminal(grammar).findall(line)
    template, j = [], 0
    for sentence in sentences:
        entry = []
        for atom, positive in sentence:
            if j >= len(values):
                return None
            stated_atom, stated_positive = _literal(values[j])
            if stated_atom != atom:
                return None
            entry.append((j, positive != stated_positive))
            j += 1
        template.append(entry)
    return template if j == len(values) else None


def statements_of(prompt: str) -> str:
    """The statements block of an NLSat prompt (its second paragraph)."""
    first = prompt.find("\n\n")  # what prompt.split("\n\n")[1] is when it has 3+ parts
    second = prompt.find("\n\n", first + 2) if first >= 0 else -1
    return prompt[first + 2 : second] if second >= 0 else ""
