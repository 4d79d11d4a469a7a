"""Properties of the writers (issue 14): any record round-trips through jsonl and csv output
with nothing lost, and every kind of output path gets its documented outcome."""

import csv
import io
import json
import os
import stat
import threading
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trendscore.errors import InputError
from trendscore.io.atomic import AtomicOutput, check_output_path
from trendscore.io.jsonfast import RawNumber, dumps, dumps_line, dumps_line_bytes, loads
from trendscore.io.writers import RecordWriter

THEMES = ["policy", "culture"]
_RESERVED = {"labels", "scores", "explain", "score_policy", "score_culture"}

# JSON numbers as a person or another program may write them, within and beyond float range
number_texts = st.one_of(
    st.integers(min_value=-(10**60), max_value=10**60).map(str),
    st.from_regex(r"\A-?(0|[1-9][0-9]{0,30})(\.[0-9]{1,30})?([eE][-+]?[0-9]{1,3})?\Z"),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    number_texts.map(lambda t: loads(t)),
)
keys = st.text(min_size=1, max_size=12).filter(lambda k: k not in _RESERVED)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4))
records = st.dictionaries(keys, values, max_size=6)


def _same(a, b) -> bool:
    """Equal as JSON values, numbers compared by their exact decimal value."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, bool) or a is None or isinstance(a, str):
        return type(a) is type(b) and a == b
    return not isinstance(b, (bool, str)) and b is not None and Decimal(str(a)) == Decimal(str(b))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(records)
def test_any_record_round_trips_through_jsonl(record):
    line = dumps_line(record)
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert _same(record, loads(line))


@settings(max_examples=300, deadline=None)
@given(records)
def test_bytes_line_is_the_text_line_in_utf8(record):
    """Workers hand the writer bytes: the same as the text line encoded, for any record
    (lone surrogates and numbers no float holds take the standard library's path)."""
    assert dumps_line_bytes(record) == dumps_line(record).encode("utf-8")


def test_bytes_line_escapes_lone_surrogates_as_the_text_line_does():
    record = {"text": "a\ud800b", "n": loads('{"n": 1e400}')["n"], "labels": []}
    want = b'{"text":"a\\ud800b","n":1e400,"labels":[]}\n'
    assert dumps_line_bytes(record) == dumps_line(record).encode("utf-8") == want


@pytest.mark.parametrize("text", ["0.0003E-320", "3e-324", "-2.5e-323", "1e-310", "4.9406564584124654e-324", "5e-324"])
def test_subnormal_numbers_come_out_as_they_went_in(text):
    # a subnormal float holds fewer than 15 digits: 3e-324 reads as 5e-324 (found by the test below)
    out = dumps(loads('{"n": ' + text + "}"))
    assert Decimal(out[len('{"n":') : -1]) == Decimal(text)


@settings(max_examples=300, deadline=None)
@given(number_texts)
def test_numbers_come_out_as_they_went_in(text):
    out = dumps(loads('{"n": ' + text + "}"))
    written = out[len('{"n":') : -1]
    assert Decimal(written) == Decimal(text)
    if "e" not in text.lower() and "." not in text:
        assert written == str(int(text))  # integers digit for digit


@settings(max_examples=100, deadline=None)
@given(st.lists(records, min_size=1, max_size=5))
def test_any_records_round_trip_through_csv(batch):
    batch = [{k: v for k, v in r.items() if not _has_surrogate(v)} for r in batch]
    buf = io.StringIO()
    with RecordWriter(buf, "csv", THEMES) as writer:
        for r in batch:
            writer.write({**r, "labels": ["policy"], "scores": {"policy": 0.5, "culture": 0.25}})
    header = next(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    assert len(rows) == len(batch)
    columns = list(dict.fromkeys(k for r in batch for k in r))
    assert header == columns + ["labels", "score_policy", "score_culture"]
    for record, row in zip(batch, rows):
        for key in columns:
            value = record.get(key)
            if isinstance(value, str):
                assert row[key] == value
            elif value is None:
                assert row[key] == ""
            else:
                assert _same(value, loads(row[key]))
        assert (row["labels"], row["score_policy"], row["score_culture"]) == ("policy", "0.5", "0.25")


def _has_surrogate(value) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in json.dumps(value, ensure_ascii=False))


def test_a_lone_surrogate_in_csv_output_is_refused(tmp_path):
    out = tmp_path / "out.csv"
    with pytest.raises(InputError, match="lone surrogate"):
        with AtomicOutput(str(out)) as fh, RecordWriter(fh, "csv", []) as writer:
            writer.write({"text": "a\ud800b", "labels": [], "scores": {}})
    assert list(tmp_path.iterdir()) == []


def test_raw_numbers_are_floats_for_arithmetic():
    n = loads('{"n": 1e400}')["n"]
    assert isinstance(n, RawNumber) and n == float("inf") and n.text == "1e400"


# ---------------------------------------------------------------- output path kinds

KINDS = ["new", "existing", "symlink", "dangling symlink", "fifo", "dev null", "directory", "input", "hard link"]


def _make(kind, tmp, mode, src):
    path = tmp / "out"
    if kind == "existing":
        path.write_text("old")
        path.chmod(mode)
    elif kind == "symlink":
        (tmp / "real").write_text("old")
        (tmp / "real").chmod(mode)
        path.symlink_to(tmp / "real")
    elif kind == "dangling symlink":
        path.symlink_to(tmp / "real")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev null":
        return "/dev/null"
    elif kind == "directory":
        path.mkdir()
    elif kind == "input":
        return str(src)
    elif kind == "hard link":
        os.link(src, path)
    return str(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), mode=st.sampled_from([0o600, 0o640, 0o644, 0o664, 0o700, 0o755]))
def test_every_output_path_kind_gets_its_documented_outcome(tmp_path_factory, kind, mode):
    if kind == "dev null" and not stat.S_ISCHR(os.stat("/dev/null").st_mode):
        return
    tmp = tmp_path_factory.mktemp("kind")
    src = tmp / "in.jsonl"
    src.write_text('{"text": "x"}\n')
    out = _make(kind, tmp, mode, src)
    before = sorted(p.name for p in tmp.iterdir())
    if kind in ("directory", "input", "hard link"):
        with pytest.raises(InputError, match="is a directory|also an input"):
            check_output_path(out, [str(src)])
        assert sorted(p.name for p in tmp.iterdir()) == before
        assert src.read_text() == '{"text": "x"}\n'
        return
    check_output_path(out, [str(src)])
    got = []
    reader = None
    if kind == "fifo":

        def read():
            with open(out, "rb") as fh:
                got.append(fh.read())

        reader = threading.Thread(target=read)
        reader.start()
    with AtomicOutput(out) as fh:
        fh.write("new\n")
    if reader is not None:
        reader.join(10)
        assert got == [b"new\n"] and stat.S_ISFIFO(os.stat(out).st_mode)
    elif kind == "dev null":
        assert stat.S_ISCHR(os.stat(out).st_mode)
    else:
        with open(out) as fh:
            assert fh.read() == "new\n"
        if kind in ("existing", "symlink"):
            assert stat.S_IMODE(os.stat(out).st_mode) == mode  # kept
        if kind in ("symlink", "dangling symlink"):
            assert os.path.islink(out) and (tmp / "real").read_text() == "new\n"
    assert not [p for p in tmp.iterdir() if p.name.endswith(".part")]
