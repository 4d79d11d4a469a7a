"""Does the model learn the themes or the writers' voices?

Random k-fold against leave-one-batch-out (each batch is one writer's work), a learning
curve, per-theme precision/recall, confusion between themes, and the worst errors.

    python benchmarks/generalisation.py [--every 1] [--json benchmarks/out/generalisation.json] \
        > benchmarks/out/generalisation.md

The figures also go, as JSON, to ``--json``. ``--every K`` keeps every K-th seed only: a quick
check that the script still runs, whose figures mean nothing (BENCHMARKS.md's are of all).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, machine, seed_files  # noqa: E402

from trendscore.modeling.metrics import label_matrix  # noqa: E402
from trendscore.modeling.training import cross_validate  # noqa: E402
from trendscore.seeds.files import read_seeds, theme_order  # noqa: E402


def _row(name, s):
    cells = " | ".join(f"{s['themes'][t]['f1']:.3f}" for t in s["themes"])
    return f"| {name} | {s['macro_f1']:.3f} | {s['micro_f1']:.3f} | {cells} |"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=1, help="every K-th seed only (a quick check that the script runs)")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "out" / "generalisation.json")
    args = ap.parse_args()
    t0 = time.time()
    seeds = read_seeds(seed_files())[:: args.every]
    themes = theme_order(seeds)
    batches = [Path(s.path).stem for s in seeds]
    kfold = cross_validate(seeds, folds=5, seed=0)
    lobo = cross_validate(seeds, groups=batches, seed=0)
    print(f"Seeds: {len(seeds)} passages in {len(set(batches))} batches; machine: {machine()}\n")
    print("| evaluation | macro-F1 | micro-F1 | " + " | ".join(themes) + " |")
    print("|---" * (3 + len(themes)) + "|")
    print(_row("random 5-fold", kfold))
    print(_row("leave-one-batch-out", lobo))
    print(f"\nGap (k-fold minus leave-one-batch-out macro-F1): {kfold['macro_f1'] - lobo['macro_f1']:.3f}\n")

    print("Per held-out batch (leave-one-batch-out), macro-F1 of that batch alone:\n")
    Y = label_matrix([list(s.labels) for s in seeds], themes)
    from trendscore.modeling.metrics import per_theme_scores

    for b in sorted(set(batches)):
        sel = np.array([x == b for x in batches])
        s = per_theme_scores(Y[sel], lobo["oof_pred"][sel], themes)
        print(f"- {b}: {s['macro_f1']:.3f} (n={int(sel.sum())})")

    print("\nPer-theme precision / recall (leave-one-batch-out):\n")
    print("| theme | precision | recall | F1 | support |\n|---|---|---|---|---|")
    for t, v in lobo["themes"].items():
        print(f"| {t} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |")

    print(
        "\nConfusion between themes (leave-one-batch-out): row = a true theme the model missed, "
        "column = a theme it gave instead on the same passage (counts of passages)\n"
    )
    P = lobo["oof_pred"]
    print("| missed \\ given | " + " | ".join(themes) + " |\n" + "|---" * (len(themes) + 1) + "|")
    for i, t in enumerate(themes):
        missed = (Y[:, i] == 1) & (P[:, i] == 0)
        cells = [str(int(np.sum(missed & (P[:, j] == 1) & (Y[:, j] == 0)))) for j in range(len(themes))]
        print(f"| {t} ({int(missed.sum())} missed) | " + " | ".join(cells) + " |")
    extra_none = int(np.sum((Y.sum(1) == 0) & (P.sum(1) > 0)))
    missed_all = int(np.sum((Y.sum(1) > 0) & (P.sum(1) == 0)))
    print(f"\nNo-label passages given a theme: {extra_none}; labelled passages given none: {missed_all}\n")

    print("Learning curve (random 5-fold on a random subset of the seeds):\n")
    print("| share of seeds | passages | macro-F1 |\n|---|---|---|")
    rng = np.random.default_rng(0)
    order = rng.permutation(len(seeds))
    for share in (0.25, 0.5, 0.75, 1.0):
        subset = [seeds[i] for i in sorted(order[: int(share * len(seeds))])]
        s = kfold if share == 1.0 else cross_validate(subset, folds=5, seed=0)
        print(f"| {int(share * 100)}% | {len(subset)} | {s['macro_f1']:.3f} |")

    proba = lobo["oof_proba"]
    loss = -(Y * np.log(np.clip(proba, 1e-9, 1)) + (1 - Y) * np.log(np.clip(1 - proba, 1e-9, 1))).sum(1)
    worst = np.argsort(-loss, kind="stable")[:20]
    print("\nThe 20 worst errors (leave-one-batch-out, by log-loss):\n")
    for i in worst:
        s = seeds[i]
        got = [t for t, p in zip(themes, P[i]) if p]
        print(f"- {s.id} gold={list(s.labels)} predicted={got}: {s.text[:90]}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    figures = {
        k: {kk: vv for kk, vv in v.items() if not kk.startswith("oof_")}  # per-seed arrays
        for k, v in (("kfold", kfold), ("lobo", lobo))
    }
    args.json.write_text(json.dumps(figures, indent=1))
    print(f"\n(run time {time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
