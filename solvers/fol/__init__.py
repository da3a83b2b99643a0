"""First-order logic: parse FOLIO-style text (NLTK / Prover9 spellings too; the syntax is
in `solvers.fol.parse`), translate to z3 / SMT-LIB2, decide entailment and equivalence
(with counter-models in plain words). Formulas may be given as parsed values or as text."""

from solvers.fol.ast import (
    BinOp,
    Const,
    Eq,
    Formula,
    Func,
    Not,
    Pred,
    Quant,
    Var,
    close,
    free_vars,
    function_signature,
    render,
    render_term,
    signature,
    symbols,
)
from solvers.fol.logic import (
    Entailment,
    Equivalence,
    InconsistentPremises,
    as_formula,
    entailment,
    entails,
    equivalence,
    equivalent,
    first_decided,
    label_many,
    label_smtlib,
    reusable_solver,
)
from solvers.fol.memo import (
    EntailmentMemo,
    SmtlibMemo,
    shape,
    shape_and_symbols,
    smtlib_shape,
)
from solvers.fol.parse import SCOPES, FOLParseError, parse
from solvers.fol.z3bridge import SmtlibByShape, Z3Builder, to_smtlib

__all__ = [
    "BinOp", "Const", "Entailment", "EntailmentMemo", "Eq", "Equivalence", "FOLParseError",
    "Formula", "Func", "InconsistentPremises", "Not", "Pred", "Quant", "SCOPES", "Var",
    "Z3Builder", "as_formula", "close", "entailment", "entails", "equivalence", "equivalent",
    "first_decided", "free_vars", "function_signature", "label_many", "label_smtlib",
    "parse", "render", "render_term", "reusable_solver", "shape", "shape_and_symbols",
    "signature", "symbols", "SmtlibByShape", "SmtlibMemo", "smtlib_shape", "to_smtlib",
]  # fmt: skip
