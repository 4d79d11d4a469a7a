"""A catalogue of real-world input shapes, each with its expected passages or one-line error,
run through the CLI (``trendscore label``) and the API (``trendscore.read``).

Encoded files are written by Python's own codecs (GBK, GB18030, Big5, UTF-16/32 ...), so
the bytes are what those encoders produce, not what trendscore expects."""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import io
import json
import zipfile
from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import trendscore
from trendscore import InputError
from trendscore.cli import main

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

T1 = "海淀区发布微短剧扶持政策，支持企业落户"
T2 = "短剧出海东南亚市场，平台下载量大增"
TRAD1 = "臺北市發布微短劇扶持政策，支持企業落戶"
TRAD2 = "短劇出海東南亞市場，平臺下載量大增"
ROWS = [{"id": "1", "text": T1, "date": "2026-01-05"}, {"id": "2", "text": T2, "date": "2026-01-06"}]


def _jsonl(rows=ROWS) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _csv(delimiter=",", rows=ROWS, header=("id", "text", "date"), newline="\n") -> str:
    out = delimiter.join(header) + newline
    for r in rows:
        out += delimiter.join(str(r[h]) for h in ("id", "text", "date")) + newline
    return out


def _parquet(rows) -> bytes:
    return _parquet_table(pa.Table.from_pylist(rows))


def _parquet_table(table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _zst(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return zstandard.ZstdCompressor().compress(data)


def _zip(data: bytes) -> bytes:
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as z:
        z.writestr("a.jsonl", data)
    return sink.getvalue()


@dataclass
class Shape:
    name: str  # the file's name ("" for standard input only)
    data: object  # bytes, or a callable giving them (for optional packages)
    texts: list[str] | None = None  # the passages expected, in order
    error: str | None = None  # or the message expected after "Error: FILE[:LINE]: "
    args: list[str] = field(default_factory=list)  # CLI options
    kwargs: dict = field(default_factory=dict)  # the same for trendscore.read
    stdin: bool = False  # also read it from standard input (no name to go by)

    def content(self) -> bytes:
        return self.data() if callable(self.data) else self.data


SHAPES = {
    # ---- encodings
    "jsonl UTF-8": Shape("a.jsonl", _jsonl().encode(), [T1, T2], stdin=True),
    "jsonl UTF-8 with BOM": Shape("a.jsonl", b"\xef\xbb\xbf" + _jsonl().encode(), [T1, T2], stdin=True),
    "jsonl UTF-16 with BOM": Shape("a.jsonl", _jsonl().encode("utf-16"), [T1, T2], stdin=True),
    "jsonl UTF-16-LE without BOM": Shape("a.jsonl", _jsonl().encode("utf-16-le"), [T1, T2], stdin=True),
    "jsonl UTF-16-BE without BOM": Shape("a.jsonl", _jsonl().encode("utf-16-be"), [T1, T2]),
    "jsonl UTF-32 with BOM": Shape("a.jsonl", _jsonl().encode("utf-32"), [T1, T2], stdin=True),
    "jsonl UTF-16-BE forced": Shape(
        "a.jsonl",
        _jsonl().encode("utf-16-be"),
        [T1, T2],
        args=["--encoding", "utf-16-be"],
        kwargs={"encoding": "utf-16-be"},
    ),
    "jsonl UTF-32 forced": Shape(
        "a.jsonl", _jsonl().encode("utf-32"), [T1, T2], args=["--encoding", "utf-32"], kwargs={"encoding": "utf-32"}
    ),
    "text GBK": Shape("gov.txt", f"{T1}\n\n{T2}\n".encode("gbk"), [T1, T2], stdin=True),
    "text GB18030": Shape("gov.txt", f"{T1}\n\n{T2}\n".encode("gb18030"), [T1, T2]),
    "text Big5": Shape("hk.txt", f"{TRAD1}\n\n{TRAD2}\n".encode("big5"), [TRAD1, TRAD2], stdin=True),
    "CSV Big5": Shape(
        "tw.csv",
        _csv(rows=[{**ROWS[0], "text": TRAD1}, {**ROWS[1], "text": TRAD2}]).encode("big5"),
        [TRAD1, TRAD2],
    ),
    "jsonl GBK": Shape("a.jsonl", _jsonl().encode("gbk"), [T1, T2]),
    "a headline in Big5": Shape("h.txt", "短劇出海".encode("big5"), ["短劇出海"]),
    "Shift-JIS (not chosen on its own)": Shape(
        "jp.txt",
        "日本のショートドラマ市場が拡大している。".encode("shift_jis"),
        error=":1: invalid UTF-8 bytes, and no other encoding fits clearly",
    ),
    "cp1252 (refused, then forced)": Shape(
        "fr.txt",
        "Le marché des séries courtes a grandi.".encode("cp1252"),
        error=":1: invalid UTF-8 bytes, and no other encoding fits clearly",
    ),
    "cp1252 forced": Shape(
        "fr.txt",
        "Le marché des séries courtes a grandi.".encode("cp1252"),
        ["Le marché des séries courtes a grandi."],
        args=["--encoding", "cp1252"],
        kwargs={"encoding": "cp1252"},
    ),
    "a non-text codec": Shape(
        "a.jsonl",
        _jsonl().encode(),
        error="'rot13' is not a text encoding; pass a text encoding such as utf-8 or gb18030",
        args=["--encoding", "rot13"],
        kwargs={"encoding": "rot13"},
    ),
    "an unknown codec": Shape(
        "a.jsonl",
        _jsonl().encode(),
        error="'klingon' is an unknown encoding",
        args=["--encoding", "klingon"],
        kwargs={"encoding": "klingon"},
    ),
    # ---- CSV dialects and quirks
    "CSV comma": Shape("a.csv", _csv().encode(), [T1, T2], stdin=True),
    "CSV semicolon": Shape("a.csv", _csv(";").encode(), [T1, T2], stdin=True),
    "TSV": Shape("a.tsv", _csv("\t").encode(), [T1, T2]),
    "tab-separated without extension": Shape("export", _csv("\t").encode(), [T1, T2], stdin=True),
    "CSV CRLF line ends": Shape("a.csv", _csv(newline="\r\n").encode(), [T1, T2]),
    "CSV quoted newline and BOM": Shape(
        "a.csv", '\ufeffid,text\n1,"第一行\n第二行"\n2,短剧出海\n'.encode(), ["第一行\n第二行", "短剧出海"], stdin=True
    ),
    "CSV row short of the text field": Shape(
        "a.csv",
        f"id,date,text\n1,2026-01-05,{T1}\n2,2026-01-06\n".encode(),
        error=":3: 2 fields, fewer than the 3 the header has",
    ),
    "CSV row with an extra field": Shape(
        "a.csv", f"id,text\n1,{T1}\n2,{T2},x\n".encode(), error=":3: more fields than the header has"
    ),
    "CSV header only": Shape("a.csv", b"id,text,date\n", error="empty input: no passages found"),
    # a one-column CSV (pandas' Series.to_csv) without a .csv name had been read as plain text:
    # one passage "text T1T2", the header its first word and the rows joined
    "one-column CSV without extension": Shape("texts", f"text\n{T1}\n{T2}\n".encode(), [T1, T2], stdin=True),
    "one-column CSV with a BOM and CRLF": Shape(
        "texts", f"\ufefftext\r\n{T1}\r\n{T2}\r\n".encode(), [T1, T2], stdin=True
    ),
    "one-column CSV, a comma unquoted": Shape("texts.txt", f"text\n{T1}\n{T2}, 出海\n".encode(), [T1, f"{T2}, 出海"]),
    "CSV without a text column": Shape(
        "a.csv", b"id,body\n1,x\n", error=":1: CSV has no 'text' column (columns: id, body)", stdin=True
    ),
    "CSV --text-column": Shape(
        "a.csv",
        _csv(header=("id", "body", "published")).encode(),
        [T1, T2],
        args=["--text-column", "body", "--date-column", "published"],
        kwargs={"text_column": "body", "date_column": "published"},
    ),
    "CSV --text-column beside a text column": Shape(
        "a.csv",
        b"text,body\nx,y\n",
        error=":1: CSV has both a 'body' and a 'text' column",
        args=["--text-column", "body"],
        kwargs={"text_column": "body"},
    ),
    "CSV --date-column missing": Shape(
        "a.csv",
        _csv().encode(),
        error=":1: CSV has no 'published' column, the one named to hold the date",
        args=["--date-column", "published"],
        kwargs={"date_column": "published"},
    ),
    "prose with commas stays text": Shape(
        "notes",
        b"In 2025, the market grew.\nBy 2026, it doubled.\n",
        ["In 2025, the market grew. By 2026, it doubled."],
        stdin=True,
    ),
    # ---- compressed
    "jsonl.gz": Shape("a.jsonl.gz", gzip.compress(_jsonl().encode()), [T1, T2], stdin=True),
    "jsonl.bz2": Shape("a.jsonl.bz2", bz2.compress(_jsonl().encode()), [T1, T2], stdin=True),
    "jsonl.zst": Shape("a.jsonl.zst", lambda: _zst(_jsonl().encode()), [T1, T2], stdin=True),
    "csv.gz (semicolon)": Shape("a.csv.gz", gzip.compress(_csv(";").encode()), [T1, T2]),
    "GBK text gzipped without extension": Shape("dump", gzip.compress(f"{T1}\n\n{T2}\n".encode("gbk")), [T1, T2]),
    "UTF-16 forced on a file without a mark": Shape(
        "a.jsonl",
        _jsonl().encode("utf-16-le"),
        error=":1: UTF-16 stream does not start with BOM; name the byte order in the encoding: utf-16-le or utf-16-be",
        args=["--encoding", "utf-16"],
        kwargs={"encoding": "utf-16"},
    ),
    "a truncated gzip": Shape("a.jsonl.gz", gzip.compress(_jsonl().encode() * 50)[:60], error="damaged gzip data"),
    "a ZIP archive": Shape("a.zip", _zip(_jsonl().encode()), error=":1: looks like a ZIP archive, not text; unzip it"),
    "an xz archive": Shape("a.jsonl.xz", b"\xfd7zXZ\x00" + bytes(30), error=":1: looks like an xz archive"),
    # ---- Parquet
    "Parquet": Shape("a.parquet", lambda: _parquet(ROWS), [T1, T2], stdin=True),
    "Parquet with date objects": Shape(
        "a.parquet",
        lambda: _parquet([{"text": T1, "date": dt.date(2026, 1, 5)}, {"text": T2, "date": dt.datetime(2026, 1, 6, 9)}]),
        [T1, T2],
    ),
    "Parquet --text-column": Shape(
        "a.parquet",
        lambda: _parquet([{"body": T1}, {"body": T2}]),
        [T1, T2],
        args=["--text-column", "body"],
        kwargs={"text_column": "body"},
    ),
    "Parquet without a text column": Shape(
        "a.parquet", lambda: _parquet([{"body": T1}]), error="Parquet file has no 'text' column (columns: body)"
    ),
    "Parquet without extension": Shape("export", lambda: _parquet(ROWS), [T1, T2]),
    # two columns of one name had been read as a row dict, the last column's value alone kept
    "Parquet with two columns of one name": Shape(
        "a.parquet",
        lambda: _parquet_table(pa.table([[T1], ["2026-01-05"], ["2025-06-30"]], names=["text", "date", "date"])),
        error=":1: Parquet file has two columns named 'date'; give each its own name",
    ),
    "named .parquet, holding JSON": Shape("a.parquet", _jsonl().encode(), error=":1: named .parquet but not a Parquet"),
    "a damaged Parquet file": Shape("a.parquet", b"PAR1" + bytes(40), error="damaged Parquet file"),
    # bytes that are not UTF-8 (GBK in a binary column) had been labelled as their base64 text
    "Parquet text as bytes that are not UTF-8": Shape(
        "a.parquet",
        lambda: _parquet_table(pa.table({"text": pa.array([T1.encode(), T2.encode("gbk")], type=pa.binary())})),
        error=":2: the text is bytes that are not UTF-8 (a binary column); write it as UTF-8 text",
    ),
    "Parquet null text": Shape(
        "a.parquet",
        lambda: _parquet([{"text": T1}, {"text": None}]),
        error=":2: expected a string 'text' field, got null",
    ),
}


def _expect_cli(result, shape, where):
    if shape.error is None:
        assert result.exit_code == 0, result.stderr
        return [json.loads(line)["text"] for line in result.stdout.splitlines()]
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {where}"), result.stderr
    assert shape.error in result.stderr and result.stderr.count("\n") == 1, result.stderr
    return None


@pytest.mark.parametrize("case", list(SHAPES))
def test_shape_through_the_cli(tmp_path, case):
    shape = SHAPES[case]
    f = tmp_path / shape.name
    f.write_bytes(shape.content())
    result = CliRunner().invoke(main, ["label", str(f), *shape.args], catch_exceptions=False)
    texts = _expect_cli(result, shape, f)
    assert texts == shape.texts


@pytest.mark.parametrize("case", [c for c in SHAPES if SHAPES[c].stdin])
def test_shape_from_stdin(case):
    shape = SHAPES[case]
    result = CliRunner().invoke(main, ["label", "-", *shape.args], input=shape.content(), catch_exceptions=False)
    texts = _expect_cli(result, shape, "-")
    assert texts == shape.texts


@pytest.mark.parametrize("case", list(SHAPES))
def test_shape_through_the_api(tmp_path, case):
    shape = SHAPES[case]
    f = tmp_path / shape.name
    f.write_bytes(shape.content())
    if shape.error is not None:
        with pytest.raises(InputError) as caught:
            trendscore.read(f, **shape.kwargs)
        assert str(caught.value).startswith(str(f)) and shape.error in str(caught.value)
        return
    assert [r["text"] for r in trendscore.read(f, **shape.kwargs)] == shape.texts


def test_the_catalogue_is_big_enough():
    assert len(SHAPES) >= 30


# ---------------------------------------------------------------- dates: every form, one day

DAY = "2026-01-05"
DATE_FORMS = {
    "ISO": "2026-01-05",
    "ISO with time and zone": "2026-01-05T23:10:00+08:00",
    "slashes, one-digit month and day": "2026/1/5",
    "Chinese": "2026年1月5日",
    "Chinese with 号 and a time": "2026年01月05号 08:30",
    "compact digits": "20260105",
    "English month first": "Jan 5, 2026",
    "English, full month, weekday": "Monday, January 5, 2026",
    "English day first": "5 Jan 2026",
    "epoch seconds": 1767571200,
    "epoch seconds as text": "1767571200",
    "epoch milliseconds": 1767571200000,
    "epoch seconds, fractional": 1767600000.5,
    "an integer YYYYMMDD": 20260105,
    "a float YYYYMMDD (pandas' int column with a gap)": 20260105.0,
    "a float YYYYMMDD as text (that column in pandas' CSV)": "20260105.0",
    "epoch seconds as a whole float": 1767571200.0,
    "epoch milliseconds as a whole float": 1767571200000.0,
    # compact time stamps had been read as epoch values: 202601052310 as milliseconds, a day
    # of 1976; 20260105231000 as a number, a day of 2612 (and as text not at all)
    "compact digits with hours and minutes": "202601052310",
    "compact digits with hours, minutes and seconds": "20260105231000",
    "an integer YYYYMMDDHHMM": 202601052310,
    "an integer YYYYMMDDHHMMSS": 20260105231000,
    "a float YYYYMMDDHHMMSS (pandas' int column with a gap)": 20260105231000.0,
    # YYYYMMDDHH had been read as epoch seconds: 2026010523 is a day of 2034
    "compact digits with the hour": "2026010523",
    "an integer YYYYMMDDHH": 2026010523,
    "a float YYYYMMDDHH (pandas' int column with a gap)": 2026010523.0,
}
DATE_OBJECTS = {  # the API only: JSON cannot hold them (Parquet can: see the Parquet shapes)
    "datetime.date": dt.date(2026, 1, 5),
    "datetime.datetime": dt.datetime(2026, 1, 5, 23, 59),
    "aware datetime": dt.datetime(2026, 1, 5, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8))),
}


def _dated(value):
    return [{"date": value, "labels": ["policy"]}, {"date": value, "labels": []}]


@pytest.mark.parametrize("form", list(DATE_FORMS))
def test_date_form_through_the_cli(tmp_path, form):
    f = tmp_path / "d.jsonl"
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _dated(DATE_FORMS[form])), "utf-8")
    result = CliRunner().invoke(main, ["score", str(f), "--freq", "day", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["as_of"] == DAY and data["records"]["dated"] == 2 and result.stderr == ""


@pytest.mark.parametrize("form", list(DATE_FORMS) + list(DATE_OBJECTS))
def test_date_form_through_the_api(form):
    value = DATE_FORMS.get(form, DATE_OBJECTS.get(form))
    result = trendscore.score(_dated(value), freq="day")
    assert result.as_of == DAY and result.records["dated"] == 2


def test_pandas_and_numpy_dates_through_the_api():
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    for value in (pd.Timestamp("2026-01-05 23:59"), pd.Timestamp("2026-01-05", tz="Asia/Shanghai"), np.datetime64(DAY)):
        assert trendscore.score(_dated(value), freq="day").as_of == DAY, value
    result = trendscore.score(_dated(pd.NaT) + _dated(DAY), freq="day")
    assert result.records["undated"] == 2 and result.records["dated"] == 2  # NaT is a missing date, not a bad one


def test_an_int_date_column_with_a_gap_in_a_dataframe_keeps_its_days():
    """pandas holds an int column with a missing value as floats (20260105.0): the day is the
    integer's, not 20 million seconds after 1970."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"date": [20260105, 20260105, None], "labels": [["policy"], [], ["policy"]]})
    assert frame["date"].dtype == "float64"
    result = trendscore.score(frame, freq="day")
    assert result.as_of == DAY and result.records["dated"] == 2 and result.records["undated"] == 1


def test_a_compact_time_stamp_with_a_fraction_is_no_date_as_text_or_as_a_number():
    """Found by a review: 202601052310.5 as a number was no date (a fraction on YYYYMMDDHHMM,
    as on YYYYMMDD), but the text '202601052310.5' was read as that day; and as score keys a
    number's date by its digits, which of the two a run met first decided both."""
    from trendscore.io.dates import parse_date

    for value in ("202601052310.5", "20260105231000.5", "20260105.5", "2026010523.5"):
        assert parse_date(value) is None and parse_date(float(value)) is None, value
    assert parse_date("202601052310.0") == parse_date(202601052310.0) == dt.date.fromisoformat(DAY).toordinal()
    pair = [{"date": "202601052310.5", "labels": ["policy"]}, {"date": 202601052310.5, "labels": ["policy"]}]
    dated = {"date": DAY, "labels": ["policy"]}
    for records in (pair, pair[::-1]):
        assert trendscore.score([dated, *records], freq="day").records["dated"] == 1


def test_a_date_with_the_year_last_is_read_where_only_one_order_makes_a_day(tmp_path):
    """``28/11/2025`` and ``11/28/2025`` had been no date (undated, with a warning); they name
    one day. ``01/11/2025`` (1 November or 11 January) stays undated, named in the warning."""
    records = [{"date": v, "labels": ["policy"]} for v in ["28/11/2025", "11/28/2025", "28.11.2025", "01/11/2025"]]
    f = tmp_path / "d.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    result = CliRunner().invoke(main, ["score", str(f), "--freq", "day", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["as_of"], data["records"]["dated"], data["records"]["undated"]) == ("2025-11-28", 3, 1)
    assert "d.jsonl:4: '01/11/2025'" in result.stderr


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([None, ""], r"none of the 2 passages has a usable date; 2 have none; "),
        (["05/01/2026", "next week"], r"2 have dates that do not parse \(first: <records>:1: '05/01/2026'\)"),
        ([True, float("nan")], r"none of the 2 passages has a usable date"),
        # numbers of fewer than 9 digits (a year, a count) had been epoch seconds: days of 1970
        ([2026, 5.5], r"2 have dates that do not parse \(first: <records>:1: 2026\)"),
    ],
)
def test_no_usable_date_is_one_error(tmp_path, values, message):
    records = [{"date": v, "labels": ["policy"]} for v in values]
    with pytest.raises(InputError, match=message):
        trendscore.score(records)
    f = tmp_path / "d.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in records if r["date"] == r["date"]), "utf-8")
    result = CliRunner().invoke(main, ["score", str(f)], catch_exceptions=False)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "has a usable date" in result.stderr


def test_an_as_of_before_every_dated_passage_is_one_error(tmp_path):
    """Found playing an analyst: --as-of 2025-01-01 over passages of 2026 printed a ranking of
    nothing (every share '-', every theme steady) with exit 0, the empty ranking a score
    without dates is refused for. It is one line naming the earliest date now."""
    records = [{"date": f"2026-01-{d:02d}", "labels": ["policy"], "text": f"t{d}"} for d in range(1, 29)]
    message = r"all 28 dated passages are dated after as_of 2025-01-01 \(the earliest is 2026-01-01\): nothing to score"
    with pytest.raises(InputError, match=message):
        trendscore.score(records, as_of="2025-01-01")
    assert trendscore.score(records, as_of="2026-01-01").records["after_as_of"] == 27  # one passage is enough
    f = tmp_path / "d.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    result = CliRunner().invoke(main, ["score", str(f), "--as-of", "2025-01-01"], catch_exceptions=False)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.endswith("nothing to score; try a later --as-of, or none to score as of the latest date\n")


def test_parquet_decimals_of_many_digits_pass_through_exactly(tmp_path):
    """A decimal column (a database's ids) was read as floats: the id 12345678901234567891 came
    out as 1.2345678901234567e+19. Decimals of more than 15 significant digits now pass through
    as their digits, as such JSON numbers do. The id 7 of that column, without decimal places,
    had come out as 7.0: it is an int now; shorter decimals with places are floats as before."""
    import decimal

    f = tmp_path / "d.parquet"
    ids = pa.array([decimal.Decimal("12345678901234567891"), decimal.Decimal("7")], type=pa.decimal128(20, 0))
    prices = pa.array([decimal.Decimal("7.50"), decimal.Decimal("7.00")], type=pa.decimal128(10, 2))
    f.write_bytes(_parquet_table(pa.table({"id": ids, "price": prices, "text": [T1, T2]})))
    result = CliRunner().invoke(main, ["label", str(f)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [line.split(',"text"', 1)[0] for line in result.stdout.splitlines()] == [
        '{"id":12345678901234567891,"price":7.5',
        '{"id":7,"price":7.0',
    ]
    result = CliRunner().invoke(main, ["label", str(f), "--format", "csv"], catch_exceptions=False)
    assert [line.split(",", 2)[:2] for line in result.stdout.splitlines()[1:]] == [
        ["12345678901234567891", "7.5"],
        ["7", "7.0"],
    ]


def test_parquet_dates_score_as_the_api_does(tmp_path):
    f = tmp_path / "d.parquet"
    rows = [{"date": dt.date(2026, 1, 5), "labels": ["policy"]}, {"date": dt.datetime(2026, 1, 5, 9), "labels": []}]
    f.write_bytes(_parquet(rows))
    result = CliRunner().invoke(main, ["score", str(f), "--freq", "day", "--format", "json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    api = trendscore.score(rows, freq="day")
    assert data["as_of"] == api.as_of == DAY and data["records"]["dated"] == api.records["dated"] == 2


def test_a_ten_digit_day_and_hour_is_that_day_in_every_reader_and_epoch_seconds_stay_epoch(tmp_path):
    """2024120312 (2024-12-03, 12 h) had been read as epoch seconds, a day of 2034, without a
    warning. Ten digits from 1900010100 are now a compact day and hour, in JSON Lines (number
    or text), CSV and Parquet alike; a real epoch (1733227200) still reads as epoch, and ten
    digits that are no valid day and hour (month 13) are a date that does not parse."""
    rows = [
        {"date": 2024120312, "labels": ["policy"]},
        {"date": "2024120312", "labels": ["policy"]},
        {"date": 1733227200, "labels": []},
        {"date": 2024133012, "labels": []},
    ]
    jsonl, csv, parquet = tmp_path / "d.jsonl", tmp_path / "d.csv", tmp_path / "d.parquet"
    jsonl.write_text(_jsonl(rows), "utf-8")
    csv.write_text("date,labels\n" + "".join(f"{r['date']},{'|'.join(r['labels'])}\n" for r in rows), "utf-8")
    parquet.write_bytes(_parquet([{"date": int(r["date"]), "labels": r["labels"]} for r in rows]))
    for path, line in ((jsonl, 4), (csv, 5), (parquet, 4)):  # (the CSV header is line 1)
        result = CliRunner().invoke(main, ["score", str(path), "--freq", "day", "--format", "json"])
        assert result.exit_code == 0, (path, result.output)
        data = json.loads(result.stdout)
        assert data["as_of"] == "2024-12-03" and data["records"]["dated"] == 3, path
        assert result.stderr.startswith("Warning: 1 passage has a date that does not parse"), path
        assert f"(first: {path}:{line}: " in result.stderr and "2024133012" in result.stderr, path
    api = trendscore.score(rows, freq="day")
    assert api.as_of == "2024-12-03" and api.records["dated"] == 3


# ---------------------------------------------------------------- outputs: the -o extension decides


def _read_jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def _read_csv(data: bytes) -> list[dict]:
    import csv

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    return [{"text": r["text"], "labels": r["labels"].split("|") if r["labels"] else []} for r in rows]


OUTPUTS = {
    "out.jsonl": _read_jsonl,
    "out.ndjson": _read_jsonl,
    "out.jsonl.gz": lambda data: _read_jsonl(gzip.decompress(data)),
    "out.csv": _read_csv,
    "out.csv.gz": lambda data: _read_csv(gzip.decompress(data)),
    "out.parquet": lambda data: pq.read_table(io.BytesIO(data)).to_pylist(),
    "out.txt": _read_jsonl,  # an extension that says nothing: the default, JSON Lines
}


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("name", list(OUTPUTS))
def test_output_format_from_the_extension(tmp_path, name, jobs):
    f = tmp_path / "in.jsonl"
    f.write_text(_jsonl(), "utf-8")
    out = tmp_path / name
    result = CliRunner().invoke(main, ["label", str(f), "-o", str(out), "--jobs", jobs], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    rows = OUTPUTS[name](out.read_bytes())
    assert [r["text"] for r in rows] == [T1, T2]
    assert rows[0]["labels"] == ["policy", "regional_hub"] and rows[1]["labels"] == ["overseas"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize(
    ("command", "name", "args", "message"),
    [
        ("label", "out.csv", ["--format", "jsonl"], "the name says CSV but the format asked for is JSON Lines"),
        ("label", "out.jsonl", ["--format", "csv"], "the name says JSON Lines but the format asked for is CSV"),
        ("label", "out.parquet", ["--format", "table"], "the name says Parquet but the format asked for is a table"),
        ("label", "-", ["--format", "parquet"], "Parquet is not written to standard output"),
        ("label", "out.parquet.gz", [], "Parquet is not written to a .gz file"),
        ("score", "out.csv", ["--format", "json"], "the name says CSV but the format asked for is JSON"),
        ("score", "out.json.gz", [], "score output is not written gzip-compressed"),
        # found by a review: these were told to "use .jsonl.gz or .csv.gz", two names score refuses
        ("score", "out.gz", [], "score output is not written gzip-compressed; drop the .gz"),
        ("score", "out.txt.gz", ["--format", "table"], "score output is not written gzip-compressed; drop the .gz"),
        ("score", "out.jsonl", [], "score does not write JSON Lines; name a .json file for JSON, a .csv file for CSV"),
        ("score", "out.parquet", [], "score does not write Parquet"),
        # found by a review: these names were given plain JSON Lines, or a table, without a word
        ("label", "out.jsonl.bz2", [], "label does not write .bz2 files; gzip is written (.gz); drop the .bz2"),
        ("label", "out.csv.zst", [], "label does not write .zst files; gzip is written (.gz); drop the .zst"),
        ("label", "out.jsonl.xz", [], "label does not write .xz files"),
        ("label", "out.tsv", [], "label does not write tab-separated values; name a .jsonl, .csv or .parquet file"),
        ("label", "out.json", [], "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
        ("score", "out.json.bz2", [], "score does not write .bz2 files; drop the .bz2"),
        ("score", "out.tsv", [], "score does not write tab-separated values; name a .json file for JSON"),
        # found by a review: a table, or JSON Lines, was written into these, exit 0
        ("score", "trends.png", [], "score does not write a PNG image; name a .json file for JSON"),
        ("score", "trends.html", ["--format", "csv"], "score does not write an HTML page; name a .json file"),
        ("score", "trends.md", [], "score does not write Markdown; name a .json file for JSON, a .csv file for CSV"),
        ("label", "out.xlsx", ["--format", "csv"], "label does not write an Excel workbook; name a .jsonl, .csv or"),
        ("label", "out.svg", [], "label does not write an SVG image; name a .jsonl, .csv or .parquet file"),
        ("label", "out.PDF", [], "label does not write a PDF document"),
        ("label", "out.htm.gz", [], "label does not write an HTML page"),
        ("label", "out.tar.gz", [], "label does not write .tar files; gzip is written (.gz); drop the .tar"),
        ("label", "out.jsonl.bz2.gz", [], "label does not write .bz2 files"),
        ("label", "out.jsonl.gz.gz", [], "label output is gzip-compressed once; drop one .gz"),
        ("score", "out.txt", ["--plot", "{dir}/shares.svg"], "the plot is a PNG image; name a .png file"),
        ("score", "out.txt", ["--report", "{dir}/report.pdf"], "the report is an HTML page; name a .html file"),
    ],
)
def test_output_contradictions_are_refused(tmp_path, command, name, args, message):
    f = tmp_path / "in.jsonl"
    f.write_text(_jsonl(), "utf-8")
    out = "-" if name == "-" else str(tmp_path / name)
    args = [a.format(dir=tmp_path) for a in args]
    result = CliRunner().invoke(main, [command, str(f), "-o", out, *args], catch_exceptions=False)
    named = args[-1] if args and args[0] in ("--plot", "--report") else out
    assert result.exit_code == 2 and result.stderr.startswith(f"Error: {named}: {message}")
    assert result.stderr.count("\n") == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_score_output_format_from_the_extension(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(_jsonl([{**r, "labels": ["policy"]} for r in ROWS]), "utf-8")
    for name, check in (
        ("s.json", lambda t: json.loads(t)["as_of"] == "2026-01-06"),
        ("s.csv", lambda t: "theme" in t),
    ):
        out = tmp_path / name
        assert CliRunner().invoke(main, ["score", str(f), "-o", str(out)]).exit_code == 0
        assert check(out.read_text("utf-8")), name


@pytest.mark.parametrize("name", ["out.jsonl.gz", "out.parquet", "out.csv.gz"])
def test_a_failed_run_leaves_no_compressed_or_parquet_output(tmp_path, name):
    f = tmp_path / "in.jsonl"
    f.write_text(_jsonl() * 3 + '{"text": \n', "utf-8")
    out = tmp_path / name
    out.write_bytes(b"old")
    result = CliRunner().invoke(main, ["label", str(f), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 2 and ":7: malformed JSON" in result.stderr
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", name]


# ---------------------------------------------------------------- DataFrames in and out of the API

pd = pytest.importorskip("pandas")


def _frame(**columns):
    base = {"id": [1, 2], "text": [T1, T2], "date": pd.to_datetime(["2026-01-05", "2026-01-12"])}
    base.update(columns)
    return pd.DataFrame(base, index=["a", "b"])


def test_label_a_frame_adds_labels_and_a_probability_column_per_theme():
    frame = _frame()
    out = trendscore.label(frame)
    themes = trendscore.load_model().themes
    assert list(out.columns) == ["id", "text", "date", "labels"] + [f"score_{t}" for t in themes]
    assert list(out.index) == ["a", "b"] and list(frame.columns) == ["id", "text", "date"]  # the input is untouched
    assert out["labels"].tolist() == [["policy", "regional_hub"], ["overseas"]]
    expected = trendscore.label([T1, T2])
    for t in themes:
        assert out[f"score_{t}"].tolist() == [r["scores"][t] for r in expected]


def test_label_a_frame_by_another_column_and_records_likewise():
    frame = _frame().rename(columns={"text": "body"})
    assert trendscore.label(frame, text_column="body")["labels"].tolist() == [["policy", "regional_hub"], ["overseas"]]
    records = trendscore.label([{"id": 1, "body": T2}], text_column="body")
    assert records[0]["id"] == 1 and records[0]["labels"] == ["overseas"] and "scores" in records[0]


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (lambda: _frame().drop(columns="text"), {}, r"the DataFrame has no 'text' column \(columns: id, date\)"),
        (
            lambda: _frame(text=[T1, None]),
            {},
            r"<DataFrame>:2: expected a string 'text', got a missing value \(index 'b'\)",
        ),
        (lambda: _frame(text=[T1, 3]), {}, r"<DataFrame>:2: expected a string 'text', got int"),
        (lambda: _frame(), {"text_column": "body"}, r"no 'body' column"),
        # found by a review: an AttributeError ('DataFrame' object has no attribute 'tolist')
        (lambda: _frame().rename(columns={"id": "text"}), {}, r"the DataFrame has 2 columns named 'text'; keep one"),
    ],
)
def test_bad_frames_are_refused_in_one_line(frame, kwargs, message):
    with pytest.raises(InputError, match=message):
        trendscore.label(frame(), **kwargs)


@pytest.mark.parametrize("column", ["Labels", "LABELS", " labels", "labels "])
def test_a_frames_labels_column_spelt_otherwise_is_refused_by_score(column):
    """trendscore.score passed over a 'Labels' column and had the model label every row."""
    frame = _frame(**{column: [["policy"], ["overseas"]]})
    with pytest.raises(InputError, match=f"the DataFrame has a column '{column}', not 'labels': its labels would not"):
        trendscore.score(frame)
    # label reads no labels: the column is the user's own, kept as it is
    assert trendscore.label(frame)[column].tolist() == [["policy"], ["overseas"]]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda recs: trendscore.score(recs, as_of="2025/01/05"), r"as_of '2025/01/05' is not a date of the form"),
        (lambda recs: trendscore.score(recs, as_of="garbage"), r"as_of 'garbage' is not a date"),
        (lambda recs: trendscore.score(recs[0]), r"got one dict; wrap it in a list"),
        (lambda recs: trendscore.score("abc"), r"got one str; wrap it in a list"),
    ],
)
def test_bad_score_arguments_are_input_errors(call, message):
    """Found by a review: a bare ValueError ("Invalid isoformat string"), and "expected a dict
    record, got str" for a dict given where records belong."""
    recs = [{"date": f"2025-01-{d:02d}", "labels": ["policy"] if d > 20 else []} for d in range(1, 29)]
    with pytest.raises(InputError, match=message):
        call(recs)
    assert trendscore.score(recs, as_of=20250120).as_of == "2025-01-20"  # what its text reads as still works


def test_a_missing_as_of_is_an_input_error():
    pd = pytest.importorskip("pandas")
    recs = [{"date": "2025-01-02", "labels": ["policy"]}]
    with pytest.raises(InputError, match=r"as_of is a missing value \(NaT\)"):
        trendscore.score(recs, as_of=pd.NaT)
    assert trendscore.score(recs, as_of=pd.Timestamp("2025-01-20")).as_of == "2025-01-20"


def test_score_a_frame_is_score_of_its_records():
    frame = _frame(labels=[["policy"], None])
    result = trendscore.score(frame, freq="week")
    same = trendscore.score(
        [{"text": T1, "date": "2026-01-05", "labels": ["policy"]}, {"text": T2, "date": "2026-01-12"}], freq="week"
    )
    assert result.to_json() == same.to_json() and result.records["dated"] == 2
    assert result.labelled_by["labels_as_given"] == 1 and result.labelled_by["labelled_by_model"] == 1
    other = trendscore.score(frame.rename(columns={"date": "published"}), freq="week", date_column="published")
    assert other.to_json() == result.to_json()


def test_score_a_frame_read_from_labelled_parquet_as_the_cli_does(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl(), "utf-8")
    out = tmp_path / "labelled.parquet"
    assert CliRunner().invoke(main, ["label", str(src), "-o", str(out)]).exit_code == 0
    frame = pd.read_parquet(out)  # labels come back as numpy arrays
    cli = CliRunner().invoke(main, ["score", str(out), "--format", "json", "--freq", "day"])
    api = trendscore.score(frame, freq="day")
    assert json.loads(cli.stdout)["themes"] == json.loads(json.dumps(api.to_json()["themes"]))
    assert api.labelled_by["labels_as_given"] == 2


def test_score_a_frame_read_from_labelled_csv_as_the_cli_does(tmp_path):
    """Found by a review: score() refused the frame pandas reads from label's CSV output (its
    labels cells are strings such as "policy|regional_hub"), which score_dataframe on Dask and
    the CLI read. They are read by one function now, and a list written as text by another tool
    is refused as the CSV reader refuses it."""
    rows = [*ROWS, {"id": "3", "text": "今天天气很好，我们去公园散步。", "date": "2026-01-07"}]
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl(rows), "utf-8")
    out = tmp_path / "labelled.csv"
    assert CliRunner().invoke(main, ["label", str(src), "-o", str(out)]).exit_code == 0
    cli = CliRunner().invoke(main, ["score", str(out), "--format", "json", "--freq", "day"])
    assert cli.exit_code == 0, cli.output
    want = json.loads(cli.stdout)
    assert want["labelled_by"]["labels_as_given"] == 3
    frame = pd.read_csv(out, keep_default_na=False)  # an empty cell stays "": a passage with no theme
    assert frame["labels"].tolist() == ["policy|regional_hub", "overseas", ""]
    api = trendscore.score(frame, freq="day")
    assert json.loads(json.dumps(api.to_json()["themes"])) == want["themes"]
    assert api.labelled_by == {"labels_as_given": 3, "labelled_by_model": 0, "model": None}
    for cell in ("['policy', 'overseas']", "policy,overseas", '["policy"]'):
        bad_cell = r"^<DataFrame>:2: a 'labels' cell reads .*as label writes them \(index 1\)$"
        with pytest.raises(InputError, match=bad_cell):
            trendscore.score(frame.assign(labels=["policy", cell, ""]), freq="day")
    not_labels = r"^<DataFrame>:1: expected 'labels' as a list of theme names, got int \(index 0\)$"
    with pytest.raises(InputError, match=not_labels):
        trendscore.score(frame.assign(labels=[3, "policy", ""]), freq="day")


def test_an_empty_labels_cell_read_by_pandas_is_no_theme_as_on_the_cli(tmp_path):
    """Found by a review: pandas reads label's empty CSV cell (a passage with no theme) as NaN
    unless keep_default_na=False, and score() took NaN for "not labelled yet": the bundled model
    labelled those rows, and the frame scored otherwise than `trendscore score` scores the file.
    In a labels column of strings a missing cell is now the empty cell; a column missing in every
    row, or one of lists, still leaves its missing rows to the model."""
    rows = [*ROWS, {"id": "3", "text": "今天天气很好，我们去公园散步。", "date": "2026-01-07"}]
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl(rows), "utf-8")
    out = tmp_path / "labelled.csv"
    assert CliRunner().invoke(main, ["label", str(src), "-o", str(out)]).exit_code == 0
    cli = CliRunner().invoke(main, ["score", str(out), "--format", "json", "--freq", "day"])
    want = json.loads(cli.stdout)
    plain = pd.read_csv(out)  # pandas' default: the empty cell comes back as NaN
    assert plain["labels"].isna().tolist() == [False, False, True]
    api = trendscore.score(plain, freq="day")
    assert api.labelled_by == {"labels_as_given": 3, "labelled_by_model": 0, "model": None}
    assert json.loads(json.dumps(api.to_json()["themes"])) == want["themes"]
    unlabelled = plain.assign(labels=float("nan"))  # no label anywhere: the model labels every row
    assert trendscore.score(unlabelled, freq="day").labelled_by["labelled_by_model"] == 3
    lists = plain.assign(labels=[["policy"], ["overseas"], None])  # lists: None is "not labelled yet"
    assert trendscore.score(lists, freq="day").labelled_by["labelled_by_model"] == 1


def test_every_entry_point_names_the_same_bad_row_by_one_rule():
    """A bad row had been named <records>:N by trendscore.score though it was a DataFrame's
    row, while trendscore.label and score_dataframe said <DataFrame>:N for the same frame. The
    rule, from trendscore.io.rows: a DataFrame's rows are <DataFrame>:N, a list of dicts'
    <records>:N, N counted from 1 in the order given (here the third row, index 'c')."""
    good = {"text": T1, "date": "2026-01-05"}
    untexted = [good, good, {"text": 5, "date": "2026-01-06"}, good]
    frame = pd.DataFrame(untexted, index=list("abcd"))
    with pytest.raises(InputError, match=r"^<records>:3: expected a string 'text' field, got int$"):
        trendscore.label(untexted)
    with pytest.raises(InputError, match=r"^<DataFrame>:3: expected a string 'text', got int \(index 'c'\)$"):
        trendscore.label(frame)
    with pytest.raises(InputError, match=r"^<records>:3: expected a string 'text' field, got int$"):
        trendscore.score(untexted)
    with pytest.raises(InputError, match=r"^<DataFrame>:3: expected a string 'text' field, got int \(index 'c'\)$"):
        trendscore.score(frame)
    mislabelled = [{**good, "labels": ["policy"]}] * 2 + [{**good, "labels": "policy, culture"}, good]
    with pytest.raises(InputError, match=r"^<records>:3: expected 'labels' as a list of theme names, got str$"):
        trendscore.score(mislabelled)
    with pytest.raises(InputError, match=r"^<DataFrame>:3: a 'labels' cell reads 'policy, culture'"):
        trendscore.score(pd.DataFrame(mislabelled, index=list("abcd")))
    many = [{"date": "2026-01-05", "labels": [f"t{i}"]} for i in range(205)]  # the 201st name passes the limit
    with pytest.raises(InputError, match=r"^<records>:201: more than 200 distinct theme names"):
        trendscore.score(many)
    with pytest.raises(InputError, match=r"^<DataFrame>:201: more than 200 distinct theme names"):
        trendscore.score(pd.DataFrame(many))
    dd = pytest.importorskip("dask.dataframe")
    from trendscore.integrations.dask import score_dataframe

    with pytest.raises(InputError, match=r"^<DataFrame>:3: a 'labels' cell reads 'policy, culture'"):
        score_dataframe(dd.from_pandas(pd.DataFrame(mislabelled), npartitions=2))
    with pytest.raises(InputError, match=r"^<DataFrame>:201: more than 200 distinct theme names"):
        score_dataframe(dd.from_pandas(pd.DataFrame(many), npartitions=3))


def test_score_a_frame_names_its_first_bad_row_as_the_cli_names_the_line(tmp_path):
    """A frame's labels cells were all read before any row was counted, so trendscore.score
    named a bad labels cell at row 4 though row 2, a row for the model, had no text; and a
    missing text was "got float" (pandas' NaN; "got NAType" for pandas' NA). Rows are now read
    one at a time, a missing cell is a null: the first bad row in row order, as `trendscore
    score` names the line of the same records in JSON Lines."""
    rows = [
        {"text": T1, "date": "2026-01-05", "labels": ["policy"]},
        {"text": None, "date": "2026-01-06", "labels": None},
        {"text": T2, "date": "2026-01-07", "labels": ["overseas"]},
        {"text": T2, "date": "2026-01-08", "labels": "policy, culture"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl(rows), "utf-8")
    cli = CliRunner().invoke(main, ["score", str(src)])
    assert (cli.exit_code, cli.stderr) == (2, f"Error: {src}:2: expected a string 'text' field, got null\n")
    for missing in (None, float("nan"), pd.NA):
        frame = pd.DataFrame(rows).astype({"text": object})
        frame.loc[1, "text"] = missing
        with pytest.raises(InputError, match=r"^<DataFrame>:2: expected a string 'text' field, got null \(index 1\)$"):
            trendscore.score(frame)


def test_to_frame_has_real_dates():
    frame = trendscore.score(_frame(labels=[["policy"], []]), freq="week").to_frame()
    assert str(frame["start"].dtype).startswith("datetime64")
    assert frame["start"].min() == pd.Timestamp("2026-01-05")


def test_pandas_is_imported_only_for_a_frame(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, trendscore; trendscore.label(['短剧出海']); "
        "trendscore.score([{'date': '2026-01-05', 'labels': ['policy']}]); "
        "trendscore.read(sys.argv[1]); print('pandas' in sys.modules)"
    )
    f = tmp_path / "a.csv"
    f.write_text(_csv(), "utf-8")
    result = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_readme_stdin_csv_example():
    """`cat passages.csv | trendscore label - --format csv`, as the README has it."""
    result = CliRunner().invoke(main, ["label", "-", "--format", "csv"], input=_csv().encode(), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    rows = _read_csv(result.stdout.encode())
    assert [r["text"] for r in rows] == [T1, T2] and rows[1]["labels"] == ["overseas"]


@pytest.mark.parametrize("case", ["CSV semicolon", "text Big5", "jsonl.gz", "Parquet", "CSV without a text column"])
def test_shape_through_worker_processes(tmp_path, case):
    shape = SHAPES[case]
    f = tmp_path / shape.name
    f.write_bytes(shape.content())
    result = CliRunner().invoke(main, ["label", str(f), "--jobs", "2", *shape.args], catch_exceptions=False)
    assert _expect_cli(result, shape, f) == shape.texts


# ---------------------------------------------------------------- any bytes: an answer or one error

_PIECES = [
    b"\x00", b"\xff", b"\xfe", b"{", b"}", b'"', b",", b";", b"\n", b"\r", b"\t", b" ", b"a", b"text", b"PAR1",
    b"\x1f\x8b", b"id,text\n", b'{"text": "a"}\n', "短剧".encode("gbk"), "短劇".encode("big5"), "短剧".encode(),
    "短剧".encode("utf-16"), b"\xef\xbb\xbf",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.lists(st.sampled_from(_PIECES), max_size=40).map(b"".join),
    packed=st.booleans(),
    name=st.sampled_from(["x.jsonl", "x.csv", "x", "x.txt", "x.parquet", "x.tsv"]),
    encoding=st.sampled_from(["auto", "utf-16", "utf-32", "gbk", "big5", "utf-16-le"]),
)
# found by this test in one CI run: a quoted header cell holding a line end made the "no 'text'
# column" error two lines
@example(data=b'"id,text\n\x00', packed=False, name="x.csv", encoding="auto")
def test_any_bytes_read_or_one_error(tmp_path, data, packed, name, encoding):
    f = tmp_path / name
    f.write_bytes(gzip.compress(data, mtime=0) if packed else data)
    try:
        records = trendscore.read(f, encoding=encoding)
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(f))
    else:
        assert records and all(isinstance(r.get("text"), str) for r in records)


@pytest.mark.parametrize("case", list(SHAPES))
def test_shape_scored_alike_by_the_cli_and_the_api(tmp_path, case):
    """`trendscore score FILE` and `trendscore.score(trendscore.read(FILE))` agree on every
    shape: the same ranking, or both stop (no usable date in a text without dates)."""
    shape = SHAPES[case]
    f = tmp_path / shape.name
    f.write_bytes(shape.content())
    cli = CliRunner().invoke(
        main, ["score", str(f), "--format", "json", "--freq", "day", *shape.args], catch_exceptions=False
    )
    if shape.error is not None:
        assert cli.exit_code == 2 and cli.stderr.startswith(f"Error: {f}") and shape.error in cli.stderr
        return
    records = trendscore.read(f, **shape.kwargs)
    try:
        api = trendscore.score(records, freq="day")
    except InputError as exc:
        assert "has a usable date" in str(exc)
        assert cli.exit_code == 2 and "has a usable date" in cli.stderr and cli.stderr.count("\n") == 1
        return
    assert cli.exit_code == 0, cli.stderr
    data = json.loads(cli.stdout)
    assert data["themes"] == json.loads(json.dumps(api.to_json()["themes"]))
    assert data["records"] == api.records and data["records"]["total"] == len(shape.texts)


def test_score_refuses_a_frame_with_two_columns_of_one_name():
    """Review finding: score() took one of two 'text' columns without a word (label refused)."""
    frame = _frame()
    frame.insert(1, "text", ["x", "y"], allow_duplicates=True)
    with pytest.raises(InputError, match=r"the DataFrame has several columns named 'text'; keep one"):
        trendscore.score(frame)


@pytest.mark.parametrize(
    ("name", "content", "args", "kwargs", "message", "advice"),
    [
        (
            "a.csv",
            "text,body\nx,y\n",
            ["--text-column", "body"],
            {"text_column": "body"},
            ":1: CSV has both a 'body' and a 'text' column; one of them would be lost",
            "; try --text-column naming the one that holds the text",
        ),
        (
            "a.jsonl",
            '{"body": "x", "text": "y"}\n',
            ["--text-column", "body"],
            {"text_column": "body"},
            ":1: record has both 'body' and 'text'; one of them would be lost",
            "; try --text-column naming the one that holds the text",
        ),
        (
            "a.csv",
            "text,date\nx,2026-01-05\n",
            ["--date-column", "published"],
            {"date_column": "published"},
            ":1: CSV has no 'published' column, the one named to hold the date",
            "; try --date-column NAME for the column that holds the date",
        ),
        (
            "a.csv",
            "text,date\nx,2026-01-05\n",
            ["--id-column", "ref"],
            {"id_column": "ref"},
            ":1: CSV has no 'ref' column, the one named to hold the id",
            "; try --id-column NAME for the column that holds the id",
        ),
    ],
)
def test_column_errors_name_options_on_the_cli_only(tmp_path, name, content, args, kwargs, message, advice):
    """Found in review: the column checks (a library module) wrote '--text-column' and
    '--date-column' into their messages, so API users were told of options they do not have.
    The message now speaks of the columns, and the advice is a hint the CLI words as options."""
    f = tmp_path / name
    f.write_text(content, "utf-8")
    result = CliRunner().invoke(main, ["label", str(f), *args], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {f}{message}{advice}\n"
    if "id_column" in kwargs:
        return  # trendscore.read takes no id column
    with pytest.raises(InputError) as caught:
        trendscore.read(f, **kwargs)
    assert str(caught.value) == f"{f}{message}"
