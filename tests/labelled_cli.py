"""Labelling records through the command line and reading the output back, for tests that
compare what ``label`` writes in each format (and what the Python API gives)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from trendscore.cli import main


def labelled_by_cli(tmp_path, records, fmt, *options, fails=False):
    """``records`` written to ``tmp_path/in.jsonl``, labelled by ``trendscore label`` into
    ``tmp_path/out.FMT`` with ``options``, and read back as a list of dicts (CSV cells as
    strings, a missing cell NaN). With ``fails``, ``label`` is expected to fail: its standard
    error is returned; otherwise a failure fails the test with its output."""
    source, out = tmp_path / "in.jsonl", tmp_path / f"out.{fmt}"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    args = ["label", str(source), "-o", str(out), *map(str, options)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    if fails:
        assert result.exit_code != 0, result.output
        return result.stderr
    assert result.exit_code == 0, result.output
    if fmt == "jsonl":
        return [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(out, dtype=str) if fmt == "csv" else pd.read_parquet(out)
    return frame.to_dict("records")
