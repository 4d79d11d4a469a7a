"""Keys of a passage's text, for telling passages apart: the comparison key of the seed checks,
the short hash model cards list as ``trained_on``, and the 64-bit fingerprint that folds copies
when scoring. All are stable across processes and runs (no ``hash``)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

from trendscore.once import built_once
from trendscore.text.markup import without_markup
from trendscore.text.normalise import normalize

__all__ = ["comparison_key", "text_key", "fingerprint"]


def comparison_key(text: str) -> str:
    """Text as compared for duplicates: normalised, punctuation and white space removed.

    >>> comparison_key("短剧，出海！") == comparison_key("短剧 出海")
    True
    """
    return re.sub(r"[\W_]+", "", normalize(text))


def text_key(text: str) -> str:
    """A short hash of a passage's normalised text: cards list the texts a model was trained on.

    >>> text_key("短剧出海") == text_key("短剧，出海。")
    True
    """
    return f"{zlib.crc32(comparison_key(text).encode('utf-8')):08x}"


@built_once(maxsize=1)
def _drop_table() -> dict[int, None]:
    """Spacing, punctuation, symbols and control characters of the Basic Multilingual Plane,
    to drop before texts are compared (built on first use)."""
    return {c: None for c in range(0x10000) if unicodedata.category(chr(c))[0] in "PZSC"}


def fingerprint(text: str) -> int | None:
    """64-bit fingerprint of a passage's words: equal for texts that differ only in spacing,
    punctuation, case and HTML markup (the same in every process, unlike ``hash``); None for
    a text with no words."""
    core = without_markup(text).translate(_drop_table()).casefold()
    if not core:
        return None
    return int.from_bytes(hashlib.blake2b(core.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
