"""Labelling in several worker processes, output in input order, memory bounded.

The main process only reads: for JSON Lines it passes chunks of raw decoded lines, so
parsing, labelling and serialising all happen in the workers; other formats are parsed in the
main process and passed as records. At most ``2 * jobs`` chunks are in flight, so a slow
writer or a huge input never piles up in memory. Each worker loads the model once.

A worker that dies (the out-of-memory killer's SIGKILL, say) ends the job at once with a
one-line error; workers ignore SIGINT, so Ctrl-C is the parent's alone and prints no worker
tracebacks; on any early end the workers are stopped, not waited for.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .errors import InputError, TrendscoreError
from .jsonfast import dumps_line
from .readers import SkipLog, open_lines, records_of

__all__ = ["labelled_chunks", "CHUNK", "EMBEDDING_CHUNK"]

CHUNK = 2048
#: passages a task for a model with sentence embeddings (each costs milliseconds, not
#: microseconds): small tasks spread even a short input over every worker
EMBEDDING_CHUNK = 64
_MODEL = None


def _init(model_dir) -> None:
    global _MODEL
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from . import embedding
    from .model import load_model

    embedding.reset_for_worker()  # one BLAS thread a worker: the workers already fill the cores
    _MODEL = load_model(model_dir)


def _label(records: list[dict], explain: bool) -> list[dict]:
    from .labelling import label_records

    return list(label_records(_MODEL, records, explain=explain))


def _work(task):
    kind, name, payload, explain, as_text, skip_bad = task
    skip = SkipLog() if skip_bad else None
    if kind == "lines":
        records = [record for record, _, _ in records_of("jsonl", payload, name, skip=skip)]
    else:
        records = payload
    out = _label(records, explain)
    blank = sum(1 for r in records if not r["text"].strip())
    skipped = (skip.count, skip.first) if skip else (0, [])
    if as_text:
        return name, len(out), blank, skipped, "".join(map(dumps_line, out))
    return name, len(out), blank, skipped, out


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now: after an error or Ctrl-C there is nothing to wait for."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _tasks(inputs, input_format, encoding, encoding_errors, explain, as_text, skip, size=CHUNK) -> Iterator[tuple]:
    for name in inputs:
        with open_lines(name, input_format, encoding, encoding_errors, skip) as (fmt, lines):
            chunk: list = []
            kind = "lines" if fmt == "jsonl" else "records"
            source = lines if kind == "lines" else (rec for rec, _, _ in records_of(fmt, lines, name, skip=skip))
            for item in source:
                chunk.append(item)
                if len(chunk) >= size:
                    yield (kind, name, chunk, explain, as_text, skip is not None)
                    chunk = []
            yield (kind, name, chunk, explain, as_text, skip is not None)  # possibly empty: marks the input as seen


def labelled_chunks(
    inputs,
    model_dir,
    jobs: int,
    explain: bool = False,
    as_text: bool = True,
    input_format="auto",
    encoding="auto",
    encoding_errors="strict",
    stats=None,
    skip: SkipLog | None = None,
    chunk: int = CHUNK,
) -> Iterator:
    """Yield labelled chunks in input order: jsonl text (``as_text``) or lists of records.

    Raises the first :class:`InputError` any worker or the reader meets, and an error for an
    input with no passages, as the one-process path does.
    """
    counts: dict[str, int] = {}
    ctx = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init, initargs=(model_dir,))
    window: deque = deque()

    def take():
        name, n, blank, skipped, out = window.popleft().result()
        counts[name] = counts.get(name, 0) + n
        if skip is not None:
            skip.merge(*skipped)
        if stats is not None:
            stats.records += n
            stats.blank += blank
        return out

    try:
        for task in _tasks(inputs, input_format, encoding, encoding_errors, explain, as_text, skip, chunk):
            window.append(pool.submit(_work, task))
            if len(window) >= 2 * jobs:
                yield take()
        while window:
            yield take()
    except BrokenProcessPool:
        _stop(pool)
        raise TrendscoreError(
            f"a labelling worker process died (out of memory?); nothing was written; try fewer --jobs than {jobs}"
        ) from None
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()
    for name in inputs:
        if counts.get(name, 0) == 0:
            raise InputError("empty input: no passages found", name)
