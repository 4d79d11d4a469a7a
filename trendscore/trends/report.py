"""The PNG plot and the self-contained HTML report of a score."""

from __future__ import annotations

import base64
import datetime as dt
import html

from trendscore.trends.momentum import Score
from trendscore.trends.plot import plot_png, theme_name
from trendscore.wording import counted

__all__ = ["plot_png", "write_plot", "report_html", "write_report"]

_CSS = """
body{font-family:-apple-system,'Segoe UI','Noto Sans CJK SC','PingFang SC',sans-serif;
margin:1em auto;max-width:1100px;padding:0 .8em;color:#222;line-height:1.45}
.scroll{overflow-x:auto}h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
@media (max-width:600px){body{font-size:15px}td,th{padding:3px 5px}.wide{display:none}
#ranking th{display:none}#ranking tr{display:block;border:1px solid #ccc;margin:.6em 0;padding:.3em}
#ranking td{display:inline-block;border:none;padding:2px 5px}#ranking td.why{display:block;text-align:left}
#ranking td.wide{display:none}}
th{background:#f2f2f2}td.l{text-align:left}.rising{color:#0a7d20;font-weight:bold}.falling{color:#b00020;font-weight:bold}
.passage{border-left:3px solid #ccc;margin:.5em 0;padding:.2em .8em;font-size:.92em}.meta{color:#666;font-size:.85em}
img{max-width:100%}
"""


def report_html(score: Score, examples=None, png: bytes | None = None, lang: str = "en") -> str:
    """One self-contained HTML page (nothing to fetch; readable on a phone and a desktop):
    the ranking with the reason and what is behind each call, the picture, the passages behind
    the calls, the model and the settings, and how the calls are made."""
    from trendscore.trends.render import labels_text, units_text, window_cell, windows_text
    from trendscore.trends.render import p_text as p_of
    from trendscore.trends.render import pct as share

    e = html.escape
    units = e(units_text(score.records))
    rows = []
    every = [t["theme"] for t in score.themes]
    for rank, t in enumerate(score.themes, 1):
        p = p_of(t["p_value"])
        rows.append(
            f"<tr><td>{rank}</td><td class=l>"
            f"{e(theme_name(t['theme'], lang, every) + (' (provisional)' if t.get('provisional') else ''))}</td>"
            f"<td class='l {t['direction']}'>{t['direction']}</td>"
            f"<td>{t['momentum']:+.2f}</td><td>{share(t['share_recent'])}</td><td>{share(t['share_baseline'])}</td>"
            f"<td class=wide>{t['count_recent']:.1f}</td><td class=wide>{t['count_baseline']:.1f}</td>"
            f"<td class=wide>{p}</td><td>{window_cell(t)}</td><td class='l why'>{e(t['reason'])}{_behind(t)}</td></tr>"
        )
    img = ""
    if score.series:
        # a phone shows the panels one above the other (the two-column picture would be a third
        # of its size); a wide screen the picture of the plot
        wide = base64.b64encode(png if png is not None else plot_png(score, lang)).decode("ascii")
        narrow = base64.b64encode(plot_png(score, lang, columns=1)).decode("ascii")
        img = (
            f"<picture><source media='(max-width:700px)' srcset='data:image/png;base64,{narrow}'>"
            f"<img alt='theme shares over time' src='data:image/png;base64,{wide}'></picture>"
        )
    sections = _passages(score, examples, lang)
    rec = score.records
    window = f"; {e(windows_text(score))}" if score.windows else ""
    total = counted(rec["total"], "passage")
    notes = "".join(f"<li>{e(n)}</li>" for n in score.notes)
    settings = "".join(
        f"<tr><td class=l>{e(str(k))}</td><td class=l>{e(_setting(k, v, score.settings))}</td></tr>"
        for k, v in score.settings.items()
    )
    return f"""<!DOCTYPE html>
<html lang="{"zh" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>trendscore: theme momentum</title><style>{_CSS}</style></head>
<body><h1>Theme momentum</h1>
<p>As of <b>{e(str(score.as_of))}</b>, per {e(score.freq)}{window}.
{total} ({rec["dated"]} dated, {rec["undated"]} undated, {rec["after_as_of"]} after as_of{units}).</p>
<div class=scroll><table id=ranking><tr><th>rank</th><th>theme</th><th>direction</th><th>momentum</th><th>share now</th>
<th>share before</th><th class=wide>count now</th><th class=wide>count before</th><th class=wide>p</th><th>window</th>
<th>why</th></tr>
{"".join(rows)}</table></div>
<p class=meta>Momentum is log2 of the share ratio, shrunk by its uncertainty (+1 = doubled). A theme is called
rising or falling only on strong evidence; <a href="#method">how</a>.</p>
<ul>{notes}</ul>
{_breakdown(score)}{_emerging(score)}
<h2 id=picture>Shares over time</h2>{img}
<h2 id=passages>Passages behind each rising or falling theme (its window)</h2>{"".join(sections)}
<h2 id=model>Model and settings</h2>
<p>{e(labels_text(score.labelled_by) or "no labels counted")}</p>{_model_table(score.labelled_by)}
<div class=scroll><table>{settings}</table></div>
<h2 id=method>How the calls are made</h2>{_method()}
</body></html>
"""


def _setting(key: str, value, settings: dict) -> str:
    """A setting as the report's table shows it: a level left to the scan's simulation (a
    ``z_crit`` of None) says so, and no setting shows Python's ``None``."""
    if value is None:
        if key == "z_crit":
            return f"simulated for false_alarm {settings.get('false_alarm')}"
        return "-"
    return str(value)


def write_plot(score: Score, path: str, png: bytes | None = None, lang: str = "en") -> None:
    """Write the plot; ``png`` is the picture when the caller has already drawn it."""
    from trendscore.io.atomic import atomic_write_bytes

    atomic_write_bytes(path, png if png is not None else plot_png(score, lang))


def write_report(score: Score, path: str, examples=None, png: bytes | None = None, lang: str = "en") -> None:
    """Write the HTML report of ``score`` to ``path`` atomically (see :func:`report_html`)."""
    from trendscore.io.atomic import atomic_write_bytes

    atomic_write_bytes(path, report_html(score, examples, png, lang).encode("utf-8"))


def _passages(score: Score, examples, lang: str) -> list[str]:
    """The passages behind each called theme, each passage under one theme only."""
    if examples is None or score.as_of is None:
        return ["<p class=meta>Passages are listed when the report is written by <code>trendscore score</code>.</p>"]
    from trendscore.io.dates import period_of

    e = html.escape
    cur = period_of(dt.date.fromisoformat(score.as_of).toordinal(), score.freq)
    shown: set = set()
    sections = []
    every = [t["theme"] for t in score.themes]
    for t in score.themes:
        if t["direction"] == "steady":
            continue
        first = cur - (t["recent_periods"] or score.settings["recent"]) + 1
        items = examples.top(t["theme"], first, cur, n=5, exclude=shown)
        shown.update(x["fingerprint"] for x in items)
        body = (
            "".join(
                f"<div class=passage>{e(x['text'])}<div class=meta>"
                + " · ".join(e(str(v)) for v in (x["date"], x["source"], x["title"]) if v)
                + (f" · <a href='{e(x['url'])}'>link</a>" if _web(x["url"]) else "")
                + f" · {e(x['why'])}</div></div>"
                for x in items
            )
            or f"<p class=meta>{e(_none_shown(t, examples.without_text(t['theme'], first, cur)))}</p>"
        )
        name = e(theme_name(t["theme"], lang, every) + (" (provisional)" if t.get("provisional") else ""))
        sections.append(f"<h3>{name} <span class={t['direction']}>{t['direction']}</span></h3>{body}")
    return sections or ["<p class=meta>No theme is rising or falling: no passages to show.</p>"]


def _none_shown(theme_row: dict, without_text: int) -> str:
    """Why a called theme shows no passage: its passages came without text, or the model gave
    none of them 0.5 or more; only a theme with no count in its window had none to show."""
    if without_text:
        return (
            f"No passage to show: the {counted(without_text, 'passage')} labelled with this theme in its "
            "window came without text (labels as given)."
        )
    if theme_row["count_recent"] > 0:
        return (
            "No passage to show: none of this theme's passages in its window has a probability of 0.5 or "
            f"more for it (its count, {theme_row['count_recent']:.1f}, sums the model's probabilities)."
        )
    return "No passage carries this theme in its recent window."


def _model_table(labelled_by: dict | None) -> str:
    model = (labelled_by or {}).get("model")
    if not model:
        return ""
    e = html.escape
    fields = [
        ("name", "model"),
        ("created", "trained"),
        ("trained_with", "trendscore version"),
        ("seeds_sha256", "seeds (SHA-256)"),
        ("path", "loaded from"),
    ] + ([("provisional", "provisional themes (from a few examples)")] if model.get("provisional") else [])
    cells = "".join(f"<tr><td class=l>{label}</td><td class=l>{e(str(model.get(k)))}</td></tr>" for k, label in fields)
    return f"<div class=scroll><table>{cells}</table></div>"


def _method() -> str:
    """The method section, shipped inside the package (trendscore/data/method.txt)."""
    from importlib import resources

    text = resources.files("trendscore.data").joinpath("method.txt").read_text("utf-8")
    return "".join(f"<p>{html.escape(' '.join(par.split()))}</p>" for par in text.split("\n\n") if par.strip())


def _behind(theme_row: dict) -> str:
    from trendscore.trends.render import drivers_text

    text = drivers_text(theme_row)
    return f"<br><i>Behind it:</i> {html.escape(text)}" if text else ""


def _web(url) -> bool:
    return isinstance(url, str) and url.startswith(("https://", "http://"))


def _breakdown(score: Score) -> str:
    if not score.breakdown:
        return ""
    from trendscore.trends.render import breakdown_lines

    items = "".join(f"<li>{html.escape(line.strip())}</li>" for line in breakdown_lines(score.breakdown)[1:])
    return f"<h2 id=breakdown>By {html.escape(score.breakdown['by'])}</h2><ul>{items}</ul>"


def _emerging(score: Score) -> str:
    if not score.emerging:
        return ""
    e = html.escape
    items = []
    for t in score.emerging:
        examples = "".join(f"<div class=passage>{e(x['text'])}</div>" for x in t["examples"])
        items.append(
            f"<h3>{e(' '.join(t['words'][:6]))}</h3><p class=meta>{counted(t['passages_recent'], 'passage')} in "
            f"the recent window, x{t['growth']:.1f} their share before</p>{examples}"
        )
    return "<h2 id=emerging>Emerging, in no theme yet</h2>" + "".join(items)
