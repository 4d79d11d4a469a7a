"""Reading passages from digest exports, JSON Lines, CSV and plain text, with their file:line.

Every reader yields ``(record, path, line)``. jsonl and csv records are passed through as
given (each one passage, never re-split); digest and text documents are split into
passages with :func:`trendscore.text.split_passages`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager

from .columns import Columns
from .digest import parse_digest
from .errors import InputError
from .jsonfast import loads
from .opening import HEAD_BYTES as _HEAD_BYTES  # noqa: F401 (the size of the sniffed head, for tests)
from .opening import Source as _Source
from .sniffing import csv_shape, prepare_decoding, sniff_format
from .text import split_passages

__all__ = [
    "SkipLog",
    "read_records",
    "open_lines",
    "records_of",
    "parse_jsonl_line",
    "check_text",
    "INPUT_FORMATS",
    "detect_format",
]

INPUT_FORMATS = ("auto", "digest", "jsonl", "csv", "text", "parquet")


class SkipLog:
    """Bad lines passed over under ``--skip-bad``: their count and the first few messages."""

    def __init__(self, keep: int = 5):
        self.count = 0
        self.first: list[str] = []
        self.keep = keep

    def add(self, error: Exception) -> None:
        self.count += 1
        if len(self.first) < self.keep:
            self.first.append(str(error))

    def merge(self, count: int, first: list[str]) -> None:
        self.count += count
        self.first.extend(first[: self.keep - len(self.first)])


def _lines(src: _Source, encoding: str, errors: str, skip: SkipLog | None = None) -> Iterator[tuple[int, str]]:
    """Decoded lines (without line ends) numbered from 1."""
    chosen = prepare_decoding(src, encoding, errors, lenient=skip is not None)
    number, pending = 0, b""
    for block in src.chunks():
        data = pending + block
        cut = data.rfind(b"\n") + 1
        whole, pending = data[:cut], data[cut:]
        if not whole:
            continue
        try:
            lines = whole.decode(chosen, errors).split("\n")
        except UnicodeDecodeError:  # find the line, for the message (or skip it)
            lines = [
                _decode_or_skip(raw, src.name, number + i + 1, chosen, skip) for i, raw in enumerate(whole.split(b"\n"))
            ]
        lines.pop()  # the empty string after the last line end
        for line in lines:
            number += 1
            if line is not None:
                yield number, line[:-1] if line.endswith("\r") else line
    if pending:
        number += 1
        line = (
            _decode_or_skip(pending, src.name, number, chosen, skip)
            if errors == "strict"
            else pending.decode(chosen, errors)
        )
        if line is not None:
            yield number, line.rstrip("\r")


def _decode_or_skip(raw: bytes, name: str, number: int, chosen: str, skip: SkipLog | None) -> str | None:
    try:
        return _decode_line(raw, name, number, chosen)
    except InputError as exc:
        if skip is None:
            raise
        skip.add(exc)
        return None


def _decode_line(raw: bytes, name: str, number: int, chosen: str, errors: str = "strict") -> str:
    try:
        return raw.decode(chosen, errors)
    except UnicodeDecodeError:
        raise InputError(
            f"bytes that are not valid {chosen}; pass --encoding, or --encoding-errors replace", name, number
        ) from None


def detect_format(name: str, head_lines: list[str]) -> str:
    """Pick an input format from the file's extension, then from its first lines."""
    return sniff_format(name, head_lines)


def parse_jsonl_line(
    line: str, name: str, number: int, require_text: bool = True, columns: Columns | None = None
) -> dict | None:
    """One JSON Lines record (None for a blank line), or an InputError naming file:line."""
    if not line.strip():
        return None
    try:
        obj = loads(line)
    except json.JSONDecodeError as exc:
        if line.lstrip().startswith("["):
            raise InputError("a JSON array, expected JSON Lines (one object per line)", name, number) from None
        raise InputError(f"malformed JSON ({exc.msg} at column {exc.colno})", name, number) from None
    if isinstance(obj, list) and number == 1:
        raise InputError("a JSON array, expected JSON Lines (one object per line)", name, number)
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object with a 'text' field, got {type(obj).__name__}", name, number)
    if columns is not None:
        obj = columns.rename(obj, name, number)
    if require_text or "labels" not in obj:
        check_text(obj, name, number)
    return obj


def _jsonl(lines, name, require_text=True, skip=None) -> Iterator[tuple[dict, str, int]]:
    columns = getattr(lines, "columns", None)
    columns = None if columns is None or columns.is_default() else columns
    for number, line in lines:
        try:
            obj = parse_jsonl_line(line, name, number, require_text, columns)
        except InputError as exc:
            if skip is None:
                raise
            skip.add(exc)
            continue
        if obj is not None:
            yield obj, name, number


def check_text(obj: dict, name: str, number: int) -> None:
    """Raise unless the record has a string ``text``."""
    text = obj.get("text")
    if not isinstance(text, str):
        got = "nothing" if "text" not in obj else ("null" if text is None else type(text).__name__)
        raise InputError(f"expected a string 'text' field, got {got}", name, number)


def _csv(lines, name, require_text=True, skip=None) -> Iterator[tuple[dict, str, int]]:
    counter = {"n": 0}

    def physical():
        for number, line in lines:
            counter["n"] = number
            yield line + "\n"

    reader = csv.DictReader(physical(), delimiter=getattr(lines, "delimiter", ","))
    try:
        fields = reader.fieldnames
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", name, counter["n"]) from None
    columns = getattr(lines, "columns", Columns())
    columns.check_header([f.strip().lstrip("\ufeff") for f in fields or []], name, "CSV")
    reader.fieldnames = [f.strip().lstrip("\ufeff") for f in fields]
    while True:
        start = counter["n"] + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"malformed CSV ({exc})", name, counter["n"]) from None
        if None in row or row.get(columns.text) is None:
            more = None in row
            exc = InputError(f"{'more' if more else 'fewer'} fields than the header has", name, start)
            if skip is None:
                raise exc
            skip.add(exc)
            continue
        yield columns.rename({k: v for k, v in row.items()}, name, start), name, start


def _documents_to_passages(docs, name) -> Iterator[tuple[dict, str, int]]:
    for d, doc in enumerate(docs, 1):
        for p, passage in enumerate(split_passages(doc["body"]), 1):
            record = {
                "id": f"d{d}-p{p}",
                "doc_id": f"d{d}",
                "doc_title": doc["title"],
                "source": doc["source"],
                "date": doc["date"],
                "text": passage,
            }
            yield record, name, doc["line"]


def _digest(lines, name, require_text=True, skip=None):
    numbered = list(lines)
    docs = [
        {"title": d.title, "source": d.source, "date": d.date, "body": d.body, "line": d.line}
        for d in parse_digest([ln for _, ln in numbered])
    ]
    yield from _documents_to_passages(docs, name)


def _text(lines, name, require_text=True, skip=None):
    docs, cur, start = [], [], 0
    for number, line in lines:
        if line.strip():
            if not cur:
                start = number
            cur.append(line.strip())
        elif cur:
            docs.append({"title": None, "source": None, "date": None, "body": " ".join(cur), "line": start})
            cur = []
    if cur:
        docs.append({"title": None, "source": None, "date": None, "body": " ".join(cur), "line": start})
    yield from _documents_to_passages(docs, name)


def _parquet(rows, name, require_text=True, skip=None):
    columns = getattr(rows, "columns", Columns())
    columns.check_header(rows.fields, name, "Parquet file", require_text)
    for number, record in rows:
        record = columns.rename(record, name, number)
        if record.get("labels") is None:
            record.pop("labels", None)  # a labels column holds null for unlabelled rows
        try:
            if require_text or "labels" not in record:
                check_text(record, name, number)
        except InputError as exc:
            if skip is None:
                raise
            skip.add(exc)
            continue
        yield record, name, number


_READERS = {"jsonl": _jsonl, "csv": _csv, "digest": _digest, "text": _text, "parquet": _parquet}


class _Stream:
    """The numbered lines (or Parquet rows) of one input, with what was learnt opening it:
    the CSV delimiter, the user's column names, a Parquet file's fields."""

    def __init__(self, items, columns: Columns, delimiter: str = ",", fields: list[str] | None = None):
        self._items = iter(items)
        self.columns, self.delimiter, self.fields = columns, delimiter, fields or []

    def __iter__(self):
        return self._items  # a for loop runs on the items themselves, at no cost a line

    def __next__(self):
        return next(self._items)


@contextmanager
def open_lines(
    name: str,
    input_format: str = "auto",
    encoding: str = "auto",
    encoding_errors: str = "strict",
    skip=None,
    columns: Columns | None = None,
):
    """Open one input: yields ``(format, numbered decoded lines)``; the format is detected
    from the extension and the first lines when ``input_format`` is auto. Compressed inputs
    are decompressed as they are read; a Parquet input yields numbered rows instead of lines."""
    if input_format not in INPUT_FORMATS:
        raise InputError(f"unknown input format {input_format!r}; expected one of {', '.join(INPUT_FORMATS)}", name)
    columns = columns or Columns()
    src = _Source(name)
    try:
        if input_format == "parquet" or (input_format == "auto" and src.parquet):
            if not src.parquet:
                raise InputError("not a Parquet file (it does not start with PAR1)", name, 1)
            from .parquet import open_parquet

            fields, rows = open_parquet(src)
            yield "parquet", _Stream(rows, columns, fields=fields)
            return
        lines = _lines(src, encoding, encoding_errors, skip)
        head: list[tuple[int, str]] = []
        for item in lines:
            head.append(item)
            if len(head) >= 200:
                break
        head_text = [ln for _, ln in head]
        fmt = input_format
        if fmt == "auto":
            fmt = sniff_format(name, head_text, columns.text)
        if fmt == "parquet":
            raise InputError("named .parquet but not a Parquet file (it does not start with PAR1)", name, 1)
        if fmt in ("digest", "text") and not columns.is_default():
            raise InputError(
                f"--text-column, --date-column and --id-column apply to CSV, Parquet and JSON Lines, "
                f"not to {fmt} input",
                name,
            )
        delimiter = csv_shape(name, head_text, columns.text).delimiter if fmt == "csv" else ","
        yield fmt, _Stream(_chain(head, lines), columns, delimiter)
    finally:
        src.close()


def records_of(
    fmt: str, lines, name: str, require_text: bool = True, skip: SkipLog | None = None
) -> Iterator[tuple[dict, str, int]]:
    """The records of an input's numbered lines, read as ``fmt``; bad lines go to ``skip`` if given."""
    return _READERS[fmt](lines, name, require_text, skip)


def read_records(
    name: str,
    input_format: str = "auto",
    encoding: str = "auto",
    encoding_errors: str = "strict",
    require_text: bool = True,
    skip: SkipLog | None = None,
    columns: Columns | None = None,
) -> Iterator[tuple[dict, str, int]]:
    """Yield ``(record, path, line)`` for every passage in one input (``-`` is stdin).

    Raises :class:`~trendscore.errors.InputError` naming the file and line for anything
    that cannot be read. An input with no passages at all is an error too. With
    ``require_text=False``, jsonl records that carry ``labels`` may lack ``text`` (scoring a
    labelled archive needs no text). With a :class:`SkipLog`, bad lines (undecodable,
    malformed, without text) are passed over and counted there instead of raising.
    ``columns`` names the fields holding the text, date and id when they are named otherwise.
    """
    with open_lines(name, input_format, encoding, encoding_errors, skip, columns) as (fmt, stream):
        count = 0
        for item in records_of(fmt, stream, name, require_text, skip):
            count += 1
            yield item
        if count == 0:
            raise InputError("empty input: no passages found", name)


def _chain(head, rest):
    yield from head
    yield from rest
