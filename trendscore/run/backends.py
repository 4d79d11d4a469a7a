"""Where a job's chunk function runs: this process, worker processes, or a Dask cluster.

A back-end only maps ``fn(state, chunk)`` over chunks and yields the results in input
order; it never reads files or interprets options (that is :mod:`trendscore.run.reading`
and :mod:`trendscore.run.job`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator

from trendscore.errors import Hint, InputError, TrendscoreError
from trendscore.run.chunks import Work, WorkerState, load_state, warm, worker_setup

# multiprocessing (and trendscore.run.processes) is imported by the back-end that uses it:
# ~15 ms that a one-process run, and every short one, does not need

__all__ = ["InProcess", "Processes", "Cluster", "default_start_method", "MAX_JOBS"]

#: the most worker processes one run starts: every one is forked (or spawned) at the start,
#: so a number like 100,000 had filled the process table and memory before any work was done
MAX_JOBS = 256


def default_start_method() -> str:
    """``fork`` where the platform has it (workers inherit the loaded model), else ``spawn``."""
    import multiprocessing

    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


class InProcess:
    """Every chunk in this process, one after the other."""

    name = "one process"

    def map(self, fn: Callable, chunks: Iterable, state: WorkerState, what: str = "worker") -> Iterator:
        """``fn(state, chunk)`` for each chunk, in order, in this process."""
        for chunk in chunks:
            yield fn(state, chunk)


class Processes:
    """Chunks in ``jobs`` worker processes (:func:`trendscore.run.processes.ordered_map`).

    With ``fork`` the workers inherit the state, model loaded and segmenter warmed here;
    with ``spawn`` each loads the model itself."""

    def __init__(self, jobs: int, start_method: str | None = None):
        if jobs > MAX_JOBS:
            error = InputError(f"{jobs} worker processes asked for; {MAX_JOBS} at most are started")
            error.hint = Hint(f"{{setting}} {MAX_JOBS} or fewer", "jobs")
            raise error
        self.jobs = jobs
        self.start_method = start_method or default_start_method()
        self.name = f"{jobs} processes"

    def map(self, fn: Callable, chunks: Iterable, state: WorkerState, what: str = "worker") -> Iterator:
        """``fn(state, chunk)`` for each chunk, in order, computed by the worker processes."""
        from trendscore.run.processes import ordered_map

        if self.start_method == "fork":
            if state.model is not None:
                warm(state.model)
            return ordered_map(fn, chunks, self.jobs, state=state, setup=worker_setup, what=what)
        return ordered_map(
            fn, chunks, self.jobs, state=state.work, setup=load_state, start_method=self.start_method, what=what
        )


#: per cluster worker process: the state of the jobs it has seen (the model loaded once a job)
_STATES: dict[Work, WorkerState] = {}


def _on_worker(fn: Callable, work: Work, chunk):
    state = _STATES.get(work)
    if state is None:
        if len(_STATES) >= 4:
            _STATES.clear()
        state = _STATES[work] = load_state(work)
    return fn(state, chunk)


class Cluster:
    """Chunks as tasks on a Dask cluster, at most ``window`` in flight; a task whose worker
    dies is run again elsewhere (Dask's ``retries``), and a task that keeps killing its
    workers ends the job with a one-line error."""

    def __init__(self, client, retries: int = 2, window: int | None = None):
        self.client, self.retries = client, retries
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        self.window = window or 4 * workers
        self.name = client.scheduler.address

    def map(self, fn: Callable, chunks: Iterable, state: WorkerState, what: str = "worker") -> Iterator:
        """``fn(state, chunk)`` for each chunk, in order, computed on the cluster's workers (a
        task whose worker dies is retried)."""
        from distributed import KilledWorker

        flight: deque = deque()
        try:
            for chunk in chunks:
                flight.append(self.client.submit(_on_worker, fn, state.work, chunk, pure=False, retries=self.retries))
                if len(flight) >= self.window:
                    yield self._take(flight.popleft(), what, KilledWorker)
            while flight:
                yield self._take(flight.popleft(), what, KilledWorker)
        finally:
            for future in flight:
                future.cancel()

    def _take(self, future, what: str, killed):
        try:
            result = future.result()
        except killed:
            error = TrendscoreError(
                f"cluster workers kept dying on the same {what} task (out of memory?); nothing was written"
            )
            error.hint = Hint("smaller {setting} (less input a task)", "block_mb")
            raise error from None
        future.release()
        return result
