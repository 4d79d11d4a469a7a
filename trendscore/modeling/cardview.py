"""A model card in readable form (``trendscore models show``): what the model labels, how it
was made and how well it did, read off ``card.json`` without loading the model's weights (so a
model whose encoder's extra is not installed is shown too)."""

from __future__ import annotations

from pathlib import Path

from trendscore.errors import ModelError
from trendscore.modeling.cardnotes import ignored_labels, seeds_carry, themes_given
from trendscore.modeling.model import BUNDLED, bundled_model_path
from trendscore.modeling.modelcheck import check_card
from trendscore.modeling.registry import Registry, resolve_model
from trendscore.modeling.store import load_json
from trendscore.wording import counted

__all__ = ["find_model_dir", "read_card", "card_changed", "card_lines"]

#: seed files named before the rest are counted
_FILES_SHOWN = 5


def find_model_dir(ref, registry=None) -> Path:
    """The folder of the model ``ref`` names: a bundled name, a model folder, a registry (its
    champion) or, with ``registry``, one of that registry's versions (``v0003``)."""
    if registry is not None:
        return Registry(registry).version_dir(ref)
    if isinstance(ref, str) and ref in BUNDLED:
        return bundled_model_path(ref)
    path = Path(resolve_model(ref))
    if not (path / "card.json").is_file():
        raise ModelError(f"{path}: no model here (no card.json)")
    return path


def read_card(directory: Path) -> tuple[dict, list[str]]:
    """The card of the model in ``directory``, checked as listings check it, and its themes in
    the model's order (from model.json; the card's thresholds when that lists none)."""
    card_path = directory / "card.json"
    card = load_json(card_path)
    check_card(card, card_path)
    themes: list[str] = []
    meta_path = directory / "model.json"
    if meta_path.is_file():
        meta = load_json(meta_path)
        listed = meta.get("themes") if isinstance(meta, dict) else None
        if isinstance(listed, list):
            themes = [str(t) for t in listed]
    for name in list(card.get("thresholds") or {}) + list(card.get("provisional") or {}):
        if name not in themes:
            themes.append(str(name))
    return card, themes


def card_changed(directory: Path) -> str | None:
    """What to say when the card in ``directory`` is not the one the model was saved with (its
    SHA-256 is not the manifest's): the card shown may be edited by hand, and the model no
    longer loads (every file is checked when it does); None when it is, or there is no
    manifest entry to compare with."""
    from trendscore.modeling.store import MANIFEST, MAX_MANIFEST_BYTES, sha256_file

    try:
        manifest = load_json(directory / MANIFEST, MAX_MANIFEST_BYTES)
    except ModelError:
        return None  # no manifest to compare with: loading the model says what is wrong
    files = manifest.get("files") if isinstance(manifest, dict) else None
    expected = files.get("card.json") if isinstance(files, dict) else None
    if not isinstance(expected, str) or sha256_file(directory / "card.json") == expected:
        return None
    return (
        f"{directory / 'card.json'}: changed after saving (its SHA-256 is not the manifest's): the card shown "
        "may not be the model's, and the model does not load until the file is put back"
    )


def _f1(value) -> str:
    return "-" if not isinstance(value, (int, float)) or isinstance(value, bool) else f"{value:.3f}"


def _number(value) -> str:
    """A threshold in two decimals, or "-" where the card has none."""
    return "-" if not isinstance(value, (int, float)) or isinstance(value, bool) else f"{value:.2f}"


def _setting(value) -> str:
    """A setting as the card holds it; an empty one (no encoder) as ``none``."""
    return "none" if value in ("", None) else str(value)


def card_lines(card: dict, themes: list[str], path) -> list[str]:
    """The card as lines to read: where the model is, when and by what command it was made
    (and the steps that make it again), its themes (each with its threshold, seeds and
    cross-validated F1; provisional ones with their examples and when they were added), its
    seeds, settings and figures, and the library versions it was made with."""
    seeds = card.get("seeds") or {}
    cv = card.get("cross_validation") or {}
    per_theme = seeds.get("per_theme") or {}
    thresholds = card.get("thresholds") or {}
    provisional = card.get("provisional") or {}
    lines = [f"model: {path}", f"created: {card.get('created') or '-'}"]
    steps = card.get("steps")
    if isinstance(steps, list) and len(steps) > 1:
        lines.append("made by, step by step:")
        lines += [f"  {n}. {step}" for n, step in enumerate(steps, 1)]
    else:
        lines.append(f"command: {card.get('command') or '- (not recorded)'}")
    label = "multi-label" if card.get("multilabel", True) else "single-label"
    lines.append(f"themes ({counted(len(themes), 'theme')}, {label}):")
    for theme in themes:
        record = provisional.get(theme)
        if isinstance(record, dict):
            lines.append(
                f"  {theme}: provisional, from {counted(record.get('examples'), 'example')} "
                f"(added {record.get('added') or '-'}; threshold {_number(record.get('threshold'))}; "
                f"folded in once {seeds_carry(record.get('fold_in_at_seeds'))} its label)"
            )
            continue
        figures = (cv.get("themes") or {}).get(theme) or {}
        threshold = thresholds.get(theme)
        parts = [f"threshold {_number(threshold)}"]
        if isinstance(per_theme.get(theme), int):
            parts.append(counted(per_theme[theme], "seed"))
        if isinstance(figures, dict) and "f1" in figures:
            parts.append(f"cv F1 {_f1(figures.get('f1'))}")
        lines.append(f"  {theme}: {', '.join(parts)}")
    files = seeds.get("files") or []
    shown = ", ".join(files[:_FILES_SHOWN]) + (
        f" and {counted(len(files) - _FILES_SHOWN, 'more file')}" if len(files) > _FILES_SHOWN else ""
    )
    sha = (seeds.get("sha256") or "")[:12] or "-"
    lines.append(
        f"seeds: {counted(seeds.get('count'), 'seed')} (SHA-256 {sha}) from {counted(len(files), 'file')}"
        + (f": {shown}" if files else "")
    )
    given = themes_given(card)
    if given:  # the themes were given: the seeds' other labels were taken off
        ignored = seeds.get("ignored")
        ignored = ignored if isinstance(ignored, dict) else {}
        labels = ignored.get("labels")
        readable = isinstance(labels, dict) and all(type(n) is int for n in labels.values())  # a card edited by hand
        taken_off = ignored_labels(card) if readable and type(ignored.get("seeds")) is int else None
        lines.append(f"themes given: {', '.join(given)}" + (f"; {taken_off}" if taken_off else ""))
    params = card.get("params") or {}
    if params:
        # the classifier's cv is its calibration folds, not the card's cross-validation below
        settings = {("calibration_folds" if k == "cv" else k): v for k, v in params.items() if k != "n_jobs"}
        lines.append("settings: " + ", ".join(f"{k}={_setting(v)}" for k, v in sorted(settings.items())))
    if cv:
        by = ", by report" if cv.get("grouped_by_report") else ""
        lines.append(
            f"cross-validation: macro-F1 {_f1(cv.get('macro_f1'))}, micro-F1 {_f1(cv.get('micro_f1'))} "
            f"({cv.get('folds')}-fold{by}, {counted(cv.get('n'), 'seed')})"
        )
    lofo = card.get("leave_one_file_out") or {}
    if lofo:
        lines.append(f"leave-one-file-out: macro-F1 {_f1(lofo.get('macro_f1'))} ({counted(lofo.get('folds'), 'file')})")
    split = card.get("time_split") or {}
    if "macro_f1" in split:
        lines.append(
            f"real reports held out by time ({split.get('cutoff')}..{split.get('end')}): macro-F1 "
            f"{_f1(split.get('macro_f1'))} on {counted(split.get('n'), 'passage')}"
        )
    versions = card.get("versions") or {}
    if versions:
        lines.append("versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())))
    return lines
