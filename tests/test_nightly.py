"""trendscore as a nightly job runs it: standard output closed or in a legacy locale, an
alert whose delivery fails."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_drivers import _stream

from trendscore.io.atomic import standard_output

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSAGES = [
    {"id": 1, "text": "国家广电总局发布微短剧备案管理新规", "date": "2026-01-05"},
    {"id": 2, "text": "短剧出海：ReelShort 在北美的收入继续增长", "date": "2026-01-06"},
    {"id": 3, "text": "横店影视城迎来大批微短剧剧组", "date": "2026-01-07"},
]


def _cli(args, env=None, stdout=subprocess.PIPE, **kwargs):
    """Run the CLI in a new process; stderr captured, stdout too unless given."""
    return subprocess.run(
        [sys.executable, "-m", "trendscore", *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": ROOT, **(env or {})}, timeout=120, **kwargs,
    )


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def test_standard_output_is_made_utf8_keeping_its_error_handler(monkeypatch):
    raw = io.BytesIO()
    legacy = io.TextIOWrapper(raw, encoding="latin-1", errors="backslashreplace")
    monkeypatch.setattr(sys, "stdout", legacy)
    out = standard_output()
    out.write("微短剧\n")
    out.flush()
    assert (out.encoding, out.errors) == ("utf-8", "backslashreplace")
    assert raw.getvalue() == "微短剧\n".encode()


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [["label", "--format", "jsonl"], ["label", "--format", "table"], ["label", "--format", "csv"],
     ["score", "--format", "json", "--freq", "day"]],
)
def test_standard_output_in_a_legacy_locale_holds_the_bytes_a_file_would(tmp_path, args):
    """PYTHONIOENCODING=latin-1 (a legacy locale does the same): label had ended in a
    UnicodeEncodeError traceback (CSV: an error about lone surrogates), score too."""
    records = PASSAGES if args[0] == "label" else [{**p, "labels": ["出海"]} for p in PASSAGES]  # a theme in Chinese
    source = _jsonl(tmp_path / "in.jsonl", records)
    suffix = {"jsonl": ".jsonl", "table": ".txt", "csv": ".csv", "json": ".json"}[args[2]]
    filed = _cli([*args, source, "-o", tmp_path / f"out{suffix}"])
    assert filed.returncode == 0, filed.stderr
    piped = _cli([*args, source], env={"PYTHONIOENCODING": "latin-1"})
    assert (piped.returncode, piped.stderr) == (0, b"")
    expected = (tmp_path / f"out{suffix}").read_bytes()
    assert piped.stdout == expected


@pytest.mark.slow
@pytest.mark.parametrize("command", ["label", "score"])
def test_closed_standard_output_is_one_line_before_any_work(tmp_path, command):
    """`trendscore label in.jsonl >&-` had ended in an AttributeError traceback."""
    source = _jsonl(tmp_path / "in.jsonl", PASSAGES)
    done = _cli([command, source], stdout=None, preexec_fn=lambda: os.close(1))
    assert done.returncode == 2
    assert done.stderr == b"Error: -: standard output is closed: there is nothing to write to; name an output file\n"


@pytest.mark.slow
def test_an_alert_that_cannot_be_written_leaves_the_state_for_the_next_run(tmp_path):
    """The state had been replaced before the changes were printed: with standard output on a
    full disk (or a closed pipe) the run failed, yet the next one reported no change."""
    records = _stream()
    early = _jsonl(tmp_path / "early.jsonl", [r for r in records if r["date"] < "2025-04-20"])
    full = _jsonl(tmp_path / "full.jsonl", records)
    state = tmp_path / "state.json"
    assert _cli(["score", early, "--state", state, "--alert"]).returncode == 0
    before = state.read_bytes()
    with open("/dev/full", "wb") as disk_full:
        failed = _cli(["score", full, "--state", state, "--alert"], stdout=disk_full)
    assert failed.returncode == 1
    assert state.read_bytes() == before
    assert failed.stderr.decode().startswith("Error: standard output: cannot write (No space left on device)")
    again = _cli(["score", full, "--state", state, "--alert"])
    assert again.returncode == 3, again.stderr
    assert [c["theme"] for c in json.loads(again.stdout)["changes"]] == ["regional_hub"]


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".txt"])
@pytest.mark.parametrize("copies", [1, 1000])  # the whole file in the first 64 KiB read, or not
def test_a_file_cut_inside_a_character_is_named_cut_short(run, tmp_path, jobs, suffix, copies):
    """A file still being written (or cut short), its last line stopping inside a Chinese
    character: it had been `invalid UTF-8 bytes, and no other encoding fits clearly; try
    --encoding NAME` (`bytes that are not valid utf-8` in a longer file), advice that cannot help."""
    passages = PASSAGES * copies
    if suffix == ".jsonl":
        lines = [json.dumps({"id": p["id"], "text": p["text"]}, ensure_ascii=False) for p in passages]
    elif suffix == ".csv":
        lines = ["id,text"] + [f"{p['id']},{p['text']}" for p in passages]
    else:
        lines = [p["text"] + "。\n" for p in passages]
    data = "\n".join(lines).rstrip("\n\"}。").encode("utf-8")  # ends in a Chinese character
    path = tmp_path / f"in{suffix}"
    path.write_bytes(data[:-2])  # its first byte kept, without a line end
    done = run("label", path, "--jobs", jobs, "-o", tmp_path / "out.jsonl")
    assert done.exit_code == 2
    line = data.count(b"\n") + 1
    assert done.stderr == (
        f"Error: {path}:{line}: the last line stops inside a character, without a line end: "
        "is the file cut short, or still being written?\n"
    )
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_reader_that_stops_early_ends_the_job_quietly(tmp_path, jobs):
    """`label big.jsonl | head -1`: the job stops at once, nothing on stderr, with the status of
    a shell tool killed by SIGPIPE, 141 (it had been 1, a failure under `set -o pipefail`)."""
    source = _jsonl(tmp_path / "in.jsonl", PASSAGES * 20000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "trendscore", "label", str(source), "--jobs", jobs],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": ROOT},
    )
    assert json.loads(proc.stdout.readline())["id"] == 1
    proc.stdout.close()
    try:
        err = proc.stderr.read()
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.stderr.close()
    assert (proc.returncode, err) == (141, b"")


def test_fonts_are_found_without_a_home_folder(monkeypatch):
    """A container job running as a uid with no passwd entry and no HOME: `score --plot` and
    `--report` had ended in `RuntimeError: Could not determine home directory`."""
    import pwd

    from trendscore.trends.fonts import cjk_font_file, font_folders

    def unknown(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", unknown)
    folders = font_folders()
    assert Path("/usr/share/fonts") in folders and all(".fonts" not in str(f) for f in folders)
    cjk_font_file()  # searched in the system's folders, no error


def test_two_jobs_writing_one_output_at_once_leave_one_whole(tmp_path):
    """Two nightly jobs that overlap on one `-o`: each writes its own temporary file, and the
    output is the one renamed last, whole, never lines of both."""
    from trendscore.io.atomic import AtomicOutput

    out = str(tmp_path / "out.jsonl")
    first, second = AtomicOutput(out), AtomicOutput(out)
    a, b = first.__enter__(), second.__enter__()
    for n in range(1000):
        a.write(f"first {n}\n")
        b.write(f"second {n}\n")
    second.__exit__(None, None, None)
    first.__exit__(None, None, None)
    assert (tmp_path / "out.jsonl").read_text() == "".join(f"first {n}\n" for n in range(1000))
    assert os.listdir(tmp_path) == ["out.jsonl"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_parquet_file_whose_name_is_not_utf8_is_read(run, tmp_path, jobs):
    """A drop folder of files named in Latin-1 bytes (`caf\\xe9.parquet`): reading a Parquet
    input, or `score DIR` of an --output-dir so named, had ended in a UnicodeEncodeError
    traceback inside pyarrow, which takes a path as UTF-8 text."""
    pytest.importorskip("pyarrow")
    source = _jsonl(tmp_path / "in.jsonl", [{**p, "labels": ["policy"]} for p in PASSAGES])
    parquet = tmp_path / os.fsdecode(b"caf\xe9.parquet")
    assert run("label", source, "-o", parquet).exit_code == 0
    labelled = run("label", parquet, "--jobs", jobs)
    assert [json.loads(line)["id"] for line in labelled.stdout.splitlines()] == [1, 2, 3]
    scored = run("score", parquet, "--jobs", jobs, "--format", "json", "--freq", "day")
    assert json.loads(scored.stdout)["records"]["total"] == 3


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("copies", [1, 3000])  # the whole file in the first 64 KiB read, or not
def test_a_last_byte_of_another_encoding_after_ascii_keeps_the_encoding_advice(run, tmp_path, jobs, copies):
    """English text in cp1252 whose one accented letter ends the file (`... at the café`, no
    line end): é (0xE9) is also how a three-byte UTF-8 character starts, so the reader had
    called the file cut short inside a character, where nothing in it was UTF-8 and the
    advice to name its encoding (given before) was the one that helps. A cut is named when the
    line holds UTF-8 characters before it."""
    path = tmp_path / "in.txt"
    path.write_bytes(b"Netflix rival launches a short drama app in Paris\n" * (copies - 1) + b"opened at the caf\xe9")
    done = run("label", path, "--jobs", jobs, "-o", tmp_path / "out.jsonl")
    assert done.exit_code == 2
    assert done.stderr.startswith(f"Error: {path}:{copies}: ") and done.stderr.count("\n") == 1
    assert "try --encoding NAME" in done.stderr and "cut short" not in done.stderr
