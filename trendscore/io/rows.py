"""How errors name a row of the data given to the Python API, which has no file and line.

One rule for every entry point (``trendscore.label``, ``trendscore.score``,
``score_dataframe``): the rows of a pandas DataFrame (or of a Dask DataFrame) are
``<DataFrame>:N``, the dicts of a list of records ``<records>:N``; N counts from 1 in the order
the rows were given, across the whole input (not the frame's index, nor a partition's row);
``trendscore.label``, ``trendscore.score`` and ``score_dataframe`` add the row's index value, ``(index 'r7')``
(:func:`trendscore.io.frames.name_index`).
:func:`trendscore.io.frames.rows_name` tells which name some data takes.

Also one rule for what labelling does with a row's own fields of the names the labeller
writes (``labels``, ``scores``, and ``explain`` and ``provisional`` when it writes them:
:func:`written_fields`, :func:`keep_input_fields`), and one for the order of the columns of a
labelled table, CSV or Parquet output or DataFrame (:func:`added_columns`).
"""

from __future__ import annotations

__all__ = [
    "FRAME",
    "INPUT_FIELDS",
    "INPUT_LABELS",
    "RECORDS",
    "added_columns",
    "input_columns",
    "input_labels_name",
    "input_name",
    "keep_input_fields",
    "written_fields",
]

#: how errors name the rows of a DataFrame
FRAME = "<DataFrame>"
#: how errors name the dicts of a list (or other iterable) of records
RECORDS = "<records>"
#: the field (or column) that keeps a row's own ``labels`` once the model's labels take that name
INPUT_LABELS = "labels_input"


#: the fields (or columns) of a row's own that labelling always keeps under another name,
#: because the model's answer takes their name: its ``labels``, and its ``scores`` (a JSON
#: Lines record's, or a dict record's, as ``label`` writes it; a re-labelled output holds both)
INPUT_FIELDS = ("labels", "scores")


def written_fields(explain: bool = False, provisional: bool = False) -> tuple[str, ...]:
    """The fields labelling writes in each record, whose names a row's own fields give way to
    (:func:`keep_input_fields`): :data:`INPUT_FIELDS`, ``explain`` when explanations are asked
    (``label --explain``), ``provisional`` when the model has provisional themes (it names them
    in every record).

    >>> written_fields(), written_fields(explain=True, provisional=True)
    (('labels', 'scores'), ('labels', 'scores', 'explain', 'provisional'))
    """
    return INPUT_FIELDS + (("explain",) if explain else ()) + (("provisional",) if provisional else ())


def added_columns(themes, explain: bool = False, provisional: bool = False) -> list[str]:
    """The columns labelling adds to a table, in their order: ``labels``, one ``score_<theme>``
    per theme of ``themes`` (the model's order), ``provisional`` when the model has provisional
    themes, ``explain`` when explanations are asked. One rule for ``label``'s CSV and Parquet
    output and :func:`trendscore.label` on a DataFrame: the input's own fields come first, in
    the order they are first met (a frame's in its column order), whichever record first has
    one, and these columns after all of them.

    >>> added_columns(["policy", "culture"], provisional=True)
    ['labels', 'score_policy', 'score_culture', 'provisional']
    """
    return (
        ["labels"]
        + [f"score_{theme}" for theme in themes]
        + (["provisional"] if provisional else [])
        + (["explain"] if explain else [])
    )


def input_name(field: str, taken) -> str:
    """The name under which a row's own ``field`` (one of :func:`written_fields`) is kept:
    ``FIELD_input``, or ``FIELD_input_2``, ``_3``... when the row (``taken``: its field or
    column names) has that name already.

    >>> input_name("scores", {"text", "scores"}), input_name("scores", {"scores", "scores_input"})
    ('scores_input', 'scores_input_2')
    """
    base = f"{field}_input"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def keep_input_fields(record: dict, fields: tuple[str, ...] = INPUT_FIELDS) -> dict:
    """Rename a record's own fields of the names labelling writes (``fields``: see
    :func:`written_fields`; ``labels`` and ``scores`` unless told) to the names
    :func:`input_name` gives, in place and where they stand among its fields (as a DataFrame's
    columns are renamed: :func:`input_columns`), so that the model's answer does not replace
    them; one rule for ``label`` (every output format) and :func:`trendscore.label`. Returns
    the record.

    >>> keep_input_fields({"labels": ["policy"], "text": "t", "scores": "mine"})
    {'labels_input': ['policy'], 'text': 't', 'scores_input': 'mine'}
    >>> keep_input_fields({"text": "t", "explain": "why"}, written_fields(explain=True))
    {'text': 't', 'explain_input': 'why'}
    """
    if record.keys().isdisjoint(fields):  # the usual record, told at once: labelling's hot path
        return record
    renames = {field: input_name(field, record) for field in fields if field in record}
    items = [(renames.get(key, key), value) for key, value in record.items()]
    record.clear()
    record.update(items)
    return record


def input_columns(columns, fields: tuple[str, ...] = INPUT_FIELDS) -> dict:
    """``{column: new name}`` for a frame's own columns of the names labelling writes
    (``fields``, as for :func:`keep_input_fields`), as :func:`keep_input_fields` renames a
    record's fields (for ``DataFrame.rename``).

    >>> input_columns(["text", "scores", "labels"])
    {'labels': 'labels_input', 'scores': 'scores_input'}
    """
    taken = {str(c) for c in columns}
    return {field: input_name(field, taken) for field in fields if field in taken}


def input_labels_name(taken) -> str:
    """The name under which a row's own ``labels`` are kept, one rule for every way of
    labelling (``label``, :func:`trendscore.label`, ``label_dataframe``): ``labels_input``, or
    ``labels_input_2``, ``_3``... when the row (``taken``: its field or column names) has that
    name already.

    >>> input_labels_name({"text", "labels"}), input_labels_name({"labels", "labels_input"})
    ('labels_input', 'labels_input_2')
    """
    return input_name("labels", taken)

