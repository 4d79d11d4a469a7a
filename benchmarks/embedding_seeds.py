"""Do sentence embeddings help the five themes on writers the model never saw?

    python benchmarks/embedding_seeds.py [--every 1] [--cold-runs 5]

Leave-one-batch-out on the shipped seeds (each batch is one writer's work), the default
features against the default features plus `use-m3` sentence embeddings, with macro-F1 of
each held-out batch alone (batch_00 is the real news digest). Then the cost: labelling speed
in one process on the seeds' texts, and a one-passage cold start for each model (median of
``--cold-runs``). ``--every K`` keeps every K-th seed only: with ``--cold-runs 1``, a quick check
that the script still runs, whose figures mean nothing (BENCHMARKS.md's are of the defaults).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files  # noqa: E402

from trendscore.modeling.metrics import label_matrix, per_theme_scores  # noqa: E402
from trendscore.modeling.training import cross_validate, fit_model  # noqa: E402
from trendscore.seeds.files import read_seeds, theme_order  # noqa: E402
from trendscore.text import embedding  # noqa: E402

SETTINGS = {
    "default features": {},
    "+ sentence embeddings (use-m3, 256 dims, weight 0.3)": {"embedding": "use-m3"},
}


def _cold_start(model_dir: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "trendscore", "label", "-", "--model", str(model_dir)],
            input="短剧出海再下一城".encode(),
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=1, help="every K-th seed only")
    ap.add_argument("--cold-runs", type=int, default=5, help="cold starts timed of each model (the median is kept)")
    args = ap.parse_args()
    seeds = read_seeds(seed_files())[:: args.every]
    themes = theme_order(seeds)
    batches = [Path(s.path).stem for s in seeds]
    Y = label_matrix([list(s.labels) for s in seeds], themes)
    print(f"Seeds: {len(seeds)} passages in {len(set(batches))} batches; machine: {machine()}\n")
    results = {}
    with embedding.caching():
        for name, params in SETTINGS.items():
            t0 = time.perf_counter()
            results[name] = cross_validate(seeds, groups=batches, seed=0, n_jobs=2, **params)
            print(f"({name}: leave-one-batch-out in {time.perf_counter() - t0:.0f} s)", flush=True)
    names = list(SETTINGS)
    print("\n| held out | passages | " + " | ".join(names) + " |\n|---|---|" + "---|" * len(names))
    print(
        "| all batches (pooled) | "
        + f"{len(seeds)} | "
        + " | ".join(f"{results[n]['macro_f1']:.3f}" for n in names)
        + " |"
    )
    for b in sorted(set(batches)):
        sel = np.array([x == b for x in batches])
        cells = [per_theme_scores(Y[sel], results[n]["oof_pred"][sel], themes)["macro_f1"] for n in names]
        print(f"| {b} | {int(sel.sum())} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")

    texts = [s.text for s in seeds]
    print(
        "\n| model | labelling passages/s (seed texts, one process) "
        f"| one-passage cold start s (median of {args.cold_runs}) |"
    )
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, params) in enumerate(SETTINGS.items()):
            model = fit_model(seeds, n_jobs=2, **params)
            # a directory of its own for each model: the name "+ sentence ..." once gave "" here,
            # so the second model was saved over the temporary directory itself, which
            # Model.save refuses (it is not a model directory)
            path = model.save(Path(tmp) / f"model-{i}")
            model.label(texts[:50])  # warm up (encoder weights, segmenter)
            t0 = time.perf_counter()
            model.label(texts)
            speed = len(texts) / (time.perf_counter() - t0)
            print(f"| {name} | {speed:,.0f} | {_cold_start(path, args.cold_runs):.2f} |", flush=True)


if __name__ == "__main__":
    main()
