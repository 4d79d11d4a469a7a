"""Cross-validation and calibration never judge a passage by a model that trained on another
passage of the same report (same ``doc_id``, else ``url``).

Seeds cut from real reports share their report's names and words: a fold that trains on
three passages of a report and tests on the fourth scores a copy, not a new report, so the
figures said more than the model knows and the calibration folds made it over-confident."""

from __future__ import annotations

import numpy as np
import pytest

from trendscore.modeling import classifier, training
from trendscore.modeling.training import cross_validate
from trendscore.seeds.files import Seed

_NAMES = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def _report_word(r: int) -> str:
    """A word only report ``r`` uses (two characters of a 22-character alphabet)."""
    return _NAMES[r % 22] + _NAMES[(r // 22) % 22] + "公司"


def _reports_without_signal(reports: int = 45, passages: int = 4, path: str = "f.jsonl") -> list[Seed]:
    """``reports`` reports of ``passages`` passages each, labelled a/b/c by report at random:
    the only words that tell labels apart are each report's own name, which no other report
    uses; everything else is the same filler. A model can only memorise reports here."""
    rng = np.random.default_rng(7)
    labels = rng.choice(["a", "b", "c"], size=reports)
    seeds = []
    for r in range(reports):
        for p in range(passages):
            text = f"{_report_word(r)}今日发布消息称，短剧行业继续发展，第{p}段，观众关注内容与平台。"
            seeds.append(
                Seed(f"r{r}p{p}", text, (str(labels[r]),), None, None, None, path, len(seeds) + 1, (), f"https://n.example/{r}")
            )
    return seeds


def test_figures_of_memorised_reports_are_at_chance_not_high():
    """Before: plain KFold put three passages of a report in training and the fourth in test,
    and the report's own name gave its label away: macro-F1 ~0.8 on labels that carry no
    signal. Grouped by report, the figure is what such labels allow: near chance (1/3)."""
    scores = cross_validate(_reports_without_signal(), folds=3, min_df=1)
    assert scores["grouped_by_report"] is True
    assert scores["macro_f1"] < 0.55


def test_no_fold_tests_a_passage_of_a_report_it_trained_on(monkeypatch):
    seeds = _reports_without_signal(30, 3)
    fitted: list[set] = []
    real_fit = training.fit_model

    def spying_fit(train, **kw):
        fitted.append({s.url for s in train})
        return real_fit(train, **kw)

    monkeypatch.setattr(training, "fit_model", spying_fit)
    result = cross_validate(seeds, folds=3, min_df=1)
    assert len(fitted) == result["folds"] == 3
    tested = [set(s.url for s in seeds) - urls for urls in fitted]
    for urls, rest in zip(fitted, tested):
        assert urls and rest and not urls & rest
    assert set().union(*tested) == {s.url for s in seeds}  # every report tested once


def test_leave_one_file_out_leaves_a_report_in_another_file_out_of_training(monkeypatch):
    """A report whose passages sit in two files: testing on one file, its passages in the
    other file are not trained on (the file is the unit tested, the report the unit held out)."""
    seeds = _reports_without_signal(30, 3)
    files = [f"batch{i % 3}.jsonl" for i in range(len(seeds))]  # each report's passages in three files
    fitted: list[list] = []
    real_fit = training.fit_model

    def spying_fit(train, **kw):
        fitted.append(train)
        return real_fit(train, **kw)

    monkeypatch.setattr(training, "fit_model", spying_fit)
    with pytest.raises(Exception, match="no fold has seeds to train on"):
        cross_validate(seeds, groups=files, min_df=1)  # every report is in every file
    assert fitted == []

    fitted.clear()
    files = [f"batch{(i // 3) % 3}.jsonl" for i in range(len(seeds))]  # whole reports per file
    files[0] = "batch1.jsonl"  # but one passage of report 0 (batch0) moved to batch1
    cross_validate(seeds, groups=files, min_df=1)
    assert len(fitted) == 3
    for train in fitted:
        in_train = {s.url for s in train}
        tested = {s.url for s, f in zip(seeds, files) if s not in train} - in_train
        assert tested and not in_train & tested
    report0 = seeds[0].url
    assert sum(report0 in {s.url for s in train} for train in fitted) == 1  # only the fold testing batch2


def test_calibration_folds_keep_a_report_on_one_side(monkeypatch):
    seeds = _reports_without_signal(30, 3)
    splits_seen: list[tuple] = []
    real = classifier.ThemeClassifier._folds_of

    def spying(self, strata, folds, groups=None):
        out = real(self, strata, folds, groups)
        splits_seen.append((groups, out))
        return out

    monkeypatch.setattr(classifier.ThemeClassifier, "_folds_of", spying)
    training.fit_model(seeds, min_df=1)
    calls = [(g, s) for g, s in splits_seen if s]
    assert calls
    for groups, splits in calls:
        assert groups is not None
        for train, test in splits:
            assert not set(groups[train]) & set(groups[test])


def test_seeds_that_share_no_report_fit_as_before():
    """No two seeds share a report: the calibration folds are the plain stratified ones, so a
    model of such seeds is the same with or without report keys."""
    seeds = _reports_without_signal(40, 1)
    bare = [Seed(s.id, s.text, s.labels, None, None, None, s.path, s.line) for s in seeds]
    a = training.fit_model(seeds, min_df=1)
    b = training.fit_model(bare, min_df=1)
    texts = [s.text for s in seeds]
    assert np.array_equal(a.predict_proba(texts), b.predict_proba(texts))


def test_estimator_takes_groups_and_checks_their_number():
    from trendscore import TextThemeClassifier

    seeds = _reports_without_signal(20, 3)
    texts, y = [s.text for s in seeds], [s.labels[0] for s in seeds]
    est = TextThemeClassifier(min_df=1).fit(texts, y, groups=[s.url for s in seeds])
    assert list(est.classes_) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="groups has 3 entries for 60 rows"):
        TextThemeClassifier(min_df=1).fit(texts, y, groups=["x", "y", "z"])


def test_a_file_holding_a_passage_of_every_report_is_a_skipped_fold_said_so():
    """Testing on a file that holds one passage of every report leaves nothing to train on:
    that fold is skipped (not fitted on nothing, not an error), and the card's note says why."""
    from trendscore.modeling.cardnotes import skipped_folds

    seeds = _reports_without_signal(30, 3)
    files = []
    for i in range(len(seeds)):
        report, passage = divmod(i, 3)
        files.append("batch2.jsonl" if passage == 2 else f"batch{report // 15}.jsonl")
    scores = cross_validate(seeds, groups=files, min_df=1)
    assert scores["skipped_folds"] == {"count": 1, "seeds": 30, "labels": {}, "no_training": {"count": 1, "seeds": 30}}
    assert int(scores["oof_scored"].sum()) == 60
    (note,) = skipped_folds({"leave_one_file_out": training._figures(scores)})
    assert note == (
        "leave-one-file-out skipped 1 of its 3 folds: every report of the file tested had passages "
        "in the other files, leaving nothing to train on; its figures leave out that fold's 30 seeds"
    )


def _one_report(seeds: list[Seed]) -> list[Seed]:
    """``seeds`` all made passages of one report (one url)."""
    return [Seed(s.id, s.text, s.labels, None, None, None, s.path, s.line, (), "https://n.example/all") for s in seeds]


def test_seeds_of_one_report_are_refused_in_one_line_not_a_traceback():
    """Before: StratifiedGroupKFold(1) raised scikit-learn's ValueError ('requires at least one
    train/test split'), so train and seeds issues died with a traceback on seeds cut from one
    report. Now a SeedError names the report; the model itself still fits."""
    from trendscore.errors import SeedError
    from trendscore.seeds.suggest import label_issues

    seeds = _one_report(_reports_without_signal(10, 4))
    with pytest.raises(SeedError, match=r"all passages of one report \(https://n.example/all\)"):
        cross_validate(seeds, folds=5, min_df=1)
    with pytest.raises(SeedError, match="need passages of two reports or more"):
        label_issues(seeds, folds=3)
    assert training.fit_model(seeds, min_df=1).themes == ["a", "b", "c"]


def test_the_search_of_settings_is_skipped_for_seeds_of_one_report():
    """Before: the search's folds raised the same ValueError even with --cv 0; now it is
    skipped with a reason, as it is for too few seeds, and today's defaults are kept."""
    seeds = _one_report(_reports_without_signal(10, 4))
    params, record = training.choose_params(seeds, {"min_df": 1}, budget=5.0)
    assert params == {"min_df": 1}
    assert record == {"skipped": "40 seeds, all of one report: today's defaults", "budget_s": 5.0}


def test_classes_all_smaller_than_the_folds_split_by_report_without_stratifying():
    """Single-label seeds whose every label has fewer seeds than folds, reports shared: before,
    StratifiedGroupKFold refused them ('n_splits=5 cannot be greater than the number of members
    in each class', a traceback from train --cv 5); now the report folds are unstratified."""
    seeds = [  # 12 seeds in 6 reports, two reports a label: 4 seeds each
        Seed(s.id, s.text, ("abc"[i // 4],), None, None, None, s.path, s.line, (), s.url)
        for i, s in enumerate(_reports_without_signal(6, 2))
    ]
    assert max(sum(s.labels == (t,) for s in seeds) for t in "abc") < 5
    scores = cross_validate(seeds, folds=5, min_df=1)
    assert scores["folds"] == 5 and scores["grouped_by_report"] is True
    assert int(scores["oof_scored"].sum()) == len(seeds)


def test_a_learning_curve_point_whose_subset_is_one_report_is_skipped_not_fatal():
    """A report of 58 passages and one of 2: the quarter subset (15 passages) comes from the
    big report alone. Before, that point's folds raised (scikit-learn's ValueError, then a
    SeedError) and train --curve died after fitting; now the point has no figure and says why."""
    base = _reports_without_signal(60, 1)
    seeds = [
        Seed(s.id, s.text, ("ab"[i % 2],), None, None, None, s.path, s.line, (), f"https://n.example/{int(i >= 58)}")
        for i, s in enumerate(base)
    ]
    rows = training.learning_curve(seeds, shares=(0.25, 1.0), folds=2, min_df=1)
    quarter = [seeds[i] for i in sorted(np.random.default_rng(0).permutation(60)[:15])]
    assert {s.url for s in quarter} == {"https://n.example/0"}  # the case this test is about
    assert rows[0]["macro_f1"] is None and "all passages of one report" in rows[0]["skipped"]
    assert rows[1]["macro_f1"] is not None


def test_folds_skipped_for_two_reasons_are_told_apart():
    """Leave-one-file-out where testing file x leaves nothing to train on (every other passage
    shares a report with it) and testing file y leaves label a only. Before, the card's note put
    both folds under the one-label reason ('skipped 2 of its 3 folds: every seed of b (8)...',
    14 seeds); now each reason has its own sentence, count and seeds."""
    from trendscore.modeling.cardnotes import skipped_folds

    seeds, files = [], []

    def passage(report: int, label: str, part: int, file: str) -> None:
        text = f"{_report_word(report)}今日发布消息称，短剧行业继续发展，第{part}段，{label}类观众关注内容。"
        url = f"u{report}"
        seeds.append(Seed(f"r{report}p{part}", text, (label,), None, None, None, file, len(seeds) + 1, (), url))
        files.append(file)

    for r in range(4):  # a-reports: one passage in x, one in z
        passage(r, "a", 0, "x.jsonl")
        passage(r, "a", 1, "z.jsonl")
    for r in range(4, 8):  # b-reports: one passage in x, one in y
        passage(r, "b", 0, "x.jsonl")
        passage(r, "b", 1, "y.jsonl")
    passage(8, "a", 0, "x.jsonl")  # an a-report in x and y, so that testing z trains on both labels
    passage(8, "a", 1, "y.jsonl")
    scores = cross_validate(seeds, groups=files, min_df=1)
    assert scores["skipped_folds"] == {
        "count": 2, "seeds": 14, "labels": {"b": 8}, "no_training": {"count": 1, "seeds": 9}
    }
    assert skipped_folds({"leave_one_file_out": training._figures(scores)}) == [
        "leave-one-file-out skipped 1 of its 3 folds: every report of the file tested had passages in the other "
        "files, leaving nothing to train on; its figures leave out that fold's 9 seeds",
        "leave-one-file-out skipped 1 of its 3 folds: every seed of b (8) fell on a fold's test side, leaving one "
        "label to train on; its figures leave out that fold's 5 seeds",
    ]


def test_the_searchs_multilabel_candidates_calibrate_by_report_as_a_trained_model_does(monkeypatch):
    """The settings search scores a multi-label candidate with the full calibrated classifier
    fitted on each fold's training part. Before, that classifier's calibration folds were plain
    (no groups), so the candidate scored was not the model train makes of those settings; now
    they keep a report on one side, as fit_model's do."""
    from trendscore.modeling import selection

    seeds = [
        Seed(s.id, s.text, (*s.labels, "d") if i % 5 == 0 else s.labels, None, None, None, s.path, s.line, (), s.url)
        for i, s in enumerate(_reports_without_signal(30, 3))
    ]
    seen: list = []
    real = classifier.ThemeClassifier._folds_of

    def spying(self, strata, folds, groups=None):
        seen.append(groups)
        return real(self, strata, folds, groups)

    monkeypatch.setattr(classifier.ThemeClassifier, "_folds_of", spying)
    _, record = selection.search(seeds, {}, training.defaults() | {"min_df": 1}, budget=0.0)
    assert record["grouped_by_report"] is True
    assert seen and all(g is not None for g in seen)


def test_train_refuses_seeds_of_one_report_before_fitting(monkeypatch, tmp_path):
    """The refusal comes before the work: train had fitted the whole model first and failed
    only at the card's cross-validation. With no figures asked (cv=0) it trains."""
    from trendscore.errors import OneReport

    seeds = _one_report(_reports_without_signal(10, 4))
    fits: list[int] = []
    real_fit = training.fit_model

    def counting_fit(train, **kw):
        fits.append(len(train))
        return real_fit(train, **kw)

    monkeypatch.setattr(training, "fit_model", counting_fit)
    with pytest.raises(OneReport, match="all passages of one report"):
        training.train_seeds(seeds, tmp_path / "m", cv=5, min_df=1)
    assert fits == [] and not (tmp_path / "m").exists()
    training.train_seeds(seeds, tmp_path / "m", cv=0, min_df=1)
    assert fits == [40] and (tmp_path / "m" / "card.json").exists()
