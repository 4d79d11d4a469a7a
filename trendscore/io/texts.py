"""What the Python API takes as a list of texts: one rule for :class:`~trendscore.modeling.model.Model`
(``label``, ``predict``, ``predict_proba``, ``explain``) and for
:class:`~trendscore.modeling.classifier.TextThemeClassifier` (``fit``, ``predict``, ``predict_proba``).

A list, tuple, pandas Series, one-dimensional numpy array, generator or other iterable of
strings is read once, in order. Whatever would be labelled as something other than the texts
meant is refused with a :class:`~trendscore.errors.TextsError`: one string (its characters),
a dict (its keys), a DataFrame (its column names), a two-dimensional array (its rows), and a
text that is not a string (None, NaN, a number, bytes), which is named by its place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from trendscore.errors import TextsError
from trendscore.io.frames import is_frame, is_missing_cell

__all__ = ["as_texts", "one_text"]


def as_texts(texts) -> list[str]:
    """``texts`` as a list of ``str``, read once; a :class:`~trendscore.errors.TextsError`
    for anything that is not an iterable of strings.

    >>> as_texts(t for t in ["短剧", "出海"])
    ['短剧', '出海']
    >>> as_texts("短剧")
    Traceback (most recent call last):
    ...
    trendscore.errors.TextsError: expected a list of texts, got one string; wrap it in a list
    """
    if isinstance(texts, str):
        raise TextsError("expected a list of texts, got one string; wrap it in a list")
    if isinstance(texts, Mapping):
        raise TextsError(
            f"expected a list of texts, got a {type(texts).__name__} (whose keys would be labelled); "
            "pass [record['text']] for one record"
        )
    if is_frame(texts):
        raise TextsError(
            "expected a list of texts, got a DataFrame (whose column names would be labelled); "
            "pass its text column, df['text'], or give the frame to trendscore.label"
        )
    if isinstance(texts, (bytes, bytearray, set, frozenset)) or not isinstance(texts, Iterable):
        raise TextsError(f"expected a list of texts, got a {type(texts).__name__}")
    dims = getattr(texts, "ndim", 1)
    if dims != 1:
        raise TextsError(f"expected a list of texts, got a {dims}-dimensional {type(texts).__name__}; pass one column")
    out = []
    for n, t in enumerate(texts, 1):
        if type(t) is not str:
            if not isinstance(t, str):
                raise TextsError(f"expected str texts, got {_kind(t)} (text {n}, counted from 1)")
            t = str(t)  # numpy's str_ and other subclasses, as plain text
        out.append(t)
    return out


def _kind(value) -> str:
    """What a text that is no string is, for a message: a missing value as pandas makes one
    (NaN, NA, NaT) said so, since its type (``float``) would not tell the user; else its type
    (None too)."""
    if value is not None and is_missing_cell(value):
        return "a missing value (NaN)" if isinstance(value, float) else f"a missing value ({value})"
    return type(value).__name__


def one_text(text) -> str:
    """``text`` when it is one string, else a :class:`~trendscore.errors.TextsError`."""
    if not isinstance(text, str):
        hint = "; give the texts one at a time" if isinstance(text, (list, tuple)) else ""
        raise TextsError(f"expected one text (a str), got {type(text).__name__}{hint}")
    return str(text)
