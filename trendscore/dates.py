"""Dates of records and the calendar periods (day, ISO week, month) they fall in."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["FREQS", "parse_date", "period_of", "period_label", "period_start"]

FREQS = ("day", "week", "month")
_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")


def parse_date(value) -> int | None:
    """The proleptic ordinal of a record's date, or None when it has none or it does not parse.

    Accepts ``YYYY-MM-DD`` (also with ``/`` or ``.``), optionally followed by a time and a
    time zone, which are ignored: the date is the one written, in the outlet's own zone.

    Examples
    --------
    >>> parse_date("2025-11-30 07:17") == dt.date(2025, 11, 30).toordinal()
    True
    >>> parse_date("2025-02-30") is None, parse_date("10000-01-01") is None, parse_date(None) is None
    (True, True, True)
    """
    if not isinstance(value, str):
        return None
    m = _DATE.match(value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).toordinal()
    except ValueError:
        return None


def period_of(ordinal: int, freq: str) -> int:
    """An integer index of the period holding a day: consecutive periods differ by one."""
    if freq == "day":
        return ordinal
    if freq == "week":
        return (ordinal - 1) // 7  # ordinal 1 (0001-01-01) is a Monday: weeks start on Monday
    if freq == "month":
        d = dt.date.fromordinal(ordinal)
        return d.year * 12 + d.month - 1
    raise ValueError(f"unknown freq {freq!r}; expected one of {', '.join(FREQS)}")


def period_start(index: int, freq: str) -> dt.date:
    if freq == "day":
        return dt.date.fromordinal(index)
    if freq == "week":
        return dt.date.fromordinal(index * 7 + 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def period_label(index: int, freq: str) -> str:
    """``2025-11-30`` (day), ``2025-W48`` (ISO week), ``2025-11`` (month)."""
    start = period_start(index, freq)
    if freq == "day":
        return start.isoformat()
    if freq == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"
