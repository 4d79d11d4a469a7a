"""What the estimators take as labels ``y``: a 0/1 matrix (one column per theme; a dense
array, nested lists of 0/1, a DataFrame or a scipy sparse matrix) for a multi-label fit, or one
class name per text for a single-label fit.

Forms that scikit-learn would turn away deep inside numpy, with a message about array shapes
or comparisons of None with str, are refused here with an :class:`~trendscore.errors.InputError`
saying what to give instead: lists (or tuples, sets) of theme names, as ``label`` writes them,
and a class that is missing (None, NaN).
"""

from __future__ import annotations

import math
from collections.abc import Sequence, Set

import numpy as np

from trendscore.errors import InputError, quoted

__all__ = ["checked_targets"]

#: what to do with lists of theme names, said in every refusal of them
_BINARIZE = (
    "give a 0/1 matrix, one column per theme: y = MultiLabelBinarizer(classes=themes).fit_transform(y) "
    "(sklearn.preprocessing), and themes to Model.from_estimator; or, for one theme a text, a flat list of names"
)


def checked_targets(y):
    """``y`` as the estimator fits on it: a scipy sparse 0/1 matrix made dense, anything else
    as given; an :class:`InputError` for lists of theme names and for a missing class.

    >>> checked_targets([["policy", "overseas"], ["policy"]])
    Traceback (most recent call last):
    ...
    trendscore.errors.InputError: y holds lists of theme names (row 1, counted from 1: ['policy', 'overseas']); \
give a 0/1 matrix, one column per theme: y = MultiLabelBinarizer(classes=themes).fit_transform(y) \
(sklearn.preprocessing), and themes to Model.from_estimator; or, for one theme a text, a flat list of names
    """
    if hasattr(y, "toarray") and hasattr(y, "nnz"):  # a scipy sparse matrix
        return y.toarray()
    rows = _rows(y)
    if rows is None:
        return y
    sizes = set()
    for n, row in enumerate(rows, 1):
        if _is_sequence(row):
            items = list(row)
            if isinstance(row, Set) or any(isinstance(item, str) for item in items):
                where = f"row {n}, counted from 1: {quoted(items)}"
                raise InputError(f"y holds lists of theme names ({where}); {_BINARIZE}")
            sizes.add(len(items))
        elif row is None or (isinstance(row, float) and math.isnan(row)):
            raise InputError(f"y has no class for row {n} (counted from 1): got {row!r}; give every text its class")
    if len(sizes) > 1:
        low, high = min(sizes), max(sizes)
        raise InputError(f"the rows of y are of different lengths ({low} and {high}); {_BINARIZE}")
    return y


def _rows(y) -> list | None:
    """The rows of ``y`` when it is a list, tuple, pandas Series or one-dimensional numpy
    array of objects (whose rows may be lists or None); None for other forms, which
    scikit-learn reads itself."""
    if isinstance(y, np.ndarray):
        return list(y) if y.ndim == 1 and y.dtype == object else None
    if isinstance(y, (list, tuple)):
        return list(y)
    if type(y).__name__ == "Series" and hasattr(y, "tolist"):
        return y.tolist()
    return None


def _is_sequence(row) -> bool:
    """Whether ``row`` is a row of labels (a list, tuple, set or array), not one class."""
    if isinstance(row, (str, bytes)):
        return False
    return isinstance(row, (Sequence, Set, np.ndarray))
