"""Where `label --jobs 2` starts to beat one process: the default `--jobs` threshold (issue 15).

    python benchmarks/jobs_crossover.py [--sizes 0.25,0.5,1,2,4,8] [--repeat 3]

For each input size (MB of JSON Lines) and two kinds of passage (THUCNews headlines, ~20
characters; seed passages, 60-300 characters), runs `trendscore label --jobs 1` and `--jobs 2`
as separate processes, alternating, `--repeat` times each, and prints the median wall time,
the CPU seconds (user + system of the process and its workers) and the speed-up. Start-up
(Python, the model) is included, as a user sees it.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files, thucnews  # noqa: E402


def _write(path: Path, texts: list[str], mb: float) -> int:
    target = int(mb * (1 << 20))
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        while fh.tell() < target:
            fh.write(json.dumps({"id": n, "text": texts[n % len(texts)]}, ensure_ascii=False) + "\n")
            n += 1
    return n


def _run(path: Path, out: Path, jobs: int) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "trendscore", "label", str(path), "-o", str(out), "--jobs", str(jobs), "-q"], check=True
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0.25,0.5,1,2,4,8")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    kinds = {
        "headlines": thucnews("test")[0],
        "passages": [
            json.loads(line)["text"] for f in seed_files() for line in open(f, encoding="utf-8") if line.strip()
        ],
    }
    print(f"machine: {machine()}\n")
    print("| passages | MB | lines | --jobs 1 s | --jobs 2 s | speed-up | CPU s, 1 | CPU s, 2 |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for kind, texts in kinds.items():
            for mb in (float(x) for x in args.sizes.split(",")):
                path = Path(d) / f"{kind}-{mb}.jsonl"
                lines = _write(path, texts, mb)
                runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
                for _ in range(args.repeat):
                    for jobs in (1, 2):
                        runs[jobs].append(_run(path, Path(d) / f"out{jobs}.jsonl", jobs))
                one = (Path(d) / "out1.jsonl").read_bytes()
                assert one == (Path(d) / "out2.jsonl").read_bytes(), "outputs differ"
                wall = {j: statistics.median(w for w, _ in r) for j, r in runs.items()}
                cpu = {j: statistics.median(c for _, c in r) for j, r in runs.items()}
                print(
                    f"| {kind} | {mb:g} | {lines:,} | {wall[1]:.2f} | {wall[2]:.2f} | {wall[1] / wall[2]:.2f}x | "
                    f"{cpu[1]:.1f} | {cpu[2]:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
