"""THUCNews headlines (data no one here wrote): trendscore against fastText and a plain
scikit-learn pipeline, side by side in one run.

    python benchmarks/thucnews.py

Train on dev.txt (10,000), test on test.txt (10,000), read from ../shared at run time and
converted to seeds on the fly (nothing is written). Reports accuracy, training time,
and labelling speed (whole test set, including segmentation).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, thucnews  # noqa: E402

from trendscore.seeds import Seed  # noqa: E402
from trendscore.training import fit_model  # noqa: E402

SETTINGS = {
    "trendscore (theme defaults)": {},
    "trendscore (char 1-3, min_df 1, C 1)": {"char_ngram_min": 1, "min_df": 1, "C": 1.0},
    "trendscore (+ style features, chars over all text)": {"char_ngram_min": 1, "min_df": 1, "C": 1.0, "style": True, "char_all": True},
}


def _trendscore(params, train, test):
    seeds = [Seed(str(i), t, (y,), None, None, None, "dev.txt", i + 1) for i, (t, y) in enumerate(zip(*train))]
    t0 = time.perf_counter()
    model = fit_model(seeds, **params)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    labels = [r["labels"][0] for r in model.label(test[0])]
    label_s = time.perf_counter() - t0
    return np.mean(np.array(labels) == np.array(test[1])), fit_s, len(test[0]) / label_s


def _fasttext(train, test, tmp):
    import fasttext

    path = Path(tmp) / "train.txt"
    path.write_text("".join(f"__label__{y} {' '.join(t.replace(' ', ''))}\n" for t, y in zip(*train)), "utf-8")
    t0 = time.perf_counter()
    model = fasttext.train_supervised(str(path), epoch=25, wordNgrams=2, lr=0.5, verbose=0, thread=1, seed=0)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = [p[0].replace("__label__", "") for p in model.predict([" ".join(t.replace(" ", "")) for t in test[0]])[0]]
    label_s = time.perf_counter() - t0
    return np.mean(np.array(pred) == np.array(test[1])), fit_s, len(test[0]) / label_s


def _sklearn(train, test):
    import jieba
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    jieba.initialize()
    t0 = time.perf_counter()
    words = TfidfVectorizer(analyzer=lambda t: jieba.lcut(t), sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    X = hstack([words.fit_transform(train[0]), chars.fit_transform(train[0])]).tocsr()
    clf = LinearSVC(C=1.0).fit(X, train[1])
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = clf.predict(hstack([words.transform(test[0]), chars.transform(test[0])]).tocsr())
    label_s = time.perf_counter() - t0
    return np.mean(pred == np.array(test[1])), fit_s, len(test[0]) / label_s


def main() -> None:
    train, test = thucnews("dev"), thucnews("test")
    print(f"THUCNews: train {len(train[0])} (dev.txt), test {len(test[0])} (test.txt); machine: {machine()}\n")
    print("| pipeline | accuracy | training s | labelling headlines/s |")
    print("|---|---|---|---|")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("fastText (chars, word bigrams, 25 epochs)", lambda: _fasttext(train, test, tmp)),
                ("scikit-learn TF-IDF jieba words + char 1-3, LinearSVC", lambda: _sklearn(train, test))]
        runs += [(name, lambda p=params: _trendscore(p, train, test)) for name, params in SETTINGS.items()]
        for name, fn in runs:
            acc, fit_s, speed = fn()
            rows.append((name, acc, fit_s, speed))
            print(f"| {name} | {acc:.4f} | {fit_s:.1f} | {speed:,.0f} |", flush=True)
    best = max(rows[2:], key=lambda r: r[1])
    print(f"\nBest trendscore setting: {best[0]}: accuracy {best[1]:.4f}; "
          f"{best[1] - rows[0][1]:+.4f} against fastText, {best[1] - rows[1][1]:+.4f} against scikit-learn; "
          f"labelling speed {best[3] / rows[0][3]:.2f}x fastText's, {best[3] / rows[1][3]:.2f}x scikit-learn's")


if __name__ == "__main__":
    main()
