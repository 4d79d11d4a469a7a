"""A label set of one class a passage, with a seed or two that carry no label or two: the model
had become multi-label (a passage may get no theme, or several) without a word."""

import json

from seedrows import two_class_rows, write_jsonl


def test_train_notes_the_few_seeds_that_make_a_one_label_set_multi_label(tmp_path, run):
    rows = two_class_rows(12) + [{"id": "x", "text": "gardening tips for the city", "labels": []}]
    seeds = write_jsonl(tmp_path / "s.jsonl", rows)
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
    one = write_jsonl(tmp_path / "one.jsonl", two_class_rows(12))
    rows = two_class_rows(12)
    for r in rows[::4]:
        r["labels"] = ["sports", "weather"]
    many = write_jsonl(tmp_path / "many.jsonl", rows)
    for seeds, multilabel in ((one, False), (many, True)):
        out = tmp_path / seeds.stem
        result = run("train", seeds, "-o", out, "--budget", "0", "--cv", "0", "--jobs", "1")
        assert result.exit_code == 0 and "is multi-label" not in result.stderr, result.output
        card = json.loads((out / "card.json").read_text("utf-8"))
        assert card["multilabel"] is multilabel and "multilabel_by" not in card["seeds"]


def test_seeds_issues_suggests_one_label_for_a_seed_of_a_one_label_set(tmp_path, run):
    """seeds issues flipped each suspect theme of a seed: in a single-label set it had
    suggested [] (or two labels), which no single-label model answers and which, added back,
    made the model multi-label."""
    import itertools

    words = {
        "alpha": "football match goal league coach stadium".split(),
        "beta": "bank stock market interest investor bond".split(),
        "gamma": "rain storm forecast wind snow flood".split(),
    }
    rows = [
        {"id": f"{label}{i}", "text": " ".join(combo) + f" n{i}", "labels": [label]}
        for label, vocab in words.items()
        for i, combo in enumerate(itertools.islice(itertools.combinations(vocab, 4), 12))
    ]
    rows.append({"id": "odd", "text": "football match goal bank stock market", "labels": ["gamma"]})
    seeds = write_jsonl(tmp_path / "s.jsonl", rows)
    result = run("seeds", "issues", seeds, "-n", "5")
    assert result.exit_code == 0, result.output
    issues = [line for line in result.stdout.splitlines() if line.startswith(f"{seeds}:")]
    assert issues and all(" -> suggested [" in line for line in issues)
    for line in issues:
        suggested = line.split(" -> suggested ")[1].split(" (")[0]
        assert suggested.count("'") == 2, line  # exactly one label
    assert issues[0].startswith(f"{seeds}:37: odd labels ['gamma'] -> suggested ['")


def test_train_says_which_theme_its_macro_f1_leaves_out(tmp_path, run):
    """Two classes, one of a single seed: no fold could test it, so the macro-F1 train printed
    (1.000) was of the other class alone, and said nothing of it."""
    rows = [{"id": f"s{i}", "text": f"football match goal league number {i}", "labels": ["sports"]} for i in range(20)]
    rows.append({"id": "f", "text": "bank stock market interest", "labels": ["finance"]})
    seeds = write_jsonl(tmp_path / "s.jsonl", rows)
    result = run("train", seeds, "-o", tmp_path / "m", "--budget", "0", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(
        f"Wrote {tmp_path / 'm'}: 2 themes, 21 seeds, macro-F1 1.000 (5-fold; without finance, which no fold tested)\n"
    )
