"""`label --jobs 2` against one process on 200,000 THUCNews headlines (issue 15 goal: >= 1.8x).

    python benchmarks/jobs_two.py [--pairs 7] [--lines 200000] [--checkout DIR ...]

The 20,000 THUCNews dev and test titles (read from ../shared at run time, never committed)
repeated to ``--lines`` lines of ``{"id", "text"}`` JSON Lines in a temporary directory. Each
run is the whole command ``python -m trendscore label H.jsonl -o OUT --jobs N --quiet`` as a
user runs it (start-up included), with ``PYTHONPATH`` set to the checkout, its modules compiled
to bytecode first as an install compiles them (``_common.installed_env``). In every pair the
two (and every checkout) take turns, so they share the machine's load; a one-passage
``label`` is timed in each pair too (the start-up no worker shares). Prints per checkout the
medians of wall and CPU seconds (user + system of the command and its workers; and system
seconds and minor page faults alone), the
speed-up on the medians and the median of the per-pair speed-ups, and the load average
before and after. The outputs of all runs must be byte for byte the same.

Each pair also times an oracle for any two-process labeller on this machine: two
``--jobs 1`` commands started together, each on one half of the file (cut at a line), the wall
time running until both have ended; their outputs joined must equal the whole file's. It pays
no split, no merge and no shared parent, so its speed-up over ``--jobs 1`` is what two cores
give this job here at best, with each process's start-up paid in parallel.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import installed_env, machine, thucnews  # noqa: E402


def _usage(before, after) -> tuple[float, float, int]:
    """CPU seconds (user + system), system seconds and minor page faults between two readings."""
    system = after.ru_stime - before.ru_stime
    return (after.ru_utime - before.ru_utime) + system, system, after.ru_minflt - before.ru_minflt


def _run(checkout: Path, args: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds and :func:`_usage` of one ``python -m trendscore`` command run from ``checkout``."""
    env = installed_env(checkout)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "trendscore", *args], check=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (wall, *_usage(before, after))


def _run_together(checkout: Path, commands: list[list[str]]) -> tuple[float, float, float, int]:
    """Wall seconds and :func:`_usage` of several ``python -m trendscore`` commands started at once."""
    env = installed_env(checkout)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "trendscore", *a], env=env) for a in commands]
    codes = [p.wait() for p in procs]
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if any(codes):
        raise SystemExit(f"a command of the oracle failed: exit codes {codes}")
    return (wall, *_usage(before, after))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--checkout", action="append", type=Path, help="default: this checkout")
    args = parser.parse_args()
    checkouts = [c.resolve() for c in args.checkout or [Path(__file__).resolve().parent.parent]]
    texts = thucnews("dev")[0] + thucnews("test")[0]
    print(f"machine: {machine()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        heads, one = tmp / "H.jsonl", tmp / "one.jsonl"
        with open(heads, "w", encoding="utf-8") as fh:
            for i in range(args.lines):
                fh.write(json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
        one.write_text(json.dumps({"id": 0, "text": texts[0]}, ensure_ascii=False) + "\n", "utf-8")
        lines = heads.read_bytes().splitlines(keepends=True)
        halves = [tmp / "half-0.jsonl", tmp / "half-1.jsonl"]
        halves[0].write_bytes(b"".join(lines[: len(lines) // 2]))
        halves[1].write_bytes(b"".join(lines[len(lines) // 2 :]))
        del lines
        runs: dict[tuple[int, int], list[tuple[float, float, float, int]]] = {}
        digests: set[bytes] = set()
        for pair in range(args.pairs):
            for c, checkout in enumerate(checkouts):
                order = (1, 2) if pair % 2 == 0 else (2, 1)
                for jobs in order:
                    out = tmp / f"out-{c}-{jobs}.jsonl"
                    runs.setdefault((c, jobs), []).append(
                        _run(checkout, ["label", str(heads), "-o", str(out), "--jobs", str(jobs), "--quiet"])
                    )
                    digests.add(out.read_bytes())
                    out.unlink()
                outs = [tmp / f"half-out-{h}.jsonl" for h in range(2)]
                runs.setdefault((c, -1), []).append(
                    _run_together(
                        checkout,
                        [["label", str(h), "-o", str(o), "--jobs", "1", "--quiet"] for h, o in zip(halves, outs)],
                    )
                )
                digests.add(b"".join(o.read_bytes() for o in outs))
                runs.setdefault((c, 0), []).append(_run(checkout, ["label", str(one), "-o", str(tmp / "o.jsonl")]))
        assert len(digests) == 1, "outputs differ"
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print(f"{args.lines:,} headlines, {args.pairs} pairs\n")
    print(
        "| checkout | run | wall s (each) | median wall s | median CPU s | median system s "
        "| median page faults | speed-up on medians | median of pair speed-ups |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for c, checkout in enumerate(checkouts):
        one_wall = [r[0] for r in runs[(c, 1)]]
        runs_named = (
            (1, "--jobs 1"),
            (2, "--jobs 2"),
            (-1, "oracle: two --jobs 1 on halves at once"),
            (0, "one passage"),
        )
        for jobs, name in runs_named:
            walls = [r[0] for r in runs[(c, jobs)]]
            cpu, system, faults = (statistics.median(r[k] for r in runs[(c, jobs)]) for k in (1, 2, 3))
            ratio = pairs = ""
            if jobs in (2, -1):
                ratio = f"{statistics.median(one_wall) / statistics.median(walls):.2f}x"
                pairs = f"{statistics.median(a / b for a, b in zip(one_wall, walls)):.2f}x"
            each = ", ".join(f"{w:.2f}" for w in walls)
            wall = statistics.median(walls)
            print(
                f"| {checkout.name} | {name} | {each} | {wall:.2f} | {cpu:.2f} | {system:.2f} | {faults:,.0f} "
                f"| {ratio} | {pairs} |"
            )


if __name__ == "__main__":
    main()
