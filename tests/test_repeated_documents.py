"""An article met twice in one run (a digest export repeating an item, or two exports of one
search): its passages keep the report's ``doc_id`` but get ids of their own (``-r2``)."""

import json

import pytest
from conftest import DIGEST

from trendscore.io.readers import read_records

FIRST_ARTICLE = "\n".join(DIGEST.read_text("utf-8").splitlines()[4:7])


def _repeated(tmp_path):
    path = tmp_path / "repeated.txt"
    path.write_text(DIGEST.read_text("utf-8") + "\n" + FIRST_ARTICLE + "\n", "utf-8")
    return path


def test_a_repeated_article_gets_ids_of_its_own_and_keeps_its_doc_id(tmp_path):
    records = [r for r, _, _ in read_records(str(_repeated(tmp_path)))]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == 42
    first = [r for r in records if r["doc_id"] == records[0]["doc_id"]]
    assert [r["id"] for r in first] == [f"{records[0]['doc_id']}-p{n}" for n in range(1, 5)] + [
        f"{records[0]['doc_id']}-p{n}-r2" for n in range(1, 5)
    ]
    assert [r["text"] for r in first[:4]] == [r["text"] for r in first[4:]]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_label_output_ids_are_unique_across_inputs(tmp_path, run, jobs):
    """The same article in two inputs of one run, and twice in one: every id once."""
    out = tmp_path / "out.jsonl"
    result = run("label", "--jobs", jobs, _repeated(tmp_path), DIGEST, "-o", out)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == 80
    assert sum(r["id"].endswith("-r3") for r in records) == 4  # the first article's third time
    assert len({r["doc_id"] for r in records}) == 10


def test_score_counts_a_repeated_article_as_the_report_it_is(tmp_path, run):
    """score reads the repeat with its report's doc_id: the same counts as without it (the copy
    folded), whatever its ids."""
    plain, doubled = tmp_path / "plain.json", tmp_path / "doubled.json"
    assert run("score", DIGEST, "--as-of", "2025-12-02", "--format", "json", "-o", plain).exit_code == 0
    assert run("score", _repeated(tmp_path), "--as-of", "2025-12-02", "--format", "json", "-o", doubled).exit_code == 0
    a, b = json.loads(plain.read_text("utf-8")), json.loads(doubled.read_text("utf-8"))
    assert a["themes"] == b["themes"]
