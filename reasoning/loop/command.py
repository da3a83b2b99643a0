"""`reasoning loop`: run a verifier-in-the-loop strategy on one prompt or a JSONL file and
print every round (proposal, gold-free check, feedback sent back).

With --file, each item is solved from its gold-free view and only then scored against
gold (`reasoning.verify`); the summary gives accuracy, model calls and tokens per item.
With --prompt there is no gold: the rounds are printed and nothing is scored.
"""

from __future__ import annotations

import argparse
from types import MappingProxyType

from reasoning.api import verify
from reasoning.core import ConfigError, DataError, Instance, read_jsonl
from reasoning.loop.parse_strategy import FORMS, parse_strategy
from reasoning.loop.strategies import LoopResult, Round, solve
from reasoning.loop.view import ProblemView, view_of
from reasoning.models.embedded import DEFAULT_MODEL
from reasoning.registry import get_family

SHOWN_CHARS = 160  # of each proposal and feedback printed


def add_loop_parser(sub) -> None:
    """Register `reasoning loop` on the CLI's subparsers."""
    p = sub.add_parser(
        "loop",
        help="propose, check without gold, feed back, retry: print each round",
    )
    p.add_argument("family", help="family name (see `reasoning families`)")
    p.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"model directory, named model or hub id (default {DEFAULT_MODEL})",
    )
    p.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint serving --model")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--prompt", default=None, help="one problem's text (no gold, no score)")
    source.add_argument("--file", default=None, help="instances JSONL (scored after the loop)")
    p.add_argument("--strategy", default="direct", help=f"one of: {FORMS} (default direct)")
    p.add_argument("--max-new-tokens", type=int, default=256, help="per call (default 256)")
    p.add_argument(
        "--temperature",
        type=float,
        default=0.0,
        help="sampling temperature (default 0: greedy; best_of then samples at 0.7)",
    )
    p.add_argument("-n", dest="limit", type=int, default=None, help="solve only the first N items")
    p.set_defaults(func=cmd_loop)


def cmd_loop(args: argparse.Namespace) -> int:
    """Check every argument (one-line ReasoningError on a bad one) before loading the
    model, then solve and print."""
    from reasoning.models import GenerationSettings, load_backend

    get_family(args.family)
    strategy = parse_strategy(args.strategy)
    settings = GenerationSettings(max_new_tokens=args.max_new_tokens, temperature=args.temperature)
    if args.limit is not None and args.limit < 1:
        raise ConfigError(f"-n {args.limit}: must be >= 1")
    items = _items(args.file, args.family, args.limit) if args.file is not None else None
    backend = load_backend(args.model, args.base_url)
    if args.base_url:
        backend.fingerprint()  # an unreachable endpoint: BackendError, one line
    if items is None:
        view = ProblemView("prompt", args.family, args.prompt, MappingProxyType({}))
        result = solve(backend, view, strategy, settings)
        print(f"== prompt ({args.family}) · strategy {strategy}")
        _print_rounds(result)
        return 0
    correct = 0
    totals = {"calls": 0, "prompt": 0, "completion": 0}
    for item in items:
        result = solve(backend, view_of(item), strategy, settings)
        verdict = verify(item, result.response)  # gold, only now that the loop has ended
        correct += bool(verdict.correct)
        totals["calls"] += result.calls
        totals["prompt"] += result.prompt_tokens
        totals["completion"] += result.completion_tokens
        print(f"== {item.id} ({item.family}) · strategy {strategy}")
        _print_rounds(result)
        mark = "correct" if verdict.correct else "wrong"
        print(f"  verdict: {mark} (score {verdict.score:.2f}): {_shown(verdict.feedback)}")
    n = len(items)
    print(
        f"{args.family} · {strategy}: accuracy {correct}/{n} = {correct / n:.3f} · "
        f"calls/item {totals['calls'] / n:.2f} · prompt tokens/item {totals['prompt'] / n:.1f}"
        f" · completion tokens/item {totals['completion'] / n:.1f}"
    )
    return 0


def _items(path: str, family: str, limit: int | None) -> list[Instance]:
    """The file's items (the first `limit`), all of `family`; DataError otherwise."""
    items = read_jsonl(path)
    if limit is not None:
        items = items[:limit]
    if not items:
        raise DataError(f"{path}: no items")
    other = next((it for it in items if it.family != family), None)
    if other is not None:
        raise DataError(f"{path}: item {other.id} is family {other.family!r}, not {family!r}")
    return items


def _print_rounds(result: LoopResult) -> None:
    for i, round_ in enumerate(result.rounds, 1):
        print(_round_line(i, round_))
    for note in result.notes:
        print(f"  note: {note}")
    if result.votes:
        print("  votes: " + ", ".join(f"{_shown(key)} {count}" for key, count in result.votes))
    print(
        f"  stopped: {result.stopped} · calls {result.calls} · tokens "
        f"{result.prompt_tokens} prompt + {result.completion_tokens} completion"
        + (f" · ~{result.tokens_saved} saved" if result.tokens_saved else "")
    )
    print(f"  final: {_shown(result.response)}")


def _round_line(i: int, round_: Round) -> str:
    kind = f"sample {round_.sample}" if round_.sample is not None else round_.kind
    lines = [f"  round {i} [{kind}]: {_shown(round_.proposal)}"]
    if round_.error is not None:
        lines.append(f"    error: {_shown(round_.error)}")
    if round_.check is not None:
        lines.append(f"    check: {round_.check.passed}: {_shown(round_.check.feedback)}")
        parsed = round_.check.parsed
        if isinstance(parsed, dict) and "solver" in parsed:  # formalize: the solver's verdict
            answer = parsed.get("response", "no answer")
            lines.append(f"    solver: {_shown(parsed['solver'])} -> {_shown(answer)}")
    if round_.feedback is not None:
        lines.append(f"    sent back: {_shown(round_.feedback)}")
    return "\n".join(lines)


def _shown(text: str) -> str:
    """`text` on one line, at most SHOWN_CHARS characters (an ellipsis when cut)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= SHOWN_CHARS else flat[: SHOWN_CHARS - 1] + "…"
