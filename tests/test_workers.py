"""A dead or interrupted `label --jobs` worker: a prompt one-line error, no hang, no worker
noise, nothing left behind (issue 14)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import SEEDS, child_pids, sigint_as_at_a_terminal

from trendscore.seeds.files import read_seeds

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: generous: the job itself needs minutes, a hang would need forever
LIMIT = 120


@pytest.fixture(scope="module")
def long_input(tmp_path_factory):
    texts = [s.text for s in read_seeds(sorted(SEEDS.glob("batch_*.jsonl")))]
    path = tmp_path_factory.mktemp("w") / "in.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(200_000):
            fh.write(json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
    return path


def _start(long_input, out, *, into="-o"):
    return subprocess.Popen(
        [sys.executable, "-m", "trendscore", "label", str(long_input), into, str(out), "--jobs", "2", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
        start_new_session=True,
        preexec_fn=sigint_as_at_a_terminal,
    )


def _wait_for_workers(proc, count=2) -> list[int]:
    end = time.monotonic() + LIMIT
    while time.monotonic() < end and proc.poll() is None:
        workers = child_pids(proc.pid)
        if len(workers) >= count:
            time.sleep(1.0)  # let them load the model and take work
            return workers
        time.sleep(0.05)
    pytest.fail("the workers never started")


def _finish(proc):
    try:
        return proc.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the parent hung")


def test_a_killed_worker_is_a_one_line_error(long_input, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = _start(long_input, out)
    os.kill(_wait_for_workers(proc)[0], signal.SIGKILL)
    _, err = _finish(proc)
    assert proc.returncode == 1
    assert err == (
        "Error: a labelling worker process died (out of memory?); nothing was written; try fewer --jobs than 2\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_ctrl_c_is_one_line_from_the_parent(long_input, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = _start(long_input, out)
    workers = _wait_for_workers(proc)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, err = _finish(proc)
    assert proc.returncode == 130
    assert err == "Error: interrupted\n"
    assert list(tmp_path.iterdir()) == []
    time.sleep(0.5)
    assert [w for w in workers if _running(w)] == []


@pytest.mark.slow
@pytest.mark.parametrize("into", ["-o", "--output-dir"])
@pytest.mark.parametrize("whom", ["the parent", "the process group"])
def test_sigterm_is_one_line_and_leaves_nothing(long_input, tmp_path, into, whom):
    """A service stop (systemd signals every process of the job; ``timeout`` and ``kill`` the
    parent): SIGTERM had killed the parent outright, without a word, leaving its ``.part``
    file, or an ``--output-dir`` of parts without ``_SUCCESS`` that the next run refused."""
    out = tmp_path / ("out.jsonl" if into == "-o" else "parts")
    proc = _start(long_input, out, into=into)
    workers = _wait_for_workers(proc)
    if whom == "the parent":
        os.kill(proc.pid, signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGTERM)
    _, err = _finish(proc)
    assert (proc.returncode, err) == (143, "Error: terminated\n")
    assert list(tmp_path.iterdir()) == []
    time.sleep(0.5)
    assert [w for w in workers if _running(w)] == []


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False
