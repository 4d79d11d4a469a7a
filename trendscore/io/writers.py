"""Writing labelled records: jsonl, csv or a table, into an open stream. Files appear only
when complete because the stream is a :class:`trendscore.io.atomic.AtomicOutput` (what an output
path gets is described there and in docs/reliability.md).
"""

from __future__ import annotations

import csv
import tempfile
import unicodedata
from typing import IO

from trendscore.errors import Hint, InputError, TrendscoreError, hinted

# Re-exported for the modules that still import them from here (the job runner's, being
# rewritten on another branch); new code imports them from trendscore.io.atomic.
from trendscore.io.atomic import AtomicOutput, atomic_write_bytes, check_output_path, output_kind, temp_beside  # noqa: F401
from trendscore.io.columns import LABEL_SEPARATOR
from trendscore.io.jsonfast import RawNumber, dumps, dumps_line, loads
from trendscore.io.rows import INPUT_FIELDS, added_columns

__all__ = [
    "RecordWriter",
    "OUTPUT_FORMATS",
    "check_score_fields",
    "check_table_text",
    "column_taken",
    "printable",
    "table_check",
]

OUTPUT_FORMATS = ("jsonl", "csv", "table")


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes, line ends, bidirectional overrides)
    shown as ``\\x1b``-style escapes: what the table format prints of a user's data. Spaces
    (the ideographic space, a no-break space) are shown as they are."""
    return "".join(
        ch if ch.isprintable() or unicodedata.category(ch) == "Zs" else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def column_taken(field: str, output: str, path: str | None = None, line: int | None = None) -> TrendscoreError:
    """The error for a record's ``field`` named like a column the labels add to the ``output``
    format's table (``score_policy`` in CSV and Parquet): its values would be lost under the
    model's, so it is refused, with JSON Lines (which keeps scores in one ``scores`` field) as
    the way out. ``path`` and ``line``: where the record was read (:func:`check_score_fields`)."""
    error = InputError(f"a record has a field {field!r}, the name of a column of the {output} output", path, line)
    return hinted(error, Hint("{setting} jsonl", "output_format"))


def check_score_fields(record: dict, themes, output: str, path: str, line: int) -> None:
    """Refuse, naming where it was read (``path``, ``line``), a record about to be labelled
    into a CSV or Parquet output (``output``: ``"CSV"``, ``"Parquet"``) that has a field named
    like one of the output's ``score_<theme>`` columns (:func:`column_taken`): the writers,
    which see labelled records only, would refuse it without saying which one."""
    for theme in themes:
        if f"score_{theme}" in record:
            raise column_taken(f"score_{theme}", output, path, line)


def _utf8(text: str) -> bool:
    """Whether UTF-8 can hold ``text``: all but a lone surrogate (half of a UTF-16 pair on its
    own, which a JSON escape such as "\\udc80" gives). ASCII is told at once, and
    encoding (in C) is several times faster than searching for one with a pattern."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _holds_surrogate(value, nested: bool) -> bool:
    if isinstance(value, str):
        return not _utf8(value)
    if not nested:
        return False
    if isinstance(value, list):
        return any(_holds_surrogate(v, True) for v in value)
    if isinstance(value, dict):
        return any(_holds_surrogate(k, True) or _holds_surrogate(v, True) for k, v in value.items())
    return False


def check_table_text(record: dict, output: str, path: str, line: int) -> None:
    """Refuse, naming where it was read (``path``, ``line``) and the field, a record about to be
    labelled into a CSV or Parquet output (``output``) whose field name or text holds a lone
    surrogate: UTF-8 cannot hold one, and the writers, which meet it only when the file is
    written, could not say which record it was. CSV writes a nested value as its JSON text,
    which escapes it, so only a field's own string (or name) counts there; Parquet stores lists
    and objects as they are, so their strings count too."""
    nested = output != "CSV"
    for key, value in record.items():
        if isinstance(value, str) and _utf8(key) and _utf8(value):
            continue  # the usual field, told without a call more
        if _holds_surrogate(key, False) or _holds_surrogate(value, nested):
            error = InputError(
                f"field {key!r} holds a lone surrogate (a half of a UTF-16 pair, from a JSON escape), which UTF-8 "
                f"{output} cannot hold; JSON Lines keeps it escaped",
                path,
                line,
            )
            raise hinted(error, Hint("{setting} jsonl", "output_format"))


def table_check(themes, output: str):
    """``check(record, path, line)``: :func:`check_score_fields` and :func:`check_table_text`
    of a record about to be labelled into a CSV or Parquet output (``output``), for every
    record of a chunk: the names of the score columns are made once, and a record is looked
    at for one only when it has a field of such a name."""
    columns = frozenset(f"score_{theme}" for theme in themes)

    def check(record: dict, path: str, line: int) -> None:
        if not columns.isdisjoint(record):
            check_score_fields(record, themes, output, path, line)
        check_table_text(record, output, path, line)

    return check


def _cell(value) -> str:
    """A CSV cell: strings as they are, null empty, anything else as its JSON text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, RawNumber):
        return value.text
    return dumps(value)


#: characters of a record's id shown in a table: a digest passage's whole id
#: (``d`` and 16 hex digits, ``-p`` and its number up to 999)
_ID_WIDTH = 22


class RecordWriter:
    """Writes labelled records in one of :data:`OUTPUT_FORMATS` to an open text stream.

    CSV output has a column for every field of any record (in the order fields first
    appear), then the columns labelling adds (:func:`trendscore.io.rows.added_columns`):
    ``labels`` and ``provisional`` as theme names joined by ``|``, one ``score_THEME`` per
    theme, ``explain`` as JSON text. ``written``: the fields labelling wrote in each record
    (:func:`trendscore.io.rows.written_fields`); a record's other fields are its own. Rows are
    kept in a temporary file until :meth:`close` writes the header and them, so memory stays
    flat. Use it as a context manager, or call :meth:`close` when done.
    """

    def __init__(self, fh, fmt: str, themes: list[str], written: tuple[str, ...] = INPUT_FIELDS):
        if fmt not in OUTPUT_FORMATS:
            raise InputError(f"unknown output format {fmt!r}; expected one of {', '.join(OUTPUT_FORMATS)}")
        self.fh, self.fmt, self.themes = fh, fmt, themes
        self._rows: IO[str] | None = None  # CSV rows waiting for the header
        self._columns: dict[str, int] = {}
        self._reserved = set(written)
        self._added = added_columns(themes, "explain" in written, "provisional" in written)
        self._score_columns = set(self._added)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        elif self._rows is not None:
            self._rows.close()
        return False

    def write(self, record: dict) -> None:
        """Write one labelled record in the writer's format (CSV rows wait for :meth:`close`)."""
        if self.fmt == "jsonl":
            self.fh.write(dumps_line(record))
        elif self.fmt == "csv":
            self._buffer_csv(record)
        else:
            self._write_table(record)

    def _buffer_csv(self, record: dict) -> None:
        if self._rows is None:
            self._rows = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        cells = [""] * len(self._columns)
        for key, value in record.items():
            if key in self._reserved:
                continue
            index = self._columns.get(key)
            if index is None:
                if key in self._score_columns:
                    raise column_taken(key, "CSV")
                index = self._columns[key] = len(self._columns)
                cells.append("")
            if key == "labels_input" and isinstance(value, list) and all(isinstance(v, str) for v in value):
                cells[index] = LABEL_SEPARATOR.join(value)  # the input's own labels, as its CSV cell had them
            else:
                cells[index] = _cell(value)
        scores = record.get("scores", {})
        tail = [LABEL_SEPARATOR.join(record.get("labels", []))] + [_cell(scores.get(t)) for t in self.themes]
        if "provisional" in self._reserved:  # theme names, as labels are written
            tail.append(LABEL_SEPARATOR.join(record.get("provisional") or ()))
        if "explain" in self._reserved:
            tail.append(_cell(record.get("explain")))
        self._rows.write(dumps_line([tail, cells]))

    def close(self) -> None:
        """Write what is buffered (the CSV header and rows); the stream stays open."""
        if self.fmt != "csv":
            return
        writer = csv.writer(self.fh)
        writer.writerow(list(self._columns) + self._added)
        if self._rows is None:
            return
        width = len(self._columns)
        rows, self._rows = self._rows, None
        with rows:
            rows.seek(0)
            for line in rows:
                tail, cells = loads(line)
                try:
                    writer.writerow(cells + [""] * (width - len(cells)) + tail)
                except UnicodeEncodeError:
                    error = InputError(
                        "a field holds a lone surrogate (a half of a UTF-16 pair, from a JSON escape), which "
                        "UTF-8 CSV cannot hold; JSON Lines keeps it escaped"
                    )
                    raise hinted(error, Hint("{setting} jsonl", "output_format")) from None

    def _write_table(self, record: dict) -> None:
        text = " ".join(printable(str(record.get("text", ""))).split())
        text = text if len(text) <= 48 else text[:47] + "…"
        marked = set(record.get("provisional") or ())  # provisional themes are marked as such
        shown = [t + " (provisional)" if t in marked else t for t in record.get("labels", [])]
        labels = printable(",".join(shown)) or "-"
        rid = printable(str(record.get("id", "")))[:_ID_WIDTH]
        self.fh.write(f"{rid:<{_ID_WIDTH}}  {labels:<36}  {text}\n")
        for theme, terms in (record.get("explain") or {}).items():
            weights = ", ".join(f"{printable(t)} {w:+.3f}" for t, w in terms)
            self.fh.write(f"{'':<{_ID_WIDTH}}    {printable(theme)}: {weights}\n")

