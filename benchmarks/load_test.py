"""Load: label and score a generated stream of a million passages with bad lines (issue 7).

    python benchmarks/load_test.py [--n 1000000]

Mixed Simplified, Traditional and English passages (the seeds, cycled), about one line in a
thousand broken in one of several ways. Both commands run with --skip-bad; the script checks
that they report exactly the good and bad counts and that the label output has exactly one
record per good line, in order.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files  # noqa: E402

BROKEN = ['{"text": ', '{"id": 5}', "[1, 2]", '{"text": null}', '"a string"']


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    seeds = [json.loads(line) for f in seed_files() for line in open(f, encoding="utf-8")]
    rng = random.Random(0)
    exe = str(Path(sys.executable).with_name("trendscore"))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "stream.jsonl"
        good_ids = []
        with open(path, "w", encoding="utf-8") as fh:
            for i in range(args.n):
                if rng.random() < 0.001:
                    fh.write(rng.choice(BROKEN) + "\n")
                    continue
                s = seeds[i % len(seeds)]
                fh.write(
                    json.dumps(
                        {"id": i, "text": s["text"], "date": s.get("date"), "lang": s.get("lang")}, ensure_ascii=False
                    )
                    + "\n"
                )
                good_ids.append(i)
        bad = args.n - len(good_ids)
        print(f"{args.n:,} lines ({len(good_ids):,} good, {bad:,} bad); machine: {machine()}\n")
        for command in ("label", "score"):
            out = Path(d) / f"{command}.out"
            t = time.perf_counter()
            proc = subprocess.run(
                [exe, command, str(path), "--skip-bad", "-o", str(out)] + (["--quiet"] if command == "label" else []),
                capture_output=True,
                text=True,
            )
            secs = time.perf_counter() - t
            m = re.search(r"(\d+) good passages; skipped (\d+) bad lines", proc.stderr)
            ok = proc.returncode == 0 and m and int(m.group(1)) == len(good_ids) and int(m.group(2)) == bad
            if command == "label" and ok:
                with open(out, encoding="utf-8") as fh:
                    ids = [json.loads(line)["id"] for line in fh]
                ok = ids == good_ids
            print(
                f"- {command}: exit {proc.returncode}, {secs:.0f} s, reported {m.group(0) if m else '?'}: "
                f"{'counts and output exact' if ok else 'MISMATCH'}"
            )


if __name__ == "__main__":
    main()
