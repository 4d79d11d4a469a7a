"""Applying a trained model: numpy and the segmenter only (no scikit-learn import)."""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from pathlib import Path

from trendscore.errors import InputError, ModelError, quoted
from trendscore.io.texts import as_texts, one_text
from trendscore.modeling import store
from trendscore.modeling.modelcheck import (
    card_to_write,
    check_card,
    check_char_terms,
    check_finite,
    check_meta,
    check_vocab,
)
from trendscore.once import BuildLock
from trendscore.text.features import DICTIONARY_VERSION, LONG_TEXT, FeatureConfig, Featurizer, dictionary_sha256
from trendscore.text.namelists import lists_sha256

__all__ = [
    "Model",
    "load_model",
    "check_model_argument",
    "default_model_path",
    "bundled_model_path",
    "BUNDLED",
    "BATCH",
    "SMALL",
]

#: passages featurised together; bounds memory whatever the input size
BATCH = 4096
#: up to this many passages are scored in pure Python, so a one-passage run never imports numpy
SMALL = 8
#: nonzeros times themes scored in this process after which scores come from one SciPy sparse
#: product for all themes (or at once when SciPy is already imported); before, a numpy pass per
#: theme, ~4 ns per nonzero and theme, so the import (~0.2 s, once) pays for itself only in a
#: long run (benchmarks/many_classes.py)
SPARSE_PRODUCT = 50_000_000
_WORK = 0  # nonzeros times themes scored so far by this process
#: how explanations name the sentence-embedding columns, taken together
EMBEDDING_TERM = "[sentence embedding]"


#: models shipped with the package, by the name ``--model`` accepts
BUNDLED = ("default", "accurate", "thorough")


def bundled_model_path(name: str = "default") -> Path:
    """A bundled model: inside the installed package, or models/NAME in a checkout."""
    here = Path(__file__).resolve().parents[1]
    installed = here / f"{name}_model"
    if (installed / store.MANIFEST).is_file():
        return installed
    return here.parent / "models" / name


def default_model_path() -> Path:
    """The bundled default model (fast; TF-IDF only)."""
    return bundled_model_path("default")


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


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
    provisional : list of trendscore.modeling.provisional.ProvisionalTheme
        Themes made from a few examples (``trendscore themes add``), after the trained ones in
        ``themes``; ``themes``, ``thresholds`` and the probability columns include them.
    """

    def __init__(
        self,
        themes,
        featurizer,
        coef,
        intercept,
        calibration,
        thresholds,
        multilabel=True,
        card=None,
        path=None,
        provisional=(),
    ):
        self.provisional = list(provisional)
        self.themes = list(themes) + [p.name for p in self.provisional]
        self.featurizer = featurizer
        self._coef = coef  # (n_features, k): numpy array or store.RawArray
        self.intercept = [float(x) for x in (intercept.values if isinstance(intercept, store.RawArray) else intercept)]
        self.calibration = [(float(a), float(b)) for a, b in calibration]
        self.thresholds = [float(x) for x in thresholds] + [float(p.threshold) for p in self.provisional]
        self.multilabel = bool(multilabel)
        self.card = card or {}
        self.path = path
        #: :func:`~trendscore.modeling.store.contents_sha256` of the directory it was loaded from
        #: or saved to (None for a model never saved): what tells two models apart
        self.contents_sha256: str | None = None
        #: a bundled model as load_model shares it with every caller in the process: saving it
        #: writes a copy and leaves it as loaded (see :meth:`save`)
        self.shared = False

    def __repr__(self) -> str:
        return f"Model(themes={self.themes}, path={str(self.path)!r})"

    def __getstate__(self) -> dict:
        """What a pickle (or a deep copy) of the model holds: a model of its own, never the one
        :func:`load_model` shares, so saving it gives it its new path as any model's save does;
        the caches built from the coefficients are left to be built again."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("_columns", "_names")}
        state["shared"] = False
        return state

    @property
    def coef(self):
        """Coefficients as a numpy array of shape (n_features, n_themes)."""
        if isinstance(self._coef, store.RawArray):
            self._coef = self._coef.numpy()
        return self._coef

    def _per_theme_product(self, n: int, row, col, w):
        """The (n, themes) products of the feature triplets with the coefficients, a
        ``bincount`` per theme (summed in the triplets' order)."""
        import numpy as np

        columns = self._coef_columns()
        z = np.empty((n, len(columns)))
        for j, theme_coef in enumerate(columns):
            z[:, j] = np.bincount(row, weights=w * theme_coef[col], minlength=n)
        return z

    def _coef_columns(self):
        """Each theme's coefficients as one contiguous row (a copy of :attr:`coef`, made once):
        gathering a theme's weights from it is twice as fast as from a column of ``coef``."""
        columns = getattr(self, "_columns", None)
        if columns is None or columns[0] is not self.coef:
            import numpy as np

            columns = self._columns = (self.coef, np.ascontiguousarray(self.coef.T))
        return columns[1]

    # ---------------------------------------------------------------- scoring
    def _decision_batch(self, texts: Sequence[str]):
        import numpy as np

        row, col, w = self.featurizer.transform_coo(texts)
        n, k = len(texts), len(self.intercept)
        coef = self.coef
        global _WORK
        _WORK += len(row) * k
        if _WORK >= SPARSE_PRODUCT or "scipy.sparse" in sys.modules:
            from scipy.sparse import csr_matrix

            # one sparse product for all themes (3x faster than a pass per theme with 10 classes)
            z = csr_matrix((w, (row, col)), shape=(n, coef.shape[0])) @ coef
        else:  # small batches: a pass per theme, which spares importing SciPy
            z = self._per_theme_product(n, row, col, w)
        z += np.asarray(self.intercept)
        return z, (row, col, w)

    def _proba_from_decision(self, z):
        import numpy as np

        cal = np.asarray(self.calibration)
        p = 1.0 / (1.0 + np.exp(-(cal[:, 0] * z + cal[:, 1])))
        if not self.multilabel:
            p = p / p.sum(axis=1, keepdims=True)
        return p

    def _proba_small(self, text: str) -> list[float]:
        """One text's probabilities in pure Python (same numbers as the numpy path)."""
        return self._proba_from_weights(self.featurizer.row_weights(text))

    def _proba_from_weights(self, weights: dict[int, float]) -> list[float]:
        """Probabilities of one featurised row ({column: weight}), in pure Python."""
        k = len(self.intercept)
        raw = self._coef
        z = list(self.intercept)
        if isinstance(raw, store.RawArray):
            values = raw.values
            for c, w in weights.items():
                base = c * k
                for j in range(k):
                    z[j] += w * values[base + j]
        else:
            for c, w in weights.items():
                for j in range(k):
                    z[j] += w * float(raw[c, j])
        p = [_sigmoid(a * zj + b) for zj, (a, b) in zip(z, self.calibration)]
        if not self.multilabel:
            total = sum(p)
            p = [x / total for x in p]
        return p

    def _proba_rows(self, texts: list[str]):
        """Probabilities as rows: lists for a few texts (no numpy), else a numpy array."""
        small = len(texts) <= SMALL and self.featurizer.embedder is None and not self.provisional
        if small and all(len(t) <= LONG_TEXT for t in texts):
            return [self._proba_small(t) for t in texts]
        import numpy as np

        from trendscore.progress import report

        k = len(self.intercept)
        out = np.empty((len(texts), len(self.themes)))
        for start in range(0, len(texts), BATCH):
            report("labelling passages", start, len(texts))
            chunk = texts[start : start + BATCH]
            z, tfidf = self._decision_batch(chunk)
            out[start : start + len(chunk), :k] = self._proba_from_decision(z)
            for j, theme in enumerate(self.provisional, k):  # learned from their examples
                out[start : start + len(chunk), j] = theme.proba(chunk, tfidf)
        report("labelling passages", len(texts), len(texts))
        return out

    def predict_proba(self, texts: Sequence[str]):
        """Probability of each theme for each text: an (n, k) numpy array in ``themes`` order.

        Examples
        --------
        >>> model = load_model()
        >>> model.predict_proba(["", "短剧出海"]).shape == (2, len(model.themes))
        True
        """
        import numpy as np

        texts = as_texts(texts)
        return np.asarray(self._proba_rows(texts), dtype=np.float64).reshape(len(texts), len(self.themes))

    @property
    def classes_(self) -> list[str]:
        """The themes, in column order (the name scikit-learn estimators use)."""
        return list(self.themes)

    def predict(self, texts: Sequence[str]) -> list[list[str]]:
        """The themes of each text, as :meth:`label` gives them.

        Examples
        --------
        >>> load_model().predict(["短剧出海"])
        [['overseas']]
        """
        return self.labels_from_proba(self.predict_proba(texts))

    def example_keys(self) -> set[str]:
        """The text keys (:func:`~trendscore.text.keys.text_key`) of the provisional themes'
        examples: passages the model learned from, as its card's ``trained_on`` lists its seeds."""
        from trendscore.text.keys import text_key

        return {text_key(t) for theme in self.provisional for t in theme.examples}

    def labels_from_proba(self, proba) -> list[list[str]]:
        """Theme names per row of probabilities (a list of rows or an (n, k) array, one column
        per theme in ``themes`` order): per-theme thresholds, or the top class. A row of
        another width is an :class:`~trendscore.errors.InputError`."""
        width = len(self.themes)
        if isinstance(proba, list):
            bad = next((f"a row of {len(row)}" for row in proba if len(row) != width), None)
        else:
            shape = getattr(proba, "shape", None)
            bad = None if shape is not None and len(shape) == 2 and shape[1] == width else f"shape {shape}"
        if bad is not None:  # zip had cut a longer row short, numpy broadcast a one-column array
            raise InputError(f"expected probabilities in {width} columns, one per theme, got {bad}")
        if not self.multilabel:
            if isinstance(proba, list):
                return [[self.themes[max(range(len(row)), key=lambda j: row[j])]] for row in proba]
            import numpy as np

            themes = self.themes
            return [[themes[j]] for j in np.argmax(proba, axis=1).tolist()]
        if isinstance(proba, list):
            return [[t for t, p, cut in zip(self.themes, row, self.thresholds) if p >= cut] for row in proba]
        import numpy as np

        # each row's set of themes as a bit mask, so the lists are built once per combination
        masks = ((proba >= np.asarray(self.thresholds)) * (1 << np.arange(len(self.themes)))).sum(axis=1)
        combos: dict[int, list[str]] = {}
        out = []
        for m in masks.tolist():
            labels = combos.get(m)
            if labels is None:
                labels = combos[m] = [t for j, t in enumerate(self.themes) if m >> j & 1]
            out.append(list(labels))
        return out

    def label(self, texts: Sequence[str]) -> list[dict]:
        """One record per text: ``labels`` (possibly empty) and ``scores`` (theme -> probability).

        Examples
        --------
        >>> rec = load_model().label(["   "])[0]
        >>> rec["labels"]
        []
        """
        texts = as_texts(texts)
        proba = self._proba_rows(texts)
        labels = self.labels_from_proba(proba)
        if isinstance(proba, list):
            rounded = [[round(p, 4) for p in row] for row in proba]
        else:
            rounded = proba.round(4).tolist()
        themes = self.themes
        out = [{"labels": labs, "scores": dict(zip(themes, row))} for labs, row in zip(labels, rounded)]
        if self.provisional:  # which themes are provisional, in every record
            names = [p.name for p in self.provisional]
            for rec in out:
                rec["provisional"] = list(names)
        return out

    def explain(self, text: str, top: int = 5) -> dict[str, list[tuple[str, float]]]:
        """For each theme the text is labelled with, the ``top`` terms that pushed it most.

        A term's weight is its TF-IDF weight times the theme's coefficient, summed over the
        word and the character n-gram of the same spelling; positive weights push towards
        the theme. A model with sentence embeddings shows their joint push as one term,
        ``[sentence embedding]``. A provisional theme's terms are its own weights (the encoder
        vector's push among them), ``top - 1`` of them, then ``[nearest example] TEXT`` with
        the cosine similarity of the example closest to the text. ``top`` is a whole number
        from 1 up (an :class:`~trendscore.errors.InputError` otherwise).
        """
        text = one_text(text)
        if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1:
            raise InputError(f"top must be a whole number from 1 up, got {quoted(top)}")
        top = int(top)
        names = self._term_names()
        if len(text) <= LONG_TEXT and self.featurizer.embedder is None:
            weights = self.featurizer.row_weights(text)
            proba = [self._proba_from_weights(weights)]
        else:  # one pass gives the features and the scores (the encoder runs once)
            z, (_, col, w) = self._decision_batch([text])
            weights = dict(zip(col.tolist(), w.tolist()))
            proba = self._proba_from_decision(z)
        if self.provisional:  # their columns too
            proba = self._proba_rows([text])
        labels = self.labels_from_proba(proba)[0]
        out: dict[str, list[tuple[str, float]]] = {}
        for theme in labels:
            j = self.themes.index(theme)
            by_term: dict[str, float] = {}
            if j >= len(self.intercept):  # a provisional theme: its own weights, then its nearest example
                theme_ = self.provisional[j - len(self.intercept)]
                vector = theme_.unit_vector(text)
                by_term = theme_.pushes(vector, weights, names, EMBEDDING_TERM)
                ranked = sorted(by_term.items(), key=lambda kv: (-kv[1], kv[0]))
                example, sim = theme_.nearest_example(text, vector)
                out[theme] = [(term, round(v, 4)) for term, v in ranked[: top - 1] if v > 0]
                out[theme].append((f"[nearest example] {example[:60]}", round(sim, 4)))
                continue
            for c, w in weights.items():
                by_term[names[c]] = by_term.get(names[c], 0.0) + w * float(self.coef[c, j])
            ranked = sorted(by_term.items(), key=lambda kv: (-kv[1], kv[0]))
            out[theme] = [(term, round(v, 4)) for term, v in ranked[:top] if v > 0]
        return out

    def _term_names(self) -> list[str]:
        """Column number -> term (built on first use, for explanations)."""
        if getattr(self, "_names", None) is None:
            fz = self.featurizer
            names = [""] * fz.n_features
            for vocab in (fz.word_vocab, fz.char_vocab):
                for term, c in vocab.items():
                    # style tokens start with \x01 so no word can collide with them; show them readably
                    if term.startswith("\x01"):
                        term = f"[style {term[1:]}]"
                    elif term.startswith("\x02"):  # name-list tokens (trendscore.text.namelists)
                        term = f"[list {term[1:]}]"
                    names[c] = term
            for c in range(fz.n_terms, fz.n_features):
                names[c] = EMBEDDING_TERM
            self._names = names
        return self._names

    # ---------------------------------------------------------------- conversion
    @classmethod
    def from_estimator(cls, est, themes=None, card: dict | None = None) -> Model:
        """A model from a fitted :class:`~trendscore.modeling.classifier.TextThemeClassifier`; see
        :func:`trendscore.modeling.conversion.model_from_estimator`."""
        from trendscore.modeling.conversion import model_from_estimator

        return model_from_estimator(est, themes, card, model_class=cls)

    def to_estimator(self):
        """This model as a fitted :class:`~trendscore.modeling.classifier.TextThemeClassifier` with the
        same probabilities; see :func:`trendscore.modeling.conversion.estimator_from_model`."""
        from trendscore.modeling.conversion import estimator_from_model

        return estimator_from_model(self)

    # ---------------------------------------------------------------- persistence
    def save(self, directory, card: dict | None = None) -> Path:
        """Write the model to ``directory`` atomically (JSON + .npy + manifest), with ``card``
        when given; the model then has that card and that path, unless it is a bundled model
        shared by :func:`load_model`, which stays as loaded (other callers hold it too)."""
        from trendscore.text.features import get_segmenter

        fz = self.featurizer
        written_card = self.card if card is None else card_to_write(card)
        k = len(self.intercept)
        meta = {
            "themes": self.themes[:k],
            "multilabel": self.multilabel,
            "thresholds": self.thresholds[:k],
            "calibration": [list(ab) for ab in self.calibration],
            "features": fz.config.to_json(),
            "segmenter": {"name": fz.config.segmenter, "version": get_segmenter(fz.config.segmenter).version},
            "dictionary": {"version": DICTIONARY_VERSION, "sha256": dictionary_sha256()},
        }
        if fz.config.lists:
            meta["lists"] = {"names": fz.config.lists, "sha256": lists_sha256(fz.config.lists)}
        if self.provisional:
            from trendscore.modeling.provisional import provisional_json

            meta["provisional"] = provisional_json(self.provisional)
        vocab = {
            "words": sorted(fz.word_vocab, key=fz.word_vocab.get),
            "chars": sorted(fz.char_vocab, key=fz.char_vocab.get),
        }
        arrays = {"idf.npy": _numpy(fz.idf), "coef.npy": self.coef, "intercept.npy": _numpy(self.intercept)}
        if self.provisional:  # their TF-IDF weights, one column a theme
            import numpy as np

            arrays["provisional.npy"] = np.column_stack([_numpy(t.terms) for t in self.provisional])
        if fz.embedder is not None:
            from trendscore.text.embedding import encoder_identity

            meta["embedding"] = encoder_identity(fz.embedder.name)
            arrays["embedding_mean.npy"] = _numpy(fz.embedder.mean)
            arrays["embedding_projection.npy"] = _numpy(fz.embedder.projection)
        path, manifest = store.write_model_dir(
            Path(directory), {"model.json": meta, "vocab.json": vocab, "card.json": written_card}, arrays
        )
        if not self.shared:
            self.card, self.path = written_card, path
            self.contents_sha256 = store.contents_sha256(manifest)
        return path


def _numpy(values):
    import numpy as np

    if isinstance(values, store.RawArray):
        return values.numpy()
    return np.asarray(values, dtype=np.float64)


def _load(directory: Path) -> Model:
    manifest, paths = store.read_model_dir(directory)
    for name in ("model.json", "vocab.json", "idf.npy", "coef.npy", "intercept.npy"):
        if name not in paths:
            raise ModelError(f"{directory}: model file {name} is missing from the manifest")
    meta = store.load_json(paths["model.json"])
    vocab = store.load_json(paths["vocab.json"])
    check_meta(meta, paths["model.json"])
    check_vocab(vocab, paths["vocab.json"])
    try:
        config = FeatureConfig.from_json(meta["features"])
    except ModelError as exc:
        raise ModelError(f"{paths['model.json']}: {exc}") from None
    themes, dictionary, seg = meta["themes"], meta["dictionary"], meta["segmenter"]
    if dictionary.get("sha256") != dictionary_sha256():
        raise ModelError(
            f"{paths['model.json']}: trained with segmenter dictionary {dictionary.get('version')} "
            f"which this trendscore does not ship ({DICTIONARY_VERSION}); retrain the model"
        )
    if config.lists and meta.get("lists", {}).get("sha256") != lists_sha256(config.lists):
        raise ModelError(
            f"{paths['model.json']}: trained with name lists that differ from those this trendscore ships; "
            "retrain the model"
        )
    if seg.get("name") != config.segmenter:
        raise ModelError(f"{paths['model.json']}: segmenter {seg.get('name')!r} disagrees with the feature settings")
    fz = Featurizer(config)
    words, chars = vocab["words"], vocab["chars"]
    check_char_terms(chars, config.char_ngram_min, config.char_ngram_max, paths["vocab.json"])
    fz.word_vocab = dict(zip(words, range(len(words))))
    fz.char_vocab = dict(zip(chars, range(len(words), len(words) + len(chars))))
    idf = store.load_array(paths["idf.npy"])
    check_finite(idf, paths["idf.npy"])
    fz.idf = idf.values
    if config.embedding:
        fz.embedder = _load_embedder(directory, config, meta, paths)
    coef = store.load_array(paths["coef.npy"])
    if coef.shape != (fz.n_features, len(themes)) or idf.shape != (fz.n_terms,):
        raise ModelError(f"{directory}: array shapes do not match the vocabulary and themes")
    check_finite(coef, paths["coef.npy"])
    intercept = store.load_array(paths["intercept.npy"])
    if intercept.shape != (len(themes),):
        raise ModelError(f"{paths['intercept.npy']}: shape {intercept.shape}, expected ({len(themes)},): one per theme")
    check_finite(intercept, paths["intercept.npy"])
    card = store.load_json(paths["card.json"]) if "card.json" in paths else {}
    if "card.json" in paths:
        check_card(card, paths["card.json"])  # the fields read later (score, report, evaluate) have their types
    provisional = []
    if "provisional" in meta:
        from trendscore.modeling.provisional import check_provisional, load_provisional

        check_provisional(meta["provisional"], themes, paths["model.json"])  # before its weights are read
        if "provisional.npy" not in paths:
            raise ModelError(f"{directory}: model file provisional.npy is missing from the manifest")
        terms = store.load_array(paths["provisional.npy"])
        count = len(meta["provisional"])
        if terms.shape != (fz.n_terms, count):
            raise ModelError(
                f"{paths['provisional.npy']}: shape {terms.shape}, expected ({fz.n_terms}, {count}): "
                "one column of TF-IDF weights a provisional theme"
            )
        check_finite(terms, paths["provisional.npy"])
        provisional = load_provisional(
            meta["provisional"], themes, meta.get("multilabel", True), paths["model.json"], terms.numpy()
        )
    model = Model(
        themes,
        fz,
        coef,
        intercept,
        meta["calibration"],
        meta["thresholds"],
        multilabel=meta.get("multilabel", True),
        card=card,
        path=Path(directory),
        provisional=provisional,
    )
    model.contents_sha256 = store.contents_sha256(manifest)
    return model


def _load_embedder(directory: Path, config: FeatureConfig, meta: dict, paths: dict):
    """The model's sentence-embedding block, refused unless the installed encoder is the
    one it was trained with."""
    from trendscore.text.embedding import SentenceEmbedding, encoder_identity

    for name in ("embedding_mean.npy", "embedding_projection.npy"):
        if name not in paths:
            raise ModelError(f"{directory}: model file {name} is missing from the manifest")
    try:
        installed = encoder_identity(config.embedding)
    except ModelError as exc:
        raise ModelError(f"{directory}: {exc}") from None
    recorded = meta.get("embedding") or {}
    if any(recorded.get(k) != installed[k] for k in ("version", "weights_sha256", "tokenizer_sha256")):
        raise ModelError(
            f"{paths['model.json']}: trained with {recorded.get('package')} {recorded.get('version')}, whose "
            f"encoder weights differ from the installed {installed['package']} {installed['version']} "
            "(version, weights or tokenizer); install that version or retrain the model"
        )
    mean = store.load_array(paths["embedding_mean.npy"])
    projection = store.load_array(paths["embedding_projection.npy"])
    check_finite(mean, paths["embedding_mean.npy"])
    check_finite(projection, paths["embedding_projection.npy"])
    from trendscore.text.embedding import ENCODER_DIMS

    width = ENCODER_DIMS[config.embedding]
    if mean.shape != (width,) or len(projection.shape) != 2 or projection.shape[0] != width:
        raise ModelError(f"{directory}: embedding arrays have the wrong shapes")
    dims = projection.shape[1]
    return SentenceEmbedding(config.embedding, dims, config.embedding_weight, mean.numpy(), projection.numpy())


def check_model_argument(model) -> None:
    """Refuse, with a :class:`ModelError`, a ``model`` argument that names no model: anything
    but a :class:`Model`, a directory (``str`` or a path), a bundled model's name, or None.

    >>> try:
    ...     check_model_argument(5)
    ... except ModelError as exc:
    ...     print(str(exc)[-7:])
    got int
    """
    import os

    if model is None or isinstance(model, (Model, str, os.PathLike)):
        return
    kind = type(model).__name__
    fix = "; make a fitted one a Model with Model.from_estimator(est)" if kind == "TextThemeClassifier" else ""
    raise ModelError(
        f"model must be a Model, a model directory or a bundled model's name ({', '.join(BUNDLED)}), got {kind}{fix}"
    )


_CACHE: dict[Path, Model] = {}
_LOADING = BuildLock()  # a bundled model is loaded once, also when several threads ask at once


def load_model(directory=None) -> Model:
    """Load a model directory (verified against its manifest); the bundled default if None.

    A registry directory (see :mod:`trendscore.modeling.registry`) is refused with a pointer to
    :func:`trendscore.modeling.registry.resolve_model`, which gives its champion. The name of a
    bundled model (``"default"``; ``"accurate"``: with sentence embeddings; ``"thorough"``: with
    the slower e5-small encoder of the ``e5`` extra; see the README) always loads that model,
    even where a folder of that name exists (write ``./default`` for the folder).

    Examples
    --------
    >>> load_model().themes
    ['policy', 'technology', 'overseas', 'regional_hub', 'culture']
    """
    check_model_argument(directory)
    bundled = directory is None or (isinstance(directory, str) and directory in BUNDLED)
    path = bundled_model_path(directory or "default") if bundled else Path(directory)
    if (path / "aliases.json").is_file():
        raise ModelError(
            f"{path}: a model registry, not a model directory; "
            "trendscore.modeling.registry.resolve_model gives the directory of its champion"
        )
    if bundled:
        key = path.resolve()
        model = _CACHE.get(key)
        if model is None:
            with _LOADING:
                model = _CACHE.get(key)
                if model is None:
                    model = _CACHE[key] = _load(path)
                    model.shared = True
        return model
    return _load(path)
