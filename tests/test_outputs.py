"""Outputs that must not lose data: model directories, special files, the input itself,
CSV columns and numbers, file modes, failed writes (issue 14)."""

import csv
import io
import json
import os
import socket
import stat
import subprocess
import sys
import threading

import pytest

from trendscore.errors import InputError, OutputError
from trendscore.io.atomic import AtomicOutput, atomic_write_bytes, check_output_path, output_kind
from trendscore.io.rows import written_fields
from trendscore.io.writers import RecordWriter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _seed_file(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": "a", "text": "短剧出海 政策 扶持"}\n', "utf-8")
    return f


# ---------------------------------------------------------------- train -o DIR


def test_train_refuses_a_folder_that_is_not_a_model(run, tmp_path, small_seed_files):
    data = tmp_path / "data"
    data.mkdir()
    (data / "notes.txt").write_text("keep me", "utf-8")
    result = run("train", *small_seed_files, "-o", data, "--cv", "0")
    assert result.exit_code == 2
    assert "exists and is not a trendscore model (no manifest.json); refusing to replace it" in result.output
    assert (data / "notes.txt").read_text("utf-8") == "keep me"


def test_train_refuses_a_model_folder_holding_other_files(run, tmp_path, small_seed_files, small_model_dir):
    import shutil

    target = tmp_path / "m"
    shutil.copytree(small_model_dir, target)
    (target / "batch.jsonl").write_text("{}\n", "utf-8")
    result = run("train", *small_seed_files, "-o", target, "--cv", "0")
    assert result.exit_code == 2
    assert "holds 'batch.jsonl', which is not part of the model" in result.output
    assert (target / "batch.jsonl").exists()


@pytest.mark.slow
def test_train_replaces_a_model_and_fills_an_empty_folder(run, tmp_path, small_seed_files, small_model_dir):
    import shutil

    target = tmp_path / "m"
    shutil.copytree(small_model_dir, target)
    assert run("train", *small_seed_files, "-o", target, "--cv", "0").exit_code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("train", *small_seed_files, "-o", empty, "--cv", "0").exit_code == 0
    assert (empty / "manifest.json").is_file()


@pytest.mark.parametrize("where", [".", "..", "sub/.."])
def test_train_into_the_current_directory_is_one_line(run, tmp_path, small_seed_files, monkeypatch, where):
    (tmp_path / "sub").mkdir()
    (tmp_path / "keep.txt").write_text("x", "utf-8")
    monkeypatch.chdir(tmp_path / "sub" if where == ".." else tmp_path)
    result = run("train", *small_seed_files, "-o", where, "--cv", "0")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {where}: is the current directory or holds it")
    assert len(result.output.splitlines()) == 1
    assert (tmp_path / "keep.txt").exists()


def test_train_refuses_a_file_a_link_and_a_registry(run, tmp_path, small_seed_files):
    f = tmp_path / "file"
    f.write_text("x", "utf-8")
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    registry = tmp_path / "reg"
    registry.mkdir()
    (registry / "aliases.json").write_text("{}", "utf-8")
    for target, message in [
        (f, "exists and is not a directory"),
        (link, "is a symbolic link"),
        (registry, "is a model registry; try --registry DIR to train into it"),
    ]:
        result = run("train", *small_seed_files, "-o", target, "--cv", "0")
        assert result.exit_code == 2, target
        assert message in result.output
    assert f.read_text("utf-8") == "x"


def test_train_into_a_read_only_folder_is_one_line(run, tmp_path, small_seed_files):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        result = run("train", *small_seed_files, "-o", ro / "m", "--cv", "0")
    finally:
        ro.chmod(0o755)
    assert result.exit_code == 1
    assert "cannot write the model there (Permission denied)" in result.output


# ---------------------------------------------------------------- -o onto special files


def test_output_kinds(tmp_path):
    regular = tmp_path / "f"
    regular.write_text("x")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(regular)
    assert output_kind("-") == "stdout"
    assert output_kind(str(tmp_path / "new")) == "atomic"
    assert output_kind(str(regular)) == "atomic"
    assert output_kind(str(link)) == "atomic"
    assert output_kind("/dev/null") == "direct"
    assert output_kind(str(fifo)) == "direct"
    assert output_kind("/proc/self/fd/1") == "direct"
    with pytest.raises(InputError, match="the output is a directory"):
        output_kind(str(tmp_path))


def test_dev_null_stays_a_device(run, tmp_path):
    before = os.stat("/dev/null")
    if not stat.S_ISCHR(before.st_mode):
        pytest.skip("/dev/null on this machine is not a device (an older trendscore replaced it)")
    result = run("label", _seed_file(tmp_path), "-o", "/dev/null")
    assert result.exit_code == 0
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_fifo_is_written_into(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = []

    def read():
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=read)
    reader.start()
    with AtomicOutput(str(fifo)) as fh:
        fh.write("through the pipe\n")
    reader.join(10)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["fifo"]


def test_a_socket_is_written_into(tmp_path):
    path = str(tmp_path / "sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    got = []

    def serve():
        conn, _ = server.accept()
        data = b""
        while chunk := conn.recv(4096):
            data += chunk
        got.append(data)
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    atomic_write_bytes(path, b"png bytes")
    t.join(10)
    server.close()
    assert got == [b"png bytes"]
    assert stat.S_ISSOCK(os.stat(path).st_mode)


def test_a_link_to_stdout_is_written_through(tmp_path):
    """``-o /proc/self/fd/1`` writes to whatever standard output is; here a file the
    shell opened, which must keep its inode (not be replaced by a new file)."""
    out = tmp_path / "out.txt"
    src = _seed_file(tmp_path)
    with open(out, "wb") as fh:
        inode = os.fstat(fh.fileno()).st_ino
        proc = subprocess.run(
            [sys.executable, "-m", "trendscore", "label", str(src), "-o", "/proc/self/fd/1"],
            stdout=fh,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": ROOT},
        )
    assert proc.returncode == 0, proc.stderr
    assert os.stat(out).st_ino == inode
    assert json.loads(out.read_text("utf-8"))["id"] == "a"


def test_a_symbolic_link_keeps_pointing_at_its_file(tmp_path):
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    with AtomicOutput(str(link)) as fh:
        fh.write("new\n")
    assert link.is_symlink() and target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_block_devices_are_refused(tmp_path):
    block = next((f"/dev/{n}" for n in os.listdir("/dev") if stat.S_ISBLK(os.stat(f"/dev/{n}").st_mode)), None)
    if block is None:
        pytest.skip("no block device to point at")
    with pytest.raises(InputError, match="block device; refusing"):
        check_output_path(block, [])


# ---------------------------------------------------------------- the output is an input


def test_stdin_redirected_from_the_output_is_refused(tmp_path):
    src = _seed_file(tmp_path)
    before = src.read_bytes()
    with open(src, "rb") as stdin:
        proc = subprocess.run(
            [sys.executable, "-m", "trendscore", "label", "-", "-o", str(src)],
            stdin=stdin,
            capture_output=True,
            env={**os.environ, "PYTHONPATH": ROOT},
        )
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == f"Error: {src}: the output is also an input; refusing to overwrite it"
    assert src.read_bytes() == before


_DATED = (
    '{"text": "短剧出海 政策 扶持", "date": "2025-03-01"}\n{"text": "横店 短剧基地", "date": "2025-03-09"}\n'
).encode()


# the output named as this process's standard input, a pipe: label had opened the pipe's write
# end and waited for the end of its input forever; score and suggest wrote into the pipe, lost
@pytest.mark.parametrize(
    "args, out",
    [
        (["label", "-", "-o"], "/dev/stdin"),
        (["label", "-", "-o"], "/proc/self/fd/0"),
        (["score", "-", "-o"], "/dev/stdin"),
        (["suggest", "-", "-o"], "/dev/stdin"),
        (["score", "-", "--state"], "/dev/stdin"),
        (["score", "-", "--plot"], "stdin.png"),
        (["score", "-", "--report"], "stdin.html"),
    ],
)
def test_stdin_piped_and_named_as_the_output_is_refused(tmp_path, args, out):
    if out.startswith("stdin."):  # the plot and report need their extension: a link to the pipe
        (tmp_path / out).symlink_to("/dev/stdin")
        out = str(tmp_path / out)
    proc = subprocess.Popen(
        [sys.executable, "-m", "trendscore", *args, out],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    try:
        stdout, stderr = proc.communicate(_DATED, timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"{' '.join(args)} {out} with a pipe on stdin hung")
    assert stderr.decode().strip() == f"Error: {out}: the output is also an input; refusing to overwrite it"
    assert proc.returncode == 2
    assert stdout == b""


def test_the_pipe_on_stdin_as_the_output_of_a_file_is_refused(tmp_path):
    # stdin is not read: the records had waited in the pipe, lost, or, more than the pipe
    # holds, blocked the run for ever
    src = tmp_path / "many.txt"
    src.write_text("短剧出海 政策 扶持\n" * 20000, "utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "trendscore", "label", str(src), "-o", "/dev/stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    try:
        stdout, stderr = proc.communicate(b"", timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("label FILE -o /dev/stdin with a pipe on stdin hung")
    assert stderr.decode().strip() == (
        "Error: /dev/stdin: the output is the pipe on standard input, which this command does not read"
    )
    assert proc.returncode == 2
    assert stdout == b""


def test_an_input_reached_by_another_name_is_refused(tmp_path):
    src = _seed_file(tmp_path)
    hard = tmp_path / "hard.jsonl"
    os.link(src, hard)
    soft = tmp_path / "soft.jsonl"
    soft.symlink_to(src)
    for out in (hard, soft):
        with pytest.raises(InputError, match="the output is also an input"):
            check_output_path(str(out), [str(src)])


def test_dev_null_as_input_and_output_is_fine(run, tmp_path):
    if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
        pytest.skip("/dev/null on this machine is not a device (an older trendscore replaced it)")
    assert output_kind("/dev/null") == "direct"
    check_output_path("/dev/null", ["/dev/null"])


# ---------------------------------------------------------------- CSV output


def _csv_of(records, themes=("policy",)):
    buf = io.StringIO()
    with RecordWriter(buf, "csv", list(themes)) as writer:
        for r in records:
            writer.write(r)
    return list(csv.reader(io.StringIO(buf.getvalue())))


def test_csv_columns_come_from_every_record():
    rows = _csv_of(
        [
            {"id": "1", "text": "a", "labels": ["policy"], "scores": {"policy": 0.5}},
            {"id": "2", "text": "b", "extra": "late field", "labels": [], "scores": {"policy": 0.1}},
        ]
    )
    assert rows[0] == ["id", "text", "extra", "labels", "score_policy"]
    assert rows[1] == ["1", "a", "", "policy", "0.5"]
    assert rows[2] == ["2", "b", "late field", "", "0.1"]


def _labelled(text, labels, extra=None, explain=None):
    record = {"id": text, "text": text, **(extra or {}), "labels": labels, "scores": {"policy": 0.5}}
    record["provisional"] = ["going_global", "esports"]  # as a model with two provisional themes writes it
    if explain is not None:
        record["explain"] = explain
    return record


def test_csv_writes_provisional_themes_joined_by_a_bar_as_labels_are():
    """``provisional`` had been written as a JSON list (``["going_global"]``) beside ``labels``
    joined by ``|``; both are theme names, written alike for a spreadsheet."""
    buf = io.StringIO()
    with RecordWriter(buf, "csv", ["policy"], written_fields(provisional=True)) as writer:
        writer.write(_labelled("a", ["policy", "going_global"]))
        writer.write(_labelled("b", [], {"source": "xinhua"}))
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows[0] == ["id", "text", "source", "labels", "score_policy", "provisional"]
    assert rows[1] == ["a", "a", "", "policy|going_global", "0.5", "going_global|esports"]
    assert rows[2] == ["b", "b", "xinhua", "", "0.5", "going_global|esports"]


def test_table_outputs_put_every_field_of_the_records_own_before_the_added_columns(tmp_path):
    """A field first met in a later record had come after the score columns in Parquet (and
    CSV's ``provisional`` and ``explain`` before it): now the records' own fields come first,
    in the order first met, then labels, scores, provisional, explain, in both formats, as
    ``trendscore.label`` orders a DataFrame's."""
    pq = pytest.importorskip("pyarrow.parquet")
    from trendscore.io.parquet import ParquetWriter

    written = written_fields(explain=True, provisional=True)
    records = [_labelled("a", ["policy"], explain={"policy": [["x", 0.5]]})]
    records.append(_labelled("b", [], {"source": "xinhua"}, {}))
    want = ["id", "text", "source", "labels", "score_policy", "provisional", "explain"]
    buf = io.StringIO()
    with RecordWriter(buf, "csv", ["policy"], written) as writer:
        for record in records:
            writer.write(dict(record))
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows[0] == want and rows[1][-1] == '{"policy":[["x",0.5]]}' and rows[2][-1] == "{}"
    out = tmp_path / "out.parquet"
    with open(out, "wb") as fh:
        writer = ParquetWriter(fh, ["policy"], str(out), written)
        for record in records:
            writer.write(dict(record))
        writer.close()
    table = pq.read_table(out)
    assert table.column_names == want
    assert table.column("provisional").to_pylist() == [["going_global", "esports"]] * 2


def test_csv_label_cli_keeps_late_fields(run, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "政策"}\n{"text": "出海", "region": "东南亚"}\n', "utf-8")
    result = run("label", src, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert result.exit_code == 0
    assert [r["region"] for r in rows] == ["", "东南亚"]


def test_csv_keeps_the_explanation_and_a_field_named_explain(run, tmp_path):
    """Found by a review: `label --explain --format csv` dropped the explanation without a word,
    and an input field named `explain` vanished from CSV output (JSON Lines kept both)."""
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "国家广电总局发布微短剧管理新规"}\n{"text": "短剧出海美国", "explain": "mine"}\n', "utf-8")
    explained = list(csv.DictReader(io.StringIO(run("label", src, "--explain", "--format", "csv").output)))
    lines = [json.loads(line) for line in run("label", src, "--explain").output.splitlines()]
    assert [json.loads(r["explain"]) for r in explained] == [r["explain"] for r in lines]
    assert any(explained[0]["explain"]), explained  # the policy passage's terms are there
    plain = list(csv.DictReader(io.StringIO(run("label", src, "--format", "csv").output)))
    assert [r["explain"] for r in plain] == ["", "mine"]


def test_csv_field_named_like_a_score_column_is_refused():
    with pytest.raises(InputError, match="'score_policy', the name of a column of the CSV output"):
        _csv_of([{"text": "a", "score_policy": "x", "labels": [], "scores": {}}])


def test_csv_cells_keep_numbers_as_written():
    record = {"text": "t", "big": 123456789012345678901234567890, "n": None, "ok": True, "nested": {"a": [1]}}
    from trendscore.io.jsonfast import loads

    record |= loads('{"huge": 1e400, "tiny": 1e-400}')
    rows = _csv_of([record], themes=())
    got = dict(zip(rows[0], rows[1]))
    assert got["big"] == "123456789012345678901234567890"
    assert got["huge"] == "1e400" and got["tiny"] == "1e-400"
    assert got["n"] == "" and got["ok"] == "true" and got["nested"] == '{"a":[1]}'


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_numbers_pass_through_label_as_written(run, tmp_path, fmt):
    src = tmp_path / "in.jsonl"
    line = '{"text":"政策","a":1e400,"b":123456789012345678901234,"c":-9223372036854775809,"d":0.10000000000000000001}'
    src.write_text(line + "\n", "utf-8")
    result = run("label", src, "--format", fmt)
    assert result.exit_code == 0
    if fmt == "jsonl":
        for text in ("1e400", "123456789012345678901234", "-9223372036854775809", "0.10000000000000000001"):
            assert f":{text}," in result.output or f":{text}}}" in result.output
        assert "Infinity" not in result.output and "null" not in result.output
    else:
        row = next(csv.DictReader(io.StringIO(result.output)))
        assert (row["a"], row["b"], row["c"], row["d"]) == (
            "1e400",
            "123456789012345678901234",
            "-9223372036854775809",
            "0.10000000000000000001",
        )


@pytest.mark.parametrize(
    "line,message",
    [
        ('{"text": "a", "x": NaN}', "NaN is not a JSON number"),
        ('{"text": "a", "x": Infinity}', "Infinity is not a JSON number"),
        ('{"text": "a", "x": ' + "[" * 5000 + "]" * 5000 + "}", "nested deeper than 200 levels"),
        ('{"text": "a", "x": ' + "[" * 300 + "]" * 300 + "}", "nested deeper than 200 levels"),
    ],
)
def test_json_that_no_writer_could_write_back_is_one_line(run, tmp_path, line, message):
    src = tmp_path / "in.jsonl"
    src.write_text(line + "\n", "utf-8")
    result = run("label", src)
    assert result.exit_code == 2
    assert result.output == f"Error: {src}:1: malformed JSON ({message})\n"


def test_huge_integer_passes_through(run, tmp_path):
    src = tmp_path / "in.jsonl"
    digits = "7" * 20000
    src.write_text('{"text": "政策", "n": ' + digits + "}\n", "utf-8")
    result = run("label", src)
    assert result.exit_code == 0
    assert f'"n":{digits}' in result.output


# ---------------------------------------------------------------- modes and failed writes


def test_existing_output_keeps_its_mode(run, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old")
    out.chmod(0o600)
    assert run("label", _seed_file(tmp_path), "-o", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text("utf-8") != "old"


def test_new_output_gets_the_umask_mode(run, tmp_path):
    out = tmp_path / "new.jsonl"
    mask = os.umask(0o027)
    try:
        assert run("label", _seed_file(tmp_path), "-o", out).exit_code == 0
    finally:
        os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_a_full_disk_removes_the_part_file(tmp_path, monkeypatch):
    out = tmp_path / "out.txt"
    out.write_text("old")

    with pytest.raises(OutputError, match=r"out.txt: cannot write \(No space left on device\); the output was not"):
        with AtomicOutput(str(out)) as fh:
            fh.write("x" * 100)
            raise OSError(28, os.strerror(28))
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_file_size_limit_is_one_line_and_leaves_nothing(tmp_path, fmt):
    """A real failed write: RLIMIT_FSIZE makes write() fail with EFBIG, as a full disk fails
    with ENOSPC; the .part file must go and the old output stay."""
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": "短剧出海" * 50}) + "\n" for i in range(400)), "utf-8")
    out = tmp_path / "out"
    out.write_text("old")
    code = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000));"
        "from trendscore.cli import main; sys.argv[1:] = "
        + repr(["label", str(src), "-o", str(out), "--format", fmt])
        + "; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ROOT}
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"Error: {out}: cannot write (File too large); the output was not changed"
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out"]


def test_a_read_only_output_folder_is_one_line(run, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        result = run("label", _seed_file(tmp_path), "-o", ro / "out.jsonl")
    finally:
        ro.chmod(0o755)
    assert result.exit_code == 1
    assert result.output == f"Error: {ro / 'out.jsonl'}: cannot write in {ro} (Permission denied)\n"


def test_standard_output_on_a_full_device_is_one_line(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "trendscore", "label", str(_seed_file(tmp_path))],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": ROOT},
        )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "Error: standard output: cannot write (No space left on device); the output was not changed"
    )


# ---------------------------------------------------------------- CSV input


@pytest.mark.parametrize(
    "content,message",
    [
        ("id,text,text\n1,a,b\n", "1: the CSV header has two columns named 'text'; give each its own name"),
        ("id,text,source\n1,a\n", "2: 2 fields, fewer than the 3 the header has"),
        ("id,text\n1,a,b\n", "2: more fields than the header has"),
    ],
)
def test_bad_csv_input_is_one_line(run, tmp_path, content, message):
    src = tmp_path / "in.csv"
    src.write_text(content, "utf-8")
    result = run("label", src)
    assert result.exit_code == 2
    assert result.output == f"Error: {src}:{message}\n"


def test_a_header_cell_with_a_newline_stays_one_line(run, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('"a\nb",id\n1,x\n', "utf-8")
    result = run("label", src)
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {src}:1: CSV has no 'text' column (columns: a\\nb, id); "
        "try --text-column NAME for the column that holds the text\n"
    )


def test_a_full_disk_while_a_registry_adopts_the_default_leaves_nothing(run, tmp_path, monkeypatch):
    import errno
    import shutil

    def full(src, dst, *args, **kwargs):
        os.makedirs(dst)
        (open(os.path.join(dst, "half"), "w")).close()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr(shutil, "copytree", full)
    reg = tmp_path / "reg"
    seeds = os.path.join(ROOT, "seeds", "batch_02_gov.jsonl")
    result = run("train", seeds, "--registry", reg, "--cv", "0")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.rstrip().endswith("No space left on device")
    assert len(result.output.splitlines()) == 1
    assert [p.name for p in (reg / "versions").iterdir()] == []


@pytest.mark.parametrize("out,message", [("", "the output name is empty"), ("newdir/", "ends in /")])
def test_output_names_that_are_not_files_are_refused(run, tmp_path, monkeypatch, out, message):
    monkeypatch.chdir(tmp_path)
    result = run("label", _seed_file(tmp_path), "-o", out)
    assert result.exit_code == 2
    assert message in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def _utf8_lines() -> bytes:
    return '{"text":"微短剧 ReelShort"}\n{"text":"出海"}\n'.encode()


@pytest.mark.parametrize(
    "make, encoding",
    [
        (lambda: io.StringIO(), None),  # no byte buffer: written as text
        (lambda: io.TextIOWrapper(io.BytesIO(), encoding="gbk", newline=""), "gbk"),
        (lambda: io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline=""), "utf-8"),
    ],
)
def test_bytes_writer_puts_what_text_writes_would(make, encoding):
    from trendscore.io.outputs import utf8_bytes_writer

    got, want = make(), make()
    write = utf8_bytes_writer(got)
    write(_utf8_lines())
    write(b"")
    want.write(_utf8_lines().decode("utf-8"))
    for fh in (got, want):
        fh.flush()
    if encoding is None:
        assert got.getvalue() == want.getvalue()
    else:
        assert got.buffer.getvalue() == want.buffer.getvalue() == _utf8_lines().decode().encode(encoding)


def test_bytes_writer_keeps_text_already_on_stdout_first(monkeypatch):
    from trendscore.io.outputs import utf8_bytes_writer

    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stdout)
    stdout.write("before\n")
    utf8_bytes_writer(stdout)(_utf8_lines())
    stdout.flush()
    assert raw.getvalue() == b"before\n" + _utf8_lines()


def test_bytes_writer_leaves_a_gzip_stream_unflushed(tmp_path):
    """A flush would add a sync marker: the bytes must be those of text writes."""
    import gzip

    from trendscore.io.outputs import utf8_bytes_writer

    def packed(via_bytes: bool) -> bytes:
        raw = io.BytesIO()
        gz = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
        text = io.TextIOWrapper(gz, encoding="utf-8", newline="")
        for _ in range(3):
            if via_bytes:
                utf8_bytes_writer(text)(_utf8_lines())
            else:
                text.write(_utf8_lines().decode())
        text.flush()
        text.detach()
        gz.close()
        return raw.getvalue()

    assert packed(True) == packed(False)


def test_printable_escapes_controls_but_shows_spaces():
    """Review finding: the ideographic space (U+3000) and the no-break space in a label or an
    outlet's name were shown as \\u3000 escapes in the score table, breaking its columns."""
    from trendscore.io.writers import printable

    assert printable("人民日报\u3000海外版\u00a0") == "人民日报\u3000海外版\u00a0"
    assert printable("a\x1b[2Jb\u202ec\nd\u2028e") == "a\\x1b[2Jb\\u202ec\\nd\\u2028e"


# ---------------------------------------------------------------- what an output's name means

#: what the names of score's outputs give, after a name refused
SCORE_NAMES = (
    "name a .json file for JSON, a .csv file for CSV, or a .txt file (or a name without an extension) for the table"
)
#: (command, -o name, --format, outcome): the format written ("+gz": gzip-compressed), None for
#: suggest's accepted names, or the message after "NAME: " that refuses the name. Covers every
#: command that writes records or a ranking to -o (train and themes add write model folders,
#: whose names mean nothing) and every suffix the rules single out.
OUTPUT_NAMES = [
    ("label", "-", None, "jsonl"),
    ("label", "out", None, "jsonl"),
    ("label", "out.txt", None, "jsonl"),
    ("label", "my.data", None, "jsonl"),
    ("label", "v1.2", None, "jsonl"),
    ("label", "out.", None, "jsonl"),
    ("label", ".csv", None, "jsonl"),
    ("label", "dir.csv/out", None, "jsonl"),
    ("label", "out.jsonl", None, "jsonl"),
    ("label", "out.ndjson", None, "jsonl"),
    ("label", "out.json", None, "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.csv", None, "csv"),
    ("label", "out.tsv", None, "label does not write tab-separated values; name a .jsonl, .csv or .parquet file"),
    ("label", "out.parquet", None, "parquet"),
    ("label", "out.pq", None, "parquet"),
    ("label", "out.gz", None, "jsonl+gz"),
    ("label", "out.gzip", None, "label does not write .gzip files; gzip is written (.gz); drop the .gzip"),
    ("label", "out.bz2", None, "label does not write .bz2 files; gzip is written (.gz); drop the .bz2"),
    ("label", "out.zst", None, "label does not write .zst files; gzip is written (.gz); drop the .zst"),
    ("label", "out.zstd", None, "label does not write .zstd files; gzip is written (.gz); drop the .zstd"),
    ("label", "out.xz", None, "label does not write .xz files; gzip is written (.gz); drop the .xz"),
    ("label", "out.zip", None, "label does not write .zip files; gzip is written (.gz); drop the .zip"),
    ("label", "out.7z", None, "label does not write .7z files; gzip is written (.gz); drop the .7z"),
    ("label", "out.png", None, "label does not write a PNG image; name a .jsonl, .csv or .parquet file"),
    ("label", "out.svg", None, "label does not write an SVG image; name a .jsonl, .csv or .parquet file"),
    ("label", "out.md", None, "label does not write Markdown; name a .jsonl, .csv or .parquet file"),
    ("label", "out.md", "table", "label does not write Markdown; name a .jsonl, .csv or .parquet file"),
    ("label", "out.markdown", None, "label does not write Markdown; name a .jsonl, .csv or .parquet file"),
    ("label", "out.xlsx", None, "label does not write an Excel workbook; name a .jsonl, .csv or .parquet file"),
    ("label", "out.XLS", None, "label does not write an Excel workbook; name a .jsonl, .csv or .parquet file"),
    (
        "label",
        "out.ods",
        None,
        "label does not write an OpenDocument spreadsheet; name a .jsonl, .csv or .parquet file",
    ),
    ("label", "out.docx", None, "label does not write a Word document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.xml", None, "label does not write XML; name a .jsonl, .csv or .parquet file"),
    ("label", "out.yaml", None, "label does not write YAML; name a .jsonl, .csv or .parquet file"),
    ("label", "out.jpg", None, "label does not write a JPEG image; name a .jsonl, .csv or .parquet file"),
    ("label", "out.md.gz", None, "label does not write Markdown; name a .jsonl, .csv or .parquet file"),
    ("label", "out.txt", "table", "table"),
    ("label", "out.html", None, "label does not write an HTML page; name a .jsonl, .csv or .parquet file"),
    ("label", "out.jsonl.gz", None, "jsonl+gz"),
    ("label", "out.ndjson.gz", None, "jsonl+gz"),
    ("label", "out.csv.gz", None, "csv+gz"),
    ("label", "out.json.gz", None, "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    (
        "label",
        "out.parquet.gz",
        None,
        "Parquet is not written to a .gz file (Parquet compresses itself); give -o FILE.parquet",
    ),
    ("label", "out.tsv.gz", None, "label does not write tab-separated values; name a .jsonl, .csv or .parquet file"),
    ("label", "out.txt.gz", None, "jsonl+gz"),
    ("label", "out.png.gz", None, "label does not write a PNG image; name a .jsonl, .csv or .parquet file"),
    ("label", "out.jsonl.bz2", None, "label does not write .bz2 files; gzip is written (.gz); drop the .bz2"),
    ("label", "out.csv.zst", None, "label does not write .zst files; gzip is written (.gz); drop the .zst"),
    ("label", "out.json.xz", None, "label does not write .xz files; gzip is written (.gz); drop the .xz"),
    ("label", "out.tar.gz", None, "label does not write .tar files; gzip is written (.gz); drop the .tar"),
    ("label", "out.jsonl.gz.gz", None, "label output is gzip-compressed once; drop one .gz"),
    ("label", "out.JSONL", None, "jsonl"),
    ("label", "out.CSV", None, "csv"),
    ("label", "out.Parquet", None, "parquet"),
    ("label", "out.JSON", None, "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.TSV", None, "label does not write tab-separated values; name a .jsonl, .csv or .parquet file"),
    ("label", "out.GZ", None, "jsonl+gz"),
    ("label", "out.BZ2", None, "label does not write .bz2 files; gzip is written (.gz); drop the .bz2"),
    ("label", "out.JSONL.GZ", None, "jsonl+gz"),
    ("label", "out.Csv.Gz", None, "csv+gz"),
    ("label", "out.csv.jsonl", None, "jsonl"),
    ("label", "out.jsonl.csv", None, "csv"),
    ("label", "out.gz.csv", None, "csv"),
    ("label", "out.gz.jsonl", None, "jsonl"),
    ("label", "v1.2.csv", None, "csv"),
    ("label", "out.csv.", None, "jsonl"),
    ("label", "-", "jsonl", "jsonl"),
    ("label", "-", "csv", "csv"),
    ("label", "-", "table", "table"),
    ("label", "-", "parquet", "Parquet is not written to standard output; give -o FILE.parquet"),
    ("label", "out", "jsonl", "jsonl"),
    ("label", "out", "csv", "csv"),
    ("label", "out", "table", "table"),
    ("label", "out", "parquet", "parquet"),
    ("label", "out.jsonl", "jsonl", "jsonl"),
    ("label", "out.jsonl", "csv", "the name says JSON Lines but the format asked for is CSV; drop one of them"),
    ("label", "out.jsonl", "table", "the name says JSON Lines but the format asked for is a table; drop one of them"),
    ("label", "out.jsonl", "parquet", "the name says JSON Lines but the format asked for is Parquet; drop one of them"),
    ("label", "out.csv", "jsonl", "the name says CSV but the format asked for is JSON Lines; drop one of them"),
    ("label", "out.csv", "csv", "csv"),
    ("label", "out.csv", "table", "the name says CSV but the format asked for is a table; drop one of them"),
    ("label", "out.csv", "parquet", "the name says CSV but the format asked for is Parquet; drop one of them"),
    ("label", "out.json", "jsonl", "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.json", "csv", "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.json", "table", "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.json", "parquet", "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.parquet", "jsonl", "the name says Parquet but the format asked for is JSON Lines; drop one of them"),
    ("label", "out.parquet", "csv", "the name says Parquet but the format asked for is CSV; drop one of them"),
    ("label", "out.parquet", "table", "the name says Parquet but the format asked for is a table; drop one of them"),
    ("label", "out.parquet", "parquet", "parquet"),
    ("label", "out.gz", "jsonl", "jsonl+gz"),
    ("label", "out.gz", "csv", "csv+gz"),
    ("label", "out.gz", "table", "a table is not written gzip-compressed; use .jsonl.gz or .csv.gz"),
    (
        "label",
        "out.gz",
        "parquet",
        "Parquet is not written to a .gz file (Parquet compresses itself); give -o FILE.parquet",
    ),
    ("label", "out.csv.gz", "jsonl", "the name says CSV but the format asked for is JSON Lines; drop one of them"),
    ("label", "out.csv.gz", "csv", "csv+gz"),
    ("label", "out.csv.gz", "table", "the name says CSV but the format asked for is a table; drop one of them"),
    ("label", "out.csv.gz", "parquet", "the name says CSV but the format asked for is Parquet; drop one of them"),
    ("label", "out.json.gz", "jsonl", "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.json.gz", "csv", "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.json.gz", "table", "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.json.gz", "parquet", "label does not write a JSON document; name a .jsonl, .csv or .parquet file"),
    ("label", "out.png", "jsonl", "label does not write a PNG image; name a .jsonl, .csv or .parquet file"),
    ("label", "out.png", "csv", "label does not write a PNG image; name a .jsonl, .csv or .parquet file"),
    ("label", "out.png", "table", "label does not write a PNG image; name a .jsonl, .csv or .parquet file"),
    ("label", "out.png", "parquet", "label does not write a PNG image; name a .jsonl, .csv or .parquet file"),
    ("label", "out.CSV", "jsonl", "the name says CSV but the format asked for is JSON Lines; drop one of them"),
    ("label", "out.CSV", "csv", "csv"),
    ("label", "out.CSV", "table", "the name says CSV but the format asked for is a table; drop one of them"),
    ("label", "out.CSV", "parquet", "the name says CSV but the format asked for is Parquet; drop one of them"),
    ("label", "out.jsonl.csv", "jsonl", "the name says CSV but the format asked for is JSON Lines; drop one of them"),
    ("label", "out.jsonl.csv", "csv", "csv"),
    ("label", "out.jsonl.csv", "table", "the name says CSV but the format asked for is a table; drop one of them"),
    ("label", "out.jsonl.csv", "parquet", "the name says CSV but the format asked for is Parquet; drop one of them"),
    ("score", "-", None, "table"),
    ("score", "out", None, "table"),
    ("score", "out.txt", None, "table"),
    ("score", "my.data", None, "table"),
    ("score", "v1.2", None, "table"),
    ("score", "out.", None, "table"),
    ("score", ".csv", None, "table"),
    ("score", "dir.csv/out", None, "table"),
    (
        "score",
        "out.jsonl",
        None,
        f"score does not write JSON Lines; {SCORE_NAMES}",
    ),
    (
        "score",
        "out.ndjson",
        None,
        f"score does not write JSON Lines; {SCORE_NAMES}",
    ),
    ("score", "out.json", None, "json"),
    ("score", "out.csv", None, "csv"),
    (
        "score",
        "out.tsv",
        None,
        f"score does not write tab-separated values; {SCORE_NAMES}",
    ),
    ("score", "out.parquet", None, f"score does not write Parquet; {SCORE_NAMES}"),
    ("score", "out.pq", None, f"score does not write Parquet; {SCORE_NAMES}"),
    ("score", "out.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.gzip", None, "score does not write .gzip files; drop the .gzip"),
    ("score", "out.bz2", None, "score does not write .bz2 files; drop the .bz2"),
    ("score", "out.zst", None, "score does not write .zst files; drop the .zst"),
    ("score", "out.zstd", None, "score does not write .zstd files; drop the .zstd"),
    ("score", "out.xz", None, "score does not write .xz files; drop the .xz"),
    ("score", "out.zip", None, "score does not write .zip files; drop the .zip"),
    ("score", "out.7z", None, "score does not write .7z files; drop the .7z"),
    ("score", "out.png", None, f"score does not write a PNG image; {SCORE_NAMES}"),
    (
        "score",
        "out.svg",
        None,
        f"score does not write an SVG image; {SCORE_NAMES}",
    ),
    ("score", "out.md", None, f"score does not write Markdown; {SCORE_NAMES}"),
    ("score", "out.md", "table", f"score does not write Markdown; {SCORE_NAMES}"),
    ("score", "out.markdown", None, f"score does not write Markdown; {SCORE_NAMES}"),
    ("score", "out.xlsx", None, f"score does not write an Excel workbook; {SCORE_NAMES}"),
    ("score", "out.xls", None, f"score does not write an Excel workbook; {SCORE_NAMES}"),
    ("score", "out.ods", None, f"score does not write an OpenDocument spreadsheet; {SCORE_NAMES}"),
    ("score", "out.docx", None, f"score does not write a Word document; {SCORE_NAMES}"),
    ("score", "out.doc", None, f"score does not write a Word document; {SCORE_NAMES}"),
    ("score", "out.odt", None, f"score does not write an OpenDocument text; {SCORE_NAMES}"),
    ("score", "out.rtf", None, f"score does not write a rich-text document; {SCORE_NAMES}"),
    ("score", "out.yml", None, f"score does not write YAML; {SCORE_NAMES}"),
    ("score", "out.JPEG", None, f"score does not write a JPEG image; {SCORE_NAMES}"),
    ("score", "out.txt", "json", "json"),
    ("score", "out.txt", "csv", "csv"),
    (
        "score",
        "out.html",
        None,
        f"score does not write an HTML page; {SCORE_NAMES}",
    ),
    ("score", "out.jsonl.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.ndjson.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.csv.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.json.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.parquet.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.tsv.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.txt.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.png.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.jsonl.bz2", None, "score does not write .bz2 files; drop the .bz2"),
    ("score", "out.csv.zst", None, "score does not write .zst files; drop the .zst"),
    ("score", "out.json.xz", None, "score does not write .xz files; drop the .xz"),
    ("score", "out.tar.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.jsonl.gz.gz", None, "score output is not written gzip-compressed; drop the .gz"),
    (
        "score",
        "out.JSONL",
        None,
        f"score does not write JSON Lines; {SCORE_NAMES}",
    ),
    ("score", "out.CSV", None, "csv"),
    ("score", "out.Parquet", None, f"score does not write Parquet; {SCORE_NAMES}"),
    ("score", "out.JSON", None, "json"),
    (
        "score",
        "out.TSV",
        None,
        f"score does not write tab-separated values; {SCORE_NAMES}",
    ),
    ("score", "out.GZ", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.BZ2", None, "score does not write .bz2 files; drop the .bz2"),
    ("score", "out.JSONL.GZ", None, "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.Csv.Gz", None, "score output is not written gzip-compressed; drop the .gz"),
    (
        "score",
        "out.csv.jsonl",
        None,
        f"score does not write JSON Lines; {SCORE_NAMES}",
    ),
    ("score", "out.jsonl.csv", None, "csv"),
    ("score", "out.gz.csv", None, "csv"),
    (
        "score",
        "out.gz.jsonl",
        None,
        f"score does not write JSON Lines; {SCORE_NAMES}",
    ),
    ("score", "v1.2.csv", None, "csv"),
    ("score", "out.csv.", None, "table"),
    ("score", "-", "table", "table"),
    ("score", "-", "json", "json"),
    ("score", "-", "csv", "csv"),
    ("score", "out", "table", "table"),
    ("score", "out", "json", "json"),
    ("score", "out", "csv", "csv"),
    (
        "score",
        "out.jsonl",
        "table",
        f"score does not write JSON Lines; {SCORE_NAMES}",
    ),
    (
        "score",
        "out.jsonl",
        "json",
        f"score does not write JSON Lines; {SCORE_NAMES}",
    ),
    (
        "score",
        "out.jsonl",
        "csv",
        f"score does not write JSON Lines; {SCORE_NAMES}",
    ),
    ("score", "out.csv", "table", "the name says CSV but the format asked for is a table; drop one of them"),
    ("score", "out.csv", "json", "the name says CSV but the format asked for is JSON; drop one of them"),
    ("score", "out.csv", "csv", "csv"),
    ("score", "out.json", "table", "the name says JSON but the format asked for is a table; drop one of them"),
    ("score", "out.json", "json", "json"),
    ("score", "out.json", "csv", "the name says JSON but the format asked for is CSV; drop one of them"),
    (
        "score",
        "out.parquet",
        "table",
        f"score does not write Parquet; {SCORE_NAMES}",
    ),
    (
        "score",
        "out.parquet",
        "json",
        f"score does not write Parquet; {SCORE_NAMES}",
    ),
    (
        "score",
        "out.parquet",
        "csv",
        f"score does not write Parquet; {SCORE_NAMES}",
    ),
    ("score", "out.gz", "table", "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.gz", "json", "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.gz", "csv", "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.csv.gz", "table", "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.csv.gz", "json", "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.csv.gz", "csv", "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.json.gz", "table", "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.json.gz", "json", "score output is not written gzip-compressed; drop the .gz"),
    ("score", "out.json.gz", "csv", "score output is not written gzip-compressed; drop the .gz"),
    (
        "score",
        "out.png",
        "table",
        f"score does not write a PNG image; {SCORE_NAMES}",
    ),
    (
        "score",
        "out.png",
        "json",
        f"score does not write a PNG image; {SCORE_NAMES}",
    ),
    (
        "score",
        "out.png",
        "csv",
        f"score does not write a PNG image; {SCORE_NAMES}",
    ),
    ("score", "out.CSV", "table", "the name says CSV but the format asked for is a table; drop one of them"),
    ("score", "out.CSV", "json", "the name says CSV but the format asked for is JSON; drop one of them"),
    ("score", "out.CSV", "csv", "csv"),
    ("score", "out.jsonl.csv", "table", "the name says CSV but the format asked for is a table; drop one of them"),
    ("score", "out.jsonl.csv", "json", "the name says CSV but the format asked for is JSON; drop one of them"),
    ("score", "out.jsonl.csv", "csv", "csv"),
    ("suggest", "-", None, None),
    ("suggest", "out", None, None),
    ("suggest", "out.txt", None, None),
    ("suggest", "my.data", None, None),
    ("suggest", "v1.2", None, None),
    ("suggest", "out.", None, None),
    ("suggest", ".csv", None, None),
    ("suggest", "dir.csv/out", None, None),
    ("suggest", "out.jsonl", None, None),
    ("suggest", "out.ndjson", None, None),
    ("suggest", "out.json", None, "suggest writes JSON Lines, not a JSON document; name a .jsonl file"),
    ("suggest", "out.csv", None, "suggest writes JSON Lines, not CSV; name a .jsonl file"),
    ("suggest", "out.tsv", None, "suggest writes JSON Lines, not tab-separated values; name a .jsonl file"),
    ("suggest", "out.parquet", None, "suggest writes JSON Lines, not Parquet; name a .jsonl file"),
    ("suggest", "out.pq", None, "suggest writes JSON Lines, not Parquet; name a .jsonl file"),
    ("suggest", "out.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.gzip", None, "suggest does not compress its output; drop the .gzip"),
    ("suggest", "out.bz2", None, "suggest does not compress its output; drop the .bz2"),
    ("suggest", "out.zst", None, "suggest does not compress its output; drop the .zst"),
    ("suggest", "out.zstd", None, "suggest does not compress its output; drop the .zstd"),
    ("suggest", "out.xz", None, "suggest does not compress its output; drop the .xz"),
    ("suggest", "out.zip", None, "suggest does not compress its output; drop the .zip"),
    ("suggest", "out.7z", None, "suggest does not compress its output; drop the .7z"),
    ("suggest", "out.png", None, "suggest writes JSON Lines, not a PNG image; name a .jsonl file"),
    ("suggest", "out.svg", None, "suggest writes JSON Lines, not an SVG image; name a .jsonl file"),
    ("suggest", "out.md", None, "suggest writes JSON Lines, not Markdown; name a .jsonl file"),
    ("suggest", "out.xlsx", None, "suggest writes JSON Lines, not an Excel workbook; name a .jsonl file"),
    ("suggest", "out.docx", None, "suggest writes JSON Lines, not a Word document; name a .jsonl file"),
    ("suggest", "out.html", None, "suggest writes JSON Lines, not an HTML page; name a .jsonl file"),
    ("suggest", "out.jsonl.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.ndjson.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.csv.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.json.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.parquet.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.tsv.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.txt.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.png.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.jsonl.bz2", None, "suggest does not compress its output; drop the .bz2"),
    ("suggest", "out.csv.zst", None, "suggest does not compress its output; drop the .zst"),
    ("suggest", "out.json.xz", None, "suggest does not compress its output; drop the .xz"),
    ("suggest", "out.tar.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.jsonl.gz.gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.JSONL", None, None),
    ("suggest", "out.CSV", None, "suggest writes JSON Lines, not CSV; name a .jsonl file"),
    ("suggest", "out.Parquet", None, "suggest writes JSON Lines, not Parquet; name a .jsonl file"),
    ("suggest", "out.JSON", None, "suggest writes JSON Lines, not a JSON document; name a .jsonl file"),
    ("suggest", "out.TSV", None, "suggest writes JSON Lines, not tab-separated values; name a .jsonl file"),
    ("suggest", "out.GZ", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.BZ2", None, "suggest does not compress its output; drop the .bz2"),
    ("suggest", "out.JSONL.GZ", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.Csv.Gz", None, "suggest does not compress its output; drop the .gz"),
    ("suggest", "out.csv.jsonl", None, None),
    ("suggest", "out.jsonl.csv", None, "suggest writes JSON Lines, not CSV; name a .jsonl file"),
    ("suggest", "out.gz.csv", None, "suggest writes JSON Lines, not CSV; name a .jsonl file"),
    ("suggest", "out.gz.jsonl", None, None),
    ("suggest", "v1.2.csv", None, "suggest writes JSON Lines, not CSV; name a .jsonl file"),
    ("suggest", "out.csv.", None, None),
]


@pytest.mark.parametrize(("command", "name", "fmt", "outcome"), OUTPUT_NAMES)
def test_what_each_output_name_gets(command, name, fmt, outcome):
    """The outcome of every output name the rules treat specially, for each command: one table
    of expectations for the two functions that read names (choose_output, check_jsonl_output)."""
    from trendscore.io.outputs import OutputKind, check_jsonl_output, choose_output

    def chosen():
        if command == "suggest":
            return check_jsonl_output(name, command)
        return choose_output(name, fmt, command)

    if outcome is None or outcome.split("+")[0] in ("jsonl", "csv", "parquet", "table", "json"):
        expected = None if outcome is None else OutputKind(outcome.split("+")[0], outcome.endswith("+gz"))
        assert chosen() == expected
    else:
        with pytest.raises(InputError) as caught:
            chosen()
        assert str(caught.value) == f"{name}: {outcome}"
