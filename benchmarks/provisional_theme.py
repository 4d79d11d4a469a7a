"""A provisional theme against the same theme trained on seeds, on the real-report time split.

    python benchmarks/provisional_theme.py [--theme overseas] [--draws 5] [--sizes 10,20] [--encoder e5-small]

The seeds are split as benchmarks/time_split.py splits them (train: written seeds and real
reports before 2024-07-01; test: real reports 2024-07-01..2024-12-31). The theme is held out
of training: its label is taken off every training seed (the passages stay, as they would in
seeds labelled before the theme existed). Then, on the test side, F1 of the theme:

- trained on all its training seeds (today's model, for reference);
- provisional, from N examples drawn from its training seeds, calibrated on the held-out
  model's seeds (``trendscore themes add``);
- trained, with its label given back to only N of its training seeds (the learning curve
  ``train`` folds a provisional theme in by).

Each N is drawn ``--draws`` times; the table gives the mean and the range. With ``--clean``
the theme's other training passages are dropped instead of unlabelled (seeds that never
touched the theme until it was labelled): the best case for training on few seeds.

``--encoder`` makes the provisional theme with another sentence encoder than the one
``themes add`` uses (``ENCODER``); ``add_theme`` takes none, so the script hands it to the step
that makes the theme. Each text is encoded once per run (e5-small: ~3 minutes for the seeds).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files  # noqa: E402

from trendscore.errors import ModelError  # noqa: E402
from trendscore.modeling import provisional  # noqa: E402
from trendscore.modeling.provisional import ENCODER, FOLD_IN, add_theme  # noqa: E402
from trendscore.modeling.timesplit import split_by_time  # noqa: E402
from trendscore.modeling.training import fit_model  # noqa: E402
from trendscore.seeds.files import read_seeds  # noqa: E402
from trendscore.text.embedding import ENCODERS, caching, require_encoder  # noqa: E402

SIZES = (5, 10, 20, 40, 80, 120, 160)


def f1(model, theme: str, texts: list[str], truth: np.ndarray) -> float:
    j = model.themes.index(theme)
    pred = model.predict_proba(texts)[:, j] >= model.thresholds[j]
    tp = float((pred & truth).sum())
    return 2 * tp / (pred.sum() + truth.sum()) if tp else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--theme", default="overseas")
    ap.add_argument("--draws", type=int, default=5)
    ap.add_argument("--clean", action="store_true", help="drop the theme's unpicked passages, not their label")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="the Ns, comma-separated (10 gives the goal)")
    ap.add_argument("--encoder", default=ENCODER, choices=list(ENCODERS), help=f"the provisional theme's [{ENCODER}]")
    args = ap.parse_args()
    theme = args.theme
    try:
        require_encoder(args.encoder, "--encoder " + args.encoder)
    except ModelError as exc:
        sys.exit(f"Error: {exc}")
    if args.encoder != ENCODER:  # add_theme looks the step up by name when it runs
        provisional.provisional_theme = functools.partial(provisional.provisional_theme, encoder=args.encoder)
    start = time.perf_counter()
    seeds = read_seeds(seed_files())
    train_idx, test_idx = split_by_time(seeds)
    train = [seeds[i] for i in train_idx]
    test = [seeds[i] for i in test_idx]
    texts = [s.text for s in test]
    truth = np.array([theme in s.labels for s in test])
    held = [dataclasses.replace(s, labels=tuple(t for t in s.labels if t != theme)) for s in train]
    own = [i for i, s in enumerate(train) if theme in s.labels]
    print(f"# {machine()}; theme {theme}: {len(own)} of {len(train)} training seeds, {truth.sum()} of "
          f"{len(test)} test; provisional themes with {args.encoder}")
    with caching():
        full = f1(fit_model(train), theme, texts, truth)
        print(f"trained on all {len(own)} seeds: F1 {full:.3f}")
        base = fit_model(held)
        print(f"{'N':>4}  {'provisional F1 (mean, range)':<30}  {'trained on N seeds (mean, range)':<32}")
        rows = []
        made_with: set[str] = set()  # the encoders the provisional themes' cards record
        for n in sorted({int(x) for x in args.sizes.split(",")}):
            prov, trained = [], []
            for draw in range(args.draws):
                pick = sorted(np.random.default_rng(draw).choice(own, n, replace=False).tolist())
                # under another name: the held-out model keeps an (empty) column of the theme's name
                negatives = [held[i] for i in range(len(train)) if i not in set(own)] if args.clean else held
                model = add_theme(base, "held_out", [train[i].text for i in pick], negatives)
                prov.append(f1(model, "held_out", texts, truth))
                made_with.add(model.card["provisional"]["held_out"]["encoder"])
                given = set(pick)
                if args.clean:
                    subset = [train[i] for i in range(len(train)) if i in given or i not in set(own)]
                else:
                    subset = [train[i] if i in given else held[i] for i in range(len(train))]
                trained.append(f1(fit_model(subset), theme, texts, truth))
            rows.append((n, np.mean(prov), np.mean(trained)))
            print(
                f"{n:>4}  {np.mean(prov):.3f} ({min(prov):.3f}-{max(prov):.3f}){'':<13}  "
                f"{np.mean(trained):.3f} ({min(trained):.3f}-{max(trained):.3f})",
                flush=True,
            )
    ten = next((p for n, p, _ in rows if n == 10), None)
    if ten is not None:
        print(f"provisional from 10 examples: {ten:.3f} against {full:.3f} trained on all seeds "
              f"(gap {full - ten:.3f}; goal <= 0.10: {'met' if full - ten <= 0.10 else 'not met'})")
    cross = next((n for n, p, t in rows if t >= p), None)
    took = time.perf_counter() - start
    print(f"trained beats provisional from N = {cross} seeds (FOLD_IN is {FOLD_IN}); {took:.0f} s")
    print(f"provisional themes made with {', '.join(sorted(made_with))} (their cards' encoder)")


if __name__ == "__main__":
    main()
