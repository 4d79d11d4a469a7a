"""Agreement between the first labels and the blind second reader, before resolution.

    python benchmarks/agreement.py

The first reader's original labels are the seeds' labels, except where a disagreement was
resolved later: seeds/review/resolutions.jsonl keeps the first reader's original there.
"""

from __future__ import annotations

import glob
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, seed_files  # noqa: E402

from trendscore.modeling.metrics import label_matrix, per_theme_scores  # noqa: E402
from trendscore.seeds.files import DEFAULT_THEMES, read_seeds  # noqa: E402


def _jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> None:
    review = ROOT / "seeds" / "review"
    resolved = {r["id"]: r for r in _jsonl(review / "resolutions.jsonl")}
    second = {
        r["id"]: r["labels"] for f in sorted(glob.glob(str(review / "second_reader" / "*.jsonl"))) for r in _jsonl(f)
    }
    seeds = read_seeds(seed_files())
    missing = [s.id for s in seeds if s.id not in second]
    if missing:
        raise SystemExit(f"{len(missing)} seeds have no second reading, e.g. {missing[:3]}")
    first = [resolved[s.id]["first"] if s.id in resolved else list(s.labels) for s in seeds]
    for title, keep in (
        ("All seeds", lambda s: True),
        ("Written batches (no url)", lambda s: not s.url),
        ("Real-report batches (with a url)", lambda s: bool(s.url)),
    ):
        rows = [i for i, s in enumerate(seeds) if keep(s)]
        A = label_matrix([first[i] for i in rows], DEFAULT_THEMES)
        B = label_matrix([second[seeds[i].id] for i in rows], DEFAULT_THEMES)
        scores = per_theme_scores(A, B, DEFAULT_THEMES)
        n_res = sum(seeds[i].id in resolved for i in rows)
        print(f"\n{title}\n")
        print("| theme | F1 between readers | first reader count | second reader count |\n|---|---|---|---|")
        for j, t in enumerate(DEFAULT_THEMES):
            print(f"| {t} | {scores['themes'][t]['f1']:.3f} | {int(A[:, j].sum())} | {int(B[:, j].sum())} |")
        print(
            f"\nmacro-F1 {scores['macro_f1']:.3f}, micro-F1 {scores['micro_f1']:.3f}, "
            f"identical label sets {scores['exact_match']:.3f} ({len(rows)} passages, {n_res} disagreements)"
        )
    rules: dict[str, int] = {}
    for r in resolved.values():
        rules[r["rule"]] = rules.get(r["rule"], 0) + 1
    print(
        "\nDisagreements by the settled case that resolved them: "
        + ", ".join(f"{k} {v}" for k, v in sorted(rules.items()))
    )


if __name__ == "__main__":
    main()
