"""trendscore models show MODEL: a model's card in readable form (there was no way to see one
but reading card.json)."""

from trendscore.modeling.model import load_model
from trendscore.modeling.registry import Registry


def test_a_bundled_model_shows_its_themes_seeds_settings_figures_and_command(run):
    result = run("models", "show", "default")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("model: ") and lines[0].endswith("default")
    assert lines[1].startswith("created: 20")
    assert lines[2] == "command: SOURCE_DATE_EPOCH=1796322818 trendscore train SEEDS -o OUT --curve --budget 0 --jobs 1"
    assert lines[3] == "themes (5 themes, multi-label):"
    assert [line.split(":")[0].strip() for line in lines[4:9]] == load_model().themes
    assert lines[4].startswith("  policy: threshold 0.59, ") and "seeds, cv F1 0." in lines[4]
    assert any(line.startswith("seeds: ") and "from 20 files: batch_00_digest.jsonl" in line for line in lines)
    assert any(line.startswith("settings: ") and "embedding=none" in line and "min_df=2" in line for line in lines)
    assert any(line.startswith("cross-validation: macro-F1 0.") and "by report" in line for line in lines)
    # the classifier's calibration folds by their name: 'cv=5' had stood beside '(5-fold)' of
    # the card's cross-validation, and beside '(2-fold)' after train --cv 2, as if they disagreed
    settings = next(line for line in lines if line.startswith("settings: "))
    assert "calibration_folds=5" in settings and "cv=" not in settings.replace("calibration_folds", "")
    assert any(line.startswith("real reports held out by time (2024-07-01..2024-12-31)") for line in lines)
    assert lines[-1].startswith("versions: ") and "trendscore " in lines[-1]


def test_a_folder_a_registry_and_a_registry_version_are_shown(small_model_dir, run, tmp_path):
    reg = Registry(tmp_path / "reg")
    first = reg.add(load_model(small_model_dir))
    for args in ([small_model_dir], [reg.path], [first, "--registry", reg.path]):
        result = run("models", "show", *args)
        assert result.exit_code == 0, result.output
        assert "themes (5 themes, multi-label):" in result.stdout
        assert "command: - (not recorded)" in result.stdout  # trained by the Python API, which records none
    assert run("models", "show", reg.path).stdout.splitlines()[0] == f"model: {reg.path / 'versions' / first}"


def test_what_is_no_model_is_one_line(run, tmp_path):
    reg = Registry(tmp_path / "reg")
    missing = run("models", "show", tmp_path / "nothing")
    assert missing.exit_code == 2 and missing.stderr == f"Error: {tmp_path / 'nothing'}: no model here (no card.json)\n"
    (tmp_path / "reg").mkdir()
    not_reg = run("models", "show", "v0001", "--registry", reg.path)
    assert not_reg.exit_code == 2 and not_reg.stderr.count("\n") == 1 and "not a model registry" in not_reg.stderr


def test_a_provisional_theme_folded_in_at_one_seed_reads_in_the_singular():
    """Review finding: 'folded in once 1 seed carry its label'."""
    from trendscore.modeling.cardview import card_lines

    card = {"provisional": {"esports": {"examples": 6, "added": "2026-12-04", "threshold": 0.5}}}
    for bar, words in ((1, "once 1 seed carries its label"), (160, "once 160 seeds carry its label")):
        card["provisional"]["esports"]["fold_in_at_seeds"] = bar
        assert any(words in line for line in card_lines(card, ["esports"], "M")), bar


def test_a_card_edited_by_hand_is_shown_with_a_warning_that_the_model_will_not_load(small_model_dir, run, tmp_path):
    """Found maintaining a model: a card edited by hand (a note added) was shown by models show
    as if nothing were wrong, while label, score and evaluate refused the model for it."""
    import shutil

    copy = tmp_path / "mine"
    shutil.copytree(small_model_dir, copy)
    kept = run("models", "show", copy)
    assert kept.exit_code == 0 and kept.stderr == ""
    card = copy / "card.json"
    card.write_text(card.read_text("utf-8").replace('"created"', '"note": "checked", "created"', 1), "utf-8")
    edited = run("models", "show", copy)
    assert edited.exit_code == 0 and edited.stdout == kept.stdout
    assert edited.stderr == (
        f"Warning: {card}: changed after saving (its SHA-256 is not the manifest's): the card shown may not be "
        "the model's, and the model does not load until the file is put back\n"
    )
    label = run("label", "-", "--model", copy, input="短剧\n")
    assert label.exit_code == 2 and "card.json: SHA-256 does not match the manifest" in label.stderr


def test_a_model_of_given_themes_shows_them_and_the_labels_taken_off(tmp_path, run):
    """models show of a model trained with --themes did not say so, nor which labels of its
    seeds were taken off (the card keeps both): evaluate and comparisons rest on that."""
    import json

    from seedrows import two_class_rows, write_jsonl

    seeds = write_jsonl(tmp_path / "seeds.jsonl", two_class_rows(8))
    result = run("train", seeds, "-o", tmp_path / "m", "--themes", "sports", "--cv", "0", "--budget", "0")
    assert result.exit_code == 0, result.output
    shown = run("models", "show", tmp_path / "m")
    assert shown.exit_code == 0
    assert (
        "themes given: sports; ignored 8 labels on 8 seeds, of themes not listed: weather (8); 8 seeds carry none "
        "of the themes"
    ) in shown.stdout.splitlines()
    card = tmp_path / "m" / "card.json"  # an odd count, edited by hand: the themes alone
    data = json.loads(card.read_text("utf-8"))
    data["seeds"]["ignored"]["labels"]["weather"] = "eight"
    card.write_text(json.dumps(data), "utf-8")
    odd = run("models", "show", tmp_path / "m")
    assert odd.exit_code == 0 and "themes given: sports" in odd.stdout.splitlines()
