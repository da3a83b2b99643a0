"""Local Hugging Face transformers models on CPU or CUDA.

Greedy output never depends on batch size or on which prompts share a batch: greedy
prompts of any lengths are decoded together by `batching.greedy_batch` (prompts prefilled
packed, each attending to itself only; decode steps batched with row-wise attention over a
left-padded cache and a fixed row granularity; exact on CPU), or, for attention it does
not compute (soft-capped, a short sliding window: `batching.supports`), one at a time
through HF `generate`. lm-evaluation-harness's scores move with batch size because padded
rows change the numerics (its issues #1645, #3055). Sampled
generation runs one prompt at a time through HF `generate`, seeded with `settings.seed`:
a sample depends on its prompt, settings and seed only, never on the prompts that came
with it, so a resumed (cached) run draws what an uninterrupted one would. n samples of a
prompt use one seed each (`base.sample_settings`).

Chat: `chat` renders each conversation with the model's chat template (`render_chat`) and
generates from it exactly as `generate` does from a rendered prompt.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import torch

from reasoning.core import ConfigError
from reasoning.models import batching
from reasoning.models.base import (
    BackendError,
    Completion,
    GenerationSettings,
    Message,
    check_conversations,
    plain_text,
    truncate_at_stop,
)
from reasoning.models.batching import greedy_batch

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def check_device(device: str | None) -> None:
    """ConfigError unless `device` is None (automatic), cpu, cuda, cuda:N or mps, and
    present on this machine."""
    if device is None:
        return
    match = re.fullmatch(r"(cpu|mps|cuda)(?::(\d{1,4}))?", str(device))
    if match is None or (match[2] is not None and match[1] != "cuda"):
        raise ConfigError(f"device {device!r} is not one of cpu, cuda, cuda:N, mps")
    if match[1] == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"device {device!r}: CUDA is not available on this machine")
        if match[2] is not None and int(match[2]) >= torch.cuda.device_count():
            raise ConfigError(
                f"device {device!r}: this machine has {torch.cuda.device_count()} CUDA device(s)"
            )
    if match[1] == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(f"device {device!r}: MPS is not available on this machine")


def pick_device(device: str | None = None) -> torch.device:
    """CUDA when present (unless told otherwise), else CPU; ConfigError (one line) for a
    device that is not cpu, cuda, cuda:N or mps, or is not present here."""
    if device:
        check_device(device)
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def weights_fingerprint(model) -> str:
    """sha256 over every parameter and buffer (names, shapes, dtypes, bytes): a pruned
    model (its mask is in its zeros) never shares it with the full one. Cost: one pass over
    the weights, ~1 s per 100M parameters on 2 CPU cores."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().to("cpu").contiguous()
        digest.update(f"{name}|{tuple(t.shape)}|{t.dtype}".encode())
        digest.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return "hf-" + digest.hexdigest()[:32]


class HFBackend:
    """A causal LM and its tokenizer. Build with `HFBackend.load(path_or_hub_id)` or wrap
    an in-memory model (e.g. a freshly pruned one)."""

    def __init__(self, model, tokenizer, name: str = "model") -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.device = next(model.parameters()).device

    @classmethod
    def load(cls, source: str, device: str | None = None, dtype: str = "auto") -> HFBackend:
        """A local model directory, a named offline model (see `embedded.NAMED`), or a hub
        id (only when a hub is reachable)."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from reasoning.models.embedded import is_named, resolve_named

        path = resolve_named(source) if is_named(source) else source
        target = pick_device(device)
        if dtype != "auto" and dtype not in DTYPES:
            raise BackendError(f"dtype {dtype!r} not one of auto, {', '.join(DTYPES)}")
        torch_dtype = DTYPES.get(dtype, torch.float32 if target.type == "cpu" else "auto")
        local = Path(path).exists()
        try:
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local)
            model = AutoModelForCausalLM.from_pretrained(
                path, dtype=torch_dtype, local_files_only=local
            )
        except (OSError, ValueError) as exc:
            hint = "" if local else " (not a local directory; is a model hub reachable?)"
            raise BackendError(f"cannot load model {source!r}{hint}: {exc}") from None
        return cls(model.to(target), tokenizer, name=source)

    # ------------------------------------------------------------ prompts and tokens
    def render(self, prompt: str, settings: GenerationSettings) -> tuple[str, bool]:
        """(text fed to the model, whether a chat template was applied)."""
        if settings.chat and getattr(self.tokenizer, "chat_template", None):
            messages = [{"role": "user", "content": prompt}]
            text = self.tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, tokenize=False
            )
            return text, True
        return prompt, False

    def encode(self, text: str, templated: bool) -> list[int]:
        return self.tokenizer(text, add_special_tokens=not templated)["input_ids"]

    def _eos_ids(self) -> set[int]:
        ids = {self.tokenizer.eos_token_id}
        extra = getattr(self.model.generation_config, "eos_token_id", None)
        ids |= set(extra) if isinstance(extra, list) else {extra}
        return {i for i in ids if i is not None}

    # ------------------------------------------------------------ generation
    def generate(self, prompts: Sequence[str], settings: GenerationSettings) -> list[Completion]:
        return self.generate_rendered([self.render(p, settings) for p in prompts], settings)

    def render_chat(self, messages: Sequence[Message], template: bool = True) -> tuple[str, bool]:
        """A whole chat (system/user/assistant turns) as model input: (text, whether the
        chat template was applied). Without a template (none asked for, or the model has
        none) the contents joined by blank lines (`base.plain_text`). The template may
        raise for a conversation it does not accept (e.g. a system turn)."""
        if template and getattr(self.tokenizer, "chat_template", None):
            text = self.tokenizer.apply_chat_template(
                list(messages), add_generation_prompt=True, tokenize=False
            )
            return text, True
        return plain_text(messages), False

    def chat(
        self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings
    ) -> list[Completion]:
        """The next assistant turn of each conversation, in order (see `Backend.chat`):
        BackendError for a malformed conversation before any generation; a conversation
        the chat template refuses, or one too long for the model, is an error Completion.
        One user message gives the same text as `generate` of its content."""
        checked = check_conversations(conversations)
        results: list[Completion | None] = [None] * len(checked)
        rendered, where = [], []
        for i, messages in enumerate(checked):
            try:
                rendered.append(self.render_chat(messages, template=settings.chat))
                where.append(i)
            except Exception as exc:  # noqa: BLE001 - the model's own template judges the turns
                reason = " ".join(str(exc).split())[:200]
                results[i] = Completion("", 0, 0, "error", f"chat template refused: {reason}")
        for i, out in zip(where, self.generate_rendered(rendered, settings), strict=True):
            results[i] = out
        return [r for r in results if r is not None]

    def generate_rendered(
        self, rendered: Sequence[tuple[str, bool]], settings: GenerationSettings
    ) -> list[Completion]:
        """Generate from already-rendered inputs: (text, whether a template was applied)."""
        encoded = [self.encode(text, templated) for text, templated in rendered]
        results: list[Completion | None] = [None] * len(encoded)
        limit = getattr(self.model.config, "max_position_embeddings", None)
        fits = []
        for i, ids in enumerate(encoded):
            if limit and len(ids) + settings.max_new_tokens > limit:
                results[i] = Completion(
                    "", len(ids), 0, "error",
                    f"prompt of {len(ids)} tokens + max_new_tokens "
                    f"exceeds the model's {limit} positions",
                )  # fmt: skip
            else:
                fits.append(i)
        for batch in self._batches(fits, encoded, settings):
            try:
                longest = max(len(encoded[i]) for i in batch) + settings.max_new_tokens
                if settings.temperature > 0 or not batching.supports(self.model, longest):
                    outs = [self._generate_batch([encoded[i]], settings)[0] for i in batch]
                else:
                    outs = self._greedy_batch([encoded[i] for i in batch], settings)
            except (RuntimeError, ValueError) as exc:  # e.g. out of memory
                outs = [
                    Completion("", len(encoded[i]), 0, "error", f"{type(exc).__name__}: {exc}")
                    for i in batch
                ]
            for i, out in zip(batch, outs, strict=True):
                results[i] = out
        return [r for r in results if r is not None]

    @staticmethod
    def _batches(
        indices: list[int], encoded: list[list[int]], settings: GenerationSettings
    ) -> list[list[int]]:
        """Greedy: prompts sorted by length, `batch_size` at a time (the batch does not
        change a prompt's output). Sampled: one prompt at a time, so that a sample depends on
        its own prompt and seed only (rows sampled together share one random stream, and a
        batch's numerics differ in the last bits from a single row's)."""
        if settings.temperature == 0:
            order = sorted(indices, key=lambda i: len(encoded[i]))
            size = settings.batch_size
            return [order[k : k + size] for k in range(0, len(order), size)]
        return [[i] for i in indices]

    def _pad_id(self, eos: set[int]) -> int:
        pad = self.tokenizer.pad_token_id
        return pad if pad is not None else min(eos or {0})

    def _greedy_batch(
        self, rows: list[list[int]], settings: GenerationSettings
    ) -> list[Completion]:
        eos = self._eos_ids()

        def finished(_: int, tokens: list[int]) -> bool:
            if tokens[-1] in eos:
                return True
            if not settings.stop:
                return False
            return truncate_at_stop(self.tokenizer.decode(tokens), settings.stop)[1]

        with torch.inference_mode():
            outs = greedy_batch(
                self.model, rows, settings.max_new_tokens, self._pad_id(eos), finished
            )
        return [
            self._completion(out, len(ids), eos, settings)
            for out, ids in zip(outs, rows, strict=True)
        ]

    def _completion(
        self, row: list[int], prompt_tokens: int, eos: set[int], settings: GenerationSettings
    ) -> Completion:
        """The Completion for generated token ids (cut at the first end-of-text token)."""
        cut = next((k for k, t in enumerate(row) if t in eos), None)
        tokens = row if cut is None else row[:cut]
        text = self.tokenizer.decode(tokens, skip_special_tokens=True)
        text, stopped = truncate_at_stop(text, settings.stop)
        reason = "stop" if (cut is not None or stopped) else "length"
        return Completion(text, prompt_tokens, len(tokens), reason)

    def _generate_batch(
        self, rows: list[list[int]], settings: GenerationSettings
    ) -> list[Completion]:
        """Rows of equal length through HF `generate` (used one row at a time: for sampling,
        see `_batches`, and for greedy decoding of attention `greedy_batch` does not
        compute), seeded with `settings.seed`."""
        ids = torch.tensor(rows, device=self.device)
        eos = self._eos_ids()
        kwargs = dict(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=settings.max_new_tokens,
            pad_token_id=self._pad_id(eos),
            eos_token_id=sorted(eos) or None,
        )
        if settings.temperature > 0:
            kwargs.update(do_sample=True, temperature=settings.temperature, top_p=settings.top_p)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if settings.stop:
            kwargs.update(stop_strings=list(settings.stop), tokenizer=self.tokenizer)
        with torch.inference_mode(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(settings.seed)
            out = self.model.generate(**kwargs)
        return [
            self._completion(row, ids.shape[1], eos, settings)
            for row in out[:, ids.shape[1] :].tolist()
        ]

    # ------------------------------------------------------------ scoring closed answers
    def loglikelihood(
        self, prompt: str, choices: Sequence[str], settings: GenerationSettings | None = None
    ) -> list[float]:
        """Sum of log-probabilities of each choice's tokens after the (rendered) prompt."""
        settings = settings or GenerationSettings()
        text, templated = self.render(prompt, settings)
        context = self.encode(text, templated)
        scores = []
        for choice in choices:
            full = self.encode(text + choice, templated)
            cont = full[len(context) :] or self.encode(choice, True)
            ids = torch.tensor([context + cont], device=self.device)
            with torch.inference_mode():
                logits = self.model(ids).logits[0, len(context) - 1 : -1].float()
            logprobs = torch.log_softmax(logits, dim=-1)
            target = torch.tensor(cont, device=self.device)
            scores.append(float(logprobs.gather(1, target[:, None]).sum()))
        return scores

    # ------------------------------------------------------------ identity
    def fingerprint(self) -> str:
        """`weights_fingerprint` of the model as it is now (never remembered: `prune`
        changes a model in place, and a remembered hash would still name the dense
        weights)."""
        return weights_fingerprint(self.model)
