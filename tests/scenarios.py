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

from trendscore.trends import SCALE, Accumulator

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
