"""Labelling with many classes and a large vocabulary: the two steps issue 17 measured at 17%
of labelling time on the THUCNews model, before and after.

    python benchmarks/many_classes.py [--lines 10000] [--repeat 7]

Trains the THUCNews model of BENCHMARKS.md (dev.txt, char 1-3 over all text, style tokens,
min_df 1, C 1; 10 classes) in memory, featurises test.txt (10,000 headlines) once, then times
(best of 7) the scores of all classes -- a numpy pass per class (before) against one SciPy
sparse product (after) -- and the single-label labels -- a Python loop per row (before)
against numpy's argmax (after) -- and checks both give the same numbers. Last, the whole
``Model.label`` on test.txt (best of 3). Nothing is written. ``--lines N`` (the first N lines
of dev.txt and of test.txt) and ``--repeat N`` (timed runs of each step, and of the whole
labelling at most 3) make it small, for a quick check that the script still runs;
BENCHMARKS.md's figures are of the defaults.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, thucnews  # noqa: E402

from trendscore.modeling.training import fit_model  # noqa: E402
from trendscore.seeds.files import Seed  # noqa: E402

SETTINGS = {"char_ngram_min": 1, "min_df": 1, "C": 1.0, "style": True, "char_all": True}


def _best(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    from scipy.sparse import csr_matrix

    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=None, help="the first N lines of dev.txt and test.txt (default: all)")
    ap.add_argument("--repeat", type=int, default=7, help="timed runs of each step; the best is kept")
    args = ap.parse_args()
    dev, test = (tuple(column[: args.lines] for column in thucnews(split)) for split in ("dev", "test"))
    seeds = [Seed(str(i), t, (y,), None, None, None, "dev.txt", i + 1) for i, (t, y) in enumerate(zip(*dev))]
    model = fit_model(seeds, **SETTINGS)
    texts = test[0]
    row, col, w = model.featurizer.transform_coo(texts)
    n, k, coef = len(texts), len(model.themes), model.coef

    def per_class():
        z = np.empty((n, k))
        for j in range(k):
            z[:, j] = np.bincount(row, weights=w * coef[col, j], minlength=n)
        return z

    def one_product():
        return csr_matrix((w, (row, col)), shape=(n, coef.shape[0])) @ coef

    proba = model._proba_from_decision(per_class() + np.asarray(model.intercept))

    def loop_labels():
        return [[model.themes[max(range(len(r)), key=lambda j: r[j])]] for r in proba]

    def argmax_labels():
        return model.labels_from_proba(proba)

    assert np.allclose(per_class(), one_product()) and loop_labels() == argmax_labels()
    print(f"THUCNews model: {k} classes, {coef.shape[0]:,} columns; test.txt {n:,} headlines, {len(w):,} nonzeros")
    print(f"machine: {machine()}\n")
    print("| step | before s | after s | ratio |\n|---|---|---|---|")
    for name, before, after in (
        ("scores of all classes (per-class pass -> one sparse product)", per_class, one_product),
        ("single-label labels (Python loop per row -> argmax)", loop_labels, argmax_labels),
    ):
        b, a = _best(before, args.repeat), _best(after, args.repeat)
        print(f"| {name} | {b:.4f} | {a:.4f} | {b / a:.1f}x |")
    total = _best(lambda: model.label(texts), repeat=min(3, args.repeat))
    print(f"\nModel.label on test.txt, after: {total:.2f} s ({n / total:,.0f} headlines/s)")


if __name__ == "__main__":
    main()
