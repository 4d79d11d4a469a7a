"""Tokens and TF-IDF features, applied with numpy only.

A passage becomes two kinds of term after :func:`trendscore.text.normalise.normalize`: the words of
a jieba-family segmenter (with the domain dictionary in ``data/domain_dict.txt``) and the
character n-grams of its runs of Chinese characters. Each kind has its own vocabulary, so a
two-character word and the same two characters as an n-gram are different features.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import numbers
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trendscore.errors import ModelError
from trendscore.once import built_once
from trendscore.text import data_text
from trendscore.text.namelists import MARK, check_list_names, list_token_rows, list_tokens
from trendscore.text.normalise import OPENCC_CONFIG, OPENCC_CONFIGS, normalize_many

__all__ = [
    "DICTIONARY_VERSION",
    "LONG_TEXT",
    "FeatureConfig",
    "Featurizer",
    "Segmenter",
    "dictionary_sha256",
    "get_segmenter",
]

DICTIONARY_VERSION = "domain-v1"
#: texts longer than this (characters) are featurised piece by piece, in bounded memory
LONG_TEXT = 100_000
SEGMENTERS = ("rjieba", "jieba")

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@built_once(maxsize=1)
def _token_patterns() -> tuple[re.Pattern, re.Pattern]:
    """Runs of Chinese characters, and a character that makes a word count, for the tokens
    of one text at a time (:meth:`Featurizer.tokens`). Compiled on first use: each class of
    the Chinese block costs ~1 ms, which a run labelling batches in worker processes (the
    batch path needs neither) should not pay before the fork."""
    cjk_run = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _CJK_RANGES) + "]+")
    return cjk_run, re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


_SHAPE_RUNS = re.compile(r"(.)\1+")


def _char_class(ch: str) -> str:
    if "\u4e00" <= ch <= "\u9fff":
        return "c"
    if ch.isdigit():
        return "d"
    if ch.isascii() and ch.isalpha():
        return "l"
    if ch.isspace():
        return "s"
    return ch


def style_tokens(normalized: str) -> list[str]:
    r"""How a text is written rather than what it says: its length band, the shape of its
    character classes (Chinese, digits, Latin, each punctuation mark), the punctuation it uses,
    and a "name:" opening. Off by default; it helps where
    labels follow outlets' habits (THUCNews channels), not for themes.

    Examples
    --------
    >>> style_tokens("梅泰诺:积极谋求通信塔业务延伸")[:3]
    ['\x01len3', '\x01shape c:c', '\x01namecolon']
    """
    shape = _SHAPE_RUNS.sub(r"\1", "".join(map(_char_class, normalized)))
    out = [f"\x01len{min(len(normalized) // 5, 8)}", f"\x01shape {shape[:12]}"]
    if re.match(r"^[^:]{1,8}:", normalized):
        out.append("\x01namecolon")
    out += [f"\x01p{c}" for c in sorted(set(normalized)) if not c.isalnum() and not c.isspace()]
    return out


def _pack(term: str) -> int:
    key = 0
    for ch in term:
        key = (key << 21) | ord(ch)
    return key


def _pack_many(terms: Sequence[str]):
    """:func:`_pack` of every term, as a numpy uint64 array, computed with numpy (a Python loop
    over the 20,000 n-grams of a vocabulary took a tenth of the start-up before labelling).
    A term of more than three characters packs to more than 64 bits: such terms go through
    :func:`_pack` (and fail to fit the array, as they always did)."""
    import numpy as np

    sizes = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    longest = int(sizes.max(initial=0))
    if longest > 3:
        return np.array([_pack(t) for t in terms], dtype=np.uint64)
    # one code point a character, lone surrogates included (ord gives them too)
    cps = np.frombuffer("".join(terms).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    starts = np.cumsum(sizes) - sizes
    keys = np.zeros(len(terms), dtype=np.uint64)
    for k in range(longest):
        has = sizes > k
        keys[has] = (keys[has] << np.uint64(21)) | cps[starts[has] + k]
    return keys


#: joins the texts of a batch for the segmenter (normalising turns NUL into a space)
_JOIN = "\x00"
_JOIN_COLUMN = -2


def _bucket(keys, bits: int):
    """First slots of packed n-grams (numpy uint64) in a table of ``2**bits`` slots
    (Fibonacci hashing: the top bits of the key times 2**64 over the golden ratio)."""
    import numpy as np

    return (keys * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits)


def _linear_probing_table(keys, cols: list[int]):
    """Slot keys, slot columns, mask and longest probe of a linear-probing table holding each
    nonzero key once (its first column), built with numpy in rounds: every key still without
    a slot asks for its next one, the first asker of a free slot takes it, the others move on.
    A key passes a slot only when it is taken, so a lookup probing from the key's first slot
    meets no empty slot before the key (what :meth:`Featurizer._char_lookup` relies on)."""
    import numpy as np

    size = 1 << max(10, (4 * len(keys)).bit_length())
    mask = size - 1
    slot_keys = np.zeros(size, dtype=np.uint64)
    slot_cols = np.full(size, -1, dtype=np.int32 if max(cols, default=0) < 1 << 31 else np.int64)
    key = np.array(keys, dtype=np.uint64)
    col = np.array(cols, dtype=np.int64)
    _, first = np.unique(key, return_index=True)  # a repeated key keeps its first column
    first = np.sort(first[key[first] != 0])
    key, col = key[first], col[first]
    home = _bucket(key, size.bit_length() - 1).astype(np.int64)
    slot, todo, longest = home.copy(), np.arange(len(key)), 0
    while len(todo):
        want = slot[todo]
        free = slot_keys[want] == 0
        # among the askers of one free slot, the first (in vocabulary order) takes it
        asked, at = np.unique(want[free], return_index=True)
        winners = todo[free][at]
        slot_keys[asked], slot_cols[asked] = key[winners], col[winners]
        done = np.zeros(len(todo), dtype=bool)
        done[np.flatnonzero(free)[at]] = True
        if len(winners):
            longest = max(longest, int(((slot[winners] - home[winners]) & mask).max()))
        todo = todo[~done]
        slot[todo] = (slot[todo] + 1) & mask
    return slot_keys, slot_cols, mask, longest


def _dictionary_text() -> str:
    return data_text("domain_dict.txt")


@built_once(maxsize=1)
def dictionary_sha256() -> str:
    """SHA-256 of the domain dictionary shipped with this version of trendscore."""
    return hashlib.sha256(_dictionary_text().encode("utf-8")).hexdigest()


def _dictionary_entries() -> list[tuple[str, int]]:
    entries = []
    for line in _dictionary_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, freq = line.rsplit(maxsplit=1)
            entries.append((word, int(freq)))
    return entries


class Segmenter:
    """A word segmenter with the domain dictionary loaded: ``rjieba`` or ``jieba``."""

    def __init__(self, name: str):
        if name not in SEGMENTERS:
            raise ModelError(f"unknown segmenter {name!r}; expected one of {', '.join(SEGMENTERS)}")
        self.name = name
        self.cut: Callable[..., list[str]]
        if name == "rjieba":
            import rjieba

            for word, freq in _dictionary_entries():
                rjieba.add_word(word, freq, None)
            self.cut = rjieba.cut
        else:
            import jieba

            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word, freq in _dictionary_entries():
                tokenizer.add_word(word, freq)
            self.cut = lambda text: tokenizer.lcut(text, HMM=True)

    @property
    def version(self) -> str:
        """The installed version of the segmenter's package (recorded in model cards)."""
        from importlib.metadata import version

        return version(self.name)


@built_once(maxsize=2)
def get_segmenter(name: str) -> Segmenter:
    """The process-wide segmenter ``name``, dictionary loaded (built once, also when several
    threads ask at once: rjieba's words go into its one process-wide dictionary, which refuses
    to add a word while another thread cuts). Use this rather than :class:`Segmenter`."""
    return Segmenter(name)


@dataclass(frozen=True)
class FeatureConfig:
    """How text becomes terms; stored in every model so training and use agree."""

    segmenter: str = "rjieba"
    words: bool = True
    char_ngram_min: int = 2
    char_ngram_max: int = 3
    sublinear_tf: bool = True
    opencc: str = OPENCC_CONFIG
    style: bool = False
    char_all: bool = False
    embedding: str = ""
    embedding_dims: int = 256
    embedding_weight: float = 0.3
    lists: str = ""

    def __post_init__(self):
        if self.opencc not in OPENCC_CONFIGS:
            raise ModelError(f"unknown OpenCC setting {self.opencc!r}; expected one of {', '.join(OPENCC_CONFIGS)}")
        if not isinstance(self.lists, str):
            raise ModelError("lists must be a comma-separated string of list names")
        object.__setattr__(self, "lists", ",".join(check_list_names(self.lists)))
        if self.segmenter not in SEGMENTERS:
            raise ModelError(f"unknown segmenter {self.segmenter!r}; expected one of {', '.join(SEGMENTERS)}")
        if self.char_ngram_max and not 1 <= self.char_ngram_min <= self.char_ngram_max <= 3:
            raise ModelError("character n-grams must satisfy 1 <= char_ngram_min <= char_ngram_max <= 3")
        if self.embedding:
            from trendscore.text.embedding import ENCODERS

            if self.embedding not in ENCODERS:
                raise ModelError(f"unknown sentence encoder {self.embedding!r}; expected one of {', '.join(ENCODERS)}")
            dims, weight = self.embedding_dims, self.embedding_weight
            if not (isinstance(dims, numbers.Integral) and not isinstance(dims, bool) and 1 <= dims <= 512):
                raise ModelError("embedding_dims must be a whole number from 1 to 512")
            if not (isinstance(weight, numbers.Real) and math.isfinite(weight) and 0 < weight <= 100):
                raise ModelError("embedding_weight must be a number above 0 and at most 100")

    def to_json(self) -> dict:
        """The settings as a JSON object (stored in a model's ``model.json``)."""
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict) -> FeatureConfig:
        """Settings read from a model's JSON object; an unknown setting is a ModelError."""
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ModelError(f"unknown feature settings {sorted(unknown)}")
        return cls(**data)


@dataclass
class Featurizer:
    """Turns texts into l2-normalised TF-IDF rows (as COO triplets) with numpy only.

    ``word_vocab`` and ``char_vocab`` map terms to column numbers; char columns follow the
    word columns. ``idf`` has one entry per TF-IDF column. With ``config.embedding`` set,
    ``embedder`` adds its dense columns after all of those.
    """

    config: FeatureConfig
    word_vocab: dict[str, int] = field(default_factory=dict)
    char_vocab: dict[str, int] = field(default_factory=dict)
    idf: Any = field(default_factory=list)  # a list until fitted or loaded, then a float64 array
    embedder: Any = field(default=None, repr=False)  # an embedding.SentenceEmbedding or None
    _char_hash: object = field(default=None, repr=False)
    _word_get: Any = field(default=None, repr=False)  # (the vocabulary it was built from, its get)

    @property
    def list_names(self) -> tuple[str, ...]:
        """The curated name lists whose matches are features (``config.lists``), in order."""
        return tuple(self.config.lists.split(",")) if self.config.lists else ()

    @property
    def n_terms(self) -> int:
        """TF-IDF columns (words and character n-grams)."""
        return len(self.word_vocab) + len(self.char_vocab)

    @property
    def n_features(self) -> int:
        """All feature columns: the TF-IDF terms, then the embedding's dense columns if any."""
        return self.n_terms + (self.embedder.dims if self.embedder is not None else 0)

    # ---------------------------------------------------------------- tokens
    def tokens(self, normalized: str) -> tuple[list[str], list[str]]:
        """(words, char n-grams) of one normalised text; style tokens, if on, join the words."""
        cfg = self.config
        cjk_run, wordish = _token_patterns()
        words: list[str] = []
        if cfg.words and normalized:
            words = [w for w in get_segmenter(cfg.segmenter).cut(normalized) if wordish.search(w)]
        if cfg.style and normalized:  # an empty text has no terms at all, as in the batch path
            words += style_tokens(normalized)
        if cfg.lists:
            words += list_tokens(normalized, self.list_names, cfg.opencc)
        grams: list[str] = []
        if cfg.char_ngram_max > 0:
            lo, hi = cfg.char_ngram_min, cfg.char_ngram_max
            for run in [normalized] if cfg.char_all else cjk_run.findall(normalized):
                size = len(run)
                for n in range(lo, min(hi, size) + 1):
                    grams.extend(run[i : i + n] for i in range(size - n + 1))
        return words, grams

    def analyze(self, texts: Sequence[str]) -> list[tuple[list[str], list[str]]]:
        """The (words, char n-grams) of each text, after normalising them together."""
        return [self.tokens(t) for t in normalize_many(list(texts), self.config.opencc)]

    # ---------------------------------------------------------------- fitting
    def fit(self, texts: Sequence[str], min_df: int = 2, max_df: float = 1.0) -> Featurizer:
        """Learn the vocabularies and idf (smoothed, as scikit-learn's TfidfVectorizer)."""
        analyzed = self.analyze(texts)
        n = len(analyzed)
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        for words, grams in analyzed:
            word_df.update(set(words))
            char_df.update(set(grams))
        limit = max_df * n
        words_kept = sorted(t for t, d in word_df.items() if min_df <= d <= limit)
        chars_kept = sorted(t for t, d in char_df.items() if min_df <= d <= limit)
        self._char_hash = None
        self.word_vocab = {t: i for i, t in enumerate(words_kept)}
        offset = len(words_kept)
        self.char_vocab = {t: offset + i for i, t in enumerate(chars_kept)}
        import numpy as np

        df = np.array([word_df[t] for t in words_kept] + [char_df[t] for t in chars_kept], dtype=np.float64)
        self.idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        self.embedder = None
        if self.config.embedding:
            from trendscore.text.embedding import SentenceEmbedding

            cfg = self.config
            self.embedder = SentenceEmbedding(cfg.embedding, cfg.embedding_dims, cfg.embedding_weight).fit(texts)
        return self

    # ---------------------------------------------------------------- applying
    def _word_indices(self, normalized: Sequence[str]):
        """(row, column) arrays of every in-vocabulary word occurrence (punctuation and white
        space are never in the vocabulary, so they need no filtering here).

        The segmenter cuts the whole batch in one call, the texts joined by NUL (which
        normalising removes from texts): jieba cuts runs of Chinese characters, letters and
        digits on their own and yields every other character as a word of its own, so each NUL
        comes back as one word and the words between two NULs are exactly those of one text.
        Words are looked up with ``map`` of the vocabulary's ``get`` (-2 for NUL) and unknown
        ones dropped; rows come from counting the NULs, with numpy."""
        import numpy as np

        names = self.list_names
        empty = np.zeros(0, dtype=np.int64)
        if not self.config.words and not self.config.style and not names:
            return empty, empty
        normalized = list(normalized)
        wget = self._word_lookup()
        unknown = itertools.repeat(-1)
        rows, cols = [empty], [empty]
        if self.config.words and normalized:
            words = get_segmenter(self.config.segmenter).cut(_JOIN.join(normalized))
            found = np.array([c for c in map(wget, words) if c is not None], dtype=np.int64)
            rows.append(np.cumsum(found == _JOIN_COLUMN))
            cols.append(found)
        if self.config.style:
            per_text = [style_tokens(t) if t else [] for t in normalized]
            rows.append(np.repeat(np.arange(len(per_text), dtype=np.int64), [len(x) for x in per_text]))
            cols.append(np.array(list(map(wget, itertools.chain.from_iterable(per_text), unknown)), dtype=np.int64))
        if names:
            list_rows, ks = list_token_rows(normalized, names, self.config.opencc)
            by_list = np.array([wget(MARK + name, -1) for name in names], dtype=np.int64)
            rows.append(np.array(list_rows, dtype=np.int64))
            cols.append(by_list[np.array(ks, dtype=np.int64)])
        row, col = np.concatenate(rows), np.concatenate(cols)
        known = col >= 0
        return row[known], col[known]

    def _word_lookup(self):
        """``get`` of the word vocabulary with NUL mapped to :data:`_JOIN_COLUMN` (built once)."""
        if self._word_get is None or self._word_get[0] is not self.word_vocab:
            self._word_get = (self.word_vocab, {**self.word_vocab, _JOIN: _JOIN_COLUMN}.get)
        return self._word_get[1]

    def _char_table(self):
        """The char vocabulary as an open-addressing hash table of integer keys (code points
        packed 21 bits each; 0 marks an empty slot, and no n-gram packs to 0): slot keys, slot
        columns, the slot mask and the longest probe sequence. Four slots per n-gram or more,
        so it stays in the processor's cache and most lookups end at the first slot."""
        if self._char_hash is None:
            self._char_hash = _linear_probing_table(_pack_many(list(self.char_vocab)), list(self.char_vocab.values()))
        return self._char_hash

    def _char_lookup(self, key):
        """Column of each packed n-gram (numpy uint64), -1 where it is not in the vocabulary."""
        import numpy as np

        slot_keys, slot_cols, mask, longest = self._char_table()
        slot = _bucket(key, mask.bit_length()).astype(np.intp)
        found = slot_keys[slot]
        hit = found == key
        out = np.where(hit, slot_cols[slot], -1).astype(np.int64)
        todo = np.flatnonzero(~hit & (found != 0))  # an occupied slot of another key: probe on
        slot, key = slot[todo], key[todo]
        for _ in range(longest):
            if not len(todo):
                break
            slot = (slot + 1) & mask
            found = slot_keys[slot]
            hit = found == key
            out[todo[hit]] = slot_cols[slot[hit]]
            go_on = ~hit & (found != 0)
            todo, slot, key = todo[go_on], slot[go_on], key[go_on]
        return out

    def _char_indices(self, normalized: Sequence[str]):
        """(row, column) arrays of in-vocabulary character n-grams, computed for the whole
        batch at once with numpy: the n-grams of runs of Chinese characters, packed into
        integers and looked up in a hash table of the vocabulary's keys."""
        import numpy as np

        cfg = self.config
        empty = np.zeros(0, dtype=np.int64)
        if cfg.char_ngram_max <= 0 or not self.char_vocab or not normalized:
            return empty, empty
        cps = np.frombuffer("\x00".join(normalized).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        doc = np.cumsum(cps == 0)
        if cfg.char_all:
            cjk = cps != 0
        else:
            cjk = np.zeros(len(cps), dtype=bool)
            for lo, hi in _CJK_RANGES:
                cjk |= (cps >= lo) & (cps <= hi)
        rows_out, cols_out = [], []
        for n in range(cfg.char_ngram_min, cfg.char_ngram_max + 1):
            m = len(cps) - n + 1
            if m <= 0:
                continue
            valid = cjk[:m].copy()
            key = cps[:m].copy()
            for k in range(1, n):
                valid &= cjk[k : k + m]
                key = (key << np.uint64(21)) | cps[k : k + m]
            starts = np.flatnonzero(valid)
            cols = self._char_lookup(key[starts])
            hit = cols >= 0
            rows_out.append(doc[starts[hit]])
            cols_out.append(cols[hit])
        if not rows_out:
            return empty, empty
        return np.concatenate(rows_out).astype(np.int64), np.concatenate(cols_out)

    def _indices(self, normalized: Sequence[str]):
        import numpy as np

        wr, wc = self._word_indices(normalized)
        cr, cc = self._char_indices(normalized)
        return np.concatenate([wr, cr]), np.concatenate([wc, cc])

    def row_weights(self, text: str) -> dict[int, float]:
        """One text's l2-normalised TF-IDF row as {column: weight}, in pure Python.

        The same numbers as :meth:`transform_coo` without importing numpy, which makes
        labelling one passage from the command line start fast.
        """
        words, grams = self.analyze([text])[0]
        wget, cget = self.word_vocab.get, self.char_vocab.get
        counts = Counter(c for c in map(wget, words) if c is not None)
        counts.update(c for c in map(cget, grams) if c is not None)
        idf = self.idf
        if self.config.sublinear_tf:
            weights = {c: (1.0 + math.log(k)) * idf[c] for c, k in counts.items()}
        else:
            weights = {c: k * idf[c] for c, k in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {c: w / norm for c, w in weights.items()} if norm else {}

    def transform_coo(self, texts: Sequence[str]):
        """(row, column, weight) of the feature matrix: the TF-IDF triplets, then (with an
        embedder) every row's dense embedding columns."""
        texts = list(texts)
        row, col, weight = self.tfidf_coo(texts)
        if self.embedder is None or not texts:
            return row, col, weight
        import numpy as np

        dense = self.embedder.transform(texts)
        n, dims = dense.shape
        return (
            np.concatenate([row, np.repeat(np.arange(n, dtype=np.int64), dims)]),
            np.concatenate([col, np.tile(np.arange(self.n_terms, self.n_terms + dims, dtype=np.int64), n)]),
            np.concatenate([weight, dense.ravel()]),
        )

    def tfidf_coo(self, texts: Sequence[str]):
        """(row, column, weight) of the l2-normalised TF-IDF matrix, sorted by row then column.

        A text longer than :data:`LONG_TEXT` characters is counted piece by piece, so memory
        stays bounded whatever its length (a word or n-gram across a piece boundary is lost,
        a negligible share of such a text).
        """
        import numpy as np  # before normalising, which checks a batch with numpy once it is imported

        long_rows = [i for i, t in enumerate(texts) if len(t) > LONG_TEXT]
        if not long_rows:
            return self.weigh(*self._indices(normalize_many(texts, self.config.opencc)))

        short = [i for i, t in enumerate(texts) if len(t) <= LONG_TEXT]
        rows_s, cols_s = self._indices(normalize_many([texts[i] for i in short], self.config.opencc))
        rows = [np.asarray(short, dtype=np.int64)[rows_s] if len(rows_s) else np.zeros(0, dtype=np.int64)]
        cols, counts = [cols_s], [np.ones(len(cols_s))]
        size = max(self.n_terms, 1)
        for i in long_rows:
            total = np.zeros(size)
            text = texts[i]
            for start in range(0, len(text), LONG_TEXT):
                _, c = self._indices(normalize_many([text[start : start + LONG_TEXT]], self.config.opencc))
                total += np.bincount(c, minlength=size)
            nz = np.flatnonzero(total)
            rows.append(np.full(len(nz), i, dtype=np.int64))
            cols.append(nz)
            counts.append(total[nz])
        return self.weigh(np.concatenate(rows), np.concatenate(cols), np.concatenate(counts))

    def weigh(self, rows, cols, counts=None):
        """Vectorised TF-IDF weights of (row, column) occurrences: numpy arrays row, col, weight."""
        import numpy as np

        v = max(self.n_terms, 1)
        key = np.asarray(rows, dtype=np.int64) * v + np.asarray(cols, dtype=np.int64)
        if not len(key):
            z = np.zeros(0, dtype=np.int64)
            return z, z, np.zeros(0)
        if key.max() < 1 << 32:
            key = key.astype(np.uint32)  # the same numbers, sorted twice as fast
        if counts is None:
            uniq, tally = np.unique(key, return_counts=True)
        else:
            uniq, inverse = np.unique(key, return_inverse=True)
            tally = np.bincount(inverse, weights=counts)
        row, col = np.divmod(uniq.astype(np.int64), v)
        tf = tally.astype(np.float64)
        if self.config.sublinear_tf:
            tf = 1.0 + np.log(tf)
        weight = tf * np.asarray(self.idf, dtype=np.float64)[col]
        norms = np.sqrt(np.bincount(row, weights=weight * weight))
        weight /= norms[row]
        return row, col, weight
