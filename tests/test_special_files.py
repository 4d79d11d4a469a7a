"""Special files where a file is expected, at the places not covered by the guard of files
read whole (tests/test_whole_files.py): an output that is a FIFO no process reads, a terminal
named as an input, a FIFO or dangling link among the files of an input or seed folder, a
Parquet file held whole from a pipe or a compressed file, and an examples file of millions of
passages. Each CLI case of a bound runs in a subprocess under a memory limit and a time limit
(issue 14)."""

import gzip
import os
import subprocess
import sys

import pytest

from trendscore.errors import InputError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMIT_MB = 900

#: the CLI with module constants set first (``module.NAME=VALUE`` arguments before ``--``)
_RUNNER = """
import importlib, resource, sys
limit = int(sys.argv[1]) << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
cut = sys.argv.index("--")
for setting in sys.argv[2:cut]:
    where, value = setting.split("=")
    module, name = where.rsplit(".", 1)
    setattr(importlib.import_module(module), name, float(value) if "." in value else int(value))
from trendscore.cli import main
main(sys.argv[cut + 1:])
"""


def run_set(settings, args, timeout=60, stdin=subprocess.DEVNULL, env=None):
    """(exit code, stderr) of the CLI run with ``settings`` made first, under the memory limit."""
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(LIMIT_MB), *settings, "--", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=stdin,
        env={**os.environ, "PYTHONPATH": ROOT, **(env or {})},
    )
    return proc.returncode, proc.stderr


@pytest.fixture
def passages(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "微短剧出海东南亚", "date": "2025-01-06"}\n' * 30, "utf-8")
    return path


@pytest.mark.parametrize("option", ["-o", "--report"])
def test_an_output_fifo_no_process_reads_is_refused_in_time(tmp_path, passages, option):
    # opened to write with a plain open, a FIFO without a reader had held the run for ever
    fifo = tmp_path / ("out.html" if option == "--report" else "out.jsonl")
    os.mkfifo(fifo)
    command = ["label", passages, "-o", fifo] if option == "-o" else ["score", passages, "--report", fifo]
    code, err = run_set(["trendscore.io.opening.FIFO_WAIT_SECONDS=0.5"], command, timeout=60)
    assert code == 2, err
    assert err == f"Error: {fifo}: a FIFO that no process opened to read in 0.5 s; start its reader first\n"


def test_an_output_fifo_whose_reader_comes_late_is_written(tmp_path, passages):
    import threading
    import time

    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    got = []

    def late_reader():
        time.sleep(1.0)
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=late_reader)
    reader.start()
    code, err = run_set(["trendscore.io.opening.FIFO_WAIT_SECONDS=20.0"], ["label", passages, "-o", fifo])
    reader.join(30)
    assert code == 0, err
    assert got and got[0].count(b"\n") == 30


def test_a_terminal_named_as_an_input_is_refused(passages):
    # read like a file, a terminal's device waits for someone to type, for ever when no one does
    import pty

    leader, follower = pty.openpty()
    try:
        name = os.ttyname(follower)
        code, err = run_set([], ["label", name, "-o", "/dev/null"], timeout=30)
    finally:
        os.close(leader)
        os.close(follower)
    assert code == 2
    assert err == (
        f"Error: {name}: is a terminal, which is read until someone types an end; to type passages, give -\n"
    )


def _parquet_bomb(path, megabytes: int) -> None:
    """A gzipped 'Parquet file': its mark, then ``megabytes`` MiB of zeros (about 1 MB a GiB)."""
    block = b"\0" * (1 << 20)
    with gzip.open(path, "wb", compresslevel=1) as fh:
        fh.write(b"PAR1")
        for _ in range(megabytes):
            fh.write(block)


def test_a_compressed_parquet_bomb_is_refused_at_the_bound(tmp_path):
    # a compressed Parquet file is held whole to be read: 1 GiB of zeros in 1 MB had been a
    # MemoryError traceback (the bound is set low here, the memory limit being below it)
    bomb = tmp_path / "bomb.parquet.gz"
    _parquet_bomb(bomb, 1024)
    code, err = run_set(["trendscore.io.parquet.MAX_HELD_BYTES=67108864"], ["label", bomb, "-o", "/dev/null"])
    assert code == 2, err
    assert err == (
        f"Error: {bomb}: more than 64 MiB to hold in memory; a Parquet file from a pipe or compressed is held "
        "whole: write it to a file, uncompressed, and name that (it is read a row group at a time)\n"
    )


def test_the_parquet_bound_is_the_documented_one():
    from pathlib import Path

    from trendscore.io.parquet import MAX_HELD_BYTES

    text = (Path(ROOT) / "docs" / "reliability.md").read_text("utf-8")
    assert MAX_HELD_BYTES == 1 << 30 and "Parquet file from a pipe or compressed" in text


@pytest.mark.parametrize("column", ["text", "note"])
def test_a_parquet_value_longer_than_a_line_may_be_is_refused_before_it_is_read(tmp_path, column):
    # a value compresses to almost nothing: a 10 KB file held a text of 300 MB, a MemoryError
    # traceback; a value is now bounded as a line of the other formats is (set to 1 MiB here)
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "cell.parquet"
    values = {"text": ["短剧出海"] * 3, "note": ["-"] * 3}
    values[column][2] = "长" * (1 << 20)  # 3 MiB of UTF-8
    pq.write_table(pa.table(values), path, compression="zstd")
    code, err = run_set([], ["label", path, "-o", "/dev/null"], env={"TRENDSCORE_MAX_LINE_MB": "1"})
    assert code == 2, err
    assert err == (
        f"Error: {path}:3: a value of more than 1 MiB in column {column!r}, longer than a line may be "
        "(a longer bound: TRENDSCORE_MAX_LINE_MB)\n"
    )


def test_examples_are_read_no_further_than_the_most_a_theme_takes(tmp_path):
    # every passage of the file had been held before the count was checked: a gzipped file of
    # millions of lines (a few MB) took half a minute and its size in memory
    from trendscore.modeling.provisional import MAX_EXAMPLES, read_examples

    path = tmp_path / "examples.jsonl"
    path.write_text("".join(f'{{"text": "例句{i}"}}\n' for i in range(MAX_EXAMPLES + 1)), "utf-8")
    with pytest.raises(InputError, match=rf"examples\.jsonl: more than {MAX_EXAMPLES} distinct example passages"):
        read_examples(str(path))
    path.write_text("".join(f'{{"text": "例句{i % MAX_EXAMPLES}"}}\n' for i in range(3 * MAX_EXAMPLES)), "utf-8")
    assert len(read_examples(str(path))) == MAX_EXAMPLES  # repeats are not counted


def _folder_with(tmp_path, kind: str, name: str, content: str):
    """A folder holding one regular file of ``content`` and, named ``name``, a FIFO (``fifo``)
    or a symbolic link to a missing file (``dangling``)."""
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.jsonl").write_text(content, "utf-8")
    odd = folder / name
    if kind == "fifo":
        os.mkfifo(odd)
    else:
        odd.symlink_to(tmp_path / "gone.jsonl")
    return folder, odd


_SEED = '{"id": "s1", "text": "海淀区发布微短剧扶持政策", "labels": ["policy"]}\n'
_PASSAGE = '{"text": "海淀区发布微短剧扶持政策", "date": "2025-12-01", "labels": ["policy"]}\n'
_SAYS = {
    "fifo": "not a regular file (a FIFO), among the {} files of its directory",
    "dangling": "a symbolic link to a missing file",
}


@pytest.mark.parametrize("kind", ["fifo", "dangling"])
@pytest.mark.parametrize("command", ["label", "score"])
def test_an_input_folder_entry_that_is_no_regular_file_is_named(tmp_path, run, kind, command):
    """A FIFO or dangling link named like an input file in a folder given to label or score had
    been passed over without a word (its passages never counted); it is named now."""
    folder, odd = _folder_with(tmp_path, kind, "b.jsonl", _PASSAGE)
    result = run(command, folder)
    assert result.exit_code == 2
    assert f"Error: {odd}: {_SAYS[kind].format('input')}" in result.output


@pytest.mark.parametrize("kind", ["fifo", "dangling"])
def test_a_seed_folder_entry_that_is_no_regular_file_is_named(tmp_path, run, kind):
    """The same in a seed folder: train had trained without the seeds it would have held,
    ``seeds validate`` had passed the folder, and ``seeds add`` had added beside it."""
    folder, odd = _folder_with(tmp_path, kind, "b.jsonl.gz", _SEED)
    says = _SAYS[kind].format("seed")
    result = run("train", folder, "-o", tmp_path / "model", "--cv", "0", "--budget", "0", "-q")
    assert result.exit_code == 2 and f"Error: {odd}: {says}" in result.output
    result = run("seeds", "validate", folder)
    assert result.exit_code == 1 and f"{odd}: schema: {says}" in result.output
    new = tmp_path / "new.jsonl"
    new.write_text(_SEED.replace("s1", "s2").replace("扶持", "支持"), "utf-8")
    result = run("seeds", "add", new, "--to", folder)
    assert result.exit_code == 2 and says in result.output
    assert sorted(p.name for p in folder.iterdir() if p.name[0] != ".") == ["a.jsonl", "b.jsonl.gz"]  # nothing added


def test_a_subfolder_named_like_an_input_file_is_still_passed_over(tmp_path, run):
    folder = tmp_path / "folder"
    (folder / "parts.jsonl").mkdir(parents=True)
    (folder / "a.jsonl").write_text(_PASSAGE, "utf-8")
    assert run("score", folder).exit_code == 0
