import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DIGEST = SEEDS / "000_c45236173e460e13.txt"
BIN = Path(sys.executable).parent


def fresh_encoders(monkeypatch) -> None:
    """Sentence encoders built anew within the test, in a cache of its own: one that fails to
    load (its package made to look missing) is not served from the process's cache, and the
    process's loaded encoders come back when the test ends."""
    from trendscore.once import built_once
    from trendscore.text import embedding

    monkeypatch.setattr(embedding, "_encoder", built_once()(embedding._encoder.__wrapped__))


@pytest.fixture(scope="session")
def small_seed_files():
    return [SEEDS / "batch_02_gov.jsonl", SEEDS / "batch_06_headlines.jsonl"]


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory, small_seed_files):
    """A model trained quickly (no cross-validation) on two seed batches."""
    from trendscore.modeling.training import train

    out = tmp_path_factory.mktemp("models") / "small"
    train(small_seed_files, out, cv=0)
    return out


@pytest.fixture
def run():
    """Invoke the CLI in-process: run("label", path, ...) -> click's Result."""
    from click.testing import CliRunner

    from trendscore.cli import main

    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


def probe_output(code: str) -> list[str]:
    """The words a fresh interpreter prints running ``code`` (a probe of what a process imports
    or compiles); the probe must exit cleanly."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def kill_cli(args, delay=None, ready=None, limit=90.0) -> bool:
    """Run the CLI in a new process and kill -9 it after ``delay`` seconds, or the moment
    ``ready()`` holds (polled without pause). True if it was killed while still running.

    ``limit`` bounds the wait for ``ready``: long enough for ``train`` (a 20 s settings search,
    then the model) on a machine that other jobs share."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "trendscore", *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    end = time.monotonic() + (delay if delay is not None else limit)
    while proc.poll() is None and time.monotonic() < end:
        if ready is not None and ready():
            break
        if ready is None:
            time.sleep(0.01)
    killed = proc.poll() is None and (ready is None or time.monotonic() < end)
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return killed


def _wait_for_json(path: Path, timeout=60.0):
    end = time.time() + timeout
    while time.time() < end:
        if path.exists() and path.stat().st_size > 0:
            try:
                return json.loads(path.read_text())
            except json.JSONDecodeError:
                pass
        time.sleep(0.2)
    raise TimeoutError(f"{path} did not appear")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A real Dask scheduler and two workers as separate processes on 127.0.0.1 (skipped
    without the dask extra); one per test module."""
    pytest.importorskip("distributed")
    d = tmp_path_factory.mktemp("dask")
    sched_file = d / "scheduler.json"
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
    procs = [
        subprocess.Popen(
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(sched_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    ]
    address = _wait_for_json(sched_file)["address"]
    workers = []
    for i in range(2):
        w = subprocess.Popen(
            [
                str(BIN / "dask"),
                "worker",
                address,
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--name",
                f"w{i}",
                "--local-directory",
                str(d / f"w{i}"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        workers.append(w)
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=60)
    yield {"address": address, "workers": workers, "dir": d, "env": env}
    for p in workers + procs:
        p.kill()
        p.wait()


def sigint_as_at_a_terminal() -> None:
    """``preexec_fn`` for a child that a test interrupts with SIGINT: SIGINT back to its default
    disposition. A test run started in the background of a non-interactive shell (``cmd &``)
    ignores SIGINT, children inherit that, and Python then never raises KeyboardInterrupt: the
    Ctrl-C tests failed that way (the child ran on to the end, or for minutes), not the code."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def child_pids(pid: int) -> list[int]:
    """Live child processes of ``pid`` (from /proc; zombies left out)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append(int(entry))
    return found
