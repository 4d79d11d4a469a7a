"""The picture of a score: one small panel per theme and the passages per period beneath.

Each panel shows the theme's share per period with a 95% band (Wilson's interval on that
period's passages, so a period of three passages shows how little it says), the window of
the call shaded (green rising, red falling, grey the default window of a steady theme), and
the current period drawn hollow when it is still partial. The bottom bar shows how many
passages each period holds.
"""

from __future__ import annotations

import io
import math

from trendscore.trends.momentum import Score

__all__ = ["plot_png", "theme_name", "cjk_font", "MAX_PANELS"]

#: themes drawn (the first by rank); more are left out with a note in the figure
MAX_PANELS = 12
_ZH = {"policy": "政策", "technology": "技术", "overseas": "出海", "regional_hub": "地方基地", "culture": "文化"}
_CJK_FONTS = (
    "Noto Sans CJK",
    "Noto Sans SC",
    "Source Han Sans",
    "WenQuanYi",
    "SimHei",
    "Microsoft YaHei",
    "PingFang",
    "Droid Sans Fallback",
    "AR PL",
)
_SHADE = {"rising": "#2ca02c", "falling": "#d62728", "steady": "#999999"}


def theme_name(theme: str, lang: str = "en") -> str:
    """The name shown for a theme: the bundled themes have Chinese names for ``lang="zh"``."""
    return _ZH.get(theme, theme) if lang == "zh" else theme


def cjk_font() -> str | None:
    """The name of an installed font that draws Chinese, or None. Fonts installed after
    matplotlib last listed the system's are looked for among the font files too."""
    from matplotlib import font_manager

    def known():
        for font in font_manager.fontManager.ttflist:
            if any(font.name.startswith(name) for name in _CJK_FONTS):
                return font.name
        return None

    name = known()
    if name is None:
        hints = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy", "droidsansfallback", "simhei", "msyh")
        for path in font_manager.findSystemFonts():
            if any(h in path.lower().replace("-", "").replace("_", "") for h in hints):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        name = known()
    return name


def _wilson(c: float, n: float) -> tuple[float, float]:
    if n <= 0:
        return math.nan, math.nan
    p, z2 = c / n, 1.96**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = 1.96 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _plain(label: str) -> str:
    """A label matplotlib shows as written: ``$`` would start TeX math, and a leading ``_``
    hides the label from the legend."""
    label = label.replace("$", r"\$")
    return "\u200b" + label if label.startswith("_") else label


def plot_png(score: Score, lang: str = "en") -> bytes:
    """The PNG of the score (see the module docstring). With ``lang="zh"`` the bundled
    themes are named in Chinese when a font that draws Chinese is installed; otherwise the
    English names are kept and the figure says why."""
    from trendscore.extras import require

    matplotlib = require("plot", "drawing the plot of a score")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    font = cjk_font() if lang == "zh" else None
    use_lang = "zh" if font else "en"
    rc: dict = {"font.family": [font, "DejaVu Sans"]} if font else {}
    periods = sorted({row["start"] for row in score.series})
    index = {p: i for i, p in enumerate(periods)}
    labels = {row["start"]: row["period"] for row in score.series}
    rows: dict[str, list[dict]] = {}
    for r in score.series:
        rows.setdefault(r["theme"], []).append(r)
    themes = [t for t in score.themes if t["theme"] in rows][:MAX_PANELS]
    cols = 1 if len(themes) <= 2 else 2
    panel_rows = max(1, math.ceil(len(themes) / cols))
    with plt.rc_context(rc):
        fig = plt.figure(figsize=(6 * cols, 2.3 * panel_rows + 1.8), dpi=100)
        grid = fig.add_gridspec(panel_rows + 1, cols, height_ratios=[2.3] * panel_rows + [1.3])
        partial = bool(score.windows.get("current_period_partial")) if score.windows else False
        step = max(1, len(periods) // 8)
        for n, t in enumerate(themes):
            ax = fig.add_subplot(grid[n // cols, n % cols])
            pts = sorted(rows[t["theme"]], key=lambda r: r["start"])
            xs = [index[r["start"]] for r in pts]
            ys = [math.nan if r["share"] is None else r["share"] for r in pts]
            band = [_wilson(r["count"], r["total"]) for r in pts]
            colour = _SHADE[t["direction"]] if t["direction"] != "steady" else "#1f77b4"
            ax.fill_between(xs, [b[0] for b in band], [b[1] for b in band], color=colour, alpha=0.15, linewidth=0)
            solid = xs[:-1] if partial else xs
            ax.plot(solid, ys[: len(solid)], marker="o", markersize=2.5, color=colour, linewidth=1.3)
            if partial and xs:
                ax.plot(xs[-2:], ys[-2:], color=colour, linewidth=1, linestyle=":")
                ax.plot([xs[-1]], [ys[-1]], "o", markersize=5, markerfacecolor="white", color=colour, zorder=3)
            window = t["recent_periods"] or (score.settings or {}).get("recent")
            if window and xs:
                ax.axvspan(len(periods) - window - 0.5, len(periods) - 0.5, color=_SHADE[t["direction"]], alpha=0.12)
            arrow = {"rising": "▲ rising", "falling": "▼ falling"}.get(t["direction"], "steady")
            ax.set_title(
                _plain(f"{theme_name(t['theme'], use_lang)}: {arrow}, momentum {t['momentum']:+.2f}"),
                fontsize=9,
                loc="left",
                y=1.0,  # a fixed place: placing it automatically measured every tick label
            )
            top = max([b[1] for b in band if b[1] == b[1]] + [0.05])
            ax.set_ylim(0, min(1.0, top * 1.1))
            ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
            ax.set_xticks(range(0, len(periods), step))
            ax.set_xticklabels([])
            ax.set_xlim(-0.5, len(periods) - 0.5)
            ax.grid(alpha=0.25)
            ax.tick_params(labelsize=7)
        volume = fig.add_subplot(grid[panel_rows, :])
        totals = {}
        for r in score.series:
            totals[r["start"]] = r["total"]
        # one collection of bars, not a patch each (a hundred patches took a fifth of the drawing)
        heights = [totals[p] for p in periods]
        done = len(periods) - 1 if partial else len(periods)
        bars = [[(i - 0.4, 0), (i - 0.4, h), (i + 0.4, h), (i + 0.4, 0)] for i, h in enumerate(heights)]
        volume.add_collection(PolyCollection(bars[:done], facecolors="#888888", linewidths=0))
        if done < len(bars):
            volume.add_collection(PolyCollection(bars[done:], facecolors="white", edgecolors="#888888"))
        volume.set_ylim(0, max(heights + [1]) * 1.05)
        volume.set_ylabel("passages", fontsize=8)
        volume.set_xlim(-0.5, len(periods) - 0.5)
        volume.set_xticks(range(0, len(periods), step))
        volume.set_xticklabels([labels[p] for p in periods][::step], rotation=30, ha="right", fontsize=7)
        volume.tick_params(labelsize=7)
        title = f"Theme shares per {score.freq}" + (f", as of {score.as_of}" if score.as_of else "")
        notes = []
        if partial:
            notes.append("hollow: the current period, still partial")
        if len(score.themes) > len(themes):
            notes.append(f"{len(themes)} of {len(score.themes)} themes drawn")
        if lang == "zh" and not font:
            notes.append("no font that draws Chinese is installed (e.g. fonts-noto-cjk): names in English")
        fig.suptitle(title + ("\n" + "; ".join(notes) if notes else ""), fontsize=10)
        # fixed margins (tight_layout measured every label and took a third of the drawing)
        height = fig.get_figheight()
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.9 / height, top=1 - 0.75 / height, hspace=0.5, wspace=0.18)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()
