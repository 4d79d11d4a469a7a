"""Labelling in several worker processes, output in input order, memory bounded.

The main process only reads: for JSON Lines it passes chunks of raw decoded lines, so
parsing, labelling and serialising all happen in the workers; other formats are parsed in the
main process and passed as records. The workers come from :mod:`trendscore.run.processes`:
forked after the model is loaded and its segmenter warmed (nothing reloaded per worker),
at most ``2 * jobs`` chunks in flight, a dead worker a prompt one-line error, Ctrl-C the
parent's alone. With the ``spawn`` start method each worker loads the model itself.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

from .columns import Columns
from .errors import InputError
from .readers import SkipLog, open_lines, records_of
from .run.chunks import Chunk, LabelState, label_chunk, spawn_setup, warm, worker_setup
from .run.processes import ordered_map

__all__ = ["labelled_chunks", "default_start_method", "CHUNK", "EMBEDDING_CHUNK"]

CHUNK = 2048
#: passages a task for a model with sentence embeddings (each costs milliseconds, not
#: microseconds): small tasks spread even a short input over every worker
EMBEDDING_CHUNK = 64


def default_start_method() -> str:
    """``fork`` where the platform has it (workers inherit the loaded model), else ``spawn``."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _chunks(inputs, input_format, encoding, encoding_errors, explain, as_text, skip, columns, size) -> Iterator[Chunk]:
    for name in inputs:
        with open_lines(name, input_format, encoding, encoding_errors, skip, columns) as (fmt, lines):
            chunk: list = []
            kind = "lines" if fmt == "jsonl" else "records"
            source = lines if kind == "lines" else (rec for rec, _, _ in records_of(fmt, lines, name, skip=skip))
            for item in source:
                chunk.append(item)
                if len(chunk) >= size:
                    yield Chunk(kind, name, chunk, explain, as_text, skip is not None, lines.columns)
                    chunk = []
            # possibly empty: marks the input as seen
            yield Chunk(kind, name, chunk, explain, as_text, skip is not None, lines.columns)


def labelled_chunks(
    inputs,
    model,
    jobs: int,
    explain: bool = False,
    as_text: bool = True,
    input_format="auto",
    encoding="auto",
    encoding_errors="strict",
    stats=None,
    skip: SkipLog | None = None,
    chunk: int = CHUNK,
    columns: Columns | None = None,
    start_method: str | None = None,
    model_dir=None,
) -> Iterator:
    """Yield labelled chunks in input order: jsonl text (``as_text``) or lists of records.

    ``model`` is the loaded model (inherited by forked workers); ``model_dir`` is where
    spawned workers load it from. Raises the first :class:`InputError` any worker or the
    reader meets, and an error for an input with no passages, as the one-process path does.
    """
    counts: dict[str, int] = {}
    method = start_method or default_start_method()
    if method == "fork":
        warm(model)
        state, setup = LabelState(model), worker_setup
    else:
        state, setup = model_dir, spawn_setup
    chunks = _chunks(inputs, input_format, encoding, encoding_errors, explain, as_text, skip, columns, chunk)
    for result in ordered_map(
        label_chunk,
        chunks,
        jobs,
        state=state,
        setup=setup,
        start_method=method,
        what="labelling worker",
    ):
        counts[result.name] = counts.get(result.name, 0) + result.records
        if skip is not None:
            skip.merge(*result.skipped)
        if stats is not None:
            stats.records += result.records
            stats.blank += result.blank
        yield result.out
    for name in inputs:
        if counts.get(name, 0) == 0:
            raise InputError("empty input: no passages found", name)
