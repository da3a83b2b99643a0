"""`reasoning serve`: the OpenAI-compatible HTTP server's command line (the server itself
is reasoning/serve.py; its limits reasoning/serve_limits.py)."""

from __future__ import annotations

import argparse


def cmd_serve(args: argparse.Namespace) -> int:
    """Load the model and serve it until interrupted."""
    from reasoning.serve import serve

    serve(
        args.model,
        args.host,
        args.port,
        args.device,
        args.dtype,
        args.name,
        max_body_bytes=args.max_body_bytes,
        max_prompts=args.max_prompts,
        max_tokens=args.max_tokens,
        context_length=args.context_length,
        max_pending=args.max_pending,
        max_samples=args.max_samples,
    )
    return 0


def add_serve_parser(sub) -> None:
    """Register `reasoning serve` on the CLI's subparsers."""
    p = sub.add_parser("serve", help="OpenAI-compatible HTTP server over a local model")
    p.add_argument("model", help="model directory, named model (smollm2-135m) or hub id")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1", help="bind address (default loopback only)")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 … (default: auto)")
    p.add_argument("--dtype", default="auto", help="auto, float32, bfloat16, float16")
    p.add_argument("--name", default=None, help="model name clients ask for (default: MODEL)")
    p.add_argument(
        "--max-body-bytes",
        type=int,
        default=2 * 1024 * 1024,
        help="largest request body accepted; larger gets 413 (default 2 MiB)",
    )
    p.add_argument(
        "--max-prompts", type=int, default=16, help="prompts per completions request (default 16)"
    )
    p.add_argument(
        "--max-tokens", type=int, default=None, help="cap on max_tokens (default: the context)"
    )
    p.add_argument(
        "--context-length",
        type=int,
        default=None,
        help="prompt + completion tokens allowed (default: the model's positions)",
    )
    p.add_argument(
        "--max-pending",
        type=int,
        default=64,
        help="requests waiting for the model before new ones get 503 (default 64)",
    )
    p.add_argument(
        "--max-samples",
        type=int,
        default=8,
        help="the largest n (completions per prompt, each from its own seed) (default 8)",
    )
    p.set_defaults(func=cmd_serve)
