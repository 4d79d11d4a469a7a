"""`score` memory and output are bounded by the data's span and the number of themes, never by
``--as-of``, the calendar or label spelling (issue 14's resource bombs), checked in a
subprocess under an address-space limit."""

import datetime as dt
import json
import subprocess
import sys

import pytest

from trendscore.trends.accumulate import MAX_THEMES

LIMIT_MB = 1500
_RUN = """
import resource, sys
limit = int(sys.argv[1]) << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from trendscore.cli import main
sys.argv = ["trendscore"] + sys.argv[2:]
main()
"""


def _score(*args):
    cmd = [sys.executable, "-c", _RUN, str(LIMIT_MB), "score", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


@pytest.fixture
def few(tmp_path):
    return _write(tmp_path / "few.jsonl", [{"date": f"2025-01-{d:02d}", "labels": ["policy"]} for d in range(1, 29)])


@pytest.mark.parametrize("freq", ["day", "week", "month"])
def test_an_as_of_far_beyond_the_data_stays_small(few, freq):
    result = _score(few, "--as-of", "9999-12-31", "--freq", freq, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) < 200_000
    score = json.loads(result.stdout)
    assert score["as_of"] == "9999-12-31"
    assert sum(r["count"] for r in score["series"]) == 28  # the data's periods are all listed


@pytest.mark.parametrize("freq", ["day", "week", "month"])
def test_dates_at_both_ends_of_the_calendar(tmp_path, freq):
    far = [{"date": "0001-01-03", "labels": ["policy"]}, {"date": "9999-12-30", "labels": []}]
    # a passage on the calendar's first day, so a score as of that day has one to count (as of a
    # day before every passage is an error since 71aae00, checked below)
    data = _write(tmp_path / "far.jsonl", [{"date": "0001-01-01", "labels": ["culture"]}, *far])
    for extra in ([], ["--as-of", "0001-01-01"], ["--as-of", "9999-12-31"]):
        result = _score(data, "--freq", freq, "--format", "json", *extra)
        assert result.returncode == 0, result.stderr
        score = json.loads(result.stdout)
        assert len(result.stdout) < 200_000
        assert all(r["period"] for r in score["series"])
    result = _score(_write(tmp_path / "later.jsonl", far), "--freq", freq, "--as-of", "0001-01-01")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "all 2 dated passages are dated after as_of 0001-01-01 (the earliest is 0001-01-03)" in result.stderr


def test_too_many_label_names_is_refused_on_the_line_that_passes_the_limit(tmp_path):
    records = [{"date": "2025-01-01", "labels": [f"label{i}"]} for i in range(MAX_THEMES + 1)]
    data = _write(tmp_path / "many.jsonl", records)
    result = _score(data)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {data}:")
    assert f"more than {MAX_THEMES} distinct theme names" in lines[0]
    # the default themes hold no places when the labels do not name them (they had held five,
    # and show no rows now), so the limit comes at the 201st name
    assert lines[0].startswith(f"Error: {data}:{MAX_THEMES + 1}:"), lines[0]
    assert f"(at label 'label{MAX_THEMES}')" in lines[0]
    # it says what the limit holds (it had counted 'the 0 counted from the start' apart)
    assert lines[0].endswith(
        f"a score counts at most {MAX_THEMES}, the names the labels give together with the model's themes "
        "and any asked for"
    ), lines[0]
    assert _score(_write(tmp_path / "most.jsonl", records[:MAX_THEMES])).returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize("model", [False, True], ids=["labels", "labels-and-model"])
def test_too_many_themes_over_several_workers_is_the_one_process_error(tmp_path, model):
    """Each worker's chunk names fewer than the limit, all of them together more: the merge
    had raised a bare ValueError (a traceback); now the same line as one process, naming the
    line where the theme that passed the limit was first met."""
    n = 3000 if not model else 2000
    themes = MAX_THEMES + 100 if not model else MAX_THEMES - 2
    records = [{"date": f"2025-01-{1 + i % 28:02d}", "labels": [f"label{i * themes // n}"]} for i in range(n)]
    if model:  # the model's five themes pass the limit at this record
        records.append({"date": "2025-02-01", "text": "短剧出海东南亚"})
    data = _write(tmp_path / "spread.jsonl", records)
    one = _score(data)
    assert one.returncode == 2 and one.stderr.count("\n") == 1, one.stderr
    line = n + 1 if model else n * MAX_THEMES // themes + 1
    assert one.stderr.startswith(f"Error: {data}:{line}: more than {MAX_THEMES} distinct theme names"), one.stderr
    several = _score(data, "--jobs", "2")
    assert (several.returncode, several.stderr) == (one.returncode, one.stderr)


def test_many_days_and_many_labels_keep_the_series_to_its_budget(tmp_path):
    start = dt.date(2000, 1, 1)
    records = [
        {"date": (start + dt.timedelta(days=i)).isoformat(), "labels": [f"label{i % 150}"], "source": f"s{i % 600}"}
        for i in range(4000)
    ]
    result = _score(_write(tmp_path / "wide.jsonl", records), "--freq", "day", "--format", "json")
    assert result.returncode == 0, result.stderr
    score = json.loads(result.stdout)
    themes = {r["theme"] for r in score["series"]}
    periods = {r["period"] for r in score["series"]}
    assert len(themes) == 150 and len(periods) * len(themes) <= 200_000 + 24 * len(themes)
    assert max(periods) == score["as_of"]
    assert any("series spans 4000 periods" in note for note in score["notes"])
