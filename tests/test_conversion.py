"""TextThemeClassifier <-> Model: the same labels and probabilities on both sides, saved or not."""

import numpy as np
import pytest

from trendscore import Model, ModelError, TextThemeClassifier, load_model
from trendscore.seeds.files import read_seeds

TEXTS = [
    "短剧出海东南亚", "海淀区发布微短剧扶持政策", "AI 生成短剧降本增效",
    "", "   ", "今天天气很好", "ReelShort tops US charts",
]


@pytest.fixture(scope="module")
def seeds(small_seed_files):
    return read_seeds(small_seed_files)


def test_bundled_model_to_estimator_and_back(tmp_path):
    model = load_model()
    est = model.to_estimator()
    assert est.classes_.tolist() == list(range(len(model.themes)))
    assert [str(t) for t in est.themes_] == model.themes
    np.testing.assert_allclose(est.predict_proba(TEXTS), model.predict_proba(TEXTS), rtol=0, atol=1e-12)
    want = model.predict(TEXTS)
    got = [[t for t, on in zip(model.themes, row) if on] for row in est.predict(TEXTS)]
    assert got == want
    back = Model.from_estimator(est)
    assert np.array_equal(back.predict_proba(TEXTS), model.predict_proba(TEXTS))
    assert back.themes == model.themes and back.thresholds == model.thresholds
    loaded = load_model(Model.from_estimator(est).save(tmp_path / "m"))
    assert np.array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    assert loaded.predict(TEXTS) == want


def test_estimator_settings_follow_the_model():
    from sklearn.base import clone

    model = load_model()
    est = model.to_estimator()
    assert est.lists == model.featurizer.config.lists
    assert est.C == model.card["params"]["C"]
    fresh = clone(est)
    assert fresh.get_params() == est.get_params()
    assert not hasattr(fresh, "classifier_")


def test_fitted_multilabel_estimator_to_model(seeds, tmp_path):
    themes = sorted({t for s in seeds for t in s.labels})
    y = np.array([[int(t in s.labels) for t in themes] for s in seeds])
    est = TextThemeClassifier(cv=3).fit([s.text for s in seeds], y)
    model = Model.from_estimator(est, themes=themes)
    texts = TEXTS + [s.text for s in seeds[:40]]
    np.testing.assert_allclose(model.predict_proba(texts), est.predict_proba(texts), rtol=0, atol=1e-12)
    pred = est.predict(texts)
    assert model.predict(texts) == [[t for t, on in zip(themes, row) if on] for row in pred]
    loaded = load_model(model.save(tmp_path / "m"))
    assert np.array_equal(loaded.predict_proba(texts), model.predict_proba(texts))
    # and back again: the estimator of the loaded model gives the first estimator's labels
    assert np.array_equal(loaded.to_estimator().predict(texts), pred)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_single_label_estimator_round_trip(seeds, tmp_path, n_classes):
    chosen = sorted({s.labels[0] for s in seeds if s.labels})[:n_classes]
    rows = [s for s in seeds if s.labels and s.labels[0] in chosen]
    est = TextThemeClassifier(cv=3).fit([s.text for s in rows], [s.labels[0] for s in rows])
    model = Model.from_estimator(est)
    assert model.themes == chosen and not model.multilabel
    texts = TEXTS + [s.text for s in rows[:40]]
    np.testing.assert_allclose(model.predict_proba(texts), est.predict_proba(texts), rtol=0, atol=1e-12)
    assert [labels[0] for labels in model.predict(texts)] == est.predict(texts).tolist()
    back = load_model(model.save(tmp_path / "m")).to_estimator()
    assert back.predict(texts).tolist() == est.predict(texts).tolist()
    np.testing.assert_allclose(back.predict_proba(texts), est.predict_proba(texts), rtol=0, atol=1e-12)


def test_multilabel_estimator_needs_its_theme_names(seeds):
    themes = sorted({t for s in seeds for t in s.labels})
    y = np.array([[int(t in s.labels) for t in themes] for s in seeds])
    est = TextThemeClassifier(cv=2).fit([s.text for s in seeds], y)
    with pytest.raises(ModelError, match="pass themes="):
        Model.from_estimator(est)
    with pytest.raises(ModelError, match=f"1 theme names for {len(themes)} label columns"):
        Model.from_estimator(est, themes=["policy"])
    with pytest.raises(ModelError, match="distinct non-empty names"):
        Model.from_estimator(est, themes=["a"] * len(themes))


def test_refit_forgets_converted_theme_names(seeds):
    est = load_model().to_estimator()
    themes = sorted({t for s in seeds for t in s.labels})
    y = np.array([[int(t in s.labels) for t in themes] for s in seeds])
    est.fit([s.text for s in seeds], y)
    assert not hasattr(est, "themes_")


def test_unfitted_or_foreign_estimators_are_refused():
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(NotFittedError):
        Model.from_estimator(TextThemeClassifier())
    with pytest.raises(TypeError, match="expected a fitted TextThemeClassifier, got LogisticRegression"):
        Model.from_estimator(LogisticRegression())
