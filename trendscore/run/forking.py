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

__all__ = ["fork_map", "usable_cores"]


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:
        return os.cpu_count() or 1


def _apply(fn: Callable, item):
    return fn(item)


def fork_map(fn: Callable, items: Sequence, jobs: int) -> list:
    """``[fn(x) for x in items]``, computed by up to ``jobs`` forked processes."""
    from trendscore.run.processes import ordered_map

    return list(ordered_map(_apply, items, min(jobs, len(items)), state=fn))
