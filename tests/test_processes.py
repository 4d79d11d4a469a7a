"""The process pool behind `--jobs` and training's forked workers (trendscore.run.processes):
results in input order, bounded memory, the first error in input order, and no hang whatever
happens to a worker (each such case runs in a subprocess with a timeout, so a regression
fails instead of hanging the suite)."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import child_pids, sigint_as_at_a_terminal

from trendscore.errors import InputError
from trendscore.run.processes import WorkerDied, ordered_map

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: a hang guard, not a speed check: every case here ends in well under a second when it works
LIMIT = 60


def _square(state, x):
    return state * x * x


def _add_state(state):
    return state + 1


def _fail_on_three(state, x):
    if x == 3:
        raise InputError("bad item", "in.jsonl", x)
    return x


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_in_input_order(jobs):
    assert list(ordered_map(_square, range(50), jobs, state=2)) == [2 * x * x for x in range(50)]


def test_spawn_gives_what_fork_gives():
    forked = list(ordered_map(_square, range(20), 2, state=3, setup=_add_state))
    spawned = list(ordered_map(_square, range(20), 2, state=3, setup=_add_state, start_method="spawn"))
    assert forked == spawned == [4 * x * x for x in range(20)]


def test_forked_workers_inherit_state_that_cannot_be_pickled():
    unpicklable = lambda x: x + 1  # noqa: E731
    assert list(ordered_map(lambda f, x: f(x), range(10), 2, state=unpicklable)) == list(range(1, 11))


def test_at_most_twice_jobs_items_are_read_ahead():
    pulled = []
    consumed = 0
    ahead = []

    def items():
        for i in range(100):
            pulled.append(i)
            yield i

    for _ in ordered_map(_square, items(), 2, state=1):
        consumed += 1
        ahead.append(len(pulled) - consumed)
    assert consumed == 100
    assert max(ahead) <= 4


def test_a_worker_error_comes_after_the_results_before_it():
    got = []
    with pytest.raises(InputError, match=r"^in\.jsonl:3: bad item$") as info:
        for x in ordered_map(_fail_on_three, range(10), 2):
            got.append(x)
    assert got == [0, 1, 2]
    assert (info.value.path, info.value.line) == ("in.jsonl", 3)


def test_a_reading_error_comes_after_the_results_before_it():
    def items():
        yield from range(5)
        raise InputError("malformed JSON", "in.jsonl", 6)

    got = []
    with pytest.raises(InputError, match="in.jsonl:6: malformed JSON"):
        for x in ordered_map(_square, items(), 2, state=1):
            got.append(x)
    assert got == [0, 1, 4, 9, 16]


def test_a_worker_error_before_a_reading_error_wins():
    def items():
        yield from range(5)
        raise InputError("later", "in.jsonl", 99)

    with pytest.raises(InputError, match="in.jsonl:3: bad item"):
        list(ordered_map(_fail_on_three, items(), 2))


def test_setup_failure_is_raised_not_hung():
    def broken(state):
        raise InputError("cannot load the model", "model")

    with pytest.raises(InputError, match="model: cannot load the model"):
        list(ordered_map(_square, range(10), 2, setup=broken))


def test_an_unpicklable_result_is_an_error_not_a_hang():
    with pytest.raises(Exception, match="could not be sent back"):
        list(ordered_map(lambda s, x: lambda: x, range(4), 2))


def test_stopping_early_ends_the_workers():
    before = set(child_pids(os.getpid()))  # a resource tracker from a spawn test may stay
    mapping = ordered_map(_square, range(1000), 2, state=1)
    assert next(mapping) == 0
    workers = set(child_pids(os.getpid())) - before
    assert len(workers) == 2
    mapping.close()
    assert [w for w in workers if _running(w)] == []


_KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from trendscore.run.processes import ordered_map, WorkerDied

    when, big = sys.argv[1], int(sys.argv[2])

    def work(state, i):
        if when == "first" and i == 0:
            os.kill(os.getpid(), signal.SIGKILL)
        if when == "mid" and i == 40:
            os.kill(os.getpid(), signal.SIGKILL)
        if when == "sending" and i == 5:
            # die while the large result is being written to the pipe
            threading.Timer(0.02, os.kill, (os.getpid(), signal.SIGKILL)).start()
            return b"x" * big
        if when == "receiving" and i == 5:
            os.kill(os.getppid(), signal.SIGUSR1)  # the parent kills a sibling while sending to it
        time.sleep(0.002)
        return b"y" * (big if when == "sending" else 10)

    def kill_a_worker(signum, frame):
        import multiprocessing
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGKILL)

    signal.signal(signal.SIGUSR1, kill_a_worker)
    items = (b"z" * (big if when == "receiving" else 1) and i for i in range(200))
    try:
        n = sum(1 for _ in ordered_map(work, items, 3, what="test worker"))
    except WorkerDied as exc:
        print(f"{exc} | {exc.hint.render('--jobs')}")
        sys.exit(1)
    print("finished", n)
    """
)


@pytest.mark.parametrize("when", ["first", "mid", "sending", "receiving"])
def test_a_killed_worker_is_a_prompt_one_line_error(when):
    big = 64 << 20 if when in ("sending", "receiving") else 0
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT, when, str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"the pool hung after a worker was killed ({when})")
    assert (proc.returncode, out, err) == (
        1,
        "a test worker process died (out of memory?); nothing was written | fewer --jobs than 3\n",
        "",
    )


def test_ctrl_c_stops_the_workers_and_is_the_parents_alone():
    script = textwrap.dedent(
        """
        import time, sys
        from trendscore.run.processes import ordered_map
        def slow(state, i):
            time.sleep(0.05)
            return i
        try:
            for i in ordered_map(slow, range(100000), 2):
                if i == 3:
                    print("running", flush=True)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
        start_new_session=True,
        preexec_fn=sigint_as_at_a_terminal,
    )
    assert proc.stdout.readline() == "running\n"
    workers = child_pids(proc.pid)
    assert len(workers) == 2
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    try:
        out, err = proc.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the parent hung after Ctrl-C")
    assert (proc.returncode, out, err) == (130, "interrupted\n", "")
    time.sleep(0.2)
    assert [w for w in workers if _running(w)] == []


class _Stopped(BaseException):
    """What the CLI's SIGTERM handler raises (a BaseException, as KeyboardInterrupt is)."""


@pytest.mark.parametrize("when", ["held back", "at once"])
def test_a_sigterm_while_the_workers_start_leaves_none_running(monkeypatch, when):
    """SIGTERM is blocked in the main thread while the workers are forked; one sent to it then
    is handled when the parent unblocks it, at the end of the pool's start ("held back"); one
    another thread took (a progress bar's) is handled in the main thread at once, as a
    worker's start returns ("at once"). The pool was not made yet, and the worker just
    started was not listed yet, so nothing stopped them; they ignore SIGTERM, and lived on,
    blocked on their pipes, for as long as anything held the error."""
    import multiprocessing
    import threading

    context = multiprocessing.get_context("fork")
    start = context.Process.start

    def start_then_signalled(self):
        start(self)
        if when == "at once":
            raise _Stopped()
        signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)  # held back until unblocked

    def on_sigterm(signum, frame):
        raise _Stopped()

    before = set(child_pids(os.getpid()))
    monkeypatch.setattr(context.Process, "start", start_then_signalled)
    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        with pytest.raises(_Stopped) as caught:  # held, as a caller handling it holds it
            list(ordered_map(_square, range(10), 2, state=1))
    finally:
        signal.signal(signal.SIGTERM, previous)
    time.sleep(0.2)
    assert [w for w in set(child_pids(os.getpid())) - before if _running(w)] == []
    del caught


def _script_in_its_own_session(script: str):
    """``python -c script`` with this checkout importable, its standard output a pipe, in a
    session of its own (so that a signal to its group reaches its workers and nothing else)."""
    return subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
        start_new_session=True,
    )


def test_sigterm_to_a_python_caller_without_a_handler_ends_its_workers_too():
    """A program that calls trendscore (``train(n_jobs=2)``, a label job) and leaves SIGTERM
    as it is dies of it; a service stop signals the workers too, and they died with it. Since
    the workers ignored SIGTERM (for the CLI, whose handler stops them) they went on with their
    item, a cross-validation fold may be minutes, after the program was gone."""
    script = textwrap.dedent(
        """
        import time
        from trendscore.run.processes import ordered_map
        def slow(state, i):
            time.sleep(120)
            return i
        print("running", flush=True)
        list(ordered_map(slow, range(4), 2))
        """
    )
    proc = _script_in_its_own_session(script)
    workers: list[int] = []
    try:
        assert proc.stdout.readline() == "running\n"
        deadline = time.monotonic() + LIMIT
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = child_pids(proc.pid)
        assert len(workers) == 2
        time.sleep(0.3)  # past the workers' start, where SIGTERM is held back
        os.killpg(proc.pid, signal.SIGTERM)  # as a service stop does: every process of the job
        assert proc.wait(LIMIT) == -signal.SIGTERM
        time.sleep(1)
        assert [w for w in workers if _running(w)] == []
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        for w in workers:
            if _running(w):
                os.kill(w, signal.SIGKILL)


def test_the_died_error_carries_a_hint_not_an_option():
    error = WorkerDied("a worker process died", 4)
    assert "--" not in str(error)
    assert error.hint.render() == "fewer jobs than 4"
    assert error.hint.render("--jobs") == "fewer --jobs than 4"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _freeze_count(state, x):
    import gc

    return gc.get_freeze_count()


def test_forked_workers_hold_the_parents_objects_frozen_and_the_parent_does_not():
    import gc

    state = [object() for _ in range(1000)]  # objects the collector tracks
    assert gc.get_freeze_count() == 0
    counts = list(ordered_map(_freeze_count, range(4), 2, state=state))
    assert all(count >= len(state) for count in counts)
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("size", [10, 1 << 20], ids=["small results", "results that fill the pipe"])
def test_workers_end_when_their_parent_is_killed(size):
    # a forked worker held the parent's end of its own pipe (and of the pipes made before it),
    # so after the parent was killed (SIGTERM from timeout or a service stop; SIGKILL) its
    # workers never read EOF and blocked for ever sending into a pipe no one read
    script = textwrap.dedent(
        f"""
        import sys, time
        from trendscore.run.processes import ordered_map
        def work(state, i):
            time.sleep(0.01)
            return b"x" * {size}
        for i, _ in enumerate(ordered_map(work, range(100000), 2)):
            if i == 3:
                print("running", flush=True)
                time.sleep(0.5)  # the workers fill their pipes meanwhile
                print("ready", flush=True)
                time.sleep(600)
        """
    )
    proc = _script_in_its_own_session(script)
    workers: list[int] = []
    try:
        assert proc.stdout.readline() == "running\n"
        workers = child_pids(proc.pid)
        assert len(workers) == 2
        assert proc.stdout.readline() == "ready\n"
        proc.kill()
        proc.wait(LIMIT)
        deadline = time.monotonic() + 20
        while [w for w in workers if _running(w)] and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [w for w in workers if _running(w)]
    finally:
        proc.kill()
        proc.wait(LIMIT)
        proc.stdout.close()
        for w in workers:  # orphans, if the test fails: not left running
            if _running(w):
                os.kill(w, signal.SIGKILL)
    assert left == []
