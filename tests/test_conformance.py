"""One suite, every back-end (issue 15): the same inputs and options through one process,
`--jobs 2` and a Dask cluster give the same output bytes and the same errors (exit code and
message). The cluster is skipped when the dask extra is not installed."""

import codecs
import gzip
import json

import pytest
from click.testing import CliRunner
from conftest import DIGEST, SEEDS

from trendscore.cli import main
from trendscore.seeds.files import read_seeds

N = 1500


def _has_dask() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def texts():
    return [s.text for s in read_seeds(sorted(SEEDS.glob("batch_*.jsonl")))]


@pytest.fixture(scope="module")
def rows(texts):
    return [
        {
            "id": i,
            "text": texts[i % len(texts)],
            "date": f"2025-{1 + i % 6:02d}-{1 + i % 27:02d}",
            "source": f"s{i % 4}",
        }
        for i in range(N)
    ]


def long_rows(rows, n=1000):
    """``n`` rows whose texts are 150-300 characters, the seed texts joined in turn."""
    out, at = [], 0
    for i in range(n):
        text = ""
        while len(text) < 150:
            text += rows[at % len(rows)]["text"]
            at += 1
        out.append({**rows[i], "text": text[: 150 + (i * 37) % 151]})
    return out


def _jsonl(rows, **renames) -> str:
    out = []
    for r in rows:
        out.append(json.dumps({renames.get(k, k): v for k, v in r.items()}, ensure_ascii=False))
    return "\n".join(out) + "\n"


def _csv(rows, delimiter=",") -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, rows):
    """name -> (path or bytes for stdin, extra options)."""
    d = tmp_path_factory.mktemp("conf")
    made = {}

    def put(name, data, extra=(), file_name=None):
        path = d / (file_name or name)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        made[name] = (path, list(extra))

    body = _jsonl(rows)
    put("jsonl", body, file_name="in.jsonl")
    put("explain", _jsonl(rows[:300]), ["--explain"], "explain.jsonl")
    put("columns", _jsonl(rows, text="body", id="key"), ["--text-column", "body", "--id-column", "key"], "cols.jsonl")
    put("csv", _csv(rows), file_name="in.csv")
    put("tsv", _csv(rows, "\t"), file_name="in.tsv")
    put("csv-columns", _csv([{"body": r["text"], "day": r["date"]} for r in rows]), ["--text-column", "body"], "c.csv")
    put("digest", DIGEST.read_bytes(), file_name="digest.txt")
    put("text", "\n\n".join(r["text"] for r in rows[:200]) + "\n", file_name="notes.txt")
    put("gz", gzip.compress(body.encode("utf-8"), mtime=0), file_name="in.jsonl.gz")
    # under 2,048 lines of long passages: read here, yet cut in several chunks for the workers
    put("gz-long", gzip.compress(_jsonl(long_rows(rows)).encode("utf-8"), mtime=0), file_name="long.jsonl.gz")
    put("gb18030", body.encode("gb18030"), file_name="gb.jsonl")
    put("utf-16", body.encode("utf-16"), file_name="wide.jsonl")
    # a broken GB18030 character at the end of the last line: replacing bad bytes, one process
    # had decoded the line end into it and lost the line without a word
    torn = body.encode("gb18030")[:-1] + b"\x81\x30\n"
    put("gb18030-torn", torn, ["--encoding", "gb18030", "--encoding-errors", "replace", "--skip-bad"], "torn.jsonl")
    put("bom", codecs.BOM_UTF8 + body.encode("utf-8"), file_name="bom.jsonl")
    put("big5-csv", _csv(rows[:400]).encode("big5", "replace"), ["--encoding", "big5"], "b5.csv")
    put("crlf", body.replace("\n", "\r\n"), file_name="crlf.jsonl")
    # a lone carriage return for each line end (old Mac exports): no byte range may cut at "\n"
    put("cr", body.replace("\n", "\r"), file_name="cr.jsonl")
    put("cr-digest", DIGEST.read_text("utf-8").replace("\n", "\r"), file_name="cr-digest.txt")
    put("blank-lines", body.replace("\n", "\n\n", 50), file_name="blanks.jsonl")
    lines = body.splitlines()
    bad = list(lines)
    bad[1234] = "{broken"
    put("malformed", "\n".join(bad) + "\n", file_name="malformed.jsonl")
    notext = list(lines)
    notext[1100] = '{"id": 1}'
    put("no-text", "\n".join(notext) + "\n", file_name="notext.jsonl")
    skips = list(lines)
    skips[10], skips[700], skips[1400] = "{broken", '{"text": 3}', '{"id": 2}'
    put("skip-bad", "\n".join(skips) + "\n", ["--skip-bad"], "skips.jsonl")
    raw = (
        ("\n".join(lines[:900]) + "\n").encode() + b'{"text": "\xff\xfe"}\n' + ("\n".join(lines[900:]) + "\n").encode()
    )
    put("bad-bytes", raw, file_name="bytes.jsonl")
    # a malformed line before the bad bytes, in the chunk one process reads them in: it had
    # named the bytes, met reading the chunk's lines, before parsing them
    put("malformed-then-bytes", raw.replace(lines[400].encode(), b"{broken", 1), file_name="early.jsonl")
    put("bad-bytes-replace", raw, ["--encoding-errors", "replace"], "bytes2.jsonl")
    # past a megabyte: read in byte ranges by the chunks, not decoded by the parent
    deep = ("\n".join(lines * 4) + "\n").encode() + b'{"text": "\xff\xfe"}\n' + (lines[0] + "\n").encode()
    assert len(deep) > 1 << 20
    put("bad-bytes-deep", deep, file_name="bytes4.jsonl")
    put("bad-bytes-skip", raw, ["--skip-bad"], "bytes3.jsonl")
    # skipped lines named in line order: one process's reader had decoded line 4 ahead of the
    # records (for sniffing), and logged it before the malformed line 2
    put("skip-order", skip_order(lines), ["--skip-bad"], "order.jsonl")
    # past the first MiB, a malformed line, then bad bytes: one process decoded the whole block
    # and named the bytes, a worker reading its byte range named the malformed line first
    put("late-bad-bytes", late_bad_bytes(), file_name="late-bytes.jsonl")
    # --relabel passes over labelled lines without text as it counts, after the chunk's
    # malformed lines were passed over: a chunk had kept the first five it met, not the first five
    relabelled = lines[:1] + ['{"id": 1, "labels": []}'] * 3 + lines[1:2] + ["{broken"] * 5 + lines[2:]
    put("skip-relabel", "\n".join(relabelled) + "\n", ["--skip-bad", "--relabel"], "skiprelabel.jsonl")
    put("empty", b"", file_name="empty.jsonl")
    put("blank", "\n\n  \n", file_name="blank.jsonl")
    put("array", '[{"text": "短剧"}]\n', file_name="array.jsonl")
    directory = d / "dir"
    directory.mkdir()
    (directory / "a.jsonl").write_text(_jsonl(rows[:700]), "utf-8")
    (directory / "b.csv").write_text(_csv(rows[700:]), "utf-8")
    made["directory"] = (directory, [])
    # a JSON Lines file with a line without text (met by the workers), then a CSV file without
    # a text column (met reading it here): the cluster had named the CSV file
    failing = d / "failing"
    failing.mkdir()
    (failing / "a.jsonl").write_text(_jsonl(rows[:40]).replace(lines[4], '{"id": 4}', 1), "utf-8")
    (failing / "b.csv").write_text(_csv([{"body": r["text"]} for r in rows[700:]]), "utf-8")
    made["directory-errors"] = (failing, [])
    # relabelling, every line of b.jsonl is passed over as it is counted (labelled, no text):
    # passages were read, so the file is not empty (the workers had called it empty)
    untexted = d / "untexted"
    untexted.mkdir()
    (untexted / "a.jsonl").write_text(_jsonl(rows[:300]), "utf-8")
    (untexted / "b.jsonl").write_text(
        _jsonl([{"id": r["id"], "date": r["date"], "labels": []} for r in rows[:3]]), "utf-8"
    )
    made["relabel-untexted-file"] = (untexted, ["--relabel", "--skip-bad"])
    made["stdin"] = (body.encode("utf-8"), [])
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), d / "in.parquet")
        made["parquet"] = (d / "in.parquet", [])
        # several row groups: the workers read runs of them
        pq.write_table(pa.Table.from_pylist(long_rows(rows)), d / "groups.parquet", row_group_size=100)
        made["parquet-groups"] = (d / "groups.parquet", [])
        untexted = [dict(r) for r in long_rows(rows)]
        untexted[850]["text"] = None
        pq.write_table(pa.Table.from_pylist(untexted), d / "untexted.parquet", row_group_size=100)
        made["parquet-no-text"] = (d / "untexted.parquet", [])
        # no text column: the workers had dropped the advice one process gives
        renamed = [{"body": r["text"], "date": r["date"]} for r in rows]
        pq.write_table(pa.Table.from_pylist(renamed), d / "body.parquet", row_group_size=100)
        made["parquet-no-column"] = (d / "body.parquet", [])
    except ImportError:
        pass
    labelled = [{**r, "labels": ["policy"] if i % 3 == 0 else []} for i, r in enumerate(rows)]
    put("labelled", _jsonl(labelled), file_name="labelled.jsonl")
    put("relabel", _jsonl(labelled), ["--relabel"], "relabel.jsonl")
    # label's output of a model with a provisional theme marks it on every record; here only the
    # second half does, so a worker's part without the mark must not lose it
    half = len(labelled) // 2
    marked = [{**r, **({"provisional": ["policy"]} if i >= half else {})} for i, r in enumerate(labelled)]
    put("labelled-provisional", _jsonl(marked), file_name="marked.jsonl")
    cells = [{**r, "labels": "|".join(r["labels"]), "provisional": "policy" if i >= half else ""}
             for i, r in enumerate(labelled)]
    put("csv-provisional", _csv(cells), file_name="marked.csv")
    # 250 label names, six rows each: every worker's chunk names fewer than 200, the whole more
    put("many-themes", _jsonl([{**r, "labels": [f"t{i // 6}"]} for i, r in enumerate(rows)]), [], "themes.jsonl")
    put("mixed-themes", _jsonl(mixed_themes(rows)), [], "mixed.jsonl")
    put("late-themes", _jsonl(late_themes(rows)), [], "late.jsonl")
    # a malformed line after the 201st name (line 501) in a worker's chunk: the chunk had
    # stopped at the malformed line before counting the names before it
    late = _jsonl(late_themes(rows)).splitlines()
    late[519] = "{broken"
    put("late-themes-malformed", "\n".join(late) + "\n", [], "late-malformed.jsonl")
    dates = [dict(r) for r in rows]
    dates[1300]["date"] = "sometime"
    put("bad-dates", _jsonl(dates), file_name="dates.jsonl")
    put("date-column", _jsonl(rows, date="day"), ["--date-column", "day"], "day.jsonl")
    put("copy-chains", _jsonl(copy_chains(rows)), file_name="chains.jsonl")
    # the emerging topics: a chunk kept the unthemed passages of the weeks before its own latest
    # day, not of the periods of the job's --freq up to its --as-of (issue 15)
    made["freq-month"] = (made["jsonl"][0], ["--freq", "month"])
    made["as-of"] = (made["jsonl"][0], ["--as-of", "2025-03-01"])
    return made


def skip_order(lines):
    """Five lines: a malformed one (line 2) before one of bytes that are not UTF-8 (line 4)."""
    body = [lines[0], "{broken", lines[1], '{"text": "\udcff"}', lines[2]]
    return ("\n".join(body) + "\n").encode("utf-8", "surrogateescape")


def late_bad_bytes(n=17000):
    """Short lines past 1 MiB (the block one process decodes at a time): a malformed line
    (16301), then one of bytes that are not UTF-8 (16901), in the same block."""
    lines = [json.dumps({"id": i, "text": f"micro drama {i} goes overseas", "date": "2025-01-05"}) for i in range(n)]
    lines[16300], lines[16900] = "{broken", '{"text": "\udcff"}'
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")


def mixed_themes(rows):
    """Every sixth row labelled with a name of its own (t0, t1, ..., every other one without
    its text), the rest for the model to label: its five themes come at line 1, so the 201st
    name is t195's, line 1174. Labelled passages with text and the model's were counted in
    batches, and the line named had depended on the batches (issue 15)."""
    out = []
    for i, r in enumerate(rows):
        if i % 6 == 3:
            labelled = {**r, "labels": [f"t{i // 6}"]}
            out.append(labelled if (i // 6) % 2 == 0 else {k: v for k, v in labelled.items() if k != "text"})
        else:
            out.append(r)
    return out


def late_themes(rows):
    """Labels only: 150 names, 300 lines of them again, then 250 other names, then the first
    names again. A worker's chunk holding more than 200 of the later names had named its own
    201st, though the 201st of the whole input (b50, line 501) comes before it in that chunk."""
    first = [f"a{k}" for k in range(150)]
    names = first * 3 + [f"b{k}" for k in range(250)]
    names += [f"a{k % 150}" for k in range(len(rows) - len(names))]
    return [{"id": r["id"], "date": r["date"], "labels": [name]} for r, name in zip(rows, names)]


def copy_chains(rows, n=40):
    """``rows`` between the sightings of ``n`` texts each seen on days 0, 10 and 5 of its own
    (in that order; the first at the top, the other two at the bottom): a chain of copies over
    more than a week, which one process and the workers had folded differently (issue 15)."""
    import datetime as dt

    def sighting(k, days):
        date = dt.date(2025, 2, 1) + dt.timedelta(days=k + days)
        return {"id": f"chain{k}-{days}", "text": f"第{k}篇连锁转载：微短剧出海势头强劲", "date": date.isoformat()}

    head = [sighting(k, 0) for k in range(n)]
    tail = [sighting(k, days) for k in range(n) for days in (10, 5)]
    return head + list(rows) + tail


def _backends(cluster, command):
    out = {"one process": ["--jobs", "1"] if command == "label" else [], "--jobs 2": ["--jobs", "2"]}
    if cluster is not None:
        out["dask"] = ["--scheduler", cluster["address"], "--block-mb", "0.02"]
    return out


@pytest.fixture(scope="module")
def maybe_cluster(request):
    if not _has_dask():
        return None
    return request.getfixturevalue("cluster")


def _invoke(command, given, extra, backend_args, output):
    data = None
    if isinstance(given, bytes):
        data, target = given, "-"
    else:
        target = str(given)
    args = [command, target, *extra, *backend_args]
    if output is not None:
        args += ["-o", str(output)]
    result = CliRunner().invoke(main, args, input=data, catch_exceptions=False)
    written = output.read_bytes() if output is not None and output.exists() else None
    return result.exit_code, result.stdout, result.stderr, written


LABEL_CASES = [
    "jsonl",
    "explain",
    "columns",
    "csv",
    "tsv",
    "csv-columns",
    "digest",
    "text",
    "gz",
    "gz-long",
    "gb18030",
    "gb18030-torn",
    "utf-16",
    "bom",
    "big5-csv",
    "crlf",
    "cr",
    "cr-digest",
    "blank-lines",
    "malformed",
    "no-text",
    "skip-bad",
    "bad-bytes",
    "bad-bytes-deep",
    "bad-bytes-replace",
    "bad-bytes-skip",
    "empty",
    "blank",
    "array",
    "directory",
    "directory-errors",
    "malformed-then-bytes",
    "stdin",
    "parquet",
    "parquet-groups",
    "parquet-no-text",
    "parquet-no-column",
    "skip-order",
    "late-bad-bytes",
]


@pytest.mark.parametrize("case", LABEL_CASES)
def test_label_is_the_same_on_every_backend(case, inputs, maybe_cluster, tmp_path):
    if case not in inputs:
        pytest.skip(f"{case}: pyarrow is not installed")
    given, extra = inputs[case]
    seen = {}
    for name, args in _backends(maybe_cluster, "label").items():
        seen[name] = _invoke("label", given, extra, args, tmp_path / f"{name.replace(' ', '_')}.jsonl")
    first = next(iter(seen.values()))
    for name, got in seen.items():
        assert got == first, f"{case}: {name} differs from one process"
    expect_error = case in (
        "malformed",
        "no-text",
        "bad-bytes",
        "bad-bytes-deep",
        "empty",
        "blank",
        "array",
        "parquet-no-text",
        "parquet-no-column",
        "late-bad-bytes",
        "directory-errors",
        "malformed-then-bytes",
    )
    assert (first[0] != 0) == expect_error, first[2]
    if expect_error:
        assert first[2].startswith("Error: ") and first[2].count("\n") == 1 and first[3] is None
    _check_message(case, given, first[2])


def _check_message(case, given, stderr):
    """What one process says for the cases added for a difference found (issue 15)."""
    if case in ("bad-bytes", "bad-bytes-deep"):  # a chunk's error had lost its advice, on every back-end
        line = 6001 if case == "bad-bytes-deep" else 901
        advice = "try --encoding NAME, or --encoding-errors replace"
        assert stderr.endswith(f":{line}: bytes that are not valid utf-8; {advice}\n"), stderr
    if case == "parquet-no-column":
        assert stderr.endswith(
            "has no 'text' column (columns: body, date); try --text-column NAME for the column that holds the text\n"
        )
    if case == "late-bad-bytes":
        assert stderr.startswith(f"Error: {given}:16301: malformed JSON")
    if case == "directory-errors":
        assert stderr == f"Error: {given / 'a.jsonl'}:5: expected a string 'text' field, got nothing\n"
    if case == "malformed-then-bytes":
        assert stderr.startswith(f"Error: {given}:401: malformed JSON")
    if case == "gb18030-torn":
        assert stderr.startswith(f"{N - 1} good passages; skipped 1 bad line\n")
        assert f"  skipped {given}:{N}: malformed JSON (Extra data at column " in stderr
    if case == "relabel-untexted-file":
        assert stderr.startswith("300 good passages; skipped 3 bad lines\n")
        assert f"  skipped {given / 'b.jsonl'}:3: expected a string 'text' field, got nothing\n" in stderr
    if case == "skip-relabel":
        assert stderr.endswith(
            f"skipped {given}:7: malformed JSON (Expecting property name enclosed in double quotes at column 2)\n"
        )
        assert f"skipped {given}:2: expected a string 'text' field, got nothing" in stderr
    if case == "skip-order":
        malformed = "malformed JSON (Expecting property name enclosed in double quotes at column 2)"
        assert stderr.endswith(f"skipped {given}:2: {malformed}\n  skipped {given}:4: bytes that are not valid utf-8\n")


@pytest.mark.parametrize(
    "case, before", [("malformed", 1234), ("malformed-then-bytes", 400), ("no-text", 1100), ("directory-errors", 4)]
)
def test_label_streams_the_passages_before_a_bad_line_on_every_backend(case, before, inputs, maybe_cluster):
    """On standard output, label writes the passages before the first bad line, then stops
    with the error, on every back-end. Output had been written a chunk at a time, so how much
    came before the error depended on where the back-end cut the chunks (issue 15)."""
    given, extra = inputs[case]
    seen = {
        name: _invoke("label", given, extra, args, None) for name, args in _backends(maybe_cluster, "label").items()
    }
    first = seen["one process"]
    assert first[0] == 2 and first[2].startswith("Error: ") and first[2].count("\n") == 1
    assert first[1].count("\n") == before
    for name, got in seen.items():
        assert got == first, f"{case}: {name} differs from one process"


def test_an_array_line_at_the_start_of_a_byte_range_is_no_array_file(maybe_cluster, tmp_path):
    """A line holding a JSON array is the file given as one array only when it is the file's
    first line. A worker numbers the lines of its byte range from 1, and had called such a
    line at the start of its range "a JSON array, expected JSON Lines" (issue 15). The array
    lines are put where each back-end's ranges start."""
    from trendscore.run.job import CHUNK, MIN_CUT_BYTES, TAIL_DIVISOR, _cut_size
    from trendscore.run.reading import cut_file

    width, n = 120, 1000
    lines = [json.dumps({"id": i, "text": f"micro drama {i} goes overseas", "date": "2025-01-05"}) for i in range(n)]
    path = tmp_path / "arrays.jsonl"
    path.write_text("".join(line.ljust(width - 1) + "\n" for line in lines), "utf-8")
    cut = _cut_size([str(path)], CHUNK, 2)
    starts = {start for start, _ in cut_file(str(path), cut, max(cut // TAIL_DIVISOR, MIN_CUT_BYTES))}
    starts |= {start for start, _ in cut_file(str(path), int(0.02 * (1 << 20)))}
    at = sorted(start // width for start in starts if start)[:5]
    assert len(at) == 5
    for k in at:
        lines[k] = "[1, 2]"
    path.write_text("".join(line.ljust(width - 1) + "\n" for line in lines), "utf-8")
    expected = "".join(f"  skipped {path}:{k + 1}: expected a JSON object with a 'text' field, got list\n" for k in at)
    for name, args in _backends(maybe_cluster, "label").items():
        code, _, stderr, _ = _invoke("label", path, ["--skip-bad"], args, None)
        assert (code, stderr) == (0, f"{n - 5} good passages; skipped 5 bad lines\n" + expected), name


@pytest.mark.parametrize("where", ["middle", "last"])
def test_the_line_bound_is_in_bytes_on_every_backend(where, rows, maybe_cluster, tmp_path, monkeypatch):
    """A line of 3,000 Chinese characters is 9,000 bytes: beyond a bound of 5,242 bytes on
    every back-end. One process had measured a line inside a block it decoded in characters
    and let the last line (without a line end) through unmeasured; workers reading byte
    ranges measured bytes (issue 15)."""
    monkeypatch.setenv("TRENDSCORE_MAX_LINE_MB", "0.005")
    lines = [json.dumps({"text": f"micro drama {i}", "date": r["date"]}) for i, r in enumerate(rows[:1000])]
    long = json.dumps({"text": "长" * 3000, "date": "2025-01-01"}, ensure_ascii=False)
    if where == "middle":
        lines[300], number, end = long, 301, "\n"
    else:
        lines.append(long)
        number, end = len(lines), ""
    path = tmp_path / "long.jsonl"
    path.write_text("\n".join(lines) + end, "utf-8")
    bound = "a line longer than 5242 bytes: not line-based text? (a longer bound: TRENDSCORE_MAX_LINE_MB)"
    expected = f"Error: {path}:{number}: {bound}\n"
    for command in ("label", "score"):
        for name, args in _backends(maybe_cluster, command).items():
            code, _, stderr, _ = _invoke(command, path, [], args, None)
            assert (code, stderr) == (2, expected), f"{command} on {name}"


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl.gz"])
def test_label_output_kinds_are_the_same_on_every_backend(suffix, inputs, maybe_cluster, tmp_path):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    given, _ = inputs["jsonl"]
    seen = {
        name: _invoke("label", given, [], args, tmp_path / f"{name.replace(' ', '_')}{suffix}")
        for name, args in _backends(maybe_cluster, "label").items()
    }
    first = next(iter(seen.values()))
    assert first[0] == 0 and first[3]
    for name, got in seen.items():
        assert got == first, f"{suffix}: {name} differs from one process"


SCORE_CASES = [
    "jsonl",
    "csv",
    "digest",
    "gz",
    "gz-long",
    "gb18030",
    "gb18030-torn",
    "utf-16",
    "labelled",
    "labelled-provisional",
    "csv-provisional",
    "relabel",
    "bad-dates",
    "date-column",
    "copy-chains",
    "freq-month",
    "as-of",
    "skip-bad",
    "malformed",
    "directory",
    "directory-errors",
    "malformed-then-bytes",
    "relabel-untexted-file",
    "stdin",
    "parquet",
    "parquet-groups",
    "parquet-no-column",
    "skip-order",
    "skip-relabel",
    "late-bad-bytes",
    "empty",
    "many-themes",
    "mixed-themes",
    "late-themes",
    "late-themes-malformed",
]


@pytest.mark.parametrize("case", SCORE_CASES)
def test_score_is_the_same_on_every_backend(case, inputs, maybe_cluster):
    if case not in inputs:
        pytest.skip(f"{case}: pyarrow is not installed")
    given, extra = inputs[case]
    seen = {
        name: _invoke("score", given, [*extra, "--format", "json"], args, None)
        for name, args in _backends(maybe_cluster, "score").items()
    }
    first = next(iter(seen.values()))
    for name, got in seen.items():
        assert got == first, f"{case}: {name} differs from one process"
    errors = (
        "malformed",
        "empty",
        "many-themes",
        "mixed-themes",
        "late-themes",
        "late-themes-malformed",
        "parquet-no-column",
        "late-bad-bytes",
        "directory-errors",
        "malformed-then-bytes",
    )
    assert (first[0] != 0) == (case in errors), first[2]
    _check_message(case, given, first[2])
    if case in (
        "mixed-themes",
        "late-themes",
        "late-themes-malformed",
    ):  # the first line, in input order, past the limit
        line, name = (1174, "t195") if case == "mixed-themes" else (501, "b50")
        assert first[2].startswith(f"Error: {given}:{line}: more than 200 distinct theme names (at label '{name}')")
    if case == "many-themes":  # the line of the 201st name, as one process reads it
        assert first[2].startswith(f"Error: {given}:1201: more than 200 distinct theme names (at label 't200')")
        assert first[2].count("\n") == 1
    if case in ("labelled-provisional", "csv-provisional"):  # the mark label gave, on every back-end
        score = json.loads(first[1])
        assert [t["theme"] for t in score["themes"] if t.get("provisional")] == ["policy"]
        assert any(n.startswith("provisional themes, marked * in tables") for n in score["notes"])
    if case == "labelled":
        assert not any(t.get("provisional") for t in json.loads(first[1])["themes"])
    if case in ("freq-month", "as-of"):  # passages that fit no theme, within the score's windows
        assert json.loads(first[1])["emerging"]
    if case == "copy-chains":  # each chain folds its day 5 alone (day 10 is beyond a week of day 0)
        plain = _invoke("score", inputs["jsonl"][0], ["--format", "json"], [], None)
        folded = json.loads(first[1])["records"]["copies_folded"]
        assert folded == json.loads(plain[1])["records"]["copies_folded"] + 40


def _parts(directory):
    import pyarrow.parquet as pq

    names = sorted(p.name for p in directory.iterdir())
    assert names[0] == "_SUCCESS" and all(n.startswith("part-") for n in names[1:])
    return [row for n in names[1:] for row in pq.read_table(directory / n).to_pylist()]


@pytest.mark.parametrize("case", ["jsonl", "csv", "stdin", "malformed"])
def test_label_output_dir_is_the_same_on_every_backend(case, inputs, maybe_cluster, tmp_path):
    """`label --output-dir`: every back-end writes Parquet parts holding the same rows in the
    same order (where the chunks are cut may differ), and `score DIR` reads them; a failed job
    leaves no directory behind."""
    pytest.importorskip("pyarrow")
    given, extra = inputs[case]
    seen = {}
    for name, args in _backends(maybe_cluster, "label").items():
        out = tmp_path / name.replace(" ", "_")
        data = given if isinstance(given, bytes) else None
        target = "-" if data is not None else str(given)
        result = CliRunner().invoke(main, ["label", target, *extra, *args, "--output-dir", str(out)], input=data)
        if case == "malformed":
            assert result.exit_code == 2 and "malformed JSON" in result.stderr
            assert not out.exists()
            continue
        assert result.exit_code == 0, result.stderr
        seen[name] = _parts(out)
        score = CliRunner().invoke(main, ["score", str(out), "--format", "json"])
        assert score.exit_code == 0, score.stderr
        seen[name + " score"] = score.stdout
    if case != "malformed":
        assert len(seen["one process"]) == N
        for name in _backends(maybe_cluster, "label"):
            assert seen[name] == seen["one process"], f"{case}: {name} parts differ"
            assert seen[name + " score"] == seen["one process score"]


@pytest.mark.slow
@pytest.mark.parametrize("command, suffix", [("label", ".jsonl"), ("score", ".json")])
def test_a_job_that_succeeds_is_silent_on_every_backend(command, suffix, inputs, maybe_cluster, tmp_path):
    """A job that succeeds with its output in a file writes nothing on standard output or
    error, on every back-end, a local cluster the command starts itself included, as a
    process in a nightly pipeline sees it. On a cluster `label` had said "Labelled N passages
    on SCHEDULER" on stderr, where one process and `--jobs 2` said nothing (issue 15)."""
    import subprocess
    import sys

    given, _ = inputs["jsonl"]
    backends = _backends(maybe_cluster, command)
    if maybe_cluster is not None:
        backends["local:2"] = ["--scheduler", "local:2", "--block-mb", "0.02"]
    written = {}
    for name, args in backends.items():
        out = tmp_path / f"{name.replace(' ', '_').replace(':', '')}{suffix}"
        done = subprocess.run(
            [sys.executable, "-m", "trendscore", command, str(given), *args, "-o", str(out)],
            capture_output=True,
            timeout=300,
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b""), name
        written[name] = out.read_bytes()
    assert all(data == written["one process"] for data in written.values())


def _cluster_workers_starting(pid: int) -> bool:
    """True once ``pid`` has a child that is a worker process being spawned (``local:N``)."""
    from conftest import child_pids

    for child in child_pids(pid):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as fh:
                if b"spawn_main" in fh.read():
                    return True
        except OSError:
            continue
    return False


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["one process", "--jobs 2", "dask", "local:2"])
def test_ctrl_c_is_one_line_and_leaves_nothing_on_every_backend(backend, texts, maybe_cluster, tmp_path):
    """Ctrl-C at a terminal (SIGINT to every process of the job) ends `label` with the one line
    "Error: interrupted", exit 130, nothing on standard output and no file left, on every
    back-end. On a local cluster it is sent as the cluster's worker processes start: it had
    printed their tracebacks (stopped as they imported), then distributed's as it closed the
    half-started cluster at exit (issue 15)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from conftest import child_pids, sigint_as_at_a_terminal

    args = {"one process": ["--jobs", "1"], "--jobs 2": ["--jobs", "2"], "local:2": ["--scheduler", "local:2"]}
    if backend in ("dask", "local:2"):
        if maybe_cluster is None:
            pytest.skip("the dask extra is not installed")
        args["dask"] = ["--scheduler", maybe_cluster["address"]]
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n" for i in range(60_000)),
        "utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "trendscore", "label", str(source), "-o", str(out / "o.jsonl"), *args[backend]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=sigint_as_at_a_terminal,
    )
    if backend == "local:2":
        ready = lambda: _cluster_workers_starting(proc.pid)  # noqa: E731
    else:  # passages are being written: the job is under way, past the interpreter's start-up
        ready = lambda: any(_size(f) > 0 for f in out.iterdir())  # noqa: E731
    end = time.monotonic() + 120
    while proc.poll() is None and not ready() and time.monotonic() < end:
        time.sleep(0.01)
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else None
    children = child_pids(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        stdout, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the job did not stop")
    assert (proc.returncode, stdout, stderr.decode()) == (130, b"", "Error: interrupted\n")
    assert list(out.iterdir()) == []
    time.sleep(1.0)
    assert [c for c in children if os.path.exists(f"/proc/{c}") and not _finished(c)] == []


def _size(path) -> int:
    """A file's size, 0 when it went meanwhile (a part renamed as the job ends)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _finished(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


@pytest.fixture
def client_interrupted_as_it_closes(maybe_cluster, monkeypatch):
    """The cluster's address, with ``trendscore.integrations.dask.connect`` giving the real
    client and a Ctrl-C (KeyboardInterrupt) once it has closed, as one that arrives while a
    cluster's client closes."""
    if maybe_cluster is None:
        pytest.skip("the dask extra is not installed")
    from trendscore.integrations import dask as dask_api

    real = dask_api.connect

    class Interrupted:
        def __init__(self, scheduler):
            self.client = real(scheduler)

        def __enter__(self):
            return self.client.__enter__()

        def __exit__(self, *exc):
            self.client.__exit__(*exc)
            raise KeyboardInterrupt

    monkeypatch.setattr(dask_api, "connect", Interrupted)
    return maybe_cluster["address"]


@pytest.mark.slow
def test_label_interrupted_as_the_cluster_client_closes_leaves_no_output(
    client_interrupted_as_it_closes, rows, tmp_path
):
    """A Ctrl-C while the cluster's client closed had ended `label` "interrupted" with its
    output already in place (committed before the client closed); the output is now committed
    after the back-end has stopped, so an interrupted job leaves nothing (issue 15)."""
    from trendscore.run.label import run_label

    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:50]), "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(KeyboardInterrupt):
        run_label([str(source)], output=str(out / "o.jsonl"), scheduler=client_interrupted_as_it_closes)
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_score_interrupted_as_the_cluster_client_closes_writes_nothing(
    client_interrupted_as_it_closes, rows, tmp_path
):
    """The same for `score`: its ranking had been written and its state file not, the client
    closing only after the outputs; it now closes once the counts are in, before any output."""
    from trendscore.run.score import run_score

    source = tmp_path / "in.jsonl"
    labelled = [{"id": r["id"], "date": r["date"], "labels": ["policy"] if r["id"] % 3 else []} for r in rows]
    source.write_text("".join(json.dumps(r) + "\n" for r in labelled), "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(KeyboardInterrupt):
        run_score(
            [str(source)],
            output=str(out / "ranking.json"),
            state_path=str(out / "state.json"),
            scheduler=client_interrupted_as_it_closes,
        )
    assert list(out.iterdir()) == []
