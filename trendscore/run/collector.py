"""Python's cycle collector held back while a label or score job runs.

A job's records and arrays live until their batch is written, so with Python's own thresholds
(a young collection every 700 new containers) each was walked by a young and an older
collection before it was freed, and the whole heap every ~7,000 new containers: 0.37 s of
4.4 s CPU labelling 200,000 headlines in one process, 0.13 s of 2.8 s on 20,000 passages
(BENCHMARKS.md). Labelling makes no reference cycles of its own, so collecting less often
frees nothing later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["fewer_collections", "YOUNG"]

#: new containers between young collections while a job runs (Python's own: 700)
YOUNG = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the young generation's threshold to :data:`YOUNG` for the ``with`` block and set
    back the thresholds found at its start, however it ends. Worker processes forked inside
    the block inherit the raised threshold."""
    before = gc.get_threshold()
    gc.set_threshold(max(YOUNG, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
