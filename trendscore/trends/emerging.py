"""Emerging topics: what the passages that fit no theme are increasingly about.

Passages with no theme (labelled ``[]``, or given under 0.5 for every theme by the model) are
kept, a bounded sample per day (:data:`PER_DAY`, chosen by the fingerprint of their words, so
the same ones whatever the order), for the days a score can still use (:class:`Reach`: the
recent window and its baseline, so a span of decades keeps a few months). At scoring time
those of the recent window are clustered (TF-IDF of their words, k-means; in numpy, so
scoring never waits seconds for scikit-learn to import); each cluster's share of *all*
passages in the recent window is compared with the share, in the baseline, of the unthemed
passages that lie as close to its centre as its own members do. Clusters of at least
:data:`MIN_PASSAGES` passages whose share grew at least :data:`MIN_GROWTH` times are listed,
with their top words and the passages nearest their centre: candidates for a new theme
(``trendscore themes``/``train`` can add one).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from trendscore.io.dates import period_of

__all__ = [
    "Reach",
    "Unthemed",
    "merge_unthemed",
    "emerging_topics",
    "emerging_of",
    "PER_DAY",
    "MIN_PASSAGES",
    "MIN_GROWTH",
]

PER_DAY = 60
MIN_PASSAGES = 8
MIN_GROWTH = 2.0
_TOP_WORDS = 8


@dataclass(frozen=True)
class Reach:
    """The days whose unthemed passages a score can still use: those of the last ``periods``
    periods of ``freq`` up to the period of ``last_day`` (a day number), or, with ``last_day``
    None, up to the period of the latest day offered (a score's last day is never earlier)."""

    freq: str
    periods: int
    last_day: int | None = None


class Unthemed:
    """A bounded, order-independent sample of the unthemed passages of each day; with a
    :class:`Reach`, only of the days within it (others are neither sampled nor counted)."""

    def __init__(self, per_day: int = PER_DAY, reach: Reach | None = None):
        self.per_day = per_day
        self.reach = reach
        # the periods kept: from _first (None: any), to _last (None: any)
        self._first: int | None = None
        self._last: int | None = None
        if reach is not None and reach.last_day is not None:
            self._last = period_of(reach.last_day, reach.freq)
            self._first = self._last - reach.periods + 1
        self.days: dict[int, list] = {}  # day -> heap of (-fingerprint, text, source)
        self.counts: dict[int, int] = {}  # day -> unthemed passages seen (sampled or not), copies folded
        #: day -> fingerprints of sampled passages that turned out to be copies of an earlier day's
        self.copies: dict[int, set[int]] = {}
        self._kept: dict[int, dict[int, tuple]] = {}  # day -> -fingerprint -> the item in the heap

    def add_print(self, day: int, fp: int, text: str, source=None) -> None:
        """Count one unthemed passage of ``day`` (its fingerprint ``fp``) and offer it to that
        day's sample (the accumulator calls this, and folds the passage's copies later)."""
        if self.reach is not None and not self._within(day):
            return
        self.counts[day] = self.counts.get(day, 0) + 1
        self.offer(day, (-fp, text[:2000], source if isinstance(source, str) else ""))

    def fold(self, day: int, fp: int, kept_day: int) -> None:
        """A passage of ``day`` counted here was found to be a copy of one kept on
        ``kept_day`` (the accumulator decides which copies fold): it is no longer counted,
        and if it is in the day's sample it stands for nothing there (a copy on the same day
        shares its sample entry with the one kept)."""
        if self.counts.get(day, 0) > 0:
            self.counts[day] -= 1
        if day != kept_day and -fp in self._kept.get(day, ()):
            self.copies.setdefault(day, set()).add(fp)

    def sample(self, day: int) -> list:
        """The day's sampled passages that are not copies, in a fixed order."""
        copies = self.copies.get(day, ())
        return sorted(item for item in self.days[day] if -item[0] not in copies)

    def _within(self, day: int) -> bool:
        """Whether ``day`` is in the reach; a day later than any before moves an open-ended
        reach on, and the days that fall out of it are dropped."""
        reach = self.reach
        assert reach is not None
        period = period_of(day, reach.freq)
        if reach.last_day is None and (self._last is None or period > self._last):
            self._last = period
            self._first = period - reach.periods + 1
            for old in [d for d in self.days if period_of(d, reach.freq) < self._first]:
                for table in (self.days, self.counts, self.copies, self._kept):
                    table.pop(old, None)
        assert self._first is not None and self._last is not None
        return self._first <= period <= self._last

    @property
    def kept(self) -> int:
        """Passages held in the samples, all days together."""
        return sum(len(heap) for heap in self.days.values())

    def offer(self, day: int, item: tuple) -> None:
        """Keep ``item`` in the day's sample if its fingerprint ranks among the kept ones (a
        copy of a passage already kept is not kept twice: of two, the lesser by text and outlet,
        whatever the order they came in)."""
        if day not in self.days and self.reach is not None and not self._within(day):
            return
        heap = self.days.setdefault(day, [])
        kept = self._kept.setdefault(day, {})
        held = kept.get(item[0])
        if held is not None:
            if item < held:
                heap[heap.index(held)] = item
                heapq.heapify(heap)
                kept[item[0]] = item
            return
        if len(heap) < self.per_day:
            heapq.heappush(heap, item)
            kept[item[0]] = item
        elif item > heap[0]:
            del kept[heapq.heapreplace(heap, item)[0]]
            kept[item[0]] = item


def merge_unthemed(mine: Unthemed, other: Unthemed) -> None:
    """Add ``other``'s sample to ``mine`` as if one had seen both (the sample is chosen by
    fingerprint, so the result does not depend on the split)."""
    for day, heap in other.days.items():
        for item in heap:
            mine.offer(day, item)
    for day, n in other.counts.items():
        if day in mine.days:  # each counted day has a sample; a day out of reach has neither
            mine.counts[day] = mine.counts.get(day, 0) + n
    for day, fps in other.copies.items():
        if day in mine.days:
            mine.copies.setdefault(day, set()).update(fps)


def _words(texts: list[str]) -> list[list[str]]:
    from trendscore.text.features import get_segmenter
    from trendscore.text.normalise import normalize_many

    cut = get_segmenter("rjieba").cut
    out = []
    for text in normalize_many(texts):
        out.append([w for w in cut(text) if len(w.strip()) >= 2 and not w.strip().isdigit()])
    return out



@dataclass
class _Rows:
    """Sparse rows (CSR arrays) of unit length, and the words of their columns."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    vocab: np.ndarray

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    def rows(self, first: int, last: int) -> _Rows:
        lo, hi = self.indptr[first], self.indptr[last]
        return _Rows(self.indptr[first : last + 1] - lo, self.indices[lo:hi], self.data[lo:hi], self.vocab)

    def dot(self, dense: np.ndarray) -> np.ndarray:
        """``rows @ dense.T`` for a few dense rows (the cluster centres)."""
        out = np.zeros((self.n, dense.shape[0]))
        if not len(self.data):
            return out
        products = dense[:, self.indices] * self.data  # (centres, stored values)
        starts = self.indptr[:-1]
        filled = starts < self.indptr[1:]
        out[filled] = np.add.reduceat(products, starts[filled], axis=1).T
        return out


def _tfidf(docs: list[list[str]]) -> _Rows | None:
    """TF-IDF of words found in at least two passages: ``1 + log tf`` times the smoothed
    ``1 + log((1 + n) / (1 + df))``, each row scaled to unit length; None without such words."""
    df: dict[str, int] = {}
    for words in docs:
        for w in set(words):
            df[w] = df.get(w, 0) + 1
    vocab = sorted(w for w, d in df.items() if d >= 2)
    if not vocab:
        return None
    column = {w: i for i, w in enumerate(vocab)}
    idf = np.array([1.0 + math.log((1 + len(docs)) / (1 + df[w])) for w in vocab])
    indptr: list[int] = [0]
    indices: list[int] = []
    data: list[float] = []
    for words in docs:
        tf: dict[int, int] = {}
        for w in words:
            j = column.get(w)
            if j is not None:
                tf[j] = tf.get(j, 0) + 1
        cols = sorted(tf)
        vals = np.array([(1.0 + math.log(tf[j])) * idf[j] for j in cols])
        norm = float(np.sqrt((vals**2).sum())) if cols else 0.0
        indices += cols
        data += (vals / norm).tolist() if norm > 0 else []
        indptr.append(len(indices))
    return _Rows(np.array(indptr), np.array(indices, dtype=np.int64), np.array(data), np.array(vocab))


def _kmeans(x: _Rows, k: int, tries: int = 3, rounds: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean k-means of unit rows: k-means++ starts from a fixed seed, the best of
    ``tries`` by the summed squared distance; centres (dense) and each row's cluster."""
    rng = np.random.default_rng(0)
    squares = np.zeros(x.n)
    np.add.at(squares, np.repeat(np.arange(x.n), np.diff(x.indptr)), x.data**2)
    def row(i: int) -> np.ndarray:
        out = np.zeros(len(x.vocab))
        out[x.indices[x.indptr[i] : x.indptr[i + 1]]] = x.data[x.indptr[i] : x.indptr[i + 1]]
        return out

    best = None
    for _ in range(tries):
        centres = np.zeros((k, len(x.vocab)))
        centres[0] = row(int(rng.integers(x.n)))
        nearest = squares - 2 * x.dot(centres[:1])[:, 0] + centres[0] @ centres[0]
        for c in range(1, k):
            weights = np.maximum(nearest, 0.0)
            pick = int(rng.choice(x.n, p=weights / weights.sum())) if weights.sum() > 0 else int(rng.integers(x.n))
            centres[c] = row(pick)
            nearest = np.minimum(nearest, squares - 2 * x.dot(centres[c : c + 1])[:, 0] + centres[c] @ centres[c])
        labels = np.full(x.n, -1)
        for _ in range(rounds):
            dist = squares[:, None] - 2 * x.dot(centres) + (centres**2).sum(axis=1)[None, :]
            new = dist.argmin(axis=1)
            if np.array_equal(new, labels):
                break
            labels = new
            sums = np.zeros_like(centres)
            owner = np.repeat(labels, np.diff(x.indptr))
            np.add.at(sums, (owner, x.indices), x.data)
            sizes = np.bincount(labels, minlength=k)
            kept = sizes > 0  # an emptied cluster keeps its centre
            centres[kept] = sums[kept] / sizes[kept, None]
        inertia = float(np.maximum(dist[np.arange(x.n), labels], 0.0).sum())
        if best is None or inertia < best[0]:
            best = (inertia, centres.copy(), labels.copy())
    assert best is not None
    return best[1], best[2]

def emerging_topics(unthemed: Unthemed, totals: tuple[float, float], window, baseline_window, period_of) -> list[dict]:
    """The growing clusters of the unthemed passages of ``window`` (first and last period)
    against ``baseline_window``; ``totals`` are all passages in the two windows and
    ``period_of(day)`` maps a day to its period."""
    import numpy as np

    recent, base = [], []
    scale_r = scale_b = 0.0  # sampled passages stand for this many unthemed passages
    for day in sorted(unthemed.days):  # in a fixed order: the clustering depends on it, the split must not
        heap = unthemed.sample(day)
        if not heap or unthemed.counts[day] <= 0:
            continue
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
    matrix = _tfidf(_words([t for t, _, _ in recent] + [t for t, _, _ in base]))
    if matrix is None:  # no word in two passages
        return []
    vocab = matrix.vocab
    x_r, x_b = matrix.rows(0, len(recent)), matrix.rows(len(recent), matrix.n)
    k = int(min(8, max(2, len(recent) // 20)))
    km_centres, km_labels = _kmeans(x_r, k)
    centres = km_centres / np.maximum(np.linalg.norm(km_centres, axis=1, keepdims=True), 1e-12)
    sim_r = x_r.dot(centres)
    sim_b = x_b.dot(centres) if x_b.n else np.zeros((0, k))
    w_r = np.array([w for _, _, w in recent])
    w_b = np.array([w for _, _, w in base]) if base else np.zeros(0)
    out = []
    for c in range(k):
        members = np.flatnonzero(km_labels == c)
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
