"""A time-split evaluation: train on the past, test on the later real reports.

Seeds that carry a ``url`` are passages of real reports; the others were written for the
project. The model is trained on every written seed plus the real reports dated before
``cutoff``, and tested on the real reports dated from ``cutoff`` to ``end``. All passages of
one report (one url) fall on one side, by the report's earliest date. Real reports after
``end`` are left out of both sides. Dates are read as every input's dates are
(:func:`~trendscore.io.dates.parse_date`: ``2024/8/1``, ``20240801``, ``2024年8月1日`` ...);
a report whose date does not parse is undated, left out, and counted (:func:`undated_reports`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from trendscore.errors import OneLabel, SeedError
from trendscore.io.dates import parse_date
from trendscore.modeling.metrics import label_matrix, per_theme_scores
from trendscore.seeds.files import Seed

__all__ = ["CUTOFF", "END", "choose_window", "split_by_time", "time_split", "undated_reports"]

CUTOFF = "2024-07-01"
END = "2024-12-31"
#: fewest real test passages for a time split worth reporting
MIN_TEST = 30


def _iso_day(value) -> str | None:
    """A seed's date as ``YYYY-MM-DD``, read as every input's dates are; None when it has none
    or it does not parse. Written otherwise (``2024/8/1``, ``20240801``), a date compared as
    text had put its report on the wrong side of the cutoff, or on neither."""
    day = parse_date(value)
    return None if day is None else dt.date.fromordinal(day).isoformat()


def split_by_time(seeds: list[Seed], cutoff: str = CUTOFF, end: str = END) -> tuple[list[int], list[int]]:
    """Indices of the training and test seeds.

    >>> mk = lambda i, d, u: Seed(str(i), "t", (), d, None, None, "f", i, (), u)
    >>> split_by_time([mk(0, "2024-01-02", "a"), mk(1, "2024/8/1", "a"), mk(2, "20240909", "b"),
    ...                mk(3, None, None), mk(4, "2025-03-01", "c")])
    ([0, 1, 3], [2])
    """
    cutoff, end = _iso_day(cutoff) or cutoff, _iso_day(end) or end
    first: dict[str, str] = {}
    for s in seeds:
        day = _iso_day(s.date) if s.url else None
        if s.url and day is not None:
            first[s.url] = min(first.get(s.url, day), day)
    train, test = [], []
    for i, s in enumerate(seeds):
        if not s.url:
            train.append(i)
            continue
        day = first.get(s.url)
        if day is None:
            continue  # a real report without a date cannot be placed in time
        if day < cutoff:
            train.append(i)
        elif day <= end:
            test.append(i)
    return train, test


def undated_reports(seeds: list[Seed]) -> dict | None:
    """The real-report seeds a time split leaves out because their report has no date that
    parses as a day (missing, ``3天前``, ``2024-13-45``): ``{"seeds": count, "first":
    "FILE:LINE", "date": the first one's date as written}``; None when every report is dated.
    They had been left out without a word, the figure resting on fewer seeds than the user had.

    >>> mk = lambda i, d, u: Seed(str(i), "t", (), d, None, None, "f.jsonl", i + 1, (), u)
    >>> undated_reports([mk(0, "2024-01-02", "a"), mk(1, "3天前", "b"), mk(2, "3天前", "a"), mk(3, None, "c")])
    {'seeds': 2, 'first': 'f.jsonl:2', 'date': '3天前'}
    """
    placed = {s.url for s in seeds if s.url and _iso_day(s.date) is not None}
    left = [s for s in seeds if s.url and s.url not in placed]
    if not left:
        return None
    return {"seeds": len(left), "first": f"{left[0].path}:{left[0].line}", "date": left[0].date}


def choose_window(seeds: list[Seed], share: float = 0.25) -> tuple[str, str] | None:
    """The test window of a time split for these seeds: 2024-07-01..2024-12-31 when at least
    :data:`MIN_TEST` real-report passages fall in it (the bundled themes' split), otherwise the
    latest ``share`` of the real reports by date (a user's own seeds); None when the seeds do
    not hold enough dated real reports for either.

    >>> mk = lambda i, d: Seed(str(i), "t", (), d, None, None, "f", i, (), f"u{i}")
    >>> choose_window([mk(i, f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}") for i in range(160)])
    ('2023-05-09', '2023-06-20')
    """
    if len(split_by_time(seeds)[1]) >= MIN_TEST:
        return CUTOFF, END
    dated = {s.url: day for s in seeds if s.url and (day := _iso_day(s.date)) is not None}
    days = sorted(dated.values())
    if not days:
        return None
    cutoff = days[int(len(days) * (1 - share))] if len(days) > 1 else days[0]
    window = (cutoff, days[-1])
    train, test = split_by_time(seeds, *window)
    return window if len(test) >= MIN_TEST and train else None


def _group_scores(Y, pred, themes, keys) -> dict:
    out = {}
    for key in sorted(set(keys)):
        sel = np.array([k == key for k in keys])
        out[key] = per_theme_scores(Y[sel], pred[sel], themes)
    return out


def time_split(
    seeds: list[Seed], cutoff: str = CUTOFF, end: str = END, seed: int = 0, themes: list[str] | None = None, **params
) -> dict:
    """Figures of a model trained on the past and tested on later real reports.

    Returns per-theme and macro figures, the same by language, the sizes of both sides, the
    real-report seeds left out undated (``undated``, see :func:`undated_reports`; only when
    there are some), and for each test passage its index, probabilities and predicted labels (for error analysis).
    ``themes`` fixes the model's themes, as in :func:`~trendscore.modeling.fitting.fit_model`.
    A theme that only the test side carries (single-label seeds, or labels of the user's own)
    is scored as never predicted (probability 0) and listed in ``not_in_training``.
    Raises :class:`SeedError` when the test side is too small or the training side empty, and
    :class:`~trendscore.errors.OneLabel` when the training side is single-label seeds of one
    label (no model can be fitted on it).
    """
    from trendscore.modeling.fitting import fit_model
    from trendscore.seeds.files import model_themes

    train_idx, test_idx = split_by_time(seeds, cutoff, end)
    if len(test_idx) < MIN_TEST:
        raise SeedError(f"only {len(test_idx)} real-report seeds dated {cutoff}..{end}; a time split needs {MIN_TEST}")
    train = [seeds[i] for i in train_idx]
    if not train:
        raise SeedError(
            f"no seed comes before {cutoff} (written ones or earlier real reports): a time split needs a model "
            "trained on them"
        )
    try:
        model = fit_model(train, seed=seed, themes=themes, **params)
    except OneLabel as exc:
        raise OneLabel(
            f"the {len(train)} seeds before {cutoff} (written ones and earlier real reports) all carry the one "
            f"label {exc.label!r}: a time split needs a model of two labels or more trained on them",
            exc.label,
        ) from None
    themes = model_themes(seeds, themes)
    test = [seeds[i] for i in test_idx]
    proba = model.predict_proba([s.text for s in test])
    labels = model.labels_from_proba(proba)
    Y = label_matrix([list(s.labels) for s in test], themes)
    pred = label_matrix(labels, themes)
    # a theme only the later reports carry (a single-label model knows only the classes its
    # seeds use) is one the model never predicts: probability 0, recall 0
    unlearned = [t for t in themes if t not in model.themes]
    scores = per_theme_scores(Y, pred, themes)
    scores["by_lang"] = _group_scores(Y, pred, themes, [s.lang or "unknown" for s in test])
    scores["cutoff"], scores["end"] = cutoff, end
    scores["train"] = {"passages": len(train_idx), "real": sum(1 for i in train_idx if seeds[i].url)}
    scores["test"] = {"passages": len(test_idx), "reports": len({s.url for s in test})}
    scores["test_index"] = test_idx
    undated = undated_reports(seeds)
    if undated is not None:
        scores["undated"] = undated
    if unlearned:
        scores["not_in_training"] = unlearned
    full = np.zeros((len(test), len(themes)))
    for j, t in enumerate(themes):
        if t in model.themes:
            full[:, j] = np.asarray(proba)[:, model.themes.index(t)]
    scores["test_proba"] = full
    scores["test_pred"] = pred
    return scores
