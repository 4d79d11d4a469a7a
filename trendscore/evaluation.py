"""Scoring a model against labelled passages."""

from __future__ import annotations

from .metrics import label_matrix, per_theme_scores
from .model import Model
from .seeds import read_seeds

__all__ = ["evaluate"]


def evaluate(model: Model, seed_paths) -> dict:
    """Per-theme precision/recall/F1 and micro/macro-F1 of ``model`` on labelled seed files."""
    seeds = read_seeds(seed_paths)
    unknown = sorted({lab for s in seeds for lab in s.labels} - set(model.themes))
    if unknown:
        first = next(s for s in seeds if set(s.labels) & set(unknown))
        from .errors import SeedError

        raise SeedError(
            f"labels {unknown} are not themes of the model ({', '.join(model.themes)})", first.path, first.line
        )
    pred = model.labels_from_proba(model.predict_proba([s.text for s in seeds]))
    return per_theme_scores(
        label_matrix([list(s.labels) for s in seeds], model.themes), label_matrix(pred, model.themes), model.themes
    )
