"""One text seeded twice with other labels."""

import json

from seedrows import two_class_rows, write_jsonl


def test_train_notes_a_text_seeded_twice_with_other_labels(tmp_path, run):
    """The same text with other labels in two seed files had been learnt both ways without a
    word (seeds validate and seeds add report it; train said nothing)."""
    rows = two_class_rows()
    first = write_jsonl(tmp_path / "a.jsonl", rows)
    second = write_jsonl(tmp_path / "b.jsonl", [{"id": "c1", "text": rows[0]["text"] + "!", "labels": ["weather"]}])
    out = tmp_path / "m"
    result = run("train", first, second, "-o", out, "--budget", "0", "--cv", "0", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (
        f"Note: 1 seed text is labelled two ways (first: {second}:1 ['weather'], {first}:1 ['sports']); the model "
        "learnt both"
    ) in result.stderr
    card = json.loads((out / "card.json").read_text("utf-8"))
    assert card["seeds"]["conflicts"] == {
        "texts": 1,
        "first": f"{second}:1",
        "labels": ["weather"],
        "with": f"{first}:1",
        "other": ["sports"],
    }
    clean = run("train", first, "-o", tmp_path / "m2", "--budget", "0", "--cv", "0", "--jobs", "1")
    assert "labelled two ways" not in clean.stderr
    assert "conflicts" not in json.loads((tmp_path / "m2" / "card.json").read_text("utf-8"))["seeds"]
