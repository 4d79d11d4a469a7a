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

import bisect
import hashlib
import itertools
import re

from trendscore.errors import ModelError
from trendscore.once import built_once
from trendscore.text import data_text
from trendscore.text.normalise import OPENCC_CONFIG

__all__ = [
    "LISTS",
    "check_list_names",
    "resolve_lists",
    "list_terms",
    "list_tokens",
    "list_tokens_many",
    "list_token_rows",
    "mentions_many",
    "lists_sha256",
]

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
    return data_text(f"lists/{name}.txt")


@built_once(maxsize=len(LISTS))
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


_ASCII_WORD = re.compile(r"[0-9a-z]")
_ASCII_WORD_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


#: texts searched at once above which the automaton is built as a DFA: twice as fast to search
#: (~45 against ~80 ms for 4,096 passages of 150-300 characters), but ~60 ms and ~12 MB to
#: build, which a one-passage run should not pay; both find exactly the same matches, so a
#: few texts are searched with the DFA too once it is built
DFA_TEXTS = 8
#: (names, opencc) whose DFA automaton this process has built
_DFA_BUILT: set[tuple[tuple[str, ...], str]] = set()


@built_once(maxsize=8)
def _automaton(names: tuple[str, ...], opencc: str, dfa: bool = False):
    """One Aho-Corasick automaton over every term of the named lists (normalised as texts
    are); for each term: its length, the lists it belongs to, whether its first and last
    characters are Latin letters or digits (such ends need a non-alphanumeric neighbour), and
    the term itself."""
    import ahocorasick_rs

    from trendscore.text.normalise import normalize_many

    owners: dict[str, list[int]] = {}  # the lists of each term, in order (they are met in order)
    for k, name in enumerate(names):
        for term in normalize_many(list(list_terms(name)), opencc):
            if len(term) >= 2:
                ks = owners.setdefault(term, [])
                if not ks or ks[-1] != k:
                    ks.append(k)
    if not owners:
        return None, []
    terms = sorted(owners)
    ascii_word = _ASCII_WORD_CHARS  # what _ASCII_WORD matches, as a set (a regex call a term cost ~3 ms)
    info = [(len(t), tuple(owners[t]), t[0] in ascii_word, t[-1] in ascii_word, t) for t in terms]
    if dfa:
        built = ahocorasick_rs.AhoCorasick(terms, implementation=ahocorasick_rs.Implementation.DFA)
        _DFA_BUILT.add((names, opencc))
        return built, info
    return ahocorasick_rs.AhoCorasick(terms), info


def list_tokens(normalized: str, names: tuple[str, ...], opencc: str = OPENCC_CONFIG) -> list[str]:
    r"""One token per list for every mention of one of its terms in a normalised text.

    Examples
    --------
    >>> list_tokens("短剧在洛杉矶拍摄,广电总局发文", ("foreign_places", "cn_government"))
    ['\x02foreign_places', '\x02cn_government']
    >>> list_tokens("a bonus for us", ("foreign_places",))
    []
    """
    return list_tokens_many([normalized], names, opencc)[0]


def list_tokens_many(texts: list[str], names: tuple[str, ...], opencc: str = OPENCC_CONFIG) -> list[list[str]]:
    """:func:`list_tokens` of many normalised texts in one pass of the automaton (they are
    joined by NUL, which normalisation removes from texts and no term contains)."""
    return [[MARK + names[k] for k, _, _ in row] for row in _mentions(texts, tuple(names), opencc)]


def mentions_many(texts: list[str], names: tuple[str, ...], opencc: str = OPENCC_CONFIG) -> list[list[tuple[str, str]]]:
    """The names each normalised text mentions, as ``(list, term)`` pairs in order of
    mention, matched as :func:`list_tokens_many` matches them, except that a name lying
    inside a longer one (of any list) is left out.

    Examples
    --------
    >>> mentions_many(["短剧在洛杉矶拍摄,广电总局发文"], ("foreign_places", "cn_government"))
    [[('foreign_places', '洛杉矶'), ('cn_government', '广电总局')]]
    """
    out = []
    for row in _mentions(texts, tuple(names), opencc):
        kept, reach = [], 0
        # across lists too, a name inside a longer one at the same place is that longer name
        for k, term, start in sorted(row, key=lambda m: (m[2], -len(m[1]))):
            if start + len(term) > reach:
                kept.append((names[k], term))
                reach = max(reach, start + len(term))
        out.append(kept)
    return out


def _mentions(texts: list[str], names: tuple[str, ...], opencc: str) -> list[list[tuple[int, str, int]]]:
    """Per text, ``(list index, term, start)`` for every counted mention, list by list:
    within a list, overlapping mentions count once, leftmost first and longest first at one
    start."""
    out: list[list[tuple[int, str, int]]] = [[] for _ in texts]
    if len(texts) > DFA_TEXTS:
        rows, ks, starts, term_ids = _counted_arrays(texts, names, opencc)
        info = _automaton(names, opencc, True)[1]
        for row, k, start, t in zip(rows.tolist(), ks.tolist(), starts.tolist(), term_ids.tolist()):
            out[row].append((k, info[t][4], start))
        return out
    for row, k, start, term in _counted(texts, names, opencc):
        out[row].append((k, term, start))
    return out


def list_token_rows(texts: list[str], names: tuple[str, ...], opencc: str = OPENCC_CONFIG) -> tuple:
    """The tokens of :func:`list_tokens_many`, flat: the text (row) and the list (index into
    ``names``) of each, in the same order, without building per-text lists of strings (numpy
    arrays for more than :data:`DFA_TEXTS` texts, else lists)."""
    if len(texts) > DFA_TEXTS:
        rows, ks, _, _ = _counted_arrays(texts, tuple(names), opencc)
        return rows, ks
    counted = _counted(texts, tuple(names), opencc)
    return [m[0] for m in counted], [m[1] for m in counted]


@built_once(maxsize=8)
def _term_arrays(names: tuple[str, ...], opencc: str):
    """Per term of the automaton, as numpy arrays: length, whether an end is a Latin letter
    or digit, and its lists (``first[t]`` up to ``first[t] + count[t]`` in ``lists``)."""
    import numpy as np

    info = _automaton(names, opencc, True)[1]
    size = np.array([i[0] for i in info], dtype=np.int64)
    edge = np.array([i[2] or i[3] for i in info], dtype=bool)
    count = np.array([len(i[1]) for i in info], dtype=np.int64)
    first = np.cumsum(count) - count
    lists = np.array([k for i in info for k in i[1]], dtype=np.int64)
    return size, edge, count, first, lists


def _counted_arrays(texts: list[str], names: tuple[str, ...], opencc: str):
    """:func:`_counted` with numpy, for a batch: rows, list indices, starts (in the texts
    joined by NUL) and term numbers of the counted mentions, sorted by row, list and start.

    Mentions of one list never cross a text (no term holds NUL), so each list is counted over
    the joined texts at once: a mention that starts at or after the end of every earlier one
    of its list is counted; only the others (overlaps, a small share) go through the loop of
    :func:`_counted`, within their run of overlapping mentions."""
    import numpy as np

    empty = np.zeros(0, dtype=np.int64)
    automaton, info = _automaton(names, opencc, True) if names and texts else (None, [])
    if automaton is None:
        return empty, empty, empty, empty
    joined = "\0".join(texts)
    found = automaton.find_matches_as_indexes(joined, overlapping=True)
    if not found:
        return empty, empty, empty, empty
    match = np.array(found, dtype=np.int64).reshape(-1, 3)
    term, start, end = match[:, 0], match[:, 1], match[:, 2]
    size, edge, count, first, lists = _term_arrays(names, opencc)
    check = np.flatnonzero(edge[term])
    if len(check):  # Latin or digit ends need a non-alphanumeric neighbour
        last = len(joined) - 1
        bad = []
        for i, t, a, b in zip(check.tolist(), term[check].tolist(), start[check].tolist(), end[check].tolist()):
            _, _, head, tail, _ = info[t]
            if (head and a > 0 and _ASCII_WORD.match(joined[a - 1])) or (
                tail and b <= last and _ASCII_WORD.match(joined[b])
            ):
                bad.append(i)
        if bad:
            keep = np.ones(len(term), dtype=bool)
            keep[bad] = False
            term, start, end = term[keep], start[keep], end[keep]
    # one entry per (mention, list of its term)
    per = count[term]
    at = np.repeat(np.arange(len(term)), per)
    within = np.arange(len(at)) - np.repeat(np.cumsum(per) - per, per)
    k = lists[first[term][at] + within]
    term, start = term[at], start[at]
    stop = start + size[term]
    order = np.lexsort((-size[term], start, k))  # by list, start, longest first
    term, start, stop, k = term[order], start[order], stop[order], k[order]
    # lists apart: positions of list k are shifted by k * span, so a running maximum of ends
    # never carries from one list into the next
    span = len(joined) + 1
    lo, hi = start + k * span, stop + k * span
    reach = np.maximum.accumulate(hi)
    free = np.ones(len(lo), dtype=bool)
    free[1:] = lo[1:] >= reach[:-1]
    counted = free.copy()
    busy = np.flatnonzero(~free)
    if len(busy):
        frees = np.flatnonzero(free)
        owner = frees[np.searchsorted(frees, busy, side="right") - 1].tolist()
        lo_l, hi_l = lo.tolist(), hi.tolist()
        ends: dict[int, int] = {}  # run (its first, counted mention) -> end of its last counted one
        for i, o in zip(busy.tolist(), owner):
            if lo_l[i] >= ends.get(o, hi_l[o]):
                counted[i] = True
                ends[o] = hi_l[i]
    term, start, k = term[counted], start[counted], k[counted]
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    row = np.searchsorted(starts, start, side="right") - 1
    order = np.lexsort((start, k, row))
    return row[order], k[order], start[order], term[order]


def _counted(texts: list[str], names: tuple[str, ...], opencc: str) -> list[tuple[int, int, int, str]]:
    """``(row, list index, start, term)`` of every counted mention, sorted by row, list and
    start (see :func:`_mentions`)."""
    if not names or not texts:
        return []
    automaton, info = _automaton(names, opencc, len(texts) > DFA_TEXTS or (names, opencc) in _DFA_BUILT)
    if automaton is None:
        return []
    joined = "\0".join(texts)
    last = len(joined) - 1
    starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    found = []  # (row, list, start, -length, term) of every match, overlapping ones included
    for idx, start, end in automaton.find_matches_as_indexes(joined, overlapping=True):
        size, ks, head, tail, term = info[idx]
        if head and start > 0 and _ASCII_WORD.match(joined[start - 1]):
            continue
        if tail and end <= last and _ASCII_WORD.match(joined[end]):
            continue
        row = bisect.bisect_right(starts, start) - 1
        found += [(row, k, start, -size, term) for k in ks]
    found.sort()
    counted = []
    current, reach = (-1, -1), 0
    for row, k, start, neg_size, term in found:
        if (row, k) != current:
            current, reach = (row, k), 0
        if start >= reach:
            counted.append((row, k, start, term))
            reach = start - neg_size
    return counted
