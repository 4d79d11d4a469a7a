"""`score --jobs 2` against one process where the model labels every passage (issue 15).

    python benchmarks/score_jobs.py [--n 100000] [--pairs 3]

N THUCNews headlines (test.txt and dev.txt from ../shared, repeated; written at run time, never
committed) with a date each over two years and no labels, so `score` runs the bundled model on
every one; the whole command as a separate process, `--jobs 1` and `--jobs 2` taking turns.
The two outputs must be the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, thucnews  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=3)
    args = ap.parse_args()
    texts = thucnews("test")[0] + thucnews("dev")[0]
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "headlines.jsonl"
        with open(src, "w", encoding="utf-8") as fh:
            for i in range(args.n):
                day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(730))
                record = {"id": i, "date": day.isoformat(), "text": texts[i % len(texts)]}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        times: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.pairs):
            for jobs in (1, 2):
                t = time.perf_counter()
                cmd = [sys.executable, "-m", "trendscore", "score", str(src), "--jobs", str(jobs)]
                subprocess.run([*cmd, "-o", f"{d}/out{jobs}.txt"], check=True, capture_output=True)
                times[jobs].append(time.perf_counter() - t)
        if not filecmp.cmp(f"{d}/out1.txt", f"{d}/out2.txt", shallow=False):
            raise SystemExit("--jobs 2 gave another result than one process")
    one, two = statistics.median(times[1]), statistics.median(times[2])
    load = os.getloadavg()[0]
    print(f"{machine()}; load average {load:.1f}; {args.n:,} unlabelled headlines, medians of {args.pairs}")
    print(f"  --jobs 1: {one:.2f} s  {[round(t, 2) for t in times[1]]}")
    print(f"  --jobs 2: {two:.2f} s  {[round(t, 2) for t in times[2]]}  ({one / two:.2f}x; outputs identical)")


if __name__ == "__main__":
    main()
