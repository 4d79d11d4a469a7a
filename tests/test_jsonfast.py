"""jsonfast.loads skips its walk over a parsed line only where the walk could find nothing."""

from __future__ import annotations

import json

import pytest

from trendscore import jsonfast
from trendscore.jsonfast import MAX_DEPTH, JSONDepthError, RawNumber, loads


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


def _loads_before(text):
    """jsonfast.loads as it was before issue 15 (e80e4ac): the walk on every parsed line."""
    try:
        obj = jsonfast.orjson.loads(text)
    except jsonfast.orjson.JSONDecodeError:
        pass
    else:
        if not jsonfast._floats_within_depth(obj) or not jsonfast._INEXACT.search(text):
            return obj
    return loads(text)  # the exact path, unchanged


@pytest.mark.parametrize("depth", [1, 2, 150, 199, 200, 201, 202, 400])
@pytest.mark.parametrize("inner", ["1", "2.5", "1e300", "1e-400", "123456789012345678", '"x"', "{}", "[]"])
def test_same_result_as_before(depth, inner):
    line = _nested(depth, inner)
    try:
        want = ("ok", repr(_loads_before(line)))
    except ValueError as exc:
        want = ("error", type(exc).__name__, str(exc))
    try:
        got = ("ok", repr(loads(line)))
    except ValueError as exc:
        got = ("error", type(exc).__name__, str(exc))
    assert got == want
