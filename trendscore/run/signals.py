"""Signals held back while a job starts its workers: one rule for worker processes and for a
local Dask cluster, so a Ctrl-C that reaches every process of the job is handled once, by this
process, and never by a worker caught half-started."""

from __future__ import annotations

import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


@contextmanager
def signals_held(signals: Iterable[signal.Signals]) -> Iterator[None]:
    """Block ``signals`` in this thread (and so in the threads and processes it starts) while the
    body runs, then restore the mask as it was. A signal that arrived meanwhile is handled as the
    mask is restored, on leaving the block (a SIGINT as KeyboardInterrupt where Python's own
    handler is installed). Where signals cannot be blocked (Windows) the body runs as it is."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    # the mask as it was is read first, changing nothing: the call that blocks handles, as it
    # returns, a signal that had already arrived (CPython checks for them after changing the
    # mask), and the KeyboardInterrupt it raises then must not leave the signals blocked
    old = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, set(signals))
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
