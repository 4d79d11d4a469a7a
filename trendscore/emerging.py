"""Emerging topics: what the passages that fit no theme are increasingly about.

Passages with no theme (labelled ``[]``, or given under 0.5 for every theme by the model) are
kept, a bounded sample per day (:data:`PER_DAY`, chosen by the fingerprint of their words, so
the same ones whatever the order). At scoring time those of the recent window are clustered
(TF-IDF of their words, k-means); each cluster's share of *all* passages in the recent window
is compared with the share, in the baseline, of the unthemed passages that lie as close to its
centre as its own members do. Clusters of at least :data:`MIN_PASSAGES` passages whose share
grew at least :data:`MIN_GROWTH` times are listed, with their top words and the passages
nearest their centre: candidates for a new theme (``trendscore themes``/``train`` can add one).
"""

from __future__ import annotations

import heapq
import warnings

from .dates import period_of
from .textkeys import fingerprint

__all__ = ["Unthemed", "merge_unthemed", "emerging_topics", "emerging_of", "PER_DAY", "MIN_PASSAGES", "MIN_GROWTH"]

PER_DAY = 60
MIN_PASSAGES = 8
MIN_GROWTH = 2.0
_TOP_WORDS = 8


class Unthemed:
    """A bounded, order-independent sample of the unthemed passages of each day."""

    def __init__(self, per_day: int = PER_DAY):
        self.per_day = per_day
        self.days: dict[int, list] = {}  # day -> heap of (-fingerprint, text, source)
        self.counts: dict[int, int] = {}  # day -> unthemed passages seen (sampled or not)

    def add(self, day: int | None, text, source=None) -> None:
        """Count one unthemed passage of ``day`` and offer it to that day's sample; undated
        passages, non-text and texts without a fingerprint are ignored."""
        if day is None or not isinstance(text, str):
            return
        fp = fingerprint(text)
        if fp is None:
            return
        self.counts[day] = self.counts.get(day, 0) + 1
        self.offer(day, (-fp, text[:2000], source if isinstance(source, str) else ""))

    def offer(self, day: int, item: tuple) -> None:
        """Keep ``item`` in the day's sample if its fingerprint ranks among the kept ones (a
        copy of a passage already kept is not kept twice)."""
        heap = self.days.setdefault(day, [])
        if any(held[0] == item[0] for held in heap):
            return
        if len(heap) < self.per_day:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)


def merge_unthemed(mine: Unthemed, other: Unthemed) -> None:
    """Add ``other``'s sample to ``mine`` as if one had seen both (the sample is chosen by
    fingerprint, so the result does not depend on the split)."""
    for day, heap in other.days.items():
        for item in heap:
            mine.offer(day, item)
    for day, n in other.counts.items():
        mine.counts[day] = mine.counts.get(day, 0) + n


def _words(texts: list[str]) -> list[list[str]]:
    from .features import Segmenter
    from .text import normalize_many

    cut = Segmenter("rjieba").cut
    out = []
    for text in normalize_many(texts):
        out.append([w for w in cut(text) if len(w.strip()) >= 2 and not w.strip().isdigit()])
    return out


def emerging_topics(unthemed: Unthemed, totals: tuple[float, float], window, baseline_window, period_of) -> list[dict]:
    """The growing clusters of the unthemed passages of ``window`` (first and last period)
    against ``baseline_window``; ``totals`` are all passages in the two windows and
    ``period_of(day)`` maps a day to its period."""
    import numpy as np

    recent, base = [], []
    scale_r = scale_b = 0.0  # sampled passages stand for this many unthemed passages
    for day, heap in unthemed.days.items():
        p = period_of(day)
        weight = unthemed.counts[day] / len(heap)
        if window[0] <= p <= window[1]:
            recent += [(text, source or None, weight) for _, text, source in heap]
            scale_r += weight * len(heap)
        elif baseline_window[0] <= p <= baseline_window[1]:
            base += [(text, source or None, weight) for _, text, source in heap]
            scale_b += weight * len(heap)
    if len(recent) < 2 * MIN_PASSAGES or totals[0] <= 0 or totals[1] <= 0:
        return []
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = _words([t for t, _, _ in recent] + [t for t, _, _ in base])
    vectorizer = TfidfVectorizer(analyzer=lambda ws: ws, min_df=2, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(words)
    except ValueError:  # no word in two passages
        return []
    vocab = np.array(vectorizer.get_feature_names_out())
    x_r, x_b = matrix[: len(recent)], matrix[len(recent) :]
    k = int(min(8, max(2, len(recent) // 20)))
    with warnings.catch_warnings():  # news repeats itself: fewer distinct passages than clusters is fine
        warnings.simplefilter("ignore", ConvergenceWarning)
        km = KMeans(n_clusters=k, n_init=3, random_state=0).fit(x_r)
    centres = km.cluster_centers_ / np.maximum(np.linalg.norm(km.cluster_centers_, axis=1, keepdims=True), 1e-12)
    sim_r = np.asarray(x_r @ centres.T)
    sim_b = np.asarray(x_b @ centres.T) if x_b.shape[0] else np.zeros((0, k))
    w_r = np.array([w for _, _, w in recent])
    w_b = np.array([w for _, _, w in base]) if base else np.zeros(0)
    out = []
    for c in range(k):
        members = np.flatnonzero(km.labels_ == c)
        if len(members) < MIN_PASSAGES:
            continue
        cut = 0.8 * float(np.median(sim_r[members, c]))
        if cut <= 0:
            continue
        near_b = np.flatnonzero((sim_b[:, c] >= cut) & (sim_b.argmax(axis=1) == c)) if len(base) else np.zeros(0, int)
        count_r = float(w_r[members].sum())
        count_b = float(w_b[near_b].sum()) if len(near_b) else 0.0
        share_r, share_b = count_r / totals[0], (count_b + 1.0) / (totals[1] + 1.0)
        growth = share_r / share_b
        if growth < MIN_GROWTH:
            continue
        order = members[np.argsort(-sim_r[members, c])]
        top = vocab[np.argsort(-centres[c])[:_TOP_WORDS]].tolist()
        out.append(
            {
                "words": top,
                "passages_recent": round(count_r, 1),
                "passages_baseline": round(count_b, 1),
                "share_recent": round(share_r, 4),
                "share_baseline": round(count_b / totals[1], 4),
                "growth": round(growth, 2),
                "examples": [{"text": recent[i][0][:300], "source": recent[i][1]} for i in order[:3]],
            }
        )
    out.sort(key=lambda r: (-r["growth"], -r["passages_recent"]))
    return out


def emerging_of(acc, result, totals: dict[int, list[float]], cur: int) -> list[dict]:
    """Growing clusters of the accumulator's unthemed passages in the score's default recent
    window ending at period ``cur``; ``totals`` are the passages per period (``[n, ...]``)."""
    unthemed = acc.unthemed
    if not unthemed.days:
        return []
    freq, cfg = result.freq, result.settings
    window = (cur - cfg["recent"] + 1, cur)
    base = (window[0] - cfg["baseline"], window[0] - 1)
    passages = [sum(row[0] for p, row in totals.items() if first <= p <= last) for first, last in (window, base)]
    return emerging_topics(unthemed, (passages[0], passages[1]), window, base, lambda day: period_of(day, freq))
