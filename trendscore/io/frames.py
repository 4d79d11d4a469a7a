"""pandas DataFrames in and out of the Python API, without importing pandas unless a frame
is given (pandas is the ``pandas`` extra)."""

from __future__ import annotations

import math

from trendscore.errors import InputError, one_line

__all__ = ["is_frame", "frame_texts", "labelled_frame", "frame_records", "require_pandas", "plain_value"]

_WHERE = "<DataFrame>"


def _is_pandas(obj, name: str) -> bool:
    return any(
        c.__name__ == name and (c.__module__ == "pandas" or c.__module__.startswith("pandas."))
        for c in type(obj).__mro__
    )


def is_frame(obj) -> bool:
    """True for a pandas DataFrame, or a subclass of one (told without importing pandas)."""
    return _is_pandas(obj, "DataFrame")


def is_series(obj) -> bool:
    """True when ``obj`` is a pandas Series (checked without importing pandas)."""
    return _is_pandas(obj, "Series")


def require_pandas(what: str):
    """``pandas``, or a one-line error naming the extra that installs it."""
    from trendscore.extras import require

    return require("pandas", what)


def _missing(value) -> bool:
    """None, NaN, pandas' NA and NaT."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def frame_texts(frame, text_column: str) -> list[str]:
    """The texts of a frame's ``text_column``; refuses a missing column or a row that is not text."""
    if text_column not in frame.columns:
        columns = one_line(", ".join(map(str, frame.columns)))
        raise InputError(f"the DataFrame has no {text_column!r} column (columns: {columns}); pass text_column=")
    column = frame[text_column]
    if is_frame(column):  # several columns share the name
        raise InputError(f"the DataFrame has {column.shape[1]} columns named {text_column!r}; keep one")
    texts = column.tolist()
    for row, (index, text) in enumerate(zip(frame.index, texts), 1):
        if not isinstance(text, str):
            got = "a missing value" if _missing(text) else type(text).__name__
            raise InputError(f"expected a string {text_column!r}, got {got} (index {index!r})", _WHERE, row)
    return texts


def labelled_frame(frame, results: list[dict], themes: list[str]):
    """A copy of ``frame`` with ``labels`` and one ``score_<theme>`` probability column per theme."""
    out = frame.copy()
    out["labels"] = [r["labels"] for r in results]
    for theme in themes:
        out[f"score_{theme}"] = [r["scores"][theme] for r in results]
    if results and "provisional" in results[0]:  # themes made from a few examples (themes add)
        out["provisional"] = [r["provisional"] for r in results]
    return out


def plain_value(value):
    """A frame cell as trendscore reads records: numpy arrays of labels become lists, numpy
    scalars Python numbers; missing values None."""
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if _missing(value):
        return None
    return value


def frame_records(frame, text_column: str = "text", date_column: str = "date", id_column: str = "id") -> list[dict]:
    """A frame's rows as records, with the chosen columns renamed to ``text``, ``date`` and
    ``id``; a ``labels`` cell that is missing leaves the row to be labelled by the model.
    Dates stay the objects pandas holds (Timestamps): :func:`trendscore.io.dates.parse_date`
    reads them."""
    from trendscore.io.columns import Columns

    columns = Columns(text_column, date_column, id_column)
    names = [str(c) for c in frame.columns]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:  # to_dict would keep one of them without a word
        raise InputError(f"the DataFrame has several columns named {twice[0]!r}; keep one")
    columns.check_header(names, _WHERE, "the DataFrame", require_text=False)
    records = []
    for row, record in enumerate(frame.to_dict("records"), 1):
        record = {str(k): v for k, v in record.items()}
        if "labels" in record:
            labels = plain_value(record["labels"]) if not isinstance(record["labels"], list) else record["labels"]
            if labels is None:
                del record["labels"]
            else:
                record["labels"] = labels
        records.append(columns.rename(record, _WHERE, row))
    return records
