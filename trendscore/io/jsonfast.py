"""JSON for the hot paths: orjson when it can, the standard library when it cannot.

orjson parses and writes several times faster; the standard library takes over for what
orjson refuses (lone surrogates escaped in strings, non-string keys), so the results are the
same documents either way; written, they are the same text too (UTF-8, a string escaped only
when it holds a lone surrogate; a line holding a :class:`RawNumber` had been escaped whole).

Numbers pass through with their exact value (spelled as JSON spells that value: ``1.50`` is
written ``1.5``; :func:`as_written` keeps the spelling of an id, which must come out as
given). orjson turns integers beyond 64 bits into floats and refuses numbers beyond the float
range (``1e400``), so a line with a long run of digits or a three-digit exponent is parsed
exactly instead: integers as Python ints, and a number no float holds (out of range, below the
smallest float, or more than 15 significant digits, which a float may not keep) as a
:class:`RawNumber` that keeps its text and is written back unchanged. ``NaN`` and ``Infinity`` are not JSON and are
refused, and so is nesting deeper than :data:`MAX_DEPTH`, and a document of more than
:data:`MAX_VALUES` values (:func:`check_size`): ``[],`` is three bytes of a line and some 64
of memory parsed, so one 60 MB line (58 KB gzipped) had taken 3 GB.
"""

from __future__ import annotations

import json
import math
import re
import sys
from decimal import Decimal

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency, this keeps a broken install working
    orjson = None  # type: ignore[assignment]  # the fallback below tests `orjson is None`

__all__ = [
    "no_constant",
    "loads",
    "repeated_key",
    "spaced_key_ends",
    "dumps_line",
    "dumps_line_bytes",
    "dumps",
    "RawNumber",
    "as_written",
    "MAX_DEPTH",
    "JSONDepthError",
    "MAX_VALUES",
    "check_size",
]

#: deepest nesting of arrays and objects a record may have
MAX_DEPTH = 200
#: digits Python turns into an int (larger ones stay RawNumber text); below its own 4300 limit
_INT_DIGITS = 4000
#: what orjson may read inexactly: 16 or more digits (a decimal point may be among them), or a
#: three-digit exponent; a line holding a float and one of these is parsed again exactly
#: (digits inside strings send a line there too, which costs time, not correctness)
_INEXACT = re.compile(r"[0-9][0-9.]{15}|[eE][-+]?[0-9]{3}")


class RawNumber(float):
    """A JSON number no float holds exactly; its value is the nearest float (maybe inf),
    ``text`` is the number as written, and it is written back as that text."""

    text: str

    def __new__(cls, text: str):
        try:
            value = float(text)
        except OverflowError:  # pragma: no cover - float() of a decimal string gives inf instead
            value = math.inf
        self = super().__new__(cls, value)
        self.text = text
        return self

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


#: most values (arrays, objects, strings, numbers...) one record may hold: some 300 MB parsed
MAX_VALUES = 4_000_000


class JSONDepthError(ValueError):
    """A JSON document nested deeper than :data:`MAX_DEPTH`, or holding more than
    :data:`MAX_VALUES` values."""


def check_size(text: str) -> None:
    """Refuse, before it is parsed, a JSON document that may hold more than :data:`MAX_VALUES`
    values (:class:`JSONDepthError`). Every value but the first follows a comma or an opening
    bracket, so their count bounds the values (commas inside strings count too: a text would
    need one comma in every 16 characters of a 64 MB line to be refused). A value takes two
    characters at least, so a shorter document is not counted at all."""
    if len(text) > 2 * MAX_VALUES and text.count(",") + text.count("[") + text.count("{") >= MAX_VALUES:
        raise JSONDepthError(
            f"more than {MAX_VALUES:,} values (arrays, objects, strings, numbers) in one record, "
            "which would take gigabytes of memory"
        )


def _exact_float(text: str) -> float:
    value = float(text)
    mantissa = text.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    if not math.isfinite(value) or len(mantissa) > 15 or (value == 0 and mantissa):
        return RawNumber(text)
    if abs(value) < sys.float_info.min and value and Decimal(repr(value)) != Decimal(text):
        return RawNumber(text)  # a subnormal float holds fewer digits: 3e-324 would read as 5e-324
    return value


def _exact_int(text: str):
    return int(text) if len(text) <= _INT_DIGITS else RawNumber(text)


def _spelled_float(text: str) -> float:
    value = _exact_float(text)
    return RawNumber(text) if type(value) is float and repr(value) != text else value


def _spelled_int(text: str):
    return RawNumber(text) if text == "-0" else _exact_int(text)  # JSON writes no other int two ways


def as_written(text: str, key: str):
    """The value of field ``key`` of the JSON object ``text``, a number kept as written
    (a :class:`RawNumber` when its value would be written otherwise: ``-0``, ``1.50``,
    ``1e3``, ``1E+3``), for the ids that must come out as the user wrote them.

    >>> [str(as_written('{"id": %s}' % n, "id")) for n in ("-0", "1.50", "1e3", "7", "0.5")]
    ['-0', '1.50', '1e3', '7', '0.5']
    """
    return json.loads(text, parse_float=_spelled_float, parse_int=_spelled_int, parse_constant=no_constant)[key]


def no_constant(name: str):
    """``parse_constant`` for :func:`json.loads`: refuse ``NaN``, ``Infinity`` and
    ``-Infinity``, which Python's parser takes and JSON has not (one rule for every reader of
    JSON: inputs, seed files, model files)."""
    raise ValueError(f"{name} is not a JSON number")


def _depth(obj) -> int:
    deepest, stack = 0, [(obj, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:
            stack.extend((x, level + 1) for x in item)
    return deepest


def _floats_within_depth(obj) -> bool:
    """True if ``obj`` holds a float anywhere; :class:`JSONDepthError` past :data:`MAX_DEPTH`."""
    if type(obj) is not dict and type(obj) is not list:
        return type(obj) is float
    stack, found = [(obj, 1)], False
    while stack:
        item, level = stack.pop()
        for value in item.values() if type(item) is dict else item:
            kind = type(value)
            if kind is float:
                found = True
            elif kind is dict or kind is list:
                if level >= MAX_DEPTH:
                    raise JSONDepthError(f"nested deeper than {MAX_DEPTH} levels")
                stack.append((value, level + 1))
    return found


def loads(text: str):
    """Parse one JSON document; raises json.JSONDecodeError as the standard library does,
    ValueError for NaN or Infinity, and :class:`JSONDepthError` for deep nesting.

    orjson parses; only a document holding a float (which orjson may have rounded, or made of
    an integer beyond 64 bits) and a number written with many digits or a long exponent is
    parsed again, exactly."""
    check_size(text)
    if orjson is not None:
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # let the standard library decide, and word the error
        else:
            if not _floats_within_depth(obj) or not _INEXACT.search(text):
                return obj
    try:
        obj = json.loads(text, parse_float=_exact_float, parse_int=_exact_int, parse_constant=no_constant)
    except RecursionError:
        raise JSONDepthError(f"nested deeper than {MAX_DEPTH} levels") from None
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(obj) > MAX_DEPTH:
        raise JSONDepthError(f"nested deeper than {MAX_DEPTH} levels")
    return obj


def _key_count(obj) -> int:
    """How many keys the objects in ``obj`` (a dict or list) hold together, at every level
    (no deeper than :func:`loads` allows, so the recursion is bounded)."""
    if type(obj) is dict:
        count = len(obj)
        obj = obj.values()
    else:
        count = 0
    for value in obj:
        kind = type(value)
        if kind is dict or (kind is list and value):
            count += _key_count(value)
    return count


class _Repeated(Exception):
    def __init__(self, key: str):
        self.key = key


def _unique_pairs(pairs: list) -> dict:
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise _Repeated(key)
        seen.add(key)
    return dict(pairs)


# a key's closing quote and its colon, with any JSON whitespace between them
_KEY_END = re.compile(r'"[ \t\r\n]*:')


def spaced_key_ends(text: str) -> bool:
    r"""Whether a quote in the JSON document ``text`` is followed by whitespace, so that a key
    may end in more than ``":`` (``"date" :``, ``"date"  :``, ``"date"\t:``) and a count of
    ``":`` alone can miss keys."""
    return '" ' in text or '"\t' in text or '"\r' in text or '"\n' in text


def repeated_key(text: str, obj: dict, ends: int | None = None) -> str | None:
    r"""A key that an object of the JSON document ``text`` (parsed as ``obj``, a dict) holds
    twice, or None. Parsers keep a repeated key's last value and drop the others without a
    word. Cheap for the usual document: each key is followed by ``":`` (or, where a quote is
    followed by whitespace, by whitespace and a colon, then counted with a pattern), and only a
    text holding more of those than ``obj`` has keys, at every level, is parsed again to look
    (a string value can hold them too, escaped: ``\":``). ``ends``: ``text.count('":')`` when
    the caller has counted them already.

    >>> repeated_key('{"text": "a", "date": "x", "date": "y"}', {"text": "a", "date": "y"})
    'date'
    >>> text = '{"text": "say \\"a\\": b", "scores": {"a": 1}}'
    >>> repeated_key(text, loads(text)) is None
    True
    """
    if spaced_key_ends(text):  # some key may end '"  :' or '"\t:': each such end counted
        marks = len(_KEY_END.findall(text))
    else:
        marks = text.count('":') if ends is None else ends
    if marks <= len(obj) or marks <= _key_count(obj):
        return None
    # more key ends than keys: a key given twice, or a string holding '":'; parsed again to know
    try:
        json.loads(text, object_pairs_hook=_unique_pairs, parse_float=_exact_float, parse_int=_exact_int)
    except _Repeated as exc:
        return exc.key
    return None


def _exact(obj, out: list) -> None:
    if isinstance(obj, RawNumber):
        out.append(obj.text)
    elif isinstance(obj, dict):
        out.append("{")
        for i, (key, value) in enumerate(obj.items()):
            if i:
                out.append(",")
            out.append(_string(key if isinstance(key, str) else json.dumps(key).strip('"')))
            out.append(":")
            _exact(value, out)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        out.append("[")
        for i, value in enumerate(obj):
            if i:
                out.append(",")
            _exact(value, out)
        out.append("]")
    elif isinstance(obj, float) and not math.isfinite(obj):
        out.append("null")  # as orjson writes NaN and infinities, which JSON has no number for
    elif isinstance(obj, str):
        out.append(_string(obj))
    else:
        out.append(json.dumps(obj, ensure_ascii=True, allow_nan=False))


def _string(text: str) -> str:
    """A JSON string as orjson writes it (UTF-8, not escaped), unless it holds a lone surrogate,
    which UTF-8 cannot: such a string is written escaped."""
    written = json.dumps(text, ensure_ascii=False)
    try:
        written.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(text)
    return written


def dumps(obj) -> str:
    """Compact JSON text of ``obj``, :class:`RawNumber` values as written."""
    if orjson is not None:
        try:
            return orjson.dumps(obj).decode("utf-8")
        except TypeError:
            pass
    out: list[str] = []
    _exact(obj, out)
    return "".join(out)


def dumps_line(obj) -> str:
    """One compact JSON line (UTF-8 text, not escaped), ending in a newline."""
    return dumps(obj) + "\n"


def dumps_line_bytes(obj) -> bytes:
    """:func:`dumps_line` encoded in UTF-8 (the same bytes), made without decoding orjson's
    bytes into text and encoding them again."""
    if orjson is not None:
        try:
            return orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)
        except TypeError:
            pass
    return dumps_line(obj).encode("utf-8")
