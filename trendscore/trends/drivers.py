"""What is behind a call: the named things whose weight within a theme moved most.

For a rising (falling) theme, every place, body or platform of the curated lists that the
theme's passages mention is compared between the call's recent window and its baseline: the
log-odds of a theme passage mentioning it, recent against baseline, with an informative
Dirichlet prior (each name's prior count is its share of all passages in both windows, times
:data:`PRIOR`), so that a name seen twice is not ranked above one seen forty times on the
strength of a ratio. ``z`` is that log-odds ratio over its standard error.
"""

from __future__ import annotations

import math

from trendscore.io.dates import period_of
from trendscore.trends.accumulate import SCALE

__all__ = ["theme_drivers", "PRIOR"]

#: the prior's total weight, in passages
PRIOR = 10.0


def theme_drivers(acc, freq: str, j: int, window: tuple[int, int], baseline: int, last_day: int, direction: str,
                  counts: tuple[float, float], top: int = 5) -> list[dict]:
    """The ``top`` names behind theme ``j``'s ``direction`` over ``window`` (first and last
    period) against the ``baseline`` periods before it; ``counts`` are the theme's counts in
    the two windows."""
    first, last = window
    lo = first - baseline
    sums: dict[tuple, list[float]] = {}  # name -> [theme weight recent, baseline, passages in both]
    total = 0.0
    for day, row in acc.days.items():
        if day <= last_day and lo <= period_of(day, freq) <= last:
            total += row[0] / SCALE
    for day, table in acc.mentions.items():
        if day > last_day:
            continue
        p = period_of(day, freq)
        if not lo <= p <= last:
            continue
        recent = p >= first
        for name, row in table.items():
            entry = sums.get(name)
            if entry is None:
                entry = sums[name] = [0.0, 0.0, 0.0]
            weight = row.get(j + 1, 0) / SCALE
            entry[0 if recent else 1] += weight
            entry[2] += row[0] / SCALE
    c_r, c_b = counts
    if not sums or total <= 0 or c_r <= 0 or c_b <= 0:
        return []
    rising = direction == "rising"
    ranked = []
    for (list_name, term), (y_r, y_b, seen) in sums.items():
        if (y_r if rising else y_b) < 1.0:
            continue
        alpha = max(PRIOR * seen / total, 0.01)
        delta = math.log((y_r + alpha) / (c_r + PRIOR - y_r - alpha)) - math.log(
            (y_b + alpha) / (c_b + PRIOR - y_b - alpha)
        )
        z = delta / math.sqrt(1 / (y_r + alpha) + 1 / (y_b + alpha))
        if (z > 0) == rising and z != 0:
            ranked.append((-abs(z), term, list_name, y_r, y_b, z))
    ranked.sort()
    return [
        {
            "name": term,
            "list": list_name,
            "count_recent": round(y_r, 2),
            "count_baseline": round(y_b, 2),
            "share_of_theme_recent": round(y_r / c_r, 4),
            "share_of_theme_baseline": round(y_b / c_b, 4),
            "z": round(z, 2),
        }
        for _, term, list_name, y_r, y_b, z in ranked[:top]
    ]
