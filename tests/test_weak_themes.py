"""train said nothing of a theme its own cross-validation hardly recognised: a user's theme of 7
seeds had recall 0 on held-out seeds while the Wrote line gave only the macro-F1."""

import json

from seedrows import two_class_rows, write_jsonl

from trendscore.modeling.cardnotes import WEAK_F1, card_notes, weak_themes


def _card(themes: dict, per_theme: dict | None = None) -> dict:
    return {"cross_validation": {"themes": themes}, "seeds": {"per_theme": per_theme or {}}}


def test_weak_themes_names_each_theme_under_the_bar_weakest_first():
    card = _card(
        {
            "policy": {"f1": 0.91, "recall": 0.9, "support": 300},
            "copyright": {"f1": 0.0, "recall": 0.0, "support": 7},
            "ads": {"f1": 0.2, "recall": 0.5, "support": 9},
            "edge": {"f1": WEAK_F1, "recall": 0.3, "support": 20},  # at the bar: not weak
        },
        {"copyright": 7, "ads": 9, "policy": 300, "edge": 20},
    )
    note = weak_themes(card)
    assert note == (
        "hardly recognised in cross-validation: copyright (F1 0.00, recall 0.00 on its 7 seeds); ads (F1 0.20, "
        "recall 0.50 on its 9 seeds); the model's labels for these themes on new text will be mostly missing or "
        "wrong: label more seeds about them"
    )
    assert note in card_notes(card)


def test_no_weak_theme_note_without_one_or_without_cross_validation():
    assert weak_themes(_card({"policy": {"f1": 0.9}, "culture": {"f1": 0.55}})) is None
    assert weak_themes({"seeds": {"per_theme": {"policy": 3}}}) is None
    assert weak_themes({"cross_validation": None}) is None
    # figures a card may lack are left out of the sentence, not guessed
    assert weak_themes(_card({"x": {"f1": 0.1}})) == (
        "hardly recognised in cross-validation: x (F1 0.10); the model's labels for these themes on new text will "
        "be mostly missing or wrong: label more seeds about them"
    )


def test_train_says_which_theme_it_hardly_recognises(tmp_path, run):
    # seven seeds of a theme written as the sports seeds are: nothing tells them apart
    rows = two_class_rows(12) + [
        {"id": f"c{i}", "text": f"football match goal league number {i + 50}", "labels": ["copyright"]}
        for i in range(7)
    ]
    out = tmp_path / "m"
    result = run("train", write_jsonl(tmp_path / "s.jsonl", rows), "-o", out, "--budget", "0", "--jobs", "1")
    assert result.exit_code == 0, result.output
    card = json.loads((out / "card.json").read_text("utf-8"))
    weak = sorted(t for t, f in card["cross_validation"]["themes"].items() if f["f1"] < WEAK_F1)
    assert weak, card["cross_validation"]["themes"]  # the scenario must hold a weak theme
    line = next(x for x in result.stderr.splitlines() if x.startswith("Note: hardly recognised"))
    assert all(f"{t} (F1 " in line for t in weak) and "weather" not in line


def test_train_on_themes_it_tells_apart_has_no_such_note(tmp_path, run):
    out = tmp_path / "m"
    seeds = write_jsonl(tmp_path / "s.jsonl", two_class_rows(12))
    result = run("train", seeds, "-o", out, "--budget", "0", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "hardly recognised" not in result.stderr
