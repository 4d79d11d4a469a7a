"""How often the momentum call is right on synthetic streams with known truth.

    python benchmarks/momentum_validation.py [--runs 400] [--seed-base 1000]

Settings follow issue 4's goals; each runs ``--runs`` scenarios from tests/scenarios.py
(weekly periods, as_of on a random weekday). The naive rule (last 4 weeks' counts against the
4 before, +/-20%) is scored on the same scenarios.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from scenarios import generate, naive_calls  # noqa: E402

from trendscore.trends.momentum import MomentumSettings, compute_score  # noqa: E402

SETTINGS = [
    ("x2 / x0.5, 25-40 a day, change 4-10 weeks old", {"volume": (25, 40), "effect": 2.0, "age": (28, 70)}, 0.99),
    ("x1.6 / x0.625, 10-25 a day, change 4-10 weeks old", {"volume": (10, 25), "effect": 1.6, "age": (28, 70)}, 0.92),
    ("x2 / x0.5, 25-40 a day, change 2 weeks old", {"volume": (25, 40), "effect": 2.0, "age": (14, 14)}, 0.92),
    ("x1.6 / x0.625, 25-40 a day, change 2 weeks old", {"volume": (25, 40), "effect": 1.6, "age": (14, 14)}, None),
    ("x1.6 / x0.625, 5-10 a day, change 4-10 weeks old", {"volume": (5, 10), "effect": 1.6, "age": (28, 70)}, None),
    ("no change, 5-40 a day", {"volume": (5, 40), "changing": False}, None),
]


def evaluate(runs: int, seed_base: int, settings: MomentumSettings | None = None) -> list[dict]:
    rows = []
    for s_i, (name, kwargs, goal) in enumerate(SETTINGS):
        tallies = {"ours": [0, 0, 0, 0], "naive": [0, 0, 0, 0]}  # changed right, changed, steady alarms, steady
        for run in range(runs):
            sc = generate(seed_base + 10_000 * s_i + run, **kwargs)
            ours = {t["theme"]: t["direction"] for t in compute_score(sc.acc, "week", sc.as_of, settings).themes}
            for who, calls in (("ours", ours), ("naive", naive_calls(sc))):
                tally = tallies[who]
                for theme, truth in sc.truth.items():
                    if truth == "steady":
                        tally[3] += 1
                        tally[2] += calls[theme] != "steady"
                    else:
                        tally[1] += 1
                        tally[0] += calls[theme] == truth
        row = {"setting": name, "goal": goal}
        for who, (right, changed, alarms, steady) in tallies.items():
            row[f"{who}_correct"] = right / changed if changed else None
            row[f"{who}_false_alarms"] = alarms / steady if steady else None
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--seed-base", type=int, default=1000)
    args = parser.parse_args()
    rows = evaluate(args.runs, args.seed_base)
    pct = lambda x: "-" if x is None else f"{100 * x:.1f}%"  # noqa: E731
    print(f"{args.runs} scenarios per setting, weekly periods, seeds from {args.seed_base}\n")
    print(
        "| setting | goal | trendscore correct calls | trendscore false alarms (steady) "
        "| naive correct | naive false alarms |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows:
        goal = "-" if r["goal"] is None else f">= {100 * r['goal']:.0f}%"
        print(
            f"| {r['setting']} | {goal} | {pct(r['ours_correct'])} | {pct(r['ours_false_alarms'])} | "
            f"{pct(r['naive_correct'])} | {pct(r['naive_false_alarms'])} |"
        )


if __name__ == "__main__":
    main()
