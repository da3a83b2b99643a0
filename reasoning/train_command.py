"""`reasoning train`: train the embedded model (a small LlamaForCausalLM and its BPE
tokenizer) on generated items; resumable — rerun the same command after Ctrl-C or a kill
and it continues from its last checkpoint in the output directory."""

from __future__ import annotations

import argparse
import shlex

from reasoning.core import ConfigError


def add_train_parser(sub) -> None:
    from reasoning.train.trainer import TrainConfig

    d = TrainConfig()
    p = sub.add_parser(
        "train", help="train a small reasoner on generated items (the embedded model)"
    )
    p.add_argument(
        "--families",
        default=",".join(d.families),
        help=f"families with their default training mixture (default {','.join(d.families)})",
    )
    p.add_argument(
        "--part",
        action="append",
        default=[],
        metavar="FAMILY[:KNOB=V[+V],...][@SHARE[xREPEAT]]",
        help="an explicit training part instead of the defaults (repeatable); xREPEAT shows "
        "each of its items REPEAT times (fewer distinct items, for families slow to generate)",
    )
    p.add_argument(
        "--steps", type=int, default=d.steps, help=f"optimizer steps (default {d.steps})"
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=d.batch_size,
        help=f"items per step (default {d.batch_size})",
    )
    p.add_argument("--seed", type=int, default=d.seed, help="seed: training items, init, order")
    p.add_argument("--lr", type=float, default=d.lr, help=f"peak learning rate (default {d.lr})")
    p.add_argument("--hidden-size", type=int, default=d.hidden_size)
    p.add_argument("--layers", type=int, default=d.layers)
    p.add_argument("--heads", type=int, default=d.heads)
    p.add_argument("--intermediate-size", type=int, default=d.intermediate_size)
    p.add_argument("--vocab-size", type=int, default=d.vocab_size, help="BPE entries")
    p.add_argument(
        "--prompt-loss-weight",
        type=float,
        default=d.prompt_loss_weight,
        help="weight of the prompt tokens' loss beside the answer's (default %(default)s)",
    )
    p.add_argument(
        "--heldout",
        type=int,
        default=d.heldout_per_cell,
        help="held-out items per family x hardness cell (final table)",
    )
    p.add_argument(
        "--eval-every", type=int, default=d.eval_every, help="steps between held-out checks"
    )
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:N (default: CUDA when present)")
    p.add_argument("-o", "--output", required=True, help="output model directory")
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        help="worker processes generating the training items (default 1; the same items)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_train)


def config_from_args(args: argparse.Namespace):
    from reasoning.train.trainer import TrainConfig

    families = tuple(f.strip() for f in args.families.split(",") if f.strip())
    if not families and not args.part:
        raise ConfigError("--families is empty and no --part is given")
    return TrainConfig(
        families=families, parts=tuple(args.part), steps=args.steps, batch_size=args.batch_size,
        seed=args.seed, lr=args.lr, hidden_size=args.hidden_size, layers=args.layers,
        heads=args.heads, intermediate_size=args.intermediate_size, vocab_size=args.vocab_size,
        prompt_loss_weight=args.prompt_loss_weight, heldout_per_cell=args.heldout,
        eval_every=args.eval_every,
    )  # fmt: skip


def cmd_train(args: argparse.Namespace) -> int:
    from reasoning.models.hf import check_device
    from reasoning.parallel import check_jobs
    from reasoning.train.trainer import train

    cfg = config_from_args(args)
    cfg.validate()
    check_jobs(args.jobs)
    check_device(args.device)
    command = " ".join(["reasoning", "train", *(shlex.quote(a) for a in _argv(args))])
    record = train(
        cfg, args.output, command=command, device=args.device, quiet=args.quiet, jobs=args.jobs
    )
    print(
        f"wrote {args.output}: {record['parameters'] / 1e6:.2f}M parameters, "
        f"{record['tokens_per_second']:.0f} tokens/s, {record['wall_seconds']:.0f} s"
    )
    return 0


def _argv(args: argparse.Namespace) -> list[str]:
    """The command line that retrains this model (every setting spelled out)."""
    cfg = config_from_args(args)
    out = ["--families", ",".join(cfg.families)]
    for part in cfg.parts:
        out += ["--part", part]
    settings = {
        "--steps": cfg.steps, "--batch-size": cfg.batch_size, "--seed": cfg.seed, "--lr": cfg.lr,
        "--hidden-size": cfg.hidden_size, "--layers": cfg.layers, "--heads": cfg.heads,
        "--intermediate-size": cfg.intermediate_size, "--vocab-size": cfg.vocab_size,
        "--prompt-loss-weight": cfg.prompt_loss_weight, "--heldout": cfg.heldout_per_cell,
        "--eval-every": cfg.eval_every,
    }  # fmt: skip
    for flag, value in settings.items():
        out += [flag, str(value)]
    out += ["-o", str(args.output)]
    return out
