"""Reading passages from digest exports, JSON Lines, CSV and plain text, with their file:line.

Every reader yields ``(record, path, line)``. jsonl and csv records are passed through as
given (each one passage, never re-split); digest and text documents are split into
passages with :func:`trendscore.text.split_passages`.
"""

from __future__ import annotations

import codecs
import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .digest import looks_like_digest, parse_digest
from .errors import InputError
from .jsonfast import loads
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

INPUT_FORMATS = ("auto", "digest", "jsonl", "csv", "text")
_HEAD_BYTES = 1 << 16
_EXT = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}
_MAGIC = {
    b"\x89PNG": "PNG image",
    b"%PDF": "PDF",
    b"PK\x03\x04": "ZIP archive",
    b"\x1f\x8b": "gzip archive",
    b"\x7fELF": "executable",
}


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


class _Source:
    """Bytes of one input, with its first chunk available for sniffing."""

    def __init__(self, name: str):
        self.name = name
        if name == "-":
            self.stream = sys.stdin.buffer
        else:
            path = Path(name)
            if path.is_dir():
                raise InputError("is a directory; give the files inside it", name)
            try:
                self.stream = open(path, "rb")
            except FileNotFoundError:
                raise InputError("no such file", name) from None
            except OSError as exc:
                raise InputError(f"cannot read ({exc.strerror})", name) from None
        self.head = self.stream.read(_HEAD_BYTES)

    def chunks(self) -> Iterator[bytes]:
        yield self.head
        while block := self.stream.read(1 << 20):
            yield block

    def close(self) -> None:
        if self.stream is not sys.stdin.buffer:
            self.stream.close()


def _detect_encoding(src: _Source, encoding: str) -> str:
    head = src.head
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise InputError(f"looks like a {what}, not text", src.name, 1)
    if encoding != "auto":
        return encoding
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    final = len(head) < _HEAD_BYTES  # a full first chunk may end inside a character
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=final)
        return "utf-8"
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=final)
        return "gb18030"
    except UnicodeDecodeError:
        return f"utf-8@{bad_at}"


def _lines(src: _Source, encoding: str, errors: str, skip: SkipLog | None = None) -> Iterator[tuple[int, str]]:
    """Decoded lines (without line ends) numbered from 1."""
    chosen = _detect_encoding(src, encoding)
    if chosen.startswith("utf-8@"):
        if errors == "strict" and skip is None:
            line = src.head[: int(chosen.split("@")[1])].count(b"\n") + 1
            raise InputError(
                "invalid UTF-8 bytes (not GB18030 either); pass --encoding, or --encoding-errors replace",
                src.name,
                line,
            )
        chosen = "utf-8"
    if chosen == "utf-16":
        data = b"".join(src.chunks())
        try:
            text = data.decode("utf-16", errors=errors)
        except UnicodeDecodeError as exc:
            raise InputError("invalid UTF-16 data", src.name, data[: exc.start].count(b"\n\x00") + 1) from None
        yield from enumerate(text.splitlines(), 1)
        return
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", src.name) from None
    if chosen == "utf-8-sig":
        chosen = "utf-8"
        src.head = src.head[len(codecs.BOM_UTF8) :]
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
    ext = Path(name).suffix.lower() if name != "-" else ""
    if ext in _EXT:
        return _EXT[ext]
    first = next((ln.strip() for ln in head_lines if ln.strip()), "")
    if first.startswith("{"):
        return "jsonl"
    if first.startswith("["):
        return "jsonl"  # the jsonl reader explains that a JSON array is not JSON Lines
    if looks_like_digest(head_lines[:200]):
        return "digest"
    return "text"


def parse_jsonl_line(line: str, name: str, number: int, require_text: bool = True) -> dict | None:
    """One JSON Lines record (None for a blank line), or an InputError naming file:line."""
    if not line.strip():
        return None
    try:
        obj = loads(line)
    except json.JSONDecodeError as exc:
        if line.lstrip().startswith("["):
            raise InputError("a JSON array, expected JSON Lines (one object per line)", name, number) from None
        raise InputError(f"malformed JSON ({exc.msg} at column {exc.colno})", name, number) from None
    except ValueError as exc:  # NaN or Infinity, nesting deeper than jsonfast.MAX_DEPTH
        raise InputError(f"malformed JSON ({exc})", name, number) from None
    if isinstance(obj, list) and number == 1:
        raise InputError("a JSON array, expected JSON Lines (one object per line)", name, number)
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object with a 'text' field, got {type(obj).__name__}", name, number)
    if require_text or "labels" not in obj:
        check_text(obj, name, number)
    return obj


def _jsonl(lines, name, require_text=True, skip=None) -> Iterator[tuple[dict, str, int]]:
    for number, line in lines:
        try:
            obj = parse_jsonl_line(line, name, number, require_text)
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

    reader = csv.DictReader(physical())
    try:
        fields = reader.fieldnames
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", name, counter["n"]) from None
    if not fields or "text" not in [f.strip().lstrip("\ufeff") for f in fields]:
        raise InputError(f"CSV has no 'text' column (columns: {', '.join(fields or [])})", name, 1)
    reader.fieldnames = [f.strip().lstrip("\ufeff") for f in fields]
    seen: set[str] = set()
    for field in reader.fieldnames:
        if field in seen:
            raise InputError(f"the CSV header has two columns named {field!r}; give each its own name", name, 1)
        seen.add(field)
    while True:
        start = counter["n"] + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"malformed CSV ({exc})", name, counter["n"]) from None
        problem = None
        if None in row:
            problem = "more fields than the header has"
        elif None in row.values():
            given = sum(v is not None for v in row.values())
            problem = f"{given} fields, fewer than the {len(row)} the header has"
        if problem is not None:
            exc = InputError(problem, name, start)
            if skip is None:
                raise exc
            skip.add(exc)
            continue
        yield {k: v for k, v in row.items()}, name, start


def _documents_to_passages(docs, name) -> Iterator[tuple[dict, str, int]]:
    for d, doc in enumerate(docs, 1):
        for p, passage in enumerate(split_passages(doc["body"]), 1):
            record = {
                "id": f"d{d}-p{p}",
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


_READERS = {"jsonl": _jsonl, "csv": _csv, "digest": _digest, "text": _text}


@contextmanager
def open_lines(
    name: str, input_format: str = "auto", encoding: str = "auto", encoding_errors: str = "strict", skip=None
):
    """Open one input: yields ``(format, numbered decoded lines)``; the format is detected
    from the extension and the first lines when ``input_format`` is auto."""
    if input_format not in INPUT_FORMATS:
        raise InputError(f"unknown input format {input_format!r}; expected one of {', '.join(INPUT_FORMATS)}", name)
    src = _Source(name)
    try:
        lines = _lines(src, encoding, encoding_errors, skip)
        head: list[tuple[int, str]] = []
        for item in lines:
            head.append(item)
            if len(head) >= 200:
                break
        fmt = input_format
        if fmt == "auto":
            fmt = detect_format(name, [ln for _, ln in head])
        yield fmt, _chain(head, lines)
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
) -> Iterator[tuple[dict, str, int]]:
    """Yield ``(record, path, line)`` for every passage in one input (``-`` is stdin).

    Raises :class:`~trendscore.errors.InputError` naming the file and line for anything
    that cannot be read. An input with no passages at all is an error too. With
    ``require_text=False``, jsonl records that carry ``labels`` may lack ``text`` (scoring a
    labelled archive needs no text). With a :class:`SkipLog`, bad lines (undecodable,
    malformed, without text) are passed over and counted there instead of raising.
    """
    with open_lines(name, input_format, encoding, encoding_errors, skip) as (fmt, stream):
        count = 0
        for item in records_of(fmt, stream, name, require_text, skip):
            count += 1
            yield item
        if count == 0:
            raise InputError("empty input: no passages found", name)


def _chain(head, rest):
    yield from head
    yield from rest
