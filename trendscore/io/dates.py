"""Dates of records and the calendar periods (day, ISO week, month) they fall in."""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re

__all__ = [
    "FREQS",
    "check_freq",
    "parse_date",
    "is_missing",
    "is_pandas_period",
    "pandas_period_day",
    "period_of",
    "period_label",
    "period_start",
]

FREQS = ("day", "week", "month")
_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")
_CHINESE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
#: the year last (``28/11/2025``, ``11.28.2025``): read only where one order of day and month
#: makes a date (``01/12/2025`` is 1 December or 12 January: no date)
_YEAR_LAST = re.compile(r"^\s*(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:$|[T\s,])")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:\.0*)?(?:$|[T\s])")  # 20260105.0: pandas' float
_EPOCH = re.compile(r"^\s*(\d{9,13})(?:\.(\d+))?\s*$")
_STAMP = re.compile(r"^\s*(\d{14})(?:\.0*)?\s*$")  # YYYYMMDDHHMMSS (10 and 12 digits match _EPOCH)
_MONTH_NAMES = "january february march april may june july august september october november december".split()
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)} | {m[:3]: i for i, m in enumerate(_MONTH_NAMES, 1)}
_MONTHS["sept"] = 9  # English names, whatever the machine's locale
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ENGLISH_MDY = re.compile(r"^\s*(?:[A-Za-z]+,?\s+)?" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I)
_ENGLISH_DMY = re.compile(r"^\s*(?:[A-Za-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})\b", re.I)
#: epoch values above this are milliseconds (as seconds they would be after the year 5000)
_MILLISECONDS = 100_000_000_000


def check_freq(freq) -> None:
    """Refuse a ``freq`` that is none of :data:`FREQS`, in one line, before any work.

    >>> check_freq("W")
    Traceback (most recent call last):
    ...
    trendscore.errors.InputError: freq 'W' is not one of day, week, month
    """
    if not isinstance(freq, str) or freq not in FREQS:
        from trendscore.errors import InputError, quoted

        raise InputError(f"freq {quoted(freq)} is not one of {', '.join(FREQS)}")


def is_missing(value) -> bool:
    """True for a record without a date: None, an empty string, NaN, pandas' NaT."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NaTType", "NAType") or (hasattr(value, "dtype") and str(value) in ("NaT", "nan"))


def _day(year: int, month: int, day: int) -> int | None:
    try:
        return dt.date(year, month, day).toordinal()
    except ValueError:
        return None


#: epoch values are read from 9 to 13 digits (1973 to 2286 as seconds, 1973 to 2001 as
#: milliseconds), as in text: a year (2026), a count or an id is no instant of 1970
_EPOCH_RANGE = (10**8, 10**13)


def _epoch(seconds: float) -> int | None:
    if not _EPOCH_RANGE[0] <= seconds < _EPOCH_RANGE[1]:
        return None
    if seconds >= _MILLISECONDS:
        seconds /= 1000
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).date().toordinal()
    except (OverflowError, OSError, ValueError):
        return None


#: compact time stamps: YYYYMMDDHH, YYYYMMDDHHMM and YYYYMMDDHHMMSS, as many digits below the
#: day's. YYYYMMDDHH (10 digits from 1900010100) takes what as epoch seconds would be days from
#: March 2030 to 2036: epoch seconds of news to this day start with 1 (2001 to March 2030)
_STAMP_SCALES = (10**2, 10**4, 10**6)


def _whole(n: int) -> int | None:
    """The day of a whole number: ``YYYYMMDD`` between 19000101 and 21001231, a compact time
    stamp of that day (``YYYYMMDDHH``, ``YYYYMMDDHHMM``, ``YYYYMMDDHHMMSS``), else epoch seconds
    (milliseconds above 10**11); None for a number in those ranges that is no valid date and
    time."""
    if 19000101 <= n <= 21001231:
        return _day(n // 10000, n // 100 % 100, n % 100)
    for scale in _STAMP_SCALES:
        if 19000101 * scale <= n < 21001232 * scale:
            date, time = divmod(n, scale)
            hour, rest = divmod(time, scale // 100)
            minute, second = divmod(rest, 100) if scale > 10**4 else (rest, 0)
            if hour >= 24 or minute >= 60 or second >= 61:  # (a leap second is :60)
                return None
            return _day(date // 10000, date // 100 % 100, date % 100)
    return _epoch(n)


def _stamp_range(number: float) -> bool:
    """True for a number in the ranges read as ``YYYYMMDD`` or as a compact time stamp."""
    return 19000101 <= number <= 21001231 or any(19000101 * s <= number < 21001232 * s for s in _STAMP_SCALES)


def parse_date(value) -> int | None:
    """The proleptic ordinal of a record's date, or None when it has none or it does not parse.

    Strings: ``YYYY-MM-DD`` (also with ``/`` or ``.``, one-digit months and days, and
    a time and time zone after it, which are ignored: the date is the one written, in the
    outlet's own zone), ``2026年1月5日`` (or ``号``), ``20260105``, ``Jan 5, 2026``,
    ``January 5 2026``, ``5 Jan 2026``, the year last where only one order of day and month
    makes a date (``28/11/2025``, ``11/28/2025``; ``01/12/2025`` is None: 1 December or 12
    January), and epoch seconds (milliseconds above 10**11)
    as digits (``20260105.0`` too, as pandas writes a date column of integers holding a gap).
    Objects: ``datetime.date``, ``datetime.datetime`` and pandas ``Timestamp`` (their own
    date), numpy ``datetime64``, and numbers as epoch seconds in UTC (of 9 to 13 digits before
    any fraction, as in text: ``2026`` is no date, not a second of 1970), except whole numbers
    (integers, and floats without a fraction such as ``20260105.0``) between 19000101 and
    21001231, which are read as ``YYYYMMDD`` (None when not a valid date; a number with a
    fraction in that range is None too), and compact time stamps of those days,
    ``YYYYMMDDHH``, ``YYYYMMDDHHMM`` and ``YYYYMMDDHHMMSS`` (10, 12 and 14 digits, as numbers or
    text; as epoch values they would be days from March 2030 to 2036, of 1976, or after the
    year 2500; with a fraction, as numbers or text, no date). So a 10-digit number from
    1900010100 to 2100123123 is a day and hour (``2024120312``: 2024-12-03), None when not a
    valid one (``2024133012``), and never epoch seconds; epoch seconds of a real day up to
    March 2030 start with 1 (``1733227200``: 2024-12-03) and read as before.

    Examples
    --------
    >>> parse_date("2025-11-30 07:17") == dt.date(2025, 11, 30).toordinal()
    True
    >>> days = {parse_date(v) for v in ["2026-01-05", "2026年1月5日", "2026/1/5", "20260105", "Jan 5, 2026",
    ...                                  1767571200, dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 23, 59)]}
    >>> days |= {parse_date(v) for v in [20260105.0, "20260105.0", 1767571200.0, 1767571200000.0]}
    >>> [dt.date.fromordinal(d).isoformat() for d in days]
    ['2026-01-05']
    >>> [parse_date(v) == dt.date(2025, 11, 28).toordinal() for v in ["28/11/2025", "11/28/2025", "28.11.2025"]]
    [True, True, True]
    >>> parse_date("01/12/2025") is None, parse_date("05/05/2025") == dt.date(2025, 5, 5).toordinal()
    (True, True)
    >>> parse_date("2025-02-30") is None, parse_date("10000-01-01") is None, parse_date(None) is None
    (True, True, True)
    >>> parse_date(2026) is None, parse_date(-86400) is None, parse_date(1767571200123456) is None
    (True, True, True)
    >>> parse_date(20260105.5) is None, dt.date.fromordinal(parse_date(1767571200.5)).isoformat()
    (True, '2026-01-05')
    >>> {dt.date.fromordinal(parse_date(v)).isoformat() for v in [202601052310, "20260105231000", 20260105231000.0]}
    {'2026-01-05'}
    >>> {dt.date.fromordinal(parse_date(v)).isoformat() for v in [2024120312, "2024120312", 1733227200]}
    {'2024-12-03'}
    >>> parse_date(2024120324) is None, parse_date("2024023012") is None
    (True, True)
    """
    if isinstance(value, str):
        return _parse_text(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, dt.datetime):
        try:
            return value.date().toordinal()
        except (ValueError, AttributeError):  # pandas' NaT
            return None
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        number = float(value)
        if math.isnan(number):
            return None
        if not number.is_integer():
            # 20260105.5 is no day: neither YYYYMMDD nor a plausible instant (August 1970)
            return None if _stamp_range(number) else _epoch(number)
        value = int(number)  # 20260105.0 (pandas writes an int column holding a gap as floats)
    if isinstance(value, numbers.Integral):
        return _whole(int(value))
    if type(value).__name__ == "datetime64":  # numpy, without importing it
        return _parse_text(str(value))
    return None


def _parse_text(value: str) -> int | None:
    for pattern in (_DATE, _CHINESE, _COMPACT):
        m = pattern.match(value)
        if m:
            return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _YEAR_LAST.match(value)
    if m:
        first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        days = {_day(year, second, first), _day(year, first, second)} - {None}
        return days.pop() if len(days) == 1 else None
    m = _ENGLISH_MDY.match(value)
    if m:
        return _day(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    m = _ENGLISH_DMY.match(value)
    if m:
        return _day(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    m = _EPOCH.match(value)
    if m:
        n = int(m.group(1))
        if (m.group(2) or "").strip("0") and _stamp_range(n):  # 202601052310.5: no day, as the number is none
            return None
        return _whole(n)
    m = _STAMP.match(value)
    if m and _stamp_range(int(m.group(1))):  # other 14 digits are no date (as epoch, after the year 2500)
        return _whole(int(m.group(1)))
    return None


def is_pandas_period(value) -> bool:
    """True for a pandas ``Period`` (a cell of a period column), told without importing pandas."""
    return any(c.__name__ == "Period" and c.__module__.split(".")[0] == "pandas" for c in type(value).__mro__)


def pandas_period_day(value, freq: str, path: str | None = None, line: int | None = None) -> int | None:
    """The day a pandas ``Period`` is counted on when momentum is scored by ``freq``: the day it
    starts, when the whole of it lies in one period of ``freq`` (a day, or an hour, for any
    ``freq``; a Monday-to-Sunday week for ``week`` and ``month`` when it does not cross a month;
    a month for ``month``). A longer one (a month scored by week, a week from Sunday) is an
    :class:`~trendscore.errors.InputError` naming ``path:line``: every passage of it would be
    counted on its first day, a rise or fall made by the calendar. None when pandas cannot
    give its days (far out of range)."""
    try:
        first, last = value.start_time.date().toordinal(), value.end_time.date().toordinal()
    except (AttributeError, ValueError, OverflowError):
        return None
    if period_of(first, freq) == period_of(last, freq):
        return first
    from trendscore.errors import InputError

    fits = next((f for f in FREQS if period_of(first, f) == period_of(last, f)), None)
    way = f"score with freq={fits!r}, or give each record its day" if fits else "give each record its day"
    start, end = dt.date.fromordinal(first).isoformat(), dt.date.fromordinal(last).isoformat()
    raise InputError(
        f"the date is a pandas Period from {start} to {end}, longer than the {freq} scored: its passages "
        f"would all be counted on its first day; {way}",
        path,
        line,
    )


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
    """The first day of period ``index`` of ``freq`` (the inverse of :func:`period_of`)."""
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
