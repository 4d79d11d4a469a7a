"""Text renderings of a :class:`~trendscore.trends.momentum.Score`: table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json

from trendscore.io.writers import printable
from trendscore.trends.breakdown import outlets_verb
from trendscore.trends.momentum import Score
from trendscore.wording import counted, plural

__all__ = [
    "render_score",
    "labels_text",
    "drivers_text",
    "why_lines",
    "window_cell",
    "windows_text",
    "SCORE_FORMATS",
]

SCORE_FORMATS = ("table", "json", "csv")
_CSV_FIELDS = [
    "rank",
    "theme",
    "direction",
    "momentum",
    "share_recent",
    "share_baseline",
    "count_recent",
    "count_baseline",
    "total_recent",
    "total_baseline",
    "ratio_low",
    "ratio_high",
    "z",
    "p_value",
    "recent_periods",
    "recent_first",
    "recent_last",
    "baseline_first",
    "baseline_last",
    "reason",
    "drivers",
    "outlets_driving",
]


def pct(x) -> str:
    """A share as a percentage, or "-" where there is none."""
    return "-" if x is None else f"{100 * x:.1f}%"


def p_text(p) -> str:
    """A p-value in two significant digits, or "-" where there is none."""
    return "-" if p is None else f"{p:.2g}"


def labels_text(labelled_by: dict | None) -> str:
    """One line on what gave the counts: the labels records carried, or which model.

    >>> labels_text({"labels_as_given": 3, "labelled_by_model": 0, "model": None})
    'labels: 3 passages counted with the labels they carried'
    """
    if not labelled_by:
        return ""
    parts = []
    if labelled_by["labels_as_given"]:
        given = labelled_by["labels_as_given"]
        carried = plural(given, "labels it", "labels they")
        parts.append(f"{counted(given, 'passage')} counted with the {carried} carried")
    model = labelled_by.get("model")
    if labelled_by["labelled_by_model"] and model:
        seeds = (model.get("seeds_sha256") or "")[:12] or "unknown"
        version = f" with trendscore {model['trained_with']}" if model.get("trained_with") else ""
        parts.append(
            f"{labelled_by['labelled_by_model']} labelled by model {model.get('name')} "
            f"(trained {model.get('created') or 'at an unknown time'}{version}, seeds {seeds})"
        )
    return "labels: " + "; ".join(parts) if parts else ""


#: outlets listed under a call in the table's detail (all are in the JSON)
_WHY_SOURCES = 8


def _table(score: Score, why: bool = False) -> str:
    rec = score.records
    out = []
    if score.as_of is None:
        total = counted(rec["total"], "passage")
        out.append(f"trendscore score: no dated passages ({total}, {rec['undated']} undated)")
    else:
        out.append(f"trendscore score, as of {score.as_of}, per {score.freq}; {windows_text(score)}")
        out.append(
            f"{counted(rec['total'], 'passage')}: {rec['dated']} dated, {rec['undated']} undated, "
            f"{rec['after_as_of']} after as_of"
            + units_text(rec)
        )
    out.append("")
    out.append(
        f"{'rank':<5}{'theme':<14}{'direction':<10}{'momentum':>9}{'share now':>11}{'share before':>14}"
        f"{'count now':>11}{'count before':>14}{'p':>9}  window"
    )
    for rank, t in enumerate(score.themes, 1):
        p = p_text(t["p_value"])
        window = window_cell(t)
        name = t["theme"] + ("*" if t.get("provisional") else "")  # the note says what * means
        out.append(
            f"{rank:<5}{name:<14}{t['direction']:<10}{t['momentum']:>+9.2f}{pct(t['share_recent']):>11}"
            f"{pct(t['share_baseline']):>14}{t['count_recent']:>11.1f}{t['count_baseline']:>14.1f}{p:>9}  {window}"
        )
    out.append("")
    out.extend(f"why {t['theme']}: {t['reason']}" for t in score.themes)
    if why:
        for t in score.themes:
            out.extend(why_lines(t, score.freq))
    else:
        out.extend(f"behind {t['theme']}: {drivers_text(t)}" for t in score.themes if drivers_text(t))
    if score.breakdown:
        out.append("")
        out.extend(breakdown_lines(score.breakdown))
    if score.emerging:
        out.append("")
        out.extend(emerging_lines(score.emerging))
    source = labels_text(score.labelled_by)
    if source:
        out.append(source)
    out.append("")
    out.append(
        "momentum: log2 of the share ratio, shrunk by its uncertainty (+1 = doubled); "
        "rising/falling needs strong evidence (how: the method section of the HTML report)"
    )
    out.extend(f"note: {n}" for n in score.notes)
    # theme, outlet and group names come from the user's data: a terminal escape or a line end
    # in one is shown as an escape, never sent to the terminal (as the label table does)
    return "\n".join(printable(line) for line in out) + "\n"


def _csv(score: Score) -> str:
    buf = io.StringIO()
    fields = _CSV_FIELDS + (["provisional"] if any(t.get("provisional") for t in score.themes) else [])
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for rank, t in enumerate(score.themes, 1):
        row = {k: t.get(k) for k in fields}
        row["rank"] = rank
        row["ratio_low"], row["ratio_high"] = t["ratio_interval"] or (None, None)
        row["recent_first"], row["recent_last"] = t.get("recent") or (None, None)
        row["baseline_first"], row["baseline_last"] = t.get("baseline") or (None, None)
        row["drivers"] = "; ".join(d["name"] for d in t.get("drivers", []))
        row["outlets_driving"] = "; ".join(d["source"] for d in t.get("outlets_driving", []))
        writer.writerow(row)
    return buf.getvalue()


def render_score(score: Score, fmt: str, why: bool = False) -> str:
    """The score as text in one of :data:`SCORE_FORMATS`. ``why`` spells out, in the table,
    everything behind each rising or falling call (the JSON always holds it all, the CSV the
    names and outlets)."""
    if fmt == "json":
        return json.dumps(score.to_json(), ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return _csv(score)
    if fmt == "table":
        return _table(score, why)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(SCORE_FORMATS)}")


def window_cell(theme_row: dict) -> str:
    """A row's window as its table cell: ``last 6`` (periods), or "-" where it has none."""
    return f"last {theme_row['recent_periods']}" if theme_row["recent_periods"] else "-"


def windows_text(score: Score) -> str:
    """What each row is called on: its own recent window (the rows' ``window``), not the one
    default window, and the baseline before it; empty without dated passages.

    Each theme's window is chosen by the change scan, so a header naming the default recent
    window (``recent 2025-W18..2025-W21``) misled beside a row called on its last 8 weeks. A
    current period still partial (as of a Monday: one day of its week) is said to be, as the
    plot draws it hollow.
    """
    if not score.windows:
        return ""
    last = score.windows["recent"][1]
    before = score.settings.get("baseline")
    span = f"the {counted(before, score.freq)} before them" if before else "the periods before them"
    text = f"each theme called on its own window: the last N {score.freq}s to {last} (the window column) against {span}"
    if score.windows.get("current_period_partial"):  # its share is counted so far, as the plot draws it hollow
        text += f"; {last} is partial, to {score.as_of}"
    return text


def units_text(rec: dict) -> str:
    """``; 3 reports counted as one unit each, 12 copies folded`` (empty when neither)."""
    parts = []
    if rec.get("reports_as_units"):
        parts.append(f"{counted(rec['reports_as_units'], 'report')} of several passages counted as one unit each")
    if rec.get("copies_folded"):
        parts.append(f"{counted(rec['copies_folded'], 'copy', 'copies')} folded")
    return "; " + ", ".join(parts) if parts else ""


def drivers_text(theme_row: dict) -> str:
    """The names and outlets behind a call, in one line (empty when there are none)."""
    parts = [
        f"{d['name']} ({100 * d['share_of_theme_recent']:.0f}% of its passages, "
        f"{100 * d['share_of_theme_baseline']:.0f}% before)"
        for d in theme_row.get("drivers", [])
    ]
    outlets = [d["source"] for d in theme_row.get("outlets_driving", [])]
    if outlets:
        parts.append(f"{outlets_verb(theme_row['direction'])} " + ", ".join(outlets))
    return "; ".join(parts)


def why_lines(t: dict, freq: str) -> list[str]:
    """What is behind a rising or falling call, a line each: the names whose weight in the
    theme moved most, the outlets that carried it, and every outlet's share of the theme
    (none for a steady theme)."""
    if t["direction"] == "steady":
        return []
    lines = [f"behind {t['theme']} ({t['direction']}, last {t['recent_periods']} {freq}s against before):"]
    for d in t.get("drivers", []):
        lines.append(
            f"  name {d['name']} ({d['list']}): in {d['count_recent']:.0f} of its passages now "
            f"({100 * d['share_of_theme_recent']:.0f}%), {d['count_baseline']:.0f} before "
            f"({100 * d['share_of_theme_baseline']:.0f}%); z {d['z']:+.1f}"
        )
    for d in t.get("outlets_driving", []):
        beyond = d["theme_passages_beyond_expected"]
        more = f"{beyond:.0f} more" if beyond >= 0 else f"{-beyond:.0f} fewer"
        lines.append(
            f"  {outlets_verb(t['direction'])} {d['source']}: {more} of its passages than the outlet's volume explains"
        )
    for s in t.get("sources", [])[:_WHY_SOURCES]:
        lines.append(
            f"  outlet {s['source']}: {pct(s['share_recent'])} of its {counted(s['passages_recent'], 'passage')} now, "
            f"{pct(s['share_baseline'])} of {s['passages_baseline']:.0f} before; "
            f"{pct(s['volume_share_recent'])} of all passages now, {pct(s['volume_share_baseline'])} before"
        )
    if len(lines) == 1:
        lines.append("  no name or outlet stands out (records without names or 'source' show none)")
    return lines


def breakdown_lines(breakdown: dict) -> list[str]:
    """``by source: GROUP (N passages): theme rising, ...`` a line per group."""
    lines = [f"by {breakdown['by']}:"]
    for g in breakdown["groups"]:
        called = [f"{t['theme']} {t['direction']}" for t in g["themes"] if t["direction"] != "steady"]
        lines.append(f"  {g['group']} ({counted(g['passages'], 'passage')}): {', '.join(called) or 'all steady'}")
    return lines


def emerging_lines(topics: list[dict]) -> list[str]:
    """``emerging: words ... (N passages in the recent window, xG)`` a line per topic."""
    return [
        f"emerging, no theme: {' '.join(t['words'][:6])} ({counted(t['passages_recent'], 'passage')} recently, "
        f"x{t['growth']:.1f} their share before)"
        for t in topics
    ]
