"""The theme classifier as scikit-learn estimators (training side; imports scikit-learn).

:class:`ThemeClassifier` works on any numeric feature matrix: one linear SVM per theme,
Platt-calibrated on out-of-fold decision values, with a per-theme decision threshold tuned
on the same out-of-fold probabilities. ``y`` as a 2-D 0/1 matrix makes it multi-label; ``y``
as a 1-D array of class names makes it single-label (exactly one class per row).

:class:`TextThemeClassifier` puts the featurizer in front, so it fits on raw texts.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.preprocessing import LabelBinarizer
from sklearn.svm import LinearSVC
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from trendscore.errors import InputError, NoTerms, OneLabel
from trendscore.io.texts import as_texts
from trendscore.modeling.targets import checked_targets
from trendscore.run.forking import resolve_jobs, usable_cores
from trendscore.text.embedding import caching
from trendscore.text.features import FeatureConfig, Featurizer
from trendscore.text.namelists import LISTS

#: the default of ``lists``: every curated name list shipped
ALL_LISTS = ",".join(LISTS)

__all__ = ["ThemeClassifier", "TextThemeClassifier", "best_threshold", "stratified_splits"]


def best_threshold(y: np.ndarray, proba: np.ndarray, lo: float = 0.15, hi: float = 0.85) -> float:
    """The probability cut in [lo, hi] that maximises F1 of ``proba >= cut`` against ``y``.

    Ties go to the cut nearest 0.5, so a flat F1 curve does not push the threshold to an edge.
    """
    grid = np.round(np.arange(lo, hi + 1e-9, 0.01), 2)
    pos = y.sum()
    if pos == 0:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for cut in sorted(grid, key=lambda c: abs(c - 0.5)):
        pred = proba >= cut
        tp = float(np.sum(pred & (y == 1)))
        f1 = 2 * tp / (pred.sum() + pos)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(cut), f1
    return best


def _platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of a logistic fit of y on the decision values (y has both classes)."""
    lr = LogisticRegression(C=1e4, solver="lbfgs").fit(decision.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


_SHARED: tuple | None = None  # (estimator, X, Y, strata, groups) for forked workers, which inherit it


def _svm_job(j: int):
    if _SHARED is None:
        raise RuntimeError("_svm_job runs only in a worker forked after _SHARED was set")
    est, X, Y, strata, groups = _SHARED
    return est._column_svm(X, Y[:, j], strata, groups)


def _svms_in_processes(est, X, Y, strata, groups, jobs: int) -> list:
    """Each column's SVMs in forked processes; the data reach them by inheritance."""
    from trendscore.run.forking import fork_map

    global _SHARED
    _SHARED = (est, X, Y, strata, groups)
    try:
        return fork_map(_svm_job, range(Y.shape[1]), jobs)
    finally:
        _SHARED = None


def stratified_splits(splitter, strata, groups=None) -> list:
    """The (train, test) splits of a stratified ``splitter``, without scikit-learn's warning
    that a class has fewer members than folds: such a class is simply in fewer folds (its
    own column is calibrated over as many folds as it has seeds), and ``train`` says so in a
    note of its own (:func:`trendscore.modeling.cardnotes.card_notes`), not on the terminal."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class in y", category=UserWarning)
        return list(splitter.split(np.zeros(len(strata)), strata, groups))


def _group_keys(groups, n: int):
    """``groups`` as an integer array of ``n`` group numbers (None stays None); ValueError
    when their number differs from the rows'."""
    if groups is None:
        return None
    groups = list(groups)
    if len(groups) != n:
        raise ValueError(f"groups has {len(groups)} entries for {n} rows")
    return np.unique(np.array([str(g) for g in groups]), return_inverse=True)[1]


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """One calibrated linear SVM per theme, with per-theme thresholds.

    Parameters
    ----------
    C : float, default=0.5
        Inverse regularisation strength of each LinearSVC.
    cv : int, default=5
        Folds for the out-of-fold decision values used to calibrate and to tune thresholds.
    class_weight : {"balanced", None}, default="balanced"
        Passed to each LinearSVC; "balanced" helps rare themes. Per-class weights are not
        offered: Platt calibration refits probabilities to the observed label frequencies,
        which would undo them.
    tune_thresholds : bool, default=True
        Tune each theme's cut on out-of-fold probabilities; otherwise 0.5.
    random_state : int, default=0
        Seeds the fold split, so training is deterministic.
    n_jobs : int or None, default=1
        Themes fitted at once, in forked worker processes (not threads: liblinear keeps one
        random state per process, so threads would make the fits depend on timing); read as
        scikit-learn reads it: None is 1, -1 every usable core, -2 all but one, 0 is refused. The
        result does not depend on it (nor do sentence-embedding vectors, which are encoded
        in the same batches whatever the number of processes).
    nb_weight : float, default=0.0
        Single-label only: add this weight of a complement naive Bayes score to each class's
        SVM score (:mod:`trendscore.modeling.naivebayes`), before calibration; 0 for none.
        Multi-label fits ignore it. The naive Bayes part sees the first ``nb_columns``
        columns of ``X`` (an argument of :meth:`fit`; all by default), which must not be
        negative.
    """

    def __init__(
        self, C=0.5, cv=5, class_weight="balanced", tune_thresholds=True, random_state=0, n_jobs=1, nb_weight=0.0
    ):
        self.C = C
        self.cv = cv
        self.class_weight = class_weight
        self.tune_thresholds = tune_thresholds
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.nb_weight = nb_weight

    def _svc(self):
        return LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)

    def _column_svm(self, X, y, strata, groups):
        """One binary column's SVMs: out-of-fold decision values and the final fit (or None
        for a column with one class)."""
        n = X.shape[0]
        if len(np.unique(y)) < 2:
            return None
        folds = self._n_folds(y, groups)
        decision = np.zeros(n)
        for train, test in self._folds_of(strata if strata is not None else y, folds, groups):
            if len(np.unique(y[train])) < 2:
                continue
            decision[test] = self._svc().fit(X[train], y[train]).decision_function(X[test])
        final = self._svc().fit(X, y)
        if folds < 2:
            decision = final.decision_function(X)
        return decision, final.coef_.ravel().copy(), float(final.intercept_[0])

    def _n_folds(self, y, groups) -> int:
        """The out-of-fold splits a 0/1 column ``y`` gets: ``cv``, fewer when one side has
        fewer seeds (or, with ``groups``, fewer groups) than that; under 2, none."""
        folds = min(self.cv, int(np.bincount(y).min()))
        if groups is not None:
            folds = min(folds, len(np.unique(groups[y == 1])), len(np.unique(groups[y == 0])))
        return folds

    def _folds_of(self, strata, folds: int, groups=None) -> list:
        """The out-of-fold splits of :meth:`_column_svm` for a column with ``folds`` folds,
        stratified by ``strata`` (the classes of a single-label fit); with ``groups``, the
        rows of one group (the passages of one report) always on one side."""
        if folds < 2:
            return []
        if groups is None:
            return stratified_splits(StratifiedKFold(folds, shuffle=True, random_state=self.random_state), strata)
        splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=self.random_state)
        return stratified_splits(splitter, strata, groups)

    def _nb_weight(self) -> float:
        """``nb_weight`` as a float; ValueError unless it is a finite number from 0 up."""
        w = self.nb_weight
        if isinstance(w, bool) or not isinstance(w, numbers.Real) or not 0 <= float(w) < float("inf"):
            raise InputError(f"nb_weight must be a number from 0 up, got {w!r}")
        return float(w)

    def _with_naive_bayes(self, X, y, Y, svms, nb_columns, weight: float, groups=None):
        """The columns' SVMs with the weighted complement naive Bayes scores added to their
        decisions (out-of-fold ones from naive Bayes fitted on the same folds) and weights."""
        from trendscore.modeling.naivebayes import complement_nb, nb_scale

        Xn = X[:, :nb_columns] if nb_columns is not None else X
        onehot = (np.asarray(y)[:, None] == self.classes_[None, :]).astype(np.float64)
        W = complement_nb(Xn, onehot)[-Y.shape[1] :]  # two classes: the second's row scores the one column
        live = [s for s in svms if s is not None]
        if not live:
            return svms
        svm_scores = np.asarray(X @ np.vstack([s[1] for s in live]).T) + np.array([s[2] for s in live])
        scale = weight * nb_scale(svm_scores, np.asarray(Xn @ W.T))
        pad = np.zeros(X.shape[1] - Xn.shape[1])
        oof: dict[int, np.ndarray] = {}  # naive Bayes out-of-fold scores by the number of folds
        out: list[tuple | None] = []
        for j, svm in enumerate(svms):
            if svm is None:
                out.append(None)
                continue
            decision, coef, intercept = svm
            folds = self._n_folds(Y[:, j], groups)
            if folds not in oof:
                scores = np.asarray(Xn @ W.T)  # in-sample, as the SVM's decisions are under 2 folds
                for train, test in self._folds_of(y, folds, groups):
                    scores[test] = np.asarray(Xn[test] @ complement_nb(Xn[train], onehot[train])[-Y.shape[1] :].T)
                oof[folds] = scores
            out.append((decision + scale * oof[folds][:, j], coef + scale * np.concatenate([W[j], pad]), intercept))
        return out

    def _column_fit(self, X, y, svm):
        """Platt calibration and the threshold on the out-of-fold decisions of one column."""
        if svm is None:
            return np.zeros(X.shape[1]), (-1.0 if y[0] == 0 else 1.0), 1.0, 0.0, 0.5
        decision, coef, intercept = svm
        a, b = _platt(decision, y)
        proba = 1.0 / (1.0 + np.exp(-(a * decision + b)))
        cut = best_threshold(y, proba) if self.tune_thresholds else 0.5
        return coef, intercept, a, b, cut

    def fit(self, X, y, nb_columns=None, groups=None):
        """Fit on features ``X`` and labels ``y`` (2-D 0/1 multi-label, or 1-D classes);
        ``nb_columns``: how many leading columns the naive Bayes part sees (see ``nb_weight``);
        ``groups``: one key per row (its report), so that the out-of-fold decisions that set
        calibration and thresholds never come from a fold that saw another passage of the
        same report; None treats every row as its own report."""
        if self.class_weight not in ("balanced", None):
            raise InputError(f"class_weight must be 'balanced' or None, got {self.class_weight!r}")
        nb_weight = self._nb_weight()
        y = checked_targets(y)  # lists of theme names, a missing class: refused in words, not deep in numpy
        X, y = validate_data(self, X, y, accept_sparse="csr", multi_output=True, dtype=np.float64)
        target = type_of_target(y, input_name="y", raise_unknown=True)
        self.multilabel_ = target == "multilabel-indicator"
        if self.multilabel_:
            Y = np.asarray(y, dtype=np.int64)
            self.classes_ = np.arange(Y.shape[1])
        else:
            if target not in ("binary", "multiclass"):
                raise ValueError(f"Unknown label type: {target!r}; expected 0/1 label columns or class labels")
            binarizer = LabelBinarizer().fit(y)
            if len(binarizer.classes_) < 2:  # it had fitted a model giving that class to every text
                only = str(binarizer.classes_[0])
                raise OneLabel(f"y has the one class {only!r}: a single-label fit needs two classes or more", only)
            self.classes_ = binarizer.classes_
            Y = binarizer.transform(y)  # one column (the second class) when there are two
        strat = None if self.multilabel_ else np.asarray(y)
        keys = _group_keys(groups, X.shape[0])
        columns = range(Y.shape[1])
        jobs = resolve_jobs(self.n_jobs)  # as scikit-learn reads it: -1 is every core
        if jobs > 1 and Y.shape[1] > 1:
            svms = _svms_in_processes(self, X, Y, strat, keys, min(jobs, Y.shape[1], usable_cores()))
        else:
            svms = [self._column_svm(X, Y[:, j], strat, keys) for j in columns]
        if not self.multilabel_ and nb_weight > 0:
            svms = self._with_naive_bayes(X, strat, Y, svms, nb_columns, nb_weight, keys)
        fits = [self._column_fit(X, Y[:, j], svm) for j, svm in zip(columns, svms)]
        self.coef_ = np.vstack([f[0] for f in fits])
        self.intercept_ = np.array([f[1] for f in fits])
        self.calibration_ = np.array([[f[2], f[3]] for f in fits])
        self.thresholds_ = np.array([f[4] for f in fits])
        return self

    def _logits(self, X):
        """Calibrated log-odds per column: Platt's a * (w.x + c) + b."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False, dtype=np.float64)
        z = np.asarray(X @ self.coef_.T) + self.intercept_
        return self.calibration_[:, 0] * z + self.calibration_[:, 1]

    def decision_function(self, X):
        """Positive where :meth:`predict` says yes: log-odds minus the threshold's log-odds
        (multi-label), the log-odds of the second class (two classes), or per-class log-odds."""
        check_is_fitted(self)
        logits = self._logits(X)
        if self.multilabel_:
            cut = np.clip(self.thresholds_, 1e-12, 1 - 1e-12)
            return logits - np.log(cut / (1 - cut))
        return logits[:, 0] if logits.shape[1] == 1 else logits

    def predict_proba(self, X):
        """Calibrated probability per theme (multi-label) or per class (rows sum to 1)."""
        p = 1.0 / (1.0 + np.exp(-self._logits(X)))
        if self.multilabel_:
            return p
        if p.shape[1] == 1:
            return np.hstack([1 - p, p])
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted themes of the rows of ``X``: a 0/1 matrix (one column per theme, each
        theme's own threshold) when multi-label, else one class per row."""
        check_is_fitted(self)
        if self.multilabel_:
            return (self.decision_function(X) >= 0).astype(np.int64)
        d = self.decision_function(X)
        if d.ndim == 1:
            return self.classes_[(d >= 0).astype(int)]
        return self.classes_[np.argmax(d, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags


class TextThemeClassifier(ClassifierMixin, BaseEstimator):
    """Featurizer + :class:`ThemeClassifier`, fitted on raw texts.

    Parameters
    ----------
    segmenter : {"rjieba", "jieba"}, default="rjieba"
    words : bool, default=True
        Use segmenter words as features.
    char_ngram_min, char_ngram_max : int, default=2, 3
        Character n-grams over runs of Chinese characters; ``char_ngram_max=0`` turns them off.
    min_df : int, default=2
        Drop terms seen in fewer passages.
    C, cv, class_weight, tune_thresholds, random_state
        As in :class:`ThemeClassifier`.
    style : bool, default=False
        Add :func:`~trendscore.text.features.style_tokens` (how a text is written) to the words.
    char_all : bool, default=False
        Character n-grams over the whole text (punctuation, digits, Latin, spaces too), not
        only over runs of Chinese characters.
    embedding : {"", "use-m3", "e5-small"}, default=""
        Add pretrained sentence-embedding columns (see :mod:`trendscore.text.embedding`).
    embedding_dims, embedding_weight : int, float, default=256, 0.3
        PCA dimensions kept, and the average length of an embedding row beside the unit
        TF-IDF row.
    lists : str, default=every shipped list (``",".join(namelists.LISTS)``)
        Comma-separated names of curated name lists (:mod:`trendscore.text.namelists`) whose
        mentions become tokens, e.g. ``"cn_places,foreign_places"``; ``""`` for none. Every
        list gave +0.03 macro-F1 on the real-report time split (BENCHMARKS.md).

    These keyword defaults are the one source of ``train``'s defaults
    (:func:`trendscore.modeling.fitting.defaults` reads them).
    n_jobs : int or None, default=1
        As in :class:`ThemeClassifier` (-1: every usable core, as in scikit-learn).
    nb_weight : float, default=0.0
        As in :class:`ThemeClassifier` (single-label only); the naive Bayes part sees the
        TF-IDF columns, not the sentence embedding's.
    """

    def __init__(
        self,
        segmenter="rjieba",
        words=True,
        char_ngram_min=2,
        char_ngram_max=3,
        min_df=2,
        C=0.5,
        cv=5,
        class_weight="balanced",
        tune_thresholds=True,
        random_state=0,
        style=False,
        char_all=False,
        embedding="",
        embedding_dims=256,
        embedding_weight=0.3,
        lists=ALL_LISTS,
        n_jobs=1,
        nb_weight=0.0,
    ):
        self.segmenter = segmenter
        self.words = words
        self.char_ngram_min = char_ngram_min
        self.char_ngram_max = char_ngram_max
        self.min_df = min_df
        self.C = C
        self.cv = cv
        self.class_weight = class_weight
        self.tune_thresholds = tune_thresholds
        self.random_state = random_state
        self.style = style
        self.char_all = char_all
        self.embedding = embedding
        self.embedding_dims = embedding_dims
        self.embedding_weight = embedding_weight
        self.lists = lists
        self.n_jobs = n_jobs
        self.nb_weight = nb_weight

    def _features(self, texts):
        from scipy.sparse import csr_matrix

        row, col, w = self.featurizer_.transform_coo(texts)
        return csr_matrix((w, (row, col)), shape=(len(texts), self.featurizer_.n_features))

    def _check_settings(self) -> None:
        """Refuse, with an :class:`~trendscore.errors.InputError`, a switch that is not a bool
        (``words="no"`` had switched words on) and a count that is not a whole number
        (``min_df="1"`` had failed with a TypeError from inside the vocabulary's count)."""
        for name in ("words", "style", "char_all", "tune_thresholds"):
            value = getattr(self, name)
            if not isinstance(value, (bool, np.bool_)):
                raise InputError(f"{name} must be True or False, got {value!r}")
        resolve_jobs(self.n_jobs)  # None, a positive number, or -1 (every core), -2 ... as in scikit-learn
        counts = (("min_df", 1), ("cv", 0), ("embedding_dims", 1), ("char_ngram_min", 0), ("char_ngram_max", 0))
        for name, least in counts:
            value = getattr(self, name)
            whole = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
            if not whole or (least is not None and value < least):
                bound = "" if least is None else f" from {least} up"
                raise InputError(f"{name} must be a whole number{bound}, got {value!r}")

    def fit(self, X, y, groups=None):
        """Learn the featurizer from the texts ``X`` (with this estimator's feature settings),
        then the per-theme classifier on their features and labels ``y``; returns self.
        ``groups`` (one key per text, e.g. its report's url) keeps the passages of one report
        on one side of the calibration folds (see :meth:`ThemeClassifier.fit`).

        ``X`` is read as :meth:`Model.label <trendscore.modeling.model.Model.label>` reads
        texts (:func:`trendscore.io.texts.as_texts`): one string, a DataFrame, or a text that
        is None, NaN or a number is refused with a :class:`~trendscore.errors.TextsError`.
        ``y`` is a 0/1 matrix, one column per theme (dense, nested lists, a DataFrame or
        scipy sparse), for a multi-label fit, or one class per text for a single-label one;
        lists of theme names (as ``label`` writes them) and a missing class are refused with
        an :class:`~trendscore.errors.InputError` (:mod:`trendscore.modeling.targets`)."""
        self._check_settings()
        config = FeatureConfig(
            segmenter=self.segmenter,
            words=self.words,
            char_ngram_min=self.char_ngram_min,
            char_ngram_max=self.char_ngram_max,
            style=self.style,
            char_all=self.char_all,
            embedding=self.embedding,
            embedding_dims=self.embedding_dims,
            embedding_weight=self.embedding_weight,
            lists=self.lists,
        )
        texts = as_texts(X)
        y = checked_targets(y)  # before the featurizer's work
        self.__dict__.pop("themes_", None)  # theme names a conversion from a model set; stale after a refit
        jobs = resolve_jobs(self.n_jobs)
        with caching(jobs=jobs):  # sentence embeddings, if any, computed once for fit and features
            self.featurizer_ = Featurizer(config).fit(texts, min_df=self.min_df)
            if texts and not self.featurizer_.n_features:  # scikit-learn's words: "Found array with 0 feature(s)"
                raise NoTerms(
                    f"no word or character n-gram occurs in at least {self.min_df} of the {len(texts)} texts; "
                    "give more texts, or a lower min_df"
                )
            features = self._features(texts)
        self.classifier_ = ThemeClassifier(
            C=self.C,
            cv=self.cv,
            class_weight=self.class_weight,
            tune_thresholds=self.tune_thresholds,
            random_state=self.random_state,
            n_jobs=jobs,
            nb_weight=self.nb_weight,
        ).fit(features, y, nb_columns=self.featurizer_.n_terms, groups=groups)
        self.classes_ = self.classifier_.classes_
        return self

    def predict_proba(self, X):
        """Calibrated probability of each theme (or class) for each text of ``X``; no texts
        give no rows, as :meth:`Model.predict_proba <trendscore.modeling.model.Model.predict_proba>`
        gives them."""
        check_is_fitted(self)
        texts = as_texts(X)
        if not texts:  # scikit-learn's checks refuse a matrix of no rows
            return np.zeros((0, len(self.classes_)))
        return self.classifier_.predict_proba(self._features(texts))

    def predict(self, X):
        """Predicted themes of each text of ``X`` (see :meth:`ThemeClassifier.predict`); no
        texts give no rows."""
        check_is_fitted(self)
        texts = as_texts(X)
        if not texts:
            return np.zeros((0, len(self.classes_)), np.int64) if self.classifier_.multilabel_ else self.classes_[:0]
        return self.classifier_.predict(self._features(texts))
