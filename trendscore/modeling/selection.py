"""Choosing training settings by cross-validation on the seeds themselves (``train`` with no
options; uses scikit-learn).

Every candidate is a set of feature and classifier settings; each is scored by k-fold
cross-validation inside the seeds (never on anything else), with all passages of one report
(``doc_id``, else ``url``) in the same fold. To stay within a time budget the folds use a
faster stand-in for the full classifier: the passages are tokenised once per feature family,
and each fold rebuilds the vocabulary, idf and min_df cut from its own training part, exactly
as a fit on that part would. A single-label candidate is scored by the argmax of one linear
SVM per class (no calibration, which does not change the argmax much); a multi-label one by
the full calibrated classifier with its thresholds. Single-label candidates that differ only in
the weight of the complement naive Bayes scores (:mod:`trendscore.modeling.naivebayes`) share
their folds' SVMs, so those weights cost milliseconds to try.

Settings the caller fixes are never searched. Candidates run in order, today's defaults
first; once the budget is spent the rest are recorded as skipped, so the choice can depend
on the machine's speed (the card says how many ran). When the caller allows a sentence
encoder, the TF-IDF candidates get half the budget, then the best of them is tried with the
encoder's columns added (the first such candidate runs whatever the budget).

Measured by the same cross-validation inside THUCNews dev.txt and not kept (BENCHMARKS.md):
word bigrams, character 4-grams, NB-weighted features, logistic regression, Crammer-Singer,
raw instead of sublinear tf, words and characters normalised as separate blocks; and in a
second round a stacked multinomial logistic model over the classes' out-of-fold scores,
per-class offsets, word columns weighted apart, other encoder dimensions and weights, and a
separate logistic model on the encoder's columns (none beyond the folds' noise).
"""

from __future__ import annotations

import time

import numpy as np

from trendscore.errors import OneReport
from trendscore.modeling.metrics import label_matrix, per_theme_scores
from trendscore.progress import report
from trendscore.seeds.files import Seed, report_groups

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_BUDGET_ENCODER",
    "FOLDS",
    "MIN_SEEDS",
    "SEARCHED",
    "candidates",
    "encoder_candidates",
    "report_groups",
    "search",
    "select_folds",
    "check_reports",
]

#: seconds the search may take by default (THUCNews, 10,000 headlines: the whole ``train``
#: command within 60 s on two shared cores; BENCHMARKS.md)
DEFAULT_BUDGET = 20.0
#: the default with a sentence encoder allowed: the TF-IDF candidates keep their 20 s, the
#: encoder's (which include encoding every seed once) get as much again (THUCNews: within 90 s)
DEFAULT_BUDGET_ENCODER = 40.0
#: cross-validation folds of the search
FOLDS = 3
#: fewer seeds than this are not searched (today's defaults): too few for folds to say anything
MIN_SEEDS = 30
#: the settings the search chooses (any of them the caller fixes is left alone)
SEARCHED = ("char_ngram_min", "char_ngram_max", "char_all", "style", "min_df", "C", "nb_weight", "embedding")

# feature families, most promising after today's defaults first
_FAMILIES = (
    {"char_ngram_min": 2, "char_ngram_max": 3, "char_all": False, "style": False},  # today's defaults
    {"char_ngram_min": 1, "char_ngram_max": 3, "char_all": True, "style": True},
    {"char_ngram_min": 1, "char_ngram_max": 3, "char_all": False, "style": False},
)
_MIN_DF = (2, 1)
_C = (0.5, 1.0)
#: weights of the complement naive Bayes scores beside the SVM's (single-label seeds only;
#: each costs a few milliseconds a fold once the SVM of its other settings has run)
_NB_WEIGHTS = (0.0, 0.5, 1.0)


def candidates(fixed: dict, single_label: bool = True) -> list[dict]:
    """The TF-IDF candidate settings in the order they are tried: every combination of
    feature family, min_df, C and (for ``single_label`` seeds) naive Bayes weight, with the
    caller's ``fixed`` settings imposed (duplicates dropped)."""
    out: list[dict] = []
    for family in _FAMILIES:
        for min_df in _MIN_DF:
            for c in _C:
                for nb in _NB_WEIGHTS if single_label else (0.0,):
                    cand = {**family, "min_df": min_df, "C": c, "nb_weight": nb, "embedding": "", **_pick(fixed)}
                    if cand not in out:
                        out.append(cand)
    return out


def encoder_candidates(best: dict, fixed: dict, encoder: str, single_label: bool = True) -> list[dict]:
    """The best TF-IDF candidate with the sentence encoder's columns added, at each C
    (the encoder changes how much regularisation suits) and, for ``single_label`` seeds,
    each naive Bayes weight; none when the caller fixed the embedding setting."""
    if not encoder or "embedding" in fixed:
        return []
    cs = [best["C"]] + ([c for c in _C if c != best["C"]] if "C" not in fixed else [])
    nbs = [best["nb_weight"]]
    if single_label and "nb_weight" not in fixed:
        nbs += [w for w in _NB_WEIGHTS if w != best["nb_weight"]]
    return [{**best, "embedding": encoder, "C": c, "nb_weight": w} for c in cs for w in nbs]


def _pick(fixed: dict) -> dict:
    return {k: v for k, v in fixed.items() if k in SEARCHED}


def check_reports(seeds: list[Seed], groups: list[str] | None = None) -> None:
    """Refuse seeds that are all passages of one report (:func:`report_groups`, or ``groups``
    as it gave them) with :class:`~trendscore.errors.OneReport`: no fold can hold a report out."""
    groups = report_groups(seeds) if groups is None else groups
    if groups is not None and len(set(groups)) < 2:
        raise OneReport(
            f"the {len(seeds)} seeds are all passages of one report ({groups[0]}): folds that hold a report "
            "out need passages of two reports or more"
        )


def select_folds(seeds: list[Seed], folds: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs: stratified by class for single-label seeds, with the
    passages of one report always on one side (:func:`report_groups`), in as many folds as
    there are reports when they are fewer than ``folds``. Seeds that are all passages of one
    report can hold none out: :class:`~trendscore.errors.OneReport`."""
    from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold

    from trendscore.modeling.classifier import stratified_splits

    n = len(seeds)
    groups = report_groups(seeds)
    single = all(len(s.labels) == 1 for s in seeds)
    y = np.array([s.labels[0] if single else "" for s in seeds])
    if groups is not None:
        check_reports(seeds, groups)
        folds = min(folds, len(set(groups)))
        # scikit-learn refuses to stratify when every class has fewer seeds than folds
        if single and np.unique(y, return_counts=True)[1].max() >= folds:
            splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
            return stratified_splits(splitter, y, groups)
        return list(GroupKFold(folds).split(np.zeros(n), groups=groups))
    if single and np.unique(y, return_counts=True)[1].min() >= folds:
        return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(n), y))
    return list(KFold(folds, shuffle=True, random_state=seed).split(np.zeros(n)))


class _Counts:
    """The term counts of every seed for one feature family (vocabulary: every term seen)."""

    def __init__(self, texts: list[str], config):
        from scipy.sparse import csr_matrix

        from trendscore.text.features import Featurizer
        from trendscore.text.normalise import normalize_many

        fz = Featurizer(config).fit(texts, min_df=1)
        rows, cols = fz._indices(normalize_many(texts, config.opencc))
        self.matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), max(fz.n_terms, 1)))
        self.matrix.sum_duplicates()
        self.sublinear = config.sublinear_tf

    def tfidf(self, train: np.ndarray, min_df: int):
        """The TF-IDF matrix of all seeds as a featurizer fitted on ``train`` with ``min_df``
        would make it (terms of the other seeds outside that vocabulary are dropped)."""
        from sklearn.preprocessing import normalize

        part = self.matrix[train]
        df = np.bincount(part.indices, minlength=part.shape[1])
        keep = np.flatnonzero(df >= min_df)
        idf = np.log((1.0 + len(train)) / (1.0 + df[keep])) + 1.0
        X = self.matrix[:, keep].astype(np.float64)
        if self.sublinear:
            X.data = 1.0 + np.log(X.data)
        X = X.multiply(idf).tocsr()
        return normalize(X, copy=False)


def _embedded(X, texts: list[str], train: np.ndarray, params: dict):
    from scipy.sparse import csr_matrix, hstack

    from trendscore.text.embedding import SentenceEmbedding

    emb = SentenceEmbedding(params["embedding"], params["embedding_dims"], params["embedding_weight"])
    emb.fit([texts[i] for i in train])
    return hstack([X, csr_matrix(emb.transform(texts))]).tocsr()


def _fold_prediction(X, train, test, y_train, params: dict, seed: int, groups=None):
    """Multi-label: predicted label matrix rows for ``test`` from the calibrated classifier fitted on ``train``,
    its calibration folds grouped by report (``groups``: each seed's, or None) as a trained model's are."""
    from trendscore.modeling.classifier import ThemeClassifier

    clf = ThemeClassifier(C=params["C"], cv=params["cv"], class_weight=params["class_weight"], random_state=seed)
    return clf.fit(X[train], y_train, groups=None if groups is None else [groups[i] for i in train]).predict(X[test])


def _fold_scores(X, Xt, train, test, y_train, params: dict, seed: int):
    """Single-label stand-in: for the ``test`` rows, the scores of one linear SVM per class
    fitted on ``train`` (columns ``X``), the complement naive Bayes scores (TF-IDF columns
    ``Xt``) scaled to the SVM's spread on the training rows (as
    :class:`~trendscore.modeling.classifier.ThemeClassifier` scales them to its SVMs'), and the
    classes in column order."""
    from sklearn.svm import LinearSVC

    from trendscore.modeling.naivebayes import complement_nb, nb_scale

    svm = LinearSVC(C=params["C"], class_weight=params["class_weight"], random_state=seed).fit(X[train], y_train)

    def scores(rows):
        d = svm.decision_function(X[rows])
        return np.column_stack([-d, d]) if d.ndim == 1 else d  # two classes: one column scores the second

    W = complement_nb(Xt[train], (y_train[:, None] == svm.classes_[None, :]).astype(np.float64))
    scale = nb_scale(scores(train), np.asarray(Xt[train] @ W.T))
    return scores(test), scale * np.asarray(Xt[test] @ W.T), svm.classes_


def _fold_matrix(counts: _Counts, texts: list[str], train: np.ndarray, params: dict, tfidf=None):
    """A fold's feature matrix (all seeds) as a fit on ``train`` would make it: the TF-IDF
    columns (``tfidf`` when already built), then the encoder's if the settings add them."""
    X = tfidf if tfidf is not None else counts.tfidf(train, params["min_df"])
    if params["embedding"]:
        X = _embedded(X, texts, train, params)
    if X.shape[1] == 0:
        raise ValueError("no term left in a fold")
    return X


def _stream(stages, rows, fixed, encoder, metric, budget, single_label):
    """The candidates with their time limits, stage by stage (None between stages); the
    encoder's stage is built from the best TF-IDF row so far."""
    for cands, limit in stages:
        yield None
        for cand in cands:
            yield cand, limit
    scored = [r for r in rows if metric in r]
    best = max(scored, key=lambda r: r[metric])["settings"] if scored else None
    extra = encoder_candidates(best, fixed, encoder, single_label) if best is not None else []
    if extra:
        yield None
        for cand in extra:
            yield cand, budget


def search(
    seeds: list[Seed],
    fixed: dict,
    settings: dict,
    budget: float,
    encoder: str = "",
    seed: int = 0,
    folds: int = FOLDS,
    clock=time.perf_counter,
    themes: list[str] | None = None,
) -> tuple[dict, dict]:
    """Cross-validate the :func:`candidates` within ``budget`` seconds.

    ``settings`` are the complete defaults (the fixed values already in them); returns the
    chosen settings (``settings`` with the best candidate's values) and the record for the
    model card. The first candidate always runs, whatever the budget. ``themes`` fixes the
    model's themes, as in :func:`~trendscore.modeling.fitting.fit_model`.
    """
    from trendscore.seeds.files import model_themes
    from trendscore.text.features import FeatureConfig

    start = clock()
    themes = model_themes(seeds, themes)
    multilabel = not all(len(s.labels) == 1 for s in seeds)
    texts = [s.text for s in seeds]
    Y = label_matrix([list(s.labels) for s in seeds], themes)
    y = Y if multilabel else np.array([s.labels[0] for s in seeds])
    splits = select_folds(seeds, folds, seed)
    reports = report_groups(seeds)
    counts: dict[tuple, _Counts] = {}
    fold_scores: dict[tuple, list] = {}
    rows: list[dict] = []
    skipped = 0
    # with the encoder allowed, the TF-IDF candidates get half the budget and the encoder's
    # the rest; the first of each always runs
    stages = [(candidates(fixed, not multilabel), budget / 2 if encoder and "embedding" not in fixed else budget)]
    stage_rows = 0
    metric = "macro_f1" if multilabel else "accuracy"
    n_cands = sum(len(c) for c, _ in stages)
    tried = 0
    for cand in _stream(stages, rows, fixed, encoder, metric, budget, not multilabel):
        if cand is None:  # a new stage begins
            stage_rows = 0
            continue
        cand, limit = cand
        n_cands = max(n_cands, tried + skipped + 1)  # the encoder's candidates come after the TF-IDF ones
        report(f"settings search ({budget:g} s budget)", tried + skipped, n_cands)
        params = {**settings, **cand}
        family = tuple(params[k] for k in ("char_ngram_min", "char_ngram_max", "char_all", "style"))
        # single-label candidates that differ only in the naive Bayes weight share their folds'
        # scores: once one has run, the others cost milliseconds and run whatever the budget
        key = (family, params["min_df"], params["C"], params["embedding"])
        if stage_rows and key not in fold_scores and clock() - start >= limit:
            skipped += 1
            continue
        tried += 1
        stage_rows += 1
        t0 = clock()
        if family not in counts:
            config = FeatureConfig(
                segmenter=params["segmenter"],
                words=params["words"],
                char_ngram_min=params["char_ngram_min"],
                char_ngram_max=params["char_ngram_max"],
                style=params["style"],
                char_all=params["char_all"],
                lists=params["lists"],
            )
            counts[family] = _Counts(texts, config)
        pred = np.zeros(Y.shape, dtype=np.int64)
        try:
            if multilabel:
                for train, test in splits:
                    X = _fold_matrix(counts[family], texts, train, params)
                    pred[test] = _fold_prediction(X, train, test, y[train], params, seed, reports)
            else:
                if key not in fold_scores:
                    parts = []
                    for train, test in splits:
                        Xt = counts[family].tfidf(train, params["min_df"])
                        X = _fold_matrix(counts[family], texts, train, params, Xt)
                        parts.append(_fold_scores(X, Xt, train, test, y[train], params, seed))
                    fold_scores[key] = parts
                for (_, test), (svm, nb, classes) in zip(splits, fold_scores[key]):
                    got = classes[np.argmax(svm + params["nb_weight"] * nb, axis=1)]
                    pred[test] = label_matrix([[g] for g in got], themes)
        except ValueError as exc:  # e.g. a fold whose training part has one class: not a candidate here
            rows.append({"settings": cand, "failed": str(exc).splitlines()[0], "seconds": round(clock() - t0, 2)})
            continue
        scores = per_theme_scores(Y, pred, themes)
        row = {
            "settings": cand,
            "macro_f1": round(float(scores["macro_f1"]), 4),
            "micro_f1": round(float(scores["micro_f1"]), 4),
            "seconds": round(clock() - t0, 2),
        }
        if not multilabel:
            row["accuracy"] = round(float(np.mean((pred == Y).all(axis=1))), 4)
        rows.append(row)
    report(f"settings search ({budget:g} s budget)", tried + skipped, tried + skipped)
    scored = [i for i, r in enumerate(rows) if metric in r]
    # ties: the earlier (simpler) one; no candidate scored at all: today's defaults
    best = max(scored, key=lambda i: (rows[i][metric], -i)) if scored else None
    chosen = rows[best]["settings"] if best is not None else {k: settings[k] for k in SEARCHED}
    record = {
        "metric": metric,
        "folds": len(splits),
        "grouped_by_report": reports is not None,
        "stand_in": "calibrated classifier with thresholds" if multilabel else "argmax of one linear SVM per class",
        "budget_s": budget,
        "fixed": _pick(fixed),
        "encoder_allowed": encoder or None,
        "candidates": rows,
        "skipped_for_budget": skipped,
        "chosen": chosen,
        "seconds": round(clock() - start, 2),
    }
    return {**settings, **chosen}, record
