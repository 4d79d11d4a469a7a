"""jsonfast.loads: the depth limit at its boundary, and numbers orjson may round read exactly."""

from __future__ import annotations

import json

import pytest

from trendscore.io.jsonfast import MAX_DEPTH, JSONDepthError, RawNumber, loads


def _nested(depth: int, inner: str = "1") -> str:
    return '{"text": "a", "x": ' + "[" * (depth - 1) + inner + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("inner", ["1", "1.5", "12345678901234567.5", '"[[[["'])
def test_depth_limit_holds_at_the_boundary(inner):
    assert loads(_nested(MAX_DEPTH, inner))["text"] == "a"
    with pytest.raises(JSONDepthError, match="nested deeper than 200 levels"):
        loads(_nested(MAX_DEPTH + 1, inner))


def test_brackets_inside_strings_do_not_refuse_a_shallow_line():
    line = json.dumps({"text": "[" * 500 + "{" * 500, "x": [[1.25]]})
    assert loads(line)["x"] == [[1.25]]


@pytest.mark.parametrize(
    "line, want",
    [
        ('{"text": "a", "n": 12345678901234567890123}', 12345678901234567890123),
        ('{"text": "a", "n": 1.5, "m": 12345678901234567890123}', 12345678901234567890123),
        ('{"text": "a", "n": 1.5, "m": 1e400}', "1e400"),
        ('{"text": "a", "n": 0.1234567890123456789}', "0.1234567890123456789"),
    ],
)
def test_numbers_orjson_may_round_are_read_exactly(line, want):
    got = loads(line)["m" if '"m"' in line else "n"]
    if isinstance(want, str):
        assert isinstance(got, RawNumber) and got.text == want
    else:
        assert got == want and type(got) is int


def test_a_record_of_too_many_values_is_refused_and_one_just_below_is_read():
    from trendscore.io.jsonfast import MAX_VALUES, check_size

    below = '{"text": "a", "v": [' + "0," * (MAX_VALUES - 4) + "0]}"  # commas and brackets: one short
    assert len(loads(below)["v"]) == MAX_VALUES - 3
    with pytest.raises(JSONDepthError, match="more than 4,000,000 values"):
        loads('{"text": "a", "v": [' + "0," * MAX_VALUES + "0]}")
    check_size("," * (2 * MAX_VALUES))  # too short to hold that many values: not counted
    text = "长" * (3 * MAX_VALUES)  # a long text without commas is no bomb
    assert loads(f'{{"text": "{text}"}}')["text"] == text
