"""A label set of one class a passage, with a seed or two that carry no label or two: the model
had become multi-label (a passage may get no theme, or several) without a word."""

import json


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _one_label_rows(n: int = 12):
    rows = []
    for i in range(n):
        rows.append({"id": f"s{i}", "text": f"football match goal league number {i}", "labels": ["sports"]})
        rows.append({"id": f"w{i}", "text": f"rain storm forecast wind number {i}", "labels": ["weather"]})
    return rows


def test_train_notes_the_few_seeds_that_make_a_one_label_set_multi_label(tmp_path, run):
    rows = _one_label_rows() + [{"id": "x", "text": "gardening tips for the city", "labels": []}]
    seeds = _write(tmp_path / "s.jsonl", rows)
    out = tmp_path / "m"
    result = run("train", seeds, "-o", out, "--budget", "0", "--cv", "0", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (
        "Note: the model is multi-label (a passage may get no theme, or several) because 1 of 25 seeds does not "
        f"carry exactly one label (first: {seeds}:25, labels []); with one label on each seed it would be "
        "single-label and give every passage one\n"
    ) in result.stderr
    card = json.loads((out / "card.json").read_text("utf-8"))
    assert card["multilabel"] is True
    assert card["seeds"]["multilabel_by"] == {"seeds": 1, "of": 25, "first": f"{seeds}:25", "labels": []}


def test_no_note_for_a_one_label_set_or_a_multi_label_set_by_design(tmp_path, run):
    one = _write(tmp_path / "one.jsonl", _one_label_rows())
    rows = _one_label_rows()
    for r in rows[::4]:
        r["labels"] = ["sports", "weather"]
    many = _write(tmp_path / "many.jsonl", rows)
    for seeds, multilabel in ((one, False), (many, True)):
        out = tmp_path / seeds.stem
        result = run("train", seeds, "-o", out, "--budget", "0", "--cv", "0", "--jobs", "1")
        assert result.exit_code == 0 and "is multi-label" not in result.stderr, result.output
        card = json.loads((out / "card.json").read_text("utf-8"))
        assert card["multilabel"] is multilabel and "multilabel_by" not in card["seeds"]
