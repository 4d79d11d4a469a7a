"""Complement naive Bayes scores beside the SVMs of single-label models (``nb_weight``)."""

import json

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.naive_bayes import ComplementNB

from trendscore import Model, load_model
from trendscore.modeling.classifier import TextThemeClassifier, ThemeClassifier
from trendscore.modeling.fitting import _settings
from trendscore.modeling.naivebayes import complement_nb, nb_scale
from trendscore.modeling.selection import candidates, search
from trendscore.modeling.training import train
from trendscore.seeds.files import Seed


def _data(n=120, k=3, d=30, seed=0):
    """Non-negative rows whose first columns lean towards their class."""
    rng = np.random.default_rng(seed)
    y = np.array([f"c{i % k}" for i in range(n)])
    X = rng.random((n, d)) * (rng.random((n, d)) < 0.3)
    for i in range(n):
        X[i, i % k] += 1.0
    return X, y


def test_complement_nb_matches_scikit_learn_up_to_the_centring():
    X, y = _data()
    classes = np.unique(y)
    W = complement_nb(X, (y[:, None] == classes[None, :]).astype(float), alpha=0.3)
    ref = ComplementNB(alpha=0.3).fit(X, y).feature_log_prob_
    np.testing.assert_allclose(W, ref - ref.mean(axis=0), atol=1e-10)
    np.testing.assert_allclose(W.sum(axis=0), 0.0, atol=1e-10)  # centred over the classes


def test_complement_nb_refuses_negative_features():
    X, y = _data()
    X[0, 5] = -0.1
    with pytest.raises(ValueError, match="never negative"):
        complement_nb(X, (y[:, None] == np.unique(y)[None, :]).astype(float))


def test_nb_scale_matches_spreads_and_survives_flat_scores():
    assert nb_scale(np.array([0.0, 2.0]), np.array([0.0, 0.5])) == pytest.approx(4.0)
    assert nb_scale(np.zeros(3), np.array([1.0, 2.0, 3.0])) == 1.0
    assert nb_scale(np.array([1.0, 2.0]), np.zeros(2)) == 1.0


@pytest.mark.parametrize("k", [2, 3])
def test_weight_adds_the_scaled_naive_bayes_weights_to_each_class(k):
    X, y = _data(k=k)
    plain = ThemeClassifier(cv=3).fit(X, y)
    mixed = ThemeClassifier(cv=3, nb_weight=0.5).fit(X, y)
    classes = plain.classes_
    W = complement_nb(X, (y[:, None] == classes[None, :]).astype(float))[-plain.coef_.shape[0] :]
    svm_scores = X @ plain.coef_.T + plain.intercept_
    scale = 0.5 * nb_scale(svm_scores, X @ W.T)
    np.testing.assert_allclose(mixed.coef_, plain.coef_ + scale * W, atol=1e-10)
    np.testing.assert_allclose(mixed.intercept_, plain.intercept_)
    assert not np.allclose(mixed.calibration_, plain.calibration_)  # calibrated on the mixed scores


def test_only_the_leading_columns_get_naive_bayes_weights():
    X, y = _data()
    extra = np.random.default_rng(1).normal(size=(len(y), 4))  # negative values, like an embedding block
    Xe = np.hstack([X, extra])
    plain = ThemeClassifier(cv=3).fit(Xe, y)
    mixed = ThemeClassifier(cv=3, nb_weight=1.0).fit(Xe, y, nb_columns=X.shape[1])
    np.testing.assert_array_equal(mixed.coef_[:, X.shape[1] :], plain.coef_[:, X.shape[1] :])
    assert not np.allclose(mixed.coef_[:, : X.shape[1]], plain.coef_[:, : X.shape[1]])
    with pytest.raises(ValueError, match="never negative"):
        ThemeClassifier(cv=3, nb_weight=1.0).fit(Xe, y)


def test_multilabel_fits_ignore_the_weight():
    X, y = _data()
    Y = np.column_stack([(y == "c0").astype(int), (y != "c2").astype(int)])
    plain = ThemeClassifier(cv=3).fit(X, Y)
    mixed = ThemeClassifier(cv=3, nb_weight=1.0).fit(X, Y)
    np.testing.assert_array_equal(mixed.coef_, plain.coef_)


@pytest.mark.parametrize("bad", [-0.5, float("nan"), float("inf"), "1"])
def test_a_bad_weight_is_refused(bad):
    X, y = _data()
    with pytest.raises(ValueError, match="nb_weight"):
        ThemeClassifier(cv=3, nb_weight=bad).fit(X, y)


def test_sparse_and_dense_give_the_same_model():
    X, y = _data()
    a = ThemeClassifier(cv=3, nb_weight=0.5).fit(X, y)
    b = ThemeClassifier(cv=3, nb_weight=0.5).fit(csr_matrix(X), y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-10)
    np.testing.assert_allclose(a.calibration_, b.calibration_, atol=1e-8)


_ROWS = [
    ("体育", "足球比赛今晚开赛,主队{}号球员进球"),
    ("财经", "股市今日大涨,沪指收涨{}点"),
    ("科技", "芯片新品发布,性能提升{}倍"),
]


def _seeds(n=60):
    return [
        Seed(str(i), _ROWS[i % 3][1].format(i), (_ROWS[i % 3][0],), None, None, None, "s.jsonl", i + 1)
        for i in range(n)
    ]


def test_saved_single_label_model_gives_the_estimators_probabilities(tmp_path):
    seeds = _seeds()
    texts = [s.text for s in seeds]
    est = TextThemeClassifier(cv=3, min_df=1, nb_weight=0.5).fit(texts, [s.labels[0] for s in seeds])
    model = Model.from_estimator(est)
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(texts[:9]), est.predict_proba(texts[:9]), atol=1e-9)


def test_card_records_the_weight_only_for_single_label_models(tmp_path, small_seed_files):
    path = tmp_path / "s.jsonl"
    path.write_text(
        "".join(json.dumps({"text": s.text, "labels": list(s.labels)}, ensure_ascii=False) + "\n" for s in _seeds()),
        "utf-8",
    )
    single = train([path], tmp_path / "one", cv=0, nb_weight=0.5)
    assert single.card["params"]["nb_weight"] == 0.5
    multi = train(small_seed_files, tmp_path / "multi", cv=0, nb_weight=0.5)
    assert multi.multilabel and "nb_weight" not in multi.card["params"]


def test_search_tries_naive_bayes_weights_for_single_label_seeds_only():
    assert {c["nb_weight"] for c in candidates({})} == {0.0, 0.5, 1.0}
    assert {c["nb_weight"] for c in candidates({}, single_label=False)} == {0.0}
    assert {c["nb_weight"] for c in candidates({"nb_weight": 0.5})} == {0.5}
    _, record = search(_seeds(), {}, _settings({}), 1e9)
    weights = [r["settings"]["nb_weight"] for r in record["candidates"]]
    assert weights[:3] == [0.0, 0.5, 1.0] and len(weights) == len(candidates({}))


def test_train_cli_refuses_a_negative_weight(tmp_path, run):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"text": "短剧", "labels": ["a"]}, ensure_ascii=False) + "\n", "utf-8")
    result = run("train", path, "-o", tmp_path / "m", "--nb-weight", "-1")
    assert result.exit_code == 2 and "--nb-weight" in result.output
    assert not (tmp_path / "m").exists()


def test_worker_processes_give_the_same_model():
    X, y = _data()
    one = ThemeClassifier(cv=3, nb_weight=0.5).fit(X, y)
    two = ThemeClassifier(cv=3, nb_weight=0.5, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(one.coef_, two.coef_)
    np.testing.assert_array_equal(one.calibration_, two.calibration_)
