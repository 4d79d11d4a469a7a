"""Choosing what to label next (uncertainty sampling with diversity) and finding seeds whose
label looks wrong (out-of-fold probabilities, the idea behind cleanlab)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from trendscore.errors import InputError
from trendscore.io.rows import keep_input_fields
from trendscore.modeling.model import Model
from trendscore.seeds.files import Seed
from trendscore.wording import counted, plural

__all__ = ["suggest", "suggest_noted", "label_issues"]


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _uncertainty(model: Model, row) -> tuple[float, str]:
    """Distance, in log-odds, from the nearest decision boundary, and the theme it is on."""
    if model.multilabel:
        return min((abs(_logit(p) - _logit(cut)), t) for t, p, cut in zip(model.themes, row, model.thresholds))
    top = sorted(zip(row, model.themes), reverse=True)
    return abs(_logit(top[0][0]) - _logit(top[1][0])), top[0][1]


def suggest(model: Model, records: Iterable[dict], n: int = 50, max_similarity: float = 0.5) -> list[dict]:
    """The ``n`` passages most worth labelling next.

    Candidates are ranked by how close they lie to a theme's decision threshold (the model is
    least sure there); a candidate is skipped when its TF-IDF cosine similarity to one already
    chosen exceeds ``max_similarity``, so the result is not a set of near-copies. Each record
    comes back with ``labels`` pre-filled with the model's guess, for a person to correct; a
    record's own ``labels`` are kept as ``labels_input`` (as ``label`` keeps them). Fewer than
    ``n`` come back when the pool runs out; :func:`suggest_noted` says why.
    """
    return suggest_noted(model, records, n, max_similarity)[0]


def suggest_noted(
    model: Model, records: Iterable[dict], n: int = 50, max_similarity: float = 0.5
) -> tuple[list[dict], list[str]]:
    """:func:`suggest`, and notes: how many of the passages chosen had labels of their own
    (kept as ``labels_input``), and why fewer than ``n`` came back (how many records had no
    text, how many passages were skipped as near copies of ones already chosen)."""
    pool, seen = [], 0
    for r in records:
        seen += 1
        if isinstance(r.get("text"), str) and r["text"].strip():
            pool.append(r)
    out, skipped, kept = _suggest(model, pool, n, max_similarity) if pool else ([], 0, 0)
    notes = []
    if kept:  # a person's labels had been replaced by the model's guess without a word
        notes.append(
            f"{kept} of the {counted(len(out), 'passage')} suggested had a 'labels' field of their own: "
            "it is kept as 'labels_input', and 'labels' holds the model's guess"
        )
    if len(out) >= n:
        return out, notes
    why = [f"the pool holds {len(pool) or 'no'} {plural(len(pool), 'passage')} with text"]
    if seen > len(pool):
        gone = seen - len(pool)
        why[0] += f" ({counted(gone, 'record')} without text left out)"
    if skipped:
        why.append(
            f"{skipped} of them {plural(skipped, 'was', 'were')} skipped as near copies of passages already "
            f"suggested (TF-IDF cosine similarity above {max_similarity:g})"
        )
    return out, [f"{len(out)} of {counted(n, 'passage')} suggested: " + ", and ".join(why), *notes]


def _suggest(model: Model, pool: list[dict], n: int, max_similarity: float) -> tuple[list[dict], int, int]:
    """The chosen records of a pool of passages with text, how many were skipped as near copies,
    and how many of the chosen had labels of their own (kept as ``labels_input``)."""
    texts = [r["text"] for r in pool]
    proba = model.predict_proba(texts)
    ranked = sorted(range(len(pool)), key=lambda i: (_uncertainty(model, proba[i])[0], i))
    row, col, w = model.featurizer.tfidf_coo(list(texts))  # TF-IDF only: the similarity is a cosine
    vectors: dict[int, dict[int, float]] = {}
    for r_, c_, w_ in zip(row.tolist(), col.tolist(), w.tolist()):
        vectors.setdefault(r_, {})[c_] = w_
    chosen: list[int] = []
    skipped = 0
    for i in ranked:
        vi = vectors.get(i, {})
        if any(sum(wt * vectors.get(j, {}).get(c, 0.0) for c, wt in vi.items()) > max_similarity for j in chosen):
            skipped += 1
            continue
        chosen.append(i)
        if len(chosen) == n:
            break
    labels = model.labels_from_proba(proba[chosen]) if chosen else []
    out, kept = [], 0
    for rank, (i, guess) in enumerate(zip(chosen, labels), 1):
        margin, theme = _uncertainty(model, proba[i])
        rec = dict(pool[i])
        if "labels" in rec:  # a person's own labels: kept beside the guess, as label keeps them
            keep_input_fields(rec, ("labels",))
            kept += 1
        rec["labels"] = guess
        rec["suggest"] = {
            "rank": rank,
            "nearest_theme": theme,
            "margin": round(margin, 3),
            "scores": {t: round(float(p), 4) for t, p in zip(model.themes, proba[i])},
        }
        out.append(rec)
    return out, skipped, kept


def label_issues(seeds: list[Seed], folds: int = 5, seed: int = 0, limit: int | None = None, **params) -> list[dict]:
    """Seeds whose given labels disagree most with out-of-fold probabilities, ranked.

    For each seed and theme, the out-of-fold probability of the label it was given is its
    self-confidence; a seed's score is its lowest self-confidence. A theme is suspect when
    that confidence is below 0.1 (the model, never having seen the seed, is at least 90% sure
    otherwise); the suggested fix flips the suspect themes, or, when every seed carries one
    label (a single-label model), is the one label the out-of-fold model gives the seed. Fewer
    than ``2 * folds`` seeds raise :class:`InputError` naming their files.
    """
    from trendscore.modeling.stamp import check_source_date_epoch
    from trendscore.modeling.training import cross_validate

    check_source_date_epoch()
    if len(seeds) < 2 * folds:
        files = list(dict.fromkeys(s.path for s in seeds))
        named = ", ".join(files[:3]) + (f" and {counted(len(files) - 3, 'more file')}" if len(files) > 3 else "")
        need = f"{counted(len(seeds), 'seed')}, and {folds}-fold label checks need at least {2 * folds}"
        raise InputError(need, named or None)
    result = cross_validate(seeds, folds=folds, seed=seed, **params)
    proba, scored, pred = result["oof_proba"], result["oof_scored"], result["oof_pred"]
    themes = sorted(result["themes"], key=list(result["themes"]).index)
    # seeds of one label each make a single-label model, whose answer is one label: the fix
    # is what the out-of-fold model answers (flipping the suspect themes had offered [] or two)
    single = all(len(s.labels) == 1 for s in seeds)
    issues = []
    for i, s in enumerate(seeds):
        if not scored[i]:  # in a fold that made no model (see cross_validate): nothing to check it by
            continue
        confidences = [(proba[i, j] if t in s.labels else 1 - proba[i, j], t) for j, t in enumerate(themes)]
        suspect = [(c, t) for c, t in confidences if c < 0.1]
        if not suspect:
            continue
        flip = {t for _, t in suspect}
        fixed = [t for t in themes if (t in s.labels) != (t in flip)]
        if single:
            fixed = [t for j, t in enumerate(themes) if pred[i, j]]
            if fixed == list(s.labels):  # unsure of its label, but of no other more
                continue
        issues.append(
            {
                "id": s.id,
                "path": s.path,
                "line": s.line,
                "text": s.text,
                "labels": list(s.labels),
                "suggested": fixed,
                "confidence": round(float(min(c for c, _ in suspect)), 4),
            }
        )
    issues.sort(key=lambda r: (r["confidence"], r["path"], r["line"]))
    return issues[:limit] if limit else issues
