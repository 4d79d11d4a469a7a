"""The spread of the seeds: per batch, script, labels, dates and length.

python benchmarks/seed_stats.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import seed_files  # noqa: E402

from trendscore.seeds.files import DEFAULT_THEMES, read_seeds  # noqa: E402


def main() -> None:
    seeds = read_seeds(seed_files())
    print("| batch | n | zh-Hans | zh-Hant | en | " + " | ".join(DEFAULT_THEMES) + " | none | multi |")
    print("|---" * (7 + len(DEFAULT_THEMES)) + "|")
    by_batch: dict[str, list] = {}
    for s in seeds:
        by_batch.setdefault(Path(s.path).stem, []).append(s)
    for name, group in sorted(by_batch.items()) + [("all", seeds)]:
        lang = Counter(s.lang for s in group)
        labels = Counter(t for s in group for t in s.labels)
        none = sum(not s.labels for s in group)
        multi = sum(len(s.labels) > 1 for s in group)
        cells = " | ".join(str(labels[t]) for t in DEFAULT_THEMES)
        print(
            f"| {name} | {len(group)} | {lang['zh-Hans']} | {lang['zh-Hant']} | {lang['en']} "
            f"| {cells} | {none} | {multi} |"
        )
    years = Counter(s.date[:4] if s.date else "undated" for s in seeds)
    print("\nDates by year: " + ", ".join(f"{y}: {n}" for y, n in sorted(years.items())))
    zh = sorted(len(s.text) for s in seeds if s.lang != "en")
    en = sorted(len(s.text.split()) for s in seeds if s.lang == "en")
    print(
        f"Chinese passages: {len(zh)}, characters min {zh[0]}, median {zh[len(zh) // 2]}, max {zh[-1]}; "
        f"{sum(n <= 40 for n in zh)} headline-length (<= 40 characters)"
    )
    print(f"English passages: {len(en)}, words min {en[0]}, median {en[len(en) // 2]}, max {en[-1]}")


if __name__ == "__main__":
    main()
