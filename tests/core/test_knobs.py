from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reasoning.core import ConfigError, build_config, check_knobs, knob, knob_table, knob_values


@dataclass(frozen=True)
class Toy:
    size: int = knob(3, "a size", low=1, high=10)
    rate: float = knob(0.5, "a rate", low=0.0, high=1.0)
    mode: str = knob("a", "a mode", choices=("a", "b"))
    flag: bool = knob(False, "a flag")

    def validate(self) -> None:
        check_knobs(self)


def test_table_lists_every_knob_with_type_and_default():
    table = knob_table(Toy)
    assert [(k.name, k.type, k.default) for k in table] == [
        ("size", int, 3),
        ("rate", float, 0.5),
        ("mode", str, "a"),
        ("flag", bool, False),
    ]
    assert table[0].allowed() == "1..10"
    assert table[2].allowed() == "a | b"


@given(st.integers())
def test_int_range_is_enforced(value):
    if 1 <= value <= 10:
        assert build_config(Toy, {"size": value}).size == value
    else:
        with pytest.raises(ConfigError, match=r"size=.*allowed: 1\.\.10"):
            build_config(Toy, {"size": value})


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float_range_is_enforced(value):
    if 0.0 <= value <= 1.0:
        assert build_config(Toy, {"rate": value}).rate == value
    else:
        with pytest.raises(ConfigError):
            build_config(Toy, {"rate": value})


def test_text_values_are_parsed_by_type():
    config = build_config(Toy, {"size": "7", "rate": "0.25", "mode": "b", "flag": "yes"})
    assert knob_values(config) == {"size": 7, "rate": 0.25, "mode": "b", "flag": True}


@pytest.mark.parametrize(
    "overrides, pattern",
    [
        ({"sise": 3}, "unknown knob.*sise.*known knobs: size, rate, mode, flag"),
        ({"size": "three"}, "not a valid int"),
        ({"size": True}, "should be a int"),
        ({"mode": "c"}, r"allowed: a \| b"),
        ({"rate": "nan"}, "not a valid float"),
    ],
)
def test_bad_knobs_name_the_knob_and_allowed_values(overrides, pattern):
    with pytest.raises(ConfigError, match=pattern):
        build_config(Toy, overrides)
