"""FOLIO validation as an external yardstick for solvers.fol.

    python benchmarks/folio.py [--split validation|train] [--data ../shared/data/folio]
                               [--list] [--parse-only]

For each story: do all premise and conclusion annotations parse (with parenthesis repair),
and does `entails` give the gold label ('Uncertain' counts as 'Unknown')? LINC (Prover9)
could use 182/204 validation items. Also counts single formulas that parse, and parses the
`EXTENDED` cases (numbers, function terms, NLTK / Prover9 spellings, quoted constants,
hyphenated names) and the `NOT_FIRST_ORDER` ones, which must be refused.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from solvers.fol import FOLParseError, InconsistentPremises, entailment, parse

ROOT = Path(__file__).resolve().parents[1]

# Formulas people and models write (issue 18); each has a clear first-order meaning.
EXTENDED = [
    # numbers as constants
    "Sides(x, 3)",
    "Printed(1984)",
    "∀x (Triangle(x) → Sides(x, 3))",
    "PublishedIn(harryPotter, 1997) ∧ ¬PublishedIn(harryPotter, 2001)",
    "Costs(book, 9.99)",
    "Temperature(antarctica, -60)",
    "∃x (Film(x) ∧ ReleasedIn(x, 2008))",
    "Ranked(djokovic, 1) ∧ Ranked(alcaraz, 2)",
    # function terms
    "Schedule(x, customer(x))",
    "∀x (Customer(x) → Schedule(x, agent(x)))",
    "Married(john, spouse(mary))",
    "∀x (Person(x) → Loves(mother(x), x))",
    "father(john) = bob",
    "∀x ∀y (x = father(y) → Parent(x, y))",
    "Older(father(father(john)), father(john))",
    "distance(paris, london) = distance(london, paris)",
    # NLTK
    "all x.(man(x) -> mortal(x))",
    "exists x.(dog(x) & -barks(x))",
    "-walk(john)",
    "all x.(boy(x) -> exists y.(girl(y) & chase(x,y)))",
    "all x y.(love(x,y) -> -hate(x,y))",
    "(-sleep(john) | dream(john))",
    "exists x.(student(x) & -(x = john))",
    "all x.(P(x) <-> -Q(x))",
    "a != b",
    # Prover9
    "all x (Human(x) -> Mortal(x))",
    "exists x (Dog(x) & -Cat(x))",
    "all x all y (Parent(x, y) -> -Parent(y, x))",
    "-(exists x (P(x) & -P(x)))",
    # quoted constants
    'Capital("Washington D.C.")',
    "LocatedIn('New York', usa)",
    'Title(book1, "The Hobbit")',
    '∀x (Author(x, "J. R. R. Tolkien") → Fantasy(x))',
    '"rina" = rina',
    # hyphenated names (FOLIO's train split)
    "Science-fiction(dune)",
    "LanguageModel(gpt-3)",
    "∀x (Eco-friendlyBrand(x) → HelpSlowDownGlobalWarming(x))",
    # mixed
    "∃y Child(john, y) → ¬Wedding(john)",
    '∀x (Member(x, "The Beatles") → Born(x, 1940) ∨ Born(x, 1942) ∨ Born(x, 1943))',
    "all x.(Square(x) -> Sides(x, 4))",
]
# Not first-order: must be refused, with an error that names the construct.
NOT_FIRST_ORDER = {
    "P(x)(y)": "not first-order",
    "∀P P(x)": "second-order",
    "∃f Q(f(a))": "second-order",
    "P(P(x))": "both as a predicate and as a function",
    "\\x.P(x)": "λ-abstraction",
    "∀x (Age(x) > 3)": "arithmetic",
}


def evaluate(path: Path, timeout_ms: int = 10_000) -> list[dict]:
    """One row per item: parsed, repaired, predicted, gold, reason."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        gold = "Unknown" if item["label"] == "Uncertain" else item["label"]
        row = {"gold": gold, "conclusion": item.get("conclusion-FOL"), "predicted": None}
        row["reason"] = ""
        if row["conclusion"] is None:  # FOLIO's train split has no conclusion-FOL
            row.update(parsed=False, reason="no conclusion-FOL in the data")
            rows.append(row)
            continue
        texts = [*item["premises-FOL"], row["conclusion"]]
        try:
            formulas = [parse(t, repair=True) for t in texts]
        except FOLParseError as exc:
            row.update(parsed=False, reason=f"parse error: {exc}")
            rows.append(row)
            continue
        row["parsed"] = True
        row["repaired"] = sum(1 for t in texts if _needs_repair(t))
        try:
            result = entailment(formulas[:-1], formulas[-1], timeout_ms)
            row["predicted"] = result.label
            if not result.decided:
                row["reason"] = "solver gave up"
        except InconsistentPremises:
            row["predicted"] = "inconsistent"
            row["reason"] = "premises are contradictory"
        rows.append(row)
    return rows


def formula_counts(path: Path) -> tuple[int, int]:
    """(formulas that parse, with repair; formulas) over every annotation of the split."""
    ok = total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        texts = [*item.get("premises-FOL", []), item.get("conclusion-FOL")]
        for text in texts:
            if text is None:
                continue
            total += 1
            try:
                parse(text, repair=True)
                ok += 1
            except FOLParseError:
                continue
    return ok, total


def extended_counts() -> tuple[int, int, list[str]]:
    """(EXTENDED cases that parse, NOT_FIRST_ORDER cases refused naming the construct,
    the failures as lines)."""
    parsed, refused, failures = 0, 0, []
    for text in EXTENDED:
        try:
            parse(text)
            parsed += 1
        except FOLParseError as exc:
            failures.append(f"  does not parse: {text!r}: {exc}")
    for text, construct in NOT_FIRST_ORDER.items():
        try:
            parse(text)
            failures.append(f"  parsed, but is not first-order: {text!r}")
        except FOLParseError as exc:
            if construct in str(exc):
                refused += 1
            else:
                failures.append(f"  refused without naming {construct!r}: {text!r}: {exc}")
    return parsed, refused, failures


def _needs_repair(text: str) -> bool:
    try:
        parse(text)
        return False
    except FOLParseError:
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="validation", choices=["validation", "train"])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "folio"))
    parser.add_argument("--list", action="store_true", help="list every disagreement")
    parser.add_argument("--parse-only", action="store_true", help="count parses, no labels")
    args = parser.parse_args()
    path = Path(args.data) / f"folio-{args.split}.jsonl"
    if not path.exists():
        raise SystemExit(f"FOLIO not found at {path}")
    ok, total = formula_counts(path)
    print(f"FOLIO {args.split}: {'formulas that parse (with repair)':<32} {ok:>5}/{total}")
    parsed, refused, failures = extended_counts()
    print(f"extended cases that parse {parsed:>4}/{len(EXTENDED)}")
    print(f"not first-order, refused naming the construct {refused:>2}/{len(NOT_FIRST_ORDER)}")
    if args.list:
        print("\n".join(failures))
    if args.parse_only:
        return
    start = time.perf_counter()
    rows = evaluate(path)
    took = time.perf_counter() - start
    parsed = [r for r in rows if r["parsed"]]
    agree = [r for r in parsed if r["predicted"] == r["gold"]]
    print(f"FOLIO {args.split}: {len(rows)} items, {took:.1f}s")
    print(f"{'parse (all formulas of the item)':<40} {len(parsed):>4}/{len(rows)}")
    print(
        f"{'  of which needed parenthesis repair':<40} {sum(r['repaired'] > 0 for r in parsed):>4}"
    )
    print(f"{'label agreement via entails':<40} {len(agree):>4}/{len(rows)}")
    confusion = Counter((r["gold"], r["predicted"]) for r in parsed if r["predicted"] != r["gold"])
    for (gold, pred), count in sorted(confusion.items()):
        print(f"  gold {gold:<8} predicted {pred:<12} {count:>3}")
    if args.list:
        for i, r in enumerate(rows):
            if not r["parsed"] or r["predicted"] != r["gold"]:
                print(
                    f"#{i} gold={r['gold']} predicted={r['predicted']} {r['reason']} "
                    f"conclusion={r['conclusion']!r}"
                )


if __name__ == "__main__":
    main()
