"""A record's own field of a name the labeller writes is kept under ``FIELD_input``, never
replaced: ``labels`` and ``scores`` always, ``explain`` with ``label --explain`` and
``provisional`` when the model has provisional themes (those in test_provisional.py)."""

from __future__ import annotations

import json

import pytest
from labelled_cli import labelled_by_cli

from trendscore.io.rows import keep_input_fields, written_fields

T = "短剧出海东南亚"


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_records_own_explain_is_kept_as_explain_input_with_explain(tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    records = [{"id": "1", "text": T, "explain": "my note"}, {"id": "2", "text": T, "explain": "another"}]
    written = labelled_by_cli(tmp_path, records, fmt, "--explain")  # the explanation had replaced the note
    assert [r["explain_input"] for r in written] == ["my note", "another"]
    explained = [r["explain"] if fmt == "jsonl" else json.loads(r["explain"]) for r in written]
    assert all(isinstance(e, dict) and "overseas" in e for e in explained)


def test_without_explain_a_records_own_explain_stays_as_it_is(tmp_path):
    written = labelled_by_cli(tmp_path, [{"id": "1", "text": T, "explain": "my note"}], "jsonl")
    assert written[0]["explain"] == "my note" and "explain_input" not in written[0]


@pytest.mark.parametrize("field", written_fields(explain=True, provisional=True))
def test_every_field_the_labeller_writes_gives_way_to_the_records_own(field):
    """Each name the labeller writes, and the name after it when ``FIELD_input`` is taken."""
    record = {"text": T, field: "mine", f"{field}_input": "mine too"}
    kept = keep_input_fields(dict(record), written_fields(explain=True, provisional=True))
    assert field not in kept and kept[f"{field}_input"] == "mine too" and kept[f"{field}_input_2"] == "mine"
