"""The THUCNews goal through the command line, as a user would run it.

    python benchmarks/thucnews_cli.py [--lines 10000]

Writes dev.txt and test.txt as JSON Lines seeds into a temporary directory (deleted after),
runs `trendscore train` on dev with no options (and again with --allow-encoder use-m3) and
`trendscore label` on test as subprocesses, and prints the accuracy and the wall-clock time of
each command, with the settings each search chose. ``--lines N`` keeps the first N lines of
each file (a quick check that the script still runs; BENCHMARKS.md's figures are of all).
``--options "..."`` (repeatable) runs `train` with those options instead of the two runs above
(``--options "--allow-encoder e5-small --budget 3000"``: the slower encoder, unhurried). One
option alone is written with ``=`` (``--options=--curve``): argparse takes a word that starts
with ``-`` and holds no space for an option of its own.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, thucnews  # noqa: E402

# the user gives no settings: `train` chooses them by cross-validation inside dev.jsonl
RUNS = ([], ["--allow-encoder", "use-m3"])


def _write(path: Path, split: str, lines: int | None = None) -> list[str]:
    texts, labels = (column[:lines] for column in thucnews(split))
    with path.open("w", encoding="utf-8") as f:
        for i, (t, y) in enumerate(zip(texts, labels)):
            f.write(json.dumps({"id": f"{split}-{i}", "text": t, "labels": [y]}, ensure_ascii=False) + "\n")
    return labels


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=None, help="the first N lines of dev.txt and test.txt (default: all)")
    ap.add_argument(
        "--options",
        action="append",
        default=None,
        help="train's options for one run (repeatable; one alone: --options=--curve)",
    )
    args = ap.parse_args()
    runs = RUNS if args.options is None else [shlex.split(o) for o in args.options]
    cli = [sys.executable, "-m", "trendscore"]
    n = len(thucnews("test")[0][: args.lines])
    print(f"machine: {machine()}")
    print(f"| command | accuracy on test.txt | train command s | label command s ({n:,} headlines) |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _write(tmp / "dev.jsonl", "dev", args.lines)
        gold = _write(tmp / "test.jsonl", "test", args.lines)
        for extra in runs:
            t0 = time.perf_counter()
            subprocess.run([*cli, "train", str(tmp / "dev.jsonl"), "-o", str(tmp / "model"), *extra], check=True)
            train_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            out = tmp / "out.jsonl"
            model = str(tmp / "model")
            subprocess.run([*cli, "label", str(tmp / "test.jsonl"), "--model", model, "-o", str(out), "-q"], check=True)
            label_s = time.perf_counter() - t0
            got = [json.loads(line)["labels"][0] for line in out.read_text("utf-8").splitlines()]
            acc = sum(a == b for a, b in zip(got, gold)) / len(gold)
            card = json.loads((tmp / "model" / "card.json").read_text("utf-8"))["selection"]
            command = " ".join(["trendscore train dev.jsonl -o M", *extra])
            print(f"| `{command}` | {acc:.4f} | {train_s:.1f} | {label_s:.1f} |")
            print(f"  chosen {card['chosen']}; {len(card['candidates'])} candidates tried", flush=True)


if __name__ == "__main__":
    main()
