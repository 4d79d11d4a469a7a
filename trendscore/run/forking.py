"""Running one function over items in forked worker processes, in order.

Used where workers must inherit large state from the parent (training data, loaded encoder
weights) instead of receiving it pickled. Built on :func:`trendscore.run.processes.ordered_map`:
a worker that dies (the out-of-memory killer, say) becomes a prompt one-line error rather
than a pool that waits forever; Ctrl-C is handled by the parent alone, so it prints no worker
tracebacks. Inside a daemonic process (which may not have children) the work runs in that
process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

__all__ = ["fork_map", "resolve_jobs", "usable_cores"]


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:
        return os.cpu_count() or 1


def resolve_jobs(n_jobs) -> int:
    """The processes an ``n_jobs`` setting asks for, read as scikit-learn reads it: None is one,
    a positive number itself, -1 every usable core, -2 all but one and so on (never below one).
    Zero, and anything that is not a whole number, is refused with an
    :class:`~trendscore.errors.InputError`.

    >>> resolve_jobs(None), resolve_jobs(3), resolve_jobs(-1) == usable_cores()
    (1, 3, True)
    """
    import numbers

    from trendscore.errors import InputError

    if n_jobs is None:
        return 1
    if not isinstance(n_jobs, numbers.Integral) or type(n_jobs).__name__ in ("bool", "bool_"):
        raise InputError(f"n_jobs must be a whole number or None, got {n_jobs!r}")
    jobs = int(n_jobs)
    if jobs == 0:
        raise InputError("n_jobs must not be 0: give a number of processes, or -1 for every core")
    return jobs if jobs > 0 else max(usable_cores() + 1 + jobs, 1)


def _apply(fn: Callable, item):
    return fn(item)


def fork_map(fn: Callable, items: Sequence, jobs: int) -> list:
    """``[fn(x) for x in items]``, computed by up to ``jobs`` forked processes."""
    from trendscore.run.processes import ordered_map

    return list(ordered_map(_apply, items, min(jobs, len(items)), state=fn))
