"""Classification metrics and the reliability table, in numpy."""

from __future__ import annotations

import numpy as np

__all__ = ["label_matrix", "per_theme_scores", "reliability_table", "expected_calibration_error"]


def label_matrix(label_lists: list[list[str]], themes: list[str]) -> np.ndarray:
    """A 0/1 matrix of ``label_lists`` with one column per theme of ``themes``; labels
    outside ``themes`` are left out."""
    index = {t: i for i, t in enumerate(themes)}
    Y = np.zeros((len(label_lists), len(themes)), dtype=np.int64)
    for r, labels in enumerate(label_lists):
        for lab in labels:
            if lab in index:
                Y[r, index[lab]] = 1
    return Y


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def per_theme_scores(Y_true: np.ndarray, Y_pred: np.ndarray, themes: list[str], defined_only: bool = False) -> dict:
    """Precision, recall, F1 and support per theme, with micro- and macro-F1.

    With ``defined_only``, macro-F1 averages only the themes whose F1 is defined here (some
    passage is labelled or predicted with them; None when no theme is), and
    ``macro_f1_left_out`` lists the others: a theme the passages neither hold nor get would
    otherwise count as an F1 of 0. Micro-F1 is None too when no passage holds or gets any
    theme (it is undefined then, not 0).

    Examples
    --------
    >>> s = per_theme_scores(np.array([[1, 0], [0, 1]]), np.array([[1, 0], [1, 1]]), ["a", "b"])
    >>> s["themes"]["a"]["precision"], s["macro_f1"]
    (0.5, 0.8333)
    """
    out: dict = {"themes": {}}
    tps = fps = fns = 0.0
    f1s = []
    left_out = []
    for j, theme in enumerate(themes):
        t, p = Y_true[:, j] == 1, Y_pred[:, j] == 1
        tp, fp, fn = float(np.sum(t & p)), float(np.sum(~t & p)), float(np.sum(t & ~p))
        prec, rec, f1 = _prf(tp, fp, fn)
        out["themes"][theme] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(f1, 4),
            "support": int(t.sum()),
        }
        tps, fps, fns = tps + tp, fps + fp, fns + fn
        if defined_only and not tp + fp + fn:
            left_out.append(theme)
        else:
            f1s.append(f1)
    out["micro_f1"] = round(_prf(tps, fps, fns)[2], 4)
    out["macro_f1"] = round(float(np.mean(f1s)) if f1s else 0.0, 4)
    if defined_only:
        out["macro_f1"] = round(float(np.mean(f1s)), 4) if f1s else None
        if not tps + fps + fns:
            out["micro_f1"] = None
        out["macro_f1_left_out"] = left_out
    out["exact_match"] = round(float(np.mean(np.all(Y_true == Y_pred, axis=1))) if len(Y_true) else 0.0, 4)
    out["n"] = int(len(Y_true))
    return out


def reliability_table(Y_true: np.ndarray, proba: np.ndarray, bins: int = 10) -> list[dict]:
    """Predicted probability against observed frequency, pooled over themes, in equal-width bins."""
    y, p = Y_true.ravel(), proba.ravel()
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        sel = which == b
        if not sel.any():
            continue
        rows.append(
            {
                "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                "n": int(sel.sum()),
                "mean_predicted": round(float(p[sel].mean()), 4),
                "observed": round(float(y[sel].mean()), 4),
            }
        )
    return rows


def expected_calibration_error(rows: list[dict]) -> float:
    """The passage-weighted mean gap between predicted and observed rates over the bins of a
    reliability table (as :func:`reliability_table` gives), rounded to 4 places."""
    total = sum(r["n"] for r in rows)
    return round(sum(r["n"] * abs(r["mean_predicted"] - r["observed"]) for r in rows) / max(total, 1), 4)
