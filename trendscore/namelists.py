"""Curated name lists (places, government bodies, industry bodies, platforms) as features.

Written seeds cannot name every county, foreign city or regulator a real report may mention.
The lists in ``data/lists/`` carry that knowledge: a passage that names any foreign city gets
the token ``\\x02foreign_places``, whichever city it is, so one learned weight covers names
the seeds never contained. Each file states its source and licence in its header.

Matching runs on normalised text (Simplified, lower-cased): Chinese terms anywhere, terms with
Latin letters or digits only between non-alphanumeric neighbours ("us" never matches inside
"bonus"). Within a list, overlapping mentions count once, longest first; each list is
matched on its own, so one stretch of text may count for two lists.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources

from .errors import ModelError
from .text import OPENCC_CONFIG

__all__ = ["LISTS", "check_list_names", "resolve_lists", "list_terms", "list_tokens", "lists_sha256"]

#: every list shipped with trendscore, in a fixed order
LISTS = (
    "cn_places",
    "foreign_places",
    "cn_government",
    "foreign_government",
    "industry_bodies",
    "cn_platforms",
    "foreign_platforms",
)
#: list tokens start with this character, which no word or n-gram contains
MARK = "\x02"


def check_list_names(names) -> tuple[str, ...]:
    """``names`` as a tuple in :data:`LISTS` order; a :class:`ModelError` for anything else."""
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise ModelError("name lists must be given as list names")
    wanted = {n.strip() for n in names}
    unknown = sorted(wanted - set(LISTS))
    if unknown:
        raise ModelError(f"unknown name lists {unknown}; expected some of {', '.join(LISTS)}")
    return tuple(n for n in LISTS if n in wanted)


def resolve_lists(value: str) -> str:
    """A user's choice of lists ("all", "none", or comma-separated names) as a setting.

    >>> resolve_lists("foreign_places,cn_places")
    'cn_places,foreign_places'
    >>> resolve_lists("none")
    ''
    """
    value = value.strip()
    if value == "all":
        return ",".join(LISTS)
    if value in ("none", ""):
        return ""
    return ",".join(check_list_names(value))


def _raw(name: str) -> str:
    return resources.files("trendscore").joinpath(f"data/lists/{name}.txt").read_text("utf-8")


@lru_cache(maxsize=len(LISTS))
def list_terms(name: str) -> tuple[str, ...]:
    """The terms of one list, as written in its file (header comments left out)."""
    check_list_names([name])
    lines = (ln.strip() for ln in _raw(name).splitlines())
    return tuple(ln for ln in lines if ln and not ln.startswith("#"))


def lists_sha256(names) -> str:
    """One hash over the named lists' files, recorded in models that use them."""
    digest = hashlib.sha256()
    for name in check_list_names(names):
        digest.update(name.encode() + b"\0" + _raw(name).encode("utf-8") + b"\0")
    return digest.hexdigest()


def _trie_pattern(terms: list[str]) -> str:
    """A regular expression matching any of ``terms``, longest first, built as a prefix tree
    so the engine tests one branch per distinct next character, not one per term."""
    root: dict = {}
    for term in terms:
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


_ASCII_WORD = re.compile(r"[0-9a-z]")


@lru_cache(maxsize=4 * len(LISTS))
def _matcher(name: str, opencc: str):
    """The compiled pattern of one list (each list is matched on its own, so a place name such
    as 杭州市 does not hide the government term 市政府 that overlaps it)."""
    from .text import normalize_many

    terms = sorted({t for t in normalize_many(list(list_terms(name)), opencc) if len(t) >= 2})
    fenced = [t for t in terms if _ASCII_WORD.match(t[0]) or _ASCII_WORD.match(t[-1])]
    bare = [t for t in terms if not (_ASCII_WORD.match(t[0]) or _ASCII_WORD.match(t[-1]))]
    parts = []
    if fenced:
        parts.append(f"(?<![0-9a-z]){_trie_pattern(fenced)}(?![0-9a-z])")
    if bare:
        parts.append(_trie_pattern(bare))
    return re.compile("|".join(parts)) if parts else None


def list_tokens(normalized: str, names: tuple[str, ...], opencc: str = OPENCC_CONFIG) -> list[str]:
    r"""One token per list for every mention of one of its terms in a normalised text.

    Examples
    --------
    >>> list_tokens("短剧在洛杉矶拍摄,广电总局发文", ("foreign_places", "cn_government"))
    ['\x02foreign_places', '\x02cn_government']
    >>> list_tokens("a bonus for us", ("foreign_places",))
    []
    """
    out: list[str] = []
    if not normalized:
        return out
    for name in names:
        pattern = _matcher(name, opencc)
        if pattern is not None:
            out += [MARK + name] * sum(1 for _ in pattern.finditer(normalized))
    return out
