"""The chunk functions of the label and score jobs, the same on every back-end.

A back-end (this process, worker processes, a Dask cluster) calls ``label_chunk(state,
chunk)`` or ``score_chunk(state, chunk)`` with a :class:`WorkerState`: the loaded model and
the job's :class:`Work` settings. An :class:`~trendscore.errors.InputError` met in a chunk
comes back as part of its :class:`ChunkResult`, with line numbers counted from the chunk's
start for a byte range, so that the merge names the absolute line as one process would.
"""

from __future__ import annotations

import codecs
import datetime
from dataclasses import dataclass, field
from typing import Any

from trendscore.errors import InputError
from trendscore.io.columns import Columns
from trendscore.io.jsonfast import dumps_line_bytes
from trendscore.io.readers import SkipLog, records_of
from trendscore.run.reading import Chunk, ReadSettings

__all__ = [
    "Work",
    "WorkerState",
    "ChunkResult",
    "label_chunk",
    "score_chunk",
    "worker_setup",
    "load_state",
    "warm",
    "write_part",
    "part_name",
]


@dataclass(frozen=True)
class Work:
    """What every chunk of one job is done with: where the model is (for workers that load
    it), how records are read, and the job's own options."""

    model_dir: str | None = None
    read: ReadSettings = field(default_factory=ReadSettings)
    explain: bool = False
    as_text: bool = True
    relabel: bool = False
    freq: str = "week"
    #: score: the job's as-of day (None: the latest day read); with ``freq``, the days whose
    #: unthemed passages a chunk keeps for the emerging topics are those the whole job keeps
    as_of: datetime.date | None = None
    examples: bool = False
    themes: tuple[str, ...] = ()
    output_dir: str | None = None  # label: each chunk written as its own Parquet part there
    #: label: the table format written (``"CSV"``, ``"Parquet"``), whose ``score_<theme>``
    #: columns a record's field may not be named like; None for JSON Lines and the printed table
    table: str | None = None
    #: label into Parquet: ``(field, Arrow type)`` pairs, the types the job's named Parquet
    #: inputs give their own fields joined over them (:func:`trendscore.io.parquet.declared_types`),
    #: which every chunk's output keeps; None where no input declared them (a chunk then keeps
    #: its own file's). Pairs, not a dict, so that the settings stay hashable (Dask hashes them)
    types: tuple | None = None


@dataclass
class WorkerState:
    """What a worker holds: the loaded model (None until a chunk needs it) and the job's settings."""

    model: Any
    work: Work

    def get_model(self):
        """The model, loaded from its folder on first use in this process."""
        if self.model is None:
            from trendscore.modeling.model import load_model

            self.model = load_model(self.work.model_dir)
        return self.model


@dataclass
class ChunkResult:
    """A chunk done: its input's name, passages and blank passages, physical lines (for a byte
    range), the lines skipped (count and first ``(message, path, line)``), the first error met
    (``(message, path, line, hint)`` or None) and the output: JSON Lines in UTF-8 bytes or records for
    ``label``; ``(counts, bad dates, first bad date, examples)`` for ``score``."""

    name: str
    relative: bool = False  # line numbers count from the chunk's start
    last: bool = False  # the input's last chunk
    records: int = 0
    blank: int = 0
    kept_labels: int = 0  # ``label``: passages whose own ``labels`` were kept as ``labels_input``
    lines: int = 0
    skipped: int = 0
    first_skips: list = field(default_factory=list)
    error: tuple | None = None
    out: object = None
    #: ``label`` into Parquet: ``(path, line)`` of each record of ``out``, lines counted as
    #: the chunk's errors are, for the writer to name a record it cannot write
    places: list | None = None
    #: ``label`` into Parquet from a Parquet input: its own fields' types, ``{field: Arrow
    #: type}`` (:func:`trendscore.io.parquet_types.output_types`), for the writer to keep
    types: dict | None = None
    #: ``score``: where each theme the chunk met before its error was first met, ``theme ->
    #: (path, line)`` in input order, so the merge can tell whether the themes of the chunks
    #: before it and these passed the theme limit before the error's line
    themes_met: dict | None = None


def warm(model) -> None:
    """Load everything labelling a batch loads lazily (segmenter dictionary, numpy, the n-gram
    table, the name-list automaton), so forked workers inherit it instead of each building its
    own. (A chunk of a few passages takes the path of a few, which then uses the same
    automaton and compiles its two patterns itself, ~2 ms: not worth every run's start.)"""
    from trendscore.modeling.model import SMALL
    from trendscore.text.namelists import DFA_TEXTS

    text = "微短剧出海 short drama"
    model.label([text] * (max(SMALL, DFA_TEXTS) + 1))  # past both: the batch path


def worker_setup(state: WorkerState) -> WorkerState:
    """In a forked worker: freed memory kept for the next chunk (:func:`trendscore.run.heap.keep_heap`),
    one BLAS thread and its own sentence encoder, if the model has one (the TF-IDF parts and
    the segmenter are used as inherited)."""
    from trendscore.run.heap import keep_heap

    keep_heap()
    if state.model is not None and state.model.featurizer.config.embedding:
        from trendscore.text import embedding

        embedding.reset_for_worker()
    return state


def load_state(work: Work) -> WorkerState:
    """In a spawned process or a cluster worker: the state, the model loaded from ``work.model_dir``."""
    from trendscore.modeling.model import load_model
    from trendscore.text import embedding

    embedding.reset_for_worker()
    model = load_model(work.model_dir)
    warm(model)
    return WorkerState(model, work)


class _ChunkSkips(SkipLog):
    """Skipped lines kept as ``(message, path, line)``, so the merge can make lines absolute:
    the first few in line order, whatever order they were met in (a chunk's lines are all
    parsed before its records are counted, which passes over more)."""

    def __init__(self) -> None:
        super().__init__()
        self.where: list[tuple] = []

    def add(self, error: Exception) -> None:
        self.count += 1
        if isinstance(error, InputError):
            self.where.append((error.message, error.path, error.line))
        else:
            self.where.append((str(error), None, None))
        if len(self.where) > self.keep:
            self.where.sort(key=lambda s: s[2] or 0)
            del self.where[self.keep :]


class _Numbered:
    """Numbered lines with the user's column names, as the JSON Lines reader expects them;
    ``starts_input``: whether line 1 is the input's first line (not so for a byte range
    further in, numbered from its own start)."""

    def __init__(self, lines, columns: Columns, starts_input: bool = True):
        self._lines, self.columns, self.starts_input = lines, columns, starts_input

    def __iter__(self):
        return iter(self._lines)


def _read_range(chunk: Chunk) -> bytes:
    start, end = chunk.payload
    try:
        with open(chunk.name, "rb") as fh:
            fh.seek(start)
            return fh.read(end - start)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", chunk.name) from None


def _range_lines(chunk: Chunk, data: bytes, read: ReadSettings, skip: SkipLog | None):
    """The numbered lines of a byte range, decoded as the one-process reader decodes them."""
    from trendscore.io.readers import _decode_last_replacing, _decode_or_skip, _too_long, max_line_bytes

    start = chunk.payload[0]
    if start == 0 and chunk.codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    limit, errors = read.max_line or max_line_bytes(), read.encoding_errors
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    ends = data.endswith(b"\n")  # only the input's last range may end without a line end
    for number, raw in enumerate(pieces, 1):
        if len(raw) > limit:
            raise _too_long(chunk.name, number, limit)
        last = not ends and number == len(pieces)
        if errors == "strict":
            line = _decode_or_skip(raw, chunk.name, number, chunk.codec, skip, last)
            if line is None:
                continue
        else:
            line = _decode_last_replacing(raw, chunk.codec, errors) if last else raw.decode(chunk.codec, errors)
        yield number, line[:-1] if line.endswith("\r") else line


def _records(chunk: Chunk, work: Work, skip: SkipLog | None, require_text: bool, data: bytes | None):
    """``(record, path, line)`` of a chunk, read by the same readers as one process reads, up
    to its first bad line (when bad lines are not passed over), and that line's error or None:
    the passages before a bad line are labelled or counted, as one process reading line by
    line has labelled or counted them when it meets the line. A Parquet file's schema is
    left in ``chunk.schema``."""
    read = work.read
    if chunk.kind == "records":
        return chunk.payload, None  # (record, path, line) as the caller's reader gave them
    found: list = []
    try:
        if chunk.kind == "parquet":
            from trendscore.io.readers import open_lines

            with open_lines(chunk.name, "parquet", columns=read.columns, row_groups=chunk.payload) as (fmt, stream):
                chunk.schema = stream.schema
                for item in records_of(fmt, stream, chunk.name, require_text, skip):
                    found.append(item)
        else:
            if chunk.kind == "lines":
                numbered = _Numbered(chunk.payload, read.columns)
            else:
                lines = _range_lines(chunk, data or b"", read, skip)
                numbered = _Numbered(lines, read.columns, starts_input=chunk.payload[0] == 0)
            for item in records_of("jsonl", numbered, chunk.name, require_text, skip):
                found.append(item)
    except InputError as exc:
        return found, exc
    return found, None


def _run(chunk: Chunk, work: Work, body) -> ChunkResult:
    skip = _ChunkSkips() if work.read.skip_bad else None
    result = ChunkResult(chunk.name, chunk.relative, chunk.last)
    try:
        data = None
        if chunk.kind == "range":
            data = _read_range(chunk)
            result.lines = data.count(b"\n")  # for the numbering of the next range
        body(result, skip, data)
        if chunk.error is not None:  # reading stopped there, after the chunk's items
            result.error = chunk.error
    except InputError as exc:
        result.error = (exc.message, exc.path, exc.line, exc.hint)
    if skip is not None:  # with the lines the caller passed over reading the chunk, in line order
        mine = sorted(chunk.skips + skip.where, key=lambda s: s[2] or 0)
        result.skipped, result.first_skips = skip.count + len(chunk.skips), mine[: skip.keep]
    return result


def label_chunk(state: WorkerState, chunk: Chunk) -> ChunkResult:
    """Label one chunk: the records with ``labels`` and ``scores`` (and ``explain``)."""
    from trendscore.run.labelling import LabelStats, label_records

    work = state.work

    def body(result: ChunkResult, skip, data) -> None:
        found, error = _records(chunk, work, skip, True, data)
        records = [record for record, _, _ in found]
        result.out = b"" if work.as_text else []
        if records:
            model = state.get_model()
            if work.table is not None:  # named by file and line here, where they are known
                from trendscore.io.writers import table_check

                check = table_check(model.themes, work.table)
                for record, path, line in found:
                    check(record, path, line)
            stats = LabelStats()
            out = list(label_records(model, records, explain=work.explain, stats=stats))
            result.records, result.kept_labels = len(out), stats.kept_labels
            result.blank = sum(1 for r in records if not r["text"].strip())
            places = [(path, line) for _, path, line in found] if work.table == "Parquet" else None
            from trendscore.io.rows import written_fields

            written = written_fields(work.explain, bool(model.provisional))
            types = None if work.types is None else dict(work.types)
            if work.table == "Parquet" and types is None and chunk.schema is not None:
                from trendscore.io.parquet_types import output_types

                types = output_types(chunk.schema, work.read.columns.renames, written)
            if work.output_dir is None:
                result.out = b"".join(map(dumps_line_bytes, out)) if work.as_text else out
                result.places, result.types = places, types
            elif error is None and chunk.error is None:
                write_part(work.output_dir, chunk.index, out, model.themes, written, places, types)
        if error is not None:  # after the passages before it, which a stream gets first
            raise error

    return _run(chunk, work, body)


def part_name(index: int) -> str:
    """The name of the output part of the job's chunk ``index`` (they sort in input order)."""
    return f"part-{index:06d}.parquet"


def write_part(
    directory: str,
    index: int,
    records: list[dict],
    themes,
    written: tuple[str, ...] = ("labels", "scores"),
    places: list | None = None,
    types: dict | None = None,
) -> None:
    """Write a chunk's labelled records as one Parquet file, atomically (a retried task
    writes the same name again); ``written``: the fields labelling wrote in each record
    (:func:`trendscore.io.rows.written_fields`); ``places``: where each was read, ``(path,
    line)``, for an error about one; ``types``: a Parquet input's own fields' types, kept
    (:meth:`trendscore.io.parquet.ParquetWriter.add_types`)."""
    import os

    from trendscore.io.parquet import ParquetWriter
    from trendscore.io.writers import AtomicOutput

    path = os.path.join(directory, part_name(index))
    with AtomicOutput(path, binary=True) as raw:
        writer = ParquetWriter(raw, list(themes), path, written)
        writer.add_types(types)
        try:
            for record, where in zip(records, places or [None] * len(records)):
                writer.write(record, where)
            writer.close()
        except BaseException:
            writer.discard()  # the part is removed; its pyarrow writer is not left to close it later
            raise


def score_chunk(state: WorkerState, chunk: Chunk) -> ChunkResult:
    """The theme counts of one chunk, to be merged: ``(Tally, Examples or None)``; the tally
    names no model (the merge learns from its counts whether the model labelled any)."""
    from trendscore.trends.scoring import Examples, ScoreSettings, accumulate

    work = state.work

    def body(result: ChunkResult, skip, data) -> None:
        items, error = _records(chunk, work, skip, False, data)
        examples = Examples(work.freq) if work.examples else None
        settings = ScoreSettings(
            freq=work.freq,
            as_of=work.as_of,
            relabel=work.relabel,
            themes=work.themes or None,
            columns=work.read.columns,
        )
        result.themes_met = {}
        tally = accumulate(items, state.get_model, settings, examples, skip, result.themes_met)
        if error is not None:  # the themes met before it go with it (the merge checks the limit)
            raise error
        if chunk.error is None:  # no error: the tally's theme_at says the same
            result.themes_met = None
        tally.model = None  # not sent back: the merge loads its own
        # passages read, counted or not (--relabel passes over labelled ones without text as it
        # counts): an input is empty when none could be read, as for one process
        result.records = len(items)
        result.out = (tally, examples)

    return _run(chunk, work, body)
