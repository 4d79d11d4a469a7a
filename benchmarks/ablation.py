"""What each part of the features buys: words, character n-grams, the segmenter.

    python benchmarks/ablation.py [--only TEXT] [--headlines 10000] [--reps 3] [--every 1]

For each setting: random 5-fold and leave-one-batch-out macro-F1 on the seeds, and the
labelling speed on 10,000 THUCNews headlines (one process, same run, so ratios compare), the
best of three runs. ``--only``, ``--headlines``, ``--reps`` and ``--every K`` (fewer settings,
headlines, runs, or every K-th seed only) exist for a quick check that the script still runs;
BENCHMARKS.md's figures are of the defaults.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files, thucnews  # noqa: E402

from trendscore.modeling.training import cross_validate, fit_model  # noqa: E402
from trendscore.seeds.files import read_seeds  # noqa: E402

SETTINGS = [
    ("words + char 2-3 (default)", {}),
    ("words only", {"char_ngram_max": 0}),
    ("char 2-3 only", {"words": False}),
    ("words + char 1-3", {"char_ngram_min": 1}),
    ("words + char 2", {"char_ngram_max": 2}),
    ("words (jieba) + char 2-3", {"segmenter": "jieba"}),
    ("default, min_df=1", {"min_df": 1}),
    ("default, C=0.1", {"C": 0.1}),
    ("default, C=2", {"C": 2.0}),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="", help="only the settings whose name contains this text")
    ap.add_argument("--headlines", type=int, default=None, help="time the first N test headlines (default: all)")
    ap.add_argument("--reps", type=int, default=3, help="timed runs of labelling; the best is kept")
    ap.add_argument("--every", type=int, default=1, help="every K-th seed only")
    args = ap.parse_args()
    seeds = read_seeds(seed_files())[:: args.every]
    groups = [Path(s.path).stem for s in seeds]
    heads = thucnews("test")[0][: args.headlines]
    print(f"Seeds: {len(seeds)}; machine: {machine()}\n")
    print("| features | k-fold macro-F1 | leave-one-batch-out macro-F1 | headlines/s | vocabulary |")
    print("|---|---|---|---|---|")
    for name, params in (row for row in SETTINGS if args.only in row[0]):
        kf = cross_validate(seeds, folds=5, seed=0, **params)
        lobo = cross_validate(seeds, groups=groups, seed=0, **params)
        model = fit_model(seeds, **params)
        model.label(heads[:200])
        best = float("inf")
        for _ in range(args.reps):
            t = time.perf_counter()
            model.label(heads)
            best = min(best, time.perf_counter() - t)
        print(
            f"| {name} | {kf['macro_f1']:.3f} | {lobo['macro_f1']:.3f} | {len(heads) / best:,.0f} "
            f"| {model.featurizer.n_features:,} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
