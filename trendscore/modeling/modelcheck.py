"""What a model directory may say, checked before any of it is used.

A model is data from somewhere else: every setting is checked against an allow-list (names,
types, ranges) and every number for being finite, and the first problem becomes a one-line
:class:`~trendscore.errors.ModelError` naming the file. Nothing read from a model is ever a
path: OpenCC settings, segmenters, encoders and name lists are names from fixed tables.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

from trendscore.errors import ModelError, quoted

__all__ = [
    "check_meta",
    "check_vocab",
    "check_finite",
    "check_card",
    "card_to_write",
    "theme_name_problem",
    "split_theme_names",
    "theme_spelling",
    "alike_spellings",
    "how_alike",
    "new_theme_problem",
    "ALIKE",
    "THEME_NAME",
    "VERSION_NAME",
]

#: what a theme (label) name may be: printable, no line ends or controls, at most 64 characters
THEME_NAME = re.compile(r"[^\x00-\x1f\x7f-\x9f]{1,64}")
#: a registry version's directory name
VERSION_NAME = re.compile(r"v\d{4}")
_META_KEYS = {
    "provisional",
    "themes",
    "multilabel",
    "thresholds",
    "calibration",
    "features",
    "segmenter",
    "dictionary",
    "lists",
    "embedding",
}
_FEATURE_TYPES = {
    "segmenter": str,
    "words": bool,
    "char_ngram_min": int,
    "char_ngram_max": int,
    "sublinear_tf": bool,
    "opencc": str,
    "style": bool,
    "char_all": bool,
    "embedding": str,
    "embedding_dims": int,
    "embedding_weight": float,
    "lists": str,
}


def theme_name_problem(name, what: str = "label") -> str | None:
    """Why ``name`` cannot name a theme a model is trained on, as a message beginning with
    ``what`` and the name; None when it can. The one wording of the rule for seed labels, which
    ``seeds validate`` and training share.

    Beyond :data:`THEME_NAME`, a new name holds no ``|`` and no white space at either end: the
    label CSV joins a passage's themes with ``|`` and strips each name, so such a name would
    come back as another. Nor does it hold what the CSV reader takes for a list written another
    way (quotes, commas, semicolons, ``、``, the full-width bar, a bracket first): score would
    refuse label's own CSV cell of it. Loading a model checks :data:`THEME_NAME` alone, so that
    models made before keep loading.
    """
    from trendscore.io.columns import LABEL_SEPARATOR
    from trendscore.io.readers import csv_labels_problem

    if isinstance(name, str) and THEME_NAME.fullmatch(name) and LABEL_SEPARATOR not in name and name == name.strip():
        if csv_labels_problem(name) is None:
            return None
        return (
            f"{what} {quoted(name)} is not a theme name: label's CSV output could not be read back "
            "(a labels cell holding quotes, commas, semicolons, '、' or '｜', or opening with a "
            "bracket, is taken for a list); name it without them"
        )
    return (
        f"{what} {quoted(name)} is not a theme name "
        f"(text of 1-64 printable characters, without '{LABEL_SEPARATOR}' or spaces at either end)"
    )


#: what two spellings of one theme name may differ in, as messages say it
ALIKE = "case, full-width letters, Unicode form, white space, '_' or '-'"


def theme_spelling(name: str) -> str:
    """The key under which theme names are one name written two ways: NFKC (full-width
    letters and composed or decomposed accents alike), case folded, white space, ``_`` and
    ``-`` dropped.

    >>> theme_spelling("Regional Hub") == theme_spelling("ｒｅｇｉｏｎａｌ_ｈｕｂ") == "regionalhub"
    True
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "_-")


def alike_spellings(names: Iterable[str]) -> dict[str, str]:
    """Each name of ``names`` that another, met earlier, spells alike (:func:`theme_spelling`)
    though it is not the same text, mapped to that earlier name. Such names print alike, or
    nearly, and a model would take them for two themes (``Policy`` and ``policy``, ``café``
    composed and decomposed).

    >>> alike_spellings(["policy", "culture", "Policy", "ｐｏｌｉｃｙ", "policy"])
    {'Policy': 'policy', 'ｐｏｌｉｃｙ': 'policy'}
    """
    first: dict[str, str] = {}
    alike: dict[str, str] = {}
    for name in names:
        earlier = first.setdefault(theme_spelling(name), name)
        if earlier != name:
            alike.setdefault(name, earlier)
    return alike


def how_alike(a: str, b: str) -> str:
    """In what two names that :func:`theme_spelling` takes for one differ, for a message: two
    Unicode forms of the same letters print alike, so a message must say so.

    >>> how_alike("caf\u00e9", "cafe\u0301"), how_alike("Policy", "policy")
    ('the same letters in two Unicode forms, composed and decomposed', 'they differ only in case')
    """
    if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b):
        return "the same letters in two Unicode forms, composed and decomposed"
    a, b = unicodedata.normalize("NFKC", a), unicodedata.normalize("NFKC", b)
    if a == b:
        return "full-width and ordinary letters"
    if a.casefold() == b.casefold():
        return "they differ only in case"
    return f"they differ only in {ALIKE}"


def new_theme_problem(name: str, themes: Iterable[str]) -> str | None:
    """Why ``name`` cannot be added to a model of ``themes`` (:func:`theme_name_problem`, a
    theme it has, or one it spells otherwise), as a message; None when it can be.

    >>> new_theme_problem("Esports", ["policy", "esports"])[:67]
    "the model has a theme 'esports', and 'Esports' is that name written"
    """
    problem = theme_name_problem(name, "theme")
    if problem is not None:
        return problem
    themes = list(themes)
    if name in themes:
        return f"the model already has a theme {name!r}; choose another name"
    same = [t for t in themes if theme_spelling(t) == theme_spelling(name)]
    if same:
        return (
            f"the model has a theme {same[0]!r}, and {name!r} is that name written another way "
            f"({how_alike(name, same[0])}); choose another name"
        )
    return None


def split_theme_names(text: str) -> list[str]:
    """The theme names of a comma-separated list, each without white space at its ends, the
    empty ones left out: ``"policy, culture,"`` is ``["policy", "culture"]``. The one reading
    of such a list for every command that takes one (training's themes, the labels a seed
    check allows).

    >>> split_theme_names(" policy ,culture,, ")
    ['policy', 'culture']
    """
    return [name.strip() for name in text.split(",") if name.strip()]


def _fail(path: Path, what: str) -> NoReturn:
    raise ModelError(f"{path}: {what}")


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _of_type(value, kind) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and -(1 << 31) < value < 1 << 31
    if kind is float:
        return _number(value)
    return isinstance(value, kind)


def check_meta(meta, path: Path) -> None:
    """Refuse a ``model.json`` whose fields are missing, unknown, of the wrong type or out of
    range: themes (unique printable names), thresholds (one per theme, 0 to 1), calibration
    (a finite slope and offset per theme), multilabel (true or false), the feature settings."""
    if not isinstance(meta, dict):
        _fail(path, f"expected a JSON object, got {type(meta).__name__}")
    unknown = sorted(set(meta) - _META_KEYS)
    if unknown:
        _fail(path, f"unknown fields {unknown}")
    for key in ("themes", "thresholds", "calibration", "features", "segmenter", "dictionary"):
        if key not in meta:
            _fail(path, f"missing field {key!r}")
    themes = meta["themes"]
    if not isinstance(themes, list) or not themes:
        _fail(path, "'themes' must be a non-empty list of names")
    for theme in themes:
        if not isinstance(theme, str) or not THEME_NAME.fullmatch(theme):
            _fail(path, f"theme name {theme!r} is not a name (text of 1-64 printable characters)")
    if len(set(themes)) != len(themes):
        _fail(path, "'themes' names a theme twice")
    k = len(themes)
    thresholds = meta["thresholds"]
    if not isinstance(thresholds, list) or len(thresholds) != k:
        _fail(path, f"'thresholds' must be a list of {k} numbers, one per theme")
    if not all(_number(t) and 0 <= t <= 1 for t in thresholds):
        _fail(path, "'thresholds' must be finite numbers from 0 to 1")
    calibration = meta["calibration"]
    if not isinstance(calibration, list) or len(calibration) != k:
        _fail(path, f"'calibration' must be a list of {k} [slope, offset] pairs, one per theme")
    for pair in calibration:
        if not (isinstance(pair, list) and len(pair) == 2 and all(map(_number, pair))):
            _fail(path, f"'calibration' entry {pair!r} is not a pair of finite numbers")
    if not isinstance(meta.get("multilabel", True), bool):
        _fail(path, "'multilabel' must be true or false")
    features = meta["features"]
    if not isinstance(features, dict):
        _fail(path, "'features' must be an object")
    for key, value in features.items():
        kind = _FEATURE_TYPES.get(key)
        if kind is None:
            _fail(path, f"unknown feature setting {key!r}")
        if not _of_type(value, kind):
            _fail(path, f"feature setting {key!r} is {value!r}, expected {kind.__name__}")
    for key in ("segmenter", "dictionary", "lists", "embedding"):
        if key in meta and not isinstance(meta[key], dict):
            _fail(path, f"{key!r} must be an object")
        for name, value in (meta.get(key) or {}).items():
            if not isinstance(value, str):
                _fail(path, f"'{key}.{name}' must be text")


def check_vocab(vocab, path: Path) -> None:
    """Refuse a ``vocab.json`` that is not two lists of distinct strings."""
    if not isinstance(vocab, dict) or set(vocab) != {"words", "chars"}:
        _fail(path, "expected an object with 'words' and 'chars'")
    for key in ("words", "chars"):
        terms = vocab[key]
        # (map of the check rather than a generator: 29,000 terms are checked at every start)
        if not isinstance(terms, list) or not all(map(str.__instancecheck__, terms)):
            _fail(path, f"'{key}' must be a list of strings")
        if len(set(terms)) != len(terms):
            _fail(path, f"'{key}' lists a term twice")


def check_char_terms(chars: list[str], low: int, high: int, path: Path) -> None:
    """Refuse character n-grams outside the model's own range ``low``..``high`` (none when
    ``high`` is 0): training never writes them, and an n-gram of more than three characters
    does not fit the 64-bit key it is looked up by (labelling a batch had failed with an
    OverflowError traceback)."""
    if not chars:
        return
    sizes = set(map(len, chars))
    shortest, longest = min(sizes), max(sizes)
    if high <= 0 or shortest < low or longest > high:
        allowed = "none, as the model has no character n-grams" if high <= 0 else f"{low} to {high} characters"
        odd = next(t for t in chars if not low <= len(t) <= high) if high > 0 else chars[0]
        size = f"{len(odd)} character" + ("s" if len(odd) != 1 else "")
        _fail(path, f"character n-gram {quoted(odd, 40)} of {size}; the model's settings allow {allowed}")


def check_finite(array, path: Path) -> None:
    """Refuse an array (a :class:`~trendscore.modeling.store.RawArray` or numpy array) holding NaN or
    infinity. One C-speed sum settles almost every model; only a non-finite sum is looked into."""
    values = array.values if hasattr(array, "values") else array.ravel()
    if math.isfinite(sum(values)):
        return
    if not all(map(math.isfinite, values)):
        _fail(path, "holds NaN or infinite numbers; the model is damaged")


#: card fields trendscore reads, and the JSON type each must have when present
_CARD_OBJECTS = ("versions", "params", "provisional", "selection", "leave_one_file_out")


def card_to_write(card, given_to: str = "save") -> dict:
    """``card`` as :func:`~trendscore.modeling.model.load_model` will read it back (JSON: tuples
    become lists, keys text), refused with a :class:`ModelError` when it could not be written or
    would not load (:func:`check_card`); the message names the call it was ``given_to``
    (``Model.save``, ``Model.from_estimator``), which checks it before writing or converting."""
    import json

    try:
        plain = json.loads(json.dumps(card, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ModelError(f"the card given to {given_to} is not JSON ({exc})") from None
    check_card(plain, Path(f"the card given to {given_to}"))
    return plain


def check_card(card, path: Path) -> dict:
    """A model card's fields that trendscore reads (listings, a score's ``labelled_by``, the
    report, ``evaluate``, ``themes add``, registry comparisons), each of the right type or
    absent; a ModelError naming the card and the field otherwise. Returns what listings show."""
    if not isinstance(card, dict):
        _fail(path, f"expected a JSON object, got {type(card).__name__}")
    created = card.get("created")
    if created is not None and not isinstance(created, str):
        _fail(path, "'created' must be text")
    if not all(isinstance(card.get(key, {}), dict) for key in ("seeds", "cross_validation", "thresholds")):
        _fail(path, "'seeds', 'cross_validation' and 'thresholds' must be objects")
    for key in _CARD_OBJECTS:
        if card.get(key) is not None and not isinstance(card[key], dict):
            _fail(path, f"'{key}' must be an object, got {type(card[key]).__name__}")
    seeds = card.get("seeds") or {}
    cv = card.get("cross_validation") or {}
    for key, value in (("trained_on", card.get("trained_on")), ("seeds.files", seeds.get("files"))):
        # the types of a list at C speed: a card lists thousands of trained-on texts, and loading
        # a model runs no Python code per item (tests/test_model.py)
        if value is not None and not (isinstance(value, list) and set(map(type, value)) <= {str}):
            _fail(path, f"'{key}' must be a list of strings")
    if card.get("learning_curve") is not None and not isinstance(card["learning_curve"], list):
        _fail(path, "'learning_curve' must be a list")
    versions = card.get("versions") or {}
    for key, value in (("seeds.sha256", seeds.get("sha256")), ("versions.trendscore", versions.get("trendscore"))):
        if value is not None and not isinstance(value, str):
            _fail(path, f"'{key}' must be text")
    count = seeds.get("count")
    if count is not None and not (isinstance(count, int) and not isinstance(count, bool) and count >= 0):
        _fail(path, "'seeds.count' must be a whole number")
    f1 = cv.get("macro_f1")
    if f1 is not None and not (_number(f1) and 0 <= f1 <= 1):
        _fail(path, "'cross_validation.macro_f1' must be a number from 0 to 1")
    return {"created": created, "seeds": count, "themes": len(card.get("thresholds") or {}), "cv_macro_f1": f1}
