"""How well do the theme models label real reports they have never seen, later in time?

    python benchmarks/time_split.py [--errors 20] [--quick] [--every 1]

Train on every written seed batch plus the real-report seeds dated before 2024-07-01; test on
the real-report seeds dated 2024-07-01..2024-12-31 (passages of one report on one side).
Compared on the same split: the written seeds alone (what the bundled models knew before the
real reports), the default settings, each curated name list added alone, all lists, and the
accurate model's sentence embeddings with and without the lists. Then leave-one-batch-out on
the written batches for the default and chosen settings, each setting's calibration on the test
side (expected calibration error and Brier score, pooled over themes), and the worst errors of
the chosen settings on the test side (most confident wrong calls first). ``--every K`` keeps every K-th
seed only: a quick check that the script still runs, whose figures mean nothing
(BENCHMARKS.md's are of all).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files  # noqa: E402

from trendscore.modeling.metrics import (  # noqa: E402
    expected_calibration_error,
    label_matrix,
    per_theme_scores,
    reliability_table,
)
from trendscore.modeling.timesplit import CUTOFF, END, split_by_time  # noqa: E402
from trendscore.modeling.training import cross_validate, fit_model  # noqa: E402
from trendscore.seeds.files import DEFAULT_THEMES, read_seeds  # noqa: E402
from trendscore.text import embedding  # noqa: E402
from trendscore.text.namelists import LISTS  # noqa: E402

ALL = ",".join(LISTS)


def settings(quick: bool) -> dict[str, tuple[str, dict]]:
    """name -> (training seeds: 'written' or 'all', params); lists are named explicitly,
    since the default is now every list"""
    none, emb = {"lists": ""}, {"embedding": "use-m3"}  # use-m3 at its default weight, 0.3
    out = {
        "written seeds only, no lists (the models before issue 12)": ("written", none),
        "written seeds only, all name lists": ("written", {"lists": ALL}),
        "no lists": ("all", none),
        "+ all name lists (the default)": ("all", {"lists": ALL}),
    }
    if not quick:
        for name in LISTS:
            out[f"+ {name} alone"] = ("all", {"lists": name})
        for name in LISTS:
            out[f"all lists but {name}"] = ("all", {"lists": ",".join(n for n in LISTS if n != name)})
    out["written seeds only, use-m3 at 0.3, no lists (accurate before)"] = ("written", {**emb, **none})
    out["use-m3 at 0.3 + all lists"] = ("all", {**emb, "lists": ALL})
    out["use-m3 at 0.6 + all lists (accurate)"] = ("all", {**emb, "embedding_weight": 0.6, "lists": ALL})
    e5 = {"embedding": "e5-small", "embedding_weight": 0.6, "lists": ALL}
    out["e5-small at 0.6 + all lists (thorough)"] = ("all", e5)
    return out


def _row(name: str, s: dict, by_lang: dict) -> str:
    themes = " | ".join(f"{s['themes'][t]['f1']:.3f}" for t in DEFAULT_THEMES)
    langs = " | ".join(f"{by_lang[k]['macro_f1']:.3f}" if k in by_lang else "-" for k in ("zh-Hans", "zh-Hant", "en"))
    return f"| {name} | {s['macro_f1']:.3f} | {themes} | {langs} |"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", type=int, default=20, help="worst errors to print for the chosen settings")
    ap.add_argument("--quick", action="store_true", help="skip the one-list-at-a-time rows")
    ap.add_argument("--chosen", default="+ all name lists (the default)", help="settings whose errors are listed")
    ap.add_argument("--curve", action="store_true", help="only the curve over shares of the real training reports")
    ap.add_argument("--every", type=int, default=1, help="every K-th seed only")
    args = ap.parse_args()

    seeds = read_seeds(seed_files())[:: args.every]
    train_idx, test_idx = split_by_time(seeds, CUTOFF, END)
    train = [seeds[i] for i in train_idx]
    written = [s for s in train if not s.url]
    test = [seeds[i] for i in test_idx]
    Y = label_matrix([list(s.labels) for s in test], DEFAULT_THEMES)
    print(
        f"Time split {CUTOFF}..{END}: train {len(train)} passages ({len(train) - len(written)} real, "
        f"{len(written)} written), test {len(test)} real passages from {len({s.url for s in test})} reports; "
        f"test languages: " + ", ".join(f"{k} {sum(s.lang == k for s in test)}" for k in ("zh-Hans", "zh-Hant", "en"))
    )
    print(f"Machine: {machine()}\n")
    if args.curve:
        real_curve(written, [s for s in train if s.url], test, Y)
        return
    header = "| settings | macro-F1 | " + " | ".join(DEFAULT_THEMES) + " | zh-Hans | zh-Hant | en |"
    print(header + "\n" + "|---" * (header.count("|") - 1) + "|")
    results = {}
    with embedding.caching():
        for name, (which, params) in settings(args.quick).items():
            t0 = time.perf_counter()
            model = fit_model(written if which == "written" else train, n_jobs=2, **params)
            proba = model.predict_proba([s.text for s in test])
            pred = label_matrix(model.labels_from_proba(proba), DEFAULT_THEMES)
            s = per_theme_scores(Y, pred, DEFAULT_THEMES)
            by_lang = {}
            for lang in ("zh-Hans", "zh-Hant", "en"):
                sel = np.array([t.lang == lang for t in test])
                if sel.any():
                    by_lang[lang] = per_theme_scores(Y[sel], pred[sel], DEFAULT_THEMES)
            results[name] = (proba, pred)
            print(_row(name, s, by_lang) + f"  <!-- {time.perf_counter() - t0:.0f} s -->", flush=True)

        print("\nLeave-one-batch-out on the written batches (each batch one writer), pooled macro-F1:\n")
        written_all = [s for s in seeds if not s.url]
        groups = [s.path for s in written_all]
        for name in ("no lists", args.chosen):
            params = settings(args.quick)[name][1]
            lobo = cross_validate(written_all, groups=groups, n_jobs=2, **params)
            print(f"- {name}: {lobo['macro_f1']:.3f}")

    print("\nCalibration on the test side (probabilities pooled over the five themes):\n")
    for name, (proba, _) in results.items():
        table = reliability_table(Y, proba)
        brier = float(np.mean((proba - Y) ** 2))
        print(f"- {name}: ECE {expected_calibration_error(table):.4f}, Brier {brier:.4f}")

    if args.errors and args.chosen in results:
        proba, pred = results[args.chosen]
        errors = []
        for r in range(len(test)):
            for j, theme in enumerate(DEFAULT_THEMES):
                if pred[r, j] != Y[r, j]:
                    kind = "false +" if pred[r, j] else "missed"
                    errors.append((abs(proba[r, j] - 0.5), kind, theme, r))
        errors.sort(reverse=True)
        print(f"\nThe {args.errors} most confident errors of '{args.chosen}' (of {len(errors)}):\n")
        for _, kind, theme, r in errors[: args.errors]:
            s = test[r]
            print(f"- {kind} {theme} (p={proba[r, DEFAULT_THEMES.index(theme)]:.2f}; gold {list(s.labels)}) "
                  f"[{s.id}, {s.lang}] {s.text[:110]}")


def real_curve(written, real, test, Y) -> None:
    """Macro-F1 on the test side as the real training reports grow (whole reports drawn at
    random, three draws a share): would more real seeds close the gap?"""
    urls = sorted({s.url for s in real})
    print("| real training reports | passages | macro-F1 (mean of 3 draws) | min | max |\n|---|---|---|---|---|")
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        scores, sizes = [], []
        for draw in range(3 if 0 < share < 1 else 1):
            rng = np.random.default_rng(draw)
            keep = set(rng.permutation(urls)[: round(share * len(urls))])
            chosen = [s for s in real if s.url in keep]
            model = fit_model(written + chosen, n_jobs=2, lists=ALL)
            pred = label_matrix(model.labels_from_proba(model.predict_proba([s.text for s in test])), DEFAULT_THEMES)
            scores.append(per_theme_scores(Y, pred, DEFAULT_THEMES)["macro_f1"])
            sizes.append(len(chosen))
        print(
            f"| {round(share * len(urls))} of {len(urls)} | {int(np.mean(sizes))} | {np.mean(scores):.3f} "
            f"| {min(scores):.3f} | {max(scores):.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
