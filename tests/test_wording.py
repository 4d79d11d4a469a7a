"""Counts in messages agree with their nouns (the last session left "1 files", "1 passages",
"1 problems" and the like in the CLI's lines): one helper, trendscore.wording, words them."""

import json

from trendscore.wording import counted, plural


def test_counted_gives_the_singular_for_one_only():
    assert [counted(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert counted(1, "copy", "copies") == "1 copy" and counted(3, "copy", "copies") == "3 copies"
    assert counted(1.0, "passage") == "1 passage" and counted(0.6, "passage") == "1 passage"
    assert counted(1.4, "passage", digits=1) == "1.4 passages" and counted(-0.2, "passage") == "0 passages"
    assert counted(None, "seed") == "? seeds"
    assert plural(1, "was", "were") == "was" and plural(7, "was", "were") == "were"


def test_seeds_validate_and_add_word_a_count_of_one(tmp_path, run):
    seed = tmp_path / "one.jsonl"
    seed.write_text(json.dumps({"id": "a", "text": "  ", "labels": ["sports"]}) + "\n", "utf-8")
    result = run("seeds", "validate", seed)
    assert result.stderr == "1 seed in 1 file, 1 problem (blank)\n"
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "b", "text": "tennis final", "labels": ["sports"]}) + "\n", "utf-8")
    (tmp_path / "seeds").mkdir()
    added = run("seeds", "add", good, "--to", tmp_path / "seeds")
    assert added.exit_code == 0, added.output
    assert "Added 1 seed to " in added.stderr and "skipped 0 exact duplicates; 0 replace earlier seeds" in added.stderr


def test_label_and_score_word_a_count_of_one(tmp_path, run):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "海淀区发布微短剧扶持政策"}\n{"text": " "}\nnot json\n', "utf-8")
    result = run("label", src, "--skip-bad", "-o", tmp_path / "out.jsonl")
    assert "Warning: 1 of 2 passages was blank and got no themes" in result.stderr
    assert "2 good passages; skipped 1 bad line\n" in result.stderr
    one = tmp_path / "one.jsonl"
    one.write_text('{"text": "海淀区发布微短剧扶持政策", "date": "2025-01-06", "labels": ["policy"]}\n', "utf-8")
    table = run("score", one).stdout
    assert "\n1 passage: 1 dated, 0 undated, 0 after as_of\n" in table
    assert "labels: 1 passage counted with the labels it carried" in table
