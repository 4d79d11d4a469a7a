"""How long work reports how far it has got, without the library knowing about terminals.

Long-running library code calls :func:`report` (or wraps a loop in :func:`tracked`) with a
stage name, the steps done and the total when known. Nothing happens unless a caller has
installed a reporter with :class:`reporting`: the command line installs one that draws tqdm
bars on a terminal; a notebook or a service may install its own (a log line, a web socket).

A reporter is any callable ``reporter(stage, done, total)``: ``stage`` a short name such as
``"cross-validation folds"``, ``done`` the steps finished so far (0 when a stage starts),
``total`` the number of steps or None when unknown. A stage is finished when ``done ==
total``; a new stage may start before (the reporter then closes the old one). Calls come
from the process that installed the reporter only (work in forked workers is reported by
the parent as the results come back), in order.

Examples
--------
>>> seen = []
>>> with reporting(lambda stage, done, total: seen.append((stage, done, total))):
...     for _ in tracked(range(2), "folds"):
...         pass
>>> seen
[('folds', 0, 2), ('folds', 1, 2), ('folds', 2, 2)]
>>> report("folds", 1, 2)  # no reporter installed: nothing happens
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["Reporter", "report", "reporting", "tracked", "active", "current", "muted", "BYTE_STAGES"]

Reporter = Callable[[str, int, "int | None"], None]
T = TypeVar("T")

#: stages whose steps are bytes of input read, not passages or folds (a reporter may show them
#: as sizes and speeds): ``label`` and ``score`` over files whose size is known
BYTE_STAGES = frozenset({"labelling input", "scoring input"})

_stack: list[Reporter] = []
_owner = os.getpid()  # a forked worker inherits the stack but must not draw on its parent's terminal


def active() -> bool:
    """True when a reporter listens (in this process)."""
    return bool(_stack) and os.getpid() == _owner


def current() -> Reporter | None:
    """The reporter that listens in this process, if any: a stage that mutes the stages inside
    it (:func:`muted`) keeps it to report its own steps."""
    return _stack[-1] if active() else None


def _nowhere(stage: str, done: int, total: int | None) -> None:
    return None


def muted() -> reporting:
    """A block within which reports go nowhere: the work inside a stage that reports for it (a
    label job's chunks, each of which the model would otherwise report as a stage of its own)."""
    return reporting(_nowhere)


def report(stage: str, done: int, total: int | None = None) -> None:
    """Tell the installed reporter, if any, that ``done`` of ``total`` steps of ``stage`` are finished."""
    if active():
        _stack[-1](stage, done, total)


class reporting:
    """Within this block, :func:`report` calls go to ``reporter`` (blocks nest; the innermost wins)."""

    def __init__(self, reporter: Reporter | None):
        self.reporter = reporter

    def __enter__(self):
        global _owner
        if self.reporter is not None:
            _owner = os.getpid()
            _stack.append(self.reporter)
        return self

    def __exit__(self, *exc):
        if self.reporter is not None:
            _stack.remove(self.reporter)


def tracked(items: Iterable[T], stage: str, total: int | None = None) -> Iterator[T]:
    """``items`` one by one, reporting each step of ``stage`` as it finishes (the total from
    ``len(items)`` when not given and known)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    report(stage, 0, total)
    for done, item in enumerate(items, 1):
        yield item
        report(stage, done, total)
