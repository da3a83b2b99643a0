"""KGQA `verify` on hostile ~100 KB responses: the worst time per kind of response.

    python benchmarks/kgqa_verify.py [--size 100000] [--repeat 5] [--kg KG]

Each response kind is built to the given size in characters; the table shows the median
and the slowest of `repeat` calls of the family's own `verify` and of `reasoning.verify`
(which first bounds the text and replaces lone surrogates); the graph's name index is
built before timing. Before the linear parser (generator version 1), 'many commas' took
~19 s at 100 KB.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import generators.kgqa as kgqa
import reasoning


def responses(size: int) -> dict[str, str]:
    """Hostile responses of about `size` characters, by kind."""

    def fill(unit: str, prefix: str = "") -> str:
        return prefix + unit * ((size - len(prefix)) // len(unit))

    distinct = ",".join(f"name{i}" for i in range(size // 8))
    return {
        "many commas": fill("a,", "Answer: "),
        "distinct names": "Answer: " + distinct[: size - 8],
        "commas in parens": fill("(,", "Answer: "),
        "deep parens": fill("(") + ")" * 10,
        "repeated triples": fill("(a, b, c)") + "\nAnswer: e1",
        "distinct triples": "".join(f"(x{i}, r, y{i})" for i in range(size // 12)) + "\nAnswer: e1",
        "non-triple groups": fill("(a, b)") + "\nAnswer: e1",
        "deep parens, answer": fill("(") + "\nAnswer: e1",
        "open triple + spaces": "(a," + " " * (size - 3),
        "long whitespace": fill(" \t"),
        "answer markers": fill("Answer:"),
        "many short lines": fill("answer x\n"),
        "lone surrogates, NUL": fill("\ud800\x00"),
    }


def _graph(folder: Path) -> str:
    rng = random.Random(0)
    rows = {
        f"e{rng.randrange(200)}\tr{rng.randrange(5)}\te{rng.randrange(200)}" for _ in range(800)
    }
    path = folder / "bench.tsv"
    path.write_text("\n".join(sorted(rows)) + "\n")
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--kg", default=None, help="graph spec (default: a random 200-node TSV)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        spec = args.kg or _graph(Path(folder))
        item = reasoning.generate("kgqa", 1, 0, kg=spec, hops=2)[0]
        reasoning.verify(item, "(a, b, c)\nAnswer: a")  # builds the name index once
        print(
            f"{'response kind':<22} {'chars':>8}  family ms (median/worst)  api ms (median/worst)"
        )
        for kind, text in responses(args.size).items():
            family = _times(lambda t=text: kgqa.verify(item, t), args.repeat)
            api = _times(lambda t=text: reasoning.verify(item, t), args.repeat)
            print(f"{kind:<22} {len(text):>8}  {family:>24}  {api:>21}")


def _times(call, repeat: int) -> str:
    """'median / worst' milliseconds over `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return f"{statistics.median(times):.1f} / {max(times):.1f}"


if __name__ == "__main__":
    main()
