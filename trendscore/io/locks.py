"""A file lock held for a bounded wait (``filelock``: every system), shared by what several
processes may replace at once: a seed directory (``seeds add``) and a score's state file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["waiting_lock"]


@contextmanager
def waiting_lock(
    path: str,
    seconds: float,
    busy: Callable[[], Exception],
    unlockable: Callable[[OSError], Exception] | None = None,
) -> Iterator[None]:
    """Hold the lock file ``path``, waiting at most ``seconds`` for another holder; ``busy()``
    is raised when the wait runs out, ``unlockable(error)`` (when given) when the lock cannot
    be made at all (a read-only folder)."""
    from filelock import FileLock, Timeout

    lock = FileLock(path, timeout=seconds)
    try:
        lock.acquire()
    except Timeout:  # before OSError: filelock's Timeout is one
        raise busy() from None
    except OSError as exc:
        if unlockable is None:
            raise
        raise unlockable(exc) from None
    try:
        yield
    finally:
        lock.release()
