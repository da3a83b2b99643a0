"""One-line descriptions of lark parse errors, shared by the project's grammars."""

from __future__ import annotations

from lark.exceptions import UnexpectedInput


def describe(exc: UnexpectedInput, text: str, names: dict[str, str] | None = None) -> str:
    """ "line L, column C: unexpected 'then'; expected one of: ',', 'and'" for a parse error.

    `names` maps terminal names (COMMA, IMP, ...) to how a reader would write them.
    """
    names = {"$END": "end of text", **(names or {})}
    got = getattr(exc, "token", None)
    if got is None:
        pos = getattr(exc, "pos_in_stream", None)
        rest = text[pos:] if isinstance(pos, int) else ""
        got = rest.split(maxsplit=1)[0] if rest.strip() else ""
    expected = sorted(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or [])
    wanted = ", ".join(dict.fromkeys(names.get(e, e) for e in expected))
    shown = repr(str(got)) if str(got) else "end of text"
    where = f"line {exc.line}, column {exc.column}"
    return f"{where}: unexpected {shown}" + (f"; expected one of: {wanted}" if wanted else "")
