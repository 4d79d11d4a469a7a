"""Outlet names as records give them: one outlet however its name is spaced, cased or
written in full-width letters (``Xinhua``, ``xinhua ``, ``XINHUA``, ``Ｘｉｎｈｕａ``)."""

from __future__ import annotations

import unicodedata

__all__ = ["outlet_key", "outlet_spelling", "Spellings"]


def outlet_spelling(value) -> str | None:
    """The outlet's name as written, without white space at either end and with a run of it
    inside as one space; None for a value that names no outlet (not text, or blank).

    >>> outlet_spelling("  People's   Daily "), outlet_spelling(" "), outlet_spelling(3)
    ("People's Daily", None, None)
    """
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def outlet_key(value) -> str | None:
    """The outlet a name stands for: its spelling (see :func:`outlet_spelling`) in NFKC form,
    case folded, so that the spellings of one outlet count as one.

    >>> {outlet_key(v) for v in ["Xinhua", "xinhua ", "XINHUA", "Ｘｉｎｈｕａ"]}
    {'xinhua'}
    """
    spelling = outlet_spelling(value)
    if spelling is None:
        return None
    return " ".join(unicodedata.normalize("NFKC", spelling).split()).casefold()


class Spellings:
    """How often each spelling of each outlet was counted, to name an outlet by its most
    frequent spelling (the first in code-point order among equals): the name does not depend
    on the order of the records, and two tallies merge.

    >>> s = Spellings()
    >>> for v in ["xinhua ", "Xinhua", "XINHUA", "Xinhua"]:
    ...     s.add(outlet_key(v), v)
    >>> s.name("xinhua"), s.name("(other sources)")
    ('Xinhua', '(other sources)')
    """

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}

    def add(self, key: str, value: str, n: int = 1) -> None:
        """Count ``n`` passages of outlet ``key`` written ``value``."""
        spelling = outlet_spelling(value) or key
        row = self.counts.setdefault(key, {})
        row[spelling] = row.get(spelling, 0) + n

    def merge(self, other: Spellings) -> None:
        """Add another tally's counts."""
        for key, row in other.counts.items():
            for spelling, n in row.items():
                self.add(key, spelling, n)

    def name(self, key: str) -> str:
        """The outlet's most frequent spelling; ``key`` itself when none was counted."""
        row = self.counts.get(key)
        if not row:
            return key
        return min(row.items(), key=lambda item: (-item[1], item[0]))[0]
