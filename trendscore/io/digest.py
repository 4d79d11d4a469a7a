"""Parse the news-digest export: UI lines, then per article a title, a ``Source· date`` line
and a body (one article may lack the source line)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["Document", "SOURCE_LINE", "field_word", "parse_digest", "digest_parts", "looks_like_digest", "source_match"]

#: the dots that may stand between the outlet and the date: the export's own middle dot (U+00B7)
#: and the look-alikes a copy or another version of it may hold (bullet, katakana middle dot,
#: its half-width form, hyphenation point, bullet and dot operators)
_DOTS = "·•・･‧∙⋅"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
#: a time after a day: seconds may have a fraction, and AM/PM and a time zone may follow
#: (``00:59:00.000+08:00``, ``8:30 PM``, ``12:16 UTC``); the day is the one written
_AT = _TIME + r"(?:\.\d{1,9})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:z|(?:utc|gmt)?\s*[+-]\d{1,2}(?::?\d{2})?|utc|gmt))?"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_NTH = r"\d{1,2}(?:st|nd|rd|th)?"
#: the day, with ``-``, ``/`` or ``.`` (one-digit months and days too), as ``2025年12月1日``,
#: in English (``Dec 1, 2025``, ``1 December 2025``, a weekday may come first) or with the
#: year last (``1/12/2025``: which of day and month comes first is for the date's reading)
_DAY = (
    r"\d{4}(?P<sep>[-/.])\d{1,2}(?P=sep)\d{1,2}|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]"
    rf"|(?:[a-z]{{3,9}},?\s+)?(?:{_MONTH}\s+{_NTH},?|{_NTH}\s+{_MONTH},?)\s+\d{{4}}"
    r"|\d{1,2}(?P<sep2>[-/.])\d{1,2}(?P=sep2)\d{4}"
)
#: a time without a day, a day without its year (``12月1日``, ``12-01``, ``Dec 1``), or a day
#: given relative to when the page was saved (no reference)
_UNDATED = (
    _TIME + r"|(?:今天|昨天|前天)(?:\s*" + _TIME + r")?|刚刚|\d{1,3}\s*(?:秒|分钟|小时|天)前"
    r"|(?:today|yesterday)(?:\s+" + _TIME + r")?|just now|\d{1,3}\s+(?:second|minute|hour|day)s?\s+ago"
    rf"|(?:\d{{1,2}}\s*月\s*\d{{1,2}}\s*[日号]|\d{{1,2}}[-/]\d{{1,2}}|{_MONTH}\s+{_NTH}|{_NTH}\s+{_MONTH})"
    rf"(?:(?<=[日号])\s*{_TIME}|,?\s+{_TIME}|T{_TIME})?"
)
#: a weekday after the day or its time (``星期日``, ``周日``, ``（周日）``)
_WEEKDAY = r"(?:\s*[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?)?"
#: an article's source line: the outlet (which may hold a middle dot itself: ``人民日报·海外版``),
#: a middle dot, and its date (``group("date")``: the day as written, without the time or
#: weekday that may follow it) or a time or relative day alone, which names no day
#: (``group("undated")``)
SOURCE_LINE = re.compile(
    rf"^(?P<source>[^{_DOTS}\s](?:.{{0,78}}?[^{_DOTS}\s])??)\s*[{_DOTS}]\s*"
    rf"(?:(?P<date>{_DAY})(?:(?:,?\s+(?:at\s+)?|T){_AT}|(?<=[日号])\s*{_AT})?{_WEEKDAY}"
    rf"|(?P<undated>{_UNDATED}))\s*$",
    re.I,
)
#: full-width ASCII forms (``２０２５－１１－２８``, ``：``) and the ideographic space, as their
#: ASCII characters: one character for one, so a match's positions hold in the line as written
_HALF_WIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "})


def source_match(line: str) -> re.Match[str] | None:
    """:data:`SOURCE_LINE` matched on ``line`` with full-width digits and signs read as ASCII
    (a Chinese input method's ``２０２５－１１－２８``); the match's groups are of that reading, so
    its ``date`` is in ASCII digits, and its positions are the line's own (``line[m.start("source"):
    m.end("source")]`` is the outlet as written)."""
    return SOURCE_LINE.match(line.translate(_HALF_WIDTH))


_TITLE_MAX = 100
#: words that name a field of a page (its date or where it came from), not an outlet: a line
#: such as ``发布时间· 2025-11-28`` in a body is the article's own metadata, not the source line
#: of another article
_FIELD_WORDS = frozenset(
    "发布时间 发布日期 发表时间 发表日期 更新时间 更新日期 编辑时间 时间 日期 来源 稿源 发布 更新"
    " published updated posted date source".split()
)


#: a line that gives a field of the page (``日期：2025-11-28``, ``发布时间· 10:00``): never a title
_FIELD_LINE = re.compile(rf"^(?:{'|'.join(sorted(_FIELD_WORDS, key=len, reverse=True))})\s*[:：{_DOTS}]", re.I)


def field_word(m: re.Match[str]) -> bool:
    """True when a :data:`SOURCE_LINE` match names a field (``发布时间``, ``日期``, ``Updated``)
    where the outlet stands: such a line is no outlet's source line."""
    return m.group("source").strip().rstrip(":：").strip().casefold() in _FIELD_WORDS


@dataclass
class Document:
    """One article of a digest: its title, the outlet and date of its source line (None when
    the article has none), its body text, and the input line of its title."""

    title: str | None  # None for a paragraph above the first title, read as text
    source: str | None
    date: str | None
    body: str
    line: int  # 1-based line of the title in the input


#: the longest line taken for one of the export's interface lines (``Workflow``, ``icon``...)
_INTERFACE_MAX = 40
_SENTENCE_ENDS = ("。", "！", "？", "；", "：", "…", ".", "!", "?", ";", ":", ",", "，", "、")


def _interface_like(line: str) -> bool:
    """True for a line the export's interface could hold: short, and not ending a sentence."""
    return len(line) <= _INTERFACE_MAX and not line.endswith(_SENTENCE_ENDS)


def looks_like_digest(lines: Iterable[str]) -> bool:
    """True when the given (first) lines read as the digest export: two ``Source· YYYY-MM-DD``
    lines or more (an export lists many articles; its first article may lack a source line,
    its titles may be long), or one below a title with nothing above that title but interface
    lines (short, none ending a sentence). A single ``Source· date`` line inside notes does
    not make them a digest: their paragraphs above it would be dropped as interface. Only
    source lines with a day count here: lines with a time alone (``张三· 12:30``) are read as
    source lines in a digest, but a chat log holding them is no digest.

    An export whose source lines give a relative day alone (``3小时前``, ``昨天 10:20``,
    ``2天前``) is a digest too when its shape is plain (see :func:`_relative_digest`)."""
    head = [line.strip() for line in lines]
    above: list[str] = []
    first_ok: bool | None = None  # the strict reading of the first source line
    for stripped in head:
        m = source_match(stripped)
        if m and m.group("date"):  # a time alone ("张三· 12:30", as in a chat) does not make a digest
            if first_ok is not None:
                return True  # a second source line
            title_above = bool(above) and bool(above[-1]) and len(above[-1]) <= _TITLE_MAX
            first_ok = title_above and all(_interface_like(text) for text in above[:-1] if text)
            continue
        if first_ok is None:
            above.append(stripped)
    return bool(first_ok) or _relative_digest(head)


_CLOCK = re.compile(_TIME)


def _relative_digest(head: list[str]) -> bool:
    """True when the (stripped) lines read as a digest whose source lines give a relative day
    (``新华社· 3小时前``, ``人民网· 昨天 10:20``; a clock time alone, as a chat log has, does not
    count). Its shape must be plain: two articles or more, each source line with a title just
    above it (a line that can head an article, see :func:`_heads_article`) and below it (a
    blank line may come first) a body line longer than that title; a body line of the article
    before between one source line and the next title; nothing above the first title but
    the export's interface lines. One relative-day line that does not fit, a stray
    ``网友· 3小时前`` in notes or a chat log's ``张三· 2小时前``, makes the lines no digest.
    Such an export had been read as plain text, each title, source line and body joined into
    passages without a date."""
    articles = 0
    previous = -1  # the line of the previous source line
    for k, text in enumerate(head):
        m = source_match(text)
        if m is None:
            continue
        relative = m.group("undated") is not None and not _CLOCK.fullmatch(m.group("undated"))
        if m.group("date") is None and not relative:
            continue  # a time alone decides nothing here
        title = head[k - 1] if k else ""
        body = next((line for line in head[k + 1 : k + 3] if line), "")  # a blank line may come first
        shaped = (
            _heads_article((k - 1, title, False))
            and bool(body)
            and not source_match(body)
            and len(body) > len(title)
            and (
                any(head[previous + 1 : k - 1])
                if previous >= 0
                else all(_interface_like(line) for line in head[: k - 1] if line)
            )
        )
        if relative and not shaped:
            return False
        articles += shaped
        previous = k
    return articles >= 2


#: the most lines above the first title taken for the export's interface (it has four)
_INTERFACE_LINES = 100


class _Above:
    """The lines above a digest's first title, given one at a time (0-based number, stripped).

    While every line could be the export's interface (short, none ending a sentence; at most
    :data:`_INTERFACE_LINES` of them) they are held, and dropped once a source line shows the
    input is the export. A line of prose ends the holding. When the line held just above it
    reads as a title (short, and the prose more than twice as long), the two start an article
    without a source line, as the export's first article can be, and the lines held above
    that title are its interface, dropped. Otherwise nothing is dropped: the held lines and
    every later one above the first title are read as plain text is (a document per
    paragraph, without title, source or date), as they are when no source line ever comes."""

    def __init__(self) -> None:
        self.held: list[tuple[int, str]] = []
        self.as_text = False
        self.open = False  # a paragraph's document has been started

    def add(self, i: int, text: str) -> Iterator[tuple]:
        """Take the next line above the first title; yields the events of text read as such."""
        if self.as_text:
            yield from self._text(i, text)
            return
        if not text or _interface_like(text):
            self.held.append((i, text))
            if len(self.held) > _INTERFACE_LINES:
                yield from self._release()
            return
        if self.held and self.held[-1][1] and _title_like(self.held[-1][1], text):
            j, title = self.held[-1]
            self.held, self.as_text, self.open = [], True, True
            yield ("doc", title, None, None, j + 1)
            yield ("text", text)
            return
        self.held.append((i, text))
        yield from self._release()

    def end(self, digest: bool) -> Iterator[tuple]:
        """No more lines above the first title: the held ones are dropped as the interface when
        a source line came (``digest``), else read as text."""
        if digest:
            self.held = []
        else:
            yield from self._release()

    def _release(self) -> Iterator[tuple]:
        self.as_text = True
        held, self.held = self.held, []
        for i, text in held:
            yield from self._text(i, text)

    def _text(self, i: int, text: str) -> Iterator[tuple]:
        if not text:
            self.open = False
            return
        if not self.open:
            self.open = True
            yield ("doc", None, None, None, i + 1)
        yield ("text", text)


def _title_like(line: str, following: str | None) -> bool:
    if following is None or len(line) > _TITLE_MAX or _FIELD_LINE.match(line):
        return False
    return len(following) > 2 * len(line) and not line.endswith(("。", ".", "...", "…"))


def _sources(lines: Iterable[str]) -> Iterator[tuple[int, str, re.Match[str] | None]]:
    """Yield each line's 0-based number, its stripped text and its source-line match, a line
    behind the input. A source-shaped line directly above another one is no source line: it
    is the title of the article whose source line follows (``新华鲜报· 2025-11-30`` above
    ``Xin Hua She· 2025-11-30``), so it is yielded without its match; unless the line below
    names a field (``发布时间· 2025-11-30`` under the outlet's line is the article's metadata)."""
    held: tuple[int, str, re.Match[str] | None] | None = None
    for i, raw in enumerate(lines):
        stripped = raw.strip()
        m = source_match(stripped)
        if held is not None:
            yield held if m is None or field_word(m) else (held[0], held[1], None)
        held = (i, stripped, m)
    if held is not None:
        yield held


#: the ends of a line that is a sentence or clause of body text rather than a title (not an
#: ellipsis: an export may cut a long title short with one)
_BODY_ENDS = ("。", "；", "，", "、", "：", ";", ",", ":")


def _heads_article(last: tuple[int, str, bool] | None) -> bool:
    """Whether the line above a source line that names no day (a time or relative day alone),
    or names a field for its outlet (``发布时间· 2025-11-28``), can be its article's title: a
    line that is no source line, not blank, no longer than a title, not ending a sentence (or
    a clause) and not itself read as a source line. A time
    alone also stands in body text ('开幕式· 9:30' in a programme): taken for a source line
    there, the sentence above it became a title and the article's body was lost, and a second
    such line took the first for its title. A field's line in a body had cut its article in
    two, the body line above it taken for the second half's title."""
    if last is None or last[2] or not last[1]:
        return False
    text = last[1]
    sentence = text.endswith(_BODY_ENDS) or (text.endswith(".") and not text.endswith(".."))
    return len(text) <= _TITLE_MAX and not sentence and not source_match(text)


def digest_parts(lines: Iterable[str]) -> Iterator[tuple]:
    """Stream the documents of a digest given as its lines (without line ends): yields
    ``("doc", title, source, date, line)`` when a document starts (``line``: 1-based line of
    its title) and ``("text", line)`` for each non-blank body line (stripped) of the document
    last started. Holds three lines at a time, whatever the length of the input (and, above
    the first title, up to :data:`_INTERFACE_LINES` short ones).

    Lines above the first title are the export's interface (``Workflow``, ``icon``...) and
    are dropped when every one could be (see :class:`_Above`); otherwise they are read as
    plain text is, documents without title, source or date (``("doc", None, None, None,
    line)``) split at blank lines, so that no paragraph is lost. An input without any source
    line is read as plain text throughout.
    """
    above = _Above()
    started = False
    last: tuple[int, str, bool] | None = None  # the previous line (and whether it was a source line)
    waiting: tuple[int, str] | None = None  # a body line waiting for the one after it
    body = False  # the current document has body text

    def feed(held: tuple[int, str], following: str | None):
        """Settle the held line ``waiting``, now that the body line after it is known."""
        nonlocal body
        j, text = held
        if body and _title_like(text, following):
            yield ("doc", text, None, None, j + 1)
            body = False
        else:
            yield ("text", text)
            body = True

    for i, stripped, m in _sources(lines):
        field = m is not None and field_word(m)
        if m and (m.group("undated") or field) and not _heads_article(last):
            # a time alone below body text ('开幕式· 9:30' in a programme) is body text, and so
            # is a field's line there ('发布时间· 2025-11-28'): it is no other article's source
            m = None
        if m:
            if waiting is not None:
                yield from feed(waiting, None)
                waiting = None
            if not started:
                yield from above.end(digest=True)
            title = last[1] if last is not None else ""
            # a time or relative day alone is kept as written: the day is unknown, and scoring
            # counts it undated with its warning rather than the article being taken for body text
            # a field's line under a title is the article's date, with no outlet named
            source = None if field else stripped[m.start("source") : m.end("source")].strip()
            yield ("doc", title, source, m.group("date") or m.group("undated"), i)
            started, body, last = True, False, (i, stripped, True)
            continue
        if started and last is not None and last[1] and not last[2]:
            if waiting is not None:
                yield from feed(waiting, last[1])
            waiting = last[:2]
        elif not started and last is not None:  # not the first title: the line below it is not a source line
            yield from above.add(last[0], last[1])
        last = (i, stripped, False)
    if not started:
        if last is not None:
            yield from above.add(last[0], last[1])
        yield from above.end(digest=False)
    if started and last is not None and last[1] and not last[2]:
        if waiting is not None:
            yield from feed(waiting, last[1])
        waiting = last[:2]
    if waiting is not None:
        yield from feed(waiting, None)


def parse_digest(lines: Iterable[str]) -> Iterator[Document]:
    """Yield the documents of a digest given as its lines (without line ends); see
    :func:`digest_parts` (which streams a body line by line instead of whole)."""
    doc: Document | None = None
    parts: list[str] = []
    for event in digest_parts(lines):
        if event[0] == "doc":
            if doc is not None:
                doc.body = " ".join(parts)
                yield doc
            doc, parts = Document(event[1], event[2], event[3], "", event[4]), []
        else:
            parts.append(event[1])
    if doc is not None:
        doc.body = " ".join(parts)
        yield doc
