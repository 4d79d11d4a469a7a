"""HTML left in exported text: entities (``&nbsp;``, ``&amp;``, ``&#8220;``) and the tags of a
page's markup (``<br>``, ``<p>``, ``</span>``) are not words of the passage. Featurising, name
lists and the fingerprint that folds syndicated copies read the text without them; outputs
keep the text as given."""

from __future__ import annotations

import html
import re

__all__ = ["without_markup"]

_TAGS = (
    "a abbr article b big blockquote br center code dd del div dl dt em figcaption figure font footer h1 h2"
    " h3 h4 h5 h6 header hr i iframe img ins li mark nav ol p pre q s section small source span strike strong"
    " sub sup table tbody td th thead tr u ul video"
).split()
#: a tag of those names (not any ``<...>``: ``<三体>`` is a title written with ASCII brackets)
_TAG = re.compile(r"</?(?:" + "|".join(sorted(_TAGS, key=len, reverse=True)) + r")\b[^<>]{0,500}>", re.I)
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")


def without_markup(text: str) -> str:
    """``text`` with HTML tags as a space and entities as the characters they stand for
    (``&nbsp;`` a no-break space); the same text when it holds neither.

    >>> without_markup("微短剧&nbsp;出海<br/>新规 &amp; 政策 <三体>")
    '微短剧\\xa0出海 新规 & 政策 <三体>'
    """
    if "<" not in text and "&" not in text:
        return text
    return _ENTITY.sub(lambda m: html.unescape(m.group()), _TAG.sub(" ", text))
