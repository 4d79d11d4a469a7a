"""A record Parquet output cannot hold (a value of another type than its column's, an integer
outside the 64-bit range, a field the first batch had not) is refused in one line naming the
input file and line where it was read, and the field; the output is not written."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from labelled_cli import labelled_by_cli

pytest.importorskip("pyarrow")

T = "短剧出海东南亚"
HINT = "write JSON Lines instead\n"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _records(n, at, value, field="n"):
    return [{"id": i, "text": T, field: value if i == at else i} for i in range(n)]


@pytest.mark.parametrize(
    "value, reason",
    [
        ({"a": 1}, "(cannot mix struct and non-struct, non-null values)"),
        (2**70, "(an integer outside the 64-bit range)"),
    ],
    ids=["object-after-int", "int-past-64-bits"],
)
def test_a_value_the_first_batch_cannot_hold_names_its_line_and_field(tmp_path, value, reason):
    """The error had named the output alone (``out.parquet: cannot write these records as
    Parquet (...)``), and an integer past 64 bits had been an OverflowError traceback."""
    error = labelled_by_cli(tmp_path, _records(3, 1, value), "parquet", fails=True)
    source = tmp_path / "in.jsonl"
    assert error == f"Error: {source}:2: field 'n' cannot be written as Parquet {reason}; {HINT}"
    assert not (tmp_path / "out.parquet").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_value_of_another_type_in_a_later_batch_names_its_line_on_every_back_end(tmp_path, jobs):
    """Past the first batch (4096 records), which fixed the column as int64; with two workers
    the line is counted in the whole file, not in the worker's byte range."""
    error = labelled_by_cli(tmp_path, _records(5000, 4500, {"a": 1}), "parquet", "--jobs", jobs, fails=True)
    assert error.startswith(f"Error: {tmp_path / 'in.jsonl'}:4501: field 'n' cannot be written as Parquet (")
    assert error.endswith(HINT) and error.count("\n") == 1


def test_a_field_no_record_of_the_first_batch_had_names_its_line(tmp_path):
    records = [{"id": i, "text": T} for i in range(5000)]
    records[4700]["extra"] = 1
    error = labelled_by_cli(tmp_path, records, "parquet", fails=True)
    assert error == (
        f"Error: {tmp_path / 'in.jsonl'}:4701: a record has fields the first 4096 had not ('extra'); "
        "write JSON Lines or CSV instead\n"
    )


def test_an_output_directory_names_the_input_line_not_the_part(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _records(4, 2, 2**64)), "utf-8")
    from click.testing import CliRunner

    from trendscore.cli import main

    result = CliRunner().invoke(main, ["label", str(source), "--output-dir", str(tmp_path / "parts")])
    assert result.exit_code == 2
    reason = "(an integer outside the 64-bit range)"
    assert result.stderr == f"Error: {source}:3: field 'n' cannot be written as Parquet {reason}; {HINT}"


def test_the_last_batch_refused_leaves_no_warning_behind(tmp_path):
    """An error met when the last batch was written (at the writer's close) had left pyarrow's
    writer open, which printed "Exception ignored ... write to closed file" at exit."""
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _records(5000, 4500, "x")), "utf-8")
    command = [sys.executable, "-m", "trendscore", "label", str(source), "-o", str(tmp_path / "out.parquet")]
    env = {**os.environ, "PYTHONPATH": ROOT}
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: {source}:4501: field 'n' cannot be written as Parquet (")
    assert done.stderr.count("\n") == 1, done.stderr


def test_without_places_the_writer_names_the_record_by_its_number(tmp_path):
    from trendscore.errors import InputError
    from trendscore.io.parquet import ParquetWriter

    out = tmp_path / "out.parquet"
    with open(out, "wb") as fh:
        writer = ParquetWriter(fh, ["policy"], str(out))
        for record in _records(3, 2, 2**64):
            writer.write({**record, "labels": [], "scores": {"policy": 0.1}})
        with pytest.raises(InputError) as caught:
            writer.close()
        writer.discard()
    assert str(caught.value) == (
        f"{out}: record 3: field 'n' cannot be written as Parquet (an integer outside the 64-bit range); "
        "write JSON Lines instead"
    )
