"""The THUCNews goal through the command line, as a user would run it.

    python benchmarks/thucnews_cli.py

Writes dev.txt and test.txt as JSON Lines seeds into a temporary directory (deleted after),
runs `trendscore train` on dev and `trendscore label` on test as subprocesses, and prints the
accuracy and the wall-clock time of each command.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, thucnews  # noqa: E402

TRAIN = [
    "--char-ngrams", "1-3", "--min-df", "1", "--C", "1", "--style", "--char-all",
    "--embedding", "use-m3", "--embedding-dims", "256", "--embedding-weight", "0.3",
    "--calibration-folds", "3", "--jobs", "2", "--cv", "0",
]  # fmt: skip


def _write(path: Path, split: str) -> list[str]:
    texts, labels = thucnews(split)
    with path.open("w", encoding="utf-8") as f:
        for i, (t, y) in enumerate(zip(texts, labels)):
            f.write(json.dumps({"id": f"{split}-{i}", "text": t, "labels": [y]}, ensure_ascii=False) + "\n")
    return labels


def main() -> None:
    cli = [sys.executable, "-m", "trendscore"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _write(tmp / "dev.jsonl", "dev")
        gold = _write(tmp / "test.jsonl", "test")
        t0 = time.perf_counter()
        subprocess.run([*cli, "train", str(tmp / "dev.jsonl"), "-o", str(tmp / "model"), *TRAIN], check=True)
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run(
            [*cli, "label", str(tmp / "test.jsonl"), "--model", str(tmp / "model"), "-o", str(tmp / "out.jsonl"), "-q"],
            check=True,
        )
        label_s = time.perf_counter() - t0
        got = [json.loads(line)["labels"][0] for line in (tmp / "out.jsonl").read_text("utf-8").splitlines()]
    acc = sum(a == b for a, b in zip(got, gold)) / len(gold)
    print(f"machine: {machine()}")
    print(f"trendscore train dev.jsonl -o M {' '.join(TRAIN)}")
    print("| accuracy on test.txt | train command s | label command s (10,000 headlines) |\n|---|---|---|")
    print(f"| {acc:.4f} | {train_s:.1f} | {label_s:.1f} |")


if __name__ == "__main__":
    main()
