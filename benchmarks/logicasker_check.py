"""LogicAsker at scale: rule coverage, independent re-check, vacuity and balance.

    python benchmarks/logicasker_check.py [--items 5000]

Re-derives every label from meta.formal with z3's own SMT-LIB2 parser (a fresh context, not
the generator's translation), counts items whose premises are unsatisfiable, the yes share,
and which rule names occurred.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import z3

import reasoning
from generators.logicasker import RULES
from solvers.fol import label_smtlib


def unsatisfiable(script: str) -> bool:
    s = z3.Solver(ctx=z3.Context())
    s.add(*z3.parse_smt2_string(script, ctx=s.ctx))
    return s.check() == z3.unsat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    items = reasoning.generate("logicasker", args.items, args.seed)
    gen = time.perf_counter() - start
    disagree = vacuous = 0
    for it in items:
        formal = it.meta["formal"]
        label = label_smtlib(formal["text"], formal["query"])
        disagree += ("yes" if label == "True" else "no") != it.answer
        vacuous += unsatisfiable(formal["text"])
    rules = Counter(it.meta["rule"] for it in items)
    missing = sorted(set(RULES) - set(rules))
    yes = sum(it.answer == "yes" for it in items) / len(items)
    print(f"{'items':<40} {len(items)}")
    print(f"{'generation':<40} {gen:.1f}s ({len(items) / gen:.0f} items/s)")
    print(f"{'label disagreements (z3 on SMT-LIB2)':<40} {disagree}")
    print(f"{'items with unsatisfiable premises':<40} {vacuous}")
    print(f"{'yes share':<40} {yes:.3f}")
    print(f"{'rules seen':<40} {len(rules)}/{len(RULES)}  missing: {', '.join(missing) or 'none'}")
    kinds = Counter(it.meta["kind"] for it in items)
    print(f"{'kinds':<40} {dict(sorted(kinds.items()))}")
    for logic in sorted({it.meta["logic"] for it in items}):
        some = [it for it in items if it.meta["logic"] == logic]
        share = sum(it.answer == "yes" for it in some) / len(some)
        print(f"{f'{logic}: items, yes share':<40} {len(some)}, {share:.3f}")
    forms = Counter(_form(name) for name in rules.elements())
    print(f"{'items by rule form':<40} {dict(sorted(forms.items()))}")


def _form(name: str) -> str:
    """propositional, universal_ or existential_ form of a propositional rule, or quantifier."""
    for prefix in ("universal_", "existential_"):
        if name.startswith(prefix) and name[len(prefix) :] in RULES:
            return prefix.rstrip("_")
    return "propositional" if RULES[name].logic == "propositional" else "quantifier"


if __name__ == "__main__":
    main()
