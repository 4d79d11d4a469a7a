"""Whole processes against peers on the same 200,000-headline jsonl file (issue 6).

    python benchmarks/peers.py [--n 200000]

All three pipelines are trained on THUCNews dev.txt, then each is run as a separate process
that loads its model, reads the same jsonl file, predicts in batches and writes jsonl with
labels and scores: a fastText script (fasttext-wheel), a plain scikit-learn TF-IDF +
LinearSVC pipeline with jieba saved with joblib, and `trendscore label` at 1 and 2 jobs.
Accuracy is on test.txt; the 200,000 headlines are test.txt repeated. One-passage latency is
a new process labelling one headline. Peak memory is the largest process's max RSS.
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
from _common import machine, thucnews  # noqa: E402

FASTTEXT_SCRIPT = """
import json, sys, fasttext
model = fasttext.load_model(sys.argv[1])
def flush(batch, out):
    texts = [" ".join(r["text"].replace(" ", "").replace("\\n", "")) for r in batch]
    labels, probs = model.predict(texts, k=1)
    for r, l, p in zip(batch, labels, probs):
        r["labels"] = [l[0].replace("__label__", "")]
        r["scores"] = {r["labels"][0]: round(float(p[0]), 4)}
        out.write(json.dumps(r, ensure_ascii=False) + "\\n")
"""

SKLEARN_SCRIPT = """
import json, sys, jieba, joblib
pipe = joblib.load(sys.argv[1])
def flush(batch, out):
    docs = [" ".join(jieba.lcut(r["text"])) for r in batch]
    labels = pipe.predict(docs)
    scores = pipe.decision_function(docs)
    for r, l, s in zip(batch, labels, scores):
        r["labels"] = [str(l)]
        r["scores"] = {str(c): round(float(v), 4) for c, v in zip(pipe.classes_, s)}
        out.write(json.dumps(r, ensure_ascii=False) + "\\n")
"""

# both peer scripts end the same way: read jsonl, predict in batches of 4096, write jsonl
BATCH_LOOP = """
with open(sys.argv[2], encoding="utf-8") as fh, open(sys.argv[3], "w", encoding="utf-8") as out:
    batch = []
    for line in fh:
        batch.append(json.loads(line))
        if len(batch) == 4096:
            flush(batch, out); batch = []
    if batch:
        flush(batch, out)
"""

WRAP = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)"
)


def measured(cmd, stdin_text=None) -> tuple[float, float]:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True, input=stdin_text)
    elapsed = time.perf_counter() - t
    rss_kb, rc = proc.stdout.split()
    if rc != "0":
        raise SystemExit(f"{cmd[:3]} failed: {proc.stderr[-500:]}")
    return elapsed, int(rss_kb) / 1024


def train_all(tmp: Path):
    import fasttext
    import jieba
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    texts, labels = thucnews("dev")
    seeds = tmp / "dev.jsonl"
    seeds.write_text(
        "".join(
            json.dumps({"id": str(i), "text": t, "labels": [y]}, ensure_ascii=False) + "\n"
            for i, (t, y) in enumerate(zip(texts, labels))
        ),
        "utf-8",
    )
    ft_train = tmp / "ft.txt"
    ft_train.write_text(
        "".join(f"__label__{y} {' '.join(t.replace(' ', ''))}\n" for t, y in zip(texts, labels)), "utf-8"
    )
    times = {}
    t = time.perf_counter()
    ft = fasttext.train_supervised(str(ft_train), epoch=25, wordNgrams=2, lr=0.5, verbose=0, thread=1, seed=0)
    times["fastText"] = time.perf_counter() - t
    ft.save_model(str(tmp / "ft.bin"))
    t = time.perf_counter()
    pipe = make_pipeline(TfidfVectorizer(token_pattern=r"(?u)\S+"), LinearSVC()).fit(
        [" ".join(jieba.lcut(x)) for x in texts], labels
    )
    times["scikit-learn"] = time.perf_counter() - t
    joblib.dump(pipe, tmp / "sk.joblib")
    exe = str(Path(sys.executable).with_name("trendscore"))
    t = time.perf_counter()
    subprocess.run(
        [
            exe,
            "train",
            str(seeds),
            "-o",
            str(tmp / "ts"),
            "--cv",
            "0",
            "--char-ngrams",
            "1-3",
            "--min-df",
            "1",
            "--C",
            "1",
        ],
        check=True,
        capture_output=True,
    )
    times["trendscore"] = time.perf_counter() - t
    return times, exe


def accuracy(path: Path, gold: list[str]) -> float:
    rows = [json.loads(line) for line in path.read_text("utf-8").split("\n") if line]
    return sum(r["labels"][:1] == [g] for r, g in zip(rows, gold)) / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    test_texts, test_labels = thucnews("test")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        train_times, exe = train_all(tmp)
        (tmp / "ft.py").write_text(FASTTEXT_SCRIPT + BATCH_LOOP)
        (tmp / "sk.py").write_text(SKLEARN_SCRIPT + BATCH_LOOP)
        data = tmp / "heads.jsonl"
        data.write_text(
            "".join(
                json.dumps({"id": i, "text": test_texts[i % len(test_texts)]}, ensure_ascii=False) + "\n"
                for i in range(args.n)
            ),
            "utf-8",
        )
        runs = {
            "fastText script": [sys.executable, str(tmp / "ft.py"), str(tmp / "ft.bin"), str(data)],
            "scikit-learn + jieba + joblib script": [
                sys.executable,
                str(tmp / "sk.py"),
                str(tmp / "sk.joblib"),
                str(data),
            ],
            "trendscore label --jobs 1": [exe, "label", str(data), "--model", str(tmp / "ts"), "--jobs", "1", "-o"],
            "trendscore label --jobs 2": [exe, "label", str(data), "--model", str(tmp / "ts"), "--jobs", "2", "-o"],
        }
        results = {}
        for name, cmd in runs.items():
            out = tmp / f"out_{len(results)}.jsonl"
            elapsed, rss = measured(cmd + [str(out)])
            results[name] = (args.n / elapsed, rss, accuracy(out, test_labels * (args.n // len(test_labels) + 1)))
        one = {}
        for name, cmd in (
            ("trendscore", [exe, "label", "-", "--model", str(tmp / "ts")]),
            (
                "scikit-learn + jieba + joblib",
                [sys.executable, str(tmp / "sk.py"), str(tmp / "sk.joblib"), "/dev/stdin"],
            ),
        ):
            line = json.dumps({"text": test_texts[0]}, ensure_ascii=False) + "\n"
            times = [
                measured(cmd + (["-o", "/dev/null"] if name == "trendscore" else ["/dev/null"]), line)[0]
                for _ in range(5)
            ]
            one[name] = statistics.median(times)
    print(f"{args.n:,} headlines, machine: {machine()}\n")
    print("| process | headlines/s | ratio to fastText | ratio to scikit-learn | accuracy (test.txt) | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    ft = results["fastText script"][0]
    sk = results["scikit-learn + jieba + joblib script"][0]
    for name, (speed, rss, acc) in results.items():
        print(f"| {name} | {speed:,.0f} | {speed / ft:.2f}x | {speed / sk:.2f}x | {acc:.4f} | {rss:.0f} |")
    print("\nTraining time on dev.txt (s): " + ", ".join(f"{k} {v:.1f}" for k, v in train_times.items()))
    print("One passage, new process (median of 5, s): " + ", ".join(f"{k} {v:.3f}" for k, v in one.items()))


if __name__ == "__main__":
    main()
