"""Which format an output is written in: ``--format`` if given, else the ``-o`` file's
extension; a contradiction between them is refused in one line."""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from trendscore.errors import InputError

__all__ = [
    "OutputKind",
    "check_jsonl_output",
    "choose_output",
    "record_output",
    "utf8_bytes_writer",
    "LABEL_FORMATS",
    "SCORE_FORMATS",
]

LABEL_FORMATS = ("jsonl", "csv", "table", "parquet")
SCORE_FORMATS = ("table", "json", "csv")
_NAMES = {"jsonl": "JSON Lines", "csv": "CSV", "parquet": "Parquet", "json": "JSON", "table": "a table"}
#: what each extension that names a format says, for the messages; an extension a command does
#: not write in is refused (a table in out.jsonl would mislead), one not listed here says nothing
_SUFFIX_NAMES = {
    ".jsonl": "JSON Lines",
    ".ndjson": "JSON Lines",
    ".json": "a JSON document",
    ".csv": "CSV",
    ".tsv": "tab-separated values",
    ".parquet": "Parquet",
    ".pq": "Parquet",
    # what trendscore writes elsewhere (the plot, the report) or a reader opens as a document
    ".png": "a PNG image",
    ".svg": "an SVG image",
    ".html": "an HTML page",
    ".htm": "an HTML page",
    ".pdf": "a PDF document",
    # formats a user may expect a table or records in, which trendscore never writes: the
    # plain-text table is no Markdown, and a spreadsheet or a word processor would not open it
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".xlsx": "an Excel workbook",
    ".xls": "an Excel workbook",
    ".ods": "an OpenDocument spreadsheet",
    ".docx": "a Word document",
    ".doc": "a Word document",
    ".odt": "an OpenDocument text",
    ".rtf": "a rich-text document",
    ".xml": "XML",
    ".yaml": "YAML",
    ".yml": "YAML",
    ".jpg": "a JPEG image",
    ".jpeg": "a JPEG image",
}
#: extensions of compression and archives trendscore reads (or refuses to read) but never writes
_UNWRITTEN_COMPRESSION = (".gzip", ".bz2", ".zst", ".zstd", ".xz", ".zip", ".7z")


@dataclass(frozen=True)
class _NameRules:
    """What the names of one command's output mean: the format each extension says it writes,
    the format of a name that says none, and the messages that refuse a name saying another
    format (``{what}``) or another compression (``{suffix}``). ``no_gzip`` refuses a ``.gz``
    name; None: ``.gz`` is written, gzip-compressed."""

    formats: dict[str, str]
    default: str
    no_gzip: str | None
    other_format: str
    other_compression: str


_RULES = {
    "label": _NameRules(
        {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"},
        "jsonl",
        no_gzip=None,
        other_format="label does not write {what}; name a .jsonl, .csv or .parquet file",
        other_compression="label does not write {suffix} files; gzip is written (.gz); drop the {suffix}",
    ),
    "score": _NameRules(
        {".json": "json", ".csv": "csv"},
        "table",
        no_gzip="score output is not written gzip-compressed; drop the .gz",
        other_format=(
            "score does not write {what}; name a .json file for JSON, a .csv file for CSV, "
            "or a .txt file (or a name without an extension) for the table"
        ),
        other_compression="score does not write {suffix} files; drop the {suffix}",
    ),
    "suggest": _NameRules(
        {".jsonl": "jsonl", ".ndjson": "jsonl"},
        "jsonl",
        no_gzip="suggest does not compress its output; drop the .gz",
        other_format="suggest writes JSON Lines, not {what}; name a .jsonl file",
        other_compression="suggest does not compress its output; drop the {suffix}",
    ),
}


@dataclass(frozen=True)
class OutputKind:
    """An output's format and whether it is gzip-compressed (``.gz`` at the end of its name)."""

    fmt: str
    gzip: bool = False


def choose_output(path: str, fmt: str | None, command: str = "label") -> OutputKind:
    """The format of ``command``'s output ``path`` given ``--format`` (None when not given).

    Examples
    --------
    >>> choose_output("out.csv", None)
    OutputKind(fmt='csv', gzip=False)
    >>> choose_output("out.jsonl.gz", None)
    OutputKind(fmt='jsonl', gzip=True)
    >>> choose_output("-", None), choose_output("notes.txt", "table")
    (OutputKind(fmt='jsonl', gzip=False), OutputKind(fmt='table', gzip=False))
    >>> choose_output("out.csv", "jsonl")
    Traceback (most recent call last):
    ...
    trendscore.errors.InputError: out.csv: the name says CSV but the format asked for is JSON Lines; drop one of them
    """
    by_name, compressed = _read_name(path, command)
    if fmt is not None and by_name is not None and fmt != by_name:
        asked = f"the name says {_NAMES[by_name]} but the format asked for is {_NAMES[fmt]}"
        raise InputError(f"{asked}; drop one of them", path)
    chosen = fmt or by_name or _RULES[command].default
    if chosen == "parquet" and (path == "-" or compressed):
        where = "standard output" if path == "-" else "a .gz file (Parquet compresses itself)"
        raise InputError(f"Parquet is not written to {where}; give -o FILE.parquet", path)
    if compressed and chosen == "table":
        raise InputError("a table is not written gzip-compressed; use .jsonl.gz or .csv.gz", path)
    return OutputKind(chosen, compressed)


def check_jsonl_output(path: str, command: str) -> None:
    """Refuse an output name that says another format than the plain JSON Lines ``command``
    writes (``.csv``, ``.tsv``, ``.json``, ``.parquet``, ``.png``, ``.html`` ...; ``.jsonl``,
    ``.ndjson`` and names that mean no format, such as ``.txt``, are fine), or any compression
    (``.gz``, ``.bz2``, ``.zst`` ...): it writes none.

    >>> check_jsonl_output("next.jsonl", "suggest")
    >>> check_jsonl_output("next.csv", "suggest")
    Traceback (most recent call last):
    ...
    trendscore.errors.InputError: next.csv: suggest writes JSON Lines, not CSV; name a .jsonl file
    """
    _read_name(path, command)


def _read_name(path: str, command: str) -> tuple[str | None, bool]:
    """The format ``command``'s output name ``path`` says (None: it says none) and whether it
    ends in a ``.gz`` the command writes; a name saying what the command does not write is
    refused. Extensions count in any case; standard output (``-``) says nothing."""
    rules = _RULES[command]
    suffixes = [] if path == "-" else [s.lower() for s in Path(path).suffixes]
    last = suffixes[-1] if suffixes else None
    if last in _UNWRITTEN_COMPRESSION:
        raise InputError(rules.other_compression.format(suffix=last), path)
    if last == ".gz" and rules.no_gzip is not None:
        raise InputError(rules.no_gzip, path)
    compressed = last == ".gz"
    if compressed:
        suffixes.pop()
    last = suffixes[-1] if suffixes else None
    if compressed and last == ".gz":
        raise InputError(f"{command} output is gzip-compressed once; drop one .gz", path)
    if compressed and last in _UNWRITTEN_COMPRESSION + (".tar",):  # out.tar.gz would be no tar archive
        raise InputError(rules.other_compression.format(suffix=last), path)
    if last is None or last in rules.formats:
        return rules.formats.get(last or ""), compressed
    if last in _SUFFIX_NAMES:
        raise InputError(rules.other_format.format(what=_SUFFIX_NAMES[last]), path)
    return None, compressed


@contextmanager
def record_output(path: str, kind: OutputKind, themes: list[str], written: tuple[str, ...] | None = None):
    """Open ``path`` for labelled records of ``kind``: yields ``(text stream or None, writer)``
    with ``writer.write(record)``. The file appears only when complete (as
    :class:`~trendscore.io.writers.AtomicOutput` writes it); the text stream is None for Parquet.
    ``written``: the fields labelling writes in each record
    (:func:`trendscore.io.rows.written_fields`; ``labels`` and ``scores`` when not given)."""
    from trendscore.io.atomic import AtomicOutput
    from trendscore.io.rows import INPUT_FIELDS
    from trendscore.io.writers import RecordWriter

    written = INPUT_FIELDS if written is None else written

    if kind.fmt == "parquet":
        from trendscore.io.parquet import ParquetWriter, require_pyarrow

        require_pyarrow(path)  # before the output is opened
        with AtomicOutput(path, binary=True) as raw:
            writer = ParquetWriter(raw, themes, path, written)
            try:
                yield None, writer
                writer.close()  # the last batch: an error about it is met here
            except BaseException:
                writer.discard()  # the temporary file is removed; leave nothing to finish later
                raise
        return
    if not kind.gzip:
        with AtomicOutput(path) as fh, RecordWriter(fh, kind.fmt, themes, written) as writer:
            yield fh, writer
        return
    import gzip

    with AtomicOutput(path, binary=True) as raw:
        packed = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
        text = io.TextIOWrapper(packed, encoding="utf-8", newline="")
        try:
            with RecordWriter(text, kind.fmt, themes, written) as writer:
                yield text, writer
        except BaseException:
            packed.fileobj = None  # type: ignore[assignment]  # GzipFile.close() skips a None fileobj; closing writes nothing more into the file being removed
            try:
                text.close()
            except (AttributeError, ValueError, OSError):
                pass
            raise
        text.flush()
        text.detach()
        packed.close()


def utf8_bytes_writer(fh):
    """A function writing UTF-8 bytes into the text stream ``fh`` as ``fh.write(text)`` would
    put them: straight into its byte buffer when ``fh`` encodes as UTF-8 without changing
    line ends, else decoded and written as text.

    For a stream written only through this function from here on (a label job's JSON Lines
    output). Text already written to standard output is flushed first; an output this job
    opened is not flushed at all (a flush would put a sync marker into a gzip stream)."""
    import codecs
    import os
    import sys

    buffer = getattr(fh, "buffer", None)
    try:
        utf8 = codecs.lookup(getattr(fh, "encoding", None) or "").name == "utf-8"
    except LookupError:
        utf8 = False
    stdout = fh is sys.stdout
    # the job's own files are opened with newline=""; standard output turns "\n" into os.linesep
    if buffer is None or not isinstance(fh, io.TextIOWrapper) or not utf8 or (stdout and os.linesep != "\n"):
        return lambda data: fh.write(data.decode("utf-8"))
    if stdout:
        fh.flush()
    return buffer.write
