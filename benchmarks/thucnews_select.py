"""Choosing the sentence-embedding settings for the THUCNews run on dev.txt alone.

    python benchmarks/thucnews_select.py [--lines 10000]

5-fold cross-validation inside dev.txt (10,000 headlines); test.txt is never read. Each fold
fits trendscore's featurizer (style tokens, characters over all text, min_df 1) and its
PCA-reduced sentence embeddings on the fold's training part, then a one-vs-rest LinearSVC
(a fast stand-in for the calibrated classifier) for every grid point. Prints the mean
accuracy of each point, best first. ``--lines N`` keeps the first N lines of dev.txt (a quick
check that the script still runs; BENCHMARKS.md's figures are of all).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, thucnews  # noqa: E402

from trendscore.text import embedding  # noqa: E402
from trendscore.text.features import FeatureConfig, Featurizer  # noqa: E402

DIMS = (64, 128, 256)
WEIGHTS = (0.2, 0.3, 0.4, 0.5)
CS = (0.5, 1.0)


def main() -> None:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=None, help="the first N lines of dev.txt (default: all)")
    args = ap.parse_args()
    texts, labels = (column[: args.lines] for column in thucnews("dev"))
    y = np.array(labels)
    print(f"dev.txt: {len(texts)} headlines; machine: {machine()}\n", flush=True)
    scores: dict[tuple, list[float]] = {}
    with embedding.caching():
        embedding.encode("use-m3", texts)  # every headline once; the folds reuse the vectors
        for train, held in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y):
            tr = [texts[i] for i in train]
            te = [texts[i] for i in held]
            fz = Featurizer(FeatureConfig(char_ngram_min=1, style=True, char_all=True)).fit(tr, min_df=1)

            def tfidf(part, fz=fz):
                row, col, w = fz.transform_coo(part)
                return csr_matrix((w, (row, col)), shape=(len(part), fz.n_terms))

            a, b = tfidf(tr), tfidf(te)
            for c in CS:
                acc = np.mean(LinearSVC(C=c).fit(a, y[train]).predict(b) == y[held])
                scores.setdefault((0, 0.0, c), []).append(acc)
            for dims in DIMS:
                emb = embedding.SentenceEmbedding("use-m3", dims, 1.0).fit(tr)
                ea, eb = emb.transform(tr), emb.transform(te)
                for weight in WEIGHTS:
                    xa = hstack([a, csr_matrix(weight * ea)]).tocsr()
                    xb = hstack([b, csr_matrix(weight * eb)]).tocsr()
                    for c in CS:
                        acc = np.mean(LinearSVC(C=c).fit(xa, y[train]).predict(xb) == y[held])
                        scores.setdefault((dims, weight, c), []).append(acc)
            print(f"fold done ({len(scores)} settings)", flush=True)
    print("\n| embedding dims | weight | C | mean accuracy (5-fold, dev.txt) |\n|---|---|---|---|")
    for (dims, weight, c), accs in sorted(scores.items(), key=lambda kv: -np.mean(kv[1])):
        print(f"| {dims or 'none'} | {weight} | {c} | {np.mean(accs):.4f} |")


if __name__ == "__main__":
    main()
