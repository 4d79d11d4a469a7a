"""Running one function over items in forked worker processes, in order.

Used where workers must inherit large state from the parent (training data, loaded encoder
weights) instead of receiving it pickled. A worker that dies (the out-of-memory killer, say)
becomes a one-line error rather than a pool that waits forever; Ctrl-C is handled by the
parent alone, so it prints no worker tracebacks. Inside a daemonic process (which may not
have children) the work runs in that process.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence

from .errors import TrendscoreError

__all__ = ["fork_map", "usable_cores"]


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:
        return os.cpu_count() or 1


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def fork_map(fn: Callable, items: Sequence, jobs: int) -> list:
    """``[fn(x) for x in items]``, computed by up to ``jobs`` forked processes."""
    import multiprocessing

    jobs = min(jobs, len(items))
    if jobs <= 1 or multiprocessing.current_process().daemon:
        return [fn(x) for x in items]
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_ignore_sigint) as pool:
            return list(pool.map(fn, items))
    except BrokenProcessPool:
        raise TrendscoreError(
            f"a worker process died (out of memory?); nothing was written; try fewer --jobs than {jobs}"
        ) from None
