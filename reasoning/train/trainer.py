"""Train the embedded model: a small LlamaForCausalLM on generated items (prompt ->
'Answer: ...'), loss on the answer tokens (plus a small weight on the prompt's tokens),
CPU or CUDA, resumable from its last checkpoint.

One pass over `steps * batch_size` training items, each seen once, in an order fixed by
the seed; the tokenizer is trained on the same items first. Every `eval_every` steps the
held-out accuracy (evaluation-range items, strict verifiers, greedy) is printed; at the
end the model, its tokenizer and `training.json` are written with `save_pretrained`.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reasoning.core import ConfigError, OutputError
from reasoning.train.mixture import DEFAULT_FAMILIES

CHECKPOINT = "checkpoint"


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides the trained weights (recorded in training.json)."""

    families: tuple[str, ...] = DEFAULT_FAMILIES
    parts: tuple[str, ...] = ()  # explicit parts ("nlsat:n_vars=3+4@0.3"); replace defaults
    steps: int = 4000
    batch_size: int = 16
    seed: int = 0
    # peak learning rate: at 3e-3 the model learns surface cues but not to match a name
    # against its prompt (benchmarks/copy_probe.py: no copying in 300 steps; 1e-3 copies)
    lr: float = 1e-3
    warmup: float = 0.03
    weight_decay: float = 0.05
    prompt_loss_weight: float = 0.2
    hidden_size: int = 256
    layers: int = 4
    heads: int = 4
    intermediate_size: int = 768
    vocab_size: int = 2048
    max_positions: int = 1024
    heldout_per_cell: int = 100
    eval_every: int = 1000
    checkpoint_every: int = 200
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        for name in ("steps", "batch_size", "hidden_size", "layers", "heads", "vocab_size",
                     "heldout_per_cell", "checkpoint_every"):  # fmt: skip
            if getattr(self, name) < 1:
                raise ConfigError(f"{name}={getattr(self, name)} must be >= 1")
        if self.eval_every < 0:
            raise ConfigError(f"eval_every={self.eval_every} must be >= 0 (0: only at the end)")
        if self.hidden_size % self.heads:
            raise ConfigError(f"hidden_size={self.hidden_size} is not a multiple of heads")
        if not 0 < self.lr < 1:
            raise ConfigError(f"lr={self.lr} must be in (0, 1)")
        if self.vocab_size < 300:
            raise ConfigError(f"vocab_size={self.vocab_size} must be >= 300 (bytes + merges)")


def model_config(cfg: TrainConfig, tokenizer):
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=cfg.hidden_size,
        intermediate_size=cfg.intermediate_size,
        num_hidden_layers=cfg.layers,
        num_attention_heads=cfg.heads,
        num_key_value_heads=cfg.heads,
        max_position_embeddings=cfg.max_positions,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def encode_items(items, tokenizer, max_positions: int) -> list[tuple[list[int], int]]:
    """(token ids, prompt length) per item: the prompt as a backend encodes it (with the
    beginning token), then '\\n' + the family's oracle answer and the end token. Items
    longer than `max_positions` are dropped. Each distinct item is encoded once, in one
    batch call (per-call overhead dominated the set-up of a 64,000-item mixture)."""
    from reasoning.registry import get_family

    items = list(items)
    unique = list({item.id: item for item in items}.values())
    index = {item.id: k for k, item in enumerate(unique)}
    prompts = tokenizer([it.prompt for it in unique])["input_ids"] if unique else []
    answers = [f"\n{get_family(it.family).target(it)}" for it in unique]
    targets = tokenizer(answers, add_special_tokens=False)["input_ids"] if unique else []
    out = []
    for item in items:
        k = index[item.id]
        ids = prompts[k] + targets[k] + [tokenizer.eos_token_id]
        if len(ids) <= max_positions:
            out.append((ids, len(prompts[k])))
    return out


def batches(encoded, batch_size: int, seed: int) -> list[list[int]]:
    """Indices in batches of similar length (sorted within windows of 32 batches, then the
    batches shuffled): little padding, an order fixed by the seed."""
    order = list(range(len(encoded)))
    random.Random(seed).shuffle(order)
    window = batch_size * 32
    out = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: len(encoded[i][0]))
        out.extend(chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size))
    random.Random(seed + 1).shuffle(out)
    return out


def tensors(encoded, batch: list[int], pad: int, device):
    """input ids, attention mask and per-token loss weights (1 on answer tokens, 0 on pad;
    the prompt's weight is applied by the loss)."""
    import torch

    width = max(len(encoded[i][0]) for i in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    answer = torch.zeros((len(batch), width), dtype=torch.bool)
    for row, i in enumerate(batch):
        tokens, prompt_len = encoded[i]
        ids[row, : len(tokens)] = torch.tensor(tokens)
        mask[row, : len(tokens)] = 1
        answer[row, prompt_len : len(tokens)] = True
    return ids.to(device), mask.to(device), answer.to(device)


def loss_of(model, ids, mask, answer, prompt_weight: float):
    """Mean cross-entropy over answer tokens + prompt_weight x mean over prompt tokens."""
    import torch.nn.functional as F

    logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
    target = ids[:, 1:]
    ce = F.cross_entropy(logits.transpose(1, 2), target, reduction="none")
    is_answer = answer[:, 1:]
    is_prompt = mask[:, 1:].bool() & ~is_answer
    answer_loss = ce[is_answer].mean()
    if prompt_weight > 0 and is_prompt.any():
        return answer_loss + prompt_weight * ce[is_prompt].mean(), answer_loss
    return answer_loss, answer_loss


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to a tenth."""
    warm = max(1, int(cfg.warmup * cfg.steps))
    if step < warm:
        return cfg.lr * (step + 1) / warm
    frac = (step - warm) / max(1, cfg.steps - warm)
    return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))


def check_output_dir(out: Path, cfg: TrainConfig) -> dict | None:
    """The checkpoint state to resume from (same config), None to start fresh;
    OutputError for a finished model or a checkpoint of another config."""
    if (out / "training.json").exists():
        raise OutputError(f"{out} already holds a trained model (training.json); choose another -o")
    state_file = out / CHECKPOINT / "state.json"
    if state_file.exists():
        state = json.loads(state_file.read_text())
        if state.get("config") != _jsonable(cfg):
            raise OutputError(
                f"{out}/{CHECKPOINT} was written by a different training config; "
                "choose another -o or delete it"
            )
        return state
    if out.exists() and any(out.iterdir()):
        raise OutputError(f"{out} exists and is not empty; choose another -o")
    return None


def _jsonable(cfg: TrainConfig) -> dict:
    return json.loads(json.dumps(asdict(cfg)))


def save_checkpoint(out: Path, model, optimizer, step: int, cfg: TrainConfig, log: list) -> None:
    """Model + optimizer + step into out/checkpoint, swapped in atomically."""
    import torch

    partial = out / f"{CHECKPOINT}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    torch.save(
        {"model": model.state_dict(), "optimizer": optimizer.state_dict()}, partial / "state.pt"
    )
    state = {"step": step, "config": _jsonable(cfg), "log": log}
    (partial / "state.json").write_text(json.dumps(state))
    final = out / CHECKPOINT
    old = out / f"{CHECKPOINT}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(partial, final)
    shutil.rmtree(old, ignore_errors=True)


def train(
    cfg: TrainConfig,
    out: str | os.PathLike[str],
    command: str = "",
    device=None,
    quiet: bool = False,
    jobs: int = 1,
) -> dict:
    """Train, save to `out` (model, tokenizer, training.json) and return the record.
    `jobs` worker processes generate the training items (the same items for any number)."""
    import torch
    from tqdm import tqdm
    from transformers import LlamaForCausalLM

    from reasoning.models.hf import HFBackend, pick_device
    from reasoning.registry import get_family
    from reasoning.train.heldout import accuracy_table, format_table
    from reasoning.train.mixture import heldout_items, resolve_parts, training_items
    from reasoning.train.tokenizer import build_tokenizer

    cfg.validate()
    out = Path(out)
    parts = resolve_parts(cfg.parts, cfg.families)
    resume = check_output_dir(out, cfg)
    started = time.time()
    target = pick_device(device)
    total = cfg.steps * cfg.batch_size
    with tqdm(total=total, desc="generate training items", unit="item", disable=quiet) as bar:
        items = training_items(parts, total, cfg.seed, progress=bar, jobs=jobs)
    families = sorted({p.family for p in parts})
    heldout = heldout_items(families, cfg.heldout_per_cell)
    train_prompts = {it.prompt for it in items}
    overlap = sum(it.prompt in train_prompts for _, _, cell in heldout for it in cell)
    tokenizer = build_tokenizer(
        (it.prompt + "\n" + get_family(it.family).target(it) for it in items), cfg.vocab_size
    )
    encoded = encode_items(items, tokenizer, cfg.max_positions)
    order = batches(encoded, cfg.batch_size, cfg.seed)
    torch.manual_seed(cfg.seed)
    model = LlamaForCausalLM(model_config(cfg, tokenizer)).to(target)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.95)
    )
    step, log = 0, []
    if resume is not None:
        blob = torch.load(out / CHECKPOINT / "state.pt", map_location=target)
        model.load_state_dict(blob["model"])
        optimizer.load_state_dict(blob["optimizer"])
        step, log = resume["step"], resume["log"]
    resumed_from = step
    out.mkdir(parents=True, exist_ok=True)
    n_params = sum(p.numel() for p in model.parameters())
    tokens_seen, train_seconds = 0, 0.0
    bar = tqdm(total=len(order), initial=step, desc="train", unit="step", disable=quiet)
    while step < len(order):
        model.train()
        tick = time.time()
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, cfg)
        ids, mask, answer = tensors(encoded, order[step], tokenizer.pad_token_id, target)
        loss, answer_loss = loss_of(model, ids, mask, answer, cfg.prompt_loss_weight)
        answer_loss = float(answer_loss.detach())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        tokens_seen += int(mask.sum())
        train_seconds += time.time() - tick
        bar.update(1)
        bar.set_postfix(loss=f"{answer_loss:.3f}", tok_s=f"{tokens_seen / train_seconds:.0f}")
        if cfg.eval_every and step % cfg.eval_every == 0 and step < len(order):
            model.eval()
            small = [(f, k, c[: max(1, cfg.heldout_per_cell // 6)]) for f, k, c in heldout]
            rows = accuracy_table(HFBackend(model, tokenizer, "training"), small)
            log.append(
                {
                    "step": step,
                    "answer_loss": answer_loss,
                    "accuracy": {r["cell"]: r["accuracy"] for r in rows},
                }
            )
            bar.write(
                f"step {step}: "
                + ", ".join(f"{r['cell']} {100 * r['accuracy']:.0f}%" for r in rows)
            )
        if step % cfg.checkpoint_every == 0 and step < len(order):
            save_checkpoint(out, model, optimizer, step, cfg, log)
    bar.close()
    model.eval()
    rows = accuracy_table(HFBackend(model, tokenizer, "trained"), heldout)
    if not quiet:
        print(format_table(rows))
    record = {
        "command": command,
        "config": _jsonable(cfg),
        "parts": [p.label() for p in parts],
        "training_seed_range": "training_seed(seed) = 2**41 + seed",
        "heldout_seed": heldout[0][2][0].meta.get("seed") if heldout and heldout[0][2] else None,
        "items": len(items),
        "distinct_items": len({it.id for it in items}),
        "items_encoded": len(encoded),
        "heldout_prompts_seen_in_training": overlap,
        "parameters": n_params,
        "tokens": tokens_seen,
        "tokens_per_second": round(tokens_seen / train_seconds, 1) if train_seconds else None,
        "wall_seconds": round(time.time() - started, 1),
        "resumed_from_step": resumed_from,  # >0: wall time and tokens/s cover the last part
        "device": str(target),
        "torch_threads": torch.get_num_threads(),
        "heldout": rows,
        "log": log,
    }
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    shutil.rmtree(out / CHECKPOINT, ignore_errors=True)
    return record
