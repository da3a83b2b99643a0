"""First-order logic: parse FOLIO-style text, translate to z3 / SMT-LIB2, decide
entailment and equivalence (with counter-models in plain words)."""

from solvers.fol.ast import (
    BinOp,
    Const,
    Eq,
    Formula,
    Not,
    Pred,
    Quant,
    Var,
    close,
    free_vars,
    render,
    signature,
)
from solvers.fol.logic import (
    Entailment,
    Equivalence,
    InconsistentPremises,
    entailment,
    entails,
    equivalence,
    equivalent,
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
from solvers.fol.parse import FOLParseError, parse
from solvers.fol.z3bridge import SmtlibByShape, Z3Builder, to_smtlib

__all__ = [
    "BinOp", "Const", "Entailment", "EntailmentMemo", "Eq", "Equivalence", "FOLParseError",
    "Formula", "InconsistentPremises", "Not", "Pred", "Quant", "Var", "Z3Builder", "close",
    "entailment", "entails", "equivalence", "equivalent", "free_vars", "label_many",
    "label_smtlib", "parse", "render", "reusable_solver", "shape", "shape_and_symbols", "signature",
    "SmtlibByShape", "SmtlibMemo", "smtlib_shape", "to_smtlib",
]  # fmt: skip
