"""Synthetic news streams with known truth, for validating the momentum call.

Each scenario is half a year of daily passages about several themes: a base volume with a
weekday effect (weekends at half volume), one news-heavy week (three times the volume, shares
unchanged), one week with no news at all, day-to-day wobble of every share, one theme whose
share is multiplied by ``effect`` from ``age`` days before ``as_of``, one divided by it, and the
rest steady. Multi-label: each passage carries each theme independently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from trendscore.trends.momentum import SCALE, Accumulator

THEMES = ["policy", "technology", "overseas", "regional_hub", "culture"]


@dataclass
class Scenario:
    acc: Accumulator
    as_of: dt.date
    truth: dict[str, str]
    daily: list[tuple[int, int, list[int]]]  # (day ordinal, passages, per-theme counts)


def generate(
    seed: int,
    volume: tuple[float, float] = (25, 40),
    effect: float = 2.0,
    age: tuple[int, int] = (28, 70),
    days: int = 196,
    share: tuple[float, float] = (0.2, 0.4),
    wobble: float = 0.15,
    heavy_week: bool = True,
    gap_week: bool = True,
    changing: bool = True,
) -> Scenario:
    rng = np.random.default_rng(seed)
    start = dt.date(2025, 1, 6) + dt.timedelta(days=int(rng.integers(0, 7)))
    as_of = start + dt.timedelta(days=days - 1)
    base = rng.uniform(*share, size=len(THEMES))
    lam = rng.uniform(*volume)
    rise, fall = rng.choice(len(THEMES), size=2, replace=False)
    change_day = days - int(rng.integers(age[0], age[1] + 1))
    heavy = int(rng.integers(0, days - 7))
    gap = int(rng.integers(0, days - 7))
    while heavy_week and gap_week and abs(gap - heavy) < 7:
        gap = int(rng.integers(0, days - 7))
    truth = {t: "steady" for t in THEMES}
    if changing:
        truth[THEMES[rise]], truth[THEMES[fall]] = "rising", "falling"
    acc = Accumulator(THEMES)
    daily = []
    for i in range(days):
        day = start + dt.timedelta(days=i)
        mean = lam * (0.5 if day.weekday() >= 5 else 1.0)
        if heavy_week and heavy <= i < heavy + 7:
            mean *= 3
        if gap_week and gap <= i < gap + 7:
            mean = 0.0
        n = int(rng.poisson(mean))
        p = base * np.exp(rng.normal(0.0, wobble, size=len(THEMES)))
        if changing and i >= change_day:
            p[rise] *= effect
            p[fall] /= effect
        counts = rng.binomial(n, np.clip(p, 0.0, 0.98)).tolist()
        if n:
            acc.days[day.toordinal()] = [n * SCALE] + [c * SCALE for c in counts]
            acc.records += n
        daily.append((day.toordinal(), n, counts))
    return Scenario(acc, as_of, truth, daily)


def records(scenario: Scenario) -> list[dict]:
    """The scenario as labelled records (one per passage), for tests of the whole path."""
    out = []
    for day, n, counts in scenario.daily:
        date = dt.date.fromordinal(day).isoformat()
        remaining = [list(range(c)) for c in counts]
        for i in range(n):
            labels = [t for t, r in zip(THEMES, remaining) if i < len(r)]
            out.append({"date": date, "labels": labels, "text": ""})
    return out


def naive_calls(scenario: Scenario) -> dict[str, str]:
    """Counts in the last 4 weeks against the 4 before; +/-20% is a rise or fall."""
    last = scenario.as_of.toordinal()
    recent = np.zeros(len(THEMES))
    before = np.zeros(len(THEMES))
    for day, _n, counts in scenario.daily:
        if last - 28 < day <= last:
            recent += counts
        elif last - 56 < day <= last - 28:
            before += counts
    calls = {}
    for t, r, b in zip(THEMES, recent, before):
        ratio = r / b if b else (np.inf if r else 1.0)
        calls[t] = "rising" if ratio > 1.2 else "falling" if ratio < 0.8 else "steady"
    return calls


def generate_news(
    seed: int,
    volume: tuple[float, float] = (10, 25),
    effect: float = 1.6,
    age: tuple[int, int] = (28, 70),
    days: int = 196,
    share: tuple[float, float] = (0.08, 0.30),
    changing: bool = True,
    article_size: float = 3.0,
    copies: float = 0.0,
    wobble: float = 0.0,
    weekly_wobble: float = 0.0,
    holiday: bool = False,
    shock: bool = False,
    ramp_days: int = 0,
    precision: float | None = None,
    recall: float | None = None,
    week_end_as_of: bool = False,
    reports: bool = True,
    outlet_shift: bool = False,
) -> Scenario:
    """A stream built the way news arrives, for the stress settings of issue 13.

    Articles of ``1 + Poisson(article_size)`` passages share their themes and, with ``reports``,
    name their report (as ``doc_id`` or ``url`` would); each article may be copied by other
    outlets (``copies``: mean extra copies, each 0-3 days later, with the same passages under
    another report); passages are given to the accumulator one by one, as ``score`` does.
    ``outlet_shift``: two outlets with different theme mixes, the second going from 25% to 60% of
    the articles at the change day while neither changes what it writes about.
    shares wobble day to day (``wobble``) and week to week (``weekly_wobble``, sd on the log
    scale); ``holiday`` puts two weeks at 20% volume, ``shock`` one week at 5x; a change ramps in
    over ``ramp_days``; with ``precision`` and ``recall`` the counts are what a classifier of
    that quality would report (passage by passage, copies alike).
    """
    rng = np.random.default_rng(seed)
    start = dt.date(2025, 1, 6) + dt.timedelta(days=int(rng.integers(0, 7)))
    if week_end_as_of:  # as_of on a Sunday: the current week is complete
        start += dt.timedelta(days=(6 - (start + dt.timedelta(days=days - 1)).weekday()) % 7)
    as_of = start + dt.timedelta(days=days - 1)
    k = len(THEMES)
    base = rng.uniform(*share, size=k)
    lam = rng.uniform(*volume)
    rise, fall = rng.choice(k, size=2, replace=False)
    change_day = days - int(rng.integers(age[0], age[1] + 1))
    dip = int(rng.integers(0, days - 28))
    jolt = int(rng.integers(0, days - 7))
    week_factor = np.exp(rng.normal(0.0, weekly_wobble, size=(days // 7 + 2, k)))
    b_mix = rng.choice([0.4, 2.5], size=k)  # outlet B writes far more, or far less, on each theme
    truth = {t: "steady" for t in THEMES}
    if changing:
        truth[THEMES[rise]], truth[THEMES[fall]] = "rising", "falling"
    fpr = None
    if precision is not None and recall is not None:
        # false positives per negative passage that give this precision at the base shares
        fpr = np.clip(recall * base * (1 - precision) / (precision * (1 - base)), 0.0, 0.5)
    acc = Accumulator(THEMES)
    totals = np.zeros(days, dtype=int)
    counts = np.zeros((days, k), dtype=int)
    article_totals = np.zeros(days, dtype=int)
    article_counts = np.zeros((days, k), dtype=int)
    article = 0
    for i in range(days):
        day = start + dt.timedelta(days=i)
        mean = lam * (0.5 if day.weekday() >= 5 else 1.0)
        if holiday and dip <= i < dip + 14:
            mean *= 0.2
        if shock and jolt <= i < jolt + 7:
            mean *= 5
        n_articles = int(rng.poisson(mean / (1.0 + article_size)))
        if not n_articles:
            continue
        p = base * np.exp(rng.normal(0.0, wobble, size=k)) * week_factor[i // 7]
        if changing and i >= change_day:
            step = min(1.0, (i - change_day + 1) / ramp_days) if ramp_days else 1.0
            p[rise] *= effect**step
            p[fall] /= effect**step
        sizes = 1 + rng.poisson(article_size, size=n_articles)
        if outlet_shift:  # outlet B's part of the volume grows at the change day; no outlet's mix moves
            in_b = rng.random(n_articles) < (0.6 if i >= change_day else 0.25)
            p_articles = np.where(in_b[:, None], p * b_mix, p)
        else:
            in_b = np.zeros(n_articles, dtype=bool)
            p_articles = np.broadcast_to(p, (n_articles, k))
        true = rng.random((n_articles, k)) < np.clip(p_articles, 0.0, 0.98)
        if fpr is None:
            seen = true * sizes[:, None]
        else:
            seen = np.where(true, rng.binomial(sizes[:, None], recall), rng.binomial(sizes[:, None], fpr))
        extra = rng.poisson(copies, size=n_articles) if copies else np.zeros(n_articles, dtype=int)
        for a in range(n_articles):
            article += 1
            totals[i] += sizes[a]
            counts[i] += seen[a]
            article_totals[i] += 1
            article_counts[i] += seen[a] > 0
            passages = [
                [t for j, t in enumerate(THEMES) if q < seen[a, j]] for q in range(sizes[a])
            ]  # the first seen[a, j] passages carry theme j
            for c in range(1 + extra[a]):
                d = i if c == 0 else min(days - 1, i + int(rng.integers(0, 4)))
                ordinal = (start + dt.timedelta(days=d)).toordinal()
                report = f"site{c}/a{article}" if reports else None
                outlet = (f"outlet {'B' if in_b[a] else 'A'}" if c == 0 else f"site {c}") if outlet_shift else None
                for q, labels in enumerate(passages):
                    acc.add_labels(ordinal, labels, outlet, report, f"article {article} passage {q}")
    daily = [((start + dt.timedelta(days=i)).toordinal(), int(totals[i]), counts[i].tolist()) for i in range(days)]
    sc = Scenario(acc, as_of, truth, daily)
    sc.change_day = (start + dt.timedelta(days=change_day)).toordinal()
    sc.article_daily = [
        ((start + dt.timedelta(days=i)).toordinal(), int(article_totals[i]), article_counts[i].tolist())
        for i in range(days)
    ]
    sc.effect, sc.age = effect, age
    # what a model card would say of this classifier: the share of passages not about a
    # theme that it labels with the theme
    sc.noise = None if fpr is None else {t: float(f) for t, f in zip(THEMES, fpr)}
    return sc


def oracle_z(scenario: Scenario, theme: str, baseline_days: int = 84, articles: bool = False) -> float:
    """A test told the true change day: the binomial z of the theme's share from that day on
    against the ``baseline_days`` before it (positive: the share went up). With ``articles``
    the units are articles (copies left out) carrying the theme in any passage, not passages."""
    j = THEMES.index(theme)
    c_a = n_a = c_b = n_b = 0.0
    for day, n, counts in scenario.article_daily if articles else scenario.daily:
        if day >= scenario.change_day:
            c_a, n_a = c_a + counts[j], n_a + n
        elif day >= scenario.change_day - baseline_days:
            c_b, n_b = c_b + counts[j], n_b + n
    if not n_a or not n_b:
        return 0.0
    pooled = (c_a + c_b) / (n_a + n_b)
    if pooled <= 0 or pooled >= 1:
        return 0.0
    se = (pooled * (1 - pooled) * (1 / n_a + 1 / n_b)) ** 0.5
    return (c_a / n_a - c_b / n_b) / se


def oracle_undated(
    scenario: Scenario,
    theme: str,
    baseline_days: int = 84,
    articles: bool = False,
    ages: tuple[int, int] | None = None,
) -> tuple[float, int]:
    """A test told the size of the change and the range of its age (the scenario's, or
    ``ages`` in days), but not the day: the
    log of the likelihood ratio averaged over every change day in that range and both
    directions (binomial units, each day's baseline the ``baseline_days`` before it). For
    independent units this is the most powerful test against that mixture (Neyman-Pearson), so
    no method that does not know the day can do better on average. Returns the statistic and
    the direction whose branch carries more of the ratio (+1 rise, -1 fall)."""
    j = THEMES.index(theme)
    rows = scenario.article_daily if articles else scenario.daily
    n = np.array([r[1] for r in rows], dtype=float)
    c = np.array([r[2][j] for r in rows], dtype=float)
    cn, cc = np.concatenate([[0.0], np.cumsum(n)]), np.concatenate([[0.0], np.cumsum(c)])
    last = len(rows)
    branches = {1.0: [], -1.0: []}
    low, high = ages or scenario.age
    for age in range(low, high + 1):
        d = last - age
        lo = max(0, d - baseline_days)
        n_b, c_b = cn[d] - cn[lo], cc[d] - cc[lo]
        n_a, c_a = cn[last] - cn[d], cc[last] - cc[d]
        p0 = (c_b + 0.5) / (n_b + 1.0)
        for sign in (1.0, -1.0):
            p1 = min(0.999, p0 * scenario.effect**sign)
            llr = c_a * np.log(p1 / p0) + (n_a - c_a) * np.log((1 - p1) / (1 - p0))
            branches[sign].append(llr)
    up = np.logaddexp.reduce(branches[1.0]) - np.log(len(branches[1.0]))
    down = np.logaddexp.reduce(branches[-1.0]) - np.log(len(branches[-1.0]))
    return float(np.logaddexp(up, down) - np.log(2)), 1 if up >= down else -1
