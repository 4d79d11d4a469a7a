"""jsonfast.loads: the depth limit at its boundary, and numbers orjson may round read exactly."""

from __future__ import annotations

import json
import re

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


IDS = ["-0", "1.50", "1e3", "1E+3", "-0.0", "1.0", "0.1", "7", "0", "123456789012345678901234567890", '"a7"']


def test_label_writes_an_id_as_the_user_wrote_it(tmp_path, run):
    """A JSON number id had come out as the number's value written anew: ``-0`` as ``0``, ``1e3``
    as ``1000.0``, ``1.50`` as ``1.5``. An id now comes out as written, in JSON Lines and CSV."""
    path = tmp_path / "ids.jsonl"
    path.write_text("".join(f'{{"id": {i}, "text": "短剧出海东南亚", "n": 1.50}}\n' for i in IDS), "utf-8")
    out = run("label", path, "--quiet").stdout.splitlines()
    assert [line.split(",", 1)[0] for line in out] == [f'{{"id":{i}' for i in IDS]
    assert all('"text":"短剧出海东南亚"' in line for line in out)  # UTF-8, not escaped, as other lines
    assert all('"n":1.5,' in line for line in out)  # other numbers keep their value
    cells = run("label", path, "--quiet", "--format", "csv").stdout.splitlines()[1:]
    assert [line.split(",", 1)[0] for line in cells] == [i.strip('"') for i in IDS]
    renamed = tmp_path / "renamed.jsonl"
    renamed.write_text(path.read_text("utf-8").replace('"id"', '"key"'), "utf-8")
    out = run("label", renamed, "--quiet", "--id-column", "key").stdout.splitlines()
    assert [re.search(r'"id":([^,]*),', line).group(1) for line in out] == IDS


def test_a_record_written_exactly_writes_nan_and_infinities_as_orjson_does():
    """A record holding a number orjson cannot write (an integer past 64 bits) is written by
    the exact writer; a NaN beside it had stopped the job with a traceback ('nan is not a JSON
    number') where orjson writes null."""
    import math

    from trendscore.io.jsonfast import dumps, dumps_line_bytes

    plain = {"a": math.nan, "b": math.inf, "c": [-math.inf, 1.5]}
    record = {**plain, "big": 2**70}
    assert dumps(plain) == '{"a":null,"b":null,"c":[null,1.5]}'
    assert dumps(record) == '{"a":null,"b":null,"c":[null,1.5],"big":1180591620717411303424}'
    assert dumps_line_bytes(record) == (dumps(record) + "\n").encode("utf-8")
