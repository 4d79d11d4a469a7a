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
