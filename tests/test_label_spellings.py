"""A user's own label set written two ways: one theme name in two spellings (case, full-width
letters, composed and decomposed accents, white space inside, '_' or '-') had trained a model of
two themes, each from part of the seeds, printed alike in every output; seeds validate had
caught only a capitalised label beside its lower-case form."""

import json
import unicodedata

import pytest

from trendscore.errors import InputError

NFC = unicodedata.normalize("NFC", "météo")
NFD = unicodedata.normalize("NFD", "météo")


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _rows(first: str, second: str, n: int = 6):
    """Seeds of two themes, ``first`` and ``second`` alternating as the label of the second."""
    rows = []
    for i in range(n):
        rows.append({"id": f"s{i}", "text": f"football match goal league number {i}", "labels": ["sports"]})
        label = first if i % 2 == 0 else second
        rows.append({"id": f"w{i}", "text": f"rain storm forecast wind number {i}", "labels": [label]})
    return rows


SPELLINGS = [
    ("weather", "Weather", "they differ only in case"),
    ("WEATHER", "Weather", "they differ only in case"),
    ("weather", "ｗｅａｔｈｅｒ", "full-width and ordinary letters"),
    (NFC, NFD, "the same letters in two Unicode forms, composed and decomposed"),
    ("bad weather", "bad  weather", "they differ only in case, full-width letters, Unicode form, white space"),
    ("bad_weather", "bad weather", "they differ only in case, full-width letters, Unicode form, white space"),
]


@pytest.mark.parametrize("first, second, how", SPELLINGS)
def test_train_refuses_one_label_in_two_spellings_naming_both(tmp_path, run, first, second, how):
    seeds = _write(tmp_path / "s.jsonl", _rows(first, second))
    out = tmp_path / "m"
    result = run("train", seeds, "-o", out, "--budget", "0", "--cv", "0", "--jobs", "1")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"Error: {seeds}:4: label {second!r} and label {first!r} ({seeds}:2) are one name written two ways ({how}"
    )
    assert result.stderr.count("\n") == 1 and not out.exists()
    # with the themes given, the other spelling had been taken off the seeds as a theme not listed
    given = run("train", seeds, "-o", out, "--budget", "0", "--cv", "0", "--themes", f"sports,{first}")
    assert given.exit_code == 2 and "are one name written two ways" in given.stderr and not out.exists()


def test_train_themes_listing_one_name_twice_in_two_spellings_is_refused(tmp_path, run):
    seeds = _write(tmp_path / "s.jsonl", _rows("weather", "weather"))
    result = run("train", seeds, "-o", tmp_path / "m", "--cv", "0", "--themes", "weather,sports,Weather")
    assert result.exit_code == 2
    assert "themes 'Weather' and 'weather' are one name written two ways (they differ only in case)" in result.stderr


@pytest.mark.parametrize("first, second, how", SPELLINGS)
def test_seeds_validate_lists_every_seed_of_the_rarer_spelling(tmp_path, run, first, second, how):
    rows = _rows(first, second) + [{"id": "x", "text": "sunny heat cloud", "labels": [first]}]
    seeds = _write(tmp_path / "s.jsonl", rows)
    result = run("seeds", "validate", seeds)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if ": label: " in line]
    assert [line.split(":")[1] for line in lines] == ["4", "8", "12"]
    assert lines[0].startswith(
        f"{seeds}:4: label: label {second!r} (3 seeds) and {first!r} (4 seeds) are one name written two ways ({how}"
    )
    assert lines[0].endswith("): train refuses them; write one spelling for both")


def test_seeds_add_refuses_a_label_the_directory_spells_otherwise(tmp_path, run):
    directory = tmp_path / "seeds"
    directory.mkdir()
    _write(directory / "batch_01_first.jsonl", _rows("weather", "weather"))
    new = _write(tmp_path / "new.jsonl", [{"id": "n1", "text": "snow and flood tonight", "labels": ["Weather"]}])
    result = run("seeds", "add", new, "--to", directory)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {new}:1: label 'Weather' and 'weather' of the seeds in {directory} are one name written two ways "
        "(they differ only in case); nothing was added: write it as 'weather'\n"
    )
    assert sorted(p.name for p in directory.iterdir() if not p.name.startswith(".")) == ["batch_01_first.jsonl"]
    same = _write(tmp_path / "same.jsonl", [{"id": "n1", "text": "snow and flood tonight", "labels": ["weather"]}])
    assert run("seeds", "add", same, "--to", directory).exit_code == 0


def test_themes_add_refuses_a_name_the_model_has_in_another_spelling(tmp_path, run, small_model_dir):
    examples = _write(tmp_path / "ex.jsonl", [{"text": f"电竞比赛第{i}场"} for i in range(6)])
    for name in ("Policy", "ｐｏｌｉｃｙ", "Regional Hub"):
        result = run("themes", "add", name, "--examples", examples, "--model", small_model_dir, "-o", tmp_path / "o")
        assert result.exit_code == 2 and "is that name written another way" in result.stderr, result.output
        assert not (tmp_path / "o").exists()
    from trendscore.modeling.modelcheck import new_theme_problem

    assert new_theme_problem("policy", ["policy"]) == "the model already has a theme 'policy'; choose another name"
    assert new_theme_problem("esports", ["policy"]) is None


def test_provisional_add_theme_refuses_another_spelling_of_a_theme(small_model_dir):
    from trendscore.modeling.model import load_model
    from trendscore.modeling.provisional import add_theme

    with pytest.raises(InputError, match="'POLICY' is that name written another way"):
        add_theme(load_model(small_model_dir), "POLICY", ["x"] * 5, [])


def test_score_notes_labels_that_are_one_name_in_two_spellings(tmp_path, run):
    rows = [
        {"text": f"passage {i}", "date": f"2025-01-{1 + i % 28:02d}", "labels": [["sports"], ["Sports"], []][i % 3]}
        for i in range(90)
    ]
    labelled = _write(tmp_path / "l.jsonl", rows)
    result = run("score", labelled, "--format", "json")
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert (
        "themes 'Sports' and 'sports' are one name written two ways (they differ only in case) and are counted as "
        "two themes; write one spelling in the labels (or train the model with it)"
    ) in notes
    plain = _write(tmp_path / "p.jsonl", [{**r, "labels": ["sports"] if r["labels"] else []} for r in rows])
    assert not any("written two ways" in n for n in json.loads(run("score", plain, "--format", "json").stdout)["notes"])


def test_theme_spelling_keys():
    from trendscore.modeling.modelcheck import alike_spellings, theme_spelling

    assert theme_spelling(NFD) == theme_spelling(NFC)
    assert theme_spelling("Regional-Hub") == theme_spelling("regional_hub")
    assert theme_spelling("regional_hub") == theme_spelling("ＲＥＧＩＯＮＡＬ　ＨＵＢ")
    assert theme_spelling("政策") != theme_spelling("政府")
    assert alike_spellings(["a", "b", "A", "B", "a"]) == {"A": "a", "B": "b"}


def test_evaluate_says_which_unknown_label_is_a_theme_of_the_model_spelt_otherwise(tmp_path, run, small_model_dir):
    labelled = _write(tmp_path / "l.jsonl", [{"id": "a", "text": "广电总局发布通知", "labels": ["Policy"]}])
    result = run("evaluate", labelled, "--model", small_model_dir)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {labelled}:1: labels ['Policy'] are not themes of the model (")
    assert result.stderr.endswith("); 'Policy' is the model's 'policy' written another way\n")


def test_a_registry_is_left_unmade_by_labels_in_two_spellings_with_themes_given(tmp_path, run):
    """With --themes, the registry had made its holdout file and versions folder before the
    seeds' labels were checked, the other spelling then taken off as a theme not listed."""
    seeds = _write(tmp_path / "s.jsonl", _rows("weather", "Weather"))
    registry = tmp_path / "reg"
    for themes in ([], ["--themes", "sports,weather"]):
        result = run("train", seeds, "--registry", registry, "--budget", "0", "--cv", "0", *themes)
        assert result.exit_code == 2 and "are one name written two ways" in result.stderr, result.output
        assert not registry.exists()
