"""Reading and writing Parquet files (``pip install 'trendscore[parquet]'``: pyarrow).

Rows are read a batch at a time, so memory does not grow with the file. Values come out as
plain Python: dates and timestamps as ISO strings (the date as written, as for text inputs),
decimals as floats (those of more than 15 significant digits as their digits, as in JSON Lines;
those of a column without decimal places as ints),
bytes as text. A Parquet output builds a Parquet input's own columns back in their types
(:mod:`trendscore.io.parquet_types`).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
from collections.abc import Iterator
from typing import Any

from trendscore.errors import InputError
from trendscore.io.jsonfast import RawNumber
from trendscore.io.parquet_types import Base64Text
from trendscore.io.rows import INPUT_FIELDS, added_columns
from trendscore.io.writers import column_taken

__all__ = [
    "open_parquet",
    "row_group_spans",
    "require_pyarrow",
    "ParquetWriter",
    "Base64Text",
    "declared_types",
    "read_schema",
]

_BATCH = 4096


def require_pyarrow(name: str | None = None):
    """``pyarrow.parquet``, or a one-line error saying how to install it."""
    from trendscore.extras import require

    require("parquet", f"{name}: Parquet" if name else "Parquet")
    import pyarrow.parquet as pq

    return pq


def _decimal(value: decimal.Decimal):
    """A decimal as a float, or, when it has more than 15 significant digits (which a float may
    not keep: a database's id 12345678901234567891 had become 1.2345678901234567e+19), as a
    :class:`~trendscore.io.jsonfast.RawNumber` written back as its digits, as a JSON number of
    that many digits is read. A whole number of a column without decimal places (decimal(20, 0),
    a database's ids) is an int: as a float, the id 7 had been written back as 7.0."""
    if value.is_finite() and len(value.normalize().as_tuple().digits) > 15:
        return RawNumber(format(value.normalize(), "f"))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(value)
    return float(value)


def _column(values: list, kind, carried: bool):
    """The Arrow array of a column's ``values``: of type ``kind`` (None: inferred), built back
    from the plain values of a Parquet input's column of that type when ``carried``
    (:func:`trendscore.io.parquet_types.typed_array`)."""
    import pyarrow as pa

    if carried:
        from trendscore.io.parquet_types import typed_array

        return typed_array(values, kind)
    return pa.array(values, type=kind)


def _converts(values: list, kind, carried: bool = False) -> bool:
    """Whether pyarrow makes an array of ``values`` (of type ``kind``; None: inferred)."""
    import pyarrow as pa

    try:
        _column(values, kind, carried)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return False
    return True


def _first_misfit(rows: list[dict], schema, carried=frozenset()) -> tuple[int, str, str] | None:
    """``(row, field, pyarrow's reason)`` of the first row of ``rows`` holding a value its
    column cannot take (in ``schema``, or inferred from the rows before it when None; the
    columns named in ``carried`` built back to their input's type), or None.
    A column is tried whole, then halves of it: a dozen conversions of one batch, on the
    failure path only."""
    import pyarrow as pa

    best: tuple[int, str, str] | None = None
    names = dict.fromkeys(k for r in rows for k in r)
    for name in names:
        kind = schema.field(name).type if schema is not None and name in schema.names else None
        typed = name in carried and kind is not None
        values = [r.get(name) for r in rows]
        if _converts(values, kind, typed):
            continue
        low, high = 1, len(values)  # the shortest run from the first row that cannot be converted
        while low < high:
            middle = (low + high) // 2
            low, high = (middle + 1, high) if _converts(values[:middle], kind, typed) else (low, middle)
        if best is None or low - 1 < best[0]:
            try:
                _column(values[:low], kind, typed)
                reason = "a value of another type than the column's"
            except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            best = (low - 1, name, _reason(reason))
    return best


def _reason(message: str) -> str:
    """pyarrow's reason in a few words: ``Python int too large to convert to C long`` says an
    integer outside the 64-bit range, and a value it quotes is cut short."""
    from trendscore.errors import one_line

    if "too large to convert" in message or "int too big" in message:
        return "an integer outside the 64-bit range"
    return one_line(message if len(message) <= 160 else message[:159] + "…")


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return _decimal(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return Base64Text(base64.b64encode(value).decode("ascii"))
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):  # a map column: a list of (key, value) pairs
        return [_plain(v) for v in value]
    return value


#: the most bytes of a Parquet file from a pipe, or compressed, held in memory to read it (a named
#: file is read a row group at a time, any size): 1 GiB of a gzip bomb is some 1 MB compressed
MAX_HELD_BYTES = 1 << 30
_HELD_ADVICE = (
    "; a Parquet file from a pipe or compressed is held whole: write it to a file, uncompressed, "
    "and name that (it is read a row group at a time)"
)


#: the most bytes of metadata a Parquet file's footer may declare: pyarrow reads that many into
#: memory before it parses them, and a sparse file of 1 GiB (a few KB on disk) declaring 1 GiB of
#: metadata had taken 1.2 GB. A file of 10,000 columns in 1,000 row groups has some 30 MB
MAX_FOOTER_BYTES = 64 << 20


def check_footer(tail: bytes, size: int, name: str) -> None:
    """Refuse, in one line naming ``name``, a Parquet file of ``size`` bytes whose last bytes
    ``tail`` (8 or more) declare more metadata than the file holds or than
    :data:`MAX_FOOTER_BYTES`, before pyarrow reads (and allocates) that much. A file that is no
    Parquet at its end is left to pyarrow, which says so."""
    from trendscore.io.wholefile import size_text

    if size < 12 or len(tail) < 8 or tail[-4:] != b"PAR1":
        return
    declared = int.from_bytes(tail[-8:-4], "little")
    if declared > size - 12:
        why = f"more than the {size:,} bytes of the file"
    elif declared > MAX_FOOTER_BYTES:
        why = f"more than the {size_text(MAX_FOOTER_BYTES)} a Parquet footer may have"
    else:
        return
    raise InputError(f"damaged Parquet file (its footer declares {declared:,} bytes of metadata, {why})", name)


def _check_file_footer(fh, name: str) -> None:
    """:func:`check_footer` of the open binary file ``fh``."""
    import os

    size = os.fstat(fh.fileno()).st_size
    if size >= 12:
        fh.seek(size - 8)
        tail = fh.read(8)
        fh.seek(0)
        check_footer(tail, size, name)


def _parquet_file(pq, path: str, name: str | None = None):
    """``pq.ParquetFile`` of the file at ``path``, and the file object this opened for it (to
    close with it) or None. pyarrow takes a path as UTF-8 text: a name of other bytes (a Latin-1
    name on disk, held by Python with surrogates) had ended in a UnicodeEncodeError traceback,
    so such a file is opened here and handed over open."""
    import weakref

    own = open(path, "rb")
    try:
        _check_file_footer(own, name or path)
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            handle = pq.ParquetFile(own)
            weakref.finalize(handle, own.close)  # also when its rows are never read
            return handle, own
    except BaseException:
        own.close()
        raise
    own.close()
    return pq.ParquetFile(path), None


def read_schema(path: str):
    """The Arrow schema in the footer of the plain Parquet file at ``path``, or None when it is
    not one (standard input, a directory, a compressed file, another format) or cannot be read
    (the reader's own error names it when it is read)."""
    import os

    if path == "-" or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PAR1":
                return None
        pq = require_pyarrow(path)
        handle, own = _parquet_file(pq, path)
        try:
            return handle.schema_arrow
        finally:
            if own is not None:
                own.close()
    except Exception:  # damaged, unreadable: the reader meets it again and names it in one line
        return None


def declared_types(paths, renames: dict[str, str], written: tuple[str, ...]) -> dict[str, Any] | None:
    """The types a job's named Parquet files give their fields, joined over all of them
    (:func:`joined_type`; None for a field two files give types that do not join, whose type is
    then inferred from its values), read from each file's footer before any row is. So the
    first file no longer fixes a type a later one does not fit (int32 then int64 values: int64;
    a timestamp then text: inferred), in one output file and in every part of an output
    directory alike. None when no input is a plain Parquet file; a file that cannot be read
    here is left to the reader, whose error names it."""
    from trendscore.io.parquet_types import joined_type, output_types

    joined: dict[str, Any] = {}
    seen = False
    for path in paths:
        schema = read_schema(path)
        if schema is None:
            continue
        seen = True
        for name, kind in output_types(schema, renames, written).items():
            joined[name] = joined_type(joined[name], kind) if name in joined else kind
    return joined if seen else None


def open_parquet(
    src, row_groups: tuple[int, int] | None = None, longest: int | None = None
) -> tuple[list[str], Iterator[tuple[int, dict]], Any]:
    """The column names of an opened Parquet :class:`~trendscore.io.opening.Source`,
    ``(row number from 1, record)`` for each of its rows (a record holds every column), and
    the file's Arrow schema (what a Parquet output keeps of its types). With
    ``row_groups`` ``(first, end)``, only the rows of those row groups, numbered as in the
    whole file. A text or bytes value over ``longest`` bytes (the readers' bound on a line) is an
    :class:`InputError` naming its row."""
    pq = require_pyarrow(src.name)
    import pyarrow as pa

    path = src.seekable_path()
    own = None  # a file opened for pyarrow, closed with the handle
    try:
        if path:
            handle, own = _parquet_file(pq, path, src.name)
        else:
            held = src.read_all(MAX_HELD_BYTES, _HELD_ADVICE)
            check_footer(bytes(held[-8:]), len(held), src.name)
            handle = pq.ParquetFile(pa.BufferReader(held))
        groups, first_row = None, 0
        if row_groups is not None:
            groups = list(range(*row_groups))
            first_row = sum(handle.metadata.row_group(i).num_rows for i in range(row_groups[0]))
    except BaseException as exc:
        if own is not None:
            own.close()
        if isinstance(exc, (pa.ArrowException, OSError)):
            raise InputError(f"damaged Parquet file ({exc})", src.name) from None
        raise

    def rows():
        row = first_row
        try:
            for batch in handle.iter_batches(batch_size=_BATCH, row_groups=groups):
                if longest is not None:
                    _check_lengths(batch, longest, src.name, row)
                for record in batch.to_pylist():
                    row += 1
                    yield row, {k: _plain(v) for k, v in record.items()}
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"damaged Parquet file ({exc})", src.name, row + 1) from None
        finally:
            handle.close()
            if own is not None:
                own.close()

    return list(handle.schema_arrow.names), rows(), handle.schema_arrow


def _check_lengths(batch, limit: int, name: str, row: int) -> None:
    """Refuse a text or bytes value of ``batch`` longer than ``limit`` (the bound on a line of
    other inputs) before it becomes Python text: a 10 KB file can hold one value of 300 MB
    (compressed), which had ended in a MemoryError traceback. ``row`` is the row before the batch."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for column, field in zip(batch.columns, batch.schema):
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
                or pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)):
            continue
        longest = pc.max(pc.binary_length(column)).as_py()
        if longest is not None and longest > limit:
            first = pc.index(pc.greater(pc.binary_length(column), limit), True).as_py()
            raise InputError(
                f"a value of more than {limit / (1 << 20):g} MiB in column {field.name!r}, longer than a line "
                "may be (a longer bound: TRENDSCORE_MAX_LINE_MB)",
                name,
                row + first + 1,
            )


def row_group_spans(path: str, size: int) -> list[tuple[int, int]] | None:
    """Runs ``(first, end)`` of a Parquet file's row groups, each of about ``size`` bytes of
    the file or more (a row group is never split): what a worker reads at a time. None when
    the file is one run (one row group, or a small file) or its metadata cannot be read (its
    reader names the problem)."""
    import os

    pq = require_pyarrow(path)
    import pyarrow as pa

    try:
        try:
            handle, own = _parquet_file(pq, path)
        except InputError:
            return None
        try:
            meta = handle.metadata
            counts = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        finally:
            handle.close()
            if own is not None:
                own.close()
        per_row = os.path.getsize(path) / max(sum(counts), 1)
    except (pa.ArrowException, OSError):
        return None
    spans, first, held = [], 0, 0.0
    for i, n in enumerate(counts):
        held += n * per_row
        if held >= size and i + 1 < len(counts):
            spans.append((first, i + 1))
            first, held = i + 1, 0.0
    spans.append((first, len(counts)))
    return spans if len(spans) > 1 else None


class ParquetWriter:
    """Writes labelled records to a Parquet file a batch at a time: the records' own fields
    with the types of the first batch (a column empty there is text), in the order first met,
    then the columns labelling adds (:func:`trendscore.io.rows.added_columns`): ``labels`` as a
    list of strings, ``scores`` as one ``score_<theme>`` float column per theme (as
    :func:`trendscore.integrations.dask.label_dataframe` gives), ``provisional`` as a list of
    strings, ``explain`` as JSON text. ``written``: the fields labelling wrote in each record
    (:func:`trendscore.io.rows.written_fields`). A record that does not fit (a value Parquet
    cannot hold, a type other than the records before it gave its column, a field the first
    batch had not) is refused in one line naming it: where it was read when
    :meth:`write` was told, else its number among the records written. A field of a Parquet
    input's own keeps that input's type (:meth:`add_types`,
    :mod:`trendscore.io.parquet_types`)."""

    def __init__(self, fh, themes: list[str], name: str = "-", written: tuple[str, ...] = INPUT_FIELDS):
        self.fh, self.themes, self.name = fh, list(themes), name
        self._pq = require_pyarrow(name)
        self._writer: Any = None  # a pyarrow.parquet.ParquetWriter once the first batch fixes the schema
        self._batch: list[dict] = []
        self._places: list[tuple[str, int | None] | None] = []  # where each record of the batch was read
        self._done = 0  # records written before the batch
        self._schema: Any = None  # pyarrow.Schema
        self._written = set(written)
        self._added = added_columns(self.themes, "explain" in written, "provisional" in written)
        self._types: dict[str, Any] = {}  # a Parquet input's own fields: their type there (None: none)
        self._carried: frozenset[str] = frozenset()  # the columns built back to that type

    def add_types(self, types: dict | None) -> None:
        """Tell the writer the Parquet input types of records' own fields (``{field: Arrow
        type}``, :func:`trendscore.io.parquet_types.output_types`) before writing them. Two
        inputs giving a field two types give it the type both widen to (int32 and int64:
        int64), or none (its type is inferred) when they do not join; once the first batch is
        written the file's schema is fixed, and later values must fit it."""
        from trendscore.io.parquet_types import joined_type

        if self._schema is not None:
            return
        for name, kind in (types or {}).items():
            known = self._types.get(name, kind)
            self._types[name] = kind if known == kind else joined_type(known, kind)

    def write(self, record: dict, where: tuple[str, int | None] | None = None) -> None:
        """Queue one labelled record; a full batch is written as a row group. ``where``: the
        input file (or ``<records>``) and line it was read from, which an error about it names."""
        self._batch.append(record)
        self._places.append(where)
        if len(self._batch) >= _BATCH:
            self._flush()

    def _row(self, record: dict) -> dict:
        import json

        row = {k: v for k, v in record.items() if k not in self._written}
        row["labels"] = record.get("labels")
        for theme in self.themes:
            column = f"score_{theme}"
            if column in row:  # as CSV output refuses it: the model's scores would replace it
                raise column_taken(column, "Parquet")
            row[column] = (record.get("scores") or {}).get(theme)
        if "provisional" in self._written:
            row["provisional"] = record.get("provisional")
        if "explain" in self._written:
            row["explain"] = json.dumps(record.get("explain"), ensure_ascii=False)
        return row

    def _first_schema(self, rows: list[dict]):
        import pyarrow as pa

        added = set(self._added)
        names: dict[str, None] = {}
        for r in rows:  # the records' own fields in the order first met, then the added columns
            names.update(dict.fromkeys(k for k in r if k not in added))
        names.update(dict.fromkeys(self._added))
        given = {n: self._types.get(n) for n in names if n not in added}
        carried = {  # the input's own type; a type not carried or not fitting: inferred
            n for n, kind in given.items() if kind is not None and _converts([r.get(n) for r in rows], kind, True)
        }
        rest = [n for n in names if n not in carried]
        inferred = pa.Table.from_pylist([{n: r.get(n) for n in rest} for r in rows]).schema if rest else None
        fields = []
        for name in names:
            if name in carried:
                fields.append(pa.field(name, self._types[name]))
                continue
            assert inferred is not None
            kind = inferred.field(name).type
            if name in ("labels", "provisional") and name in added:
                kind = pa.list_(pa.string())
            elif name in added and name.startswith("score_"):
                kind = pa.float64()
            elif pa.types.is_null(kind):
                kind = pa.string()
            fields.append(pa.field(name, kind))
        self._carried = frozenset(carried)
        return pa.schema(fields)

    def _flush(self) -> None:
        import pyarrow as pa

        if not self._batch:
            return
        batch, places, self._batch, self._places = self._batch, self._places, [], []
        rows = [self._row(r) for r in batch]
        try:
            if self._schema is None:
                self._schema = self._first_schema(rows)
                self._writer = self._pq.ParquetWriter(self.fh, self._schema)
            known = set(self._schema.names)
            late = next((i for i, r in enumerate(rows) if not known.issuperset(r)), None)
            if late is not None:
                extra = ", ".join(repr(k) for k in rows[late] if k not in known)
                raise self._refusal(
                    late, places, f"a record has fields the first {_BATCH} had not ({extra}); "
                    "write JSON Lines or CSV instead"
                )
            columns = [
                _column([r.get(f.name) for r in rows], f.type, f.name in self._carried) for f in self._schema
            ]
            table = pa.Table.from_arrays(columns, schema=self._schema)
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
            if isinstance(exc, InputError):
                raise
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            found = _first_misfit(rows, self._schema, self._carried)
            if found is None:  # not one value's fault
                raise InputError(
                    f"cannot write these records as Parquet ({message}); write JSON Lines instead", self.name
                ) from None
            row, field, message = found
            raise self._refusal(
                row, places, f"field {field!r} cannot be written as Parquet ({message}); write JSON Lines instead"
            ) from None
        self._writer.write_table(table)
        self._done += len(rows)

    def _refusal(self, row: int, places, message: str) -> InputError:
        """The error about the batch's record ``row``: at the place it was read, when known,
        else as the output's record N (counted from 1)."""
        where = places[row]
        if where is not None:
            return InputError(message, *where)
        return InputError(f"record {self._done + row + 1}: {message}", self.name)

    def discard(self) -> None:
        """Close after a failure, writing nothing more that matters (the file is thrown away)."""
        self._batch = []
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001 - the file is being removed anyway
                pass
            self._writer = None

    def close(self) -> None:
        """Write what is pending and the file's footer (an empty input gives no rows)."""
        self._flush()
        if self._writer is None:
            import pyarrow as pa

            self._writer = self._pq.ParquetWriter(self.fh, pa.schema([pa.field("text", pa.string())]))
        self._writer.close()
