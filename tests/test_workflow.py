"""A model workflow without surprises (issue 17): rollback walks back, a missing registry is
an error, bundled names are not shadowed silently, evaluate says when figures say little,
and the Model and estimator speak scikit-learn."""

import json
import os
import shutil

import pytest
from click.testing import CliRunner
from conftest import SEEDS

import trendscore
from trendscore.cli import main
from trendscore.modeling.evaluation import evaluate
from trendscore.modeling.model import bundled_model_path
from trendscore.modeling.registry import Registry


def _copy_versions(tmp_path, n=3):
    """A registry of n copies of the bundled default model, promoted one after the other."""
    reg = Registry(tmp_path / "reg")
    (reg.path / "versions").mkdir(parents=True)
    for i in range(1, n + 1):
        shutil.copytree(bundled_model_path("default"), reg.path / "versions" / f"v{i:04d}")
        reg.promote(f"v{i:04d}")
    return reg


def test_rollback_walks_back_through_the_champions_and_never_toggles(tmp_path):
    reg = _copy_versions(tmp_path)
    assert reg.history() == ["v0001", "v0002", "v0003"]
    assert reg.rollback() == "v0002"
    assert reg.rollback() == "v0001"
    assert reg.champion() == "v0001"
    with pytest.raises(trendscore.ModelError, match="no earlier champion"):
        reg.rollback()
    reg.promote("v0003")
    assert reg.history() == ["v0001", "v0003"] and reg.rollback() == "v0001"


def test_rollback_refuses_a_champion_before_that_does_not_load(tmp_path):
    """Found by a year of use: promote refused a damaged version, but rollback made it the
    champion without a word, and every label --model REGISTRY failed after it."""
    reg = _copy_versions(tmp_path)
    with open(reg.path / "versions" / "v0002" / "vocab.json", "a", encoding="utf-8") as f:
        f.write(" ")
    result = CliRunner().invoke(main, ["models", "rollback", "--registry", str(reg.path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {reg.path / 'versions' / 'v0002' / 'vocab.json'}: SHA-256 does not match the manifest; the file "
        "was changed after saving; cannot roll back to v0002: the champion stays v0003 (promote a version that "
        "loads instead)\n"
    )
    assert reg.champion() == "v0003" and reg.history() == ["v0001", "v0002", "v0003"]
    shutil.rmtree(reg.path / "versions" / "v0002")
    with pytest.raises(
        trendscore.ModelError,
        match="cannot roll back to v0002: it is not among the registry's "
        r"versions; the champion stays v0003 \(promote a version that loads instead\)$",
    ):
        reg.rollback()
    assert reg.champion() == "v0003" and reg.history() == ["v0001", "v0002", "v0003"]


def test_promoting_the_champion_again_leaves_the_history_as_it_was(tmp_path):
    """Found by a year of use: `models promote` of the version that was the champion already
    put it on the history a second time, so `models history` listed a promotion that never
    happened."""
    reg = _copy_versions(tmp_path, n=2)
    result = CliRunner().invoke(main, ["models", "promote", "v0002", "--registry", str(reg.path)])
    assert result.exit_code == 0 and result.stderr == "v0002 is already the champion\n"
    assert reg.history() == ["v0001", "v0002"] and reg.champion() == "v0002"
    assert reg.rollback() == "v0001"
    assert reg.promote("v0002") is True and reg.history() == ["v0001", "v0002"]


def test_history_and_rollback_commands(tmp_path):
    reg = _copy_versions(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["models", "rollback", "--registry", str(reg.path)]).exit_code == 0
    out = runner.invoke(main, ["models", "history", "--registry", str(reg.path)]).output
    assert out.split() == ["1", "v0001", "2", "v0002", "(champion)"]


@pytest.mark.parametrize("command", [["list"], ["history"], ["rollback"], ["promote", "v0001"]])
def test_a_missing_registry_is_an_error_that_says_so(tmp_path, command):
    """A path that does not exist was called "not a model registry (no aliases.json)", as if
    the folder were there; a file, the same. Each now says what the path is."""
    runner = CliRunner()
    result = runner.invoke(main, ["models", *command, "--registry", str(tmp_path / "none")])
    assert result.exit_code == 2 and "none: no such directory (a model registry was expected)" in result.output
    (tmp_path / "file").write_text("x", "utf-8")
    result = runner.invoke(main, ["models", *command, "--registry", str(tmp_path / "file")])
    assert result.exit_code == 2 and "file: not a directory (a model registry was expected)" in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(main, ["models", *command, "--registry", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "empty: not a model registry (no aliases.json" in result.output


def test_models_list_shows_the_bundled_models_and_folders_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(bundled_model_path("default"), tmp_path / "mine")
    (tmp_path / "accurate").mkdir()
    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines() if not line.startswith("  ")]
    assert names == ["default", "accurate", "thorough", "mine"]
    assert "a folder 'accurate' here is not what the name 'accurate' loads" in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_models_list_does_not_open_a_fifo_in_place_of_a_model_card(tmp_path, monkeypatch):
    """Review finding: 716ac18 stopped loading from opening a FIFO in place of a model file,
    but models list read each folder's card.json for its macro-F1 and waited for ever for a
    FIFO's writer. The folder is listed without the figure (loading it names the FIFO)."""
    import threading

    monkeypatch.chdir(tmp_path)
    shutil.copytree(bundled_model_path("default"), tmp_path / "mine")
    card = tmp_path / "mine" / "card.json"
    card.unlink()
    os.mkfifo(card)
    results: list = []
    worker = threading.Thread(target=lambda: results.append(CliRunner().invoke(main, ["models", "list"])), daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # it opened the FIFO: let it go on
        os.close(os.open(card, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail("models list opened the FIFO card.json")
    assert results[0].exit_code == 0, results[0].output
    assert [line.split()[:5] for line in results[0].output.splitlines() if line.startswith("mine")] == [
        ["mine", "model", "cv", "macro-F1", "-"]
    ]


def test_models_list_keeps_its_columns_in_line_for_long_and_chinese_names(tmp_path, monkeypatch):
    import unicodedata

    monkeypatch.chdir(tmp_path)
    for name in ("a-model-folder-with-a-long-name", "短剧模型"):
        shutil.copytree(bundled_model_path("default"), tmp_path / name)
    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == [
        "default",
        "accurate",
        "thorough",
        "a-model-folder-with-a-long-name",
        "短剧模型",
    ]

    def column(line, word):  # terminal column where ``word`` starts (a Chinese character is two wide)
        before = line[: line.index(word)]
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in before)

    assert len({column(line, " bundled ") if "bundled" in line else column(line, " model ") for line in lines}) == 1
    assert len({column(line, " cv macro-F1 ") for line in lines}) == 1
    assert len({column(line, "/") for line in lines}) == 1


def test_a_folder_named_like_a_bundled_model_does_not_replace_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "default").mkdir()  # not even a model: loading it would fail
    result = CliRunner().invoke(main, ["label", "--model", "default"], input='{"text": "短剧出海"}\n')
    assert result.exit_code == 0, result.output
    assert "Note: --model default is the bundled model" in result.stderr
    assert json.loads(result.stdout)["labels"] == ["overseas"]
    result = CliRunner().invoke(main, ["label", "--model", "./default"], input='{"text": "短剧出海"}\n')
    assert result.exit_code == 2  # the folder, when asked for as a path


def test_evaluate_sets_aside_passages_the_model_was_trained_on(tmp_path):
    lines = (SEEDS / "batch_19_real_sweep2.jsonl").read_text("utf-8").splitlines()
    seen = [json.loads(line) for line in lines][:10]
    new = [
        {"text": "某市出台微短剧备案新规，要求平台加强内容审核。", "labels": ["policy"]},
        {"text": "一家公司发布AI生成短剧的新工具。", "labels": ["technology"]},
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in seen + new), "utf-8")
    scores = evaluate(trendscore.load_model(), [str(path)])
    assert scores["n"] == 2 and scores["trained_on"]["n"] == 10
    assert "10 of 12 passages were in the model's training seeds" in scores["warnings"][0]
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert "Warning: 10 of 12" in result.stderr


def test_evaluate_warns_on_the_models_own_output(tmp_path):
    out = tmp_path / "own.jsonl"
    texts = [f"第{i}部微短剧在海外平台上线，{i}国观众追看。" for i in range(25)]
    labelled = trendscore.label(texts)
    rows = [{"text": t, "labels": r["labels"]} for t, r in zip(texts, labelled)]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    scores = evaluate(trendscore.load_model(), [str(out)])
    assert scores["micro_f1"] == 1.0
    assert any("its own output" in w for w in scores["warnings"])


def test_evaluate_on_the_models_own_training_seeds_does_not_call_them_its_output(tmp_path):
    """A fitted model gives back the labels of its 25 training seeds: the trained-on warning only."""
    from trendscore.modeling.training import train

    mine = tmp_path / "mine.jsonl"
    mine.write_text("".join((SEEDS / "batch_06_headlines.jsonl").read_text("utf-8").splitlines(True)[:25]), "utf-8")
    train([mine], tmp_path / "model", cv=0)
    result = CliRunner().invoke(main, ["evaluate", str(mine), "--model", str(tmp_path / "model")])
    assert result.exit_code == 0
    assert "micro-F1 1.000" in result.stdout  # every label given back, as the warning had guessed from
    assert result.stderr == "Warning: all 25 passages were in the model's training seeds: these figures say little\n"


def test_model_predict_and_classes_and_the_exported_estimator():
    model = trendscore.load_model()
    assert model.classes_ == model.themes
    assert model.predict(["短剧出海", "海淀区发布微短剧扶持政策"]) == [["overseas"], ["policy", "regional_hub"]]
    est = trendscore.TextThemeClassifier(cv=2)
    assert est.get_params()["C"] == 0.5
    texts = ["短剧出海 海外 平台"] * 6 + ["政策 监管 备案"] * 6
    est.fit(texts, [[0, 1]] * 6 + [[1, 0]] * 6)
    assert est.predict(["短剧 海外 出海"]).tolist() == [[0, 1]]


def test_evaluate_macro_f1_leaves_out_themes_the_file_neither_holds_nor_gets(tmp_path):
    texts = ["某市出台微短剧备案新规，要求平台加强内容审核。", "广电总局发布通知，规范网络微短剧的备案管理。"]
    labelled = trendscore.label(texts)
    used = {t for r in labelled for t in r["labels"]}
    path = tmp_path / "few.jsonl"
    rows = [{"text": t, "labels": r["labels"]} for t, r in zip(texts, labelled)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    model = trendscore.load_model()
    left = [t for t in model.themes if t not in used]
    assert used and left  # some themes are in the file, some are not
    scores = evaluate(model, [str(path)])
    assert scores["macro_f1"] == 1.0 and scores["macro_f1_left_out"] == left
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code == 0
    assert "macro-F1 1.000" in result.stdout
    assert f"macro-F1 leaves out {', '.join(left)}: no passage is labelled or predicted with them" in result.stdout
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1 : 1 + len(model.themes)]}
    assert all(rows[t] == ["-", "-", "-", "0"] for t in left), rows  # no 0.000 for a figure that is undefined
    empty = tmp_path / "none.jsonl"
    empty.write_text(json.dumps({"text": "今天天气很好。", "labels": []}, ensure_ascii=False) + "\n", "utf-8")
    assert trendscore.label(["今天天气很好。"])[0]["labels"] == []  # no theme labelled or predicted
    assert evaluate(model, [str(empty)])["macro_f1"] is None
    result = CliRunner().invoke(main, ["evaluate", str(empty)])
    assert result.exit_code == 0 and "macro-F1 -" in result.stdout


def test_evaluate_micro_f1_is_undefined_without_any_label_or_prediction(tmp_path):
    """Found by a review: with no gold label and no prediction at all, micro-F1 printed 0.000
    (and 0.0 in JSON) where it is undefined; it is now - and null, as macro-F1 already was."""
    path = tmp_path / "none.jsonl"
    rows = [{"text": t, "labels": []} for t in ("今天天气很好。", "我们明天去公园散步吧。")]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    assert all(r["labels"] == [] for r in trendscore.label([r["text"] for r in rows]))
    scores = evaluate(trendscore.load_model(), [str(path)])
    assert scores["micro_f1"] is None and scores["macro_f1"] is None and scores["n"] == 2
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code == 0, result.output
    assert "micro-F1 -  macro-F1 -  n=2" in result.stdout
    result = CliRunner().invoke(main, ["evaluate", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["micro_f1"] is None and '"micro_f1": null' in result.stdout
    # defined as soon as one passage holds or gets a theme, even when that F1 is 0
    path.write_text(json.dumps({"text": "今天天气很好。", "labels": ["policy"]}, ensure_ascii=False) + "\n", "utf-8")
    assert evaluate(trendscore.load_model(), [str(path)])["micro_f1"] == 0.0


def test_models_list_gives_a_registry_its_champions_figure(tmp_path, monkeypatch):
    """Found playing a model maintainer: `models list` showed a registry folder with
    'cv macro-F1 -', though `--model` on it loads its champion, whose card has the figure.
    The row names the champion and shows its figure."""
    from trendscore.modeling.registry import Registry

    monkeypatch.chdir(tmp_path)
    versions = tmp_path / "reg" / "versions"
    versions.mkdir(parents=True)
    shutil.copytree(bundled_model_path("default"), versions / "v0001")
    Registry(tmp_path / "reg").promote("v0001")
    (tmp_path / "empty" / "versions").mkdir(parents=True)
    (tmp_path / "empty" / "aliases.json").write_text("{}", "utf-8")
    result = CliRunner().invoke(main, ["models", "list"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines() if not line.startswith("  ")}
    figure = next(line for line in result.output.splitlines() if line.startswith("default")).split()[4]
    assert figure != "-"
    assert rows["reg"].split()[1:7] == ["registry,", "champion", "v0001", "cv", "macro-F1", figure]
    assert rows["empty"].split()[1:5] == ["registry", "cv", "macro-F1", "-"]


def test_evaluate_takes_off_the_labels_a_model_of_given_themes_was_trained_without(tmp_path, run):
    """Found maintaining a model: a model trained with --themes (its seeds' other labels taken
    off) could not be evaluated on the held-out part of those very seeds (the registry's
    holdout.jsonl keeps every label): 'labels [...] are not themes of the model'. Their other
    labels are taken off as training took them off, and a warning names them."""
    from seedrows import two_class_rows, write_jsonl

    from trendscore.modeling.training import train

    rows = two_class_rows(12)
    seeds = write_jsonl(tmp_path / "seeds.jsonl", rows[:16])
    held = write_jsonl(tmp_path / "held.jsonl", rows[16:] + [dict(rows[16], labels=["sports", "Weird"], id="x")])
    model = train([seeds], tmp_path / "sports", cv=0, themes=["sports"])
    scores = evaluate(model, [str(held)])
    assert scores["n"] == 9 and scores["themes"]["sports"]["support"] == 5
    assert scores["warnings"] == [
        "the model was trained on the themes given (sports), its seeds' other labels taken off: so were these, "
        "from 5 passages: Weird (1), weather (4)"
    ]
    result = run("evaluate", held, "--model", tmp_path / "sports")
    assert result.exit_code == 0 and result.stdout.splitlines()[1].startswith("sports ")
    assert result.stderr.startswith("Warning: the model was trained on the themes given (sports)")
    # a label that is the model's theme written another way is still refused, as is any for other models
    alike = write_jsonl(tmp_path / "alike.jsonl", [{"text": "football goal", "labels": ["Sports"]}])
    with pytest.raises(trendscore.InputError, match="'Sports' is the model's 'sports' written another way"):
        evaluate(model, [str(alike)])
    train([seeds], tmp_path / "both", cv=0)
    with pytest.raises(trendscore.InputError, match=r"labels \['Weird'\] are not themes of the model"):
        evaluate(trendscore.load_model(tmp_path / "both"), [str(held)])


def test_seeds_issues_says_how_many_seeds_look_mislabelled_even_when_none_do(tmp_path, run):
    """Found maintaining a model: `seeds issues` on seeds with nothing to flag printed nothing at
    all, as if it had not run, and with more issues than -n it did not say some were left out."""
    from seedrows import two_class_rows, write_jsonl

    rows = two_class_rows(12)
    clean = run("seeds", "issues", write_jsonl(tmp_path / "clean.jsonl", rows))
    assert clean.exit_code == 0 and clean.stdout == ""
    assert clean.stderr == "0 seeds of 24 look mislabelled\n"
    swapped = [dict(r, labels=["weather" if r["labels"] == ["sports"] else "sports"]) for r in rows[:3]]
    noisy = write_jsonl(tmp_path / "noisy.jsonl", swapped + rows[3:])
    every = run("seeds", "issues", noisy)
    flagged = len(every.stdout.splitlines())
    assert every.exit_code == 0 and flagged >= 2, every.output
    assert every.stderr == f"{flagged} seeds of 24 look mislabelled\n"
    one = run("seeds", "issues", noisy, "-n", "1")
    assert one.stdout == every.stdout.splitlines(True)[0]
    assert one.stderr == f"{flagged} seeds of 24 look mislabelled (the 1 most suspicious shown)\n"
