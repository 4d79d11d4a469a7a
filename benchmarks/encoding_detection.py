"""How often encoding detection reads a Chinese text right, refuses it, or gets it wrong:
trendscore's detector (trendscore.io.sniffing) beside charset-normalizer's best guess.

Texts are the Chinese seed passages (Big5: converted to Traditional with OpenCC first),
encoded by Python's own codecs and cut to 8, 20 and 60 characters or kept whole.
Run: python benchmarks/encoding_detection.py [--n 300]

``--n``: how many passages (300, the figures of BENCHMARKS.md; fewer for a quick check that the
script still runs).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import charset_normalizer
from opencc import OpenCC

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, seed_files  # noqa: E402

from trendscore.errors import InputError  # noqa: E402
from trendscore.io.sniffing import choose_encoding  # noqa: E402

ENCODINGS = ("gbk", "big5", "utf-16-le", "utf-16-be")
SIZES = (8, 20, 60, None)


def passages(n: int = 300) -> list[str]:
    texts = [json.loads(line)["text"] for f in seed_files() for line in open(f, encoding="utf-8")]
    chinese = [t for t in texts if sum("\u4e00" <= c <= "\u9fff" for c in t) > 10]
    random.Random(0).shuffle(chinese)
    return chinese[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="passages of the seeds to encode")
    args = ap.parse_args()
    to_traditional = OpenCC("s2t")
    tally: dict[tuple, dict[str, Counter]] = {}
    seconds = Counter()
    for text in passages(args.n):
        for enc in ENCODINGS:
            source = to_traditional.convert(text) if enc == "big5" else text
            for size in SIZES:
                sample = source[:size] if size else source
                try:
                    data = sample.encode(enc)
                except UnicodeEncodeError:
                    continue
                row = tally.setdefault((enc, size or "passage"), {"ours": Counter(), "cn": Counter()})
                start = time.perf_counter()
                try:
                    got = choose_encoding(data, True, "auto", "x")
                    row["ours"]["right" if data.decode(got.codec) == sample else "wrong"] += 1
                except InputError:
                    row["ours"]["refused"] += 1
                seconds["ours"] += time.perf_counter() - start
                start = time.perf_counter()
                best = charset_normalizer.from_bytes(data).best()
                if best is None:
                    row["cn"]["refused"] += 1
                else:
                    row["cn"]["right" if str(best) == sample else "wrong"] += 1
                seconds["cn"] += time.perf_counter() - start
    print(f"{machine()}, charset-normalizer {charset_normalizer.__version__}")
    counts = "right / refused / wrong"
    print(f"| encoding | characters | n | trendscore {counts} | charset-normalizer {counts} |")
    print("|---|---|---|---|---|")
    for (enc, size), row in sorted(tally.items(), key=lambda kv: (ENCODINGS.index(kv[0][0]), str(kv[0][1]))):
        n = sum(row["ours"].values())
        ours = " / ".join(str(row["ours"][k]) for k in ("right", "refused", "wrong"))
        cn = " / ".join(str(row["cn"][k]) for k in ("right", "refused", "wrong"))
        print(f"| {enc} | {size} | {n} | {ours} | {cn} |")
    print(f"time: trendscore {seconds['ours']:.2f} s, charset-normalizer {seconds['cn']:.2f} s")


if __name__ == "__main__":
    main()
