"""A trained model's two tables (issue 15): accuracy by hardness (beside
SmolLM2-135M-Instruct, zero-shot and k-shot, on the easy levels) and survival under pruning.

    reasoning train -o runs/reasoner && python benchmarks/train_embedded.py --model runs/reasoner
    python benchmarks/train_embedded.py --model DIR -n 50 --no-smollm2 --no-survival

Held-out items come from the evaluation seed range (seed 1; KGQA on the default graph,
kg_seed 0, which the model never trained on); greedy, strict verifiers. Survival: the same
items through the dense model and through magnitude / Wanda / SparseGPT at 50 % and 70 %
and Wanda 2:4 (each pruned from a fresh copy; Wanda and SparseGPT calibrate on the model's
own training mixture drawn from the suite's calibration range), with each cell's accuracy
drop in points against dense.
"""

from __future__ import annotations

import argparse
import time

from evals.fewshot import shot_prompts
from evals.stats import wilson_interval
from evals.variants import build_variant, parse_variants
from reasoning.models import HFBackend
from reasoning.models.embedded import local_directory
from reasoning.prune.calibration import calibration_items, training_record
from reasoning.train.heldout import accuracy_table
from reasoning.train.mixture import DEFAULT_FAMILIES, heldout_items

SURVIVAL = (
    "dense,magnitude:0.5,wanda:0.5,sparsegpt:0.5,magnitude:0.7,wanda:0.7,sparsegpt:0.7,wanda:2:4"
)
EASY = {"logicasker steps=1", "nlsat n_vars=3", "kgqa hops=1", "fol task=entail sentences=2"}
SMOL_TOKENS = 24  # SmolLM2 answers in a sentence; the worked tables are the embedded model's


def pct(x: float) -> str:
    return f"{100 * x:.1f}"


def accuracy_section(args, cells) -> None:
    started = time.perf_counter()
    model = HFBackend.load(args.model, device="cpu")
    ours = accuracy_table(model, cells)
    print(f"\n## Accuracy by hardness — {args.model} ({time.perf_counter() - started:.0f} s)\n")
    columns = ["cell", "n", args.model, "95 % CI", "tokens/answer"]
    smol_rows = {}
    if args.smollm2:
        try:
            smol = HFBackend.load("smollm2-135m", device="cpu")
        except Exception as exc:  # the wheel is optional: say so and go on
            print(f"(SmolLM2 not available: {exc})\n")
        else:
            easy = [
                c
                for c in cells
                if f"{c[0]} " + " ".join(f"{k}={v}" for k, v in c[1].items()) in EASY
            ]
            items = [it for _, _, c in easy for it in c]
            shots = shot_prompts(items, args.shots, seed=0)
            zero = accuracy_table(smol, easy, batch_size=8, max_new_tokens=SMOL_TOKENS)
            few = accuracy_table(
                smol, easy, batch_size=8, max_new_tokens=SMOL_TOKENS, prompts=shots
            )
            smol_rows = {r["cell"]: (r, f) for r, f in zip(zero, few, strict=True)}
            columns += ["SmolLM2 0-shot", f"SmolLM2 {args.shots}-shot"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in ours:
        low, high = wilson_interval(row["correct"], row["n"])
        line = [row["cell"], str(row["n"]), pct(row["accuracy"]), f"{pct(low)}–{pct(high)}",
                f"{row['completion_tokens']:.0f}"]  # fmt: skip
        if smol_rows:
            zero, few = smol_rows.get(row["cell"], (None, None))
            line += [pct(zero["accuracy"]) if zero else "", pct(few["accuracy"]) if few else ""]
        print("| " + " | ".join(line) + " |")


def survival_section(args, cells) -> None:
    specs = parse_variants(args.variants)
    calibration = calibration_items(args.n_calibration, model_dir=local_directory(args.model))
    table: dict[str, list[dict]] = {}
    for spec in specs:
        started = time.perf_counter()
        backend, _ = build_variant(
            spec, lambda: HFBackend.load(args.model, device="cpu"), calibration
        )
        table[spec.name] = accuracy_table(backend, cells)
        print(f"  {spec.name}: {time.perf_counter() - started:.0f} s", flush=True)
    dense = table[specs[0].name]
    names = [s.name for s in specs]
    print(f"\n## Survival — {args.model}: accuracy % (drop in points vs {names[0]})\n")
    print("| cell | n | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for i, base in enumerate(dense):
        line = [base["cell"], str(base["n"]), pct(base["accuracy"])]
        for name in names[1:]:
            acc = table[name][i]["accuracy"]
            line.append(f"{pct(acc)} ({100 * (acc - base['accuracy']):+.0f})")
        print("| " + " | ".join(line) + " |")
    mean = {n: sum(r["accuracy"] for r in table[n]) / len(table[n]) for n in names}
    print("| mean | | " + " | ".join(
        pct(mean[n]) + ("" if n == names[0] else f" ({100 * (mean[n] - mean[names[0]]):+.0f})")
        for n in names) + " |")  # fmt: skip
    retention = {n: mean[n] / mean[names[0]] if mean[names[0]] else 0.0 for n in names}
    print(
        "\nretention (mean accuracy / dense): "
        + ", ".join(f"{n} {retention[n]:.2f}" for n in names)
    )


def _families(args) -> list[str]:
    """--families, else those the model was trained on (its training.json), else the
    trainer's defaults: a family the model never saw would only add minutes of noise."""
    if args.families:
        return [f.strip() for f in args.families.split(",") if f.strip()]
    record = training_record(local_directory(args.model))
    if record is not None and record.get("config", {}).get("families"):
        return list(record["config"]["families"])
    return list(DEFAULT_FAMILIES)


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--model", required=True, help="a model directory or bundled name")
    p.add_argument("-n", type=int, default=100, help="held-out items per cell")
    p.add_argument("--variants", default=SURVIVAL)
    p.add_argument("--n-calibration", type=int, default=32)
    p.add_argument("--shots", type=int, default=3, help="SmolLM2's k-shot column")
    p.add_argument("--no-smollm2", dest="smollm2", action="store_false")
    p.add_argument("--no-survival", dest="survival", action="store_false")
    p.add_argument(
        "--families", default=None,
        help="comma-separated (default: the families in the model's training.json)",
    )  # fmt: skip
    args = p.parse_args()
    cells = heldout_items(_families(args), args.n)
    accuracy_section(args, cells)
    if args.survival:
        survival_section(args, cells)


if __name__ == "__main__":
    main()
