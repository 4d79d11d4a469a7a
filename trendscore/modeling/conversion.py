"""Between the scikit-learn estimator and the saved model: :class:`~trendscore.modeling.classifier.TextThemeClassifier`
to :class:`~trendscore.modeling.model.Model` and back, with the same numbers on both sides.

A fitted estimator becomes a model that labels, saves and loads like any trained with
``trendscore train``; a model (bundled, trained or loaded) becomes a fitted estimator whose
``predict_proba`` gives the model's probabilities, ready for scikit-learn tools
(``cross_val_predict`` refits it; ``clone`` gives an unfitted one with the model's settings).

Examples
--------
>>> from trendscore import Model, load_model
>>> model = load_model()
>>> est = model.to_estimator()
>>> [str(t) for t in est.themes_] == model.themes
True
>>> Model.from_estimator(est).predict(["短剧出海"])
[['overseas']]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from trendscore.errors import ModelError, quoted

if TYPE_CHECKING:
    from trendscore.modeling.model import Model

__all__ = ["model_from_estimator", "estimator_from_model"]


def _themes_of(est, themes) -> list[str]:
    """The model's theme names: ``themes``, the names of the model the estimator was made from,
    or a single-label estimator's classes. New names (not a model's) are held to the rule that
    training holds labels to (:func:`~trendscore.modeling.modelcheck.theme_name_problem`): a
    name with ``|`` would come back from label's CSV output as two themes."""
    from trendscore.modeling.modelcheck import theme_name_problem

    if isinstance(themes, (str, bytes)):  # its characters would be taken for the names
        got = f"one {type(themes).__name__} {quoted(themes)}"
        raise ModelError(f"themes must be a list of names, got {got}; wrap it in a list")
    if getattr(est, "themes_", None) is not None and themes is None:
        themes = [str(t) for t in est.themes_]
    elif themes is not None or not est.classifier_.multilabel_:
        themes = [str(t) for t in (themes if themes is not None else est.classes_)]
        problem = next((p for p in map(theme_name_problem, themes) if p is not None), None)
        if problem is not None:
            raise ModelError(problem)
    else:
        raise ModelError(
            "a multi-label estimator knows its themes only as column numbers; pass themes=[...] in the "
            "order of the columns of y"
        )
    if len(set(themes)) != len(themes) or not all(themes):
        raise ModelError(f"themes must be distinct non-empty names, got {themes}")
    return themes


def model_from_estimator(est, themes=None, card: dict | None = None, *, model_class: type[Model]) -> Model:
    """A :class:`Model` from a fitted :class:`~trendscore.modeling.classifier.TextThemeClassifier`.

    ``themes`` names the columns of the ``y`` the estimator was fitted on (a 0/1 matrix);
    a single-label estimator, or one made by :func:`estimator_from_model`, knows them already.
    """
    from sklearn.utils.validation import check_is_fitted

    from trendscore.modeling.classifier import TextThemeClassifier
    from trendscore.modeling.modelcheck import card_to_write

    if not isinstance(est, TextThemeClassifier):
        raise TypeError(f"expected a fitted TextThemeClassifier, got {type(est).__name__}")
    check_is_fitted(est)
    # a card that would not load is refused now, not when the model is saved or scored
    if card is None:
        card = {"params": est.get_params(), "converted_from": "TextThemeClassifier"}
    else:
        card = card_to_write(card, "from_estimator")
    clf = est.classifier_
    multilabel = bool(clf.multilabel_)
    names = _themes_of(est, themes)
    coef, intercept, calibration, thresholds = clf.coef_, clf.intercept_, clf.calibration_, clf.thresholds_
    if multilabel:
        order = list(range(coef.shape[0]))
        if len(names) != len(order):
            raise ModelError(f"{len(names)} theme names for {len(order)} label columns")
    else:
        if len(clf.classes_) == 2:
            # one fitted column scores the second class; the first is its mirror image, so the
            # two sigmoids sum to one and the model's normalisation leaves them unchanged
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]])
            calibration = np.array([[calibration[0, 0], -calibration[0, 1]], calibration[0]])
            thresholds = np.array([0.5, 0.5])
        classes = [str(c) for c in clf.classes_]
        if sorted(names) != sorted(classes):
            raise ModelError(f"themes {names} are not the estimator's classes {classes}")
        order = [classes.index(t) for t in names]
    return model_class(
        names,
        est.featurizer_,
        np.asarray(coef)[order].T.copy(),
        np.asarray(intercept)[order],
        np.asarray(calibration)[order],
        np.asarray(thresholds)[order],
        multilabel=multilabel,
        card=card,
    )


def estimator_from_model(model: Model):
    """A fitted :class:`~trendscore.modeling.classifier.TextThemeClassifier` that gives ``model``'s
    probabilities. A model with provisional themes has no estimator form (its provisional
    columns are not linear)."""
    from trendscore.modeling.classifier import TextThemeClassifier, ThemeClassifier

    if model.provisional:
        raise ModelError("a model with provisional themes cannot become an estimator; train it on seeds first")
    config = model.featurizer.config
    params = {k: v for k, v in (model.card.get("params") or {}).items() if k in TextThemeClassifier().get_params()}
    params.update({k: getattr(config, k) for k in ("segmenter", "words", "char_ngram_min", "char_ngram_max",
                                                 "style", "char_all", "embedding", "embedding_dims",
                                                 "embedding_weight", "lists")})
    if "seed" in (model.card.get("params") or {}):
        params["random_state"] = model.card["params"]["seed"]
    est = TextThemeClassifier(**params)
    clf = ThemeClassifier(**{k: v for k, v in est.get_params().items() if k in ThemeClassifier().get_params()})
    coef = np.asarray(model.coef, dtype=np.float64).T
    intercept = np.asarray(model.intercept, dtype=np.float64)
    calibration = np.asarray(model.calibration, dtype=np.float64)
    thresholds = np.asarray(model.thresholds, dtype=np.float64)
    clf.multilabel_ = model.multilabel
    if model.multilabel:
        clf.classes_ = np.arange(len(model.themes))
    else:
        order = sorted(range(len(model.themes)), key=lambda j: model.themes[j])
        clf.classes_ = np.array([model.themes[j] for j in order])
        if len(order) == 2:  # the estimator keeps only the second class's column
            order = order[1:]
        coef, intercept, calibration, thresholds = coef[order], intercept[order], calibration[order], thresholds[order]
    clf.coef_, clf.intercept_, clf.calibration_, clf.thresholds_ = coef, intercept, calibration, thresholds
    clf.n_features_in_ = coef.shape[1]
    est.featurizer_ = model.featurizer
    est.classifier_ = clf
    est.classes_ = clf.classes_
    est.themes_ = np.array(model.themes, dtype=object)
    return est
