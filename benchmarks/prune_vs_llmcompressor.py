"""Side by side with llm-compressor 0.14 (installed for this benchmark only, in its own
virtual environment next to this package; it is not a dependency of the suite).

    python -m venv /tmp/lc && . /tmp/lc/bin/activate && pip install torch==2.13.0 \\
        && pip install llmcompressor==0.14.0.1 && pip install -e .
    python benchmarks/prune_vs_llmcompressor.py [--sparsity 0.5] [--n-calibration 32]

Same model (the embedded SmolLM2-135M), same calibration texts (the suite's own items), same
sparsity, same sequence length. Prints wall time of each (best of --repeats runs, sides
alternating, so a noisy moment on this shared machine does not decide) and the ratio,
the overlap of the pruned-weight masks, and perplexity on held-out text (FOLIO NL).
"""

from __future__ import annotations

import argparse
import time

import torch

from benchmarks.prune_quality import heldout_text, perplexity
from reasoning.models import HFBackend
from reasoning.models.embedded import resolve_named
from reasoning.prune import prune
from reasoning.prune.calibration import default_texts
from reasoning.prune.layers import all_matrices


def theirs(path, method: str, sparsity: float, texts: list[str], seq_len: int) -> HFBackend:
    from datasets import Dataset
    from llmcompressor import oneshot
    from llmcompressor.modifiers.obcq import SparseGPTModifier
    from llmcompressor.modifiers.pruning import WandaPruningModifier

    backend = HFBackend.load(str(path), device="cpu")
    modifier = {"wanda": WandaPruningModifier, "sparsegpt": SparseGPTModifier}[method]
    # the plain name "lm_head" in `ignore` did not stop 0.14 from pruning lm_head (and, tied,
    # the embeddings) to 50 %; its regex form does. Both sides keep lm_head dense.
    recipe = modifier(
        sparsity=sparsity, mask_structure="0:0", targets=["Linear"], ignore=["re:.*lm_head"]
    )
    oneshot(
        model=backend.model,
        tokenizer=backend.tokenizer,
        dataset=Dataset.from_dict({"text": texts}),
        recipe=recipe,
        num_calibration_samples=len(texts),
        max_seq_length=seq_len,
        shuffle_calibration_samples=False,
    )
    return backend


def masks(backend: HFBackend) -> dict[str, torch.Tensor]:
    return {m.name: m.weight() == 0 for m in all_matrices(backend.model)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sparsity", type=float, default=0.5)
    parser.add_argument("--n-calibration", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument(
        "--repeats", type=int, default=2, help="runs per side; the best wall time is kept"
    )
    args = parser.parse_args()
    path = resolve_named("smollm2-135m")
    texts = default_texts(args.n_calibration)
    heldout = heldout_text()
    print(
        f"smollm2-135m, {args.sparsity:.0%} unstructured, {len(texts)} calibration texts, "
        f"seq_len {args.seq_len}, CPU ({torch.get_num_threads()} threads)"
    )
    print(
        f"{'method':<10} {'ours s':>7} {'theirs s':>9} {'ratio':>6} {'mask overlap':>13} "
        f"{'ppl ours':>9} {'ppl theirs':>11} {'ppl gap':>8}"
    )
    for method in ("wanda", "sparsegpt"):
        t_ours = t_theirs = float("inf")
        for _ in range(args.repeats):  # alternate sides, keep each side's best time
            ours = HFBackend.load(str(path), device="cpu")
            start = time.perf_counter()
            prune(
                ours.model,
                method,
                args.sparsity,
                calibration=texts,
                tokenizer=ours.tokenizer,
                n_calibration=len(texts),
                seq_len=args.seq_len,
            )
            t_ours = min(t_ours, time.perf_counter() - start)
            start = time.perf_counter()
            other = theirs(path, method, args.sparsity, texts, args.seq_len)
            t_theirs = min(t_theirs, time.perf_counter() - start)
        a, b = masks(ours), masks(other)
        both = sum(int((a[k] & b[k]).sum()) for k in a)
        either = sum(int((a[k] | b[k]).sum()) for k in a)
        p_ours, p_theirs = perplexity(ours, heldout), perplexity(other, heldout)
        print(
            f"{method:<10} {t_ours:>7.1f} {t_theirs:>9.1f} {t_ours / t_theirs:>6.2f} "
            f"{both / either:>13.3f} {p_ours:>9.2f} {p_theirs:>11.2f} "
            f"{(p_ours - p_theirs) / p_theirs:>+8.1%}"
        )


if __name__ == "__main__":
    main()
