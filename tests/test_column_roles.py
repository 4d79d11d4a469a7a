"""The columns named for the text, the date and the id: one field cannot hold two of them, and
an error about a record's text names the column the user gave, in the CLI and the API alike."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import trendscore
from trendscore.cli import main
from trendscore.io.columns import Columns

RECORDS = [{"body": "短剧出海东南亚", "date": "2025-01-01"}, {"date": "2025-01-02"}]


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def test_score_api_names_the_text_column_given(tmp_path):
    """A record without its text: the API had named 'text', the field it was renamed to."""
    path = _jsonl(tmp_path / "in.jsonl", RECORDS)
    result = _cli("score", "--text-column", "body", path)
    with pytest.raises(trendscore.InputError) as caught:
        trendscore.score([dict(r) for r in RECORDS], text_column="body")
    assert caught.value.message == "expected a string 'body' or 'text' field, got nothing"
    assert result.exit_code == 2 and result.stderr == f"Error: {path}:2: {caught.value.message}\n"


def test_score_api_names_the_text_column_of_a_dataframe():
    pd = pytest.importorskip("pandas")
    with pytest.raises(trendscore.InputError, match=r"^<DataFrame>:2: expected a string 'body' or 'text' field"):
        trendscore.score(pd.DataFrame(RECORDS), text_column="body")


@pytest.mark.parametrize(
    "settings, roles",
    [
        ({"text_column": "date"}, ("text", "date", "date")),
        ({"text_column": "body", "date_column": "body"}, ("text", "date", "body")),
        ({"date_column": "text"}, ("text", "date", "text")),
        ({"text_column": "id"}, ("text", "id", "id")),
    ],
)
@pytest.mark.parametrize("command", ["score", "label"])
def test_one_field_named_for_two_roles_is_one_error(tmp_path, settings, roles, command):
    """The text column named like the date's had been passed over without a word (the text read
    from 'text'); the CLI and the API now refuse it before any work, in the same words."""
    first, other, name = roles
    message = f"the {first} and the {other} are both to be read from {name!r}; one field cannot hold both"
    options = [x for key, value in settings.items() for x in ("--" + key.replace("_", "-"), value)]
    result = _cli(command, *options, _jsonl(tmp_path / "in.jsonl", RECORDS))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}; try --{first}-column and --{other}-column naming two fields\n"
    api = {"score": lambda: trendscore.score([dict(r) for r in RECORDS], **settings)}
    api["label"] = lambda: trendscore.label([dict(r) for r in RECORDS], text_column=settings.get("text_column", "text"))
    if command == "label" and "text_column" not in settings:
        return  # trendscore.label reads no date column
    if command == "label" and settings.get("date_column"):
        return
    with pytest.raises(trendscore.InputError) as caught:
        api[command]()
    assert str(caught.value) == message


def test_columns_of_three_fields_are_taken():
    assert Columns("body", "published", "key").renames == {"body": "text", "published": "date", "key": "id"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_score_relabel_names_the_text_column_given_on_every_back_end(tmp_path, jobs):
    """A labelled record without its text, which --relabel sends to the model: the scorer's own
    check had named 'text' (the field it was renamed to); the reader had let it by, as it has
    labels. The API names the column likewise."""
    records = [RECORDS[0], {"date": "2025-01-02", "labels": ["policy"]}]
    path = _jsonl(tmp_path / "in.jsonl", records)
    result = _cli("score", "--text-column", "body", "--relabel", "--jobs", jobs, path)
    message = "expected a string 'body' or 'text' field, got nothing"
    assert result.exit_code == 2 and result.stderr == f"Error: {path}:2: {message}\n"
    with pytest.raises(trendscore.InputError) as caught:
        trendscore.score([dict(r) for r in records], text_column="body", relabel=True)
    assert str(caught.value) == f"<records>:2: {message}"


def test_the_scorer_names_the_column_the_records_were_renamed_through():
    """The scorer carries the Columns the records were renamed through, so its one check of a
    record's text names the user's column (trendscore.score had checked every text a second
    time, before it, to say so)."""
    from trendscore.trends.scoring import score

    renamed = [Columns("body").rename(dict(r), "<records>", n) for n, r in enumerate(RECORDS, 1)]
    with pytest.raises(trendscore.InputError) as caught:
        score(renamed, columns=Columns("body"))
    assert str(caught.value) == "<records>:2: expected a string 'body' or 'text' field, got nothing"
