"""Theme momentum: shares of coverage per period, and which themes rise or fall.

The method (reasoning and evidence in docs/momentum.md):

- Counts come from an :class:`~trendscore.trends.accumulate.Accumulator`: per day, exact, with
  reports of several passages as one unit of evidence and syndicated copies folded.
- A theme's *share* in a stretch of time is its passages over all passages in that stretch
  (multi-label passages count toward every theme they carry), so a news-heavy week raises
  every count but no share.
- Recent windows of ``shortest`` to ``longest`` calendar periods ending at ``as_of`` are each
  compared with the ``baseline`` periods before them by a score test of the share difference,
  whose variance treats reports as units and is widened by the over-dispersion seen between
  baseline periods (pooled over themes). The windows' evidence is weighed together: each
  ``z`` by the ``z`` a change of ``size`` would give that window, as an average likelihood
  ratio, whose level is found by simulating the scan with no change, so that a steady theme
  is called rising or falling with probability ``false_alarm``.
- A call also needs a share ratio of at least ``min_ratio`` and ``min_passages`` in each
  window, and a 95% interval of the ratio that excludes 1; the reported momentum is shrunk
  towards zero by its uncertainty (for a call, no further than its interval's nearer end),
  so a handful of passages cannot produce a confident swing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import numpy as np

from trendscore.errors import InputError
from trendscore.io.dates import FREQS, period_label, period_of, period_start
from trendscore.trends.accumulate import COPY_DAYS, MAX_SOURCES, OTHER_SOURCES, SCALE, Accumulator
from trendscore.trends.drivers import theme_drivers
from trendscore.trends.emerging import Reach
from trendscore.trends.evidence import (
    NO_TEST,
    Window,
    dispersion_estimate,
    mixture_evidence,
    scan_draws,
    share_test,
    spread_ratio,
)
from trendscore.wording import counted, plural

__all__ = ["Accumulator", "Score", "MomentumSettings", "compute_score", "SCALE", "MAX_SOURCES", "OTHER_SOURCES"]


@dataclass(frozen=True)
class MomentumSettings:
    """Windows (in periods) and decision rule of the momentum call.

    Parameters
    ----------
    recent : int, default=4
        Periods in the reported recent window of a steady theme, the current (possibly
        partial) period included.
    shortest, longest : int, default=2, 12
        The change scan: every recent window of ``shortest`` to ``longest`` periods is tested
        against the ``baseline`` periods before it, so a change is caught whether it started
        two periods ago or twelve, with all its periods as evidence.
    baseline : int, default=12
        Periods before a recent window that it is compared with.
    false_alarm : float, default=0.01
        Chance that a theme whose share did not change is called rising or falling: the level
        the scan's weighed evidence must pass is set by simulation so that this holds.
    z_crit : float or None, default=None
        A fixed critical value instead (the method before issue 13 used 3.3). Either way a call
        also needs the 95% interval of the share ratio to exclude 1, so a ``z_crit`` under
        about 1.96 calls no more than 1.96 would.
    min_ratio : float, default=1.25
        Smallest share ratio (or its inverse) that is called rising (falling).
    prior_sd : float, default=0.5
        Prior spread of log share ratios; shrinks uncertain momentum towards zero.
    min_passages : float, default=20
        Fewest passages (all themes) a recent window and its baseline must each hold before
        any call is made, and fewest of the test's units (reports counted once): with fewer,
        shares swing too much.
    dispersion : {"pooled", "theme"}, default="pooled"
        Over-dispersion between baseline periods estimated from every theme together, or
        for each theme from its own periods.
    size : float, default=1.5
        The change of share the scan weighs its windows for: each window's evidence counts by
        the ``z`` such a change would give it (see docs/momentum.md, section 4). Not used
        with ``z_crit``, where the largest ``z`` of any window decides.
    """

    recent: int = 4
    shortest: int = 2
    longest: int = 12
    baseline: int = 12
    false_alarm: float = 0.01
    z_crit: float | None = None
    min_ratio: float = 1.25
    prior_sd: float = 0.5
    min_passages: float = 20
    dispersion: str = "pooled"
    size: float = 1.5

    def __post_init__(self):
        if self.dispersion not in ("theme", "pooled"):
            raise ValueError("dispersion must be 'theme' or 'pooled'")
        if not (1 <= self.shortest <= self.longest and 1 <= self.recent and self.baseline >= 1):
            raise ValueError("need 1 <= shortest <= longest, recent >= 1 and baseline >= 1")
        if self.z_crit is not None and not self.z_crit > 0:
            raise ValueError("need z_crit > 0")
        if not self.size > 1 or not self.min_passages > 0:
            raise ValueError("need size > 1 and min_passages > 0")
        if not 0 < self.false_alarm < 0.5 or self.min_ratio < 1 or self.prior_sd <= 0:
            raise ValueError("need 0 < false_alarm < 0.5, min_ratio >= 1 and prior_sd > 0")


@dataclass
class Score:
    """The result of scoring: what :func:`trendscore.score` returns and ``score --format json`` prints.

    Each attribute is the JSON output's key of its name (README.md lists their fields), so the
    table's figures, the calls and their reasons are read without parsing text.
    """

    #: the last day scored (YYYY-MM-DD), and the periods counted: day, week or month
    as_of: str | None
    freq: str
    #: one dict per theme, highest momentum first: ``theme``, ``direction`` (rising, steady or
    #: falling), ``momentum``, ``share_recent``, ``share_baseline``, the counts, ``ratio_interval``,
    #: ``z``, ``p_value``, ``reason`` (one sentence on why it got its call) and more
    themes: list[dict]
    #: one dict per period and theme: ``period``, ``start``, ``theme``, ``count``, ``share``, ``total``
    series: list[dict]
    #: the records read: ``total``, ``dated``, ``undated``, ``after_as_of``, ``copies_folded``...
    records: dict
    #: the default window's periods, and the settings of the momentum maths
    windows: dict
    settings: dict
    notes: list[str] = field(default_factory=list)
    #: what gave the counts: passages counted with the labels they carried, passages labelled
    #: by a model, and that model's identity (None when no model ran)
    labelled_by: dict | None = None
    #: with ``score --by``: each group's calls (see :mod:`trendscore.trends.breakdown`)
    breakdown: dict | None = None
    #: growing clusters of passages that fit no theme (see :mod:`trendscore.trends.emerging`)
    emerging: list | None = None

    def to_json(self) -> dict:
        """The score as the JSON object ``score --format json`` prints."""
        extra: dict = {"breakdown": self.breakdown} if self.breakdown is not None else {}
        if self.emerging is not None:
            extra["emerging"] = self.emerging
        return {
            "as_of": self.as_of,
            "freq": self.freq,
            "themes": self.themes,
            "series": self.series,
            "records": self.records,
            "windows": self.windows,
            "settings": self.settings,
            "notes": self.notes,
            "labelled_by": self.labelled_by,
            **extra,
        }

    def to_frame(self):
        """The series as a pandas DataFrame (period, start, theme, count, share, total);
        ``start``, the period's first day, is a datetime column (``pip install 'trendscore[pandas]'``)."""
        from trendscore.io.frames import require_pandas

        pd = require_pandas("Score.to_frame()")
        frame = pd.DataFrame(self.series, columns=["period", "start", "theme", "count", "share", "total"])
        frame["start"] = pd.to_datetime(frame["start"], format="%Y-%m-%d")
        return frame


def _windows_of(per_period: dict, first: int, last: int, k: int) -> list[Window]:
    """Windows (one per theme) summing the periods ``first`` to ``last``."""
    out = [Window() for _ in range(k)]
    for p in range(first, last + 1):
        row = per_period.get(p)
        if row:
            for j in range(k):
                out[j].add(row[j])
    return out


def _direction(test: dict, needed: float, cfg: MomentumSettings) -> str:
    if test["z"] >= needed and test["delta"] >= math.log(cfg.min_ratio):
        return "rising"
    if test["z"] <= -needed and test["delta"] <= -math.log(cfg.min_ratio):
        return "falling"
    return "steady"


def compute_score(
    acc: Accumulator,
    freq: str = "week",
    as_of: str | dt.date | None = None,
    settings: MomentumSettings | None = None,
    model_info: dict | None = None,
    noise: dict[str, float] | None = None,
) -> Score:
    """Score theme momentum from an :class:`Accumulator` (see the module docstring).

    ``model_info`` names the model that labelled the passages counted with probabilities
    (see :func:`trendscore.trends.scoring.model_info`); the score's ``labelled_by`` reports it.
    ``noise`` gives, per theme, the share the labeller gives passages not about it (from the
    model's card when every passage was labelled by the model); change ratios are taken net of
    it (see :func:`trendscore.trends.evidence.share_test`)."""
    acc.settle()
    labelled_by = {
        "labels_as_given": acc.records - acc.by_model,
        "labelled_by_model": acc.by_model,
        "model": model_info if acc.by_model else None,
    }
    if freq not in FREQS:
        raise ValueError(f"unknown freq {freq!r}; expected one of {', '.join(FREQS)}")
    cfg = settings or MomentumSettings()
    themes = list(acc.themes)
    k = len(themes)
    if as_of is None:
        # every dated passage read, folded copies too: a copy's day is a day of the input
        last_day = max(acc.days) if acc.days else None
        if acc.latest is not None and (last_day is None or acc.latest > last_day):
            last_day = acc.latest
    else:
        last_day = as_of_day(as_of)
    cur = period_of(last_day, freq) if last_day is not None else None
    span_first = None if cur is None else cur - max(cfg.longest, cfg.recent) - cfg.baseline + 1
    # shares shown are of passages; the evidence counts each report once (per_unit)
    per_period, per_unit, totals, ignored_after = _periods(acc, freq, last_day, span_first)
    records = {
        "total": acc.records,
        "dated": acc.records - acc.undated,
        "undated": acc.undated,
        "after_as_of": ignored_after,
        "copies_folded": acc.folded,
        "reports_as_units": acc.reports,
    }
    notes: list[str] = []
    if acc.undated:
        notes.append(f"{counted(acc.undated, 'passage')} {plural(acc.undated, 'has', 'have')} no usable date: "
                     "counted here, not scored")
    if ignored_after:
        notes.append(f"{counted(ignored_after, 'passage')} dated after as_of {plural(ignored_after, 'was', 'were')} "
                     "left out")
    if acc.folded:
        copies = plural(acc.folded, "was a copy", "were copies")
        notes.append(f"{counted(acc.folded, 'passage')} {copies} of one counted within {COPY_DAYS} days and "
                     f"{plural(acc.folded, 'was', 'were')} counted once")
    settings_json = {f: getattr(cfg, f) for f in cfg.__dataclass_fields__}
    if last_day is None:
        notes.append("no dated passages: nothing to score")
        empty = Window()
        themes_out = [_theme_row(t, dict(NO_TEST), empty, empty, 1.0, "steady", None, None, cfg, freq) for t in themes]
        for row in themes_out:
            row["recent"] = row["baseline"] = None
        return Score(None, freq, themes_out, [], records, {}, settings_json, notes, labelled_by)
    assert cur is not None and span_first is not None  # both set whenever last_day is

    r_first = cur - cfg.recent + 1
    b_first, b_last = r_first - cfg.baseline, r_first - 1
    windows = {
        "recent": [_label(r_first, freq), _label(cur, freq)],
        "baseline": [_label(b_first, freq), _label(b_last, freq)],
        "scan_periods": [cfg.shortest, cfg.longest],
        "current_period_partial": _partial(last_day, cur, freq),
    }
    def passages(first: int, last: int) -> float:  # of the periods first to last, whatever the themes
        return sum(row[0] for p, row in totals.items() if first <= p <= last)

    if not passages(r_first, cur):
        notes.append(_empty_recent_note(totals, cur, freq, cfg))
    scan_first = cur - cfg.longest - cfg.baseline + 1
    if not passages(scan_first, cur - cfg.shortest):
        note = _no_baseline_note(totals, cur, freq, cfg, as_of is not None and not passages(r_first, cur))
        notes.append(note + (_outlying_latest(acc, last_day, scan_first, freq) if as_of is None else ""))
    elif passages(b_first, b_last):
        data_first = min(p for p, row in totals.items() if row[0] > 0)
        if b_first < data_first <= b_last:
            empty = data_first - b_first
            notes.append(
                f"the passages begin in {_label(data_first, freq)}: the first {counted(empty, freq)} of the "
                f"baseline ({_label(b_first, freq)}..{_label(data_first - 1, freq)}) hold none, so the baseline "
                f"shares rest on its last {counted(b_last - data_first + 1, freq)}"
            )

    lengths = sorted(set(range(cfg.shortest, cfg.longest + 1)) | {cfg.recent})
    def spread_ratios(table: dict) -> list[float]:
        ratios = [spread_ratio(w) for w in zip(*(table[p] for p in table if span_first <= p <= cur))]
        return ratios + [1.0] * (k - len(ratios))

    kappas, passage_kappas = spread_ratios(per_unit), spread_ratios(per_period)
    noise_of = [float((noise or {}).get(t, 0.0)) for t in themes]
    tests = {}  # length -> (recent windows, baseline windows, phi per theme, df per theme), of units
    shown = {}  # length -> (recent windows, baseline windows), of passages
    for length in lengths:
        first = cur - length + 1
        recent = _windows_of(per_unit, first, cur, k)
        base = _windows_of(per_unit, first - cfg.baseline, first - 1, k)
        shown[length] = (
            _windows_of(per_period, first, cur, k),
            _windows_of(per_period, first - cfg.baseline, first - 1, k),
        )
        periods = [per_unit.get(p, []) for p in range(first - cfg.baseline, first)]
        if cfg.dispersion == "pooled":
            estimates = [dispersion_estimate(periods, kappas)] * k
        else:
            estimates = [dispersion_estimate([row[j : j + 1] for row in periods], kappas[j : j + 1]) for j in range(k)]
        tests[length] = (recent, base, [phi for phi, _ in estimates], [df for _, df in estimates])
    rows = []
    draws: dict[tuple, np.ndarray | None] = {}  # scanned window lengths, df, phi -> simulated z values
    single_levels: dict[tuple, float] = {}  # the same -> the |z| one window needs in a scan of them all
    key: tuple = ()
    for j, theme in enumerate(themes):
        scanned = []
        df = math.inf  # the least firmly known over-dispersion of the scanned windows
        phi = 1.0  # and the largest: the median let 1.1% of steady themes through on average (BENCHMARKS.md)
        for length in lengths:
            recent, base, phis, dfs = tests[length]
            r, b = recent[j], base[j]
            # as many passages, and as many of the test's units (reports counted once), in each window
            enough = min(shown[length][0][j].n, shown[length][1][j].n, r.n, b.n) >= cfg.min_passages
            if cfg.shortest <= length <= cfg.longest and enough:
                scanned.append((length, share_test(r, b, phis[j], kappas[j], noise_of[j])))
                df = min(df, dfs[j])
                phi = max(phi, phis[j])
        needed = cfg.z_crit
        if needed is None:
            key = (tuple(length for length, _ in scanned), df, phi)
            if key not in draws:
                draws[key] = _draws(per_unit, span_first, cur, key[0], cfg, df, phi)
            shares = [_expected_share(tests[length][1][j], noise_of[j]) for length, _ in scanned]
            length, test, needed, direction = _weighed_call(scanned, shares, draws[key], cfg)
            if test is None:
                recent, base, phis, _ = tests[cfg.recent]
                test = share_test(recent[j], base[j], phis[j], kappas[j], noise_of[j])
        else:
            passing = [(length, test) for length, test in scanned if _direction(test, needed, cfg) != "steady"]
            # the largest |z| that passes, one whose interval excludes 1 first
            best = min(passing, key=lambda lt: (_interval_holds_one(lt[1]), -abs(lt[1]["z"])), default=None)
            length = best[0] if best else cfg.recent
            recent, base, phis, _ = tests[length]
            test = best[1] if best else share_test(recent[j], base[j], phis[j], kappas[j], noise_of[j])
            direction = _direction(test, needed, cfg) if best else "steady"
        if direction != "steady" and _interval_holds_one(test):
            # a call must exclude no change at 95% as well: with a handful of passages the
            # normal scan could pass (4 of 20 against 0 of 24 a day) while the ratio's interval
            # still held 1 (0.55-173); the reason says so
            direction = "steady"
        units_r, units_b, phis, _ = tests[length]
        recent, base = shown[length]
        mix = None
        if direction != "steady" and acc.sources:
            r, b = recent[j], base[j]
            design = phis[j] * passage_kappas[j] * (r.snn + b.snn) / (r.n + b.n)
            # the outlets' test is of one window, so it is held to what one window must show in
            # a scan of them all (the largest |z| of the draws), not to the weighed z_needed
            single = needed
            simulated = draws.get(key) if cfg.z_crit is None else None
            if simulated is not None:
                if key not in single_levels:
                    single_levels[key] = _quantile(np.abs(simulated).max(axis=1), 1.0 - cfg.false_alarm)
                single = max(needed, single_levels[key])
            # the call counted each report once where its windows differ from the passages'
            by_report = (units_r[j].n, units_b[j].n) != (r.n, b.n)
            call = (direction, by_report)
            mix = _outlet_mix(acc, freq, j, (cur - length + 1, cur), cfg, last_day, (single, design), call)
            if mix is not None and mix["explained"]:
                direction = "steady"
        units = (units_r[j], units_b[j])
        row = _theme_row(theme, test, recent[j], base[j], phis[j], direction, length, needed, cfg, freq, units)
        # the periods this row's figures are of (the top-level windows are the default length's)
        first = cur - length + 1
        row["recent"] = [_label(first, freq), _label(cur, freq)]
        row["baseline"] = [_label(first - cfg.baseline, freq), _label(first - 1, freq)]
        if mix is not None:
            row["sources"] = mix["sources"]
            if mix["explained"]:
                row["reason"] = mix["reason"]
            else:
                row["outlets_driving"] = mix["driving"]
        if direction != "steady" and acc.mentions:
            window = (cur - length + 1, cur)
            counts = (recent[j].c, base[j].c)
            row["drivers"] = theme_drivers(acc, freq, j, window, cfg.baseline, last_day, direction, counts)
        rows.append(row)
    provisional = list(((model_info or {}).get("provisional") or []) if acc.by_model else [])
    # and those the passages' own labels came marked with (label's output of such a model)
    provisional += sorted(t for t in acc.provisional if t in acc.themes and t not in provisional)
    for row in rows:
        if row["theme"] in provisional:  # from a few examples, not trained on seeds: marked wherever shown
            row["provisional"] = True
    if provisional:
        notes.append(
            f"provisional themes, marked * in tables (learned from a few example passages, "
            "not trained on labelled seeds): "
            f"{', '.join(provisional)}"
        )
    rows.sort(key=lambda r: (-r["momentum"], r["theme"]))
    series = []
    for p in _series_periods(totals, span_first, cur, freq, k, notes):
        row = totals.get(p)
        for j, theme in enumerate(themes):
            c, n = (row[j + 1], row[0]) if row else (0.0, 0.0)
            series.append(
                {
                    "period": period_label(p, freq),
                    "start": period_start(p, freq).isoformat(),
                    "theme": theme,
                    "count": round(c, 4),
                    "share": round(c / n, 4) if n else None,
                    "total": round(n, 4),
                }
            )
    day = dt.date.fromordinal(last_day).isoformat()
    score = Score(day, freq, rows, series, records, windows, settings_json, notes, labelled_by)
    from trendscore.trends.emerging import emerging_of

    score.emerging = emerging_of(acc, score, totals, cur)
    return score


#: most cells (periods x themes) the series lists; beyond it, the latest periods with
#: passages and those the scan looks at
MAX_SERIES_CELLS = 200_000
#: most periods the series lists, however few the themes (one theme would otherwise list
#: 200,000 periods, most of them empty when an as_of lies far beyond the data)
MAX_SERIES_PERIODS = 40_000


def _series_periods(totals: dict, span_first: int, cur: int, freq: str, k: int, notes: list[str]) -> list[int]:
    """The periods the series lists: every one from the first with passages to ``cur``, or,
    when that is more than the cell budget allows (dates centuries apart, an ``as_of`` far
    beyond the data, many themes), the latest of those with passages or scanned that fit."""
    budget = max(min(MAX_SERIES_CELLS // max(k, 1), MAX_SERIES_PERIODS), cur - span_first + 1)
    dated = sorted(p for p in totals if p <= cur)
    first = dated[0] if dated else cur
    if cur - first + 1 <= budget:
        candidates = list(range(first, cur + 1))
    else:
        candidates = sorted(set(dated) | set(range(max(span_first, first), cur + 1)))
        shown = candidates[-budget:]
        notes.append(
            f"the series spans {cur - first + 1} periods: listed are the {len(shown)} latest of those "
            f"with passages or scanned, of {len(candidates)}"
        )
        candidates = shown
    return [p for p in candidates if _label(p, freq) is not None]


def _label(index: int, freq: str) -> str | None:
    """The period's label, or None for one outside the calendar (before year 1, after 9999)."""
    try:
        return period_label(index, freq)
    except (ValueError, OverflowError):
        return None


def _periods(acc: Accumulator, freq: str, last_day: int | None, span_first: int | None):
    """Per period up to ``last_day``: the totals ``[passages, count of theme 1, ...]``; for the
    periods from ``span_first`` on (those the scan looks at), one :class:`Window` per theme
    with the sums of squares as well, of passages and of units (each report of several
    passages one unit, counting its passages' share of the theme; the same windows when no
    report has several); and how many passages came after ``last_day``."""
    k = len(acc.themes)
    per_period: dict[int, list[Window]] = {}
    per_unit: dict[int, list[Window]] = {}
    totals: dict[int, list[float]] = {}
    ignored_after = 0
    sq = float(SCALE) * SCALE
    for day in sorted(acc.days):
        row = acc.days[day]
        if last_day is not None and day > last_day:
            ignored_after += row[0] // SCALE
            continue
        p = period_of(day, freq)
        total = totals.get(p)
        if total is None:
            total = totals[p] = [0.0] * (k + 1)
        for i, v in enumerate(row):
            total[i] += v / SCALE
        if span_first is None or p < span_first:
            continue
        cross, square = acc.cross.get(day), acc.square.get(day)
        n = row[0] / SCALE
        snn = n + (cross[0] / sq if cross else 0.0)
        target = per_period.get(p)
        if target is None:
            target = per_period[p] = [Window() for _ in range(k)]
        for j in range(k):
            c = row[j + 1] / SCALE
            w = target[j]
            w.n += n
            w.c += c
            w.snn += snn
            w.scn += c + (cross[j + 1] / sq if cross else 0.0)
            w.scc += c + (square[j + 1] / sq if square else 0.0)
        if not acc.units:
            continue
        units = acc.units.get(day) or [0] * (k + 1)
        unit_square = acc.unit_square.get(day) or [0] * (k + 1)
        target = per_unit.get(p)
        if target is None:
            target = per_unit[p] = [Window() for _ in range(k)]
        u = n + units[0] / SCALE
        for j in range(k):
            c = (row[j + 1] + units[j + 1]) / SCALE
            w = target[j]
            w.n += u
            w.c += c
            w.snn += u
            w.scn += c
            # each unit's squared share: the passages' squared counts less the reports' own, plus their shares'
            w.scc += row[j + 1] / SCALE + ((square[j + 1] if square else 0) + unit_square[j + 1]) / sq
    return per_period, (per_unit or per_period), totals, ignored_after


def _draws(per_period, span_first: int, cur: int, lengths: tuple[int, ...], cfg: MomentumSettings, df, phi):
    """Simulated ``z`` values of the scanned windows with no change: every theme's count
    variance in a period is its own constant times the period's sum of squared unit sizes,
    and the constant cancels in ``z``, so one set serves every theme scanned over the same
    windows. ``df`` and ``phi``: the over-dispersion estimate the ``z`` values are divided by
    (see :func:`trendscore.trends.evidence.scan_threshold`)."""
    if not lengths:
        return None
    span = [per_period.get(p) for p in range(span_first, cur + 1)]
    sizes = np.array([row[0].snn if row else 0.0 for row in span])
    totals = np.array([row[0].n if row else 0.0 for row in span])
    return scan_draws(sizes, totals, [(length, 0) for length in lengths], cfg.baseline, df, phi)


def _expected_share(base: Window, noise: float) -> float:
    """The baseline share a change is weighed from: with half a passage's start (so a theme
    not seen before still expects something) and net of a classifier's false positives, but
    never below a twentieth of the share, as the share test's ratio is taken."""
    share = (base.c + 0.5) / (base.n + 1.0)
    return max(share - noise, share / 20)


def _weighed_call(scanned: list, shares: list[float], draws, cfg: MomentumSettings):
    """The call from every scanned window's evidence together, for a change of ``cfg.size``.

    Each window's ``z`` is weighed by the ``z`` it would expect from such a change (more
    passages, more weight) and the likelihood ratios are averaged over windows and directions
    (:func:`trendscore.trends.evidence.mixture_evidence`); a call needs that average to pass the
    level that ``cfg.false_alarm`` of the simulated streams with no change pass, in the
    direction that carries more of it, and a window beyond the ``min_ratio`` floor in that
    direction. The window reported is the one that carries most of that direction's evidence
    (beyond the floor when one is). Its ``z_needed`` is the ``|z|`` that window would need if
    every window's evidence grew in proportion until the average reached the level. Returns
    (window length, its test, z needed, direction); the test is None when the reported window
    is the default recent one and was not scanned."""
    index = {length: i for i, (length, _) in enumerate(scanned)}
    share = np.array(shares)
    if draws is None or not scanned or not (share > 0).all():
        test = scanned[index[cfg.recent]][1] if cfg.recent in index else None
        return cfg.recent, test, math.inf, "steady"
    z = np.array([test["z"] for _, test in scanned])
    se = np.array([max(test["se0"], 1e-12) for _, test in scanned])
    up, down = (cfg.size - 1) * share / se, (1 - 1 / cfg.size) * share / se
    level = _quantile(mixture_evidence(draws, up, down)[0], 1.0 - cfg.false_alarm)
    evidence, rising = mixture_evidence(z, up, down)

    def reaches(trial: np.ndarray) -> bool:
        return float(mixture_evidence(trial, up, down)[0]) >= level

    def root(test) -> float:  # the least t >= 0 where test(t) holds, test(0) being False
        lo, hi = 0.0, 1.0
        while not test(hi):
            lo, hi = hi, hi * 2
            if hi > 1e6:
                return math.inf
        for _ in range(30):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if test(mid) else (mid, hi)
        return hi

    def needed(i: int, sign: float) -> float:
        """The |z| window i needs: every window's z scaled alike until the evidence reaches
        the level (the evidence is convex in the scale and below the level at 0, so it crosses
        once); where that gives nothing finite (no z of its own to scale), its z alone moved
        in the direction ``sign``, the others as they are."""
        scaled = abs(z[i]) * root(lambda c: reaches(c * z)) if abs(z[i]) > 1e-9 else math.inf
        if math.isfinite(scaled):
            return scaled

        def alone(t: float) -> bool:
            trial = z.copy()
            trial[i] = sign * t
            return reaches(trial)

        return 0.0 if alone(0.0) else root(alone)

    floor = math.log(cfg.min_ratio)
    if evidence >= level:
        sign = 1.0 if rising else -1.0
        expect = up if rising else down
        order = [int(i) for i in np.argsort(-(sign * z * expect - expect * expect / 2), kind="stable")]
        beyond = [i for i in order if sign * scanned[i][1]["delta"] >= floor and sign * scanned[i][1]["z"] > 0]
        # of those, the first whose interval excludes no change, as a call's must: the window
        # carrying most evidence may rest on a handful of passages while a longer one is clear
        clear = [i for i in beyond if not _interval_holds_one(scanned[i][1])]
        if beyond:
            i = (clear or beyond)[0]
            return scanned[i][0], scanned[i][1], needed(i, sign), "rising" if rising else "falling"
        # the evidence is there but no window moved beyond the floor: steady, reported on the
        # window that carries most of it, whose reason then names the floor
        length, test = scanned[order[0]]
        return length, test, needed(order[0], sign), "steady"
    if cfg.recent not in index:
        return cfg.recent, None, math.inf, "steady"
    i = index[cfg.recent]
    test = scanned[i][1]
    return cfg.recent, test, needed(i, 1.0 if test["z"] >= 0 else -1.0), "steady"


def _quantile(values: np.ndarray, q: float) -> float:
    """The value that a share ``1 - q`` of ``values`` reach, by rank (as the scan's thresholds are)."""
    rank = min(int(math.ceil(q * len(values))), len(values) - 1)
    return float(np.partition(values, rank)[rank])


def _outlet_mix(
    acc: Accumulator, freq: str, j: int, window, cfg: MomentumSettings, last_day: int, evidence, call: tuple
):
    """Is a theme's move a change in which outlets publish rather than in what they publish?

    Each outlet's baseline share of the theme, applied to its recent volume, gives the count
    the recent window would have if no outlet had changed its mix. The move is the outlets'
    mix unless the observed count departs from that expectation, in the call's direction, by
    the call's own standards: beyond the x``min_ratio`` floor and by ``needed`` standard errors
    (``evidence`` is ``(needed, design)``, the latter the variance factor of the theme's
    reports and over-dispersion; the error counts both the recent passages and the outlets'
    estimated baseline shares). Passages without a source count as one more outlet. ``call`` is
    the call's direction and whether its test counted each report once (``by_report``: its
    windows differ from the passages'), while this check counts passages: the outlets can only
    explain a move the passages show, so where their share does not move beyond the ``min_ratio``
    floor the call's way before any outlet is held at its mix (long reports gave way to short
    ones), the call stands on its reports. Returns the per-outlet breakdown (largest recent
    volume first) and that verdict."""
    first, last = window
    needed, design = evidence
    lo = first - cfg.baseline

    def sums(days: dict):  # day -> dense row (list) or sparse row (dict); _at reads both
        c_r = n_r = c_b = n_b = 0.0
        for day, row in days.items():
            if day > last_day:
                continue
            p = period_of(day, freq)
            if first <= p <= last:
                n_r, c_r = n_r + row[0] / SCALE, c_r + _at(row, j + 1) / SCALE
            elif lo <= p < first:
                n_b, c_b = n_b + row[0] / SCALE, c_b + _at(row, j + 1) / SCALE
        return c_r, n_r, c_b, n_b

    outlets = {acc.outlet_name(key): sums(days) for key, days in acc.sources.items()}
    total = sums(acc.days)
    rest = tuple(t - sum(o[i] for o in outlets.values()) for i, t in enumerate(total))
    if rest[1] > 1e-9 or rest[3] > 1e-9:
        outlets["(no source)"] = tuple(max(0.0, x) for x in rest)
    c_r, n_r, c_b, n_b = total
    if len(outlets) < 2 or not (n_r and n_b and c_b):
        return None
    p_b = c_b / n_b
    expected = var = 0.0
    for o in outlets.values():
        # an outlet's baseline share, shrunk toward the pooled one by five passages' worth, so
        # an outlet seen once or twice before has neither a certain share nor no variance
        q, base_n = ((o[2] + 5 * p_b) / (o[3] + 5), o[3] + 5) if o[3] else (p_b, n_b)
        expected += o[1] * q
        var += design * q * (1 - q) * (o[1] + o[1] ** 2 / base_n)
    observed_ratio = c_r / n_r / p_b
    adjusted_ratio = (c_r / expected) if expected else math.inf
    # a theme gone from the recent window has no log ratio: it fell as far as a share can
    adjusted_log = math.log(adjusted_ratio) if adjusted_ratio > 0 else -math.inf
    z_mix = (c_r - expected) / math.sqrt(var) if var > 0 else 0.0
    floor = math.log(cfg.min_ratio)
    direction, by_report = call
    rising = direction == "rising"
    # the passages' own move, no outlet held at its mix, beyond the floor the call's way
    shown = observed_ratio >= cfg.min_ratio if rising else observed_ratio * cfg.min_ratio <= 1
    # held at their mixes, the outlets leave a move inside the floor, or too little evidence
    inside = adjusted_log < floor if rising else adjusted_log > -floor
    short = z_mix < needed if rising else z_mix > -needed
    explained = (observed_ratio > 1) == rising and (shown or not by_report) and (inside or short)
    breakdown = sorted(
        (
            {
                "source": name,
                "passages_recent": round(o[1], 2),
                "passages_baseline": round(o[3], 2),
                "volume_share_recent": round(o[1] / n_r, 4),
                "volume_share_baseline": round(o[3] / n_b, 4),
                "share_recent": round(o[0] / o[1], 4) if o[1] else None,
                "share_baseline": round(o[2] / o[3], 4) if o[3] else None,
            }
            for name, o in outlets.items()
        ),
        key=lambda r: (-r["passages_recent"], r["source"]),
    )
    mover = max(breakdown, key=lambda r: abs(r["volume_share_recent"] - r["volume_share_baseline"]))
    move = "rise" if rising else "fall"
    moved = (
        f"{mover['source']} went from {100 * mover['volume_share_baseline']:.0f}% "
        f"to {100 * mover['volume_share_recent']:.0f}% of the passages"
    )
    if inside:
        reason = (
            f"steady: the {move} (x{observed_ratio:.2f}) comes from which outlets publish, not from what they "
            f"publish: {moved}, and with every outlet's own mix held at its baseline the ratio is "
            f"x{adjusted_ratio:.2f}, inside the x{cfg.min_ratio:g} a call needs"
        )
    else:  # what is left once the outlets' mix is held is still a move, but not evidence enough
        z_text, needed_text = _short_of(z_mix, needed)
        shown_observed, shown_adjusted = f"x{observed_ratio:.2f}", f"x{adjusted_ratio:.2f}"
        observed_log = math.log(observed_ratio) if observed_ratio > 0 else -math.inf
        if abs(adjusted_log) < abs(observed_log) and shown_adjusted != shown_observed:
            reason = (
                f"steady: part of the {move} ({shown_observed}) comes from which outlets publish: {moved}; "
                f"with every outlet's own mix held at its baseline the {move} left is {shown_adjusted}, and its "
                f"evidence (z {z_text}, from the outlets' own shares) is short of the {needed_text} one window needs"
            )
        else:  # the mix explains none of it: what holds the call back is the outlets' own evidence
            none = "none" if abs(adjusted_log) >= abs(observed_log) else "almost none"
            reason = (
                f"steady: which outlets publish explains {none} of the {move} ({shown_observed}; {shown_adjusted} with "
                f"every outlet's own mix held at its baseline; {moved}), but counted outlet by outlet its evidence "
                f"(z {z_text}, from the outlets' own shares) is short of the {needed_text} one window needs"
            )
    # which outlets carried the move: theme passages beyond what each outlet's own change in
    # volume would have brought at its baseline share
    carried = []
    for name, o in outlets.items():
        q = o[2] / o[3] if o[3] else p_b
        extra = o[0] - o[1] * q
        if (extra > 0) == rising and abs(extra) >= 0.5:
            carried.append((-abs(extra), name, extra))
    carried.sort()
    total = sum(-neg for neg, _, _ in carried)
    driving = [
        {"source": name, "theme_passages_beyond_expected": round(extra, 2)}
        for neg, name, extra in carried[:3]
        if -neg >= 0.2 * total  # outlets that carried a fifth of the move or more
    ]
    return {"sources": breakdown[:10], "explained": explained, "reason": reason, "driving": driving}


def _at(row, i: int) -> int:
    """Entry ``i`` of a day's counts: a list (all passages) or a sparse dict (one outlet's)."""
    return row.get(i, 0) if isinstance(row, dict) else row[i]


def _empty_recent_note(totals: dict, cur: int, freq: str, cfg: MomentumSettings) -> str:
    """The note for a score whose default recent window holds no passage. When the longer
    windows of the scan hold some (the data stop a few periods before ``as_of``), it names the
    window, the latest period with passages and that those are still scanned: "no passages in
    the recent window" had stood above a theme called rising on the 12 weeks before."""
    first = cur - cfg.recent + 1
    scanned = [p for p, row in totals.items() if cur - cfg.longest < p < first and row[0] > 0]
    if not scanned:
        return "no passages in the recent window"
    unit = plural(cfg.recent, freq)
    return (
        f"no passages in the last {cfg.recent} {unit} ({_label(first, freq)}..{_label(cur, freq)}), the default "
        f"recent window; the latest are of {_label(max(scanned), freq)}, and the scan's longer windows, up to "
        f"{cfg.longest} {plural(cfg.longest, freq)}, hold them"
    )


def _no_baseline_note(totals: dict, cur: int, freq: str, cfg: MomentumSettings, as_of_past_data: bool) -> str:
    """The note for a score whose baselines (the periods the recent windows are compared with)
    hold no passage: either nothing came before the recent window, or what came is older than
    the baselines reach (a gap in the data, or an ``as_of`` after it), which the note names:
    "no passages before the recent window" had been said of 6,000 passages a year old."""
    first, last = cur - cfg.longest - cfg.baseline + 1, cur - cfg.shortest
    earlier = [p for p, row in totals.items() if p < first and row[0] > 0]
    if not earlier:
        return "no passages before the recent window: every theme is called steady"
    span = f"{_label(first, freq)}..{_label(last, freq)}"
    hint = " (is as_of later than meant?)" if as_of_past_data else ""
    return (
        f"no passages in the baseline periods ({span}) the recent windows are compared with; the latest passages "
        f"before them are of {_label(max(earlier), freq)}, too old to compare: every theme is called steady{hint}"
    )


def _outlying_latest(acc: Accumulator, last_day: int, scan_first: int, freq: str) -> str:
    """When the score's day is the input's latest date and every earlier date lies before the
    first period the scan reaches (``scan_first``), so that one day alone is scored: that date,
    how many passages carry it and how far it lies after the one before it. A placeholder date
    (9999-12-31 on one record) had left every theme steady with the reason only in an as-of of
    9999 at the top."""
    earlier = [d for d in acc.days if d < last_day]
    if not earlier or period_of(max(earlier), freq) >= scan_first:
        return ""
    before = max(earlier)
    on_it = acc.days[last_day][0] // SCALE if last_day in acc.days else 0  # a copy's day may hold none
    carried = f" ({counted(on_it, 'passage')})" if on_it else ""
    return (
        f"; the latest date, {dt.date.fromordinal(last_day).isoformat()}{carried}, which the score is as of, comes "
        f"{counted(last_day - before, 'day')} after the one before it ({dt.date.fromordinal(before).isoformat()}): "
        "if it is a placeholder, score as of another day"
    )


def _partial(last_day: int, cur: int, freq: str) -> bool:
    if last_day >= dt.date.max.toordinal():  # the calendar's last day ends every period
        return False
    return period_of(last_day + 1, freq) == cur


def _reason(
    direction, test, c_r, n_r, c_b, n_b, ci, window, needed, cfg: MomentumSettings, freq: str, units=None, reports=None
) -> str:
    """One sentence on why a theme got its call, in the terms an analyst would check. ``units``
    are the test's recent and baseline windows when they differ from the passages' (reports of
    several passages counted once): the ratio, its interval and ``z`` are theirs, so the
    sentence quotes their shares beside the passages' and says so. ``reports`` are the test's
    unit counts in the two windows, held to ``min_passages`` as the passages are."""

    def share(c, n):  # as the row shows it
        value = _share_of(c, n)
        return "-" if value is None else f"{100 * value:.1f}%"

    span = f"the last {window} {freq}s" if window else "the recent window"
    interval = _interval_text(ci)
    by_report = "counting each report once, " if units else ""
    if direction != "steady":
        if units:
            ur, ub = units
            return (
                f"{direction}: {by_report}{share(ur.c, ur.n)} of {ur.n:.0f} reports in {span} against "
                f"{share(ub.c, ub.n)} of {ub.n:.0f} before ({share(c_r, n_r)} against {share(c_b, n_b)} of "
                f"passages); {interval}, z {test['z']:+.1f} beyond the {needed:.1f} needed"
            )
        return (
            f"{direction}: {share(c_r, n_r)} of {n_r:.0f} passages in {span} against {share(c_b, n_b)} of "
            f"{n_b:.0f} before; {interval}, z {test['z']:+.1f} beyond the {needed:.1f} needed"
        )
    if n_r <= 0:
        return "steady: no passages in the recent window"
    if n_b <= 0:
        return f"steady: no passages in the {cfg.baseline} {freq}s before {span} to compare with"
    if n_r < cfg.min_passages or n_b < cfg.min_passages:
        return (
            f"steady: too few passages to call ({n_r:.0f} in {span}, {n_b:.0f} before; "
            f"{cfg.min_passages:g} needed in each), whatever the shares ({share(c_r, n_r)} against {share(c_b, n_b)})"
        )
    if reports and min(reports) < cfg.min_passages:
        return (
            f"steady: too few reports to call, each counted once ({reports[0]:.0f} in {span}, {reports[1]:.0f} "
            f"before; {cfg.min_passages:g} needed in each), whatever the shares ({share(c_r, n_r)} against "
            f"{share(c_b, n_b)} of passages)"
        )
    if c_r + c_b <= 0:
        return "steady: no passages of this theme in the recent window or before"
    ratio = math.exp(test["delta"])
    weak = "includes 1" if ci and _includes_one(*ci) else "is too wide"
    if weak == "includes 1" and needed is not None and abs(test["z"]) >= needed:
        return (
            f"steady: {by_report}z {test['z']:+.1f} reaches the {needed:.1f} needed, but the {interval} "
            f"still includes 1 (x{ratio:.2f} at its centre)"
        )
    if test.get("raised"):  # one window (nearly) without the theme: its ratio rests on half a passage
        return (
            f"steady: {by_report}the evidence is too weak for a change from {share(c_b, n_b)} to "
            f"{share(c_r, n_r)} of passages ({interval} {weak}; {_z_against(test['z'], needed)} needed)"
        )
    if abs(test["delta"]) < math.log(cfg.min_ratio):
        return f"steady: {by_report}a change of x{ratio:.2f} is inside the x{cfg.min_ratio:g} a call needs ({interval})"
    return (
        f"steady: {by_report}the evidence is too weak for x{ratio:.2f} "
        f"({interval} {weak}; {_z_against(test['z'], needed)} needed)"
    )


def emerging_reach(freq: str, settings: MomentumSettings | None = None, as_of=None) -> Reach | None:
    """The days of passages that fit no theme that a score per ``freq`` with ``settings``, up to
    ``as_of`` (None: the latest day read), can use for its emerging topics: the periods of the
    recent window and of its baseline. None (keep every day) for a ``freq`` or ``as_of`` the
    score refuses anyway."""
    if freq not in FREQS:
        return None
    cfg = settings or MomentumSettings()
    try:
        last_day = None if as_of is None else as_of_day(as_of)
    except InputError:
        return None
    return Reach(freq, cfg.recent + cfg.baseline, last_day)


#: the as-of forms read: ``YYYY-MM-DD`` and ``YYYYMMDD`` (ASCII digits only)
_AS_OF = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}")


def as_of_day(as_of) -> int:
    """The day number (``date.toordinal``) of an ``as_of`` given as a date, a datetime (its
    date as written), a ``YYYY-MM-DD`` string, or ``YYYYMMDD`` (eight digits, as text or a
    number); an InputError for anything else (a missing value such as pandas' NaT, another
    date form). The other forms ``date.fromisoformat`` takes are refused: it read epoch
    seconds ``1732060800`` as 1732-06-08 and the week ``2024W47`` as its Monday.

    >>> as_of_day("2025-01-05") == as_of_day(20250105) == dt.date(2025, 1, 5).toordinal()
    True
    >>> as_of_day("2025/01/05")
    Traceback (most recent call last):
    ...
    trendscore.errors.InputError: as_of '2025/01/05' is not a date of the form YYYY-MM-DD
    """
    if isinstance(as_of, dt.date):
        try:
            return as_of.toordinal()
        except ValueError:  # NaT is a datetime with no day
            raise InputError(f"as_of is a missing value ({as_of!r}), not a date") from None
    text = str(as_of)  # a string, or anything whose text is one (20250105)
    try:
        if not _AS_OF.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text).toordinal()
    except ValueError:
        raise InputError(f"as_of {as_of!r} {as_of_problem(text)}") from None


def as_of_problem(text: str) -> str:
    """What is wrong with an ``as_of`` that :func:`as_of_day` refuses, said after its value:
    the form, or, written in the right form, a day the calendar has not (``2025-02-29``).

    >>> as_of_problem("2025/01/05"), as_of_problem("2025-02-29")
    ('is not a date of the form YYYY-MM-DD', 'is written as YYYY-MM-DD but names no day of the calendar')
    """
    if _AS_OF.fullmatch(text):
        form = "YYYY-MM-DD" if "-" in text else "YYYYMMDD"
        return f"is written as {form} but names no day of the calendar"
    return "is not a date of the form YYYY-MM-DD"


def _includes_one(low: float, high: float | None) -> bool:
    """Whether a share ratio interval holds no change as the rows print it (two decimals), so
    that a call's printed interval always lies on the call's side of 1. A ``high`` of None or
    infinity is an interval with no upper end."""
    return round(low, 2) <= 1.0 and (high is None or 1.0 <= round(high, 2))


def _interval_holds_one(test: dict) -> bool:
    """Whether a test's share ratio interval, as the rows print it, holds no change."""
    interval = test.get("interval")
    return interval is not None and _includes_one(*map(math.exp, interval))


def _interval_text(ci) -> str:
    """The share ratio interval as a reason quotes it; one with no upper end says why."""
    if not ci:
        return "no interval"
    if ci[1] is None:
        return f"share ratio {ci[0]:.2f} or more (95%; no upper end: the share before is within the classifier's noise)"
    return f"share ratio {ci[0]:.2f}-{ci[1]:.2f} (95%)"


def _short_of(z: float, needed: float) -> tuple[str, str]:
    """``z`` (signed) and ``needed`` as a reason prints a ``z`` short of what it needs: with
    more decimals where one would show both alike (``z -3.2 ... short of the 3.2``)."""
    for digits in (1, 2, 3):
        z_text, needed_text = f"{z:+.{digits}f}", f"{needed:.{digits}f}"
        if z_text.lstrip("+-") != needed_text:
            break
    return z_text, needed_text


def _z_against(z: float, needed) -> str:
    """``z +1.0, 4.6`` (before ``needed``) for a steady theme's reason, told apart as _short_of does."""
    if needed is None or not math.isfinite(needed):
        return f"z {z:+.1f}, {_needed_text(needed)}"
    return "z {}, {}".format(*_short_of(z, needed))


def _needed_text(needed) -> str:
    return f"{needed:.1f}" if needed is not None and math.isfinite(needed) else "a scan with enough passages"


def _share_of(c: float, n: float) -> float | None:
    """A share as the rows show it."""
    return round(c / n, 4) if n else None


def _theme_row(
    theme, test, r: Window, b: Window, phi, direction, window, needed, cfg: MomentumSettings, freq="week", units=None
):
    """A theme's row: the shares and counts of passages (``r``, ``b``), the test's figures, and
    the reason, which also quotes the test's own windows ``units`` where they differ."""
    c_r, n_r, c_b, n_b = r.c, r.n, b.c, b.n
    reports = (units[0].n, units[1].n) if units is not None else None
    if units is not None and all(_share_of(u.c, u.n) == _share_of(w.c, w.n) for u, w in zip(units, (r, b))):
        units = None  # shares alike by report and by passage (a theme never seen, no report of several passages)
    var = test["var"]
    shrink = cfg.prior_sd**2 / (cfg.prior_sd**2 + var) if math.isfinite(var) else 0.0
    momentum = test["delta"] * shrink
    if direction == "steady" and test.get("raised"):
        # one window (nearly) without the theme: its ratio rests on half a passage, and one
        # stray passage (1 of 28 against none of 1,008) would rank at +0.48; no call, no move
        momentum = 0.0
    interval = test.get("interval")
    if interval is not None:  # none for a theme never seen
        if direction != "steady":
            # a call's momentum is shrunk towards no change but never past its interval's end:
            # a theme that vanished from 20% (interval 0.0006-0.14) ranked at x0.59, above one
            # that halved. A steady row keeps its shrunk value, so one stray passage stays low
            momentum = min(max(momentum, interval[0]), interval[1])
        # an end the classifier's noise leaves open: 0 below, None (no bound) above
        ci = [round(math.exp(interval[0]), 4), round(math.exp(interval[1]), 4) if interval[1] < math.inf else None]
        p_value = math.erfc(abs(test["z"]) / math.sqrt(2))
    else:
        ci, p_value = None, None
    return {
        "theme": theme,
        "momentum": round(momentum / math.log(2), 4),
        "direction": direction,
        "share_recent": _share_of(c_r, n_r),
        "share_baseline": _share_of(c_b, n_b),
        "count_recent": round(c_r, 4),
        "count_baseline": round(c_b, 4),
        "total_recent": round(n_r, 4),
        "total_baseline": round(n_b, 4),
        "ratio_interval": ci,
        "z": round(test["z"], 3),
        "p_value": None if p_value is None else float(f"{p_value:.3g}"),
        "dispersion": round(phi, 3),
        "recent_periods": window,
        "z_needed": round(float(needed), 3) if needed is not None and math.isfinite(needed) else None,
        "reason": _reason(direction, test, c_r, n_r, c_b, n_b, ci, window, needed, cfg, freq, units, reports),
    }
