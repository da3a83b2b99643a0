"""Our HFBackend against lm-evaluation-harness's HF model class, same model, same prompts.

    pip install lm-eval          # only for this script; not a project dependency
    HF_HUB_OFFLINE=1 python benchmarks/eval_vs_lmeval.py [--prompts 64] [--new-tokens 32]

The embedded SmolLM2-135M-Instruct (converted into a local safetensors directory) answers
mixed-length prompts from nlsat, logicasker, fol and pbe, rendered without a chat template,
greedy, on CPU with 2 threads. Rows: ours with equal-length batches (the old batching),
ours now (any lengths in a batch, output independent of the batch) at batch 8 and 1, and
lm-eval's HFLM at batch 8 (left padding). Columns: completions/s, ratio to lm-eval, and how
many answers equal ours at batch 1 (lm-eval's padded batches flip some greedy tokens).
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402

import reasoning  # noqa: E402
from reasoning.models import GenerationSettings, HFBackend  # noqa: E402
from reasoning.models.embedded import resolve_named  # noqa: E402

FAMILIES = [("logicasker", {}), ("pbe", {}), ("fol", {}), ("nlsat", {"n_vars": 4})]


def mixed_prompts(count: int) -> list[str]:
    """`count` prompts, a quarter from each family (their lengths differ widely)."""
    per = -(-count // len(FAMILIES))
    prompts = [
        it.prompt for name, knobs in FAMILIES for it in reasoning.generate(name, per, 5, **knobs)
    ]
    return prompts[:count]


def ours_equal_length(backend: HFBackend, prompts: list[str], settings) -> list[str]:
    """The batching before this change: only prompts of one token length share a batch."""
    encoded = [backend.encode(p, False) for p in prompts]
    groups: dict[int, list[int]] = defaultdict(list)
    for i, ids in enumerate(encoded):
        groups[len(ids)].append(i)
    texts = [""] * len(prompts)
    for members in groups.values():
        for k in range(0, len(members), settings.batch_size):
            batch = members[k : k + settings.batch_size]
            outs = backend._generate_batch([encoded[i] for i in batch], settings)
            for i, out in zip(batch, outs, strict=True):
                texts[i] = out.text
    return texts


def lm_eval_runner(path, prompts: list[str], new_tokens: int, batch: int):
    """A function running lm-eval's HFLM `generate_until` on the prompts (model loaded now,
    outside the timing)."""
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    lm = HFLM(pretrained=str(path), batch_size=batch, device="cpu", dtype="float32")
    gen = {"until": [], "max_gen_toks": new_tokens, "do_sample": False}

    def run(chosen: list[str] = prompts) -> list[str]:
        requests = [
            Instance("generate_until", doc={}, arguments=(p, dict(gen)), idx=i)
            for i, p in enumerate(chosen)
        ]
        return lm.generate_until(requests, disable_tqdm=True)

    return run


def timed(name: str, run) -> tuple[list[str], float]:
    start = time.perf_counter()
    texts = run()
    took = time.perf_counter() - start
    print(f"# {name}: {len(texts)} completions in {took:.1f} s", flush=True)
    return texts, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--skip-batch-1", action="store_true", help="skip the slow reference")
    args = parser.parse_args()
    torch.set_num_threads(2)
    path = resolve_named("smollm2-135m")
    backend = HFBackend.load(str(path), device="cpu")
    prompts = mixed_prompts(args.prompts)
    lengths = [len(backend.encode(p, False)) for p in prompts]

    def settings(batch: int) -> GenerationSettings:
        return GenerationSettings(max_new_tokens=args.new_tokens, batch_size=batch, chat=False)

    def ours(batch: int):
        return lambda: [c.text for c in backend.generate(prompts, settings(batch))]

    lm_eval = lm_eval_runner(path, prompts, args.new_tokens, args.batch)
    rows = [
        ("ours, equal-length batches (before)", lambda: ours_equal_length(
            backend, prompts, settings(args.batch))),
        (f"ours, any lengths, batch {args.batch}", ours(args.batch)),
        (f"lm-eval HFLM, batch {args.batch}", lm_eval),
    ]  # fmt: skip
    if not args.skip_batch_1:
        rows.insert(2, ("ours, any lengths, batch 1", ours(1)))
    # warm-up (the first forward passes of a process are several times slower)
    backend.generate(prompts[:2], settings(2))
    lm_eval(prompts[:2])
    results = {name: timed(name, run) for name, run in rows}
    reference = results.get("ours, any lengths, batch 1", results[rows[1][0]])[0]
    lm_rate = len(prompts) / results[rows[-1][0]][1]
    print(
        f"SmolLM2-135M-Instruct, CPU float32, {torch.get_num_threads()} threads, greedy, "
        f"{args.new_tokens} new tokens, {len(prompts)} prompts of {min(lengths)}-{max(lengths)} "
        "tokens, no chat template"
    )
    print(f"{'':<38} {'completions/s':>13} {'vs lm-eval':>10} {'same as ours@1':>15}")
    for name, (texts, took) in results.items():
        rate = len(prompts) / took
        same = sum(a == b for a, b in zip(texts, reference, strict=True))
        print(f"{name:<38} {rate:>13.2f} {rate / lm_rate:>9.2f}x {same:>10}/{len(prompts)}")


if __name__ == "__main__":
    main()
