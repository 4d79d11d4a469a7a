"""How far a label or score job has got, reported through :mod:`trendscore.progress`.

A job's chunks come back in the order they were read, so each finished chunk says how much of
the input is done: the bytes read when it was cut (:attr:`trendscore.run.reading.Chunk.read_to`)
out of the inputs' size, when every input is a regular file (stage ``labelling input`` or
``scoring input``, one of :data:`trendscore.progress.BYTE_STAGES`), else the passages done so
far with no total (``labelling passages``/``scoring passages``: standard input, a pipe). The
model's own report of each chunk's labelling is muted inside the job: the job reports for it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from trendscore import progress
from trendscore.io.readers import PROGRESS_RECORDS
from trendscore.run.reading import Chunk, input_sizes

__all__ = ["JobProgress"]



class JobProgress:
    """Reports a job's progress as its chunks finish (``verb``: ``labelling`` or ``scoring``).

    >>> seen = []
    >>> with progress.reporting(lambda *a: seen.append(a)):
    ...     job = JobProgress("labelling", ["-"])
    ...     chunks = list(job.chunks([Chunk("lines", "-"), Chunk("lines", "-")]))
    ...     job.done(3); job.done(2); job.finish()
    >>> seen
    [('labelling passages', 3, None), ('labelling passages', 5, None), ('labelling passages', 5, 5)]
    """

    def __init__(self, verb: str, inputs: list[str]):
        self.say = progress.current()
        #: each input's bytes, for :func:`~trendscore.run.reading.read_chunks` to place its chunks
        #: in (None when nobody listens or a size is not known)
        self.sizes = input_sizes(inputs) if self.say is not None else None
        self.total = None if self.sizes is None else sum(self.sizes)
        self.stage = f"{verb} input" if self.total is not None else f"{verb} passages"
        self.marks: deque[int | None] = deque()
        self.passages = 0
        self.at = 0

    def chunks(self, chunks: Iterable[Chunk]) -> Iterator[Chunk]:
        """``chunks`` as they are, each one's place in the input noted as it is handed on."""
        for chunk in chunks:
            self.marks.append(chunk.read_to)
            yield chunk

    def done(self, passages: int) -> None:
        """The next chunk in order is finished, with ``passages`` passages."""
        mark = self.marks.popleft() if self.marks else None
        self.passages += passages
        if self.say is None:
            return
        if self.total is None:
            self.say(self.stage, self.passages, None)
        elif mark is not None and mark > self.at:
            self.at = min(mark, self.total)
            self.say(self.stage, self.at, self.total)

    def reading(self, index: int):
        """For a job that reads its inputs as one stream, record by record (``score`` in one
        process): the callback :func:`trendscore.io.readers.read_records` tells how far into
        input ``index`` it has read, every few thousand passages of it (None when nobody
        listens: then the reader does not count for it)."""
        if self.say is None:
            return None
        base = sum(self.sizes[:index]) if self.sizes is not None else 0

        def at(position: int | None) -> None:
            self.marks.append(None if position is None or self.sizes is None else base + position)
            self.done(PROGRESS_RECORDS)

        return at

    def finish(self) -> None:
        """Every chunk is finished: the stage is complete."""
        if self.say is not None and (self.total is None or self.at < self.total):
            end = self.total if self.total is not None else self.passages
            self.say(self.stage, end, end)
