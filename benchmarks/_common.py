"""Shared helpers for the benchmark scripts (run from the repository root)."""

from __future__ import annotations

import glob
import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the folder of data too large to commit (THUCNews), beside the checkout; a checkout elsewhere
# (a git worktree) names it with TRENDSCORE_SHARED
SHARED = Path(os.environ.get("TRENDSCORE_SHARED") or ROOT.parent / "shared")
THUCNEWS = SHARED / "benchmarks" / "thucnews"


def installed_env(checkout) -> dict:
    """The environment for a child process that runs trendscore from ``checkout`` as an installed
    package runs: ``PYTHONPATH`` set to it, its modules compiled to bytecode once beforehand (pip
    does so when it installs), and ``PYTHONDONTWRITEBYTECODE`` dropped. Without this, a machine
    that sets that variable (this one does) recompiles every module of the package in every
    timed run: ~300 M instructions of start-up that no installed copy pays.

    ``PYTHONSAFEPATH`` is set too: ``python -m`` and ``python -c`` otherwise put the working
    directory first on the import path, so a child started from the repository root imported
    the root's trendscore whatever ``PYTHONPATH`` named, and every "base against final" run
    from there timed one code twice (found 2026-12-03; BENCHMARKS.md says which figures)."""
    import compileall
    import os

    compileall.compile_dir(str(Path(checkout) / "trendscore"), quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(checkout)
    env["PYTHONSAFEPATH"] = "1"
    return env


def seed_files() -> list[str]:
    return sorted(glob.glob(str(ROOT / "seeds" / "batch_*.jsonl")))


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def thucnews(split: str) -> tuple[list[str], list[str]]:
    names = (THUCNEWS / "class.txt").read_text("utf-8").split()
    texts, labels = [], []
    for line in (THUCNEWS / f"{split}.txt").read_text("utf-8").splitlines():
        text, idx = line.rsplit("\t", 1)
        texts.append(text)
        labels.append(names[int(idx)])
    return texts, labels


def seed_texts() -> list[str]:
    """The text of every seed passage of the project, in file order."""
    import json

    texts: list[str] = []
    for path in seed_files():
        with open(path, encoding="utf-8") as src:
            texts += [json.loads(line)["text"] for line in src if line.strip()]
    return texts


def seed_passages(n: int, shortest: int = 150, longest: int = 300, vary: bool = False) -> list[str]:
    """``n`` passages of ``shortest``-``longest`` characters: the seed texts, shuffled with a
    fixed seed, joined one after another until ``shortest`` characters are reached, cut at
    ``longest`` (Simplified, Traditional and English mixed as in the seeds); with ``vary``, cut
    at a length drawn between the two instead. label_floor.py's and name_lists.py's "passages"
    (cut at 300), short_input_jobs.py's (varied)."""
    import random

    seeds = seed_texts()
    rng = random.Random(15)
    order: list[str] = []
    out = []
    for _ in range(n):
        text = ""
        while len(text) < shortest:
            if not order:
                order = seeds[:]
                rng.shuffle(order)
            text += order.pop()
        out.append(text[: rng.randint(shortest, longest) if vary else longest])
    return out
