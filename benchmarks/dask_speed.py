"""Labelling on a local Dask cluster at 1 and 2 workers against the one-process path (issue 8).

    python benchmarks/dask_speed.py [--n 200000]

Same jsonl file (THUCNews test headlines, repeated) for all; every run is a separate
`trendscore label` process, so cluster start-up is included, as a user would see it.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    texts, _ = thucnews("test")
    exe = str(Path(sys.executable).with_name("trendscore"))
    with tempfile.TemporaryDirectory() as d:
        data = Path(d) / "heads.jsonl"
        data.write_text(
            "".join(
                json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n" for i in range(args.n)
            ),
            "utf-8",
        )
        runs = {
            "one process (--jobs 1)": ["--jobs", "1"],
            "Dask local cluster, 1 worker": ["--scheduler", "local:1", "--block-mb", "2"],
            "Dask local cluster, 2 workers": ["--scheduler", "local:2", "--block-mb", "2"],
        }
        print(f"{args.n:,} headlines; machine: {machine()}\n")
        print("| run | seconds | passages/s | ratio to one process |\n|---|---|---|---|")
        base = None
        outputs = []
        for name, extra in runs.items():
            out = Path(d) / f"out{len(outputs)}.jsonl"
            t = time.perf_counter()
            subprocess.run(
                [exe, "label", str(data), "-o", str(out), "--quiet", *extra], check=True, capture_output=True
            )
            secs = time.perf_counter() - t
            base = base or secs
            outputs.append(out.read_bytes())
            print(f"| {name} | {secs:.1f} | {args.n / secs:,.0f} | {base / secs:.2f}x |", flush=True)
        print(f"\nOutputs identical: {all(o == outputs[0] for o in outputs)}")


if __name__ == "__main__":
    main()
