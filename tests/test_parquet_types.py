"""`label in.parquet -o out.parquet` (and `--output-dir`): the input's own columns come out with
the input's Arrow types and values, on every back-end. They had been inferred from the plain
values records travel as: an int32 column came out int64, a date or a timestamp as ISO text,
a decimal as a float, bytes as text (or base64), a dictionary column as text; a uint64 beyond
int64, and a map column, were refused."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from click.testing import CliRunner

from trendscore.cli import main

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ROWS = 600


def _gap(i, value):
    """Null every seventh row."""
    return None if i % 7 == 3 else value


def _table():
    """A column of each common Arrow type (and ``body``, the text), in row groups of 100."""
    r = range(ROWS)
    day = dt.date(2026, 1, 5)
    moment = dt.datetime(2026, 1, 5, 1, 2, 3, 456789)
    columns = {
        "body": pa.array([f"短剧出海 passage {i} about overseas markets and policy {'x' * 120}" for i in r]),
        "i8": pa.array([_gap(i, i % 100 - 50) for i in r], pa.int8()),
        "i16": pa.array([_gap(i, i * 3) for i in r], pa.int16()),
        "i32": pa.array([_gap(i, i * 1000) for i in r], pa.int32()),
        "u8": pa.array([_gap(i, i % 256) for i in r], pa.uint8()),
        "u32": pa.array([_gap(i, 4_000_000_000 + i) for i in r], pa.uint32()),
        "u64": pa.array([_gap(i, 2**64 - 1 - i) for i in r], pa.uint64()),
        "f16": pa.array([_gap(i, i / 4) for i in r], pa.float32()).cast(pa.float16()),
        "f32": pa.array([_gap(i, i / 3) for i in r], pa.float32()),
        "flag": pa.array([_gap(i, i % 2 == 0) for i in r]),
        "big_text": pa.array([_gap(i, f"t{i}") for i in r], pa.large_string()),
        "raw": pa.array([_gap(i, b"\xff\x00" if i % 2 else b"ok") for i in r], pa.binary()),
        "big_raw": pa.array([_gap(i, bytes([i % 256])) for i in r], pa.large_binary()),
        "fixed": pa.array([_gap(i, b"\x01\xfe") for i in r], pa.binary(2)),
        "day": pa.array([_gap(i, day + dt.timedelta(days=i)) for i in r], pa.date32()),
        "day64": pa.array([_gap(i, day - dt.timedelta(days=i)) for i in r], pa.date64()),
        "at_ms": pa.array([_gap(i, moment.replace(microsecond=456000) + dt.timedelta(hours=i)) for i in r],
                          pa.timestamp("ms")),
        "at_us": pa.array([_gap(i, moment + dt.timedelta(seconds=i)) for i in r], pa.timestamp("us")),
        "at_ns": pa.array([_gap(i, 1_767_574_923_123_456_789 + i) for i in r], pa.timestamp("ns")),
        "at_zone": pa.array([_gap(i, moment + dt.timedelta(minutes=i)) for i in r],
                            pa.timestamp("us", tz="Asia/Shanghai")),
        "at_utc": pa.array([_gap(i, moment) for i in r], pa.timestamp("ms", tz="UTC")),
        "clock": pa.array([_gap(i, dt.time(i % 24, 2, 3, 4)) for i in r], pa.time64("us")),
        "clock_ms": pa.array([_gap(i, dt.time(1, i % 60, 3)) for i in r], pa.time32("ms")),
        "took": pa.array([_gap(i, dt.timedelta(seconds=i, microseconds=7)) for i in r], pa.duration("us")),
        "price": pa.array([_gap(i, decimal.Decimal(i) / 100) for i in r], pa.decimal128(10, 2)),
        "account": pa.array([_gap(i, decimal.Decimal(12345678901234567891 + i)) for i in r], pa.decimal128(20, 0)),
        "wide": pa.array([_gap(i, decimal.Decimal("1.250")) for i in r], pa.decimal256(40, 3)),
        "outlet": pa.array([_gap(i, ["新华社", "人民日报"][i % 2]) for i in r]).dictionary_encode(),
        "ranks": pa.array([_gap(i, [i, i + 1] if i % 5 else []) for i in r], pa.list_(pa.int32())),
        "steps": pa.array([_gap(i, [i % 3]) for i in r], pa.large_list(pa.int16())),
        "meta": pa.array([_gap(i, {"n": i, "src": None if i % 2 else "wire"}) for i in r],
                         pa.struct([("n", pa.int32()), ("src", pa.string())])),
        "counts": pa.array([_gap(i, [("views", i)]) for i in r], pa.map_(pa.string(), pa.int32())),
        "nothing": pa.nulls(ROWS),
        "labels": pa.array([_gap(i, ["policy"] if i % 2 else []) for i in r], pa.list_(pa.string())),
    }
    return pa.table(columns)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("types") / "in.parquet"
    pq.write_table(_table(), path, row_group_size=100)
    return str(path)


BACKENDS = [
    pytest.param([], id="one-process"),
    pytest.param(["--jobs", "2"], id="jobs"),
    pytest.param(["--scheduler", "local:2", "--block-mb", "0.02"], id="dask", marks=pytest.mark.slow),
]


def _label(args, text="body"):
    result = CliRunner().invoke(main, ["label", *args, "--text-column", text, "-q"])
    assert result.exit_code == 0, result.stderr
    return result


@pytest.mark.parametrize("into", ["file", "dir"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_parquet_inputs_own_columns_keep_their_types_and_values(tmp_path, source, backend, into):
    """Every column of the input, with its type, values and nulls (``body`` as ``text``, its
    own ``labels`` as ``labels_input``); the columns labelling adds keep their fixed types."""
    import pyarrow.dataset as ds

    if backend[:1] == ["--scheduler"]:
        pytest.importorskip("distributed")
    if into == "file":
        target = tmp_path / "out.parquet"
        _label([source, "-o", str(target), *backend])
        table = pq.read_table(target)
    else:
        target = tmp_path / "parts"
        _label([source, "--output-dir", str(target), *backend])
        if backend:  # the workers read the row groups themselves, a part each run of them
            assert len(list(target.glob("part-*.parquet"))) > 1
        table = ds.dataset(str(target)).to_table()
    given = pq.read_table(source)
    names = {"body": "text", "labels": "labels_input"}
    assert table.num_rows == ROWS
    for field in given.schema:
        out = names.get(field.name, field.name)
        assert table.schema.field(out).type == field.type, field.name
        assert table.column(out).to_pylist() == given.column(field.name).to_pylist(), field.name
    assert table.schema.field("labels").type == pa.list_(pa.string())
    assert table.schema.field("score_policy").type == pa.float64()


def test_a_type_not_carried_is_given_the_type_of_its_values(tmp_path):
    """A fixed-size list is not carried: its column is a list of the values' type, as before."""
    path = tmp_path / "in.parquet"
    pairs = pa.array([[1, 2], None], pa.list_(pa.int32(), 2))
    pq.write_table(pa.table({"text": ["短剧出海", "政策"], "pair": pairs, "n": pa.array([1, 2], pa.int16())}), path)
    _label([str(path), "-o", str(tmp_path / "out.parquet")], text="text")
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.field("pair").type == pa.list_(pa.int64())
    assert table.column("pair").to_pylist() == [[1, 2], None]
    assert table.schema.field("n").type == pa.int16()


@pytest.mark.parametrize("into", ["file", "dir"])
def test_two_inputs_giving_a_field_two_types_give_it_the_type_both_widen_to(tmp_path, into):
    """int16 in one file and int32 in another: int32 (both had been int64)."""
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pq.write_table(pa.table({"text": ["短剧出海"], "n": pa.array([1], pa.int16()), }), first)
    pq.write_table(pa.table({"text": ["政策"], "n": pa.array([70000], pa.int32()), }), second)
    if into == "file":
        _label([str(first), str(second), "-o", str(tmp_path / "out.parquet")], text="text")
        table = pq.read_table(tmp_path / "out.parquet")
    else:
        import pyarrow.dataset as ds

        _label([str(first), str(second), "--output-dir", str(tmp_path / "parts")], text="text")
        table = ds.dataset(str(tmp_path / "parts")).to_table()
    assert table.schema.field("n").type == pa.int32()
    assert table.column("n").to_pylist() == [1, 70000]


@pytest.mark.parametrize("backend", [[], ["--jobs", "2"]])
@pytest.mark.parametrize("into", ["file", "dir"])
def test_a_later_input_is_not_held_to_the_types_of_the_first(tmp_path, into, backend):
    """A first file longer than the writer's first batch gives ``n`` int32 and ``at`` a
    timestamp; a second gives ``n`` values past int32 and ``at`` text. The first file alone
    had fixed the output's types, and the second was refused; the inputs' footers are now
    joined before any row is read: ``n`` int64, ``at`` inferred (text), every value kept."""
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    rows = 5000
    moment = dt.datetime(2024, 5, 1, 8, 0)
    pq.write_table(pa.table({
        "text": [f"短剧出海 第{i}条" for i in range(rows)],
        "n": pa.array(range(rows), pa.int32()),
        "at": pa.array([moment] * rows, pa.timestamp("us")),
    }), first)
    pq.write_table(pa.table({"text": ["政策"], "n": pa.array([2**40], pa.int64()), "at": ["last spring"]}), second)
    if into == "file":
        _label([str(first), str(second), "-o", str(tmp_path / "out.parquet"), *backend], text="text")
        table = pq.read_table(tmp_path / "out.parquet")
    else:
        import pyarrow.dataset as ds

        _label([str(first), str(second), "--output-dir", str(tmp_path / "parts"), *backend], text="text")
        table = ds.dataset(str(tmp_path / "parts")).to_table()
    assert table.num_rows == rows + 1
    assert table.schema.field("n").type == pa.int64()
    assert sorted(table.column("n").to_pylist())[-2:] == [rows - 1, 2**40]
    assert table.schema.field("at").type == pa.string()
    assert set(table.column("at").to_pylist()) == {"2024-05-01T08:00:00", "last spring"}
