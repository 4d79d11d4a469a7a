"""Telling what an input holds from its first bytes: the text encoding, and the format.

Encodings: a byte-order mark decides; then valid UTF-8 is UTF-8; then UTF-16/32 without a
mark (by where their zero bytes fall); then the Chinese encodings (GB18030, of which GBK and
GB2312 are subsets, and Big5 with the Hong Kong additions) are told apart by how many of the
decoded characters are common Chinese characters, since almost any byte string decodes as
GB18030; then charset-normalizer for every other encoding. When no answer stands clearly
above the others the caller gets an error naming the candidates, never a guess.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from pathlib import Path

from trendscore.errors import ENCODING_HINT, InputError, hinted
from trendscore.once import built_once

__all__ = [
    "Encoding",
    "choose_encoding",
    "prepare_decoding",
    "check_codec",
    "sniff_format",
    "sniff_csv",
    "csv_shape",
    "cut_at_carriage_returns",
    "extension_format",
    "CsvShape",
    "FORMAT_EXTENSIONS",
]

_BOMS = [  # longest first: the UTF-32-LE mark starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
#: the Chinese encodings tried by character statistics (decoders that accept every subset)
_CHINESE = ("gb18030", "big5hkscs")
_WIDE = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
#: what detection may choose on its own; others (cp1252, Shift-JIS ...) are only named as
#: candidates, since a few stray bytes in a UTF-8 file look just like them
_CHOSEN = frozenset(_CHINESE + _WIDE)
_SHOWN = {"gb18030": "gb18030 (GBK)", "big5hkscs": "big5"}
#: how far the best candidate's share of plausible characters must lead the next one
_MARGIN = 0.15
#: the least share of plausible characters a chosen decoding must reach
_FLOOR = 0.85
_SAMPLE_CHARS = 20_000

FORMAT_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class Encoding:
    """How to decode an input: ``codec``, and whether it must be turned into UTF-8 before it
    is cut into lines (encodings in which a line end is not the byte ``\\n``)."""

    codec: str
    transcode: bool = False
    bom: int = 0  # bytes of byte-order mark to drop (UTF-8's; the UTF-16/32 codecs drop theirs)


def cut_at_carriage_returns(line: str) -> list[str] | tuple[str]:
    """A line of text or digest cut at each carriage return alone inside it: a file whose
    line ends are ``\n`` may hold old Mac line ends (``\r``) too. Left in the line, they
    joined the lines they end (a blank one between two paragraphs too) into one paragraph,
    and in a digest hid an article's title and source line in the body above. A byte-order
    mark at a piece's start is dropped: it is where another file was joined on (``cat a.txt
    b.txt``), and had been kept at the start of that file's first passage (or title)."""
    if "\r" in line:
        pieces = line.split("\r")
        return [piece.removeprefix("\ufeff") for piece in pieces] if "\ufeff" in line else pieces
    return (line[1:],) if line.startswith("\ufeff") else (line,)


def check_codec(name: str, where: str) -> str:
    """The codec's canonical name; refuses unknown codecs and ones that do not decode text
    (``rot13``, ``base64``, ``zlib`` ...)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        what = "is an unknown encoding" if info is None else "is not a text encoding"
        raise InputError(f"{name!r} {what}; pass a text encoding such as utf-8 or gb18030", where) from None
    return info.name


def _wide(codec: str) -> bool:
    """True when a line end is not the single byte ``\\n`` in this encoding."""
    try:
        return "\n".encode(codec) != b"\n" or "a".encode(codec) != b"a"
    except (UnicodeError, LookupError):
        return True


def choose_encoding(head: bytes, final: bool, forced: str, where: str, replace: bool = False) -> Encoding:
    """The encoding of an input whose first bytes are ``head`` (all of it when ``final``).

    ``forced`` is the user's ``--encoding`` (``auto`` to detect). With ``replace`` (the user
    accepts replacement characters) an input that is not clearly in any encoding is read as
    UTF-8; otherwise it is an :class:`InputError` naming the line of the first byte that is
    not UTF-8 and the candidate encodings.
    """
    if forced != "auto":
        codec = check_codec(forced, where)
        bom = len(codecs.BOM_UTF8) if codec == "utf-8" and head.startswith(codecs.BOM_UTF8) else 0
        return Encoding(codec, transcode=_wide(codec), bom=bom)
    for mark, codec in _BOMS:
        if head.startswith(mark):
            if codec == "utf-8-sig":
                return Encoding("utf-8", bom=len(mark))
            return Encoding(codec, transcode=True)
    wide = _wide_without_bom(head)
    if wide is not None:
        return Encoding(wide, transcode=True)
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=final)
    except UnicodeDecodeError as exc:
        cut = final and exc.reason == "unexpected end of data" and exc.end == len(head)
        if cut and not head[: exc.start].isascii():
            # UTF-8 to its last byte, which stops inside a character: a file cut short (or still
            # being written), which the reader names as such; no other encoding would help.
            # (ASCII to there: the last byte may be another encoding's letter, which is detected)
            return Encoding("utf-8")
        bad_at = exc.start
    else:
        if not _controls(text):
            return Encoding("utf-8")
        ranked = _rank(head, final)  # zero bytes and controls: UTF-16 without a mark?
        if ranked and ranked[0][1] in _WIDE and ranked[0][0] >= _FLOOR and _leads(ranked):
            return Encoding(ranked[0][1], transcode=True)
        return Encoding("utf-8")
    ranked = _rank(head, final)
    if ranked and ranked[0][1] in _CHOSEN and ranked[0][0] >= _FLOOR and _leads(ranked):
        codec = ranked[0][1]
        return Encoding(codec, transcode=_wide(codec))
    if replace:
        return Encoding("utf-8")
    line = head[:bad_at].count(b"\n") + 1
    candidates = [_SHOWN.get(c, c) for s, c in ranked if s >= 0.6][:2] + _detector_guesses(head)
    guess = f"; it could be {' or '.join(candidates)}" if candidates else ""
    raise hinted(
        InputError(f"invalid UTF-8 bytes, and no other encoding fits clearly{guess}", where, line),
        ENCODING_HINT,
    )


def prepare_decoding(src, forced: str, errors: str, lenient: bool = False) -> str:
    """Choose the encoding of an opened :class:`~trendscore.io.opening.Source` and set it up:
    UTF-16/32 and other encodings whose line end is not ``\\n`` are turned into UTF-8 as they
    are read, a UTF-8 byte-order mark is dropped. Returns the codec to decode lines with.
    ``lenient`` (replacing or skipping bad bytes) reads an unclear input as UTF-8."""
    enc = choose_encoding(src.head, src.complete, forced, src.name, replace=lenient or errors != "strict")
    if enc.transcode:
        src.transcode(enc.codec, errors)
        return "utf-8"
    if enc.bom:
        src.head = src.head[enc.bom :]
    return enc.codec


def _leads(ranked: list[tuple[float, str]]) -> bool:
    return len(ranked) == 1 or ranked[0][0] - ranked[1][0] >= _MARGIN


def _controls(text: str) -> bool:
    """Many control characters (zero bytes above all): not a text in UTF-8."""
    sample = text[:_SAMPLE_CHARS]
    bad = sum(1 for ch in sample if ord(ch) < 0x20 and ch not in "\t\r\n\x0c")
    return bad >= 2 and bad >= 0.05 * len(sample)


def _wide_without_bom(head: bytes) -> str | None:
    """UTF-16 or UTF-32 without a byte-order mark, told by where the zero bytes fall (ASCII
    characters, line ends and spaces have them in fixed places)."""
    sample = head[: 1 << 12]
    if len(sample) < 8 or sample.count(0) < len(sample) // 8:
        return None
    for codec, step, offset in (("utf-32-le", 4, 3), ("utf-32-be", 4, 0), ("utf-16-le", 2, 1), ("utf-16-be", 2, 0)):
        n = len(sample) // step * step
        column = sample[offset:n:step]
        if column and column.count(0) == len(column):
            try:
                codecs.getincrementaldecoder(codec)().decode(sample[:n], final=False)
            except UnicodeDecodeError:
                continue
            return codec
    return None


@built_once(maxsize=1)
def _common_chinese() -> frozenset:
    """The 3,755 most common Chinese characters (GB2312 level 1) and their Traditional forms."""
    pairs = [(hi, lo) for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF) if hi < 0xD7 or lo <= 0xF9]
    simplified = "".join(bytes(pair).decode("gb2312") for pair in pairs)
    from opencc import OpenCC

    traditional = OpenCC("s2t").convert(simplified) + OpenCC("s2tw").convert(simplified)
    return frozenset(simplified) | frozenset(traditional)


_PUNCT = re.compile(r"[\u3000-\u303f\uff00-\uffef\u2010-\u2027\u2030-\u205e\u00a0-\u00ff\u00b7]")


def _plausibility(text: str) -> float:
    """The share of plausible characters among those that are not ASCII (the ASCII ones read
    the same in every candidate): common Chinese characters and CJK, Latin-1 and general
    punctuation count fully, other ideographs a quarter (rare characters do occur), anything
    else (kana, Hangul, symbols, private use) nothing; so do control characters."""
    common = _common_chinese()
    total = 0.0
    n = 0
    for ch in text[:_SAMPLE_CHARS]:
        o = ord(ch)
        if o < 0x80:
            if o < 0x20 and ch not in "\t\r\n\x0c":
                n += 1  # a control character: counts against
            continue
        n += 1
        if ch in common or _PUNCT.match(ch):
            total += 1.0
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            total += 0.25
    return total / n if n else 0.0


def _decode_sample(head: bytes, codec: str, final: bool) -> str | None:
    try:
        return codecs.getincrementaldecoder(codec)().decode(head, final=final)
    except UnicodeDecodeError:
        return None


def _rank(head: bytes, final: bool) -> list[tuple[float, str]]:
    """The encodings detection may choose, with their plausibility, best first; one entry
    per distinct decoded text."""
    seen: dict[str, str] = {}
    for codec in _CHINESE + _WIDE:
        text = _decode_sample(head, codec, final)
        if text is not None and text not in seen:
            seen[text] = codec
    scored = [(_plausibility(text), codec) for text, codec in seen.items()]
    scored.sort(key=lambda sc: -sc[0])
    return scored


def _detector_guesses(head: bytes) -> list[str]:
    """charset-normalizer's candidates other than the Chinese ones and UTF-8, to name in a
    message (never chosen on their own)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a core dependency
        return []
    names = []
    for match in from_bytes(head[: 1 << 14]):
        name = codecs.lookup(match.encoding).name
        if name not in ("gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "utf-8") + _WIDE:
            names.append(name)
    return names[:2]


# ------------------------------------------------------------------ formats


@dataclass(frozen=True)
class CsvShape:
    """A CSV file's delimiter, as sniffed from its header."""

    delimiter: str = ","


_DELIMITERS = (",", ";", "\t", "|")
_NAME = re.compile(r"^[\w .\-/()#]{1,60}$")
#: column names that make a first line a CSV header when the text column is not among them
_COMMON_COLUMNS = frozenset(
    "id text body content title headline summary date time published source outlet url link author lang labels"
    " 标题 正文 内容 日期 来源 作者".split()
)


def extension_format(name: str) -> str | None:
    """The format a file's name says (``news.csv.gz`` says csv), or None."""
    if name == "-":
        return None
    path = Path(name)
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in (".gz", ".gzip", ".bz2", ".zst", ".zstd"):
        suffixes.pop()
    return FORMAT_EXTENSIONS.get(suffixes[-1]) if suffixes else None


def sniff_csv(lines: list[str], text_column: str = "text") -> CsvShape | None:
    """A CSV header and rows, or None: the first line splits into two or more column names
    and the next rows mostly have as many fields. A header naming ``text_column`` decides at
    once; a tab, semicolon or bar beats a comma that splits fewer fields. A first line that is
    ``text_column`` alone, above more lines, is the header of a one-column CSV (``pandas``
    writes one for a column of texts); it had been read as plain text, the header a passage's
    first word and the rows joined into passages."""
    rows = [ln for ln in lines if ln.strip()][:50]
    if not rows:
        return None
    if len(rows) > 1 and rows[0].strip().lstrip("\ufeff").strip() == text_column:
        return _one_column(rows)
    best: tuple[int, str] | None = None
    for delimiter in _DELIMITERS:
        try:
            parsed = list(csv.reader(rows, delimiter=delimiter))
        except csv.Error:
            continue
        header = [h.strip().lstrip("\ufeff") for h in parsed[0]] if parsed else []
        if len(header) < 2 or not all(_NAME.match(h) for h in header):
            continue
        if text_column in header:
            return CsvShape(delimiter)
        if not _COMMON_COLUMNS & {h.lower() for h in header}:
            continue  # prose with a comma in each line is not a table
        width = len(header)
        body = parsed[1:]
        fits = sum(1 for row in body if len(row) == width)
        if not body or fits < 0.8 * len(body):
            continue
        if best is None or width > best[0]:
            best = (width, delimiter)
    return CsvShape(best[1]) if best else None


def _one_column(rows: list[str]) -> CsvShape:
    """The delimiter of a one-column CSV: the first that splits none of its rows (a comma
    unless a row holds one unquoted), so a text is never cut at a delimiter its writer did not
    quote; a comma when each splits some row (the reader then names the row)."""
    for delimiter in _DELIMITERS:
        try:
            if all(len(row) <= 1 for row in csv.reader(rows, delimiter=delimiter)):
                return CsvShape(delimiter)
        except csv.Error:
            continue
    return CsvShape(",")


def csv_shape(name: str, lines: list[str], text_column: str = "text") -> CsvShape:
    """The delimiter of a file read as CSV: tab for .tsv, otherwise sniffed (comma by default)."""
    if name != "-" and ".tsv" in [s.lower() for s in Path(name).suffixes]:
        return CsvShape("\t")
    return sniff_csv(lines, text_column) or CsvShape(",")


def sniff_format(name: str, lines: list[str], text_column: str = "text") -> str:
    """An input's format from its name's extension, else from its first decoded lines."""
    from trendscore.io.digest import looks_like_digest

    by_name = extension_format(name)
    if by_name is not None:
        return by_name
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if first.startswith(("{", "[")):
        return "jsonl"  # the jsonl reader explains that a JSON array is not JSON Lines
    # a digest's lines as its reader takes them: cut at carriage returns alone (old Mac line ends)
    if looks_like_digest([piece for line in lines[:200] for piece in cut_at_carriage_returns(line)]):
        return "digest"
    if sniff_csv(lines, text_column) is not None and not _text_under_a_name(lines, text_column):
        return "csv"
    return "text"


def _text_under_a_name(lines: list[str], text_column: str) -> bool:
    """True for plain text whose first line is ``text_column`` alone but whose later lines are
    not as a CSV writer writes one column: a blank line between them (a writer quotes an empty
    cell, ``""``; paragraphs of text are parted so), or a quote that does not open a field
    quoted whole (``他说"好"``, ``"十五五"规划``: a writer would have quoted that cell and doubled
    the quotes). Read as a one-column CSV, its first line was taken for a header and lost, and
    its quotes opened fields (or stopped the read as malformed CSV)."""
    rows = [ln for ln in lines if ln.strip()]
    if len(rows) < 2 or rows[0].strip().lstrip("\ufeff").strip() != text_column:
        return False
    at = next(i for i, ln in enumerate(lines) if ln.strip()) + 1
    quoted = False  # inside a quoted cell that goes on over lines
    blank = False
    for line in lines[at:]:
        if not quoted:
            if not line.strip():
                blank = True
                continue
            if blank:
                return True  # a blank line between rows
            if '"' not in line:
                continue
            if not line.startswith('"'):
                return True  # a quote inside a cell that is not quoted
            line = line[1:]
        # the closing quote is the first one that is not doubled
        rest = line.replace('""', "")
        if '"' not in rest:
            quoted = True
            continue
        quoted = False
        if rest[rest.index('"') + 1 :].strip():
            return True  # text after the cell's closing quote
    return False
