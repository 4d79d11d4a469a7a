"""Theme momentum: shares of coverage per period, and which themes rise or fall.

The method (reasoning in docs/momentum.md):

- Counts are kept per day, in integer millionths of a passage, so that soft counts (model
  probabilities) add up exactly and the result does not depend on record order.
- A theme's *share* in a stretch of time is its passages over all passages in that stretch
  (multi-label passages count toward every theme they carry), so a news-heavy week raises
  every count but no share.
- Windows are calendar periods ending at ``as_of``: recent (``recent`` periods, and a
  ``short`` one to catch young changes) against the ``baseline`` periods before. Empty periods
  stay in the calendar as zero volume; a partial current period still gives an unbiased share.
- The change is the log ratio of recent to baseline share, with a variance from the counts
  widened by the over-dispersion seen between baseline periods; ``z`` is its significance.
  A call (rising/falling) needs ``z`` past a critical value *and* a ratio of at least
  ``min_ratio``; the reported momentum is shrunk towards zero by its uncertainty, so a
  handful of passages cannot produce a confident swing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from .dates import FREQS, period_label, period_of, period_start

__all__ = ["Accumulator", "Score", "MomentumSettings", "compute_score", "SCALE"]

#: soft counts are stored as integer millionths of a passage
SCALE = 1_000_000


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
    z_crit : float, default=3.3
        Significance needed for a call, in standard errors (see docs/momentum.md for how the
        value was set against false alarms).
    min_ratio : float, default=1.25
        Smallest share ratio (or its inverse) that is called rising (falling).
    prior_sd : float, default=0.5
        Prior spread of log share ratios; shrinks uncertain momentum towards zero.
    min_passages : float, default=20
        Fewest passages (all themes) a recent window and its baseline must each hold before
        any call is made: with fewer, shares swing too much, and passages of one article move
        together.
    dispersion : {"pooled", "theme"}, default="pooled"
        How the over-dispersion of the baseline periods is estimated: pooled over every theme
        (steadier: on streams of multi-passage articles it cut false alarms about fourfold,
        BENCHMARKS.md), or per theme (the method before issue 13).
    """

    recent: int = 4
    shortest: int = 2
    longest: int = 12
    baseline: int = 12
    z_crit: float = 3.3
    min_ratio: float = 1.25
    prior_sd: float = 0.5
    min_passages: float = 20
    dispersion: str = "pooled"

    def __post_init__(self):
        if self.dispersion not in ("theme", "pooled"):
            raise ValueError("dispersion must be 'theme' or 'pooled'")
        if not (1 <= self.shortest <= self.longest and 1 <= self.recent and self.baseline >= 1):
            raise ValueError("need 1 <= shortest <= longest, recent >= 1 and baseline >= 1")
        if self.z_crit <= 0 or self.min_ratio < 1 or self.prior_sd <= 0:
            raise ValueError("need z_crit > 0, min_ratio >= 1 and prior_sd > 0")


class Accumulator:
    """Per-day totals and theme counts of a stream of passages; memory grows with the
    number of distinct days, themes and (up to :data:`MAX_SOURCES`) outlets, never with the
    number of passages.

    Passages that name their ``source`` are also counted per outlet, so a call can be checked
    against a change in which outlets publish rather than in what they publish."""

    def __init__(self, themes: Iterable[str]):
        self.themes: list[str] = []
        self._index: dict[str, int] = {}
        self.days: dict[int, list[int]] = {}
        self.sources: dict[str, dict[int, list[int]]] = {}
        self.records = 0
        self.undated = 0
        self.by_model = 0  # passages counted with model probabilities (the rest kept their labels)
        for t in themes:
            self.theme_index(t)

    def theme_index(self, theme: str) -> int:
        i = self._index.get(theme)
        if i is None:
            i = self._index[theme] = len(self.themes)
            self.themes.append(theme)
            for row in self.days.values():
                row.append(0)
            for days in self.sources.values():
                for row in days.values():
                    row.append(0)
        return i

    def _row(self, day: int) -> list[int]:
        row = self.days.get(day)
        if row is None:
            row = self.days[day] = [0] * (len(self.themes) + 1)
        return row

    def _source_row(self, source, day: int) -> list[int] | None:
        if not isinstance(source, str) or not source.strip():
            return None
        days = self.sources.get(source)
        if days is None:
            if len(self.sources) >= MAX_SOURCES:
                source = OTHER_SOURCES
                days = self.sources.setdefault(source, {})
            else:
                days = self.sources[source] = {}
        row = days.get(day)
        if row is None:
            row = days[day] = [0] * (len(self.themes) + 1)
        return row

    def add_labels(self, day: int | None, labels, source=None) -> None:
        """One passage with hard labels (a list of theme names)."""
        self.records += 1
        if day is None:
            self.undated += 1
            return
        index = self._index
        row = self.days.get(day) or self._row(day)
        row[0] += SCALE
        for lab in labels:
            i = index.get(lab)
            if i is None:
                i = self.theme_index(lab)
            row[i + 1] += SCALE
        if source is not None:
            srow = self._source_row(source, day)
            if srow is not None:
                srow[0] += SCALE
                for lab in labels:
                    srow[index[lab] + 1] += SCALE

    def add_scores(self, day: int | None, scores: dict[str, float], source=None) -> None:
        """One passage with model probabilities, counted as soft (fractional) passages."""
        self.records += 1
        self.by_model += 1
        if day is None:
            self.undated += 1
            return
        row = self.days.get(day) or self._row(day)
        srow = self._source_row(source, day) if source is not None else None
        row[0] += SCALE
        if srow is not None:
            srow[0] += SCALE
        for theme, p in scores.items():
            i = self._index.get(theme)
            if i is None:
                i = self.theme_index(theme)
            v = int(round(p * SCALE))
            row[i + 1] += v
            if srow is not None:
                srow[i + 1] += v

    def merge(self, other: Accumulator) -> None:
        """Add another accumulator's counts (e.g. one per partition of a big input)."""
        for t in other.themes:
            self.theme_index(t)
        remap = [self._index[t] for t in other.themes]
        for day, orow in other.days.items():
            _add_row(self._row(day), orow, remap)
        for source, days in other.sources.items():
            for day, orow in days.items():
                target = self._source_row(source, day)
                _add_row(target, orow, remap)
        self.records += other.records
        self.undated += other.undated
        self.by_model += other.by_model


def _add_row(row: list[int], other: list[int], remap: list[int]) -> None:
    row[0] += other[0]
    for j, i in enumerate(remap):
        row[i + 1] += other[j + 1]


@dataclass
class Score:
    """The result of scoring: what :func:`trendscore.score` returns and ``score --format json`` prints."""

    as_of: str | None
    freq: str
    themes: list[dict]
    series: list[dict]
    records: dict
    windows: dict
    settings: dict
    notes: list[str] = field(default_factory=list)
    #: what gave the counts: passages counted with the labels they carried, passages labelled
    #: by a model, and that model's identity (None when no model ran)
    labelled_by: dict | None = None

    def to_json(self) -> dict:
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
        }

    def to_frame(self):
        """The series as a pandas DataFrame (period, start, theme, count, share, total);
        ``start``, the period's first day, is a datetime column (``pip install 'trendscore[pandas]'``)."""
        from .frames import require_pandas

        pd = require_pandas("Score.to_frame()")
        frame = pd.DataFrame(self.series, columns=["period", "start", "theme", "count", "share", "total"])
        frame["start"] = pd.to_datetime(frame["start"], format="%Y-%m-%d")
        return frame


def _phi(periods: list[tuple[float, float]], p: float) -> float:
    """Over-dispersion of a theme's share across baseline periods (Pearson chi-square / df), >= 1."""
    used = [(c, n) for c, n in periods if n > 0]
    if len(used) < 3 or p <= 0 or p >= 1:
        return 1.0
    chi2 = sum((c - n * p) ** 2 / (n * p * (1 - p)) for c, n in used)
    return min(max(1.0, chi2 / (len(used) - 1)), 25.0)


def _pooled_phi(per_period: dict[int, list[float]], first: int, baseline: int, k: int) -> float:
    """Over-dispersion of the baseline periods before ``first``, pooled over every theme:
    the sum of the themes' Pearson chi-squares over the sum of their degrees of freedom
    (five themes give five times the degrees of freedom of one, so the estimate is steadier),
    at least 1."""
    rows = [per_period[p] for p in range(first - baseline, first) if p in per_period and per_period[p][0] > 0]
    if len(rows) < 3:
        return 1.0
    n_total = sum(r[0] for r in rows)
    chi2 = df = 0.0
    for j in range(1, k + 1):
        p = sum(r[j] for r in rows) / n_total
        if 0 < p < 1:
            chi2 += sum((r[j] - r[0] * p) ** 2 / (r[0] * p * (1 - p)) for r in rows)
            df += len(rows) - 1
    return min(max(1.0, chi2 / df), 25.0) if df else 1.0


_NO_TEST = {"delta": 0.0, "var": math.inf, "z": 0.0}
#: outlets counted apart (more are lumped together, so memory stays bounded)
MAX_SOURCES = 500
OTHER_SOURCES = "(other sources)"


def _compare(c_r: float, n_r: float, c_b: float, n_b: float, phi: float) -> dict:
    """Log share ratio of recent to baseline, its variance and z.

    One pseudo-passage at the pooled share is split between the windows in proportion to
    their sizes, which keeps every log finite and gives a theme with no passages at all a
    ratio of exactly one, whatever the window sizes.
    """
    if n_r <= 0 or n_b <= 0:
        return dict(_NO_TEST)
    total = n_r + n_b
    pooled = (c_r + c_b + 0.5) / (total + 1.0)
    w_r, w_b = n_r / total, n_b / total
    a_r, a_b = c_r + w_r * pooled, c_b + w_b * pooled
    m_r, m_b = n_r + w_r, n_b + w_b
    delta = math.log(a_r / m_r) - math.log(a_b / m_b)
    var = phi * max(1 / a_r - 1 / m_r + 1 / a_b - 1 / m_b, 1e-12)
    return {"delta": delta, "var": var, "z": delta / math.sqrt(var)}


def _direction(test: dict, cfg: MomentumSettings) -> str:
    if test["z"] >= cfg.z_crit and test["delta"] >= math.log(cfg.min_ratio):
        return "rising"
    if test["z"] <= -cfg.z_crit and test["delta"] <= -math.log(cfg.min_ratio):
        return "falling"
    return "steady"


def _sums(per_period: dict[int, list[float]], first: int, last: int, k: int) -> tuple[float, float]:
    c = n = 0.0
    for p in range(first, last + 1):
        row = per_period.get(p)
        if row:
            n += row[0]
            c += row[k + 1]
    return c, n


def compute_score(
    acc: Accumulator,
    freq: str = "week",
    as_of: str | dt.date | None = None,
    settings: MomentumSettings | None = None,
    model_info: dict | None = None,
) -> Score:
    """Score theme momentum from an :class:`Accumulator` (see the module docstring).

    ``model_info`` names the model that labelled the passages counted with probabilities
    (see :func:`trendscore.scoring.model_info`); the score's ``labelled_by`` reports it."""
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
        last_day = max(acc.days) if acc.days else None
    else:
        last_day = (as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))).toordinal()
    per_period: dict[int, list[float]] = {}
    ignored_after = 0
    for day in sorted(acc.days):
        row = acc.days[day]
        if last_day is not None and day > last_day:
            ignored_after += row[0] // SCALE
            continue
        target = per_period.setdefault(period_of(day, freq), [0.0] * (k + 1))
        for i, v in enumerate(row):
            target[i] += v / SCALE
    records = {
        "total": acc.records,
        "dated": acc.records - acc.undated,
        "undated": acc.undated,
        "after_as_of": ignored_after,
    }
    notes: list[str] = []
    if acc.undated:
        notes.append(f"{acc.undated} passages have no usable date: counted here, not scored")
    if ignored_after:
        notes.append(f"{ignored_after} passages dated after as_of were left out")
    settings_json = {f: getattr(cfg, f) for f in cfg.__dataclass_fields__}
    if last_day is None:
        notes.append("no dated passages: nothing to score")
        themes_out = [_theme_row(t, dict(_NO_TEST), 0, 0, 0, 0, 1.0, "steady", None, cfg, freq) for t in themes]
        return Score(None, freq, themes_out, [], records, {}, settings_json, notes, labelled_by)

    cur = period_of(last_day, freq)
    r_first = cur - cfg.recent + 1
    b_first, b_last = r_first - cfg.baseline, r_first - 1
    windows = {
        "recent": [period_label(r_first, freq), period_label(cur, freq)],
        "baseline": [period_label(b_first, freq), period_label(b_last, freq)],
        "scan_periods": [cfg.shortest, cfg.longest],
        "current_period_partial": _partial(last_day, cur, freq),
    }
    if _sums(per_period, r_first, cur, -1)[1] == 0:
        notes.append("no passages in the recent window")
    if _sums(per_period, cur - cfg.longest - cfg.baseline + 1, cur - cfg.shortest, -1)[1] == 0:
        notes.append("no passages before the recent window: every theme is called steady")

    rows = []
    lengths = sorted(set(range(cfg.shortest, cfg.longest + 1)) | {cfg.recent})
    pooled = {length: _pooled_phi(per_period, cur - length + 1, cfg.baseline, k) for length in lengths}
    for j, theme in enumerate(themes):
        best = None
        default = None
        for length in lengths:
            first = cur - length + 1
            c_r, n_r = _sums(per_period, first, cur, j)
            c_b, n_b = _sums(per_period, first - cfg.baseline, first - 1, j)
            p_b = c_b / n_b if n_b else 0.0
            if cfg.dispersion == "pooled":
                phi = pooled[length]
            else:
                phi = _phi(
                    [
                        (per_period[p][j + 1], per_period[p][0])
                        for p in range(first - cfg.baseline, first)
                        if p in per_period
                    ],
                    p_b,
                )
            test = _compare(c_r, n_r, c_b, n_b, phi)
            entry = (test, (c_r, n_r, c_b, n_b), phi, length)
            if length == cfg.recent:
                default = entry
            enough = n_r >= cfg.min_passages and n_b >= cfg.min_passages
            if cfg.shortest <= length <= cfg.longest and enough and _direction(test, cfg) != "steady":
                if best is None or abs(test["z"]) > abs(best[0]["z"]):
                    best = entry
        test, counts, phi, length = best or default
        direction = _direction(test, cfg) if best else "steady"
        mix = None
        if direction != "steady" and acc.sources:
            mix = _outlet_mix(acc, freq, j, cur - length + 1, cur, cfg, last_day)
            if mix is not None and mix["explained"]:
                direction = "steady"
        row = _theme_row(theme, test, *counts, phi, direction, length, cfg, freq)
        if mix is not None:
            row["sources"] = mix["sources"]
            if mix["explained"]:
                row["reason"] = mix["reason"]
        rows.append(row)
    rows.sort(key=lambda r: (-r["momentum"], r["theme"]))
    first = min(per_period) if per_period else cur
    series = []
    for p in range(first, cur + 1):
        row = per_period.get(p, [0.0] * (k + 1))
        for j, theme in enumerate(themes):
            series.append(
                {
                    "period": period_label(p, freq),
                    "start": period_start(p, freq).isoformat(),
                    "theme": theme,
                    "count": round(row[j + 1], 4),
                    "share": round(row[j + 1] / row[0], 4) if row[0] else None,
                    "total": round(row[0], 4),
                }
            )
    day = dt.date.fromordinal(last_day).isoformat()
    return Score(day, freq, rows, series, records, windows, settings_json, notes, labelled_by)


def _outlet_mix(acc: Accumulator, freq: str, j: int, first: int, last: int, cfg: MomentumSettings, last_day: int):
    """Is a theme's move a change in which outlets publish rather than in what they publish?

    Each outlet's baseline share of the theme, applied to its recent volume, gives the share
    the recent window would have if no outlet had changed its mix. When the observed share is
    within the call's x``min_ratio`` floor of that expectation (or moved the other way), the move
    is the outlets' mix. Passages without a source count as one more outlet. Returns the
    per-outlet breakdown (largest recent volume first) and that verdict."""
    lo = first - cfg.baseline

    def sums(days: dict[int, list[int]]):
        c_r = n_r = c_b = n_b = 0.0
        for day, row in days.items():
            if day > last_day:
                continue
            p = period_of(day, freq)
            if first <= p <= last:
                n_r, c_r = n_r + row[0] / SCALE, c_r + row[j + 1] / SCALE
            elif lo <= p < first:
                n_b, c_b = n_b + row[0] / SCALE, c_b + row[j + 1] / SCALE
        return c_r, n_r, c_b, n_b

    outlets = {name: sums(days) for name, days in acc.sources.items()}
    total = sums(acc.days)
    rest = tuple(t - sum(o[i] for o in outlets.values()) for i, t in enumerate(total))
    if rest[1] > 1e-9 or rest[3] > 1e-9:
        outlets["(no source)"] = tuple(max(0.0, x) for x in rest)
    c_r, n_r, c_b, n_b = total
    if len(outlets) < 2 or not (n_r and n_b and c_b):
        return None
    p_b = c_b / n_b
    expected = sum(o[1] * (o[2] / o[3] if o[3] else p_b) for o in outlets.values())
    observed_ratio = c_r / n_r / p_b
    adjusted_ratio = (c_r / expected) if expected else math.inf
    floor = math.log(cfg.min_ratio)
    rising = observed_ratio > 1
    explained = (math.log(adjusted_ratio) < floor) if rising else (math.log(adjusted_ratio) > -floor)
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
    reason = (
        f"steady: the {'rise' if rising else 'fall'} (x{observed_ratio:.2f}) comes from which outlets publish, "
        f"not from what they publish: {mover['source']} went from {100 * mover['volume_share_baseline']:.0f}% "
        f"to {100 * mover['volume_share_recent']:.0f}% of the passages, and with every outlet's own mix "
        f"held at its baseline the ratio is x{adjusted_ratio:.2f}"
    )
    return {"sources": breakdown[:10], "explained": explained, "reason": reason}


def _partial(last_day: int, cur: int, freq: str) -> bool:
    return period_of(last_day + 1, freq) == cur


def _reason(direction, test, c_r, n_r, c_b, n_b, ci, window, cfg: MomentumSettings, freq: str) -> str:
    """One sentence on why a theme got its call, in the terms an analyst would check."""

    def share(c, n):  # rounded as the row's shares are
        return f"{100 * round(c / n, 4):.1f}%" if n else "-"

    span = f"the last {window} {freq}s" if window else "the recent window"
    interval = f"share ratio {ci[0]:.2f}-{ci[1]:.2f} (95%)" if ci else "no interval"
    if direction != "steady":
        return (
            f"{direction}: {share(c_r, n_r)} of {n_r:.0f} passages in {span} against {share(c_b, n_b)} of "
            f"{n_b:.0f} before; {interval}, z {test['z']:+.1f} beyond the {cfg.z_crit} needed"
        )
    if n_r <= 0:
        return "steady: no passages in the recent window"
    if n_b <= 0:
        return "steady: no passages before the recent window to compare with"
    if n_r < cfg.min_passages or n_b < cfg.min_passages:
        return (
            f"steady: too few passages to call ({n_r:.0f} in {span}, {n_b:.0f} before; "
            f"{cfg.min_passages:g} needed in each), whatever the shares ({share(c_r, n_r)} against {share(c_b, n_b)})"
        )
    ratio = math.exp(test["delta"])
    if abs(test["delta"]) < math.log(cfg.min_ratio):
        return f"steady: a change of x{ratio:.2f} is inside the x{cfg.min_ratio:g} a call needs ({interval})"
    weak = "includes 1" if ci and ci[0] <= 1 <= ci[1] else "is too wide"
    return (
        f"steady: the evidence is too weak for x{ratio:.2f} "
        f"({interval} {weak}; z {test['z']:+.1f}, {cfg.z_crit} needed)"
    )


def _theme_row(theme, test, c_r, n_r, c_b, n_b, phi, direction, window, cfg: MomentumSettings, freq="week") -> dict:
    var = test["var"]
    shrink = cfg.prior_sd**2 / (cfg.prior_sd**2 + var) if math.isfinite(var) else 0.0
    momentum = test["delta"] * shrink / math.log(2)
    if math.isfinite(var):
        half = 1.96 * math.sqrt(var)
        ci = [round(math.exp(test["delta"] - half), 4), round(math.exp(test["delta"] + half), 4)]
        p_value = math.erfc(abs(test["z"]) / math.sqrt(2))
    else:
        ci, p_value = None, None
    return {
        "theme": theme,
        "momentum": round(momentum, 4),
        "direction": direction,
        "share_recent": round(c_r / n_r, 4) if n_r else None,
        "share_baseline": round(c_b / n_b, 4) if n_b else None,
        "count_recent": round(c_r, 4),
        "count_baseline": round(c_b, 4),
        "total_recent": round(n_r, 4),
        "total_baseline": round(n_b, 4),
        "ratio_interval": ci,
        "z": round(test["z"], 3),
        "p_value": None if p_value is None else float(f"{p_value:.3g}"),
        "dispersion": round(phi, 3),
        "recent_periods": window,
        "reason": _reason(direction, test, c_r, n_r, c_b, n_b, ci, window, cfg, freq),
    }
