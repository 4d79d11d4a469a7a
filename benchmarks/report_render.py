"""The report as an analyst sees it: screenshots, how fast it opens, what the picture costs.

    python benchmarks/report_render.py [--records 1000000] [--shots docs]

1. A year of weekly news (tests/test_drivers.py's stream, extended to 52 weeks, labelled
   records with text, outlets and named places) is scored with --report; headless Chromium
   opens the page offline (no host resolves) and dumps its DOM, timed over five runs; and takes
   screenshots at 1280 and 390 px wide into --shots.
2. N labelled records (date + labels, no text) are scored three ways as separate processes:
   the table alone, with --plot, and with --plot and --report: the picture's and report's
   share of the whole time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
THEMES = ["policy", "technology", "overseas", "regional_hub", "culture"]


def year_of_news(path: Path) -> None:
    from test_drivers import PLACES

    rng = random.Random(1)
    outlets = ["新华网", "人民网", "澎湃新闻", "界面新闻", "36氪", "浙江日报"]
    start = dt.date(2025, 1, 6)
    with open(path, "w", encoding="utf-8") as fh:
        n = 0
        for day in range(364):
            late = day >= 300
            for i in range(14 if late else 10):
                n += 1
                source = rng.choice(outlets) if i < 10 else "浙江日报"
                labels = [t for t in THEMES if rng.random() < 0.2]
                text = f"第{n}条：{rng.choice(PLACES)}微短剧产业动态"
                if i >= 10:
                    labels, text = ["regional_hub"], f"第{n}条：横店影视城扩建微短剧拍摄基地"
                date = (start + dt.timedelta(days=day)).isoformat()
                fh.write(
                    json.dumps({"date": date, "text": text, "labels": labels, "source": source}, ensure_ascii=False)
                )
                fh.write("\n")


def chromium(*args) -> float:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    cmd = [exe, "--host-resolver-rules=MAP * ~NOTFOUND", "--headless", "--no-sandbox", "--disable-gpu", *args]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - t


def cli(*args) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "trendscore", *map(str, args)], check=True, capture_output=True)
    return time.perf_counter() - t


def cli_cpu(*args) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, the process and its children) of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = cli(*args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


_DRAW = """
import json, sys, time
import trendscore
score = trendscore.score([json.loads(line) for line in open(sys.argv[1], encoding="utf-8")])
t = time.perf_counter()
from trendscore.trends.plot import plot_png
plot_png(score)
first = time.perf_counter() - t
t = time.perf_counter()
plot_png(score)
again = time.perf_counter() - t
t = time.perf_counter()
plot_png(score, columns=1)
print(first, again, time.perf_counter() - t)
"""


def draw_times(news: Path) -> list[float]:
    """Seconds to draw the picture of ``news`` in a fresh process: the first time (with the
    imports), again, and the one-column picture a phone gets."""
    out = subprocess.run([sys.executable, "-c", _DRAW, str(news)], check=True, capture_output=True, text=True)
    return [float(v) for v in out.stdout.split()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--shots", default=str(ROOT / "docs"))
    ap.add_argument("--runs", type=int, default=5, help="runs of each of the three commands, taken in turns")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        news, page = d / "year.jsonl", d / "report.html"
        year_of_news(news)
        cli("score", news, "--report", page, "-o", d / "t.txt")
        draws = [draw_times(news) for _ in range(5)]
        first, again, narrow = (statistics.median(d[i] for d in draws) for i in range(3))
        print(
            f"drawing the picture of a year of weekly news (median of 5 fresh processes): first {first:.3f} s "
            f"(imports included), again {again:.3f} s, one column {narrow:.3f} s"
        )
        opens = [chromium("--dump-dom", page.as_uri()) for _ in range(5)]
        blank = [chromium("--dump-dom", "about:blank") for _ in range(5)]
        print(f"report of a year of weekly news: {page.stat().st_size // 1024} KB")
        print(
            f"chromium --dump-dom: median {sorted(opens)[2]:.2f} s; about:blank {sorted(blank)[2]:.2f} s "
            f"(the page itself: {sorted(opens)[2] - sorted(blank)[2]:+.2f} s)"
        )
        Path(args.shots).mkdir(parents=True, exist_ok=True)
        for width in (1280, 390):
            shot = Path(args.shots) / f"report-{width}.png"
            chromium(f"--screenshot={shot}", f"--window-size={width},3000", "--hide-scrollbars", page.as_uri())
            if not shot.is_file():
                raise SystemExit(f"chromium wrote no screenshot to {shot}")
            print(f"wrote {shot}")
        big = d / "big.jsonl"
        rng = random.Random(2)
        with open(big, "w") as fh:
            for i in range(args.records):
                date = (dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(730))).isoformat()
                fh.write(json.dumps({"id": i, "date": date, "labels": rng.sample(THEMES, rng.randint(0, 2))}) + "\n")
        variants = [
            ("score alone", []),
            ("+ --plot", ["--plot", d / "p.png"]),
            ("+ --plot --report", ["--plot", d / "p.png", "--report", d / "r.html"]),
        ]
        walls: dict[str, list[float]] = {name: [] for name, _ in variants}
        cpus: dict[str, list[float]] = {name: [] for name, _ in variants}
        for _ in range(args.runs):  # in turns, so the three share the machine's load alike
            for name, extra in variants:
                wall, cpu = cli_cpu("score", big, "-o", d / "t.txt", *extra)
                walls[name].append(wall)
                cpus[name].append(cpu)
        base_wall, base_cpu = statistics.median(walls["score alone"]), statistics.median(cpus["score alone"])
        print(f"\n{args.records:,} labelled records, median of {args.runs} runs each (load {os.getloadavg()[0]:.1f}):")
        for name, _ in variants:
            wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
            print(
                f"  {name}: {wall:.2f} s wall ({100 * (wall / base_wall - 1):+.1f}%), "
                f"{cpu:.2f} s CPU ({100 * (cpu / base_cpu - 1):+.1f}%)"
            )


if __name__ == "__main__":
    main()
