"""Cold start and throughput of labelling, against a plain scikit-learn + jieba + joblib pipeline.

    python benchmarks/speed.py [--runs 9] [--lines 10000]

Cold start: wall time of `echo 一段文字 | trendscore label -` as a new process (median of
runs), next to a script that loads a joblib-pickled scikit-learn TF-IDF + LinearSVC pipeline
with jieba and labels the same passage. Throughput: THUCNews headlines (10,000, read from
../shared at run time) labelled in one process by trendscore's default model. ``--runs`` (cold
starts timed) and ``--lines`` (the first N lines of dev.txt, which trains the pipeline, and of
test.txt) make it small, for a quick check that the script still runs; BENCHMARKS.md's figures
are of the defaults.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, thucnews  # noqa: E402

NAIVE = """
import sys, jieba, joblib
pipe = joblib.load(sys.argv[1])
text = sys.stdin.read()
print(pipe.predict([" ".join(jieba.lcut(text))]))
"""


def _cold(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, input="一段文字\n".encode(), stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _naive_pipeline(dirname: str, lines: int | None = None) -> str:
    import jieba
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    texts, labels = (column[:lines] for column in thucnews("dev"))
    docs = [" ".join(jieba.lcut(t)) for t in texts]
    pipe = make_pipeline(TfidfVectorizer(token_pattern=r"(?u)\S+"), LinearSVC()).fit(docs, labels)
    path = str(Path(dirname) / "naive.joblib")
    joblib.dump(pipe, path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9, help="cold starts timed of each (the median is kept)")
    ap.add_argument("--lines", type=int, default=None, help="the first N lines of dev.txt and test.txt (default: all)")
    args = ap.parse_args()
    runs = args.runs
    exe = str(Path(sys.executable).with_name("trendscore"))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "naive.py"
        script.write_text(NAIVE)
        pipe = _naive_pipeline(tmp, args.lines)
        _cold([exe, "label", "-"], 2)  # warm the file cache for both
        _cold([sys.executable, str(script), pipe], 2)
        ours = _cold([exe, "label", "-"], runs)
        naive = _cold([sys.executable, str(script), pipe], runs)
    print(f"Machine: {machine()}\n")
    print(f"| one passage, new process (median of {runs}) | seconds |\n|---|---|")
    print(f"| `echo 一段文字 \\| trendscore label -` | {ours:.3f} |")
    print(f"| scikit-learn + jieba + joblib script | {naive:.3f} |")
    print(f"| ratio (naive / ours) | {naive / ours:.2f}x |\n")

    import trendscore

    model = trendscore.load_model()
    texts = thucnews("test")[0][: args.lines]
    model.label(texts[:100])  # warm the segmenter
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        model.label(texts)
        best = min(best, time.perf_counter() - t)
    print(f"Throughput, one process, {len(texts)} THUCNews headlines (best of 3): {len(texts) / best:,.0f} passages/s")


if __name__ == "__main__":
    main()
