"""Fitting one model from seeds: the training defaults, read from the estimator's signature
(:class:`~trendscore.modeling.classifier.TextThemeClassifier`, their one source), and :func:`fit_model`,
which turns the fitted estimator into a :class:`~trendscore.modeling.model.Model`. Training with cards,
cross-validation and the time split (:mod:`trendscore.modeling.training`, :mod:`trendscore.modeling.timesplit`)
and the settings search (:mod:`trendscore.modeling.selection`) build on it."""

from __future__ import annotations

import inspect
from functools import lru_cache

import numpy as np

from trendscore.errors import Hint, NoTerms, OneLabel, SeedError, hinted
from trendscore.modeling.metrics import label_matrix
from trendscore.modeling.model import Model
from trendscore.seeds.files import Seed, model_themes, report_groups

__all__ = ["defaults", "check_settings", "fit_model", "MAX_THEMES"]

#: the most themes one model learns: as many as a score counts (trends.accumulate.MAX_THEMES).
#: Each theme is a classifier of its own, fitted again in every fold, so seeds of thousands of
#: themes (a few lines each) had made training run for hours.
MAX_THEMES = 200

#: estimator parameters that are not training settings (``fit_model`` passes its own seed)
_NOT_SETTINGS = ("self", "random_state")


def defaults() -> dict:
    """The training settings and their defaults: the keyword defaults of
    ``TextThemeClassifier.__init__`` (without ``random_state``), in signature order.

    A fresh dict each call. The CLI's option defaults and the settings search read it.

    >>> d = defaults()
    >>> d["C"], d["min_df"], d["segmenter"]
    (0.5, 2, 'rjieba')
    """
    return dict(_defaults())


@lru_cache(maxsize=1)
def _defaults() -> tuple:
    from trendscore.modeling.classifier import TextThemeClassifier

    params = inspect.signature(TextThemeClassifier.__init__).parameters
    return tuple((name, p.default) for name, p in params.items() if name not in _NOT_SETTINGS)


def _targets(seeds: list[Seed], themes: list[str], multilabel: bool):
    if multilabel:
        return label_matrix([list(s.labels) for s in seeds], themes)
    return np.array([s.labels[0] for s in seeds])


def check_settings(params) -> None:
    """Refuse, with an :class:`~trendscore.errors.InputError`, a training setting of a name
    :func:`defaults` does not hold (nor ``calibration_folds``), before any work.

    >>> check_settings({"C": 1.0, "min_df": 1})
    >>> check_settings({"min-df": 1})
    Traceback (most recent call last):
    ...
    trendscore.errors.InputError: unknown training setting 'min-df'; did you mean 'min_df'?
    """
    import difflib

    from trendscore.errors import InputError

    known = [*defaults(), "calibration_folds"]
    for name in params:
        if name not in known:
            close = difflib.get_close_matches(str(name).replace("-", "_"), known, n=1)
            advice = f"did you mean {close[0]!r}?" if close else f"the settings are {', '.join(sorted(known))}"
            raise InputError(f"unknown training setting {name!r}; {advice}")


def _settings(params: dict) -> dict:
    """The estimator's settings: defaults, overridden by ``params``, where the command line's
    ``calibration_folds`` (kept apart from the card's cross-validation folds) means ``cv``."""
    params = dict(params)
    if "calibration_folds" in params:
        params["cv"] = params.pop("calibration_folds")
    return {**defaults(), **params}


def fit_model(seeds: list[Seed], seed: int = 0, themes: list[str] | None = None, **params) -> Model:
    """Fit a :class:`~trendscore.modeling.model.Model` on seeds (multi-label unless every seed has one label).

    ``themes`` fixes the model's themes (:func:`~trendscore.seeds.files.model_themes`; the seeds
    carry no other labels); by default they come from the seeds' labels. Single-label seeds
    that all carry one label make no model: :class:`~trendscore.errors.OneLabel`, naming it;
    nor do seeds that share too few words: :class:`~trendscore.errors.NoTerms`. The passages
    of one report (:func:`~trendscore.seeds.files.report_groups`) stay on one side of the
    folds that set calibration and thresholds."""
    from trendscore.modeling.classifier import TextThemeClassifier

    if not seeds:
        raise SeedError("no seeds to train on")
    given, themes = themes, model_themes(seeds, themes)
    if len(themes) > MAX_THEMES:
        raise SeedError(f"the seeds name {len(themes)} themes; a model learns {MAX_THEMES} at most")
    multilabel = not all(len(s.labels) == 1 for s in seeds)
    if not multilabel and len(themes) < 2:
        if not themes:  # labels outside the given themes, which the caller was to take off the seeds
            raise SeedError(f"no seed carries a label among the themes {', '.join(given or [])}")
        raise OneLabel(
            f"every seed has the one label {themes[0]!r}: a single-label model needs two labels or more", themes[0]
        )
    settings = _settings(params)
    est = TextThemeClassifier(random_state=seed, **settings)
    try:
        est.fit([s.text for s in seeds], _targets(seeds, themes, multilabel), groups=report_groups(seeds))
    except NoTerms:  # said again of the seeds, with the setting to change
        error = NoTerms(
            f"no word or character n-gram occurs in at least {settings['min_df']} of the {len(seeds)} seeds"
        )
        raise hinted(error, Hint("more seeds, or a lower {setting}", "min_df")) from None
    clf = est.classifier_
    coef, intercept, calibration, thresholds = clf.coef_, clf.intercept_, clf.calibration_, clf.thresholds_
    if not multilabel and len(clf.classes_) == 2:
        # one fitted column scores the second class; the first is its mirror image, so the
        # two sigmoids sum to one and the model's normalisation leaves them unchanged
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
        calibration = np.array([[calibration[0, 0], -calibration[0, 1]], calibration[0]])
        thresholds = np.array([0.5, 0.5])
    if not multilabel:  # classes_ are sorted names; put columns in theme order
        order = [list(clf.classes_).index(t) for t in themes]
    else:
        order = list(range(len(themes)))
    return Model(
        themes,
        est.featurizer_,
        coef[order].T.copy(),
        intercept[order],
        calibration[order],
        thresholds[order],
        multilabel=multilabel,
    )


