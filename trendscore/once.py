"""Objects a process builds once, on first use, safely when several threads ask at once.

``functools.lru_cache`` does not stop two threads that miss at the same moment from each
running the function: both build the object. For most objects that only wastes time, but
building some changes shared state (the rjieba segmenter adds the domain dictionary to
rjieba's one process-wide dictionary, which raises ``RuntimeError: Already borrowed`` when
two threads add words, or one cuts while another adds). :func:`built_once` caches like
``lru_cache`` but builds each value under a lock: a hit is a plain dictionary lookup, with no
lock taken; a miss takes the function's lock, looks again, and only then builds.
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["built_once", "BuildLock"]

F = TypeVar("F", bound=Callable[..., Any])
_MISSING = object()


class BuildLock:
    """A reentrant lock for building shared objects, given a fresh state in a forked child
    (the parent's may have been held by a thread the child does not have; the child would
    wait for it forever). Use it as a context manager."""

    def __init__(self):
        self._lock = threading.RLock()
        _LOCKS.add(self)

    def __enter__(self):
        self._lock.acquire()
        return self

    def __exit__(self, *exc):
        self._lock.release()


_LOCKS: weakref.WeakSet[BuildLock] = weakref.WeakSet()


def _fresh_locks() -> None:
    for lock in list(_LOCKS):
        lock._lock = threading.RLock()


os.register_at_fork(after_in_child=_fresh_locks)


def built_once(maxsize: int | None = None) -> Callable[[F], F]:
    """Decorate a function of hashable arguments so each distinct call is built once per
    process, under a lock, and then served from a cache of at most ``maxsize`` values (the
    oldest dropped first; None for no limit). The wrapper has ``cache_clear()``, as
    ``lru_cache``'s does.

    A call that raises caches nothing; the next call builds again.

    Examples
    --------
    >>> calls = []
    >>> @built_once()
    ... def square(x):
    ...     calls.append(x)
    ...     return x * x
    >>> square(3), square(3), calls
    (9, 9, [3])
    """

    def decorate(fn: F) -> F:
        cache: dict[Any, Any] = {}
        lock = BuildLock()  # reentrant: a builder may call its own function for another key

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            value = cache.get(key, _MISSING)
            if value is not _MISSING:
                return value
            with lock:
                value = cache.get(key, _MISSING)
                if value is _MISSING:
                    value = fn(*args, **kwargs)
                    if maxsize is not None:
                        while cache and len(cache) >= maxsize:
                            del cache[next(iter(cache))]
                    cache[key] = value
            return value

        def cache_clear() -> None:
            with lock:
                cache.clear()

        wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
