"""How far could any threshold, or any knowledge of the seeds, carry a theme from N examples?

    python benchmarks/provisional_oracle.py [--theme overseas] [--n 10] [--draws 3]

The same split, held-out theme and draws of N examples as benchmarks/provisional_theme.py.
For each draw it prints, on the test side (real reports of 2024-07-01..2024-12-31):

- the provisional theme (``themes add``'s method): F1 at its own threshold, the F1 of the best
  cut read off the test answers (no threshold rule on that ranking can do better) and its AUC;
- two oracles told every seed's label, trained on the N examples against every seed that is
  not of the theme (the theme's other seeds left out): the model ``train`` fits, and the
  provisional method's own learner (balanced logistic regression on the TF-IDF columns beside
  the unit use-m3 vector); each at the best cut on the test side.

With the theme trained on all its seeds for reference. The oracles know what no user of
``themes add`` knows, so their figures bound from above what that knowledge could buy.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files  # noqa: E402

from trendscore.modeling.provisional import ENCODER, add_theme  # noqa: E402
from trendscore.modeling.timesplit import split_by_time  # noqa: E402
from trendscore.modeling.training import fit_model  # noqa: E402
from trendscore.seeds.files import read_seeds  # noqa: E402
from trendscore.text.embedding import caching  # noqa: E402


def best_cut_f1(scores: np.ndarray, truth: np.ndarray) -> float:
    """The highest F1 of any threshold on ``scores``, read off the answers ``truth``."""
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(truth[order])
    return float((2 * hits / (np.arange(1, len(scores) + 1) + truth.sum())).max())


def auc(scores: np.ndarray, truth: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(truth, scores))


def theme_scores(model, theme: str, texts: list[str]) -> tuple[np.ndarray, float]:
    j = model.themes.index(theme)
    return model.predict_proba(texts)[:, j], float(model.thresholds[j])


def f1_at(scores: np.ndarray, threshold: float, truth: np.ndarray) -> float:
    pred = scores >= threshold
    return float(2 * (pred & truth).sum() / (pred.sum() + truth.sum()))


def learner_rows(featurizer, texts: list[str]):
    """The provisional learner's rows: TF-IDF columns beside the unit encoder vector."""
    from scipy.sparse import csr_matrix, hstack

    from trendscore.modeling.provisional import _terms, _unit_vectors

    return hstack([csr_matrix(_terms(featurizer, texts)), csr_matrix(_unit_vectors(ENCODER, texts))]).tocsr()


def main() -> None:
    from trendscore.modeling.positive_unlabelled import _fit, _stack

    ap = argparse.ArgumentParser()
    ap.add_argument("--theme", default="overseas")
    ap.add_argument("--n", type=int, default=10, help="examples a draw takes")
    ap.add_argument("--draws", type=int, default=3)
    args = ap.parse_args()
    theme = args.theme
    seeds = read_seeds(seed_files())
    train_idx, test_idx = split_by_time(seeds)
    train = [seeds[i] for i in train_idx]
    texts = [seeds[i].text for i in test_idx]
    truth = np.array([theme in seeds[i].labels for i in test_idx])
    held = [dataclasses.replace(s, labels=tuple(t for t in s.labels if t != theme)) for s in train]
    own = [i for i, s in enumerate(train) if theme in s.labels]
    others = [i for i in range(len(train)) if i not in set(own)]
    print(f"# {machine()}; theme {theme}: {len(own)} of {len(train)} training seeds, "
          f"{truth.sum()} of {len(test_idx)} test")
    with caching():
        scores, threshold = theme_scores(fit_model(train), theme, texts)
        print(f"trained on all {len(own)} seeds: F1 {f1_at(scores, threshold, truth):.3f}, best cut "
              f"{best_cut_f1(scores, truth):.3f}, AUC {auc(scores, truth):.3f}")
        base = fit_model(held)
        negatives = learner_rows(base.featurizer, [train[i].text for i in others])
        tests = learner_rows(base.featurizer, texts)
        print("| draw | provisional F1 | its best cut | its AUC | oracle: train, best cut "
              "| oracle: the learner, best cut |")
        print("|---|---|---|---|---|---|")
        rows = []
        for draw in range(args.draws):
            pick = sorted(np.random.default_rng(draw).choice(own, args.n, replace=False).tolist())
            examples = [train[i].text for i in pick]
            scores, threshold = theme_scores(add_theme(base, "held_out", examples, held), "held_out", texts)
            told = fit_model([train[i] for i in sorted(set(pick) | set(others))])
            told_scores, _ = theme_scores(told, theme, texts)
            learner = _fit(*_stack(learner_rows(base.featurizer, examples), negatives))
            row = (
                f1_at(scores, threshold, truth),
                best_cut_f1(scores, truth),
                auc(scores, truth),
                best_cut_f1(told_scores, truth),
                best_cut_f1(learner.predict_proba(tests)[:, 1], truth),
            )
            rows.append(row)
            print(f"| {draw} | " + " | ".join(f"{x:.3f}" for x in row) + " |", flush=True)
        print("| mean | " + " | ".join(f"{x:.3f}" for x in np.mean(rows, axis=0)) + " |")


if __name__ == "__main__":
    main()
