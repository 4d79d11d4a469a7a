"""The one reader of a job: inputs (files, directories, stdin) to chunks for a back-end.

Every back-end gets its chunks from :func:`read_chunks`. The caller opens each input with
:func:`trendscore.io.readers.open_lines` (format and encoding sniffed there, once) and then:

- a plain JSON Lines file in an encoding whose line end is the byte ``\\n`` is, when
  ``cut`` is given, cut into byte ranges on line ends; a worker reads and decodes its own
  range (the caller reads nothing more of it);
- a Parquet file is, when ``cut`` is given, read by the workers themselves: a chunk a run of
  its row groups of about ``cut`` bytes (the whole file when it has one row group);
- anything else (stdin, compressed files, UTF-16/32, CSV, digest, text) is read here:
  JSON Lines as numbered raw lines (parsed in the worker), other formats as records, in
  chunks of at most ``size`` lines; for worker processes or a cluster (``spread``) also of at
  most a number of characters that starts at :data:`FIRST_CHUNK_CHARS` and grows with what
  has been read, so that a short input of long passages still reaches every worker while a
  tiny one stays one chunk (the size of such an input is not known before it is read).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trendscore.errors import InputError
from trendscore.io.columns import Columns
from trendscore.io.readers import Repeats, SkipLog, max_line_bytes, open_lines, records_of
from trendscore.io.sniffing import FORMAT_EXTENSIONS
from trendscore.io.wholefile import listed_problem

__all__ = [
    "ReadSettings",
    "Chunk",
    "expand_inputs",
    "read_chunks",
    "cut_file",
    "INPUT_SUFFIXES",
    "DONE",
    "FIRST_CHUNK_CHARS",
    "input_sizes",
]

#: what a directory's files are read for: the data formats, compressed or not, and plain text.
#: Not ``.md``: beside data it is the folder's notes (a README.md, a labelling guideline), which
#: had been labelled and counted as news; a Markdown file named on its own is read as text
INPUT_SUFFIXES = tuple(FORMAT_EXTENSIONS) + (".txt",)
_COMPRESSED = (".gz", ".bz2", ".zst")
#: the file a label job's output directory gets when every part is written
DONE = "_SUCCESS"
#: with ``spread``, a chunk read here holds at most this many characters (of lines or texts),
#: or, once more has been read, a :data:`GROWTH` th of all read so far: a few passages stay
#: one chunk, and an input of unknown size is cut in chunks that grow by 1 / GROWTH each
FIRST_CHUNK_CHARS = 16 << 10
GROWTH = 4
#: what a record weighs besides its text's characters (a record without text still counts)
RECORD_CHARS = 64


@dataclass(frozen=True)
class ReadSettings:
    """How inputs are read: format (``auto`` sniffs), encoding, what to do with bad bytes,
    whether bad lines are passed over, the user's column names, and whether every record
    needs a text (scoring labelled records does not)."""

    input_format: str = "auto"
    encoding: str = "auto"
    encoding_errors: str = "strict"
    skip_bad: bool = False
    columns: Columns = field(default_factory=Columns)
    require_text: bool = True
    max_line: int = 0  # bytes; 0: the limit of this process (TRENDSCORE_MAX_LINE_MB or the default)


@dataclass
class Chunk:
    """A run of one input's passages.

    ``kind`` is "lines" (``payload``: numbered decoded JSON Lines), "records" (``(record,
    path, line)`` as the reader parsed them), "range" (``payload``: a byte range ``(start, end)`` of the file ``name``,
    decoded with ``codec``, its lines numbered from the range's start) or "parquet" (the
    Parquet file ``name``: ``payload`` a run ``(first, end)`` of its row groups, None for all)."""

    kind: str
    name: str
    payload: Any = None
    codec: str = "utf-8"
    last: bool = False  # the input's last chunk
    index: int = 0  # its place among all the job's chunks (names its output part)
    skips: list = field(default_factory=list)  # (message, path, line) of lines passed over reading it here
    #: ``(message, path, line, hint)`` of the error that stopped reading here, after the chunk's
    #: items: it is the job's error unless one of those items has an error of its own
    error: tuple | None = None
    #: bytes of the job's inputs read once this chunk was cut, out of the sum of
    #: :func:`input_sizes` (None when not asked for or not known): how far the job has got
    #: when the chunk is done
    read_to: int | None = None
    #: "records" of a Parquet file: its Arrow schema, the types a Parquet output keeps (a
    #: "parquet" chunk's reader learns it); None for other inputs
    schema: Any = None

    @property
    def relative(self) -> bool:
        """True when the chunk's line numbers count from its own start."""
        return self.kind == "range"


def default_inputs() -> list[str]:
    """The inputs of a job given none: standard input, unless it is a terminal (nothing is
    piped in, and the job would sit waiting for typing, which looks like a hang); ``-`` named
    as an input is read wherever it comes from."""
    import sys

    try:
        terminal = sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):  # replaced or closed: read as it is
        terminal = False
    if terminal:
        raise InputError("no input named, and standard input is a terminal: name the files, or pipe passages in")
    return ["-"]


def expand_inputs(inputs: list[str]) -> list[str]:
    """The inputs with each directory replaced by its input files (sorted; hidden files and
    other suffixes left out). A directory without any is an error, and so is standard input
    named twice: it is read once, and the second ``-`` had been read as nothing, without a word."""
    if inputs.count("-") > 1:
        raise InputError("standard input is named twice: it can be read only once; name '-' once")
    out: list[str] = []
    for name in inputs:
        path = Path(name)
        if name != "-" and path.is_dir():
            if any(path.glob("part-*.parquet")) and not (path / DONE).exists():
                raise InputError(
                    f"an unfinished label output: part files but no {DONE} (the job writing it did not finish)", name
                )
            named = sorted(f for f in path.iterdir() if not f.name.startswith(".") and _is_input_name(f.name.lower()))
            for f in named:
                if (problem := listed_problem(f)) is not None:
                    raise InputError(problem, str(f))
            found = [str(f) for f in named if f.is_file()]
            if not found:
                notes = any(f.name.lower().endswith(".md") for f in path.iterdir() if not f.name.startswith("."))
                also = f"; its .md files are read only when named ({Path(name, '*.md')})" if notes else ""
                raise InputError(f"directory holds no input files ({', '.join(INPUT_SUFFIXES)}){also}", name)
            out += found
        else:
            out.append(name)
    return out


def _is_input_name(name: str) -> bool:
    for suffix in _COMPRESSED:
        name = name.removesuffix(suffix)
    return name.endswith(INPUT_SUFFIXES)


def read_chunks(
    inputs: list[str],
    read: ReadSettings,
    skip: SkipLog | None,
    size: int,
    cut: int | None = None,
    tail: int | None = None,
    spread: bool = False,
    sizes: list[int] | None = None,
) -> Iterator[Chunk]:
    """See :func:`_read_chunks`; the chunks numbered in order (:attr:`Chunk.index`).
    ``sizes``: each input's bytes (:func:`input_sizes`), when the job's progress is followed:
    each chunk then says how far into them it was cut (:attr:`Chunk.read_to`)."""
    for index, chunk in enumerate(_read_chunks(inputs, read, skip, size, cut, tail, spread, sizes)):
        chunk.index = index
        yield chunk


def _read_chunks(
    inputs: list[str],
    read: ReadSettings,
    skip: SkipLog | None,
    size: int,
    cut: int | None = None,
    tail: int | None = None,
    spread: bool = False,
    sizes: list[int] | None = None,
) -> Iterator[Chunk]:
    """Chunks of every input, in order: at most ``size`` lines or records each (and, with
    ``spread``, of a bounded number of characters: see the module's docstring), or byte ranges
    of about ``cut`` bytes where a worker can read them itself (``tail``: see :func:`cut_file`).

    Every input yields at least one chunk (possibly empty), so that an input without
    passages is noticed when the results are merged. Lines passed over while reading here
    (``read.skip_bad``) travel with the chunk that holds them, for the merge to count in
    order; ``skip`` only says whether to pass bad lines over.

    An error met reading here (a line that does not decode or is too long, a malformed CSV
    row, an input that cannot be opened) ends the chunks: the last one holds the items read
    before it and carries the error, so that an error of an earlier line, met where the
    chunk is processed, is named first, as one process reading the input line by line
    names it."""
    budget = _Budget() if spread else None
    repeats = Repeats()  # one for every input: a document met again gets passage ids of its own
    base = 0  # bytes of the inputs before this one
    for n, name in enumerate(inputs):
        held = _Held() if skip is not None else None
        filling = _Filling()
        try:
            for chunk in _input_chunks(name, read, held, size, cut, tail, budget, filling, repeats):
                if sizes is not None:  # how far the job has got: within this input, at most its size
                    done = sizes[n] if chunk.last or chunk.read_to is None else min(chunk.read_to, sizes[n])
                    chunk.read_to = base + done
                else:
                    chunk.read_to = None
                yield chunk
            base += sizes[n] if sizes is not None else 0
        except InputError as exc:
            error = (exc.message, exc.path, exc.line, exc.hint)
            skips = held.upto(None) if held else []
            yield Chunk(filling.kind, name, filling.items, last=True, skips=skips, error=error, schema=filling.schema)
            return


def input_sizes(inputs: list[str]) -> list[int] | None:
    """The bytes of each of ``inputs`` (files as stored, compressed ones too), against whose
    sum :attr:`Chunk.read_to` measures a job's progress; None when one is not a regular file
    (standard input, a pipe, a device) or cannot be looked at."""
    import stat

    sizes = []
    for name in inputs:
        if name == "-":
            return None
        try:
            found = os.stat(name)
        except OSError:
            return None
        if not stat.S_ISREG(found.st_mode):
            return None
        sizes.append(found.st_size)
    return sizes


@dataclass
class _Filling:
    """The chunk of one input being filled: its kind and the items read into it so far."""

    kind: str = "records"
    items: list = field(default_factory=list)
    schema: Any = None  # a Parquet file's Arrow schema


def _input_chunks(name, read, held, size, cut, tail, budget, filling: _Filling, repeats=None) -> Iterator[Chunk]:
    """The chunks of one input (see :func:`_read_chunks`), the one being filled in ``filling``."""
    with open_lines(name, read.input_format, read.encoding, read.encoding_errors, held, read.columns) as (fmt, stream):
        if cut is not None and fmt == "parquet" and stream.path is not None:
            from trendscore.io.parquet import row_group_spans

            found = row_group_spans(stream.path, cut)
            spans: list[tuple[int, int] | None] = list(found) if found else [None]  # None: the whole file
            whole = os.path.getsize(stream.path)
            for n, span in enumerate(spans, 1):
                yield Chunk("parquet", name, span, last=n == len(spans), read_to=whole * n // len(spans))
            return
        if cut is not None and fmt == "jsonl" and stream.path is not None:
            # the workers read every line again, and pass over the bad ones themselves
            ranges = cut_file(stream.path, cut, tail)
            for n, (start, end) in enumerate(ranges, 1):
                yield Chunk("range", name, (start, end), stream.codec or "utf-8", last=n == len(ranges), read_to=end)
            return
        kind = filling.kind = "lines" if fmt == "jsonl" else "records"
        filling.schema = stream.schema
        if kind == "lines":
            source = iter(stream)
        else:
            source = records_of(fmt, stream, name, read.require_text, held, repeats)
        for item in source:
            filling.items.append(item)
            full = budget is not None and budget.add(_chars(kind, item))
            if full or len(filling.items) >= size:
                upto = item[0] if kind == "lines" else item[2]
                at = stream.position()
                yield Chunk(
                    kind, name, filling.items, skips=held.upto(upto) if held else [], read_to=at, schema=filling.schema
                )
                filling.items = []
                if budget is not None:
                    budget.next()
        yield Chunk(kind, name, filling.items, last=True, skips=held.upto(None) if held else [], schema=filling.schema)
        filling.items = []


def _chars(kind: str, item) -> int:
    """What a line (its characters) or a record (its text's, and :data:`RECORD_CHARS`) weighs."""
    if kind == "lines":
        return len(item[1])
    text = item[0].get("text")
    return RECORD_CHARS + (len(text) if isinstance(text, str) else 0)


class _Budget:
    """The characters the chunk being filled may hold: :data:`FIRST_CHUNK_CHARS`, or a
    :data:`GROWTH` th of every character read before it, whichever is more."""

    def __init__(self) -> None:
        self.read = 0  # characters in the chunks already yielded
        self.filled = 0  # characters in the chunk being filled
        self.limit = FIRST_CHUNK_CHARS

    def add(self, chars: int) -> bool:
        """Count an item into the chunk; True when the chunk is full."""
        self.filled += chars
        return self.filled >= self.limit

    def next(self) -> None:
        """The chunk was yielded: start the next one."""
        self.read += self.filled
        self.filled = 0
        self.limit = max(FIRST_CHUNK_CHARS, self.read // GROWTH)


class _Held(SkipLog):
    """Lines passed over while reading, held as ``(message, path, line)`` until the chunk
    holding them is yielded (a decoded block runs ahead of the chunk being filled)."""

    def __init__(self):
        super().__init__()
        self.held: list[tuple] = []

    def add(self, error: Exception) -> None:
        if isinstance(error, InputError):
            self.held.append((error.message, error.path, error.line))
        else:
            self.held.append((str(error), None, None))

    def upto(self, line: int | None) -> list[tuple]:
        """The held lines up to ``line`` (all of them for None), no longer held."""
        if line is None:
            out, self.held = self.held, []
            return out
        out = [h for h in self.held if h[2] is None or h[2] <= line]
        self.held = [h for h in self.held if h[2] is not None and h[2] > line]
        return out


#: with a ``tail`` size, the file's last this many ``size`` ranges are cut ``tail`` bytes each
TAIL_RANGES = 4


def cut_file(path: str, size: int, tail: int | None = None) -> list[tuple[int, int]]:
    """Byte ranges of a file, each ending just after a line end (the last at the file's end).
    With ``tail``, the last :data:`TAIL_RANGES` * ``size`` bytes are cut in ranges of about
    ``tail`` bytes instead: workers finish together instead of one labelling a whole range
    while the others wait. Lines are read in bounded pieces, so a file without line ends
    costs no memory here (its reader names the over-long line)."""
    total = os.path.getsize(path)
    if total == 0:
        return [(0, 0)]
    piece = min(max_line_bytes(), 1 << 20)
    bounds = [0]
    with open(path, "rb") as fh:
        while True:
            step = tail if tail is not None and total - bounds[-1] <= TAIL_RANGES * size else size
            if bounds[-1] + step >= total:
                break
            fh.seek(bounds[-1] + step)
            while True:
                line = fh.readline(piece)
                if not line or line.endswith(b"\n"):
                    break
            if fh.tell() >= total:
                break
            bounds.append(fh.tell())
    bounds.append(total)
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]
