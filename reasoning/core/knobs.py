"""Knobs: typed, documented, range-checked fields of a family's `Config` dataclass.

A family declares each knob with `knob(default, help, low=, high=, choices=)`; this module
lists them (`knob_table`), parses them from the command line (`parse_knob_value`), builds a
validated config from user overrides (`build_config`) and checks ranges (`check_knobs`).
Every failure is a `ConfigError` naming the knob, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass
from typing import Any

from reasoning.core.errors import ConfigError

_SCALARS = (bool, int, float, str)


@dataclass(frozen=True)
class KnobSpec:
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class KnobInfo:
    """One knob as listed by `reasoning families`."""

    name: str
    type: type
    default: Any
    spec: KnobSpec

    def allowed(self) -> str:
        """The allowed values in words, e.g. '1..500' or 'rules | relative'."""
        if self.spec.choices is not None:
            return " | ".join(self.spec.choices)
        if self.type is bool:
            return "true | false"
        if self.type is str:
            return "text (see the description)"
        low = "-inf" if self.spec.low is None else _fmt(self.spec.low)
        high = "inf" if self.spec.high is None else _fmt(self.spec.high)
        return f"{low}..{high}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def knob(
    default: Any,
    help: str,
    *,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] | None = None,
) -> Any:
    """Declare a knob field on a frozen Config dataclass."""
    spec = KnobSpec(help=help, low=low, high=high, choices=choices)
    return dataclasses.field(default=default, metadata={"knob": spec})


def knob_table(config_cls: type) -> list[KnobInfo]:
    """Every knob of a Config class, in declaration order."""
    hints = typing.get_type_hints(config_cls)
    infos = []
    for f in dataclasses.fields(config_cls):
        spec = f.metadata.get("knob")
        if spec is None:
            continue
        kind = hints[f.name]
        if kind not in _SCALARS:
            raise TypeError(f"knob {f.name} has unsupported type {kind!r}")
        infos.append(KnobInfo(name=f.name, type=kind, default=f.default, spec=spec))
    return infos


def parse_knob_value(info: KnobInfo, text: str) -> Any:
    """Turn command-line text into a knob value of the knob's type."""
    text = text.strip()
    try:
        if info.type is bool:
            low = text.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if info.type is int:
            return int(text)
        if info.type is float:
            value = float(text)
            if not math.isfinite(value):
                raise ValueError
            return value
        return text
    except ValueError:
        raise ConfigError(
            f"knob {info.name}={text!r} is not a valid {info.type.__name__}; "
            f"allowed: {info.allowed()}"
        ) from None


def _coerce(info: KnobInfo, value: Any) -> Any:
    if isinstance(value, str) and info.type is not str:
        return parse_knob_value(info, value)
    if info.type is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def check_knobs(config: Any) -> None:
    """Check every knob's type and range; raise ConfigError naming the first bad one."""
    for info in knob_table(type(config)):
        value = getattr(config, info.name)
        if info.type is bool:
            ok_type = isinstance(value, bool)
        elif info.type is int:
            ok_type = isinstance(value, int) and not isinstance(value, bool)
        elif info.type is float:
            ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok_type = isinstance(value, str)
        if not ok_type:
            raise ConfigError(
                f"knob {info.name}={value!r} should be a {info.type.__name__}; "
                f"allowed: {info.allowed()}"
            )
        if info.spec.choices is not None and value not in info.spec.choices:
            raise ConfigError(
                f"knob {info.name}={value!r} is not allowed; allowed: {info.allowed()}"
            )
        if info.type in (int, float):
            if isinstance(value, float) and not math.isfinite(value):
                raise ConfigError(f"knob {info.name}={value!r} must be finite")
            too_low = info.spec.low is not None and value < info.spec.low
            too_high = info.spec.high is not None and value > info.spec.high
            if too_low or too_high:
                raise ConfigError(
                    f"knob {info.name}={value!r} is out of range; allowed: {info.allowed()}"
                )


def build_config(config_cls: type, overrides: dict[str, Any]) -> Any:
    """A validated Config from user overrides (values may be typed or command-line text)."""
    table = {info.name: info for info in knob_table(config_cls)}
    unknown = sorted(set(overrides) - set(table))
    if unknown:
        raise ConfigError(f"unknown knob(s) {', '.join(unknown)}; known knobs: {', '.join(table)}")
    values = {name: _coerce(table[name], value) for name, value in overrides.items()}
    config = config_cls(**values)
    config.validate()
    return config


def knob_values(config: Any) -> dict[str, Any]:
    """The knob values of a config as a plain dict (the instance's `hardness`)."""
    return {info.name: getattr(config, info.name) for info in knob_table(type(config))}


def parse_range(name: str, text: str, low: int, high: int) -> tuple[int, int]:
    """A range knob written 'A-B' (or 'A' for A-A) within low..high, as (A, B)."""
    parts = str(text).split("-")
    try:
        if len(parts) == 1:
            lo = hi = int(parts[0])
        elif len(parts) == 2:
            lo, hi = int(parts[0]), int(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"knob {name}={text!r} is not a range; write A-B or A with {low} <= A <= B <= {high}"
        ) from None
    if not low <= lo <= hi <= high:
        raise ConfigError(
            f"knob {name}={text!r} is out of range; allowed: {low} <= A <= B <= {high}"
        )
    return lo, hi
