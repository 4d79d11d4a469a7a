"""One long paragraph as plain text, against the same text as JSON Lines (issue 14).

    python benchmarks/long_paragraph.py [--mb 36] [--checkout DIR ...] [--kinds paragraph,jsonl,...]

Writes, in a temporary directory, MB megabytes of Chinese news sentences as (a) one paragraph
of many short lines in a .txt file, (b) one single line in a .txt file, (c) a digest article of
that length, and (d) JSON Lines of one passage a line, and (e) ``--unpunctuated-mb`` of one
line without any punctuation (the quadratic case of issue 14); labels each with `trendscore label --jobs 1`
and prints wall seconds and peak RSS. ``--checkout DIR`` (repeatable) times the trendscore
found in each DIR (an older version, for comparison), one after the other on each input so
that they share the machine's load.
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
from _common import machine  # noqa: E402
from big_input import WRAP  # noqa: E402

SENTENCE = "微短剧出海带动东南亚市场增长，平台加大投入并调整审核政策。"


def _write(path: Path, megabytes: int, kind: str) -> None:
    target = megabytes << 20
    written = 0
    with open(path, "w", encoding="utf-8") as fh:
        if kind == "digest":
            fh.write("Workflow\n标题一\n新华社· 2024-05-01\n")
        while written < target:
            if kind == "unpunctuated":
                line = "短剧出海平台政策" * 1000
            elif kind == "jsonl":
                line = json.dumps({"text": SENTENCE * 4}, ensure_ascii=False) + "\n"
            else:
                line = SENTENCE * 40 + ("" if kind == "one line" else "\n")
            fh.write(line)
            written += len(line.encode("utf-8"))
        fh.write("\n")


def _run(args: list[str], root: str, cwd: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the trendscore in ``root``, run from ``cwd`` (not
    from a checkout: ``python -m`` would import the checkout it is run in)."""
    env = {**os.environ, "PYTHONPATH": root}
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", WRAP, sys.executable, "-m", "trendscore", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=True,
    )
    rss_kb, rc = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"trendscore {' '.join(args)} failed")
    return time.perf_counter() - t0, int(rss_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=36)
    parser.add_argument("--unpunctuated-mb", type=int, default=10)
    parser.add_argument("--kinds", default="paragraph,one line,digest,jsonl,unpunctuated", help="comma-separated")
    parser.add_argument("--checkout", action="append", default=None)
    args = parser.parse_args()
    roots = [str(Path(r).resolve()) for r in args.checkout or [Path(__file__).resolve().parent.parent]]
    print(f"machine: {machine()}\n")
    print(f"| input ({args.mb} MB) | trendscore from | wall s | peak RSS MB |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        kinds = [("paragraph", "text"), ("one line", "text"), ("digest", "digest"), ("jsonl", "jsonl")]
        for kind, fmt in [*kinds, ("unpunctuated", "text")]:
            if kind not in args.kinds.split(","):
                continue
            path = Path(tmp) / f"input.{'jsonl' if kind == 'jsonl' else 'txt'}"
            _write(path, args.unpunctuated_mb if kind == "unpunctuated" else args.mb, kind)
            # a file, not /dev/null: trendscore before issue 14 replaced /dev/null with a file (as root)
            out = str(Path(tmp) / "out.jsonl")
            for root in roots:
                wall, rss = _run(["label", str(path), "-o", out, "--jobs", "1", "-q", "--input-format", fmt], root, tmp)
                print(f"| {kind} | {root} | {wall:.1f} | {rss:.0f} |", flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
