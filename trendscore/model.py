"""Applying a trained model: numpy and the segmenter only (no scikit-learn import)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import store
from .errors import ModelError
from .features import DICTIONARY_VERSION, FeatureConfig, Featurizer, dictionary_sha256

__all__ = ["Model", "load_model", "default_model_path", "BATCH"]

#: passages featurised together; bounds memory whatever the input size
BATCH = 4096


def default_model_path() -> Path:
    """The bundled default model: inside the installed package, or models/default in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "default_model"
    if (installed / store.MANIFEST).is_file():
        return installed
    return here.parent / "models" / "default"


class Model:
    """A trained theme model ready to label text.

    Attributes
    ----------
    themes : list of str
        Label names, in column order of :meth:`predict_proba`.
    path : pathlib.Path or None
        The directory the model was loaded from.
    multilabel : bool
        False for a single-label model, which always returns exactly one label.
    """

    def __init__(self, themes, featurizer, coef, intercept, calibration, thresholds, multilabel=True, card=None, path=None):
        self.themes = list(themes)
        self.featurizer = featurizer
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.calibration = np.asarray(calibration, dtype=np.float64)
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        self.multilabel = bool(multilabel)
        self.card = card or {}
        self.path = path

    def __repr__(self) -> str:
        return f"Model(themes={self.themes}, path={str(self.path)!r})"

    # ---------------------------------------------------------------- scoring
    def _decision_batch(self, texts: Sequence[str]) -> tuple[np.ndarray, tuple]:
        fz = self.featurizer
        row, col, w = fz.transform_coo(texts)
        n, k = len(texts), len(self.themes)
        z = np.empty((n, k))
        for j in range(k):
            z[:, j] = np.bincount(row, weights=w * self.coef[col, j], minlength=n)
        z += self.intercept
        return z, (row, col, w)

    def _proba_from_decision(self, z: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-(self.calibration[:, 0] * z + self.calibration[:, 1])))
        if not self.multilabel:
            p = p / p.sum(axis=1, keepdims=True)
        return p

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each theme for each text: an (n, k) array in ``themes`` order.

        Examples
        --------
        >>> model = load_model()
        >>> model.predict_proba(["", "短剧出海"]).shape == (2, len(model.themes))
        True
        """
        texts = _as_texts(texts)
        out = np.empty((len(texts), len(self.themes)))
        for start in range(0, len(texts), BATCH):
            chunk = texts[start : start + BATCH]
            out[start : start + len(chunk)] = self._proba_from_decision(self._decision_batch(chunk)[0])
        return out

    def labels_from_proba(self, proba: np.ndarray) -> list[list[str]]:
        if not self.multilabel:
            return [[self.themes[i]] for i in np.argmax(proba, axis=1)]
        hits = proba >= self.thresholds
        return [[t for t, h in zip(self.themes, row) if h] for row in hits]

    def label(self, texts: Sequence[str]) -> list[dict]:
        """One record per text: ``labels`` (possibly empty) and ``scores`` (theme -> probability).

        Examples
        --------
        >>> rec = load_model().label(["   "])[0]
        >>> rec["labels"]
        []
        """
        texts = _as_texts(texts)
        proba = self.predict_proba(texts)
        labels = self.labels_from_proba(proba)
        return [
            {"labels": labs, "scores": {t: round(float(p), 4) for t, p in zip(self.themes, row)}}
            for labs, row in zip(labels, proba)
        ]

    def explain(self, text: str, top: int = 5) -> dict[str, list[tuple[str, float]]]:
        """For each theme the text is labelled with, the ``top`` terms that pushed it most.

        Weights are each term's share of the theme's linear score (TF-IDF weight times the
        theme's coefficient); positive weights push towards the theme.
        """
        (text,) = _as_texts([text])
        fz = self.featurizer
        words, grams = fz.analyze([text])[0]
        names: dict[int, str] = {}
        for term in words:
            if term in fz.word_vocab:
                names[fz.word_vocab[term]] = term
        for term in grams:
            if term in fz.char_vocab:
                names.setdefault(fz.char_vocab[term], term)
        z, (row, col, w) = self._decision_batch([text])
        labels = self.labels_from_proba(self._proba_from_decision(z))[0]
        out: dict[str, list[tuple[str, float]]] = {}
        for theme in labels:
            j = self.themes.index(theme)
            contrib = w * self.coef[col, j]
            order = np.argsort(-contrib, kind="stable")[:top]
            out[theme] = [(names[int(col[i])], round(float(contrib[i]), 4)) for i in order if contrib[i] > 0]
        return out

    # ---------------------------------------------------------------- persistence
    def save(self, directory, card: dict | None = None) -> Path:
        """Write the model to ``directory`` atomically (JSON + .npy + manifest)."""
        from .features import get_segmenter

        fz = self.featurizer
        if card is not None:
            self.card = card
        meta = {
            "themes": self.themes,
            "multilabel": self.multilabel,
            "thresholds": [float(x) for x in self.thresholds],
            "calibration": [[float(a), float(b)] for a, b in self.calibration],
            "features": fz.config.to_json(),
            "segmenter": {"name": fz.config.segmenter, "version": get_segmenter(fz.config.segmenter).version},
            "dictionary": {"version": DICTIONARY_VERSION, "sha256": dictionary_sha256()},
        }
        vocab = {"words": sorted(fz.word_vocab, key=fz.word_vocab.get), "chars": sorted(fz.char_vocab, key=fz.char_vocab.get)}
        path = store.write_model_dir(
            Path(directory),
            {"model.json": meta, "vocab.json": vocab, "card.json": self.card},
            {"idf.npy": fz.idf, "coef.npy": self.coef, "intercept.npy": self.intercept},
        )
        self.path = path
        return path


def _as_texts(texts) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("expected a list of texts, got one string; wrap it in a list")
    out = []
    for t in texts:
        if not isinstance(t, str):
            raise TypeError(f"expected str texts, got {type(t).__name__}")
        out.append(t)
    return out


def _load(directory: Path) -> Model:
    manifest, paths = store.read_model_dir(directory)
    for name in ("model.json", "vocab.json", "idf.npy", "coef.npy", "intercept.npy"):
        if name not in paths:
            raise ModelError(f"{directory}: model file {name} is missing from the manifest")
    meta = store.load_json(paths["model.json"])
    vocab = store.load_json(paths["vocab.json"])
    try:
        config = FeatureConfig.from_json(meta["features"])
        themes = meta["themes"]
        dictionary = meta["dictionary"]
        seg = meta["segmenter"]
    except (KeyError, TypeError) as exc:
        raise ModelError(f"{paths['model.json']}: missing or malformed field {exc}") from None
    if dictionary.get("sha256") != dictionary_sha256():
        raise ModelError(
            f"{paths['model.json']}: trained with segmenter dictionary {dictionary.get('version')} "
            f"which this trendscore does not ship ({DICTIONARY_VERSION}); retrain the model"
        )
    from .features import get_segmenter

    installed = get_segmenter(seg["name"]).version
    if installed != seg.get("version"):
        warnings.warn(f"model trained with {seg['name']} {seg.get('version')}, applying with {installed}", stacklevel=3)
    fz = Featurizer(config)
    fz.word_vocab = {t: i for i, t in enumerate(vocab["words"])}
    off = len(fz.word_vocab)
    fz.char_vocab = {t: off + i for i, t in enumerate(vocab["chars"])}
    fz.idf = store.load_array(paths["idf.npy"])
    coef = store.load_array(paths["coef.npy"])
    if coef.shape != (fz.n_features, len(themes)) or fz.idf.shape != (fz.n_features,):
        raise ModelError(f"{directory}: array shapes do not match the vocabulary and themes")
    card = store.load_json(paths["card.json"]) if "card.json" in paths else {}
    return Model(
        themes,
        fz,
        coef,
        store.load_array(paths["intercept.npy"]),
        meta["calibration"],
        meta["thresholds"],
        multilabel=meta.get("multilabel", True),
        card=card,
        path=Path(directory),
    )


_CACHE: dict[Path, Model] = {}


def load_model(directory=None) -> Model:
    """Load a model directory (verified against its manifest); the bundled default if None.

    Examples
    --------
    >>> load_model().themes
    ['policy', 'technology', 'overseas', 'regional_hub', 'culture']
    """
    path = Path(directory) if directory is not None else default_model_path()
    if directory is None:
        key = path.resolve()
        if key not in _CACHE:
            _CACHE[key] = _load(path)
        return _CACHE[key]
    return _load(path)
