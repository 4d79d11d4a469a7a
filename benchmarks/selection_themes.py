"""The five themes: does `train`'s own choice of settings match today's defaults on the
real-report time split?

    python benchmarks/selection_themes.py [--budget SECONDS]

Runs the search of `trendscore train` (trendscore.modeling.selection: 3 folds grouped by report, within
the budget) on seeds/batch_*.jsonl, prints every candidate's cross-validated macro-F1, then
the time split (trendscore.modeling.timesplit: train on the written seeds and the real reports before
2024-07-01, test on the real reports of 2024-07..12) of today's defaults and of the choice.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files  # noqa: E402

from trendscore.modeling.selection import DEFAULT_BUDGET  # noqa: E402
from trendscore.modeling.timesplit import choose_window, time_split  # noqa: E402
from trendscore.modeling.training import choose_params  # noqa: E402
from trendscore.seeds.files import read_seeds  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=float, default=DEFAULT_BUDGET)
    args = ap.parse_args()
    seeds = read_seeds(seed_files())
    t0 = time.perf_counter()
    params, record = choose_params(seeds, {}, args.budget)
    print(f"{len(seeds)} seeds; machine: {machine()}; search {time.perf_counter() - t0:.1f} s (budget {args.budget:g})")
    print(f"folds grouped by report: {record['grouped_by_report']}; skipped: {record['skipped_for_budget']}")
    print("\n| candidate | macro-F1 (3-fold, grouped) | s |\n|---|---|---|")
    for row in record["candidates"]:
        print(f"| {row['settings']} | {row.get('macro_f1', row.get('failed'))} | {row['seconds']} |")
    window = choose_window(seeds)
    print(f"\nchosen: {record['chosen']}\n\n| settings | time-split macro-F1 | micro-F1 |\n|---|---|---|")
    for name, p in (("today's defaults", {}), ("chosen by the search", params)):
        figures = time_split(seeds, *window, **p)
        print(f"| {name} | {figures['macro_f1']:.4f} | {figures['micro_f1']:.4f} |")


if __name__ == "__main__":
    main()
