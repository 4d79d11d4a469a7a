"""seeds add given a file already in the seed directory (dropped there by hand, by any name):
its seeds had been compared with themselves, all 'skipped as exact duplicates', exit 0, and a
label conflict with another file of the directory went unreported."""

import json
import os

import pytest


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.mark.parametrize("how", ["inside", "symlink", "hardlink"])
def test_seeds_add_refuses_a_file_of_the_directory_itself(tmp_path, run, how):
    directory = tmp_path / "seeds"
    directory.mkdir()
    _write(directory / "batch_01_old.jsonl", [{"id": "a", "text": "football match goal", "labels": ["sports"]}])
    inside = _write(
        directory / "new.jsonl",
        [
            {"id": "b", "text": "football match goal", "labels": ["finance"]},  # conflicts with batch_01 line 1
            {"id": "c", "text": "rain storm forecast", "labels": ["weather"]},
        ],
    )
    given = inside
    if how == "symlink":
        given = tmp_path / "link.jsonl"
        given.symlink_to(inside)
    elif how == "hardlink":
        given = tmp_path / "hard.jsonl"
        os.link(inside, given)
    before = sorted(p.name for p in directory.iterdir())
    result = run("seeds", "add", given, "--to", directory)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"Error: {given}: is already a seed file of {directory} (as new.jsonl): seeds add copies seeds from "
        "elsewhere into it, and would compare this file with itself; move it out of the directory and add it, "
        "or check the directory with seeds validate\n"
    )
    assert sorted(p.name for p in directory.iterdir()) == before


def test_seeds_add_of_a_file_from_elsewhere_still_reports_the_conflict(tmp_path, run):
    directory = tmp_path / "seeds"
    directory.mkdir()
    _write(directory / "batch_01_old.jsonl", [{"id": "a", "text": "football match goal", "labels": ["sports"]}])
    new = _write(tmp_path / "new.jsonl", [{"id": "b", "text": "football match goal", "labels": ["finance"]}])
    result = run("seeds", "add", new, "--to", directory)
    assert result.exit_code == 1 and "conflict: same text as" in result.output


def test_seeds_add_says_which_fields_outside_the_seed_format_it_did_not_keep(tmp_path, run):
    """A user's own fields (an annotator, a comment) had been left out of the batch written
    without a word; seeds add still writes the seed format only, and now names them."""
    directory = tmp_path / "seeds"
    directory.mkdir()
    rows = [
        {"id": "a", "text": "football match goal", "labels": ["sports"], "annotator": "li", "date": "2025-01-02"},
        {"id": "b", "text": "rain storm forecast", "labels": ["weather"], "annotator": "wu", "comment": "unsure"},
    ]
    new = _write(tmp_path / "new.jsonl", rows)
    result = run("seeds", "add", new, "--to", directory)
    assert result.exit_code == 0, result.output
    note = "Note: fields outside the seed format were not kept: 'annotator' (2), 'comment' (1)\n"
    assert result.stderr.endswith(note)
    (written,) = [p for p in directory.iterdir() if p.name.startswith("batch_")]
    assert [json.loads(line) for line in written.read_text("utf-8").splitlines()] == [
        {"id": "a", "text": "football match goal", "labels": ["sports"], "date": "2025-01-02"},
        {"id": "b", "text": "rain storm forecast", "labels": ["weather"]},
    ]
    plain = _write(tmp_path / "plain.jsonl", [{"id": "c", "text": "bank stock market", "labels": ["finance"]}])
    assert "Note:" not in run("seeds", "add", plain, "--to", directory).stderr
