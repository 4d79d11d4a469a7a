"""Reading passages from digest exports, JSON Lines, CSV and plain text, with their file:line.

Every reader yields ``(record, path, line)``. jsonl and csv records are passed through as
given (each one passage, never re-split); digest and text documents are split into
passages with :func:`trendscore.text.normalise.split_passages`.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from trendscore.errors import ENCODING_HINT, InputError, hinted, quoted
from trendscore.io.columns import FULL_WIDTH_SEPARATOR, LABEL_SEPARATOR, Columns, check_date_column
from trendscore.io.digest import digest_parts
from trendscore.io.jsonfast import as_written, loads, repeated_key, spaced_key_ends
from trendscore.io.opening import HEAD_BYTES as _HEAD_BYTES  # noqa: F401 (the size of the sniffed head, for tests)
from trendscore.io.opening import Source as _Source
from trendscore.io.sniffing import csv_shape, cut_at_carriage_returns, prepare_decoding, sniff_format
from trendscore.text.normalise import PassageBuffer

__all__ = [
    "SkipLog",
    "read_records",
    "open_lines",
    "records_of",
    "Repeats",
    "passage_id",
    "parse_jsonl_line",
    "check_text",
    "record_text",
    "INPUT_FORMATS",
    "detect_format",
    "csv_labels",
    "csv_labels_problem",
]

INPUT_FORMATS = ("auto", "digest", "jsonl", "csv", "text", "parquet")
_HEAD_CHARS = 1 << 20


class SkipLog:
    """Bad lines passed over under ``--skip-bad``: their count and the first few messages."""

    def __init__(self, keep: int = 5):
        self.count = 0
        self.first: list[str] = []
        self.keep = keep

    def add(self, error: Exception) -> None:
        """Count a skipped line, keeping its message among the first few."""
        self.count += 1
        if len(self.first) < self.keep:
            self.first.append(str(error))

    def merge(self, count: int, first: list[str]) -> None:
        """Add another log's count and first messages (from a worker or another input)."""
        self.count += count
        self.first.extend(first[: self.keep - len(self.first)])


def _lines(src: _Source, chosen: str, errors: str, skip: SkipLog | None = None) -> Iterator[tuple[int, str]]:
    """Decoded lines (without line ends) numbered from 1; ``chosen`` from :func:`prepare_decoding`."""
    limit = max_line_bytes()
    number, parts, held = 0, [], 0  # the pieces of a line without its end yet, and their length
    # replacing bad bytes, a decoder for Chinese encodings (GB18030, Big5) can take a line end
    # into a broken character (GB18030 reads b"\x81\x30\n" at the end of a block as one), which
    # lost the line it ended: other than UTF-8, each line is then decoded on its own, as a
    # worker reading a byte range of the file decodes it
    by_line = errors != "strict" and codecs.lookup(chosen).name != "utf-8"
    for block in src.chunks():
        cut = block.rfind(b"\n") + 1
        if not cut:
            parts.append(block)
            held += len(block)
            if held > limit:
                raise _too_long(src.name, number + 1, limit)
            continue
        if held + block.find(b"\n") > limit:
            raise _too_long(src.name, number + 1, limit)
        whole = b"".join([*parts, block[:cut]]) if parts else block[:cut]
        parts, held = [block[cut:]], len(block) - cut
        # the bound is on a line's bytes, as a worker reading a byte range measures it: a
        # line can be within it in characters and beyond it in bytes
        too_long = _first_long(whole, limit) if len(whole) > limit else -1
        decoded: list[str] | None = None
        if not by_line:
            try:
                decoded = whole.decode(chosen, errors).split("\n")
            except UnicodeDecodeError:
                pass
        if decoded is not None and too_long < 0:  # the common case, kept quick
            del whole  # a long line is not held twice (bytes and text) while it is read
            decoded.pop()  # the empty piece after the last line end
            for line in decoded:
                number += 1
                if len(line) > limit:
                    raise _too_long(src.name, number, limit)
                yield number, line[:-1] if line.endswith("\r") else line
            continue
        if decoded is not None:  # a line too long in bytes: the lines before it come first
            del whole
            for line in decoded[:too_long]:
                number += 1
                yield number, line[:-1] if line.endswith("\r") else line
            raise _too_long(src.name, number + 1, limit)
        # each line decoded in its turn (the block does not decode, or decoding it whole could
        # take a line end into a broken character): a bad line is named (or skipped) after the
        # lines before it were read, as a worker reading a byte range of the file meets it
        raw = whole.split(b"\n")
        del whole
        raw.pop()  # the empty piece after the last line end
        for at, item in enumerate(raw):
            number += 1
            if at == too_long:
                raise _too_long(src.name, number, limit)
            text = item.decode(chosen, errors) if by_line else _decode_or_skip(item, src.name, number, chosen, skip)
            if text is not None:
                yield number, text[:-1] if text.endswith("\r") else text
    pending = b"".join(parts)
    parts.clear()
    if pending:
        number += 1
        if len(pending) > limit:  # the last line, without a line end
            raise _too_long(src.name, number, limit)
        last: str | None = (
            _decode_or_skip(pending, src.name, number, chosen, skip, last=True)
            if errors == "strict"
            else _decode_last_replacing(pending, chosen, errors)
        )
        del pending
        if last is not None:
            yield number, last.rstrip("\r") if last.endswith("\r") else last  # a CutLine stays one


def _first_long(data: bytes, limit: int) -> int:
    """The index of the first line of ``data`` (lines ending in ``\n``) longer than ``limit``
    bytes without its line end, or -1."""
    start = at = 0
    while (end := data.find(b"\n", start)) >= 0:
        if end - start > limit:
            return at
        start, at = end + 1, at + 1
    return -1


#: the default bound on one line, in MiB; the environment variable TRENDSCORE_MAX_LINE_MB sets another
MAX_LINE_MB = 64


def max_line_bytes() -> int:
    """The longest line read (bytes, and characters once decoded): ``TRENDSCORE_MAX_LINE_MB``
    MiB, default :data:`MAX_LINE_MB`. A longer line (``/dev/zero``, a file without line ends)
    is an error, not a read that fills memory."""
    value = os.environ.get("TRENDSCORE_MAX_LINE_MB", "").strip()
    if not value:
        return MAX_LINE_MB << 20
    try:
        mb = float(value)
    except ValueError:
        mb = -1.0
    if not (0 < mb < 1 << 40):
        raise InputError(f"TRENDSCORE_MAX_LINE_MB is {value!r}; expected a positive number of MiB")
    return max(int(mb * (1 << 20)), 1)


def raise_csv_field_limit() -> None:
    """Let a CSV field be as long as a line may be (:func:`max_line_bytes`): Python's csv
    refuses fields over 131,072 characters by default, where a JSON Lines line may hold
    64 MiB. The limit is the process's own, so it is only ever raised, never lowered below
    one that the program running trendscore set."""
    limit = max_line_bytes()
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)


def _too_long(name: str, number: int, limit: int) -> InputError:
    size = f"{limit / (1 << 20):g} MiB" if limit >= 1 << 16 else f"{limit} bytes"
    return InputError(
        f"a line longer than {size}: not line-based text? (a longer bound: TRENDSCORE_MAX_LINE_MB)", name, number
    )


def _decode_or_skip(
    raw: bytes, name: str, number: int, chosen: str, skip: SkipLog | None, last: bool = False
) -> str | None:
    try:
        return _decode_line(raw, name, number, chosen, last=last)
    except InputError as exc:
        if skip is None:
            raise
        skip.add(exc)
        return None


def _decode_line(raw: bytes, name: str, number: int, chosen: str, errors: str = "strict", last: bool = False) -> str:
    """``raw``, a line without its line end, decoded; ``last``: the input's last line, which
    had no line end."""
    try:
        return raw.decode(chosen, errors)
    except UnicodeDecodeError as exc:
        cut = last and exc.reason == "unexpected end of data" and exc.end == len(raw)
        if cut and _cut_after_characters(raw, exc.start):
            raise InputError(CUT_SHORT, name, number) from None
        error = InputError(f"bytes that are not valid {chosen}", name, number)
        raise hinted(error, ENCODING_HINT) from None


def _cut_after_characters(raw: bytes, start: int) -> bool:
    """Whether a last line whose bytes stop inside a character from ``start`` on reads as a
    file cut short, or still being written (no other encoding would help): when it holds
    characters beyond ASCII before that. (After ASCII alone the byte may as well be another
    encoding's letter: cp1252's é at the file's end starts a UTF-8 character too; the advice
    to name the encoding stands then.)"""
    return not raw[:start].isascii()


class CutLine(str):
    """The input's last line, without a line end, whose bytes stop inside a character, as read
    with bad bytes replaced: text for CSV and plain text, where the replaced character stays;
    a JSON Lines reader, for which it cannot be a whole record, names the file cut short."""

    __slots__ = ()


def _decode_last_replacing(raw: bytes, chosen: str, errors: str) -> str:
    """The input's last line, without a line end, decoded with ``errors`` (not strict): a
    :class:`CutLine` when its bytes stop inside a character as a file cut short does."""
    decoder = codecs.getincrementaldecoder(chosen)(errors)
    decoder.decode(raw, final=False)
    held = decoder.getstate()[0]  # the bytes of a character begun and not ended
    text = raw.decode(chosen, errors)
    return CutLine(text) if held and _cut_after_characters(raw, len(raw) - len(held)) else text


#: a last line that stops inside a character, without a line end
CUT_SHORT = "the last line stops inside a character, without a line end: is the file cut short, or still being written?"


def detect_format(name: str, head_lines: list[str]) -> str:
    """Pick an input format from the file's extension, then from its first lines."""
    return sniff_format(name, head_lines)


def parse_jsonl_line(
    line: str,
    name: str,
    number: int,
    require_text: bool = True,
    columns: Columns | None = None,
    first: bool | None = None,
) -> dict | None:
    """One JSON Lines record (None for a blank line), or an InputError naming file:line.
    ``first``: whether this is the input's first line (default: ``number == 1``), where a
    JSON array is taken for a file holding one array instead of JSON Lines. A byte-order mark
    at the line's start is dropped: it is another file's, joined on (``cat a.jsonl b.jsonl``),
    and had stopped the run as malformed JSON."""
    if line.startswith("\ufeff"):
        line = CutLine(line[1:]) if isinstance(line, CutLine) else line[1:]
    if not line.strip():
        return None
    try:
        obj = loads(line)
    except json.JSONDecodeError as exc:
        if line.lstrip().startswith("["):
            raise InputError("a JSON array, expected JSON Lines (one object per line)", name, number) from None
        if isinstance(line, CutLine):  # read with bad bytes replaced: its broken character is no JSON's end
            raise InputError(CUT_SHORT, name, number) from None
        what = exc.msg.removesuffix(" at")  # "Invalid control character at" read "at at column"
        raise InputError(f"malformed JSON ({what} at column {exc.colno}){_lone_cr(line)}", name, number) from None
    except ValueError as exc:  # NaN or Infinity, nesting deeper than jsonfast.MAX_DEPTH
        raise InputError(f"malformed JSON ({exc})", name, number) from None
    if isinstance(obj, list) and (number == 1 if first is None else first):
        raise InputError("a JSON array, expected JSON Lines (one object per line)", name, number)
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object with a 'text' field, got {type(obj).__name__}", name, number)
    # a key given twice: the parser kept its last value, and which one was meant is unknown.
    # Each key ends in '":' unless a quote is followed by whitespace ('"date" :'), so a line
    # without that and with no more '":' than the record has keys holds none twice: the common
    # case costs one count and a search for a quote and a space
    ends = line.count('":')
    if (ends > len(obj) or spaced_key_ends(line)) and (key := repeated_key(line, obj, ends)) is not None:
        raise InputError(f"an object holds the key {quoted(key)} twice; give each field once", name, number)
    id_key = "id" if columns is None else columns.id
    given_id = obj.get(id_key)
    if type(given_id) is float or (type(given_id) is int and given_id == 0 and "-0" in line):
        obj[id_key] = as_written(line, id_key)  # an id comes out as written: -0, 1.50 and 1e3 stay so
    if columns is not None:
        obj = columns.rename(obj, name, number)
    if not require_text and "date" not in obj and (columns is None or columns.date == "date"):
        # where dates are read, a record's 'Date' would be passed over and it counted undated
        check_date_column(obj, name, "the record", number, "field")
    if "labels" in obj and obj["labels"] is None:
        del obj["labels"]  # null: not labelled yet (as a Parquet or DataFrame null)
    if require_text or "labels" not in obj:
        check_text(obj, name, number, columns)
    return obj


def _lone_cr(line: str) -> str:
    """What to add to a line's error when it holds a carriage return alone: an old Mac line
    end, two records (or rows) on what is read as one line."""
    at = line.find("\r")
    if at < 0:
        return ""
    return f"; a carriage return alone at column {at + 1} (an old Mac line end?): end each line with \\n"


def _jsonl(lines, name, require_text=True, skip=None) -> Iterator[tuple[dict, str, int]]:
    columns = getattr(lines, "columns", None)
    columns = None if columns is None or columns.is_default() else columns
    starts_input = getattr(lines, "starts_input", True)  # a byte range further in numbers from its start
    for number, line in lines:
        try:
            obj = parse_jsonl_line(line, name, number, require_text, columns, number == 1 and starts_input)
        except InputError as exc:
            if skip is None:
                raise
            skip.add(exc)
            continue
        if obj is not None:
            yield obj, name, number


def check_text(obj: dict, name: str, number: int, columns: Columns | None = None) -> None:
    """Raise unless the record has a string ``text``. ``columns``: the record was read with
    them (:meth:`Columns.rename`), so its text came from their text field, or from ``text`` when
    it had no such field; the message names both."""
    text = obj.get("text")
    if not isinstance(text, str):
        got = "nothing" if "text" not in obj else ("null" if text is None else type(text).__name__)
        field = "'text'" if columns is None or columns.text == "text" else f"{columns.text!r} or 'text'"
        raise InputError(f"expected a string {field} field, got {got}", name, number)


def record_text(record: dict, columns: Columns, name: str, number: int) -> dict:
    """A JSON Lines record (or a dict given to the Python API) read for labelling: the fields
    ``columns`` name renamed to ``text``, ``date`` and ``id`` (a record holding both names is
    refused), a null ``labels`` dropped (not labelled yet), its text then required to be a
    string. A record without the text field but with ``text`` is read from ``text``.
    :func:`trendscore.label` reads dicts with it; ``label`` reads JSON Lines with the same
    steps (:func:`parse_jsonl_line`, which also checks the date field when it reads for
    ``score``)."""
    record = columns.rename(record, name, number)
    if "labels" in record and record["labels"] is None:
        del record["labels"]  # as parse_jsonl_line drops it: no labels_input of null in the output
    check_text(record, name, number, columns)
    return record


def _csv(lines, name, require_text=True, skip=None) -> Iterator[tuple[dict, str, int]]:
    counter = {"n": 0, "first": 0}  # the line read last; the first line of the record being read

    def physical():
        for number, line in lines:
            counter["n"] = number
            if not counter["first"] and line.rstrip("\r"):  # csv passes over empty lines between records
                counter["first"] = number
                # a byte-order mark at a record's start is another file's, joined on (cat a.csv
                # b.csv): dropped before the line is parsed, so that a quoted field after it is
                # read as quoted (dropped from the parsed field, '"text"' had kept its quotes)
                line = line.removeprefix("\ufeff")
            yield line + "\n"

    def malformed(exc: csv.Error, start: int) -> InputError:
        # named at the record's first line: a quoted field runs over lines, and the reader
        # stops where it noticed (a field past the size limit, many lines further on)
        end = counter["n"]
        further = f"; the record starts here and was read to line {end}" if end > start else ""
        if "expected after" in str(exc):  # strict: text after a field's closing quote
            further += "; a field that starts with a quote is quoted whole, with each quote inside it doubled"
        what = str(exc)
        if "new-line character seen in unquoted field" in what:  # csv's words suggest reopening the file
            what = "a carriage return alone in a field not quoted"
            further += "; an old Mac line end? end each line with \\n, or quote the field"
        return InputError(f"malformed CSV ({what}){further}", name, start)

    # strict: a field that starts with a quote and goes on after its closing quote is an error;
    # read leniently, '"十五五"规划' lost its quotes and became '十五五规划' without a word, and a
    # quote never closed took every later line into one field
    raise_csv_field_limit()
    reader = csv.DictReader(physical(), delimiter=getattr(lines, "delimiter", ","), strict=True)
    try:
        fields = reader.fieldnames
    except csv.Error as exc:
        raise malformed(exc, 1) from None
    columns = getattr(lines, "columns", Columns())
    header = [f.strip().lstrip("\ufeff") for f in fields or []]
    columns.check_header(header, name, "CSV", require_text)
    reader.fieldnames = header
    seen: set[str] = set()
    for field in reader.fieldnames:
        if field in seen:
            raise InputError(f"the CSV header has two columns named {field!r}; give each its own name", name, 1)
        seen.add(field)
    first_field = header[0] if header else None
    while True:
        counter["first"] = 0
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            bad = malformed(exc, counter["first"] or counter["n"])
            # a field going on after its closing quote spoils its own record alone (the reader
            # starts afresh at the next line); a quote never closed, or a field over the size
            # limit, took every later line, and stays an error
            if skip is None or "expected after" not in str(exc):
                raise bad from None
            skip.add(bad)
            continue
        start = counter["first"]
        problem = None
        first = row.get(first_field)
        # the header repeated (another CSV file joined on) is looked for past a record's first
        # cell only when that cell holds the first column's name (one test a record)
        if first.__class__ is str and first.strip() == first_field and _repeats_header(row, header):
            problem = "this line repeats the header (another CSV file joined on?): remove it"
        elif None in row:
            problem = "more fields than the header has"
        elif None in row.values():
            given = sum(v is not None for v in row.values())
            problem = f"{given} fields, fewer than the {len(row)} the header has"
        elif "labels" in row:
            problem = csv_labels_problem(row["labels"])
        if problem is not None:
            bad = InputError(problem, name, start)
            if skip is None:
                raise bad
            skip.add(bad)
            continue
        record = columns.rename({k: v for k, v in row.items()}, name, start)
        if "labels" in record:
            record["labels"] = csv_labels(record["labels"])
        yield record, name, start


def _repeats_header(row: dict, header: list[str]) -> bool:
    """Whether a CSV record holds the header's names, each in its own column: the header of
    another file joined on, which had been read as a passage whose text is the word 'text'."""
    values = list(row.values())
    if len(values) != len(header) or not isinstance(values[0], str) or values[0].strip() != header[0]:
        return False
    return all(isinstance(v, str) and v.strip() == h for v, h in zip(values, header, strict=True))


def csv_labels(cell: str) -> list[str]:
    """The theme names of a CSV ``labels`` cell as ``label`` writes it: joined by ``|``;
    an empty cell is a passage labelled with no theme (not one left to label)."""
    return [name.strip() for name in cell.split(LABEL_SEPARATOR) if name.strip()]


#: what in a labels cell shows a list written another way than names joined by ``|``: quotes,
#: and the separators people type (commas, semicolons, the Chinese enumeration comma, in their
#: ASCII and full-width forms, and the full-width bar a Chinese input method gives for ``|``)
_LIST_MARKS = ("'", '"', ",", "，", ";", "；", "、", FULL_WIDTH_SEPARATOR)
_SEPARATORS = re.compile(f"[,，;；、{FULL_WIDTH_SEPARATOR}]")


def csv_labels_problem(cell: str | None) -> str | None:
    """Why a CSV ``labels`` cell cannot be read as ``label`` writes it, or None. Lists other
    tools write (``['policy', 'overseas']``, ``["policy"]``, ``policy,overseas``) or people
    type (``policy;overseas``, ``政策、出海``) are refused rather than taken for theme names
    with brackets, quotes, commas or semicolons in them.

    >>> csv_labels_problem("policy|overseas") is None, csv_labels_problem("") is None
    (True, True)
    >>> [csv_labels_problem(cell)[:22] for cell in ("['policy', 'overseas']", "policy,overseas")]
    ["a 'labels' cell reads ", "a 'labels' cell reads "]
    >>> csv_labels_problem("policy; overseas").split(": ", 1)[1]
    "in CSV, labels are theme names joined by '|' (policy|overseas), as label writes them"
    >>> csv_labels_problem('["policy"]').split(": ", 1)[1]
    "in CSV, labels are theme names joined by '|' (policy), as label writes them"
    """
    text = (cell or "").strip()
    if text[:1] in ("[", "(", "{") or any(mark in text for mark in _LIST_MARKS):
        shown = text if len(text) <= 40 else text[:40] + "..."
        return (
            f"a 'labels' cell reads {shown!r}: in CSV, labels are theme names joined by "
            f"'{LABEL_SEPARATOR}' ({_as_label_writes(text)}), as label writes them"
        )
    return None


def _as_label_writes(text: str) -> str:
    """A list-like labels cell written as ``label`` writes it (``["policy"]``: ``policy``; an
    empty list: an empty cell), to show in the error; ``policy|overseas`` when its names cannot
    be told apart plainly."""
    inner = text[1:-1] if text[:1] + text[-1:] in ("[]", "()", "{}") else text
    if not inner.strip():
        return "an empty cell for no theme"
    names = [piece.strip().strip("'\"").strip() for piece in _SEPARATORS.split(inner)]
    if not names or any(not n or not n.isprintable() or any(mark in n for mark in "'\"[](){}:|") for n in names):
        return f"policy{LABEL_SEPARATOR}overseas"
    shown = LABEL_SEPARATOR.join(names)
    return shown if len(shown) <= 40 else f"policy{LABEL_SEPARATOR}overseas"


#: characters of a document's body (its first passages) that go into its ``doc_id``, with its
#: title, outlet and date: a body up to this long is named by all of it
ID_BODY_CHARS = 100_000


def document_id(title: str | None, source: str | None, date: str | None, passages: list[str]) -> str:
    """The ``doc_id`` of a digest or text document: ``d`` and 16 hex digits of a hash of its
    title, outlet, date and body (its passages; of a body longer than :data:`ID_BODY_CHARS`,
    the first passages that reach that length). The same document gets the same id in every
    run and input; different documents get different ids (a chance of one in 2**64 a pair
    aside), so passages of two inputs scored together are never taken for one report.

    >>> first = document_id("短剧出海", "新华社", "2025-12-01", ["正文。"])
    >>> first == document_id("短剧出海", "新华社", "2025-12-01", ["正文。"])
    True
    >>> first == document_id("短剧出海", "新华社", "2025-12-02", ["正文。"])
    False
    >>> len(document_id(None, None, None, ["一段文字。"]))
    17
    """
    body, size = [], 0
    for passage in passages:
        if size >= ID_BODY_CHARS:
            break
        body.append(passage)
        size += len(passage)
    named = json.dumps([title, source, date, body], ensure_ascii=False)
    return "d" + hashlib.blake2b(named.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


class Repeats:
    """The documents of one run's inputs met so far, to tell a document met again (an export
    often lists an article twice; two exports of one search overlap) from its first time.

    A repeat keeps its ``doc_id`` (it is the same report, counted once by ``score``), but its
    passages' ids get a suffix, ``-r2`` for the second time, ``-r3`` for the third...
    (``d06436834e6152cc1-p1-r2``), so that ids stay unique within one output. Holds one
    number per document (not its text).

    >>> repeats = Repeats()
    >>> [repeats.occurrence("d06436834e6152cc1") for _ in range(3)]
    [1, 2, 3]
    >>> passage_id("d06436834e6152cc1", 4, 1), passage_id("d06436834e6152cc1", 4, 2)
    ('d06436834e6152cc1-p4', 'd06436834e6152cc1-p4-r2')
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()  # documents met once
        self._more: dict[int, int] = {}  # documents met twice or more: how many times

    def occurrence(self, doc_id: str) -> int:
        """Count a document met: 1 the first time ``doc_id`` is met, 2 the second..."""
        key = int(doc_id[1:], 16)
        if key not in self._seen:
            self._seen.add(key)
            return 1
        self._more[key] = self._more.get(key, 1) + 1
        return self._more[key]


def passage_id(doc_id: str, passage: int, occurrence: int = 1) -> str:
    """The ``id`` of passage ``passage`` (from 1) of document ``doc_id`` met for the
    ``occurrence`` th time in a run (:class:`Repeats`): ``DOC-pN``, and ``DOC-pN-rK`` for a
    repeat."""
    return f"{doc_id}-p{passage}" if occurrence == 1 else f"{doc_id}-p{passage}-r{occurrence}"


def _passage_records(doc_id: str, start: int, meta: tuple, passages: list[str], name: str, occurrence: int = 1):
    """The records of document ``doc_id``'s passages numbered from ``start + 1``, met for the
    ``occurrence`` th time (:func:`passage_id`)."""
    title, source, date, line = meta
    for p, passage in enumerate(passages, start + 1):
        record = {"id": passage_id(doc_id, p, occurrence), "doc_id": doc_id, "doc_title": title, "source": source}
        record["date"] = date
        record["text"] = passage
        yield record, name, line


class _Documents:
    """Documents given a line at a time, their passages yielded as they complete. A document's
    first passages are held until they reach :data:`ID_BODY_CHARS` characters (or the document
    ends), so that its id (:func:`document_id`) can be taken from them."""

    def __init__(self, name: str, repeats: Repeats | None = None):
        self.name = name
        self.repeats = repeats if repeats is not None else Repeats()
        self.occurrence = 1
        self.meta: tuple | None = None
        self.count = 0
        self.buf = PassageBuffer()
        self.doc_id: str | None = None
        self.held: list[str] = []  # the first passages, before the id is known
        self.held_chars = 0

    def start(self, title, source, date, line):
        yield from self.end()
        self.meta, self.count = (title, source, date, line), 0
        self.doc_id, self.held, self.held_chars = None, [], 0

    def add(self, text: str):
        assert self.meta is not None
        yield from self._passages(self.buf.add(text), last=False)

    def end(self):
        if self.meta is not None:
            yield from self._passages(self.buf.finish(), last=True)
            self.meta = None

    def _passages(self, passages: list[str], last: bool):
        assert self.meta is not None
        if self.doc_id is None:
            self.held += passages
            self.held_chars += sum(len(p) for p in passages)
            if self.held_chars < ID_BODY_CHARS and not last:
                return
            title, source, date, _ = self.meta
            if not self.held:
                if not title:
                    return  # a document without body text or title has no passage to name
                # a digest article with a title and no body text: its title is its one passage
                # (the article had been dropped without a word, a headline of the news unread)
                self.held = [title]
            self.doc_id = document_id(title, source, date, self.held)
            self.occurrence = self.repeats.occurrence(self.doc_id)
            passages, self.held = self.held, []
        yield from _passage_records(self.doc_id, self.count, self.meta, passages, self.name, self.occurrence)
        self.count += len(passages)


class _Pieces:
    """The lines given to the digest parser (each input line cut at its carriage returns),
    and the input line number of each: the parser numbers what it is given from 1."""

    def __init__(self, lines):
        self._lines = lines
        self._at: list[int] = []  # the pieces from which the offset below holds
        self._offset: list[int] = []  # a piece's line number less its index

    def __iter__(self):
        k, offset = 0, 1
        for number, line in self._lines:
            for piece in cut_at_carriage_returns(line):
                if number - k != offset:  # a line cut in pieces, or one passed over (--skip-bad)
                    offset = number - k
                    self._at.append(k)
                    self._offset.append(offset)
                yield piece
                k += 1

    def number(self, position: int) -> int:
        """The input line number of the piece at 1-based ``position``."""
        i = bisect.bisect_right(self._at, position - 1) - 1
        return position - 1 + (self._offset[i] if i >= 0 else 1)


#: a text or digest line of NUL characters alone
NUL_LINE = "the line is NUL characters alone, not text: is the file zeroed (a crash while it was written) or binary?"


def _refuse_nul_lines(lines, name: str, skip: SkipLog | None) -> Iterator[tuple[int, str]]:
    """The lines of a text or digest input, refusing (or, with ``skip``, passing over) one of
    NUL characters alone: a file zeroed by a crash, or a binary file without a known mark, had
    been read as passages of NULs without a word (CSV and JSON Lines refuse such lines already)."""
    for number, line in lines:
        if "\x00" in line and not line.replace("\x00", "").strip():
            error = InputError(NUL_LINE, name, number)
            if skip is None:
                raise error
            skip.add(error)
            continue
        yield number, line


def _digest(lines, name, require_text=True, skip=None, repeats=None):
    docs = _Documents(name, repeats)
    pieces = _Pieces(_refuse_nul_lines(lines, name, skip))
    for event in digest_parts(pieces):
        if event[0] == "doc":
            title, source, date, line = event[1:]
            yield from docs.start(title, source, date, pieces.number(line))
        else:
            yield from docs.add(event[1])
    yield from docs.end()


def _text(lines, name, require_text=True, skip=None, repeats=None):
    docs = _Documents(name, repeats)
    for number, line in _refuse_nul_lines(lines, name, skip):
        for piece in cut_at_carriage_returns(line):
            stripped = piece.strip()
            if stripped:
                if docs.meta is None:
                    yield from docs.start(None, None, None, number)
                yield from docs.add(stripped)
            else:
                yield from docs.end()
    yield from docs.end()


def _parquet(rows, name, require_text=True, skip=None):
    from trendscore.io.parquet import Base64Text

    columns = getattr(rows, "columns", Columns())
    repeated = next((f for i, f in enumerate(rows.fields) if f in rows.fields[:i]), None)
    if repeated is not None:  # a row as a dict would keep the last column of that name alone
        raise InputError(f"Parquet file has two columns named {repeated!r}; give each its own name", name, 1)
    columns.check_header(rows.fields, name, "Parquet file", require_text)
    for number, record in rows:
        record = columns.rename(record, name, number)
        if record.get("labels") is None:
            record.pop("labels", None)  # a labels column holds null for unlabelled rows
        try:
            if require_text or "labels" not in record:
                check_text(record, name, number, columns)
                if isinstance(record["text"], Base64Text):  # it would be labelled as its base64 text
                    raise InputError(
                        "the text is bytes that are not UTF-8 (a binary column); write it as UTF-8 text", name, number
                    )
        except InputError as exc:
            if skip is None:
                raise
            skip.add(exc)
            continue
        yield record, name, number


_READERS = {"jsonl": _jsonl, "csv": _csv, "digest": _digest, "text": _text, "parquet": _parquet}


class _Stream:
    """The numbered lines (or Parquet rows) of one input, with what was learnt opening it:
    the CSV delimiter, the user's column names, a Parquet file's fields; and, for a plain
    file whose line ends are the byte ``\n`` (so that it can be cut into byte ranges, each
    decoded on its own), its ``path`` and ``codec`` (None otherwise); ``position()`` how far
    into the file reading has got, in its bytes (None when not known); a Parquet file's Arrow
    ``schema`` (None for other inputs)."""

    def __init__(
        self,
        items,
        columns: Columns,
        delimiter: str = ",",
        fields: list[str] | None = None,
        path: str | None = None,
        codec: str | None = None,
        position=None,
        schema=None,
    ):
        self._items = iter(items)
        self.schema = schema
        self.columns, self.delimiter, self.fields = columns, delimiter, fields or []
        self.path, self.codec = path, codec
        #: ``position()``: the file's bytes read so far (None when not known), for progress
        self.position = position or (lambda: None)

    def __iter__(self):
        return self._items  # a for loop runs on the items themselves, at no cost a line

    def __next__(self):
        return next(self._items)


@contextmanager
def open_lines(
    name: str,
    input_format: str = "auto",
    encoding: str = "auto",
    encoding_errors: str = "strict",
    skip=None,
    columns: Columns | None = None,
    row_groups: tuple[int, int] | None = None,
):
    """Open one input: yields ``(format, numbered decoded lines)``; the format is detected
    from the extension and the first lines when ``input_format`` is auto. Compressed inputs
    are decompressed as they are read; a Parquet input yields numbered rows instead of lines
    (with ``row_groups`` ``(first, end)``, those of its row groups only)."""
    if input_format not in INPUT_FORMATS:
        raise InputError(f"unknown input format {input_format!r}; expected one of {', '.join(INPUT_FORMATS)}", name)
    columns = columns or Columns()
    src = _Source(name)
    try:
        if input_format == "parquet" or (input_format == "auto" and src.parquet):
            if not src.parquet:
                raise InputError("not a Parquet file (it does not start with PAR1)", name, 1)
            from trendscore.io.parquet import open_parquet

            fields, rows, schema = open_parquet(src, row_groups, max_line_bytes())
            yield "parquet", _Stream(rows, columns, fields=fields, path=src.seekable_path(), schema=schema)
            return
        chosen = prepare_decoding(src, encoding, encoding_errors, lenient=skip is not None)  # wide: as UTF-8
        lines = _lines(src, chosen, encoding_errors, skip)
        head: list[tuple[int, str]] = []
        held = 0
        for item in lines:  # up to 200 lines for sniffing, and at most about 1 MiB of them
            head.append(item)
            held += len(item[1])
            if len(head) >= 200 or held > _HEAD_CHARS:
                break
        lone_cr = _lone_carriage_returns(head, lines)
        if lone_cr:
            head = lone_cr
        head_text = [ln for _, ln in head[:200]]
        fmt = input_format
        raise_csv_field_limit()  # a long field in the first lines is sniffed as CSV, not text
        if fmt == "auto":
            fmt = sniff_format(name, head_text, columns.text)
        if fmt == "parquet":
            raise InputError("named .parquet but not a Parquet file (it does not start with PAR1)", name, 1)
        if fmt in ("digest", "text") and not columns.is_default():
            raise InputError(
                f"columns to read the text, date and id from apply to CSV, Parquet and JSON Lines, "
                f"not to {fmt} input",
                name,
            )
        delimiter = csv_shape(name, head_text, columns.text).delimiter if fmt == "csv" else ","
        # lines ended by a carriage return alone are read here: a byte range is cut at b"\n"
        cuttable = src.seekable_path() if not src.transcoded and not lone_cr else None
        yield fmt, _Stream(
            _chain(head, lines), columns, delimiter, path=cuttable, codec=chosen if cuttable else None,
            position=src.position,
        )
    finally:
        src.close()


def _lone_carriage_returns(head: list[tuple[int, str]], lines) -> list[tuple[int, str]] | None:
    """The lines of an input whose line ends are each a carriage return alone (old Mac
    exports, some Windows tools), numbered as such; None for any other input. Such an input
    has no ``\n``: it reads as a single line holding a ``\r`` (one whose last end is
    ``\r\n`` holds it no longer). Once split it would be read whole anyway (the bound on a
    line holds for it), so splitting it costs no more memory."""
    if len(head) != 1 or "\r" not in head[0][1]:
        return None
    following = next(lines, None)
    if following is not None:  # a line end came after the first line: it is a line as read
        head.append(following)
        return None
    first, text = head[0]
    return [(first + k, part) for k, part in enumerate(text.split("\r"))]


def records_of(
    fmt: str, lines, name: str, require_text: bool = True, skip: SkipLog | None = None, repeats: Repeats | None = None
) -> Iterator[tuple[dict, str, int]]:
    """The records of an input's numbered lines, read as ``fmt``; bad lines go to ``skip`` if
    given. Digest and text documents met before in the run (``repeats``, one for all its
    inputs; None: this input's own) get passage ids of their own (:class:`Repeats`)."""
    if fmt in ("digest", "text"):
        return (_digest if fmt == "digest" else _text)(lines, name, require_text, skip, repeats)
    return _READERS[fmt](lines, name, require_text, skip)


#: how often :func:`read_records` tells its ``progress`` callback how far it has read
PROGRESS_RECORDS = 4096


def read_records(
    name: str,
    input_format: str = "auto",
    encoding: str = "auto",
    encoding_errors: str = "strict",
    require_text: bool = True,
    skip: SkipLog | None = None,
    columns: Columns | None = None,
    repeats: Repeats | None = None,
    progress: Callable[[int | None], None] | None = None,
) -> Iterator[tuple[dict, str, int]]:
    """Yield ``(record, path, line)`` for every passage in one input (``-`` is stdin).

    Raises :class:`~trendscore.errors.InputError` naming the file and line for anything
    that cannot be read. An input with no passages at all is an error too. With
    ``require_text=False``, jsonl records that carry ``labels`` may lack ``text`` (scoring a
    labelled archive needs no text). With a :class:`SkipLog`, bad lines (undecodable,
    malformed, without text) are passed over and counted there instead of raising.
    ``columns`` names the fields holding the text, date and id when they are named otherwise.
    ``repeats`` (:class:`Repeats`) is shared by the inputs of one run, so that a document met
    again in another of them gets passage ids of its own; None: this input's own.
    ``progress(position)`` is told, every :data:`PROGRESS_RECORDS` passages, how many of the
    file's bytes have been read (None when that is not known: stdin, a pipe).
    """
    held = _InLineOrder(skip) if skip is not None else None
    with open_lines(name, input_format, encoding, encoding_errors, held, columns) as (fmt, stream):
        count = 0
        for item in records_of(fmt, stream, name, require_text, held, repeats):
            if held is not None:
                held.release(item[2])
            count += 1
            if progress is not None and count % PROGRESS_RECORDS == 0:
                progress(stream.position())
            yield item
        if held is not None:
            held.release(None)
        if count == 0:
            raise InputError("empty input: no passages found", name)


class _InLineOrder(SkipLog):
    """Bad lines handed on to ``skip`` in line order. The lines reader runs ahead of the
    records (the first lines are read to sniff the format, a block is decoded at a time), so
    the lines it passes over wait here until the records reach them: the first few kept are
    the first in the input, as when a job's chunks are merged."""

    def __init__(self, skip: SkipLog):
        super().__init__(skip.keep)
        self.skip = skip
        self.held: list[Exception] = []

    def add(self, error: Exception) -> None:
        """Hold a passed-over line until the records reach it."""
        self.held.append(error)

    def release(self, line: int | None) -> None:
        """Hand on, in line order, the lines held up to ``line`` (all of them for None)."""
        if not self.held:
            return
        ready = [e for e in self.held if line is None or _line_of(e) <= line]
        if ready:
            self.held = [e for e in self.held if not (line is None or _line_of(e) <= line)]
            for error in sorted(ready, key=_line_of):
                self.skip.add(error)


def _line_of(error: Exception) -> int:
    return getattr(error, "line", None) or 0


def _chain(head, rest):
    yield from head
    yield from rest
