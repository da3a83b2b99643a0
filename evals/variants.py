"""Variants: the dense model and its compressed versions, each just a backend.

`--variants dense,magnitude:0.5,wanda:0.5,sparsegpt:0.5,wanda:2:4,layers:0.25` names
variants pruned on the fly from the same base; `NAME=DIR` a pruned checkpoint directory;
`NAME=URL` (with a model name) an OpenAI-compatible endpoint serving one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reasoning.core import ConfigError, Instance
from reasoning.prune.api import METHODS, check_prune_args

_NAME = re.compile(r"[A-Za-z0-9_.:+-]{1,64}")


@dataclass(frozen=True)
class VariantSpec:
    """One variant: pruned on the fly (`method`, `sparsity` or `pattern`), a checkpoint
    directory (`directory`), an endpoint (`url`), or the dense base (all None)."""

    name: str
    method: str | None = None
    sparsity: float | None = None
    pattern: str | None = None
    directory: str | None = None
    url: str | None = None

    @property
    def dense(self) -> bool:
        return self.method is None and self.directory is None and self.url is None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def parse_variant(text: str) -> VariantSpec:
    """'dense', 'METHOD:SPARSITY' or 'METHOD:N:M' -> a VariantSpec; ConfigError otherwise.

    >>> parse_variant("wanda:2:4")
    VariantSpec(name='wanda:2:4', method='wanda', sparsity=None, pattern='2:4', directory=None, url=None)
    """  # noqa: E501
    text = text.strip()
    if text == "dense":
        return VariantSpec("dense")
    method, _, rest = text.partition(":")
    if method not in METHODS:
        raise ConfigError(
            f"variant {text!r}: unknown method {method!r}; use dense or one of "
            f"{', '.join(METHODS)} as METHOD:SPARSITY or METHOD:N:M"
        )
    if rest.count(":") == 1:
        check_prune_args(method, None, rest)
        return VariantSpec(text, method, pattern=rest)
    try:
        sparsity = float(rest)
    except ValueError:
        raise ConfigError(f"variant {text!r}: expected METHOD:SPARSITY (e.g. wanda:0.5)") from None
    if not 0.0 < sparsity < 1.0:
        raise ConfigError(f"variant {text!r}: sparsity must be in (0, 1)")
    check_prune_args(method, sparsity, None)
    return VariantSpec(text, method, sparsity=sparsity)


def parse_variants(
    spec: str = "dense", directories: Sequence[str] = (), urls: Sequence[str] = ()
) -> list[VariantSpec]:
    """Variants from `--variants` (comma-separated), `--variant-dir NAME=DIR` and
    `--variant-url NAME=URL`; dense always first (every comparison is against it), names
    unique."""
    variants = [parse_variant(part) for part in spec.split(",") if part.strip()]
    for kind, pairs in (("directory", directories), ("url", urls)):
        for pair in pairs:
            name, sep, target = pair.partition("=")
            if not sep or not _NAME.fullmatch(name) or not target:
                raise ConfigError(f"--variant-{kind[:3]} expects NAME=TARGET, got {pair!r}")
            variants.append(VariantSpec(name, **{kind: target}))
    if not any(v.dense for v in variants):
        variants.insert(0, VariantSpec("dense"))
    names = [v.name for v in variants]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"variant name(s) used twice: {', '.join(repeated)}")
    return sorted(variants, key=lambda v: not v.dense)


def build_variant(
    spec: VariantSpec,
    load_base: Callable[[], object],
    calibration: Sequence[Instance] | None = None,
    model_name: str | None = None,
    device: str | None = None,
    dtype: str = "auto",
    seed: int = 0,
):
    """(backend, pruning report dict or None) for one variant. Pruned variants start from a
    fresh copy of the base (`load_base()`), so no variant sees another's pruning."""
    from reasoning.models import HFBackend, OpenAIBackend

    if spec.url is not None:
        return OpenAIBackend(model_name or spec.name, base_url=spec.url), None
    if spec.directory is not None:
        return HFBackend.load(spec.directory, device=device, dtype=dtype), None
    backend = load_base()
    if spec.dense:
        return backend, None
    from reasoning.prune import prune

    report = prune(
        backend.model,
        spec.method,
        spec.sparsity,
        spec.pattern,
        calibration,
        backend.tokenizer,
        n_calibration=len(calibration) if calibration else 32,
        seed=seed,
        device=device,
    )
    backend.name = spec.name
    return backend, report.to_json()  # with the pruned weights' fingerprint


def describe_variant(
    spec: VariantSpec, backend, pruning: dict | None, seconds: float, **extra
) -> dict:
    """A variant's entry in results.json: name, spec, the fingerprint of the weights that
    answered, the pruning report, wall time, and any `extra` fields (e.g. signals)."""
    return {
        "name": spec.name,
        "spec": spec.to_dict(),
        "fingerprint": backend.fingerprint(),
        "pruning": pruning,
        "seconds": round(seconds, 3),
        **extra,
    }
