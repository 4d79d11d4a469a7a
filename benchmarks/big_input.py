"""Streaming: peak memory of `label` and `score` on a generated ~2 GB jsonl (issue 6).

    python benchmarks/big_input.py [--gb 2] [--jobs N] [--label-only]

Generates (in a temporary directory, never committed) JSON Lines of headline passages with
dates and labels, then runs `trendscore label FILE -o /dev/null --quiet` (all cores) and
`trendscore score FILE` as separate processes, reporting wall time, passages/s and the
largest process's peak RSS. The same figures for a 1/8-size file show whether memory grows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, thucnews  # noqa: E402

WRAP = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)"
)
THEMES = ["policy", "technology", "overseas", "regional_hub", "culture"]


def generate(path: Path, size_bytes: int) -> int:
    texts, _ = thucnews("test")
    n = written = 0
    with open(path, "w", encoding="utf-8") as fh:
        while written < size_bytes:
            day = n % 700
            rec = {
                "id": n,
                "date": f"{2024 + day // 365}-{1 + day % 365 // 31:02d}-{1 + day % 28:02d}",
                "labels": [THEMES[n % 5]] if n % 3 else [],
                "text": texts[n % len(texts)],
            }
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            fh.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    return n


def run(cmd) -> tuple[float, float]:
    t = time.perf_counter()
    # PYTHONSAFEPATH: the trendscore that PYTHONPATH names, not the working directory's
    env = {**os.environ, "PYTHONSAFEPATH": "1"}
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True, env=env).stdout.split()
    if out[1] != "0":
        raise SystemExit(f"{cmd} failed")
    return time.perf_counter() - t, int(out[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gb", type=float, default=2.0)
    parser.add_argument("--jobs", type=int, default=None, help="label --jobs N (default: all cores)")
    parser.add_argument("--label-only", action="store_true", help="skip the score command")
    args = parser.parse_args()
    jobs = [] if args.jobs is None else ["--jobs", str(args.jobs)]
    how = "all cores" if args.jobs is None else f"--jobs {args.jobs}"
    exe = str(Path(sys.executable).with_name("trendscore"))
    print(f"Machine: {machine()}\n")
    print("| command | file | passages | seconds | passages/s | peak RSS MB |\n|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for gb in (args.gb / 8, args.gb):
            path = Path(d) / "big.jsonl"
            n = generate(path, int(gb * 1e9))
            size = f"{path.stat().st_size / 1e9:.2f} GB"
            commands = [(f"label ({how})", [exe, "label", str(path), "-o", "/dev/null", "--quiet", *jobs])]
            if not args.label_only:
                commands.append(("score (labels as given)", [exe, "score", str(path)]))
            for name, cmd in commands:
                secs, rss = run(cmd)
                print(f"| {name} | {size} | {n:,} | {secs:.0f} | {n / secs:,.0f} | {rss:.0f} |", flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
