"""Text normalisation and passage splitting.

Normalisation is the first step of every feature: NFKC (which also folds full-width
Latin letters, digits and punctuation to half-width), Traditional to Simplified Chinese
with OpenCC, and lower-cased Latin letters.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence

from trendscore.once import built_once
from trendscore.text.markup import without_markup

__all__ = ["normalize", "normalize_many", "split_passages", "PassageBuffer", "OPENCC_CONFIG", "OPENCC_CONFIGS"]

#: OpenCC conversion used before featurising. ``tw2sp`` is ``t2s`` plus Taiwan phrase
#: mapping (人工智慧 -> 人工智能, 網路 -> 网络, 影片 -> 视频), which puts Traditional-script
#: news into the same vocabulary as mainland reports. ``tw2sp-traditional`` (the default of
#: new models) applies it to Traditional-script texts only; models trained before it keep
#: ``tw2sp`` on every text, as they were trained.
OPENCC_CONFIG = "tw2sp-traditional"
#: the settings a model may name (never a path: a model's settings are not trusted)
OPENCC_CONFIGS = ("tw2sp-traditional", "tw2sp", "t2s", "tw2s", "hk2s")

_BATCH_SEP = "\n\u2028\n"
# white space between two Chinese characters (line wraps of exported PDFs, "催 生") is removed:
# the matches of the look-behind pattern
#   (?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])[ \t\r\n]+(?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])
# found faster: a pattern that starts with a character class lets the regex engine skip to
# white space at C speed (a look-behind first is tried at every character); the character
# before each white space run is checked by _drop_gap (with comparisons: each class of these
# 27,000 characters costs ~2 ms to compile, at every start)
_GAP_CJK = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef"
_GAP_BEFORE_CJK = re.compile(f"[ \t\r\n]+(?=[{_GAP_CJK}])")


def _drop_gap(match: re.Match) -> str:
    start = match.start()
    if start:
        ch = match.string[start - 1]
        if "\u3400" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef":
            return ""
    return match.group()


def _without_gaps(text: str) -> str:
    """``text`` without white space between two Chinese characters (see above): a white space
    run is never matched from its middle, as the run's own start is tried first and, followed
    by a Chinese character, matches."""
    return _GAP_BEFORE_CJK.sub(_drop_gap, text)


@built_once(maxsize=4)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def _fold(text: str) -> str:
    """NFKC, and NUL as a space (the reference :func:`_fold_many` must agree with)."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("\x00", " ")


#: Code points on which NFKC works character by character: the compatibility decomposition of
#: each starts with a starter (combining class 0) that is never the second half of a canonical
#: composition, so no character reorders or composes with a neighbour, and NFKC of a text made of
#: them is the NFKC of each character, joined (tests/test_text_fold.py checks every one).
#: ASCII, Latin-1 and Latin Extended, punctuation, symbols and enclosed forms, CJK punctuation,
#: ideographs and compatibility ideographs, full- and half-width forms, emoji.
_FOLD_SAFE = (
    "\x00-\u02ff\u2000-\u20cf\u2100-\u2bff\u2e00-\u3029\u3030-\u303f\u3200-\u33ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe00-\ufe1f\ufe30-\ufe6f\uff00-\uff9d\uffe0-\uffef\U0001f300-\U0001faff"
)
#: _FOLD_SAFE as (first, last) code points (each range there is three characters, "a-b")
_FOLD_SAFE_RANGES = tuple((ord(_FOLD_SAFE[i]), ord(_FOLD_SAFE[i + 2])) for i in range(0, len(_FOLD_SAFE), 3))
#: the ranges of _FOLD_SAFE but the ideographs and emoji, which NFKC never changes
_FOLD_CHANGING = (
    (0x00, 0x2FF),
    (0x2000, 0x20CF),
    (0x2100, 0x2BFF),
    (0x2E00, 0x3029),
    (0x3030, 0x303F),
    (0x3200, 0x33FF),
    (0xF900, 0xFAFF),
    (0xFE00, 0xFE1F),
    (0xFE30, 0xFE6F),
    (0xFF00, 0xFF9D),
    (0xFFE0, 0xFFEF),
)


@built_once(maxsize=1)
def _fold_table():
    """A pattern of the characters :data:`_FOLD_SAFE` holds that NFKC changes (and NUL), what
    each becomes, and the replacement function for ``re.sub``."""
    table = {"\x00": " "}
    for lo, hi in _FOLD_CHANGING:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            folded = unicodedata.normalize("NFKC", ch)
            if folded != ch:
                table[ch] = folded
    # as ranges (a class of 2,000 single characters beyond the BMP was matched by a linear scan)
    return re.compile(f"[{_class_ranges(sorted(map(ord, table)))}]"), table, lambda m: table[m.group()]


@built_once(maxsize=1)
def _fold_unsafe_table():
    """A numpy bool for every code point, True for those :data:`_FOLD_SAFE` does not hold (a
    table rather than a regular expression of the class, which took ~4 ms to compile at every
    start)."""
    import numpy as np

    table = np.ones(0x110000, dtype=bool)
    for lo, hi in _FOLD_SAFE_RANGES:
        table[lo : hi + 1] = False
    return table


def _numpy_loaded() -> bool:
    """Whether numpy is imported: batches are checked with its tables then. A run that never
    needs numpy (one passage, whose model still normalises the name lists' 3,000 terms as a
    batch) folds and converts each text on its own, as a few texts are, and never imports it."""
    return "numpy" in sys.modules


def _fold_many(texts: Sequence[str]) -> list[str]:
    """:func:`_fold` of each text, a few times faster: ASCII needs only NUL replaced, and a
    text of :data:`_FOLD_SAFE` characters only the characters NFKC changes replaced, one by one
    (CPython's NFKC decomposes and recomposes every text with one full-width comma)."""
    if len(texts) <= 8 or not _numpy_loaded():  # spares a one-passage run the tables (~10 ms)
        return [_fold(t) for t in texts]
    pattern, _, swap = _fold_table()
    texts = list(texts)
    wide = [i for i, t in enumerate(texts) if not t.isascii()]
    slow = set(_marked(texts, wide, _fold_unsafe_table()))  # texts with a character outside _FOLD_SAFE
    out = [t.replace("\x00", " ") if "\x00" in t else t for t in texts]  # what an ASCII text needs
    for i in wide:  # the others
        out[i] = _fold(texts[i]) if i in slow else pattern.sub(swap, texts[i])
    return out


def normalize(text: str, config: str = OPENCC_CONFIG) -> str:
    """Return ``text`` normalised for featurising.

    Parameters
    ----------
    text : str
        Any string, possibly empty.
    config : str, default="tw2sp"
        The OpenCC configuration that maps Traditional to Simplified.

    Examples
    --------
    >>> normalize("微短劇ＡＩＧＣ出海")
    '微短剧aigc出海'
    """
    return normalize_many([text], config)[0]


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (which JSON escapes can carry) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _convert(folded: list[str], todo: list[int], config: str) -> list[str]:
    """``folded`` with the texts at ``todo`` converted by OpenCC ``config`` in one call."""
    out = list(folded)
    batchable = [i for i in todo if _BATCH_SEP not in out[i]]
    if batchable:
        joined = _BATCH_SEP.join(out[i] for i in batchable)
        try:
            converted = _converter(config).convert(joined)
        except UnicodeEncodeError:  # a lone surrogate (invalid in any encoding): U+FFFD stands in
            for i in batchable:
                out[i] = without_surrogates(out[i])
            joined = _BATCH_SEP.join(out[i] for i in batchable)
            converted = _converter(config).convert(joined)
        parts = converted.split(_BATCH_SEP)
        if len(parts) == len(batchable):
            for i, part in zip(batchable, parts):
                out[i] = part
        else:  # the separator was rewritten: fall back to one call each
            for i in batchable:
                out[i] = _converter(config).convert(out[i])
    for i in todo:
        if _BATCH_SEP in out[i]:
            out[i] = _converter(config).convert(without_surrogates(out[i]))
    return out


@built_once(maxsize=1)
def _t2s_marks() -> frozenset[str] | None:
    """Characters of which every entry of OpenCC's t2s dictionaries that changes text holds one
    (data/opencc_t2s_marks.txt): a text without any is left as it is by t2s. None when the
    installed OpenCC is not the version they were read from."""
    import opencc

    from trendscore.text import data_text

    lines = data_text("opencc_t2s_marks.txt").splitlines()
    version, marks = [ln for ln in lines if not ln.startswith("#")][:2]
    if version != f"opencc {getattr(opencc, '__version__', '')}":
        return None
    return frozenset(marks)


@built_once(maxsize=1)
def _t2s_mark_table():
    """A numpy bool for every code point, True for those found in each text t2s may change: the
    marks of the BMP, every character beyond it and the lone surrogates (which the conversion
    turns into U+FFFD). None when the installed OpenCC is not the version the marks were read
    from. (A table, not a regular expression: compiling a class of 4,000 characters took a
    twentieth of the start-up before labelling.)"""
    marks = _t2s_marks()
    if marks is None:
        return None
    import numpy as np

    table = np.zeros(0x110000, dtype=bool)
    table[np.frombuffer("".join(marks).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)] = True
    table[0xD800:0xE000] = True
    table[0x10000:] = True
    table[0] = False  # the separator of the joined texts (normalising turns NUL into a space)
    return table


def _marked(texts: list[str], todo: list[int], table) -> list[int]:
    """The numbers in ``todo`` of the texts holding a character ``table`` marks, in one numpy
    pass over those texts joined by NUL."""
    import numpy as np

    parts = [texts[i] for i in todo]
    codes = np.frombuffer("\0".join(parts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    # the end of each text's span in the joined string, its NUL included
    ends = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)) + 1)
    holds = np.zeros(len(parts), dtype=bool)
    holds[np.searchsorted(ends, np.flatnonzero(table[codes]), side="right")] = True
    # (not np.unique of the rows: it imports numpy.ma, ~15 ms, which labelling never needs)
    return [todo[r] for r in np.flatnonzero(holds).tolist()]


def _class_ranges(codes: list[int]) -> str:
    """Sorted code points as the inside of a regular expression character class."""
    runs: list[list[int]] = []
    for cp in codes:
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in runs)


def normalize_many(texts: Sequence[str], config: str = OPENCC_CONFIG) -> list[str]:
    """Normalise many texts with one OpenCC call (much cheaper than one call each).

    ``tw2sp-traditional`` applies ``tw2sp`` only to texts that hold Traditional characters
    (those ``t2s`` changes): Taiwan phrase mapping would otherwise rewrite mainland words in
    Simplified text (小程序 -> 小进程).

    >>> normalize_many(["小程序短剧", "小程式短劇"])
    ['小程序短剧', '小程序短剧']
    """
    if config not in OPENCC_CONFIGS:
        raise ValueError(f"unknown OpenCC setting {config!r}; expected one of {', '.join(OPENCC_CONFIGS)}")
    texts = [without_markup(t) if "<" in t or "&" in t else t for t in texts]  # HTML left in exports
    folded = [t if t.isascii() else _without_gaps(t) for t in _fold_many(texts)]
    todo = [i for i, t in enumerate(folded) if not t.isascii()]
    if todo and config == "tw2sp-traditional":
        # a few texts (or no numpy yet, see _numpy_loaded): not worth reading the file
        marks = _t2s_mark_table() if len(texts) > 8 and _numpy_loaded() else None
        if marks is not None:  # only texts t2s may change go through it (most hold no mark)
            todo = _marked(folded, todo, marks)
        simplified = _convert(folded, todo, "t2s")
        traditional = [i for i in todo if simplified[i] != folded[i]]
        folded = _convert(folded, traditional, "tw2sp") if traditional else folded
    elif todo:
        folded = _convert(folded, todo, config)
    return [t.lower() for t in folded]


# ---------------------------------------------------------------- passage splitting

MIN_CHARS = 40
MAX_CHARS = 300
MAX_WORDS = 120

_CJK_SENT = re.compile(r"[^。！？!?；;…]*(?:[。！？!?；;…]+[”’」』)）\"']*|$)")
_EN_SENT = re.compile(r"(?<=[.!?\]])\s+(?=[A-Z\"“(])")
_GROUP = re.compile(r"\s+(?=Group \d+\s*:)")
# "[3] Regulatory Environment - The ..." : a new section heading after a citation mark
_HEADING = re.compile(r"(?<=\])\s+(?=(?:[A-Z][\w'’&/,-]*\s){0,5}[A-Z][\w'’&/,-]*\s[-–]\s)")
_CITE_BULLET = re.compile(r"(?<=\])\s+(?=[-–]\s)")


_LATIN = re.compile(r"[A-Za-z]")
_SPACE = re.compile(r"\s")


def _is_english(text: str) -> bool:
    """More than 60% of the non-space characters are Latin letters (counted at C speed:
    this runs for every candidate passage)."""
    latin = len(_LATIN.findall(text))
    return latin > 0.6 * max(1, len(text) - len(_SPACE.findall(text)))


def _sentences(text: str) -> list[str]:
    if _is_english(text):
        return [s.strip() for s in _EN_SENT.split(text) if s.strip()]
    out = [m.group(0).strip() for m in _CJK_SENT.finditer(text)]
    return [s for s in out if s]


def _length(text: str) -> int:
    """Passage length: characters for Chinese, words scaled to characters for English."""
    if _is_english(text):
        return len(text.split()) * MAX_CHARS // MAX_WORDS
    return len(text)


def _hard_cut(sentence: str) -> list[str]:
    if _length(sentence) <= MAX_CHARS:
        return [sentence]
    if _is_english(sentence):
        words = sentence.split()
        return [" ".join(words[i : i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS)]
    pieces, cur = [], ""
    for clause in re.split(r"(?<=[，,、：:])", sentence):
        if len(clause) > MAX_CHARS:  # cut by position: slicing off the head each time is quadratic
            if cur:
                pieces.append(cur)
                cur = ""
            start = 0
            while len(clause) - start > MAX_CHARS:
                pieces.append(clause[start : start + MAX_CHARS])
                start += MAX_CHARS
            clause = clause[start:]
        if cur and len(cur) + len(clause) > MAX_CHARS:
            pieces.append(cur)
            cur = ""
        cur += clause
    if cur:
        pieces.append(cur)
    return pieces


def _pack(units: list[str], joiner: str) -> list[str]:
    passages: list[str] = []
    cur: list[str] = []
    for unit in units:
        for piece in _hard_cut(unit):
            candidate = joiner.join(cur + [piece])
            if cur and _length(candidate) > MAX_CHARS:
                passages.append(joiner.join(cur))
                cur = [piece]
            else:
                cur.append(piece)
            if _length(joiner.join(cur)) >= MIN_CHARS * 3:
                passages.append(joiner.join(cur))
                cur = []
    if cur:
        tail = joiner.join(cur)
        if passages and _length(tail) < MIN_CHARS and _length(passages[-1] + tail) <= MAX_CHARS:
            passages[-1] = passages[-1] + joiner + tail
        else:
            passages.append(tail)
    return [p.strip() for p in passages if p.strip()]


def _sections(body: str) -> list[str]:
    """English summary bodies: 'Core Insights - ...', 'Group N: ...' and headed sections."""
    parts = []
    for group in _GROUP.split(body):
        parts.extend(_HEADING.split(group))
    return [p.strip() for p in parts if p.strip()]


def split_passages(body: str) -> list[str]:
    """Split a document body into passages of roughly 40-300 characters.

    Sentence-aware for Chinese and English. English machine summaries split at their
    ``Group N:`` and headed sections, each a natural passage; a section longer than about
    120 words is split at its bullets.

    Examples
    --------
    >>> split_passages("")
    []
    >>> len(split_passages("短剧很火。" * 100)) > 1
    True
    """
    return _split(body, last=True)


def _split(body: str, last: bool) -> list[str]:
    """:func:`split_passages`; ``last`` is False for a window of a longer body, whose end
    is not the body's (a trailing "..." is the export's cut mark only at the very end)."""
    body = _without_gaps(re.sub(r"\s+", " ", body.replace("\u3000", " "))).strip()
    if last and body.endswith("..."):
        body = body[:-3].rstrip()
    if not body:
        return []
    if _is_english(body):
        passages: list[str] = []
        for section in _sections(body):
            if _length(section) <= MAX_CHARS:
                passages.append(section)
                continue
            bullets = _CITE_BULLET.split(section)
            units: list[str] = []
            for b in bullets:
                units.extend(_sentences(b) if _length(b) > MAX_CHARS else [b])
            passages.extend(_pack(units, " "))
        return passages
    return _pack(_sentences(body), "")


#: characters of a document body split at once; a longer body is split window by window,
#: each cut at a sentence end in the window's second half, so memory and time stay linear
WINDOW_CHARS = 100_000
_SENTENCE_END = re.compile(r"[。！？!?；;…]+[”’」』)）\"']*|[.!?]\s")


class PassageBuffer:
    """A document body given line by line, split into passages as it comes.

    ``add`` takes the next stripped line and returns the passages now complete; ``finish``
    returns the rest. The lines are joined with spaces, as :func:`split_passages` expects, and
    a body up to :data:`WINDOW_CHARS` long gets exactly ``split_passages(" ".join(lines))``.

    >>> buf = PassageBuffer()
    >>> buf.add("短剧很火。") + buf.finish()
    ['短剧很火。']
    """

    def __init__(self, window: int = WINDOW_CHARS):
        self.window = window
        self._parts: list[str] = []
        self._size = -1

    def add(self, line: str) -> list[str]:
        """Take the next line of the body; return the passages it completes (often none)."""
        self._parts.append(line)
        self._size += len(line) + 1
        if self._size <= self.window:
            return []
        text = " ".join(self._parts)
        out: list[str] = []
        start = 0
        while len(text) - start > self.window:
            end = start + self.window
            cut = end
            for m in _SENTENCE_END.finditer(text, start + self.window // 2, end):
                cut = m.end()
            if cut == end:
                space = text.rfind(" ", start + self.window // 2, end)
                cut = space + 1 if space > 0 else end - self.window % MAX_CHARS  # whole pieces of MAX_CHARS
            out.extend(_split(text[start:cut], last=False))
            start = cut
        rest = text[start:]
        self._parts, self._size = [rest], len(rest)
        return out

    def finish(self) -> list[str]:
        """The passages left at the end of the body; the buffer is empty afterwards."""
        out = _split(" ".join(self._parts), last=True) if self._parts else []
        self._parts, self._size = [], -1
        return out
