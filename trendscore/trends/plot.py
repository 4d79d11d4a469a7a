"""The picture of a score: one small panel per theme and the passages per period beneath.

Each panel shows the theme's share per period with a 95% band (Wilson's interval on that
period's passages, so a period of three passages shows how little it says), the window of
the call shaded (green rising, red falling, grey the default window of a steady theme), and
the current period drawn hollow when it is still partial. The bottom bar shows how many
passages each period holds.

Drawn with Pillow (:mod:`trendscore.trends.canvas`): a year of weekly data takes a few
hundredths of a second, where a general plotting library spent most of a second on its
start-up and its objects.
"""

from __future__ import annotations

import math
from collections.abc import Collection

from trendscore.trends.canvas import Axes, Canvas, nice_ticks
from trendscore.trends.fonts import cjk_font_file, load_font
from trendscore.trends.momentum import Score

__all__ = ["plot_png", "theme_name", "cjk_font", "MAX_PANELS"]

#: themes drawn (the first by rank); more are left out with a note in the figure
MAX_PANELS = 12
_ZH = {"policy": "政策", "technology": "技术", "overseas": "出海", "regional_hub": "地方基地", "culture": "文化"}
_SHADE = {"rising": (44, 160, 44), "falling": (214, 39, 40), "steady": (153, 153, 153)}
_STEADY_LINE = (31, 119, 180)
_PANEL_W, _PANEL_H, _VOLUME_H = 600, 230, 130
#: periods up to which each is marked with a dot (more would merge into a smear)
_MARKERS_UP_TO = 160


def theme_name(theme: str, lang: str = "en", others: Collection[str] = ()) -> str:
    """The name shown for a theme. For ``lang="zh"`` the five themes of the bundled models
    (``policy``, ``technology``, ``overseas``, ``regional_hub``, ``culture``) are named in
    Chinese, by their name whatever model or labels gave them: the labels ``label`` wrote and
    ``score`` reads as given carry no model, and a model trained on seeds of those themes
    names the same themes. Any other name is shown as written; so is one of the five whose
    Chinese name is itself a theme among ``others`` (the score's other themes), which would
    otherwise show as two themes of one name.

    >>> theme_name("policy", "zh"), theme_name("esports", "zh"), theme_name("policy", "zh", ["政策"])
    ('政策', 'esports', 'policy')
    """
    if lang != "zh" or theme not in _ZH or _ZH[theme] in others:
        return theme
    return _ZH[theme]


def cjk_font() -> str | None:
    """The path of an installed font file that draws Chinese, or None."""
    path = cjk_font_file()
    return None if path is None else str(path)


def _wilson(c: float, n: float) -> tuple[float, float]:
    if n <= 0:
        return math.nan, math.nan
    p, z2 = c / n, 1.96**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = 1.96 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _runs(points):
    """The runs of consecutive points whose values are numbers (gaps split a line)."""
    run: list = []
    for point in points:
        if any(v != v for v in point[1:]):
            if run:
                yield run
            run = []
        else:
            run.append(point)
    if run:
        yield run


def _needs_cjk(words: list[str]) -> bool:
    return any(ord(ch) > 0x2E7F for w in words for ch in w)


def _percent(v: float) -> str:
    return f"{100 * v:.0f}%"


def _panel(
    c: Canvas, ax: Axes, t: dict, pts: list[tuple[int, dict]], n_periods: int, partial: bool, window, name: str
) -> None:
    colour = _SHADE[t["direction"]] if t["direction"] != "steady" else _STEADY_LINE
    if window:
        a, b = ax.x(n_periods - window - 0.5), ax.x(n_periods - 0.5)
        c.rect(a, ax.top, b, ax.bottom, fill=_SHADE[t["direction"]] + (31,), outline=None, width_pt=0)
    band = [(x, *_wilson(r["count"], r["total"])) for x, r in pts]
    for run in _runs(band):
        if len(run) == 1:  # a period between gaps: its interval as a short bar
            x, lo, hi = run[0]
            c.rect(ax.x(x) - 2.5, ax.y(hi), ax.x(x) + 2.5, ax.y(lo), fill=colour + (38,))
            continue
        c.band([ax.x(x) for x, _, _ in run], [ax.y(lo) for _, lo, _ in run], [ax.y(hi) for _, _, hi in run], colour, 38)
    share = [(x, math.nan if r["share"] is None else r["share"]) for x, r in pts]
    solid = share[:-1] if partial else share
    for run in _runs(solid):
        c.line([(ax.x(x), ax.y(y)) for x, y in run], colour, 1.3)
        if n_periods <= _MARKERS_UP_TO:
            for x, y in run:
                c.dot(ax.x(x), ax.y(y), 2.5, colour)
    if partial and share and share[-1][1] == share[-1][1]:
        tail = [p for p in share[-2:] if p[1] == p[1]]
        c.line([(ax.x(x), ax.y(y)) for x, y in tail], colour, 1.0, dotted=True)
        c.dot(ax.x(share[-1][0]), ax.y(share[-1][1]), 5, "white", outline=colour)
    # the title: name, a drawn arrow (fonts differ in which arrows they have), the call
    x = ax.left
    y = ax.top - 7
    x += c.text(x, y, c.fit(name, 9, (ax.right - ax.left) * 0.55) + ": ", 9, anchor="ls")
    size = 7.5
    if t["direction"] in ("rising", "falling"):
        up = t["direction"] == "rising"
        tip, base = (y - size, y) if up else (y, y - size)
        c.polygon([(x + 0.5, base), (x + size / 2 + 0.5, tip), (x + size + 0.5, base)], fill=colour)
        x += size + 4
        words = f"{t['direction']}, momentum {t['momentum']:+.2f}"
    else:
        words = f"steady, momentum {t['momentum']:+.2f}"
    c.text(x, y, words, 9, anchor="ls")


def plot_png(score: Score, lang: str = "en", columns: int | None = None) -> bytes:
    """The PNG of the score (see the module docstring). With ``lang="zh"`` the bundled
    themes are named in Chinese when a font that draws Chinese is installed; otherwise the
    English names are kept and the figure says why. The panels stand in ``columns`` columns
    (by default one for up to two themes, else two)."""
    from trendscore.extras import require

    require("plot", "drawing the plot of a score")
    periods = sorted({row["start"] for row in score.series})
    index = {p: i for i, p in enumerate(periods)}
    labels = {row["start"]: row["period"] for row in score.series}
    rows: dict[str, list[dict]] = {}
    for r in score.series:
        rows.setdefault(r["theme"], []).append(r)
    themes = [t for t in score.themes if t["theme"] in rows][:MAX_PANELS]
    has_cjk_font = cjk_font_file() is not None
    use_lang = "zh" if lang == "zh" and has_cjk_font else "en"
    every = [t["theme"] for t in score.themes]
    names = [theme_name(t["theme"], use_lang, every) for t in themes]
    cjk = has_cjk_font and _needs_cjk(names + [labels[p] for p in periods])
    cols = columns if columns is not None else (1 if len(themes) <= 2 else 2)
    if cols < 1:
        raise ValueError("columns must be at least 1")
    panel_rows = max(1, math.ceil(len(themes) / cols))
    partial = bool(score.windows.get("current_period_partial")) if score.windows else False
    notes = []
    if partial:
        notes.append("hollow: the current period, still partial")
    if len(score.themes) > len(themes):
        notes.append(f"{len(themes)} of {len(score.themes)} themes drawn")
    if lang == "zh" and not has_cjk_font:
        notes.append("no font that draws Chinese is installed (e.g. fonts-noto-cjk): names in English")
    top = 50 if notes else 36
    width = _PANEL_W * cols
    height = top + _PANEL_H * panel_rows + _VOLUME_H + 62
    c = Canvas(width, height, lambda px: load_font(px, cjk))
    title = f"Theme shares per {score.freq}" + (f", as of {score.as_of}" if score.as_of else "")
    c.text(width / 2, 8, title, 10, anchor="ma")
    if notes:
        c.text(width / 2, 26, "; ".join(notes), 8, anchor="ma", colour="#555555")
    n = len(periods)
    step = max(1, n // 8)
    xticks = list(range(0, n, step))
    xlim = (-0.5, n - 0.5)
    inner = 22 if cols > 1 else 0
    for k, t in enumerate(themes):
        col, row = k % cols, k // cols
        left = col * _PANEL_W + (52 if col == 0 else 40 + inner)
        right = (col + 1) * _PANEL_W - (14 if col == cols - 1 else inner)
        box_top = top + row * _PANEL_H + 26
        pts = sorted(rows[t["theme"]], key=lambda r: r["start"])
        band_top = max([_wilson(r["count"], r["total"])[1] for r in pts if r["total"] > 0] + [0.05])
        yticks = [v for v in nice_ticks(min(1.0, band_top * 1.1), 5, (1, 2, 5)) if v <= 1.0]
        ax = Axes(c, left, box_top, right, box_top + _PANEL_H - 44, xlim, (0.0, min(1.0, band_top * 1.1)))
        ax.frame(yticks, _percent, xticks)
        window = t["recent_periods"] or (score.settings or {}).get("recent")
        _panel(c, ax, t, [(index[r["start"]], r) for r in pts], n, partial, window if n else None, names[k])
    # the passages per period
    totals = {r["start"]: r["total"] for r in score.series}
    heights = [totals[p] for p in periods]
    vol_top = top + _PANEL_H * panel_rows + 8
    peak = max(heights + [1]) * 1.05
    ax = Axes(c, 52, vol_top, width - 14, vol_top + _VOLUME_H - 18, xlim, (0.0, peak))
    # passages are whole: a tick at 0.5 would be labelled 0 (or 1)
    ax.frame([v for v in nice_ticks(peak, 4, (1, 2, 5)) if v == int(v)], lambda v: f"{v:,.0f}", xticks, grid=False)
    done = n - 1 if partial else n
    for i, h in enumerate(heights):
        x0, x1 = ax.x(i - 0.4), ax.x(i + 0.4)
        if i < done:
            c.rect(x0, ax.y(h), x1, ax.y(0), fill="#888888")
        else:
            c.rect(x0, ax.y(h), x1, ax.y(0), fill="white", outline="#888888")
    c.turned_text(14, (ax.top + ax.bottom) / 2 - c.width_of("passages", 8) / 2, "passages", 8, 90)
    for i in xticks:
        c.turned_text(ax.x(i) + 3, ax.bottom + 8, c.fit(labels[periods[i]], 7, 90), 7, 30)
    return c.png()
