"""What writing Parquet costs `trendscore label`, before and after a change (the eighteenth
session's: a Parquet input's own column types kept in a Parquet output).

    python benchmarks/parquet_output.py [--reps 5] [--rows 100000] [--checkout DIR ...]

Two inputs, written to a temporary directory at run time (never committed), each of ``--rows``
THUCNews headlines (test.txt then dev.txt, repeated as needed; read from ../shared):

- typed.parquet: the headline as ``text`` beside columns of several Arrow types, as a data
  engineer's export holds them: ``id`` int32, ``published`` timestamp[us, Asia/Shanghai],
  ``day`` date32, ``price`` decimal128(10, 2), ``source`` dictionary-encoded string, ``flag`` bool;
- plain.jsonl: the same headlines with an ``id`` and a ``source``, as JSON Lines.

Each is labelled into a Parquet file (``label IN -o OUT.parquet --jobs 1 --quiet``, the CLI's
entry point called in a new process for every run, after one warm-up run); with several
``--checkout`` the checkouts take turns in every repetition, so they share the machine's load.
The table gives the median seconds of each, and the median of the per-repetition ratios of each
checkout to the first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, installed_env, machine, thucnews  # noqa: E402

INPUTS = ("typed.parquet", "plain.jsonl")


def write_inputs(directory: Path, rows: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    titles = thucnews("test")[0] + thucnews("dev")[0]
    texts = [titles[i % len(titles)] for i in range(rows)]
    start = dt.datetime(2024, 1, 1, 8, 0)
    outlets = ["新华网", "人民网", "Variety", "36氪"]
    table = pa.table({
        "id": pa.array(range(rows), pa.int32()),
        "text": texts,
        "published": pa.array(
            [start + dt.timedelta(minutes=i) for i in range(rows)], pa.timestamp("us", tz="Asia/Shanghai")
        ),
        "day": pa.array([start.date() + dt.timedelta(days=i % 365) for i in range(rows)], pa.date32()),
        "price": pa.array([decimal.Decimal(i % 10_000) / 100 for i in range(rows)], pa.decimal128(10, 2)),
        "source": pa.array([outlets[i % 4] for i in range(rows)]).dictionary_encode(),
        "flag": [i % 3 == 0 for i in range(rows)],
    })
    pq.write_table(table, directory / "typed.parquet", row_group_size=16_384)
    with open(directory / "plain.jsonl", "w", encoding="utf-8") as out:
        for i, text in enumerate(texts):
            out.write(json.dumps({"id": i, "text": text, "source": outlets[i % 4]}, ensure_ascii=False) + "\n")


def child(directory: Path) -> None:
    from trendscore.cli import main

    def label(name: str) -> float:
        t = time.perf_counter()
        main(["label", str(directory / name), "-o", str(directory / f"{os.getpid()}.parquet"), "--jobs", "1",
              "--quiet"], standalone_mode=False)
        return time.perf_counter() - t

    label(INPUTS[0])  # warm-up: imports, model, segmenter
    print(json.dumps({name: label(name) for name in INPUTS}))


def _run_child(root: str, directory: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(directory)], capture_output=True, text=True,
                          env=installed_env(root), cwd=directory)
    if done.returncode != 0:
        raise SystemExit(f"{root}: {done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--checkout", action="append", default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child))
        return
    roots = [str(Path(r).resolve()) for r in args.checkout or [ROOT]]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_inputs(directory, args.rows)
        runs: dict[str, list[dict]] = {root: [] for root in roots}
        for _ in range(args.reps):
            for root in roots:
                runs[root].append(_run_child(root, directory))
    print(f"Machine: {machine()}; load average at the end {os.getloadavg()[0]:.2f}; {args.rows:,} rows\n")
    print(f"| code | input | `label IN -o OUT.parquet` s (median of {args.reps}) | against the first (median ratio) |")
    print("|---|---|---|---|")
    first = runs[roots[0]]
    for root in roots:
        for name in INPUTS:
            seconds = statistics.median(r[name] for r in runs[root])
            ratio = statistics.median(r[name] / f[name] for r, f in zip(runs[root], first))
            print(f"| {Path(root).name} | {name} | {seconds:.2f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
