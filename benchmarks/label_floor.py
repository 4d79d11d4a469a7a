"""`trendscore label` in one process against the floor of the same job (issue 15).

    python benchmarks/label_floor.py [--reps 7] [--lines 20000] [--checkout DIR ...] [--stages] [--profile]

The floor is what any labeller of a JSON Lines file must do: parse each line with orjson, cut
its text with rjieba (the same segmenter trendscore uses, with the same dictionary loaded),
and write each record with orjson to a file. `trendscore label IN -o OUT --jobs 1 --quiet` runs
in the same process, through the CLI's own entry point (``trendscore.cli.main`` called with
those arguments, click parsing included), right after the floor on the same file, so the
ratio label / floor of one repetition shares the machine's load of that moment.

Two inputs, written to a temporary directory (never committed):

- headlines: the 20,000 THUCNews titles of test.txt and dev.txt (read from ../shared at run
  time), 8-30 characters each;
- passages: 20,000 passages of 150-300 characters, each the seed texts (seeds/batch_*.jsonl,
  shuffled with a fixed seed) joined one after another until 150 characters are reached and
  cut at 300; Simplified, Traditional and English texts mixed as in the seeds.

Each repetition is a new process (``--checkout DIR``, repeatable: the trendscore found in each
DIR, one after the other in every repetition, for before/after figures from the same run);
the table gives medians of the per-repetition seconds and of the per-repetition ratios.
``--lines N`` keeps the first N lines of each input (a quick check that the script still
runs; the figures of BENCHMARKS.md are of all 20,000). ``--stages`` adds the time of each stage
of labelling, measured on the same texts in batches of
``trendscore.modeling.model.BATCH`` by calling each stage's function on its own; ``--profile`` prints
the top of a cProfile of one labelling run of each input.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, installed_env, machine, seed_passages, thucnews  # noqa: E402

INPUTS = ("headlines", "passages")


def write_inputs(directory: Path, lines: int = 20_000) -> None:
    heads = (thucnews("test")[0] + thucnews("dev")[0])[:lines]
    with open(directory / "headlines.jsonl", "w", encoding="utf-8") as fh:
        for i, text in enumerate(heads):
            fh.write(json.dumps({"id": f"h{i}", "text": text}, ensure_ascii=False) + "\n")
    with open(directory / "passages.jsonl", "w", encoding="utf-8") as fh:
        for i, text in enumerate(seed_passages(lines)):
            fh.write(json.dumps({"id": f"p{i}", "text": text}, ensure_ascii=False) + "\n")


# ------------------------------------------------------------------ in the child process


def _floor(src: Path, dst: Path) -> float:
    import orjson
    import rjieba

    cut = rjieba.cut
    loads, dumps = orjson.loads, orjson.dumps
    t = time.perf_counter()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for line in fin:
            record = loads(line)
            cut(record["text"])
            fout.write(dumps(record) + b"\n")
    return time.perf_counter() - t


def _label(src: Path, dst: Path) -> float:
    from trendscore.cli import main

    t = time.perf_counter()
    main(["label", str(src), "-o", str(dst), "--jobs", "1", "--quiet"], standalone_mode=False)
    return time.perf_counter() - t


def _timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def _stages(src: Path) -> dict[str, float]:
    """Seconds of each stage over the whole file, each stage's own function called alone."""
    import numpy as np

    import trendscore
    from trendscore.io.jsonfast import dumps_line, loads
    from trendscore.modeling.model import BATCH
    from trendscore.text import namelists
    from trendscore.text.features import get_segmenter

    list_rows = getattr(namelists, "list_token_rows", namelists.list_tokens_many)  # since issue 15
    from trendscore.text.normalise import normalize_many

    model = trendscore.load_model()
    fz = model.featurizer
    cfg = fz.config
    cut = get_segmenter(cfg.segmenter).cut
    out = dict.fromkeys(
        (
            "parse",
            "normalise",
            "segment",
            "word lookup",
            "name lists",
            "char n-grams",
            "tf-idf weights",
            "sparse product",
            "calibration",
            "serialise",
        ),
        0.0,
    )
    with open(src, encoding="utf-8") as fh:
        lines = fh.readlines()
    records, out["parse"] = _timed(lambda: [loads(line) for line in lines])
    texts = [r["text"] for r in records]
    for start in range(0, len(texts), BATCH):
        batch = texts[start : start + BATCH]
        norm, secs = _timed(normalize_many, batch, cfg.opencc)
        out["normalise"] += secs
        _, secs = _timed(_segment, cut, norm)
        out["segment"] += secs
        _, secs = _timed(list_rows, norm, fz.list_names, cfg.opencc)
        out["name lists"] += secs
        (wr, wc), secs = _timed(fz._word_indices, norm)
        out["word lookup"] += secs
        (cr, cc), secs = _timed(fz._char_indices, norm)
        out["char n-grams"] += secs
        rows = np.concatenate([wr, cr])
        cols = np.concatenate([wc, cc])
        (row, col, w), secs = _timed(fz.weigh, rows, cols)
        out["tf-idf weights"] += secs
        z, secs = _timed(_product, model, len(batch), row, col, w)
        out["sparse product"] += secs
        labelled, secs = _timed(_calibrate, model, z)
        out["calibration"] += secs
        for rec, res in zip(records[start : start + BATCH], labelled):
            rec["labels"], rec["scores"] = res
        _, secs = _timed(lambda chunk=records[start : start + BATCH]: [dumps_line(r) for r in chunk])
        out["serialise"] += secs
    # the word lookup's own time: _word_indices also segments and matches the name lists
    out["word lookup"] = max(0.0, out["word lookup"] - out["segment"] - out["name lists"])
    return out


def _segment(cut, normalized):
    """Cut as featurising does: the batch joined by NUL in one call (since issue 15), else
    text by text."""
    try:
        from trendscore.text.features import _JOIN
    except ImportError:
        return [cut(t) for t in normalized if t]
    return cut(_JOIN.join(normalized))


def _product(model, n, row, col, w):
    """The decision values from the feature triplets, as the model computes them."""
    import numpy as np

    per_theme = getattr(model, "_per_theme_product", None)  # since issue 15
    if per_theme is not None:
        return per_theme(n, row, col, w) + np.asarray(model.intercept)

    coef = model.coef
    z = np.empty((n, len(model.themes)))
    for j in range(len(model.themes)):
        z[:, j] = np.bincount(row, weights=w * coef[col, j], minlength=n)
    return z + np.asarray(model.intercept)


def _calibrate(model, z):
    proba = model._proba_from_decision(z)
    labels = model.labels_from_proba(proba)
    return [(labs, dict(zip(model.themes, row))) for labs, row in zip(labels, proba.round(4).tolist())]


def child(directory: Path, stages: bool, profile: bool) -> None:
    import resource

    import trendscore
    from trendscore.text.features import get_segmenter

    model = trendscore.load_model()
    get_segmenter(model.featurizer.config.segmenter)  # the floor's rjieba gets the same dictionary
    warm = directory / "warm.jsonl"
    if not warm.exists():
        with open(directory / "passages.jsonl", encoding="utf-8") as src:
            warm.write_text("".join(src.readline() for _ in range(2000)), "utf-8")
    _label(warm, directory / f"warm.{os.getpid()}.out")
    result: dict = {}
    for name in INPUTS:
        src = directory / f"{name}.jsonl"
        dst = directory / f"{name}.{os.getpid()}.out"
        floor = _floor(src, dst)
        label = _label(src, dst)
        result[name] = {"floor": floor, "label": label, "ratio": label / floor}
        if stages:
            result[name]["stages"] = _stages(src)
        if profile:
            import cProfile
            import io
            import pstats

            prof = cProfile.Profile()
            prof.runcall(_label, src, dst)
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(14)
            print(f"--- profile: {name}\n{buf.getvalue()}", file=sys.stderr)
        dst.unlink()
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# ------------------------------------------------------------------ in the parent process


def _run_child(root: str, directory: Path, stages: bool, profile: bool) -> dict:
    env = installed_env(root)
    cmd = [sys.executable, __file__, "--child", str(directory)]
    cmd += ["--stages"] if stages else []
    cmd += ["--profile"] if profile else []
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=directory)
    if done.returncode != 0:
        raise SystemExit(f"{root}: {done.stderr}")
    if profile:
        sys.stderr.write(done.stderr)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--lines", type=int, default=20_000, help="lines of each input (20,000 headlines exist)")
    parser.add_argument("--checkout", action="append", default=None)
    parser.add_argument("--stages", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), args.stages, args.profile)
        return
    roots = [str(Path(r).resolve()) for r in args.checkout or [ROOT]]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_inputs(directory, args.lines)
        runs: dict[str, list[dict]] = {root: [] for root in roots}
        for rep in range(args.reps):
            for root in roots:
                runs[root].append(_run_child(root, directory, args.stages and rep == 0, args.profile and rep == 0))
        sizes = {name: (directory / f"{name}.jsonl").stat().st_size for name in INPUTS}
        counts = {name: len((directory / f"{name}.jsonl").read_bytes().splitlines()) for name in INPUTS}
    print(f"Machine: {machine()}; load average at the end {os.getloadavg()[0]:.2f}\n")
    print(f"| code | input | floor s | label s | label / floor (median of {args.reps} ratios) | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for root in roots:
        for name in INPUTS:
            floor = statistics.median(r[name]["floor"] for r in runs[root])
            label = statistics.median(r[name]["label"] for r in runs[root])
            ratio = statistics.median(r[name]["ratio"] for r in runs[root])
            spread = sorted(r[name]["ratio"] for r in runs[root])
            rss = max(r["rss_mb"] for r in runs[root])
            print(
                f"| {Path(root).name} | {name} ({counts[name]:,}, {sizes[name] / 1e6:.1f} MB) "
                f"| {floor:.3f} | {label:.3f} "
                f"| **{ratio:.2f}x** (range {spread[0]:.2f}-{spread[-1]:.2f}) | {rss:.0f} |"
            )
    if args.stages:
        for root in roots:
            records = " and ".join(f"{counts[name]:,}" for name in INPUTS)
            print(f"\nStages ({Path(root).name}, first repetition, seconds over {records} records):\n")
            print("| stage | " + " | ".join(INPUTS) + " |\n|---|" + "---|" * len(INPUTS))
            first = runs[root][0]
            for stage in first[INPUTS[0]]["stages"]:
                print(f"| {stage} | " + " | ".join(f"{first[n]['stages'][stage]:.3f}" for n in INPUTS) + " |")
            print("| (floor, whole) | " + " | ".join(f"{first[n]['floor']:.3f}" for n in INPUTS) + " |")
            print("| (label, whole) | " + " | ".join(f"{first[n]['label']:.3f}" for n in INPUTS) + " |")


if __name__ == "__main__":
    main()
