"""trendscore inside a pipeline: commands that print when standard output is closed, a reader
that leaves early (`| head -1`), a Python caller's own sys.stdout, overlapping `score --state`
runs, a JSON Lines file cut inside a character."""

import contextlib
import io
import json
import os
import subprocess
import sys

import pytest
from test_drivers import _stream
from test_nightly import PASSAGES, ROOT, _cli, _jsonl

SEEDS = os.path.join(ROOT, "seeds", "batch_02_gov.jsonl")
CLOSED = b"Error: -: standard output is closed: there is nothing to write to; name an output file\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["models", "list"],
        ["models", "show", "default"],
        ["models", "history", "--registry", "REG"],
        ["seeds", "validate", SEEDS],
        ["seeds", "issues", SEEDS],
        ["evaluate", SEEDS],
        ["train", SEEDS, "--registry", "REG"],
    ],
)
def test_closed_standard_output_refuses_every_command_that_prints(tmp_path, args):
    """`trendscore models list >&-` (and every command whose results go to standard output)
    had printed nothing and exited 0: a pipeline lost its results without a word."""
    args = [str(tmp_path / "reg") if a == "REG" else a for a in args]
    done = _cli(args, stdout=None, preexec_fn=lambda: os.close(1))
    assert (done.returncode, done.stderr) == (2, CLOSED)
    assert not (tmp_path / "reg").exists()  # refused before any work


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["-h"], ["label", "--help"], ["models", "--help"], ["models", "list", "-h"]]
)
def test_closed_standard_output_refuses_help_and_version(args):
    """`trendscore --help >&-` had printed the help to nowhere and exited 0."""
    done = _cli(args, stdout=None, preexec_fn=lambda: os.close(1))
    assert (done.returncode, done.stderr) == (2, b"Error: -: standard output is closed: there is nowhere to print to\n")


def test_help_after_the_end_of_options_is_an_argument_not_the_help(tmp_path):
    """``--`` ends the options: a file named ``--help`` after it is read as a file."""
    done = _cli(["seeds", "validate", "--", "--help"], stdout=None, preexec_fn=lambda: os.close(1))
    assert (done.returncode, done.stderr) == (2, CLOSED)


def test_an_option_value_that_reads_like_help_is_a_value_with_standard_output_closed(tmp_path):
    """``label in.jsonl -o -h >&-`` writes the file ``-h`` (``-h`` is ``-o``'s value, not the help)
    and ``--model -h`` names a model: both had been refused as a request for the help, since every
    word of the command line was taken for an option."""
    news = _jsonl(tmp_path / "in.jsonl", PASSAGES)
    done = _cli(["label", news, "-o", "-h"], stdout=None, preexec_fn=lambda: os.close(1), cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, b"")
    assert len((tmp_path / "-h").read_text("utf-8").splitlines()) == len(PASSAGES)
    args = ["label", news, "-o", tmp_path / "out.jsonl", "--model", "-h"]
    done = _cli(args, stdout=None, preexec_fn=lambda: os.close(1), cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, b"Error: -h: no such model directory\n")


@pytest.mark.slow
def test_closed_standard_output_leaves_commands_that_do_not_print_alone(tmp_path):
    """A command whose results are files and whose words go to stderr runs as before."""
    done = _cli(["models", "rollback", "--registry", tmp_path / "none"], stdout=None, preexec_fn=lambda: os.close(1))
    assert done.returncode == 2
    assert done.stderr == f"Error: {tmp_path / 'none'}: no such directory (a model registry was expected)\n".encode()


def _reader_gone(args, cwd):
    """Run the CLI with its standard output a pipe whose reader closed it before the first write."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "trendscore", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": ROOT}, cwd=cwd,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the interpreter takes far longer to start than this
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    return proc.returncode, err


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["label", "IN"],
        ["label", "IN", "--format", "csv", "--jobs", "2"],
        ["score", "IN", "--freq", "day", "--report", "report.html", "--plot", "plot.png"],
        ["score", "IN", "--freq", "day", "--state", "state.json", "--alert"],
        ["models", "list"],
        ["seeds", "validate", "IN"],  # its problems (no labels) on standard output
    ],
)
def test_a_reader_that_went_away_ends_with_the_status_of_sigpipe(tmp_path, args):
    """`trendscore ... | head -1` under `set -o pipefail` had ended with status 1, which reads
    as a failure of trendscore's own; a shell tool gives 141 (128 + SIGPIPE). Nothing is said,
    and no file of the run is left behind, whole or in part."""
    source = _jsonl(tmp_path / "in.jsonl", PASSAGES)
    status, err = _reader_gone([source if a == "IN" else a for a in args], tmp_path)
    assert (status, err) == (141, b"")
    left = sorted(os.listdir(tmp_path))
    assert left == (["in.jsonl"] if "--state" not in args else [".state.json.lock", "in.jsonl"])  # the lock stays


def test_the_library_writes_utf8_to_standard_output_leaving_the_callers_stream_as_it_was(tmp_path, monkeypatch):
    """run_label(..., "-") and run_score had reconfigured the calling program's sys.stdout to
    UTF-8 for good; its text after the job came out in UTF-8 where it had asked for Latin-1."""
    from trendscore.run.label import run_label
    from trendscore.run.score import run_score

    source = str(_jsonl(tmp_path / "in.jsonl", PASSAGES))
    labelled, scored = tmp_path / "labelled.jsonl", tmp_path / "scored.json"
    run_label([source], str(labelled))
    run_score([source], freq="day", output=str(scored))
    raw = io.BytesIO()
    caller = io.TextIOWrapper(raw, encoding="latin-1", errors="backslashreplace")
    monkeypatch.setattr(sys, "stdout", caller)
    print("before: café")
    run_label([source], "-")
    run_score([source], freq="day", output="-", fmt="json")
    print("after: café 微")
    caller.flush()
    assert (caller.encoding, caller.errors) == ("latin-1", "backslashreplace")
    expected = b"before: caf\xe9\n" + labelled.read_bytes() + scored.read_bytes() + b"after: caf\xe9 \\u5fae\n"
    assert raw.getvalue() == expected


def test_standard_output_without_a_byte_buffer_takes_text_and_refuses_bytes(monkeypatch):
    """A caller whose sys.stdout is an io.StringIO: text goes into it as text; bytes (Parquet)
    are refused in one line instead of an AttributeError."""
    from trendscore.errors import OutputError
    from trendscore.io.atomic import AtomicOutput

    text = io.StringIO()
    monkeypatch.setattr(sys, "stdout", text)
    with AtomicOutput("-") as fh:
        fh.write("微短剧\n")
    assert text.getvalue() == "微短剧\n"
    with pytest.raises(OutputError, match=r"^standard output: it takes text only \(it has no byte buffer\)"):
        with AtomicOutput("-", binary=True):
            pass


@contextlib.contextmanager
def _lock_held(path):
    """Another process holding the lock ``path`` (through filelock) until the block ends."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, filelock; lock = filelock.FileLock(sys.argv[1]); lock.acquire(); print('held'); input()",
            str(path),
        ],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield
    finally:
        holder.communicate("\n", timeout=30)


def _early_and_full(tmp_path):
    records = _stream()
    early = _jsonl(tmp_path / "early.jsonl", [r for r in records if r["date"] < "2025-04-20"])
    return early, _jsonl(tmp_path / "full.jsonl", records)


@pytest.mark.slow
def test_runs_sharing_a_state_file_take_turns_and_alert_once(tmp_path):
    """Two `score --state S --alert` runs that overlapped had both compared with the state as
    it was when they started, and both alerted the same change. The second now waits for the
    first (here another process holding the state's lock while it saves its calls) and
    compares with the calls the first saved: no change is reported twice."""
    early, full = _early_and_full(tmp_path)
    state, first = tmp_path / "state.json", tmp_path / "first.json"
    assert _cli(["score", early, "--state", state, "--alert"]).returncode == 0
    alerted = _cli(["score", full, "--state", first, "--alert"])  # what the first run saves and alerts
    assert alerted.returncode == 3 and json.loads(alerted.stdout)["changes"]
    with _lock_held(tmp_path / ".state.json.lock"):
        second = subprocess.Popen(
            [sys.executable, "-m", "trendscore", "score", str(full), "--state", str(state), "--alert"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": ROOT},
        )
        try:
            with pytest.raises(subprocess.TimeoutExpired):
                second.wait(timeout=12)  # it scores (a few seconds), then waits for the lock
            state.write_bytes(first.read_bytes())  # the first run saves its calls, then lets go
        except BaseException:
            second.kill()
            raise
    out, err = second.communicate(timeout=120)
    assert (second.returncode, err) == (0, b"")
    assert json.loads(out)["changes"] == []


def test_a_state_lock_not_had_in_time_is_one_line_and_nothing_written(tmp_path, monkeypatch, run):
    """The wait for another run's hold on the state file is bounded: then one line naming the
    state file, exit 1, no output written and the state kept."""
    from trendscore.trends import alerts

    early, full = _early_and_full(tmp_path)
    state = tmp_path / "state.json"
    assert run("score", early, "--state", state).exit_code == 0
    before = state.read_bytes()
    monkeypatch.setattr(alerts, "STATE_LOCK_WAIT_SECONDS", 0.5)
    with _lock_held(tmp_path / ".state.json.lock"):
        done = run("score", full, "--state", state, "--alert", "-o", tmp_path / "score.json")
    assert done.exit_code == 1
    assert done.stderr == (
        f"Error: {state}: another run has held this state file's lock (.state.json.lock) for 0.5 s; "
        "nothing was written (try again once it ends)\n"
    )
    assert state.read_bytes() == before and not (tmp_path / "score.json").exists()


def test_a_state_lock_that_cannot_be_made_is_one_line_and_nothing_written(tmp_path, run):
    """A lock file that cannot be created (here its name is taken by a folder; a read-only
    folder is the same error) ends the run in one line naming the state file, exit 1, before
    the state or the output is touched."""
    early, full = _early_and_full(tmp_path)
    state = tmp_path / "state.json"
    assert run("score", early, "--state", state).exit_code == 0
    before = state.read_bytes()
    (tmp_path / ".state.json.lock").unlink(missing_ok=True)
    (tmp_path / ".state.json.lock").mkdir()
    done = run("score", full, "--state", state, "--alert", "-o", tmp_path / "score.json")
    assert done.exit_code == 1
    assert done.stderr.startswith(f"Error: {state}: cannot lock the state file (")
    assert done.stderr.endswith("); nothing was written\n") and done.stderr.count("\n") == 1
    assert state.read_bytes() == before and not (tmp_path / "score.json").exists()


@pytest.mark.parametrize("command", ["label", "score"])
@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("copies", [1, 1000])  # the whole file in the first 64 KiB read, or not
def test_a_json_lines_file_cut_inside_a_character_is_named_cut_short_when_bad_bytes_are_replaced(
    run, tmp_path, command, jobs, copies
):
    """With --encoding-errors replace (a nightly job that passes over stray bytes), a .jsonl
    whose last line stops inside a Chinese character had been `malformed JSON (Unterminated
    string ...)`, where CSV, text and a strict read of the same file say it was cut short."""
    lines = [json.dumps({"id": n, "text": p["text"], "date": p["date"]}, ensure_ascii=False) for n, p in
             enumerate(PASSAGES * copies)]
    data = "\n".join(lines).rstrip('"}').rsplit('"date"', 1)[0].rstrip(', "').encode("utf-8")  # ends in 规 or the like
    path = tmp_path / "in.jsonl"
    path.write_bytes(data[:-1])  # two of its three bytes kept, without a line end
    out = tmp_path / ("out.jsonl" if command == "label" else "out.json")
    done = run(command, path, "--jobs", jobs, "--encoding-errors", "replace", "-o", out)
    assert done.exit_code == 2
    assert done.stderr == (
        f"Error: {path}:{len(lines)}: the last line stops inside a character, without a line end: "
        "is the file cut short, or still being written?\n"
    )
    assert not out.exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(
    "tail, message",
    [
        ('{"id": 9, "text": "横店', "malformed JSON (Unterminated string starting at column 19)"),  # a whole character
        ('{"id": 9, "text": "横\ufffd', "malformed JSON (Unterminated string starting at column 19)"),  # a bad byte
        ('{"id": 9 "text": "横店"}', "malformed JSON (Expecting ',' delimiter at column 10)"),  # not at the end
    ],
)
def test_other_malformed_json_lines_keep_their_message(run, tmp_path, jobs, tail, message):
    """Only a last line that stops inside a character is named cut short; the others are
    malformed JSON as before, wherever a replaced byte lies."""
    path = tmp_path / "in.jsonl"
    first = json.dumps(PASSAGES[0], ensure_ascii=False)
    path.write_bytes(f"{first}\n{tail}".encode().replace("\ufffd".encode(), b"\xff"))
    done = run("label", path, "--jobs", jobs, "--encoding-errors", "replace", "-o", tmp_path / "out.jsonl")
    assert (done.exit_code, done.stderr) == (2, f"Error: {path}:2: {message}\n")
