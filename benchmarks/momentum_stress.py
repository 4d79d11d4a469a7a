"""The momentum call on streams built the way news arrives, beside an oracle (issue 13).

    python benchmarks/momentum_stress.py [--runs 200] [--seed-base 5000]

Scenarios from tests/scenarios.py:generate_news: articles of several passages sharing their
themes, copies of articles by other outlets, share wobble by day and by week, holiday dips,
volume shocks, counts from a simulated classifier, baseline shares 0.08-0.30, changes that ramp
in, as_of on a random weekday or at the end of a week. For each setting: today's call (weekly
periods, default settings) as correct calls on the changed themes and false alarms on the
steady ones; and three oracles, on passages and on articles, each with its threshold set on the
same setting's steady themes so that it raises 1% false alarms: a binomial test told the true
change day; a likelihood ratio told the size of the change and the setting's range of change
ages, averaged over the days in that range (not told the day); the same over 1-12 weeks.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from scenarios import generate_news, oracle_undated, oracle_z  # noqa: E402

from trendscore.trends.momentum import MomentumSettings, compute_score  # noqa: E402

NO_CHANGE = {"changing": False}
SETTINGS = [
    ("no change: independent passages", {**NO_CHANGE, "article_size": 0.0}),
    ("no change: articles of ~4 passages", NO_CHANGE),
    ("no change: articles + daily wobble 0.2", {**NO_CHANGE, "wobble": 0.2}),
    ("no change: articles + weekly wobble 0.2", {**NO_CHANGE, "weekly_wobble": 0.2}),
    ("no change: articles + two holiday weeks at 20%", {**NO_CHANGE, "holiday": True}),
    ("no change: articles + a week at 5x volume", {**NO_CHANGE, "shock": True}),
    ("no change: articles + one copy each (syndication)", {**NO_CHANGE, "copies": 1.0}),
    ("no change: articles, reports not named", {**NO_CHANGE, "reports": False}),
    ("no change: one outlet goes from 25% to 60% of the volume", {**NO_CHANGE, "outlet_shift": True}),
    ("x1.6: independent passages", {"article_size": 0.0}),
    ("x1.6: articles", {}),
    ("x1.6: articles, classifier 0.8 precision / 0.8 recall", {"precision": 0.8, "recall": 0.8}),
    ("x1.6: independent passages, classifier 0.8 / 0.8", {"article_size": 0.0, "precision": 0.8, "recall": 0.8}),
    ("x1.6: articles + one copy each", {"copies": 1.0}),
    ("x1.6: articles, reports not named", {"reports": False}),
    ("x1.6: articles, ramping in over a week", {"ramp_days": 7}),
    ("x1.6: articles, change 1-2 weeks old", {"age": (7, 14)}),
    ("x1.6: articles, as_of at the end of a week", {"week_end_as_of": True}),
    ("x1.6: articles, baseline shares 0.08-0.13", {"share": (0.08, 0.13)}),
    ("x2: articles, 25-40 passages a day", {"effect": 2.0, "volume": (25, 40)}),
]


# the oracles: told the day; told the size and the setting's range of change ages; told the size and
# only that the change is 1-12 weeks old (what the scan covers); each on passages and on articles
ORACLES = (
    "known day",
    "known day, articles",
    "undated",
    "undated, articles",
    "1-12 weeks",
    "1-12 weeks, articles",
)


def evaluate_setting(args) -> dict:
    s_i, runs, seed_base, settings, use_noise, use_sources = args
    name, kwargs = SETTINGS[s_i]
    right = changed = alarms = steady = flagged = 0
    # each oracle's statistic for the steady themes, and (statistic, right direction) for the changed
    oracles = {key: ([], []) for key in ORACLES}
    for run in range(runs):
        sc = generate_news(seed_base + 10_000 * s_i + run, **kwargs)
        if not use_sources:
            sc.acc.settle().sources.clear()
        score = compute_score(sc.acc, "week", sc.as_of, settings, noise=sc.noise if use_noise else None)
        calls = {t["theme"]: t["direction"] for t in score.themes}
        reasons = {t["theme"]: t["reason"] for t in score.themes}
        for theme, truth in sc.truth.items():
            sign = -1 if truth == "falling" else 1
            stats = {}
            for key, articles in (("known day", False), ("known day, articles", True)):
                z = oracle_z(sc, theme, articles=articles)
                stats[key] = (abs(z), np.sign(z) == sign)
            for key, articles, ages in (
                ("undated", False, None),
                ("undated, articles", True, None),
                ("1-12 weeks", False, (7, 84)),
                ("1-12 weeks, articles", True, (7, 84)),
            ):
                stat, direction = oracle_undated(sc, theme, articles=articles, ages=ages)
                stats[key] = (stat, direction == sign)
            if truth == "steady":
                steady += 1
                alarms += calls[theme] != "steady"
                flagged += "which outlets publish" in reasons[theme]
                for key, (stat, _) in stats.items():
                    oracles[key][0].append(stat)
            else:
                changed += 1
                right += calls[theme] == truth
                for key, pair in stats.items():
                    oracles[key][1].append(pair)
    row = {"setting": name, "false_alarms": alarms / steady, "flagged": flagged / steady}
    if changed:
        row["correct"] = right / changed
        for key, (null, alt) in oracles.items():
            cut = float(np.quantile(null, 0.99))
            row[key] = float(np.mean([stat > cut and ok for stat, ok in alt]))
        row["oracle"] = row["known day"]
    return row


def evaluate(
    runs: int, seed_base: int, settings=None, use_noise=True, use_sources=True, jobs=1, only: str = ""
) -> list[dict]:
    chosen = [i for i, (name, _) in enumerate(SETTINGS) if only in name]
    tasks = [(i, runs, seed_base, settings, use_noise, use_sources) for i in chosen]
    if jobs == 1:
        return [evaluate_setting(t) for t in tasks]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(evaluate_setting, tasks, chunksize=1)


def gap(row: dict, *keys: str) -> str:
    """Points by which the best of the named oracles beats the method, as table text."""
    if "correct" not in row:
        return "-"
    return f"{100 * (max(row[k] for k in keys) - row['correct']):+.1f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed-base", type=int, default=5000)
    ap.add_argument("--dispersion", choices=["pooled", "theme"], default="pooled", help="over-dispersion estimate")
    ap.add_argument("--z-crit", type=float, default=None, help="a fixed critical value instead of the simulated one")
    ap.add_argument("--no-floor", action="store_true", help="ignore the classifier's false-positive floor")
    ap.add_argument("--ignore-sources", action="store_true", help="drop the outlets (no outlet-mix check)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--only", default="", help="only the settings whose name contains this text")
    args = ap.parse_args()
    pct = lambda x: "-" if x is None else f"{100 * x:.1f}%"  # noqa: E731
    cfg = MomentumSettings(dispersion=args.dispersion, z_crit=args.z_crit)
    print(f"{args.runs} scenarios per setting (5 themes each), weekly periods, seeds from {args.seed_base}, ", end="")
    print(f"over-dispersion {args.dispersion}, z_crit {args.z_crit or 'simulated'}, ", end="")
    print(f"floor {not args.no_floor}, ", end="")
    print(f"outlets {'ignored' if args.ignore_sources else 'used'}\n")
    print(
        "| setting | correct calls | false alarms | oracle told the day: passages / articles"
        " | told the size and the setting's ages: passages / articles"
        " | told the size, ages 1-12 weeks: passages / articles"
        " | gap to the best told the day | to the best told the ages | to the best told 1-12 weeks |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in evaluate(args.runs, args.seed_base, cfg, not args.no_floor, not args.ignore_sources, args.jobs, args.only):
        print(
            f"| {r['setting']} | {pct(r.get('correct'))} | {pct(r['false_alarms'])}"
            + (f" ({pct(r['flagged'])} flagged as outlet mix)" if r["flagged"] else "")
            + f" | {pct(r.get('known day'))} / {pct(r.get('known day, articles'))}"
            + f" | {pct(r.get('undated'))} / {pct(r.get('undated, articles'))}"
            + f" | {pct(r.get('1-12 weeks'))} / {pct(r.get('1-12 weeks, articles'))}"
            + f" | {gap(r, 'known day', 'known day, articles')} | {gap(r, 'undated', 'undated, articles')}"
            + f" | {gap(r, '1-12 weeks', '1-12 weeks, articles')} |"
        )


if __name__ == "__main__":
    main()
