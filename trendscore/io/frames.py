"""pandas DataFrames in and out of the Python API, without importing pandas unless a frame
is given (pandas is the ``pandas`` extra)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from trendscore.errors import InputError, one_line, quoted
from trendscore.io.rows import FRAME, RECORDS, input_columns, written_fields

__all__ = [
    "is_frame",
    "is_missing_cell",
    "rows_name",
    "frame_texts",
    "labelled_frame",
    "check_added_columns",
    "check_text_column",
    "renamed_for_labels",
    "without_null_labels",
    "frame_rows",
    "name_index",
    "frame_labels",
    "labels_as_text",
    "label_cell_kinds",
    "kinds_as_text",
    "require_pandas",
    "plain_value",
]


def _is_pandas(obj, name: str) -> bool:
    return any(
        c.__name__ == name and (c.__module__ == "pandas" or c.__module__.startswith("pandas."))
        for c in type(obj).__mro__
    )


def is_frame(obj) -> bool:
    """True for a pandas DataFrame, or a subclass of one (told without importing pandas)."""
    return _is_pandas(obj, "DataFrame")


def rows_name(data) -> str:
    """How errors name the rows of ``data``, as the user gave it (see :mod:`trendscore.io.rows`):
    ``<DataFrame>`` for a pandas DataFrame, ``<records>`` for anything else.

    >>> rows_name([{"text": "短剧"}])
    '<records>'
    """
    return FRAME if is_frame(data) else RECORDS


def is_series(obj) -> bool:
    """True when ``obj`` is a pandas Series (checked without importing pandas)."""
    return _is_pandas(obj, "Series")


def require_pandas(what: str):
    """``pandas``, or a one-line error naming the extra that installs it."""
    from trendscore.extras import require

    return require("pandas", what)


def is_missing_cell(value) -> bool:
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
    if is_frame(column) and getattr(frame.columns, "nlevels", 1) > 1:  # a group of a MultiIndex
        raise InputError(
            f"the DataFrame's columns have {frame.columns.nlevels} levels, and {text_column!r} names a group of "
            f"{column.shape[1]} of them; give the frame one level of column names"
        )
    if is_frame(column):  # several columns share the name
        raise InputError(f"the DataFrame has {column.shape[1]} columns named {text_column!r}; keep one")
    texts = column.tolist()
    for row, (index, text) in enumerate(zip(frame.index, texts), 1):
        if not isinstance(text, str):
            got = "a missing value" if is_missing_cell(text) else type(text).__name__
            raise InputError(f"expected a string {text_column!r}, got {got} (index {index!r})", FRAME, row)
    return texts


def check_added_columns(columns, themes: list[str]) -> None:
    """Refuse a frame (its ``columns``) holding a column the labels would replace: a
    ``score_<theme>`` of one of ``themes``, as ``label``'s CSV output refuses such a field; its
    values would be lost. (A ``provisional`` column of its own is kept aside instead:
    :func:`renamed_for_labels`.)"""
    added = {f"score_{t}" for t in themes}
    taken = next((c for c in columns if str(c) in added), None)
    if taken is not None:
        raise InputError(
            f"the DataFrame has a column {str(taken)!r}, the name of a column the labels add; "
            "rename it, or its values would be replaced"
        )


def check_text_column(columns, text_column: str) -> None:
    """Refuse a frame (its ``columns``) holding both ``text_column`` and ``text``: the text
    column is renamed ``text`` in the labelled frame, as ``label`` renames it, and the other
    would be lost (``label`` refuses such a CSV or Parquet header likewise)."""
    names = {str(c) for c in columns}
    if text_column != "text" and text_column in names and "text" in names:
        from trendscore.io.columns import both_fields

        raise both_fields(f"the DataFrame has both a {text_column!r} and a 'text' column", "text", FRAME, 1)


def renamed_for_labels(frame, text_column: str = "text", provisional: bool = False):
    """A copy of ``frame`` renamed as labelling renames a record's fields: its own ``labels``
    and ``scores`` (and ``provisional``, when the model has provisional themes) kept aside
    (:func:`trendscore.io.rows.input_columns`) and ``text_column`` named ``text`` (a frame
    holding both is refused: :func:`check_text_column`). One rule for :func:`labelled_frame`
    and the Dask API's empty frame that describes its partitions."""
    check_text_column(frame.columns, text_column)
    kept = input_columns(frame.columns, written_fields(provisional=provisional))
    renames = kept | ({text_column: "text"} if text_column != "text" else {})
    return frame.rename(columns=renames) if renames else frame.copy()


def without_null_labels(frame):
    """``frame`` without its ``labels`` column when every cell of it is missing (None, NaN, NA):
    such a column holds no labels of the user's, as a JSON Lines record's ``"labels": null`` and
    a Parquet column of nulls do not, which ``label`` drops rather than keep as ``labels_input``.
    A column with some labels is kept whole (its missing cells stay missing). The frame itself
    when there is nothing to drop (an empty frame keeps its column: nothing says it is null).

    >>> import pandas as pd
    >>> list(without_null_labels(pd.DataFrame({"text": ["a"], "labels": [None]})).columns)
    ['text']
    """
    key = labels_key(frame.columns)
    if key is not None and drops_null_labels([null_labels_count(frame[key])]):
        return frame.drop(columns=[key])
    return frame


def labels_key(columns):
    """The key of the one column of ``columns`` named ``labels``, or None (none, or several)."""
    names = [str(c) for c in columns]
    return columns[names.index("labels")] if names.count("labels") == 1 else None


def null_labels_count(cells) -> tuple[int, bool]:
    """``(rows, every cell missing)`` of a ``labels`` column, or of a part of one (a Dask
    partition's): :func:`drops_null_labels` joins the parts."""
    values = cells.tolist()
    return len(values), all(is_missing_cell(cell) for cell in values)


def drops_null_labels(counts) -> bool:
    """Whether a ``labels`` column whose parts gave ``counts`` (:func:`null_labels_count`) is
    dropped by labelling (:func:`without_null_labels`): it has rows, all missing. One rule for
    a pandas frame and a Dask one."""
    return sum(rows for rows, _ in counts) > 0 and all(missing for _, missing in counts)


def labelled_frame(frame, results: list[dict], themes: list[str], text_column: str = "text", provisional: bool = False):
    """A copy of ``frame`` with ``labels`` and one ``score_<theme>`` probability column per theme
    (and ``provisional`` when the model has provisional themes: ``provisional``), its
    ``text_column`` renamed ``text`` as ``label`` renames it (:func:`check_text_column`). A
    ``labels``, ``scores`` or (with provisional themes) ``provisional`` column of the frame's own
    is kept, renamed as ``label`` keeps a record's (``labels_input``, ``scores_input``,
    ``provisional_input``: :func:`trendscore.io.rows.input_columns`); a ``score_<theme>`` column
    is refused (:func:`check_added_columns`)."""
    check_added_columns(frame.columns, themes)
    out = renamed_for_labels(frame, text_column, provisional)
    out["labels"] = [r["labels"] for r in results]
    for theme in themes:
        out[f"score_{theme}"] = [r["scores"][theme] for r in results]
    if provisional and results:  # themes made from a few examples (themes add)
        out["provisional"] = [r["provisional"] for r in results]
    return out


def plain_value(value):
    """A frame cell as trendscore reads records: numpy arrays of labels become lists, numpy
    scalars Python numbers; missing values None."""
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if is_missing_cell(value):
        return None
    return value


def labels_as_text(cells, list_text: bool = False) -> bool:
    """True when a ``labels`` column came as text: some cell is a string and every other is a
    string or missing, as pandas reads ``label``'s CSV output (an empty cell, a passage with no
    theme, comes back as NaN unless ``keep_default_na=False``). Pass it to :func:`frame_labels`
    as ``missing_is_empty`` for each cell of that column. With ``list_text`` (as for
    :func:`frame_labels`) a string that is a list written out counts as the list it was.

    >>> labels_as_text(["policy", float("nan")]), labels_as_text([["policy"], None]), labels_as_text([None])
    (True, False, False)
    >>> labels_as_text(["['policy']", None], list_text=True)
    False
    """
    return kinds_as_text(label_cell_kinds(cells, list_text))


def label_cell_kinds(cells, list_text: bool = False) -> set[str]:
    """The kinds of ``labels`` cells among ``cells``: ``"text"`` (a string read as a CSV cell),
    ``"list"`` (a list, tuple or array; with ``list_text`` also a string that is a list written
    out), ``"missing"`` and ``"other"``. The kinds of the parts of a column, joined, are the
    kinds of the column: :func:`kinds_as_text` then tells whether it came as text, whichever
    way it was cut (a Dask DataFrame's partitions).

    >>> sorted(label_cell_kinds(["policy", None, ["culture"]]))
    ['list', 'missing', 'text']
    """
    kinds: set[str] = set()
    for cell in cells:
        kinds.add(_cell_kind(cell, list_text))
        if "text" in kinds and kinds & {"list", "other"}:
            break  # not text whatever the rest holds
    return kinds


def kinds_as_text(kinds) -> bool:
    """True when cells of these kinds (:func:`label_cell_kinds`) are a column that came as text."""
    return "text" in kinds and not set(kinds) & {"list", "other"}


def _cell_kind(cell, list_text: bool) -> str:
    """What :func:`frame_labels` makes of a cell: see :func:`label_cell_kinds`."""
    if hasattr(cell, "tolist") and not isinstance(cell, str):
        cell = cell.tolist()
    if isinstance(cell, str):
        return "list" if list_text and _written_list(cell) is not None else "text"
    if isinstance(cell, (list, tuple)):
        return "list"
    return "missing" if is_missing_cell(cell) else "other"


def _written_list(cell: str) -> list | tuple | None:
    """The list or tuple a string that is not a CSV labels cell writes out (as Dask writes a
    list: ``"['policy']"``), or None."""
    from trendscore.io.readers import csv_labels_problem

    if csv_labels_problem(cell) is None:
        return None
    import ast

    try:
        parsed = ast.literal_eval(cell.strip())  # literals only
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None
    return parsed if isinstance(parsed, (list, tuple)) else None


def frame_labels(cell, row: int, list_text: bool = False, missing_is_empty: bool = False) -> list[str] | None:
    """A frame's ``labels`` cell as theme names, or None when it is missing (the model labels
    the row); ``row`` is the 1-based row, for messages. With ``missing_is_empty`` (the column
    came as text, :func:`labels_as_text`) a missing cell is the empty CSV cell pandas read as
    NaN: no theme, as the CSV reader reads it, never a row for the model.

    Lists, tuples and arrays (as Parquet gives them) are taken as they are; a string is read as
    the CSV reader reads ``label``'s CSV cells (``policy|overseas``; empty: no theme), which is
    what pandas holds after reading that CSV. A string written as a list by another tool
    (``['policy']``, ``policy,overseas``) is refused as the CSV reader refuses it, unless
    ``list_text``: Dask turns a column of lists into such strings itself (its
    ``dataframe.convert-string`` setting), and they are read back as the literals they are
    (one that is no list literal, ``policy,overseas``, is still refused as the CSV reader
    refuses it). Anything else is an :class:`InputError` naming the row, never a row counted with no theme.

    >>> frame_labels("policy|overseas", 1), frame_labels(["culture"], 2), frame_labels(float("nan"), 3)
    (['policy', 'overseas'], ['culture'], None)
    >>> frame_labels("['policy']", 4, list_text=True)
    ['policy']
    """
    from trendscore.io.readers import csv_labels, csv_labels_problem

    if hasattr(cell, "tolist") and not isinstance(cell, str):
        cell = cell.tolist()
    if isinstance(cell, str):
        problem = csv_labels_problem(cell)
        if problem is None:
            return csv_labels(cell)
        if not list_text:
            raise InputError(problem, FRAME, row)
        parsed = _written_list(cell)
        if parsed is None:  # not a list Dask wrote: refused as the CSV reader refuses it
            raise InputError(problem, FRAME, row)
        cell = parsed
    if isinstance(cell, (list, tuple)):
        if not all(isinstance(name, str) for name in cell):
            raise InputError("expected 'labels' as a list of theme names (strings)", FRAME, row)
        return list(cell)
    if is_missing_cell(cell):
        return [] if missing_is_empty else None
    raise InputError(f"expected 'labels' as a list of theme names, got {type(cell).__name__}", FRAME, row)


def frame_rows(
    frame,
    text_column: str = "text",
    date_column: str = "date",
    id_column: str = "id",
    as_text: bool | None = None,
    list_text: bool = False,
) -> Iterator[dict]:
    """A frame's rows as records, one at a time, with the chosen columns renamed to ``text``,
    ``date`` and ``id``; the columns are checked at once, each row as it is reached (so a bad
    row is met in row order, with the other checks of the records that come before it).

    A missing cell (None, NaN, pandas' NA, NaT) is None, as a null is in JSON Lines, and numpy
    values are Python ones. A ``labels`` cell is read by :func:`frame_labels` (lists, arrays,
    or ``label``'s CSV cells as pandas reads them), and one that is missing leaves the row to
    be labelled by the model, unless the column came as text (there a missing cell is an empty
    CSV cell, no theme): ``as_text`` says whether it did, None to decide from this frame's own
    column (:func:`labels_as_text`); a part of a larger frame must be given its whole column's
    answer. ``list_text`` is passed to both. Dates stay the objects pandas holds (Timestamps):
    :func:`trendscore.io.dates.parse_date` reads them."""
    from trendscore.io.columns import Columns

    columns = Columns(text_column, date_column, id_column)
    names = [str(c) for c in frame.columns]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:  # to_dict would keep one of them without a word
        raise InputError(f"the DataFrame has several columns named {twice[0]!r}; keep one")
    _check_index(frame, names, date_column)
    columns.check_header(names, FRAME, "the DataFrame", require_text=False)
    if as_text is None:
        labels_key = next((c for c in frame.columns if str(c) == "labels"), None)
        as_text = labels_key is not None and labels_as_text(frame[labels_key].tolist(), list_text)
    return _rows(frame, columns, as_text, list_text)


def name_index(error: InputError, frame) -> InputError:
    """``error`` with the index value of the row of ``frame`` it names (``<DataFrame>:N``, N
    counted from 1) added as ``(index ...)``, so that a frame indexed otherwise than 0, 1, 2 ...
    (by ids, by dates, filtered) shows which row to look at; an error naming no row of it, or
    already naming the index, is returned as it is. The error is changed in place."""
    line = error.line
    if error.path != FRAME or line is None or not 1 <= line <= len(frame) or "(index " in error.message:
        return error
    value = frame.index[line - 1 : line].tolist()[0]  # a Python value (not np.int64(7)) for the message
    error.message = f"{error.message} (index {one_line(quoted(value))})"
    error.args = (str(error._render()),)
    return error


def _check_index(frame, names: list[str], date_column: str) -> None:
    """Refuse a frame whose index, and no column, bears the name of the date column
    (``df.set_index("date")``): every row would be read as undated."""
    index_names = [str(n) for n in getattr(frame.index, "names", ()) if n is not None]
    if date_column not in names and date_column in index_names:
        raise InputError(
            f"the DataFrame's index is named {date_column!r}, and no column is: it is not read; "
            "pass frame.reset_index() to make it a column"
        )


def _rows(frame, columns, as_text: bool, list_text: bool) -> Iterator[dict]:
    for row, cells in enumerate(frame.to_dict("records"), 1):
        record = {str(k): v if type(v) is str or str(k) == "labels" else plain_value(v) for k, v in cells.items()}
        if "labels" in record:
            labels = frame_labels(record["labels"], row, list_text=list_text, missing_is_empty=as_text)
            if labels is None:
                del record["labels"]
            else:
                record["labels"] = labels
        yield columns.rename(record, FRAME, row)
