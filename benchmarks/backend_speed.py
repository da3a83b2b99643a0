"""HF backend throughput on this machine for the embedded model (SmolLM2-135M, CPU).

    python benchmarks/backend_speed.py [--model smollm2-135m] [--new-tokens 32]

Completions/s and generated tokens/s at batch 1, 8 and 32, greedy, for 32 prompts of the
same token length and for 32 mixed-length prompts (greedy prompts of any lengths share a
batch; each prompt's output stays independent of its batch, see models/batching.py).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import torch

import reasoning
from reasoning.models import GenerationSettings, HFBackend


def same_length_prompts(backend: HFBackend, count: int) -> list[str]:
    candidates = [
        f"Is {w} a colour? Answer yes or no."
        for w in (
            "red",
            "blue",
            "green",
            "pink",
            "gold",
            "grey",
            "teal",
            "cyan",
            "lime",
            "navy",
            "rose",
            "sand",
            "plum",
            "jade",
            "ruby",
            "mint",
            "onyx",
            "rust",
            "snow",
            "wine",
            "ink",
            "tan",
            "ash",
            "sky",
            "sea",
            "oak",
            "fig",
            "tea",
            "ice",
            "sun",
            "moss",
            "clay",
            "corn",
            "dust",
            "fern",
            "iris",
            "leaf",
            "milk",
        )
    ]
    settings = GenerationSettings()
    lengths = {p: len(backend.encode(*backend.render(p, settings))) for p in candidates}
    common = Counter(lengths.values()).most_common(1)[0][0]
    chosen = [p for p in candidates if lengths[p] == common]
    return (chosen * count)[:count]


def measure(backend, prompts, batch, new_tokens) -> tuple[float, float]:
    settings = GenerationSettings(max_new_tokens=new_tokens, batch_size=batch)
    start = time.perf_counter()
    outs = backend.generate(prompts, settings)
    took = time.perf_counter() - start
    return len(outs) / took, sum(o.completion_tokens for o in outs) / took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--prompts", type=int, default=32)
    args = parser.parse_args()
    backend = HFBackend.load(args.model, device="cpu")
    torch.set_num_threads(torch.get_num_threads())
    same = same_length_prompts(backend, args.prompts)
    mixed = [it.prompt for it in reasoning.generate("logicasker", args.prompts, 0)]
    print(
        f"{args.model} on CPU ({torch.get_num_threads()} threads), greedy, "
        f"{args.new_tokens} new tokens, {args.prompts} prompts"
    )
    print(f"{'prompts':<14} {'batch':>5} {'completions/s':>14} {'tokens/s':>9}")
    for name, prompts in (("same length", same), ("mixed length", mixed)):
        for batch in (1, 8, 32):
            cps, tps = measure(backend, prompts, batch, args.new_tokens)
            print(f"{name:<14} {batch:>5} {cps:>14.2f} {tps:>9.1f}")


if __name__ == "__main__":
    main()
