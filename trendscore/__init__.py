"""trendscore: theme labelling and theme momentum for news about China's micro-short-drama industry.

Examples
--------
>>> import trendscore
>>> trendscore.label(["海淀区发布微短剧扶持政策"])[0]["labels"]
['policy', 'regional_hub']
"""

from __future__ import annotations

from .errors import InputError, ModelError, SeedError, TrendscoreError
from .model import Model, load_model

__all__ = [
    "InputError",
    "Model",
    "ModelError",
    "SeedError",
    "TrendscoreError",
    "label",
    "load_model",
    "read",
    "score",
    "train",
    "__version__",
]

__version__ = "0.1.0"


def label(texts, model=None) -> list[dict]:
    """Label texts with ``model`` (a :class:`Model`, a directory, or None for the bundled default)."""
    if model is None or not isinstance(model, Model):
        model = load_model(model)
    return model.label(texts)


def read(
    path,
    input_format: str = "auto",
    encoding: str = "auto",
    text_column: str = "text",
    date_column: str = "date",
    id_column: str = "id",
) -> list[dict]:
    """The passages of one input file (``-``: standard input) as records, read as ``trendscore
    label`` reads them: format and encoding detected, compressed files decompressed, CSV and
    Parquet columns chosen by name. Raises :class:`InputError` for anything unreadable."""
    from .columns import Columns
    from .readers import read_records

    columns = Columns(text_column, date_column, id_column)
    return [r for r, _, _ in read_records(str(path), input_format, encoding, columns=columns)]


def train(seed_paths, out_dir, cv: int = 5, seed: int = 0, **params) -> Model:
    """Train a model from seed files into ``out_dir``; see :func:`trendscore.training.train`."""
    from .training import train as _train

    return _train(seed_paths, out_dir, cv=cv, seed=seed, **params)


def score(records, freq: str = "week", as_of=None, model=None, relabel: bool = False):
    """Theme momentum of records; see :func:`trendscore.scoring.score`."""
    from .scoring import score as _score

    return _score(records, freq=freq, as_of=as_of, model=model, relabel=relabel)
