"""How errors name a row of the data given to the Python API, which has no file and line.

One rule for every entry point (``trendscore.label``, ``trendscore.score``,
``score_dataframe``): the rows of a pandas DataFrame (or of a Dask DataFrame) are
``<DataFrame>:N``, the dicts of a list of records ``<records>:N``; N counts from 1 in the order
the rows were given, across the whole input (not the frame's index, nor a partition's row).
:func:`trendscore.io.frames.rows_name` tells which name some data takes.
"""

from __future__ import annotations

__all__ = ["FRAME", "RECORDS"]

#: how errors name the rows of a DataFrame
FRAME = "<DataFrame>"
#: how errors name the dicts of a list (or other iterable) of records
RECORDS = "<records>"

