"""`label --output-dir`: the Parquet parts, each written with the types of its own chunk's
records, are read together as one dataset (pyarrow, pandas, `score DIR`) however the input was
cut: a field null (or a list empty) in every record of one chunk takes the type the others
give it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from trendscore.cli import main

pytest.importorskip("pyarrow")


def _write(path, records):
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return str(path)


def _inputs(tmp_path):
    """Two files (each its own chunks) of 300 records: ``n``, ``tags`` and ``meta`` null or
    empty in every record of the first, a number, a list of text and a record in the second."""

    def record(i, empty):
        return {
            "text": f"短剧出海 passage {i} about overseas markets",
            "date": "2026-01-05",
            "n": None if empty else i,
            "tags": [] if empty else ["a"],
            "meta": None if empty else {"k": i},
        }

    return [
        _write(tmp_path / "a.jsonl", [record(i, True) for i in range(300)]),
        _write(tmp_path / "b.jsonl", [record(i, False) for i in range(300, 600)]),
    ]


def _label(sources, out, backend):
    return CliRunner().invoke(main, ["label", *sources, "--output-dir", str(out), *backend, "-q"])


BACKENDS = [
    pytest.param([], id="one-process"),
    pytest.param(["--jobs", "2"], id="jobs"),
    pytest.param(["--scheduler", "local:2"], id="dask", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_parts_of_differing_chunks_read_as_one_dataset(tmp_path, backend):
    """The parts of the chunks of nulls had 'n' as text, 'tags' as a list of nulls and 'meta'
    as text: pyarrow and pandas refused the directory ("Unsupported cast from string to
    null")."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    if backend[:1] == ["--scheduler"]:
        pytest.importorskip("distributed")
    out = tmp_path / "parts"
    result = _label(_inputs(tmp_path), out, backend)
    assert result.exit_code == 0, result.stderr
    parts = sorted(out.glob("part-*.parquet"))
    assert len(parts) > 1
    schemas = {pq.read_schema(p) for p in parts}
    assert len(schemas) == 1
    table = ds.dataset(str(out)).to_table()
    assert table.schema.field("n").type == pa.int64()
    assert table.schema.field("tags").type == pa.list_(pa.string())
    assert table.schema.field("meta").type == pa.struct([("k", pa.int64())])
    assert table.schema.field("labels").type == pa.list_(pa.string())
    rows = table.select(["n", "tags", "meta"]).to_pylist()
    assert rows[299] == {"n": None, "tags": [], "meta": None}
    assert rows[300] == {"n": 300, "tags": ["a"], "meta": {"k": 300}}
    assert len(pd.read_parquet(out)) == 600
    score = CliRunner().invoke(main, ["score", str(out), "--format", "json"])
    assert score.exit_code == 0, score.stderr
    assert json.loads(score.stdout)["records"]["total"] == 600


def test_numbers_in_one_chunk_and_text_in_another_are_refused_in_one_line(tmp_path):
    """One Parquet file refuses a field of two types; the parts of one directory now do too,
    naming the field and the directory, and leave no directory behind."""
    numbers = _write(tmp_path / "a.jsonl", [{"text": "短剧出海", "n": 1}])
    texts = _write(tmp_path / "b.jsonl", [{"text": "短剧出海", "n": "x"}])
    target = tmp_path / "parts"
    result = _label([numbers, texts], target, [])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {target}: field 'n' holds int64 in some records and string in others, which one Parquet "
        "dataset cannot hold; write JSON Lines instead\n"
    )
    assert not target.exists()


def test_one_chunk_keeps_its_types(tmp_path):
    """A directory of one part is written as before: its nulls as text."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    source = _write(tmp_path / "in.jsonl", [{"text": "短剧出海", "n": None}])
    result = _label([source], tmp_path / "parts", [])
    assert result.exit_code == 0, result.stderr
    assert ds.dataset(str(tmp_path / "parts")).schema.field("n").type == pa.string()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_field_only_a_later_chunk_has_comes_before_the_columns_labelling_adds(tmp_path, backend):
    """A field the first chunk never met had been put after the score columns (the order the
    parts first name their columns), where one Parquet file of the same records, CSV and a
    frame put the records' own fields first and the columns labelling adds after them."""
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    if backend[:1] == ["--scheduler"]:
        pytest.importorskip("distributed")
    sources = [
        _write(tmp_path / "a.jsonl", [{"text": "短剧出海 passage", "date": "2026-01-05"}]),
        _write(tmp_path / "b.jsonl", [{"text": "短剧出海 passage", "date": "2026-01-05", "extra": 1}]),
    ]
    out = tmp_path / "parts"
    result = _label(sources, out, backend)
    assert result.exit_code == 0, result.stderr
    one = CliRunner().invoke(main, ["label", *sources, "-o", str(tmp_path / "one.parquet"), "-q"])
    assert one.exit_code == 0, one.stderr
    names = ds.dataset(str(out)).schema.names
    assert names[:4] == ["text", "date", "extra", "labels"]
    assert names == pq.read_schema(tmp_path / "one.parquet").names
    assert all(pq.read_schema(p).names == names for p in out.glob("part-*.parquet"))
