"""FOLIO validation as an external yardstick for solvers.fol.

    python benchmarks/folio.py [--split validation] [--data ../shared/data/folio] [--list]

For each story: do all premise and conclusion annotations parse (with parenthesis repair),
and does `entails` give the gold label ('Uncertain' counts as 'Unknown')? LINC (Prover9)
could use 182/204 validation items.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from solvers.fol import FOLParseError, InconsistentPremises, entailment, parse

ROOT = Path(__file__).resolve().parents[1]


def evaluate(path: Path, timeout_ms: int = 10_000) -> list[dict]:
    """One row per item: parsed, repaired, predicted, gold, reason."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        gold = "Unknown" if item["label"] == "Uncertain" else item["label"]
        row = {"gold": gold, "conclusion": item["conclusion-FOL"], "predicted": None, "reason": ""}
        texts = [*item["premises-FOL"], item["conclusion-FOL"]]
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
    args = parser.parse_args()
    path = Path(args.data) / f"folio-{args.split}.jsonl"
    if not path.exists():
        raise SystemExit(f"FOLIO not found at {path}")
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
