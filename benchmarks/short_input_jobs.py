"""`label --jobs 2` against one process on a short gzip input of long passages (issue 15).

    python benchmarks/short_input_jobs.py [--pairs 5] [--passages 1500] [--chars 150-300] [--checkout DIR ...]

An input the parent reads itself (here gzip-compressed JSON Lines) used to reach the workers in
chunks of 2,048 lines, so 1,500 passages were one chunk for one worker whatever ``--jobs`` said.
The input: ``--passages`` passages of ``--chars`` A-B characters, each the seed texts
(seeds/batch_*.jsonl, shuffled with a fixed seed) joined until A characters and cut at a length
between A and B;
written to a temporary directory, never committed. Each run is the whole command
``python -m trendscore label IN.jsonl.gz -o OUT --jobs N --quiet`` (start-up included), with
``PYTHONPATH`` set to the checkout; in every pair ``--jobs 1`` and ``--jobs 2`` of every checkout
take turns, so they share the machine's load. Prints medians of wall and CPU seconds (user +
system of the command and its workers), the speed-up on the medians and the median of the
per-pair speed-ups, and the load average before and after. All outputs must be the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_passages  # noqa: E402
from jobs_two import _run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--passages", type=int, default=1500)
    parser.add_argument("--chars", default="150-300", help="A-B: the passages' shortest and longest lengths")
    parser.add_argument("--checkout", action="append", type=Path, help="default: this checkout")
    args = parser.parse_args()
    shortest, longest = map(int, args.chars.split("-"))
    checkouts = [c.resolve() for c in args.checkout or [Path(__file__).resolve().parent.parent]]
    print(f"machine: {machine()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        src = tmp / "in.jsonl.gz"
        texts = seed_passages(args.passages, shortest, longest, vary=True)
        body = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts))
        src.write_bytes(gzip.compress(body.encode("utf-8"), mtime=0))
        runs: dict[tuple[int, int], list[tuple[float, float, float, int]]] = {}
        outputs: set[bytes] = set()
        for pair in range(args.pairs):
            for c, checkout in enumerate(checkouts):
                for jobs in (1, 2) if pair % 2 == 0 else (2, 1):
                    out = tmp / f"out-{c}-{jobs}.jsonl"
                    runs.setdefault((c, jobs), []).append(
                        _run(checkout, ["label", str(src), "-o", str(out), "--jobs", str(jobs), "--quiet"])
                    )
                    outputs.add(out.read_bytes())
                    out.unlink()
        assert len(outputs) == 1, "outputs differ"
        size = src.stat().st_size
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print(f"{args.passages:,} passages of {args.chars} characters, gzip ({size / 1e3:.0f} kB), {args.pairs} pairs\n")
    print(
        "| checkout | run | wall s (each) | median wall s | median CPU s | speed-up on medians "
        "| median of pair speed-ups |"
    )
    print("|---|---|---|---|---|---|---|")
    for c, checkout in enumerate(checkouts):
        one = [run[0] for run in runs[(c, 1)]]
        for jobs in (1, 2):
            walls = [run[0] for run in runs[(c, jobs)]]
            cpu = statistics.median(run[1] for run in runs[(c, jobs)])
            ratio = pairs = ""
            if jobs == 2:
                ratio = f"{statistics.median(one) / statistics.median(walls):.2f}x"
                pairs = f"{statistics.median(a / b for a, b in zip(one, walls)):.2f}x"
            each = ", ".join(f"{w:.2f}" for w in walls)
            print(
                f"| {checkout.name} | --jobs {jobs} | {each} | {statistics.median(walls):.2f} | {cpu:.2f} "
                f"| {ratio} | {pairs} |"
            )


if __name__ == "__main__":
    main()
