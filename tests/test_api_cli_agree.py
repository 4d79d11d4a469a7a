"""The same data through the Python API and through the command line give the same labels, the
same scores and the same errors (the API naming ``<records>:N`` where the CLI names FILE:N)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import SEEDS
from labelled_cli import labelled_by_cli

import trendscore
from trendscore.cli import main

T = "短剧出海东南亚"


def _records(n=120):
    files = sorted(SEEDS.glob("batch_*.jsonl"))
    seeds = [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines()]
    out = []
    for i, seed in enumerate(seeds[:: max(1, len(seeds) // n)][:n]):
        record = {"id": i, "text": seed["text"], "date": f"2026-{1 + i % 6:02d}-{1 + i % 28:02d}"}
        if i % 3 == 0:  # some rows come labelled; score counts them as given, label keeps them aside
            record["labels"] = seed["labels"]
        out.append(record)
    return out


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _plain(value):
    return json.loads(json.dumps(value, ensure_ascii=False))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    records = _records()
    return records, _jsonl(tmp_path_factory.mktemp("agree") / "in.jsonl", records)


def test_label_gives_the_records_the_cli_writes(data):
    records, path = data
    cli = [json.loads(line) for line in _cli("label", path).stdout.splitlines()]
    assert _plain(trendscore.label([dict(r) for r in records])) == cli


def test_label_of_a_frame_gives_the_columns_the_cli_writes_to_parquet(data, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    _, path = data
    out = tmp_path / "out.parquet"
    assert _cli("label", path, "-o", out).exit_code == 0
    cli = pd.read_parquet(out)
    api = trendscore.label(pd.read_json(path, lines=True, dtype=False))
    assert list(api.columns) == list(cli.columns)
    assert api["labels"].tolist() == [list(x) for x in cli["labels"]]
    scores = [c for c in cli.columns if c.startswith("score_")]
    assert (api[scores].to_numpy() == cli[scores].to_numpy()).all()


def test_score_gives_the_cli_score(data):
    records, path = data
    cli = json.loads(_cli("score", path, "--format", "json", "--freq", "week").stdout)
    assert _plain(trendscore.score([dict(r) for r in records], freq="week").to_json()) == cli


def test_score_of_labels_csv_read_by_pandas_gives_the_cli_score_of_that_csv(data, tmp_path):
    pd = pytest.importorskip("pandas")
    _, path = data
    labelled = tmp_path / "labelled.csv"
    assert _cli("label", path, "-o", labelled).exit_code == 0
    cli = json.loads(_cli("score", labelled, "--format", "json", "--freq", "month").stdout)
    assert _plain(trendscore.score(pd.read_csv(labelled), freq="month").to_json()) == cli


BAD = {
    "no text": {"id": 1},
    "null text": {"text": None},
    "a number for text": {"text": 5},
    "a list for text": {"text": ["短剧"]},
    "labels as a string": {"text": T, "labels": "policy"},
    "labels twice": {"text": T, "labels": ["policy", "policy"]},
    "a number among labels": {"text": T, "labels": [1]},
    "an empty label": {"text": T, "labels": [""]},
    "a label holding a bar": {"text": T, "labels": ["a|b"]},
}


@pytest.mark.parametrize("command", ["label", "score"])
@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_record_is_the_same_error_through_the_api(tmp_path, command, case):
    records = [{"text": T, "date": "2026-01-01"}, {**BAD[case], "date": "2026-01-02"}]
    path = _jsonl(tmp_path / "bad.jsonl", records)
    result = _cli(command, path)
    try:
        getattr(trendscore, command)([dict(r) for r in records])
    except trendscore.InputError as exc:
        assert exc.path == "<records>"
        assert result.exit_code == 2 and result.stderr == f"Error: {path}:{exc.line}: {exc.message}\n"
    else:
        assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_records_own_scores_are_kept_as_scores_input_in_every_format(tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    records = [{"id": "1", "text": T, "scores": "mine"}, {"id": "2", "text": T, "scores": "also mine"}]
    # JSON Lines had replaced them with the model's scores, CSV and Parquet had dropped them
    written = labelled_by_cli(tmp_path, records, fmt)
    assert [r["scores_input"] for r in written] == ["mine", "also mine"]
    assert [r["scores_input"] for r in trendscore.label([dict(r) for r in records])] == ["mine", "also mine"]
    if fmt == "parquet":  # a frame labelled in Python has the columns label writes to Parquet
        pd = pytest.importorskip("pandas")
        frame = trendscore.label(pd.DataFrame(records))
        assert list(frame.columns) == list(written[0]) and frame["scores_input"].tolist() == ["mine", "also mine"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_field_named_like_a_score_column_is_refused_in_csv_and_parquet_alike(tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    records = [{"id": "1", "text": T, "score_policy": "mine"}]
    # Parquet had written the model's score over it, where CSV refused it; neither named the line
    error = labelled_by_cli(tmp_path, records, fmt, fails=True)
    name = {"csv": "CSV", "parquet": "Parquet"}[fmt]
    assert error == (
        f"Error: {tmp_path / 'in.jsonl'}:1: a record has a field 'score_policy', the name of a column of the {name} "
        "output; try --format jsonl\n"
    )
    assert not (tmp_path / f"out.{fmt}").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("out", ["out.csv", "out.parquet", "parts"])
def test_a_score_column_field_is_named_by_its_file_and_line(tmp_path, out, jobs):
    """The refusal had named no file and no line: the writers see labelled records only."""
    pytest.importorskip("pyarrow")
    records = [{"id": str(n), "text": T} for n in range(1, 40)]
    records[36]["score_culture"] = 0.5
    source = _jsonl(tmp_path / "in.jsonl", records)
    target = ["--output-dir", tmp_path / out] if out == "parts" else ["-o", tmp_path / out]
    result = _cli("label", "--jobs", jobs, source, *target)
    name = "CSV" if out.endswith(".csv") else "Parquet"
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {source}:37: a record has a field 'score_culture', the name of a column ")
    assert f"of the {name} output" in result.stderr
    assert not (tmp_path / out).exists()


TEXT_COLUMN = {
    "the named field": [{"id": 1, "body": T}],
    "text alone, as a record without the named field": [{"id": 1, "body": T}, {"id": 2, "text": T}],
    "both fields": [{"id": 1, "body": T, "text": "x"}],
    "neither field": [{"id": 1, "body": T}, {"id": 2}],
    "a null named field": [{"id": 1, "body": None}],
}


@pytest.mark.parametrize("case", sorted(TEXT_COLUMN))
def test_label_reads_a_text_column_as_the_cli_reads_it(tmp_path, case):
    records = TEXT_COLUMN[case]
    path = _jsonl(tmp_path / "in.jsonl", records)
    result = _cli("label", path, "--text-column", "body")
    # trendscore.label had refused a record with text but no body, labelled body in one with
    # both, and kept body in its output where label writes text
    try:
        api = trendscore.label([dict(r) for r in records], text_column="body")
    except trendscore.InputError as exc:
        assert exc.path == "<records>"
        message = exc.message if exc.hint is None else f"{exc.message}; try {exc.hint.render('--text-column')}"
        assert result.exit_code == 2 and result.stderr == f"Error: {path}:{exc.line}: {message}\n"
    else:
        assert result.exit_code == 0, result.stderr
        assert _plain(api) == [json.loads(line) for line in result.stdout.splitlines()]


def test_a_frames_text_column_is_renamed_as_label_renames_it_in_parquet(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pd.DataFrame({"id": [1, 2], "body": [T, "海淀区发布微短剧扶持政策"]}).to_parquet(source, index=False)
    assert _cli("label", source, "--text-column", "body", "-o", out).exit_code == 0
    cli = pd.read_parquet(out)
    api = trendscore.label(pd.read_parquet(source), text_column="body")
    # the frame had kept 'body' where label writes 'text'
    assert list(api.columns) == list(cli.columns) and api["text"].tolist() == cli["text"].tolist()
    both = pd.read_parquet(source).assign(text="x")
    both.to_parquet(source, index=False)
    refused = _cli("label", source, "--text-column", "body", "-o", out)
    assert refused.exit_code == 2
    assert "has both a 'body' and a 'text' column; one of them would be lost" in refused.stderr
    # the frame had been labelled from 'body', its 'text' kept beside it
    with pytest.raises(trendscore.InputError, match="the DataFrame has both a 'body' and a 'text' column; one of"):
        trendscore.label(both, text_column="body")


@pytest.mark.parametrize("text_column", ["text", "body"])
def test_a_null_labels_field_is_dropped_by_the_api_as_by_the_cli(tmp_path, text_column):
    """A record whose ``labels`` is null is not labelled yet: ``label`` drops the field, so
    its output has no ``labels_input``; trendscore.label had kept ``labels_input: None``."""
    records = [{"id": "1", text_column: T, "labels": None}, {"id": "2", text_column: T, "labels": ["policy"]}]
    result = _cli("label", _jsonl(tmp_path / "in.jsonl", records), "--text-column", text_column)
    assert result.exit_code == 0, result.stderr
    cli = [json.loads(line) for line in result.stdout.splitlines()]
    api = _plain(trendscore.label([dict(r) for r in records], text_column=text_column))
    assert api == cli
    assert "labels_input" not in api[0] and api[1]["labels_input"] == ["policy"]


@pytest.mark.parametrize("cells", [[None, None], [None, ["policy"]]], ids=["all-null", "some-labels"])
def test_a_frames_null_labels_column_is_kept_as_label_keeps_it(tmp_path, cells):
    """A ``labels`` column all null is no labels of the user's: the CLI (JSON Lines with
    ``"labels": null``) writes no ``labels_input``, and the DataFrame labelled in Python had kept
    one; a column with some labels is kept as ``labels_input`` by both."""
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    records = [{"id": "1", "text": T, "labels": cells[0]}, {"id": "2", "text": "政策", "labels": cells[1]}]
    written = labelled_by_cli(tmp_path, records, "parquet")
    frame = trendscore.label(pd.DataFrame(records))
    assert list(frame.columns) == list(written[0])
    assert ("labels_input" in frame.columns) == (cells[1] is not None)


@pytest.mark.parametrize(
    "cells",
    [[None, None, None, None], [None, None, ["policy"], None], [None, None, None, float("nan")]],
    ids=["all-null", "labels-in-one-partition", "nan"],
)
def test_a_null_labels_column_is_dropped_alike_by_the_cli_pandas_and_dask(tmp_path, cells):
    """label_dataframe had kept a ``labels`` column missing in every row as ``labels_input``
    (of nulls), where ``label`` and trendscore.label drop it; a column with labels in one
    partition only is kept by all three (the rule is the whole column's, not a partition's)."""
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    from trendscore.integrations.dask import label_dataframe

    texts = [T, "政策", "短剧出海东南亚", "海淀区"]
    records = [{"id": str(n), "text": t, "labels": c} for n, (t, c) in enumerate(zip(texts, cells))]
    plain = [{**r, "labels": None if r["labels"] != r["labels"] else r["labels"]} for r in records]
    written = labelled_by_cli(tmp_path, plain, "parquet")
    frame = trendscore.label(pd.DataFrame(records))
    lazy = label_dataframe(dd.from_pandas(pd.DataFrame(records), npartitions=2))
    done = lazy.compute()
    kept = any(c is not None and c == c for c in cells)
    assert list(frame.columns) == list(written[0]) == list(lazy.columns) == list(done.columns)
    assert ("labels_input" in done.columns) == kept
    assert done["labels"].tolist() == frame["labels"].tolist()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_field_first_met_in_a_later_record_has_the_place_a_frame_gives_it(tmp_path, fmt):
    """Parquet output had put a field no earlier record had after the score columns, where
    ``trendscore.label`` on a DataFrame of the same records has it with the other input columns:
    both put the input's own columns first, in the order met, then labels and scores."""
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    records = [{"id": "1", "text": T}, {"id": "2", "text": "政策", "source": "xinhua"}]
    records.append({"id": "3", "text": "短剧", "n": 1})
    written = labelled_by_cli(tmp_path, records, fmt)
    frame = trendscore.label(pd.DataFrame(records))
    assert list(written[0]) == list(frame.columns)
    assert list(frame.columns)[:5] == ["id", "text", "source", "n", "labels"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_records_own_labels_keep_their_place_as_labels_input(tmp_path, fmt):
    """``label`` had moved a record's own ``labels`` (as ``labels_input``) after its other
    fields, where ``trendscore.label`` on a DataFrame renames the column where it stands."""
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    records = [{"labels": ["policy"], "id": "1", "text": T}, {"labels": [], "id": "2", "text": "政策"}]
    written = labelled_by_cli(tmp_path, records, fmt)
    frame = trendscore.label(pd.DataFrame(records))
    assert list(frame.columns)[:3] == ["labels_input", "id", "text"]
    if fmt == "jsonl":  # and the dicts trendscore.label gives
        assert [list(r) for r in written] == [list(r) for r in trendscore.label([dict(r) for r in records])]
        assert list(written[0])[:4] == ["labels_input", "id", "text", "labels"]
    else:
        assert list(written[0]) == list(frame.columns)
