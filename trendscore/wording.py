"""Counts in messages: one word for one thing, the plural for any other number.

Every message that shows a count of something goes through :func:`counted` (or
:func:`plural` where the number stands apart from its noun), so none says "1 files".
"""

from __future__ import annotations

__all__ = ["counted", "plural"]


def plural(n: object, one: str, many: str | None = None, digits: int = 0) -> str:
    """``one`` when ``n`` is shown as 1 (with ``digits`` decimals, as :func:`counted` shows
    it), else ``many`` (by default ``one`` with an ``s``). Verbs agree the same way:
    ``plural(n, "was", "were")``.

    >>> plural(1, "file"), plural(0, "file"), plural(2, "copy", "copies"), plural(0.6, "passage")
    ('file', 'files', 'copies', 'passage')
    """
    shown = _shown(n, digits)
    return one if shown == "1" else (many if many is not None else one + "s")


def counted(n: object, one: str, many: str | None = None, digits: int = 0) -> str:
    """The number ``n`` and its noun, singular or plural as the number shown: ``1 file``,
    ``3 files``, ``0 files``. A float is shown with ``digits`` decimals (none by default),
    and the noun follows what is shown (0.6 passages are shown ``1 passage``); a count that is
    no number (None) is shown ``?``, with the plural.

    >>> counted(1, "file"), counted(3, "file"), counted(1, "copy", "copies"), counted(12.0, "passage")
    ('1 file', '3 files', '1 copy', '12 passages')
    """
    return f"{_shown(n, digits)} {plural(n, one, many, digits)}"


def _shown(n: object, digits: int) -> str:
    """``n`` as a message shows it: an integer as it is, a float with ``digits`` decimals,
    anything else (a count a damaged card lacks) as ``?``."""
    if isinstance(n, bool) or not isinstance(n, (int, float)):
        return "?"
    if isinstance(n, int):
        return str(n)
    text = f"{n:.{digits}f}"
    return "0" if text in ("-0", "-0.0") else text
