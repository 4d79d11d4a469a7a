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


def test_seeds_add_names_its_batch_by_the_next_number_and_the_file_name(tmp_path, run):
    """seeds add had written batch_90_mine.jsonl as batch_21_batch_90_mine.jsonl (the name
    kept its own 'batch_90_'), more.jsonl.gz as batch_22_more_jsonl.jsonl, standard input as
    batch_NN_-.jsonl, and numbered past a compressed batch_30_*.jsonl.gz as if it were not
    there (batch_23 came after batch_30). The rule now: one more than the highest batch number
    of any seed file in the directory, then the file's name without its suffixes or batch_NN_."""
    directory = tmp_path / "seeds"
    directory.mkdir()
    _write(directory / "batch_20_old.jsonl", [{"id": "a", "text": "football match goal", "labels": ["sports"]}])
    incoming = tmp_path / "in"
    incoming.mkdir()
    _write(incoming / "batch_90_mine.jsonl", [{"text": "tennis final serve", "labels": ["sports"]}])
    assert run("seeds", "add", incoming / "batch_90_mine.jsonl", "--to", directory).exit_code == 0
    assert (directory / "batch_21_mine.jsonl").is_file()
    import gzip

    (incoming / "more.jsonl.gz").write_bytes(gzip.compress(b'{"text": "stock market rally", "labels": ["finance"]}\n'))
    assert run("seeds", "add", incoming / "more.jsonl.gz", "--to", directory).exit_code == 0
    assert (directory / "batch_22_more.jsonl").is_file()
    (directory / "batch_30_kept.jsonl.gz").write_bytes(
        gzip.compress(b'{"id": "z", "text": "bond yields climb", "labels": ["finance"]}\n')
    )
    piped = run("seeds", "add", "-", "--to", directory, input='{"text": "rugby try scored", "labels": ["sports"]}\n')
    assert piped.exit_code == 0, piped.output
    assert (directory / "batch_31_stdin.jsonl").is_file() and f"to {directory / 'batch_31_stdin.jsonl'}" in piped.stderr
    assert sorted(p.name for p in directory.glob("batch_*")) == [
        "batch_20_old.jsonl",
        "batch_21_mine.jsonl",
        "batch_22_more.jsonl",
        "batch_30_kept.jsonl.gz",
        "batch_31_stdin.jsonl",
    ]


def test_an_id_taken_already_is_renamed_after_stdin_when_the_seeds_come_from_it(run, tmp_path):
    """A seed piped in whose id the directory holds was renamed '--1' (the stem of '-'); it is
    renamed as a file's are, after its name: 'stdin-1'."""
    directory = tmp_path / "seeds"
    directory.mkdir()
    _write(directory / "batch_01_old.jsonl", [{"id": "a", "text": "football match goal", "labels": ["sports"]}])
    seed = '{"id": "a", "text": "rain storm", "labels": ["weather"]}\n'
    piped = run("seeds", "add", "-", "--to", directory, input=seed)
    assert piped.exit_code == 0, piped.output
    added = (directory / "batch_02_stdin.jsonl").read_text("utf-8")
    assert json.loads(added)["id"] == "stdin-1"
