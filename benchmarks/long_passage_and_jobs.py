"""Two figures the other scripts do not produce (issues 6 and 7).

    python benchmarks/long_passage_and_jobs.py [--chars 50000000] [--headlines 200000]

1. One passage of 50 million characters (a single JSON line, generated in a temporary
   directory): `trendscore label` wall time and the process's peak RSS.
2. `trendscore label --jobs 1` against `--jobs 2` on the same 200,000 THUCNews headlines
   (test.txt repeated), default model, in the same run.

``--chars`` and ``--headlines`` make both smaller, for a quick check that the script still
runs; BENCHMARKS.md's figures are of the defaults.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, thucnews  # noqa: E402
from big_input import WRAP  # noqa: E402

CLI = [sys.executable, "-m", "trendscore"]


def _run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one CLI process."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAP, *CLI, *args], capture_output=True, text=True, check=True)
    rss_kb, rc = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"trendscore {' '.join(args)} failed")
    return time.perf_counter() - t0, int(rss_kb) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chars", type=int, default=50_000_000, help="characters of the one long passage")
    ap.add_argument("--headlines", type=int, default=200_000, help="headlines (test.txt repeated) for --jobs 1 and 2")
    args = ap.parse_args()
    print(f"machine: {machine()}\n")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        unit = "国家广电总局发布通知加强网络微短剧管理，ReelShort 登顶美国榜单。"
        text = (unit * (args.chars // len(unit) + 1))[: args.chars]
        long_file = tmp / "long.jsonl"
        long_file.write_text(json.dumps({"text": text}, ensure_ascii=False) + "\n", "utf-8")
        del text
        size_mb = long_file.stat().st_size / 2**20
        secs, rss = _run(["label", str(long_file), "-o", str(tmp / "long.out"), "--quiet"])
        print("| input | seconds | peak RSS MB |\n|---|---|---|")
        print(f"| one passage of {args.chars:,} characters ({size_mb:.0f} MB line) | {secs:.1f} | {rss:.0f} |\n")

        test = thucnews("test")[0]
        texts = (test * (args.headlines // len(test) + 1))[: args.headlines]
        heads = tmp / "heads.jsonl"
        heads.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), "utf-8")
        rows = {}
        for jobs in (1, 2):
            rows[jobs] = _run(["label", str(heads), "-o", str(tmp / "heads.out"), "--jobs", str(jobs), "--quiet"])
        print(f"| --jobs | seconds ({len(texts):,} headlines) | passages/s | speed-up |\n|---|---|---|---|")
        for jobs, (secs, _) in rows.items():
            print(f"| {jobs} | {secs:.1f} | {len(texts) / secs:,.0f} | {rows[1][0] / secs:.2f}x |")


if __name__ == "__main__":
    main()
