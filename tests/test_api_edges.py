"""The Python API's rough edges a notebook user meets (n_jobs=-1, a DataFrame's index in errors,
pandas Periods as dates, a record's own ``scores``), each settled the way scikit-learn or the
command line would have it."""

from __future__ import annotations

import numpy as np
import pytest

import trendscore
from trendscore import TextThemeClassifier

T1 = "海淀区发布微短剧扶持政策"
TRAIN = ["海淀区发布微短剧扶持政策", "短剧出海东南亚", "北京出台短剧管理办法", "短剧平台进军海外市场"] * 3
Y = np.array([[1, 0], [0, 1], [1, 0], [0, 1]] * 3)


def _small(**settings):
    return TextThemeClassifier(**{"min_df": 1, "cv": 2, "lists": "", **settings})


@pytest.mark.parametrize(("n_jobs", "processes"), [(-1, 2), (-2, 2), (-4, None), (2, 2), (None, None), (1, None)])
def test_n_jobs_is_read_as_scikit_learn_reads_it(monkeypatch, n_jobs, processes):
    from trendscore.modeling import classifier

    monkeypatch.setattr(classifier, "usable_cores", lambda: 4)
    monkeypatch.setattr("trendscore.run.forking.usable_cores", lambda: 4)
    seen = []

    def in_processes(est, X, Y, strata, groups, jobs):  # fits in this process, noting how many were asked for
        seen.append(jobs)
        return [est._column_svm(X, Y[:, j], strata, groups) for j in range(Y.shape[1])]

    monkeypatch.setattr(classifier, "_svms_in_processes", in_processes)
    _small(n_jobs=n_jobs).fit(TRAIN, Y)
    # -1 had fitted the themes one after another in this process, as 1 does
    assert seen == ([] if processes is None else [processes])


@pytest.mark.parametrize(
    ("n_jobs", "message"),
    [(0, "n_jobs must not be 0"), ("2", "n_jobs must be a whole number or None, got '2'"), (1.5, "n_jobs must be")],
)
def test_n_jobs_that_means_nothing_is_refused(n_jobs, message):
    with pytest.raises(trendscore.InputError, match=f"^{message}"):
        _small(n_jobs=n_jobs).fit(TRAIN, Y)


pd = pytest.importorskip("pandas")


@pytest.mark.parametrize(
    ("column", "cells", "message"),
    [
        ("labels", [["policy"], ["policy", "policy"], ["culture"]], "duplicate labels"),
        ("text", ["海淀区发布微短剧扶持政策", None, "短剧出海东南亚"], "expected a string 'text' field, got null"),
    ],
)
def test_score_names_a_frames_row_by_its_index_value(column, cells, message):
    frame = pd.DataFrame({"text": [T1] * 3, "date": ["2026-01-05"] * 3}, index=["r1", "r7", "r3"])
    frame[column] = cells
    # the error had named the row as <DataFrame>:2 alone, which frame.loc cannot find
    with pytest.raises(trendscore.InputError, match=rf"^<DataFrame>:2: {message}.* \(index 'r7'\)$"):
        trendscore.score(frame)
    with pytest.raises(trendscore.InputError, match=r"\(index 20\)$"):  # a number, as Python writes it
        trendscore.score(frame.set_axis(pd.Index([10, 20, 30], dtype="int64")))


def _dated(dates):
    texts = ["海淀区发布微短剧扶持政策", "短剧出海东南亚"] * 20
    return pd.DataFrame({"text": texts[: len(dates)], "labels": [["policy"]] * len(dates), "date": dates})


@pytest.mark.parametrize(
    ("freq", "kind"), [("day", "D"), ("week", "D"), ("month", "D"), ("week", "W"), ("month", "M"), ("day", "h")]
)
def test_score_counts_a_pandas_period_on_its_first_day_when_it_fits_the_freq(freq, kind):
    days = pd.date_range("2026-01-05", periods=30, freq="D")
    periods = pd.Series(days).dt.to_period(kind)
    want = trendscore.score(_dated(periods.dt.start_time.dt.date.tolist()), freq=freq).to_json()
    for dates in (periods, periods.astype(object)):  # a period column, and its cells as objects
        got = trendscore.score(_dated(dates), freq=freq)
        assert got.records["dated"] == 30  # every one had been counted undated
        assert got.to_json() == want
    as_records = trendscore.score(_dated(periods).to_dict("records"), freq=freq)
    assert as_records.to_json() == want


@pytest.mark.parametrize(
    ("freq", "period", "way"),
    [
        ("week", pd.Period("2026-01", "M"), "score with freq='month', or give each record its day"),
        ("day", pd.Period("2026-01-05", "W"), "score with freq='week', or give each record its day"),
        ("month", pd.Period("2026Q1", "Q"), "give each record its day"),
    ],
)
def test_score_refuses_a_pandas_period_longer_than_the_freq(freq, period, way):
    frame = _dated([pd.Period("2026-01-05", "D"), period])
    start, end = period.start_time.date(), period.end_time.date()
    # its passages had been counted undated; as its first day, a month scored by week would rise on the 1st
    with pytest.raises(trendscore.InputError) as caught:
        trendscore.score(frame, freq=freq)
    assert str(caught.value) == (
        f"<DataFrame>:2: the date is a pandas Period from {start} to {end}, longer than the {freq} scored: "
        f"its passages would all be counted on its first day; {way} (index 1)"
    )


def test_train_refuses_an_n_jobs_that_means_nothing_before_any_work(tmp_path):
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text('{"id": "1", "text": "海淀区发布微短剧扶持政策", "labels": ["policy"]}\n', "utf-8")
    # had been refused only once the seeds were read and a fit began (here: too few seeds first)
    with pytest.raises(trendscore.InputError, match="^n_jobs must not be 0"):
        trendscore.train(seeds, tmp_path / "m", n_jobs=0)
    assert not (tmp_path / "m").exists()


NAMES = [["policy"], ["overseas"], ["policy", "regional_hub"], ["overseas"]] * 3


@pytest.mark.parametrize(
    ("y", "row"),
    [
        (NAMES, "['policy']"),  # had failed inside numpy: "setting an array element with a sequence ..."
        ([["policy", "x"], ["overseas", "y"]] * 6, "['policy', 'x']"),  # had been "Unknown label type ..."
        ([[n[0]] for n in NAMES], "['policy']"),  # one name each: had fitted a single-label model in silence
        ([tuple(n) for n in NAMES], "['policy']"),
        ([set(n) for n in NAMES], "['policy']"),
        (pd.Series(NAMES), "['policy']"),  # a column of label's output
        (np.array(NAMES, dtype=object), "['policy']"),
    ],
)
def test_estimator_refuses_lists_of_theme_names_with_the_way_to_binarize_them(y, row):
    message = (
        f"y holds lists of theme names (row 1, counted from 1: {row}); give a 0/1 matrix, one column per theme: "
        "y = MultiLabelBinarizer(classes=themes).fit_transform(y) (sklearn.preprocessing), and themes to "
        "Model.from_estimator; or, for one theme a text, a flat list of names"
    )
    with pytest.raises(trendscore.InputError) as caught:
        _small().fit(TRAIN, y)
    assert str(caught.value) == message


def test_estimator_refuses_rows_of_y_of_different_lengths():
    # had failed inside numpy: "setting an array element with a sequence ... inhomogeneous shape"
    with pytest.raises(trendscore.InputError, match=r"^the rows of y are of different lengths \(1 and 2\); give a 0/1"):
        _small().fit(TRAIN, [[1, 0], [0, 1], [1], [0, 1]] * 3)


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_estimator_names_a_text_without_a_class(missing):
    classes = ["policy", "overseas", missing, "overseas"] * 3
    # None had failed inside numpy: "'<' not supported between instances of 'NoneType' and 'str'"
    with pytest.raises(trendscore.InputError, match=rf"^y has no class for row 3 \(counted from 1\): got {missing}; "):
        _small().fit(TRAIN, classes)


def test_estimator_fits_a_sparse_indicator_matrix_as_the_dense_one():
    from scipy.sparse import csr_matrix

    dense = _small().fit(TRAIN, Y)
    # had been "TypeError: int() argument must be ... not 'csr_matrix'"
    sparse = _small().fit(TRAIN, csr_matrix(Y))
    assert np.array_equal(sparse.classes_, dense.classes_)
    assert np.allclose(sparse.predict_proba(TRAIN), dense.predict_proba(TRAIN))


@pytest.mark.parametrize("y", [Y, ["policy", "overseas", "policy", "overseas"] * 3, ["a", "b", "c", "a"] * 3])
def test_estimator_gives_no_rows_for_no_texts_as_the_model_does(y):
    est = _small().fit(TRAIN, y)
    # had been "ValueError: Found array with 0 sample(s) (shape=(0, 40)) while a minimum of 1 is required"
    proba, predicted = est.predict_proba([]), est.predict(np.array([], dtype=str))
    assert proba.shape == (0, est.predict_proba(TRAIN[:1]).shape[1])
    one = est.predict(TRAIN[:1])
    assert (predicted.shape, predicted.dtype) == ((0, *one.shape[1:]), one.dtype)
    model = trendscore.Model.from_estimator(est, themes=["policy", "overseas"] if y is Y else None)
    assert model.predict_proba([]).shape == proba.shape


def test_estimator_says_when_no_term_is_in_min_df_texts():
    # had been scikit-learn's "Found array with 0 feature(s) (shape=(12, 0)) while a minimum of 1 is
    # required by ThemeClassifier", naming neither min_df nor the texts
    with pytest.raises(trendscore.SeedError) as caught:
        _small(min_df=100).fit(TRAIN, Y)
    assert str(caught.value) == (
        "no word or character n-gram occurs in at least 100 of the 12 texts; give more texts, or a lower min_df"
    )


def test_estimator_refuses_one_class_for_a_single_label_fit():
    from trendscore.errors import OneLabel

    # had fitted an estimator giving every text that class (probabilities 0.73 and 0.27 in two
    # columns for one class), and a Model of it; train refuses such seeds as OneLabel too
    with pytest.raises(OneLabel, match=r"^y has the one class 'policy': a single-label fit needs two classes or more$"):
        _small().fit(TRAIN, ["policy"] * len(TRAIN))
