"""What counting outlets costs the aggregation: records with a ``source`` against the same
records without one, in one process, for one or more checkouts side by side.

    python benchmarks/outlet_counting.py [--records 300000] [--reps 3] [--checkout DIR ...]

``score`` counts each outlet's passages for the outlet-mix check (issue 13); since the twentieth
session an outlet is one however its name is spaced, cased or written in full width, worked
out for every record that has a source. This times ``Accumulator.add_labels`` (the call every
labelled record goes through) on the same made-up records, five themes, days over ten months,
one of 20 outlets each, with and without their source. Each checkout runs in a child process
of its own (``PYTHONPATH`` set to it, ``PYTHONSAFEPATH`` so the working directory's code is not
the one timed); checkouts take turns in every repetition, and the table gives the best of the
repetitions (records a second). Without ``--checkout``, the installed trendscore is timed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import installed_env, machine  # noqa: E402

CHILD = r"""
import json, random, sys, time
from trendscore.trends.accumulate import Accumulator
n = int(sys.argv[1])
rng = random.Random(0)
themes = ["policy", "technology", "overseas", "regional_hub", "culture"]
outlets = [f"Outlet {i}" for i in range(20)]
records = [
    (739000 + rng.randrange(300), [t for t in themes if rng.random() < 0.2], rng.choice(outlets)) for _ in range(n)
]
out = {}
for with_source in (False, True):
    acc = Accumulator(themes)
    start = time.perf_counter()
    if with_source:
        for day, labels, source in records:
            acc.add_labels(day, labels, source=source)
    else:
        for day, labels, source in records:
            acc.add_labels(day, labels)
    out[str(with_source)] = n / (time.perf_counter() - start)
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--checkout", action="append", default=[], help="a tree to time (repeatable)")
    args = parser.parse_args()
    checkouts = args.checkout or [None]
    best: dict[str, dict[str, float]] = {}
    for _ in range(args.reps):
        for checkout in checkouts:
            env = installed_env(checkout) if checkout else None
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(args.records)], env=env, capture_output=True, text=True, check=True
            )
            rates = json.loads(done.stdout)
            name = Path(checkout).name if checkout else "installed"
            row = best.setdefault(name, {})
            for key, rate in rates.items():
                row[key] = max(row.get(key, 0.0), rate)
    print(f"Machine: {machine()}; {args.records:,} records, best of {args.reps}\n")
    print("| code | records/s without a source | records/s with a source | with / without |")
    print("|---|---|---|---|")
    for name, row in best.items():
        print(f"| {name} | {row['False']:,.0f} | {row['True']:,.0f} | {row['True'] / row['False']:.2f} |")


if __name__ == "__main__":
    main()
