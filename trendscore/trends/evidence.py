"""The evidence behind a momentum call: windows of counts, the test of a share change, the
over-dispersion between periods, and the scan's critical value found by simulation.

A window holds, for one theme, the passages ``n`` and theme count ``c`` and the sums over its
units of evidence (single passages, or whole reports) of ``n_u^2``, ``c_u n_u`` and ``c_u^2``.
From these come the variance of the window's theme count about a share ``p`` that treats
each report as one unit (``sum n_u^2`` in place of the binomial ``n``), and how much more or
less the theme's units actually spread (``kappa``: below 1 for soft counts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Window",
    "share_test",
    "spread_ratio",
    "dispersion_estimate",
    "scan_threshold",
    "scan_draws",
    "mixture_evidence",
    "NO_TEST",
]

NO_TEST = {"delta": 0.0, "var": math.inf, "z": 0.0, "se0": math.inf, "interval": None}
_SIMULATIONS = 20_000


@dataclass
class Window:
    """The evidence of one theme over a span of periods: theme count ``c``, passages ``n``
    and the unit sums ``snn``, ``scn``, ``scc`` (see the module docstring)."""

    c: float = 0.0
    n: float = 0.0
    snn: float = 0.0
    scn: float = 0.0
    scc: float = 0.0

    def add(self, other: Window) -> None:
        """Add another window's counts and sums to this one."""
        self.c += other.c
        self.n += other.n
        self.snn += other.snn
        self.scn += other.scn
        self.scc += other.scc

    def spread(self, p: float) -> float:
        """``sum (c_u - p n_u)^2`` over the window's units of evidence."""
        return max(self.scc - 2 * p * self.scn + p * p * self.snn, 0.0)

    def variance(self, p: float, kappa: float = 1.0) -> float:
        """Variance of the count about share ``p`` when units are independent: binomial for
        units of one passage, ``sum n_u^2`` in place of ``n`` for reports, times ``kappa``
        (how far the theme's units spread compared with that; below 1 for soft counts).
        It does not depend on the window's own count, so a fall and a rise are judged alike."""
        return kappa * p * (1 - p) * self.snn


def spread_ratio(windows: Sequence[Window]) -> float:
    """``kappa``: the units' squared departures from the theme's share over what
    :meth:`Window.variance` expects with ``kappa`` 1, from the given windows together; within
    0.1-25, and 1 when there is no share to judge by."""
    total = Window()
    for w in windows:
        total.add(w)
    if total.n <= 0:
        return 1.0
    p = total.c / total.n
    expected = p * (1 - p) * total.snn
    return min(max(total.spread(p) / expected, 0.1), 25.0) if expected > 1e-9 else 1.0


def share_test(r: Window, b: Window, phi: float, kappa: float = 1.0, noise: float = 0.0) -> dict:
    """Recent window ``r`` against baseline ``b``.

    ``z`` is a score statistic: the difference of shares over its standard error under no
    change (both windows at the pooled share), so a fall and a rise of the same evidence get
    the same ``|z|``. ``delta`` is the log share ratio, with one pseudo-passage at the pooled
    share split between the windows by size (finite logs; a theme never seen has ratio one);
    where one window holds under half an independent passage of the theme (its count over the
    reports' sizes, ``kappa`` and ``phi``) and the other more, that window counts half of one,
    up to the other window's share (``raised`` says so). ``var`` is the variance of the observed log ratio:
    binomial, with reports' sizes and ``kappa`` as in :meth:`Window.variance`, times the
    over-dispersion ``phi``; ``interval`` its 95% ends. ``noise`` is the share a classifier
    gives passages *not* about the theme (its false-positive rate, or mean probability on
    them): ``delta`` and the interval are taken net of it (for the interval, each window's
    share moved by its part of the half-width, then netted), so false positives, which are
    the same in both windows, do not flatten a change. Where a window's lower end is within
    the noise, its own share may be nil and the interval is open on that side: ``-inf`` for
    the recent window, ``inf`` for the baseline. Neither ``z`` nor ``var`` depends on ``noise``.
    """
    if r.n <= 0 or b.n <= 0:
        return dict(NO_TEST)
    total = r.n + b.n
    p0 = (r.c + b.c) / total
    var0 = phi * (r.variance(p0, kappa) / r.n**2 + b.variance(p0, kappa) / b.n**2)
    diff = r.c / r.n - b.c / b.n
    z = diff / math.sqrt(var0) if var0 > 1e-18 else 0.0
    pooled = (r.c + b.c + 0.5) / (total + 1.0)
    w_r, w_b = r.n / total, b.n / total
    a_r, a_b = r.c + w_r * pooled, b.c + w_b * pooled
    m_r, m_b = r.n + w_r, b.n + w_b
    # passages per independent passage's worth of evidence in each window: reports' sizes,
    # the spread ratio and the over-dispersion
    g_r, g_b = max(phi * kappa * r.snn / r.n, 1e-12), max(phi * kappa * b.snn / b.n, 1e-12)
    e_r, e_b = a_r / g_r, a_b / g_b  # the windows' counts in independent passages
    raised = min(e_r, e_b) < 0.5 <= max(e_r, e_b)
    if raised:
        # one window (nearly) without the theme against one with it: half an independent
        # passage, so the interval's end for none comes near the exact one (Poisson's 3.7 / n),
        # but never a share beyond the other window's. The pseudo-passage alone (hundredths of
        # a passage) gave a theme that vanished from 20% an interval of 0.00-2.3 beside z -13.7
        if e_r < e_b:
            a_r = max(a_r, min(0.5 * g_r, a_b / m_b * m_r))
        else:
            a_b = max(a_b, min(0.5 * g_b, a_r / m_r * m_b))
    s_r, s_b = a_r / m_r, a_b / m_b
    var_r, var_b = g_r * max(1 / a_r - 1 / m_r, 0.0), g_b * max(1 / a_b - 1 / m_b, 0.0)
    var = max(var_r + var_b, 1e-12)

    def net_log(share: float, step: float) -> float:
        # net of a classifier's false positives: the share of passages truly about the theme
        # is (observed - noise) / (recall-like rate), and the rate cancels in the ratio
        share *= math.exp(min(max(step, -700.0), 700.0))
        return math.log(max(share - noise, share / 20, 1e-300))

    def within_noise(share: float, step: float) -> bool:
        # the share at this end is no more than the classifier's false positives (net_log's
        # floor): the theme's own share there may be nil, so the ratio has no bound that way
        share *= math.exp(min(max(step, -700.0), 700.0))
        return noise > 0 and share - noise <= share / 20

    delta = net_log(s_r, 0.0) - net_log(s_b, 0.0)
    interval = None
    if r.c + b.c > 0:  # a theme never seen in either window has no interval to give
        # the half-width of the observed log ratio, shared between the windows by their own
        # spread, each window's share moved by its part and then taken net: with no noise the
        # usual interval, and a baseline whose lower end nears the noise widens the upper end
        half = 1.96 * math.sqrt(var)
        sd_r, sd_b = math.sqrt(var_r), math.sqrt(var_b)
        part = sd_r / (sd_r + sd_b) if sd_r + sd_b > 0 else 0.5
        h_r, h_b = half * part, half * (1 - part)
        low_r, high_r = math.log(s_r) - h_r, math.log(s_r) + h_r
        low_b, high_b = math.log(s_b) - h_b, math.log(s_b) + h_b
        if within_noise(s_r, -h_r):
            low = -math.inf
        elif within_noise(s_b, h_b):  # the share before is within the noise even at its upper end:
            low = low_r - high_b  # netting would rest on the floor; the plain ratio is the safe end
        else:
            low = net_log(s_r, -h_r) - net_log(s_b, h_b)
        if within_noise(s_b, -h_b):
            high = math.inf
        elif within_noise(s_r, h_r):
            high = high_r - low_b
        else:
            high = net_log(s_r, h_r) - net_log(s_b, -h_b)
        interval = (low, high)
    return {"delta": delta, "var": var, "z": z, "se0": math.sqrt(var0), "interval": interval, "raised": raised}


def dispersion_estimate(periods: list[list[Window]], kappas: list[float]) -> tuple[float, float]:
    """Over-dispersion between periods, pooled over themes, and how firmly it is known.

    ``periods[t][j]`` is theme j in baseline period t, ``kappas[j]`` its spread ratio. Each
    theme's squared departures of period counts from its share, summed over themes, over the
    variance the units of evidence explain (scaled by T/(T-1) for the share being estimated):
    at least 1 and at most 25; 1 with fewer than three periods with passages. The second value
    is the estimate's degrees of freedom, (T - 1) per theme that has a share to judge by
    (infinite without an estimate), also at the floor of 1: :func:`scan_threshold` allows for
    the floor itself.
    """
    used = [row for row in periods if row and row[0].n > 0]
    t = len(used)
    if t < 3:
        return 1.0, math.inf
    num = den = 0.0
    themes = 0
    for j in range(len(used[0])):
        n = sum(row[j].n for row in used)
        p = sum(row[j].c for row in used) / n
        if not 0 < p < 1:
            continue
        themes += 1
        num += sum((row[j].c - p * row[j].n) ** 2 for row in used)
        den += sum(row[j].variance(p, kappas[j]) for row in used)
    if den <= 1e-12:
        return 1.0, math.inf
    phi = min(max(1.0, num / den * t / (t - 1)), 25.0)
    return phi, float((t - 1) * themes)


def scan_threshold(
    variances: np.ndarray,
    totals: np.ndarray,
    windows: list[tuple[int, int]],
    baseline: int,
    alpha: float,
    df: float = math.inf,
    phi: float | None = None,
) -> float:
    """Critical ``|z|`` of the scan: the (1 - alpha) quantile of the largest ``|z|`` over the
    scanned windows when nothing changes, by simulation.

    ``variances[t]`` and ``totals[t]`` are a theme's count variance and passages in period t
    (oldest first, the current period last); ``windows`` are ``(length, index)`` pairs of the
    scanned recent windows ending at the last period, each compared with the ``baseline``
    periods before it. Counts depart from the share by independent normal amounts of those
    variances; the draws are the same on every call (a fixed seed), so a score is repeatable.
    With finite ``df`` the over-dispersion that scales every ``z`` is itself an estimate on
    ``df`` degrees of freedom: each draw's ``|z|`` is divided by the square root of a
    chi-square over ``df``, as a t statistic is, so the stated rate holds with the estimate's
    own error (without it, an over-dispersion estimated from twelve weeks let 1.3-2.1% of
    steady themes through at a stated 1%). With ``phi``, the estimate is taken, as
    :func:`dispersion_estimate` gives it, at no less than 1: each draw's estimate is ``phi``
    times that chi-square over ``df``, raised to 1 where it falls below, so an estimate at or
    near the floor is not charged for an error the floor takes away (treating it as a free
    estimate had cost 1-3 points of correct calls in the stress settings, BENCHMARKS.md).
    """
    draws = scan_draws(variances, totals, windows, baseline, df, phi)
    if draws is None:
        return math.inf
    largest = np.abs(draws).max(axis=1)
    rank = min(int(math.ceil((1.0 - alpha) * len(largest))), len(largest) - 1)
    return float(np.partition(largest, rank)[rank])


def scan_draws(
    variances: np.ndarray,
    totals: np.ndarray,
    windows: list[tuple[int, int]],
    baseline: int,
    df: float = math.inf,
    phi: float | None = None,
) -> np.ndarray | None:
    """The scanned windows' ``z`` values in 20,000 simulated streams with no change (a row per
    stream, a column per window), as :func:`scan_threshold` describes them; None when a window
    has no variance to judge by."""
    if not windows:
        return None
    periods = len(variances)
    weights = np.zeros((periods, len(windows)))
    for col, (length, _) in enumerate(windows):
        first = periods - length
        lo = max(0, first - baseline)
        n_r, n_b = totals[first:].sum(), totals[lo:first].sum()
        weights[first:, col] = 1.0 / n_r
        weights[lo:first, col] = -1.0 / n_b
    sd = np.sqrt((weights**2 * variances[:, None]).sum(axis=0))
    if not (sd > 0).all():
        return None
    scaled = np.sqrt(variances)[:, None] * weights / sd[None, :]
    draws = _standard_normals(periods) @ scaled
    if math.isfinite(df) and df > 0:
        spread = _chi_squares(df) / df
        if phi is None:
            draws = draws / np.sqrt(spread)[:, None]
        else:  # each draw's estimate taken as the real one is, at least 1, with ``phi`` as the truth
            draws = draws * np.sqrt(phi / np.maximum(1.0, phi * spread))[:, None]
    return draws


def mixture_evidence(z: np.ndarray, up: np.ndarray, down: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The evidence for a change of a given size that began at one of the scanned windows'
    starts, against no change: the log of the likelihood ratio averaged over the windows and
    both directions. ``z`` holds the windows' ``z`` (last axis; more axes for simulated draws),
    ``up`` and ``down`` the ``z`` each window would expect from a rise or a fall of that size.
    A window with more passages expects a larger ``z`` and weighs more. Returns the evidence
    and whether the rises carry more of it than the falls."""
    rises = _log_sum_exp(z * up - up * up / 2)
    falls = _log_sum_exp(-z * down - down * down / 2)
    return np.logaddexp(rises, falls) - math.log(2 * z.shape[-1]), rises >= falls


def _log_sum_exp(terms: np.ndarray) -> np.ndarray:
    """``log(sum(exp(terms)))`` over the last axis, without overflow (2.4x faster than
    ``np.logaddexp.reduce`` on the scan's 20,000 draws)."""
    top = terms.max(axis=-1, keepdims=True)
    return (top + np.log(np.exp(terms - top).sum(axis=-1, keepdims=True)))[..., 0]


_NORMALS: dict[int, np.ndarray] = {}
_CHI: dict[float, np.ndarray] = {}


def _standard_normals(periods: int) -> np.ndarray:
    if periods not in _NORMALS:
        _NORMALS[periods] = np.random.default_rng(20260101).standard_normal((_SIMULATIONS, periods))
    return _NORMALS[periods]


def _chi_squares(df: float) -> np.ndarray:
    if df not in _CHI:
        _CHI[df] = np.random.default_rng(20260102).chisquare(df, _SIMULATIONS)
    return _CHI[df]
