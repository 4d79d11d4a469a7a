"""Resource bombs from small or endless inputs, run in a subprocess under a memory limit
(``resource.setrlimit``): each ends in the right answer or one line, within the bound (issue 14).

The score-series bombs (``--as-of``, dates far apart) are tested with the score code."""

import json
import os
import subprocess
import sys

import pytest

from trendscore.errors import InputError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: address space for one labelling process: the model and libraries take about 300 MB
LIMIT_MB = 900
#: a hang guard, not a speed test: quadratic reading of these inputs takes hours
HANG = 600

_RUNNER = """
import resource, sys
limit = int(sys.argv[1]) << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from trendscore.cli import main
code = 0
try:
    main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code or 0
print(f"MAXRSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10}", file=sys.stderr)
sys.exit(code)
"""


def run_limited(args, stdin=None, env=None, limit_mb=LIMIT_MB, timeout=HANG, cwd=None):
    """(exit code, stderr without the MAXRSS line, peak RSS in MB) of the CLI under a limit."""
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(limit_mb), *map(str, args)],
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": ROOT, **(env or {})},
    )
    lines = proc.stderr.splitlines()
    assert lines and lines[-1].startswith("MAXRSS "), proc.stderr
    return proc.returncode, "\n".join(lines[:-1]) + ("\n" if len(lines) > 1 else ""), int(lines[-1].split()[1])


def test_dev_zero_stops_at_the_line_bound():
    code, err, _ = run_limited(["label", "/dev/zero", "-o", "/dev/null", "--input-format", "text"])
    assert code == 2
    assert err == (
        "Error: /dev/zero:1: a line longer than 64 MiB: not line-based text? (a longer bound: TRENDSCORE_MAX_LINE_MB)\n"
    )


def test_endless_stdin_stops_at_the_line_bound():
    with open("/dev/zero", "rb") as zero:
        code, err, _ = run_limited(["label", "-", "-o", "/dev/null"], stdin=zero, env={"TRENDSCORE_MAX_LINE_MB": "2"})
    assert code == 2
    assert err.startswith("Error: -:1: a line longer than 2 MiB")


@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".csv"])
def test_a_file_without_line_ends_is_one_line(tmp_path, suffix):
    big = tmp_path / f"one_line{suffix}"
    big.write_bytes(b"x" * (3 << 20))
    code, err, _ = run_limited(["label", big, "-o", "/dev/null"], env={"TRENDSCORE_MAX_LINE_MB": "1"})
    assert code == 2
    assert err.startswith(f"Error: {big}:1: a line longer than 1 MiB")


def test_the_line_bound_counts_from_every_line(tmp_path):
    f = tmp_path / "in.jsonl"
    short = json.dumps({"text": "政策"}) + "\n"
    f.write_text(short * 10 + json.dumps({"text": "长" * 400_000}) + "\n", "utf-8")
    code, err, _ = run_limited(["label", f, "-o", "/dev/null"], env={"TRENDSCORE_MAX_LINE_MB": "1"})
    assert code == 2
    assert err.startswith(f"Error: {f}:11: a line longer than 1 MiB")


@pytest.mark.parametrize("value", ["0", "-3", "lots"])
def test_a_bad_line_bound_setting_is_one_line(tmp_path, value):
    f = tmp_path / "in.jsonl"
    f.write_text('{"text": "政策"}\n', "utf-8")
    code, err, _ = run_limited(["label", f, "-o", "/dev/null"], env={"TRENDSCORE_MAX_LINE_MB": value})
    assert code == 2
    assert err == f"Error: TRENDSCORE_MAX_LINE_MB is {value!r}; expected a positive number of MiB\n"


def _paragraph(path, megabytes: int, line_ends: bool, digest: bool = False):
    sentence = "微短剧出海带动东南亚市场增长，平台加大投入并调整审核政策。"
    with open(path, "w", encoding="utf-8") as fh:
        if digest:
            fh.write("Workflow\n标题一\n新华社· 2024-05-01\n")
        written = 0
        while written < megabytes << 20:
            chunk = sentence * 200
            fh.write(chunk + ("\n" if line_ends else ""))
            written += len(chunk.encode("utf-8"))
        fh.write("\n")


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind",
    ["paragraph of many lines", "single line", "digest body"],
)
def test_long_text_streams_in_flat_memory(tmp_path, kind):
    """Peak memory labelling 12 MB of one paragraph exceeds that of 3 MB by far less than the
    difference of the inputs: the text is read, split and labelled as it streams."""
    peaks = []
    for size in (3, 12):
        path = tmp_path / f"{size}.txt"
        _paragraph(path, size, line_ends=kind != "single line", digest=kind == "digest body")
        fmt = "digest" if kind == "digest body" else "text"
        code, err, peak = run_limited(["label", path, "-o", "/dev/null", "--jobs", "1", "--input-format", fmt, "-q"])
        assert code == 0, err
        peaks.append(peak)
        path.unlink()
    # a single line is held whole (as bytes, decoded, in pieces): 9 MB more input, about 40 MB more
    allowed = 90 if kind == "single line" else 30
    assert peaks[1] - peaks[0] < allowed, peaks


def test_text_windows_cut_a_long_paragraph_like_the_whole():
    """A body longer than the window gives the passages of the whole, cut at sentence ends."""
    from trendscore.text.normalise import PassageBuffer, split_passages

    lines = [f"第{i}句讲短剧出海和平台政策的变化，内容足够长以便分段。" for i in range(3000)]
    buf = PassageBuffer(window=5000)
    streamed = [p for line in lines for p in buf.add(line)] + buf.finish()
    whole = split_passages(" ".join(lines))
    assert "".join(streamed).replace(" ", "") == "".join(whole).replace(" ", "")
    assert all(len(p) <= 300 for p in streamed)
    assert len(streamed) == pytest.approx(len(whole), rel=0.01)


def test_an_unpunctuated_clause_is_cut_in_linear_steps():
    from trendscore.text.normalise import split_passages

    passages = split_passages("长" * 1_000_000)
    assert len(passages) == 1_000_000 // 300 + 1
    assert "".join(passages) == "长" * 1_000_000


def test_format_sniffing_holds_a_bounded_head(tmp_path, monkeypatch):
    """Sniffing the format reads ahead at most about 1 MiB of lines, not 200 lines of any
    length (200 lines of 64 MiB would be 12 GiB)."""
    from trendscore.io import readers

    f = tmp_path / "long_lines.txt"
    f.write_text(("短" * 100_000 + "\n") * 50, "utf-8")
    pulled = []
    real = readers._lines

    def counting(*args, **kwargs):
        for item in real(*args, **kwargs):
            pulled.append(item[0])
            yield item

    monkeypatch.setattr(readers, "_lines", counting)
    with readers.open_lines(str(f)) as (fmt, lines):
        assert fmt == "text"
        assert len(pulled) == 11  # 11 lines of 100,000 characters pass 1 MiB
        assert sum(1 for _ in lines) == 50


def test_a_fifo_without_a_writer_is_refused_in_time(tmp_path, monkeypatch):
    """Opening a named FIFO that no process writes to had waited for a writer for ever."""
    import time

    from trendscore.io import opening
    from trendscore.io.readers import read_records

    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)
    monkeypatch.setattr(opening, "FIFO_WAIT_SECONDS", 0.5)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"in\.jsonl: a FIFO that no process opened to write in 0\.5 s"):
        list(read_records(str(fifo)))
    assert time.monotonic() - started < 5


def test_a_fifo_with_a_writer_is_read(tmp_path):
    import threading

    from trendscore.io.readers import read_records

    fifo = tmp_path / "in.jsonl"
    os.mkfifo(fifo)

    def write():
        with open(fifo, "w", encoding="utf-8") as fh:
            fh.write('{"text": "短剧出海"}\n{"text": "微短剧政策"}\n')

    writer = threading.Thread(target=write)
    writer.start()
    try:
        records = [r for r, _, _ in read_records(str(fifo))]
    finally:
        writer.join()
    assert [r["text"] for r in records] == ["短剧出海", "微短剧政策"]


def test_a_fifo_without_a_writer_is_one_line_from_the_cli(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from trendscore.cli import main
    from trendscore.io import opening

    fifo = tmp_path / "seeds.jsonl"
    os.mkfifo(fifo)
    monkeypatch.setattr(opening, "FIFO_WAIT_SECONDS", 0.5)
    result = CliRunner().invoke(main, ["train", str(fifo), "-o", str(tmp_path / "model")])
    assert result.exit_code == 2
    assert result.output == f"Error: {fifo}: a FIFO that no process opened to write in 0.5 s; start its writer first\n"


def _value_bomb(path, values: int = 20_000_000) -> None:
    """One JSON Lines record of ``values`` empty arrays, gzipped: 60 MB of '[],' in 60 KB."""
    import gzip

    with gzip.open(path, "wb", compresslevel=1) as fh:
        fh.write(b'{"text": "\xe7\x9f\xad\xe5\x89\xa7", "x": [' + b"[]," * (values - 1) + b"[]]}\n")


@pytest.mark.parametrize("command", ["label", "score", "train"])
def test_a_record_of_millions_of_tiny_values_is_refused_before_it_is_parsed(tmp_path, command):
    # each '[],' is 3 bytes of the line and some 64 of memory parsed: under the line bound, one
    # line of them (58 KB gzipped) had taken 3 GB and 40 s to label
    bomb = tmp_path / "bomb.jsonl.gz"
    _value_bomb(bomb)
    out = ["-o", tmp_path / "model"] if command == "train" else []
    code, err, rss = run_limited([command, bomb, *out])
    assert code == 2, err
    assert err.startswith(f"Error: {bomb}:1: malformed JSON (more than 4,000,000 values (arrays, objects, strings, ")
    assert len(err.splitlines()) == 1 and rss < LIMIT_MB


@pytest.mark.parametrize("size, declared, why", [
    (1 << 30, (1 << 30) - 12, "more than the 64 MiB a Parquet footer may have"),
    (4096, (1 << 31) - 16, "more than the 4,096 bytes of the file"),
])
def test_a_parquet_footer_declaring_huge_metadata_is_refused_before_it_is_read(tmp_path, size, declared, why):
    """pyarrow reads the metadata a Parquet footer declares into memory before parsing it: a
    sparse file of 1 GiB (some KB on disk) declaring 1 GiB of it had taken 1.2 GB, past this
    test's bound; the footer is now checked first, against the file's size and a bound."""
    pytest.importorskip("pyarrow")
    bomb = tmp_path / "bomb.parquet"
    with open(bomb, "wb") as fh:
        fh.write(b"PAR1")
        fh.seek(size - 8)
        fh.write(declared.to_bytes(4, "little") + b"PAR1")
    code, err, rss = run_limited(["label", bomb])
    assert code == 2
    assert err == f"Error: {bomb}: damaged Parquet file (its footer declares {declared:,} bytes of metadata, {why})\n"
    assert rss < LIMIT_MB
