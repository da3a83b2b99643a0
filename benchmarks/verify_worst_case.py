"""Worst-case `reasoning.verify` time per family on adversarial responses.

    python benchmarks/verify_worst_case.py [--sizes 10000 100000 1000000] [--limit 10]
                                           [--detail]

A pruned model writes whitespace runs, the same marker a thousand times, deep nesting, very
long lines, broken Unicode. For every family this builds such responses at each size (in
characters), times one `verify` call on each, and prints the worst time per family and size
with the shape that caused it. Each family runs in its own worker process; a call still
running after `--limit` seconds is killed and reported as `>LIMIT s` (a regular expression
that backtracks cannot be interrupted from inside the process). `--detail` prints every
shape. Responses above `reasoning.api.MAX_RESPONSE_CHARS` are cut (the tail is kept) before
any family sees them, so the 1 MB column measures that cut plus the check of the tail.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from collections.abc import Callable

FAMILIES: dict[str, dict] = {
    "nlsat": {},
    "logicasker": {},
    "pbe": {},
    "fol-translate": {"task": "translate"},
    "fol-entail": {"task": "entail"},
    "kgqa": {},
}


def _fill(unit: str, size: int, head: str = "", tail: str = "") -> str:
    body = max(0, size - len(head) - len(tail))
    return head + (unit * (body // max(1, len(unit)) + 1))[:body] + tail


SHAPES: dict[str, Callable[[int], str]] = {
    "whitespace after marker": lambda n: _fill(" ", n, "answer", "x"),
    "whitespace run, then answer": lambda n: _fill(" ", n, "", "Answer: yes"),
    "repeated marker": lambda n: _fill("Answer: ", n),
    "marker + spaces, repeated": lambda n: _fill("answer " + " " * 40, n),
    "same word repeated": lambda n: _fill("yes ", n),
    "comma list": lambda n: _fill("a,", n, "Answer: "),
    "semicolon list": lambda n: _fill("a;", n, "Answer: "),
    "deep parentheses": lambda n: _fill("(", n // 2) + _fill(")", n // 2),
    "unbalanced parentheses": lambda n: _fill("(", n),
    "deep negation": lambda n: _fill("¬", n, "1. ", "P(a)"),
    "wide conjunction": lambda n: _fill(" ∧ P(a)", n, "1. P(a)"),
    "nested quantifiers": lambda n: _fill("∀x ", n, "1. ", "P(x)"),
    "one very long line": lambda n: _fill("x", n),
    "many short lines": lambda n: _fill("a\n", n),
    "many newlines": lambda n: _fill("\n", n),
    "numbered lines": lambda n: _fill("1. P(a)\n", n),
    "digits then no dot": lambda n: _fill("1", n),
    "open code fences": lambda n: _fill("```\n", n),
    "cited triples": lambda n: _fill("(a, b, c) ", n, "", "\nAnswer: a"),
    "replace calls": lambda n: _fill('replace("a", "b")\n', n),
    "quoted call list": lambda n: _fill("\"replace('a','b')\", ", n, "[", "]"),
    "stated facts": lambda n: _fill("Alan is not big, ", n, "", "Answer: yes"),
    "lone surrogates": lambda n: _fill("\ud83d", n, "", " Answer: yes"),
    "NUL bytes": lambda n: _fill("\x00", n, "", " Answer: yes"),
}


def _worker(family: str, knobs: dict, conn) -> None:
    import reasoning

    name = family.split("-")[0]
    item = reasoning.generate(name, 1, seed=1, **knobs)[0]
    reasoning.verify(item, "warm up. Answer: yes")
    conn.send("ready")
    while True:
        task = conn.recv()
        if task is None:
            return
        shape, size = task
        text = SHAPES[shape](size)
        start = time.perf_counter()
        try:
            reasoning.verify(item, text)
            outcome = "ok"
        except BaseException as exc:  # noqa: BLE001 - the point is to see what escapes
            outcome = type(exc).__name__
        conn.send((time.perf_counter() - start, outcome))


class _Runner:
    """One family's worker process, restarted after a call that ran past the limit."""

    def __init__(self, family: str, limit: float) -> None:
        self.family, self.limit = family, limit
        self.proc = None
        self.conn = None

    def start(self) -> str | None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(self.family, FAMILIES[self.family], child))
        self.proc.start()
        if not self.conn.poll(120):
            self.stop()
            return "no item (start-up timed out)"
        try:
            self.conn.recv()
        except EOFError:
            self.stop()
            return "no item (the family could not generate here)"
        return None

    def run(self, shape: str, size: int) -> tuple[float | None, str]:
        if self.proc is None:
            problem = self.start()
            if problem:
                return None, problem
        self.conn.send((shape, size))
        if self.conn.poll(self.limit):
            try:
                return self.conn.recv()
            except EOFError:
                self.proc = None
                return None, "worker died"
        self.stop()
        return None, "timeout"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.join()
        self.proc = None


def _cell(seconds: float | None, outcome: str, limit: float) -> str:
    if seconds is None:
        return f">{limit:g} s" if outcome == "timeout" else outcome
    text = f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.1f} s"
    return text if outcome == "ok" else f"{text} {outcome}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--limit", type=float, default=10.0, help="seconds before a kill")
    parser.add_argument("--families", nargs="+", default=list(FAMILIES))
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES))
    parser.add_argument("--detail", action="store_true", help="print every shape")
    args = parser.parse_args()
    header = "| family | " + " | ".join(f"{s:,} chars" for s in args.sizes) + " |"
    rows = [header, "|" + "---|" * (len(args.sizes) + 1)]
    for family in args.families:
        runner = _Runner(family, args.limit)
        worst: list[tuple[float, str, str]] = []
        for size in args.sizes:
            results = []
            for shape in args.shapes:
                seconds, outcome = runner.run(shape, size)
                key = float("inf") if seconds is None or outcome != "ok" else seconds
                results.append((key, shape, _cell(seconds, outcome, args.limit)))
                if args.detail:
                    print(f"{family:<14} {size:>9,} {shape:<30} {results[-1][2]}", flush=True)
            worst.append(max(results))
        runner.stop()
        cells = [f"{cell} ({shape})" for _, shape, cell in worst]
        rows.append(f"| {family} | " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    print()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
