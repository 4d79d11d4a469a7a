"""One schema for the Parquet parts of a label job's output directory.

Each part is written by whichever process labelled its chunk, with the types its own records
give (:class:`trendscore.io.parquet.ParquetWriter`): a field null in every record of one chunk
is text there, a list empty in every record has no element type, a field a chunk never met has
no column. Read as one dataset (``pyarrow.dataset.dataset(DIR)``, ``pandas.read_parquet(DIR)``)
such parts failed or depended on where the chunks were cut. Once every part is written, their
schemas are joined here, one column at a time (the records' own fields in the order the parts
first name them, then the columns labelling adds, as one file has them): a
column null in every row of a part (or of a part with no rows) takes the others' type, types
that widen (an int and a float, a list with no element type and one of strings, records with
different keys) are widened, and the parts that differ from the joined schema are rewritten
with it (a column a part lacks is null there). Types that cannot be joined (a field of numbers
in one chunk and of text in another) are refused, as one Parquet file refuses them.
"""

from __future__ import annotations

import os

from trendscore.errors import InputError, one_line

__all__ = ["unify_parts"]


def unify_parts(directory: str, name: str) -> None:
    """Give every ``part-*.parquet`` of ``directory`` one schema (see the module's text);
    ``name``: the output directory as the user named it, which an error names."""
    from trendscore.io.parquet import require_pyarrow

    pq = require_pyarrow(name)
    paths = sorted(os.path.join(directory, p) for p in os.listdir(directory) if p.startswith("part-"))
    schemas = [pq.read_schema(p) for p in paths]
    if all(s.equals(schemas[0]) for s in schemas[1:]):  # (also no part, or one)
        return
    target = _joined(pq, paths, schemas, name)
    for path, schema in zip(paths, schemas):
        if not schema.equals(target):
            _rewrite(pq, path, target, name)


def _empty(pq, path: str, column: str) -> bool:
    """Whether ``column`` of the part at ``path`` is null in every row (or the part has none)."""
    return pq.read_table(path, columns=[column]).column(0).null_count == pq.read_metadata(path).num_rows


def _joined(pq, paths: list[str], schemas: list, name: str):
    """The schema every part is given: each column's type joined over the parts that hold a
    value in it."""
    import pyarrow as pa

    from trendscore.io.parquet_types import joined_type

    fields = []
    for column in _column_order(schemas):
        held = [(path, s.field(column).type) for path, s in zip(paths, schemas) if column in s.names]
        kinds = [kind for _, kind in held]
        if len(set(kinds)) > 1:  # those of the parts with a value in it
            kinds = [kind for path, kind in held if not _empty(pq, path, column)] or kinds[:1]
        kind = kinds[0]
        for other in kinds[1:]:
            joined = joined_type(kind, other)  # as two Parquet inputs' types of one field are joined
            if joined is None:
                raise InputError(
                    f"field {column!r} holds {kind} in some records and {other} in others, which one Parquet "
                    "dataset cannot hold; write JSON Lines instead",
                    name,
                )
            kind = joined
        fields.append(pa.field(column, kind))
    return pa.schema(fields)


def _column_order(schemas: list) -> list[str]:
    """The joined schema's column names: the records' own fields in the order the parts first
    name them, then the columns labelling adds (each part's names from ``labels`` on), as one
    file of the same records has them (:func:`trendscore.io.rows.added_columns`)."""
    own: dict[str, None] = {}
    added: dict[str, None] = {}
    for schema in schemas:
        names = list(schema.names)
        cut = names.index("labels") if "labels" in names else len(names)
        own.update(dict.fromkeys(names[:cut]))
        added.update(dict.fromkeys(names[cut:]))
    return [*own, *(name for name in added if name not in own)]


def _rewrite(pq, path: str, schema, name: str) -> None:
    """Write the part at ``path`` again with ``schema``, atomically."""
    import pyarrow as pa

    from trendscore.io.parquet import _BATCH
    from trendscore.io.writers import AtomicOutput

    table = pq.read_table(path)
    columns = []
    for field in schema:
        if field.name not in table.column_names or table.column(field.name).null_count == table.num_rows:
            columns.append(pa.nulls(table.num_rows, field.type))
            continue
        try:
            columns.append(table.column(field.name).cast(field.type))
        except (pa.ArrowException, TypeError, ValueError) as exc:
            given = table.schema.field(field.name).type
            raise InputError(
                f"field {field.name!r} holds {given} in some records and {field.type} in others, which one "
                f"Parquet dataset cannot hold ({one_line(str(exc))}); write JSON Lines instead",
                name,
            ) from None
    with AtomicOutput(path, binary=True) as raw:
        pq.write_table(pa.Table.from_arrays(columns, schema=schema), raw, row_group_size=_BATCH)
