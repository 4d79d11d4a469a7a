"""Scoring pre-labelled archives at scale: linear time, flat memory.

    python benchmarks/score_scale.py [--sizes 1000000 3000000 10000000]
    python benchmarks/score_scale.py --compare OLD_CHECKOUT [--reps 5] [--records 1000000]

Writes a jsonl archive of N labelled records (date + labels, generated here, not committed)
into a temporary directory, then for each size runs, as separate processes:
parse only (read + orjson.loads, the parser trendscore itself uses), and the whole
`trendscore score FILE --format table`. Aggregation rate = N / (score time - parse time) when
that difference is positive; it is also measured directly, in process, by scoring records
already parsed into memory (the first million), in a process of its own. Peak memory is the process's max RSS.

``--compare DIR`` measures only the in-process aggregation of one million records (``--records``
changes the number, for a quick check that the comparison still runs), for the
trendscore under DIR (e.g. ``git archive COMMIT trendscore | tar -x -C DIR``) and for this
checkout, taking turns ``--reps`` times so both share the machine's load; it reports CPU
time (``time.process_time``), which a busy machine disturbs less than wall time.
"""

from __future__ import annotations

import argparse
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
from _common import machine  # noqa: E402

THEMES = ["policy", "technology", "overseas", "regional_hub", "culture"]
PARSE = """
import orjson, sys, resource
n = 0
with open(sys.argv[1], "rb") as fh:
    for line in fh:
        orjson.loads(line); n += 1
print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
SCORE = """
import resource, sys
from trendscore.cli import main
try:
    main(["score", sys.argv[1], "--format", "table", "-o", "/dev/null"])
except SystemExit as e:
    assert not e.code, e.code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def write_archive(path: Path, n: int) -> None:
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            day = 1 + (i * 730) // n
            date = f"{2024 + (day - 1) // 365}-{1 + ((day - 1) % 365) // 31:02d}-{1 + ((day - 1) % 365) % 28:02d}"
            labels = [t for t in THEMES if rng.random() < 0.25]
            fh.write(json.dumps({"id": i, "date": date, "labels": labels}) + "\n")


def timed(code: str, path: Path, *args: str) -> tuple[float, str, str]:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(path), *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - t, proc.stdout, proc.stderr


DIRECT = """
import sys, time, orjson
from trendscore.trends.scoring import score_stream
with open(sys.argv[1], "rb") as fh:
    items = [(orjson.loads(line), "x", i) for i, line in zip(range(int(sys.argv[2])), fh)]
t0 = time.perf_counter()
score_stream(items)
print(len(items) / (time.perf_counter() - t0))
"""
DIRECT_CPU = DIRECT.replace("perf_counter", "process_time")


def compare(old: Path, reps: int, records: int = 1_000_000) -> None:
    """In-process aggregation rates of the trendscore under ``old`` and of this checkout,
    alternating, on ``records`` records."""
    here = Path(__file__).resolve().parent.parent
    rates: dict[str, list[float]] = {"old": [], "this checkout": []}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "archive.jsonl"
        write_archive(path, records)
        for _ in range(reps):
            for name, root in (("old", old), ("this checkout", here)):
                # PYTHONSAFEPATH: without it the working directory's trendscore came first
                env = {**os.environ, "PYTHONPATH": str(root), "PYTHONSAFEPATH": "1"}
                proc = subprocess.run(
                    [sys.executable, "-c", DIRECT_CPU, str(path), str(records)],
                    capture_output=True, text=True, check=True, env=env,
                )
                rates[name].append(float(proc.stdout.split()[-1]))
    print("| code | aggregation records/s, CPU time (median) | each repetition |")
    print("|---|---|---|")
    for name, values in rates.items():
        each = ", ".join(f"{v:,.0f}" for v in values)
        print(f"| {name} | {statistics.median(values):,.0f} | {each} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    parser.add_argument("--compare", type=Path, help="a checkout to compare in-process aggregation with")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--records", type=int, default=1_000_000, help="records aggregated by --compare")
    args = parser.parse_args()
    print(f"Machine: {machine()}\n")
    if args.compare:
        compare(args.compare, args.reps, args.records)
        return
    print(
        "| records | file MB | parse only s | score s | aggregation records/s (difference) "
        "| aggregation records/s (in process) | score records/s | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"archive_{n}.jsonl"
            write_archive(path, n)
            parse_s, _, _ = timed(PARSE, path)
            score_s, _, err = timed(SCORE, path)
            rss_mb = int(err.strip().splitlines()[-1]) / 1024
            diff = f"{n / (score_s - parse_s):,.0f}" if score_s - parse_s > 0.05 else "- (score beat parse alone)"
            # in its own process: a parent holding a million parsed records would inflate the
            # peak memory the later children report (Linux counts it across fork and exec)
            direct = float(timed(DIRECT, path, "1000000")[1].split()[-1])
            size = path.stat().st_size / 1e6
            print(
                f"| {n:,} | {size:,.0f} | {parse_s:.1f} | {score_s:.1f} | {diff} | {direct:,.0f} "
                f"| {n / score_s:,.0f} | {rss_mb:.0f} |",
                flush=True,
            )
            path.unlink()


if __name__ == "__main__":
    main()
