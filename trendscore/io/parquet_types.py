"""A Parquet input's own column types, carried to a Parquet output.

Records travel as plain Python values (:func:`trendscore.io.parquet.open_parquet`: dates and
timestamps as ISO text, decimals as floats, bytes as text, ...), which is what JSON Lines and
CSV output write. A Parquet output would otherwise infer its types from those values (an int32
column became int64, a timestamp text). So the input file's schema goes beside the records
(:func:`output_types`, keyed by the names the fields have in the output) and the Parquet
writer builds each such column back in its input type (:func:`typed_array`). One rule for
every back-end: the same function runs wherever a Parquet file or part is written.

Carried: integers of any width and sign, floats (16, 32, 64 bits), booleans, strings, binary
(of any size; bytes that were not UTF-8 came as their base64 text and are decoded),
dates, timestamps (any unit, with or without a time zone), times, durations, decimals, the
null type, dictionary-encoded columns, and lists, large lists, structs and maps of these.
Not carried (the column's type is inferred from its values, as before): any other type
(fixed-size lists, unions, extension types, intervals...), and a column whose values do not
fit the type the first file gave that name (another input holding other values under it).
Values are the input's, except what the plain values had already lost: a ``time64[ns]`` is
read to the microsecond, and a duration is held as float seconds (exact to the microsecond
within some 285 years; to the nanosecond within some 100 days).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
from typing import Any

__all__ = ["Base64Text", "NotCarried", "joined_type", "output_types", "typed_array"]


class Base64Text(str):
    """Bytes that are not UTF-8, passed through as their base64 text: fine for a field that is
    passed on, never a text to label (the reader refuses it there); a binary column of a
    Parquet output decodes it back to its bytes (:func:`typed_array`)."""


class NotCarried(TypeError):
    """A type :func:`typed_array` does not build back from plain values."""


def output_types(schema, renames: dict[str, str], written: tuple[str, ...]) -> dict[str, Any]:
    """``{output field name: Arrow type}`` of a Parquet input's ``schema``: its columns renamed
    as records are read (``renames``: :attr:`trendscore.io.columns.Columns.renames`) and as
    labelling keeps a row's own fields of the names it writes (``written``:
    :func:`trendscore.io.rows.written_fields`, a ``labels`` column kept as ``labels_input``)."""
    from trendscore.io.rows import input_columns

    named = {renames.get(field.name, field.name): field.type for field in schema}
    kept = input_columns(list(named), written)
    return {kept.get(name, name): kind for name, kind in named.items()}


def joined_type(one, other):
    """The type two Parquet inputs' types of one field widen to (int32 and int64: int64, as
    :func:`trendscore.io.parquet_parts.unify_parts` joins the parts of a directory), or None
    when they do not join (a number and a text): the field's type is then inferred.

    >>> import pyarrow as pa
    >>> joined_type(pa.int32(), pa.int64()), joined_type(pa.int32(), pa.string())
    (DataType(int64), None)
    """
    import pyarrow as pa

    if one is None or other is None:
        return None
    try:
        return pa.unify_schemas(
            [pa.schema([pa.field("f", one)]), pa.schema([pa.field("f", other)])], promote_options="permissive"
        ).field("f").type
    except (pa.ArrowException, TypeError, ValueError):
        return None


_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}


def _bytes(value):
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, Base64Text):  # bytes that were not UTF-8
        return base64.b64decode(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    raise NotCarried(f"{type(value).__name__} for a binary column")


def _decimal(value):
    from trendscore.io.jsonfast import RawNumber

    if value is None or isinstance(value, decimal.Decimal):
        return value
    if isinstance(value, RawNumber):  # more digits than a float keeps: its digits
        return decimal.Decimal(value.text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotCarried(f"{type(value).__name__} for a decimal column")
    return decimal.Decimal(repr(value) if isinstance(value, float) else value)


def _seconds(value, unit: str):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotCarried(f"{type(value).__name__} for a duration column")
    return round(value * _PER_SECOND[unit])


def _time(value):
    if value is None or isinstance(value, dt.time):
        return value
    if not isinstance(value, str):
        raise NotCarried(f"{type(value).__name__} for a time column")
    return dt.time.fromisoformat(value)


def _offsets(values: list, wide: bool):
    """Offsets of a list-like column (a null entry's offset null), and its entries flattened."""
    import pyarrow as pa

    offsets: list[int | None] = []
    flat: list = []
    for value in values:
        if value is None:
            offsets.append(None)
            continue
        if not isinstance(value, list):
            raise NotCarried(f"{type(value).__name__} for a list column")
        offsets.append(len(flat))
        flat.extend(value)
    offsets.append(len(flat))
    return pa.array(offsets, pa.int64() if wide else pa.int32()), flat


def typed_array(values: list, kind):
    """An Arrow array of type ``kind`` holding the plain ``values`` a Parquet column of that type
    was read as (see the module's text); :class:`NotCarried` for a type not carried, and
    pyarrow's error (or :class:`NotCarried`) for values that do not fit it."""
    import pyarrow as pa

    types = pa.types
    if types.is_dictionary(kind):
        return typed_array(values, kind.value_type).dictionary_encode().cast(kind)
    if types.is_list(kind) or types.is_large_list(kind):
        offsets, flat = _offsets(values, types.is_large_list(kind))
        maker = pa.LargeListArray if types.is_large_list(kind) else pa.ListArray
        return maker.from_arrays(offsets, typed_array(flat, kind.value_type)).cast(kind)
    if types.is_map(kind):
        offsets, flat = _offsets(values, False)
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in flat):
            raise NotCarried("a map entry that is no (key, value) pair")
        keys = typed_array([pair[0] for pair in flat], kind.key_type)
        items = typed_array([pair[1] for pair in flat], kind.item_type)
        return pa.MapArray.from_arrays(offsets, keys, items).cast(kind)
    if types.is_struct(kind):
        if not all(value is None or isinstance(value, dict) for value in values):
            raise NotCarried("a value that is no record for a struct column")
        fields = [kind.field(i) for i in range(kind.num_fields)]
        children = [typed_array([None if v is None else v.get(f.name) for v in values], f.type) for f in fields]
        mask = pa.array([value is None for value in values], pa.bool_())
        return pa.StructArray.from_arrays(children, fields=fields, mask=mask)
    if types.is_date(kind) or types.is_timestamp(kind):  # ISO text, parsed by Arrow (to the nanosecond)
        if not all(value is None or isinstance(value, str) for value in values):
            raise NotCarried("a value that is no date text for a date or timestamp column")
        text = pa.array(values, pa.string())
        if types.is_date(kind):
            return text.cast(kind)
        # Arrow parses no more fraction digits than the unit has: ".456000" (Python's
        # microseconds) into ms is read in us first, and cast down only when exact
        finer = pa.timestamp("ns" if kind.unit == "ns" else "us", kind.tz)
        return text.cast(finer).cast(kind)
    if types.is_time(kind):
        return pa.array([_time(v) for v in values], kind)
    if types.is_duration(kind):
        return pa.array([_seconds(v, kind.unit) for v in values], pa.int64()).cast(kind)
    if types.is_decimal(kind):
        return pa.array([_decimal(v) for v in values], kind)
    if types.is_binary(kind) or types.is_large_binary(kind) or types.is_fixed_size_binary(kind):
        return pa.array([_bytes(v) for v in values], kind)
    if types.is_float16(kind):
        return pa.array(values, pa.float64()).cast(kind)
    if (
        types.is_integer(kind)
        or types.is_floating(kind)
        or types.is_boolean(kind)
        or types.is_string(kind)
        or types.is_large_string(kind)
        or types.is_null(kind)
    ):
        return pa.array(values, kind)
    raise NotCarried(f"{kind} is not carried")

