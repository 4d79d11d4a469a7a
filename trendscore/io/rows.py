"""How errors name a row of the data given to the Python API, which has no file and line.

One rule for every entry point (``trendscore.label``, ``trendscore.score``,
``score_dataframe``): the rows of a pandas DataFrame (or of a Dask DataFrame) are
``<DataFrame>:N``, the dicts of a list of records ``<records>:N``; N counts from 1 in the order
the rows were given, across the whole input (not the frame's index, nor a partition's row);
``trendscore.label`` and ``trendscore.score`` add the row's index value, ``(index 'r7')``
(:func:`trendscore.io.frames.name_index`).
:func:`trendscore.io.frames.rows_name` tells which name some data takes.
"""

from __future__ import annotations

__all__ = ["FRAME", "INPUT_LABELS", "RECORDS", "input_labels_name"]

#: how errors name the rows of a DataFrame
FRAME = "<DataFrame>"
#: how errors name the dicts of a list (or other iterable) of records
RECORDS = "<records>"
#: the field (or column) that keeps a row's own ``labels`` once the model's labels take that name
INPUT_LABELS = "labels_input"


def input_labels_name(taken) -> str:
    """The name under which a row's own ``labels`` are kept, one rule for every way of
    labelling (``label``, :func:`trendscore.label`, ``label_dataframe``): ``labels_input``, or
    ``labels_input_2``, ``_3``... when the row (``taken``: its field or column names) has that
    name already.

    >>> input_labels_name({"text", "labels"}), input_labels_name({"labels", "labels_input"})
    ('labels_input', 'labels_input_2')
    """
    name, n = INPUT_LABELS, 1
    while name in taken:
        n += 1
        name = f"{INPUT_LABELS}_{n}"
    return name

