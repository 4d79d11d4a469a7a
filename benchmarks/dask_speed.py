"""Labelling on a local Dask cluster at 1 and 2 workers against the one-process path (issues 8, 15).

    python benchmarks/dask_speed.py [--n 200000]

Same jsonl file (THUCNews test headlines, repeated) for all; every run is a separate
`trendscore label` process, so cluster start-up is included, as a user would see it. The
`--output-dir` runs have the workers write Parquet parts instead of sending every labelled
record back to the client.
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
            "--jobs 2": ["--jobs", "2"],
            "Dask local cluster, 1 worker": ["--scheduler", "local:1", "--block-mb", "2"],
            "Dask local cluster, 2 workers": ["--scheduler", "local:2", "--block-mb", "2"],
            "Dask local cluster, 1 worker, --output-dir": ["--scheduler", "local:1", "--block-mb", "2", "--output-dir"],
            "Dask local cluster, 2 workers, --output-dir": [
                "--scheduler",
                "local:2",
                "--block-mb",
                "2",
                "--output-dir",
            ],
        }
        print(f"{args.n:,} headlines; machine: {machine()}\n")
        print("| run | seconds | passages/s | ratio to one process |\n|---|---|---|---|")
        base = None
        outputs = []
        for i, (name, extra) in enumerate(runs.items()):
            out = Path(d) / f"out{i}.jsonl"
            target = ["-o", str(out)] if extra[-1] != "--output-dir" else [str(Path(d) / f"parts{i}")]
            t = time.perf_counter()
            subprocess.run([exe, "label", str(data), "--quiet", *extra, *target], check=True, capture_output=True)
            secs = time.perf_counter() - t
            base = base or secs
            if target[0] == "-o":
                outputs.append(out.read_bytes())
            print(f"| {name} | {secs:.1f} | {args.n / secs:,.0f} | {base / secs:.2f}x |", flush=True)
        print(f"\nJSON Lines outputs identical: {all(o == outputs[0] for o in outputs)}")


if __name__ == "__main__":
    main()
