"""Outlet names as records give them: one outlet however its name is spaced, cased or
written in full-width letters (``Xinhua``, ``xinhua ``, ``XINHUA``, ``Ｘｉｎｈｕａ``)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["outlet_key", "outlet_spelling", "Spellings", "MAX_SPELLINGS"]


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
    if not isinstance(value, str):
        return None
    return _key(value)


@lru_cache(maxsize=4096)  # once per name as written, not once per record
def _key(value: str) -> str | None:
    spelling = outlet_spelling(value)
    if spelling is None:
        return None
    return " ".join(unicodedata.normalize("NFKC", spelling).split()).casefold()


#: the most ways of writing one outlet counted for its name (a file of endless variants of one
#: name cannot fill memory; its passages are counted for the outlet all the same)
MAX_SPELLINGS = 64


class Spellings:
    """How often each spelling of each outlet was counted, to name an outlet by its most
    frequent spelling (the first in code-point order among equals): the name does not depend
    on the order of the records, and two tallies merge. (Of an outlet written more than
    :data:`MAX_SPELLINGS` ways, the first ways met are the ones counted.)

    >>> s = Spellings()
    >>> for v in ["xinhua ", "Xinhua", "XINHUA", "Xinhua"]:
    ...     s.add(outlet_key(v), v)
    >>> s.name("xinhua"), s.name("(other sources)")
    ('Xinhua', '(other sources)')
    """

    def __init__(self) -> None:
        #: outlet key -> {the name as a record wrote it: passages}; spellings are made of them
        #: only when a name is asked for, so counting a record costs two dictionary updates
        self.counts: dict[str, dict[str, int]] = {}

    def add(self, key: str, value: str, n: int = 1) -> None:
        """Count ``n`` passages of outlet ``key`` written ``value``."""
        row = self.counts.get(key)
        if row is None:
            row = self.counts[key] = {}
        if value in row:
            row[value] += n
        elif len(row) < MAX_SPELLINGS:
            row[value] = n

    def merge(self, other: Spellings) -> None:
        """Add another tally's counts."""
        for key, row in other.counts.items():
            for value, n in row.items():
                self.add(key, value, n)

    def name(self, key: str) -> str:
        """The outlet's most frequent spelling; ``key`` itself when none was counted."""
        row = self.counts.get(key)
        if not row:
            return key
        spellings: dict[str, int] = {}
        for value, n in row.items():
            spelling = outlet_spelling(value) or key
            spellings[spelling] = spellings.get(spelling, 0) + n
        return min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]
