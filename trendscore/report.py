"""The PNG plot and the self-contained HTML report of a score."""

from __future__ import annotations

import base64
import html
import io

from .trends import Score

__all__ = ["plot_png", "write_plot", "report_html", "write_report"]

_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f"]


def plot_png(score: Score) -> bytes:
    """Each theme's share per period, the recent window shaded, rising/falling marked."""
    from .extras import require

    matplotlib = require("plot", "drawing the plot (score --plot, --report)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5), dpi=110)
    periods = sorted({row["start"] for row in score.series})
    index = {p: i for i, p in enumerate(periods)}
    labels = {row["start"]: row["period"] for row in score.series}
    for n, t in enumerate(sorted(score.themes, key=lambda r: r["theme"])):
        colour = _COLOURS[n % len(_COLOURS)]
        pts = [(index[r["start"]], r["share"]) for r in score.series if r["theme"] == t["theme"]]
        if all(y is None for _, y in pts):
            continue
        xs = [x for x, _ in pts]
        ys = [float("nan") if y is None else y for _, y in pts]  # a gap breaks the line
        mark = {"rising": " ▲ rising", "falling": " ▼ falling"}.get(t["direction"], "")
        if mark and t["recent_periods"]:
            mark += f" (last {t['recent_periods']} {score.freq}s)"
        ax.plot(xs, ys, marker="o", markersize=3, color=colour, label=_plain(f"{t['theme']}{mark}"))
        if t["direction"] != "steady":
            last = max(i for i, y in enumerate(ys) if y == y)
            ax.scatter(
                [xs[last]], [ys[last]], s=120, color=colour, marker="^" if t["direction"] == "rising" else "v", zorder=3
            )
    if periods and score.windows:
        first = score.windows["recent"][0]
        starts = [p for p in periods if labels[p] >= first]  # ISO labels sort as dates
        if starts:
            ax.axvspan(index[starts[0]] - 0.5, len(periods) - 0.5, color="#999999", alpha=0.12, label="recent window")
    step = max(1, len(periods) // 12)
    ax.set_xticks(range(0, len(periods), step))
    ax.set_xticklabels([labels[p] for p in periods][::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("share of passages")
    ax.set_ylim(0, 1)
    ax.set_title(f"Theme shares per {score.freq}" + (f", as of {score.as_of}" if score.as_of else ""))
    ax.legend(fontsize=8, loc="upper left", ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def write_plot(score: Score, path: str, png: bytes | None = None) -> None:
    """Write the plot; ``png`` is the picture when the caller has already drawn it."""
    from .writers import atomic_write_bytes

    atomic_write_bytes(path, png if png is not None else plot_png(score))


_CSS = """
body{font-family:-apple-system,'Segoe UI','Noto Sans CJK SC','PingFang SC',sans-serif;
margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f2f2f2}td.l{text-align:left}.rising{color:#0a7d20;font-weight:bold}.falling{color:#b00020;font-weight:bold}
.passage{border-left:3px solid #ccc;margin:.5em 0;padding:.2em .8em;font-size:.92em}.meta{color:#666;font-size:.85em}
img{max-width:100%}
"""


def report_html(score: Score, examples=None, png: bytes | None = None) -> str:
    """One self-contained HTML page: the ranking, the plot (embedded) and example passages."""
    from .render import labels_text, units_text
    from .render import p_text as p_of
    from .render import pct as share

    e = html.escape
    units = e(units_text(score.records))
    rows = []
    for rank, t in enumerate(score.themes, 1):
        p = p_of(t["p_value"])
        rows.append(
            f"<tr><td>{rank}</td><td class=l>{e(t['theme'])}</td><td class='l {t['direction']}'>{t['direction']}</td>"
            f"<td>{t['momentum']:+.2f}</td><td>{share(t['share_recent'])}</td><td>{share(t['share_baseline'])}</td>"
            f"<td>{t['count_recent']:.1f}</td><td>{t['count_baseline']:.1f}</td><td>{p}</td>"
            f"<td class=l>{e(t['reason'])}{_behind(t)}</td></tr>"
        )
    img = ""
    if score.series:
        data = base64.b64encode(png if png is not None else plot_png(score)).decode("ascii")
        img = f"<img alt='theme shares over time' src='data:image/png;base64,{data}'>"
    sections = []
    if examples is not None and score.as_of is not None:
        from .dates import parse_date, period_of

        cur = period_of(parse_date(score.as_of), score.freq)
        for t in score.themes:
            first = cur - (t["recent_periods"] or score.settings["recent"]) + 1
            items = examples.top(t["theme"], first, cur, n=5)
            body = (
                "".join(
                    f"<div class=passage>{e(x['text'])}<div class=meta>"
                    + " · ".join(e(str(v)) for v in (x["date"], x["source"], x["title"]) if v)
                    + f" · weight {x['weight']:.2f}</div></div>"
                    for x in items
                )
                or "<p class=meta>No passage carries this theme in its recent window.</p>"
            )
            sections.append(f"<h3>{e(t['theme'])} <span class={t['direction']}>{t['direction']}</span></h3>{body}")
    rec = score.records
    w = score.windows
    window = (
        f"recent {e(w['recent'][0])}..{e(w['recent'][1])} against {e(w['baseline'][0])}..{e(w['baseline'][1])}"
        if w
        else ""
    )
    notes = "".join(f"<li>{e(n)}</li>" for n in score.notes)
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>trendscore: theme momentum</title><style>{_CSS}</style></head>
<body><h1>Theme momentum</h1>
<p>As of <b>{e(str(score.as_of))}</b>, per {e(score.freq)}; {window}.
{rec["total"]} passages ({rec["dated"]} dated, {rec["undated"]} undated, {rec["after_as_of"]} after as_of{units}).</p>
<table><tr><th>rank</th><th>theme</th><th>direction</th><th>momentum</th><th>share now</th><th>share before</th>
<th>count now</th><th>count before</th><th>p</th><th>why</th></tr>{"".join(rows)}</table>
<p class=meta>{e(labels_text(score.labelled_by))}</p>
<p class=meta>Momentum is log2 of the share ratio, shrunk by its uncertainty (+1 = doubled). A theme is called
rising or falling only on strong evidence; see docs/momentum.md.</p>
<ul>{notes}</ul>{img}
<h2>Passages that drove each theme (recent window)</h2>{"".join(sections)}
</body></html>
"""


def write_report(score: Score, path: str, examples=None, png: bytes | None = None) -> None:
    from .writers import atomic_write_bytes

    atomic_write_bytes(path, report_html(score, examples, png).encode("utf-8"))


def _plain(label: str) -> str:
    """A label matplotlib shows as written: ``$`` would start TeX math, and a leading ``_``
    hides the label from the legend."""
    label = label.replace("$", r"\$")
    return "\u200b" + label if label.startswith("_") else label


def _behind(theme_row: dict) -> str:
    from .render import drivers_text

    text = drivers_text(theme_row)
    return f"<br><i>Behind it:</i> {html.escape(text)}" if text else ""
