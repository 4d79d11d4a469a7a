"""A lone surrogate (a JSON escape such as \\udc80 with no pair) in a record labelled into CSV or
Parquet was refused only when the output file was written, naming neither the input file nor
its line nor the field."""

import json

import pytest
from click.testing import CliRunner

from trendscore.cli import main

GOOD = {"id": "1", "text": "微短剧出海"}


def _label(tmp_path, records, suffix, *options):
    source = tmp_path / "in.jsonl"
    # json.dumps escapes to ASCII, so the lone surrogate reaches the file as a JSON escape
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    out = tmp_path / f"out.{suffix}"
    return CliRunner().invoke(main, ["label", str(source), "-o", str(out), *options]), source, out


@pytest.mark.parametrize("suffix,output", [("csv", "CSV"), ("parquet", "Parquet")])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_lone_surrogate_is_refused_naming_the_file_line_and_field(tmp_path, suffix, output, jobs):
    if suffix == "parquet":
        pytest.importorskip("pyarrow")
    records = [GOOD, {"id": "2", "text": "ok", "note": "a\udc80b"}]
    result, source, out = _label(tmp_path, records, suffix, "--jobs", jobs)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: {source}:2: field 'note' holds a lone surrogate (a half of a UTF-16 pair, from a JSON escape), "
        f"which UTF-8 {output} cannot hold; JSON Lines keeps it escaped"
    ), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_in_the_text_itself(tmp_path, suffix):
    if suffix == "parquet":
        pytest.importorskip("pyarrow")
    result, source, out = _label(tmp_path, [{"id": "1", "text": "微短剧\ud800出海"}], suffix)
    assert result.exit_code == 2 and f"{source}:1: field 'text' holds a lone surrogate" in result.stderr
    assert not out.exists()


def test_a_nested_one_is_refused_for_parquet_and_written_escaped_in_csv(tmp_path):
    records = [GOOD, {"id": "2", "text": "ok", "tags": ["x", {"k": "\udc80"}]}]
    result, _, out = _label(tmp_path, records, "csv")
    assert result.exit_code == 0, result.stderr
    assert "\\udc80" in out.read_text("utf-8")  # CSV writes a nested value as its JSON text
    pytest.importorskip("pyarrow")
    result, source, out = _label(tmp_path, records, "parquet")
    assert result.exit_code == 2 and f"{source}:2: field 'tags' holds a lone surrogate" in result.stderr
    assert not out.exists()


def test_jsonl_output_keeps_it_escaped(tmp_path):
    result, _, out = _label(tmp_path, [GOOD, {"id": "2", "text": "ok", "note": "a\udc80b"}], "jsonl")
    assert result.exit_code == 0 and json.loads(out.read_text("utf-8").splitlines()[1])["note"] == "a\udc80b"


@pytest.mark.parametrize(
    "record, output, field",
    [
        ({"text": "ok", "n\udc80ote": "x"}, "CSV", "'n\\udc80ote'"),  # in a field's name
        ({"text": "短剧\ud800"}, "CSV", "'text'"),  # after other than ASCII
        ({"text": "ok", "tags": ["a\udc80"]}, "Parquet", "'tags'"),  # nested
        ({"text": "ok", "meta": {"k\udc80": 1}}, "Parquet", "'meta'"),  # a nested key
    ],
)
def test_the_chunks_check_finds_a_surrogate_wherever_the_output_cannot_hold_it(record, output, field):
    """The check each labelled record gets (made some four times cheaper: ASCII told at once,
    other text encoded rather than searched) finds what the pattern found."""
    from trendscore.errors import InputError
    from trendscore.io.writers import table_check

    check = table_check(["policy"], output)
    with pytest.raises(InputError) as caught:
        check(record, "in.jsonl", 3)
    assert caught.value.line == 3 and caught.value.message.startswith(f"field {field} holds a lone surrogate")


def test_the_chunks_check_lets_csv_escape_a_nested_one():
    from trendscore.io.writers import table_check

    record = {"text": "短剧出海 ok", "tags": ["a\udc80"], "id": 1}
    assert table_check(["policy"], "CSV")(record, "in.jsonl", 4) is None  # its JSON text escapes it


def test_the_chunks_check_names_a_field_named_like_a_score_column_first():
    from trendscore.errors import InputError
    from trendscore.io.writers import table_check

    with pytest.raises(InputError, match="^in.jsonl:5: a record has a field 'score_culture'"):
        table_check(["policy", "culture"], "CSV")({"text": "a\udc80", "score_culture": 1}, "in.jsonl", 5)
