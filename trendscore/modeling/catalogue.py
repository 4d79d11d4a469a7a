"""Which models there are: the bundled ones, and model folders in the working directory."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from trendscore.errors import ModelError
from trendscore.modeling import store
from trendscore.modeling.cardnotes import provisional_names
from trendscore.modeling.model import BUNDLED, bundled_model_path

__all__ = ["available_models", "catalogue_lines", "shadowing_folder"]


def shadowing_folder(name) -> Path | None:
    """The folder ``name`` in the working directory when ``name`` is also a bundled model's
    (``--model default`` means the bundled model; ``./default`` the folder)."""
    if isinstance(name, str) and name in BUNDLED and Path(name).exists():
        return Path(name)
    return None


def _card(path: Path | None) -> dict:
    """The model card in ``path``, or an empty dict when there is none to read. A card that is
    no regular file is not opened (a FIFO would wait for a writer)."""
    card_path = None if path is None else path / "card.json"
    if card_path is None or not card_path.is_file():
        return {}
    try:
        card = store.load_json(card_path)  # NaN, Infinity and deep nesting refused, as for any model file
    except ModelError:  # not JSON (nested past the parser's recursion too)
        return {}
    return card if isinstance(card, dict) else {}


def _summary(card: dict) -> float | None:
    """The cross-validated macro-F1 of ``card``, or None when it has none to show."""
    value = card.get("cross_validation")
    value = value.get("macro_f1") if isinstance(value, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        return None  # 1e400 is read as infinity: no figure a listing may show
    return float(value)


def _provisional_note(card: dict) -> str | None:
    """A note naming the provisional themes (``themes add``) of ``card``: the figure beside
    them is the model's under them, as ``models list --registry`` says of a version."""
    names = provisional_names(card)
    if not names:
        return None
    return f"+ provisional {', '.join(names)} (made from a few examples; the figure is the model's under them)"


def _champion(path: Path) -> Path | None:
    """The champion's folder of the registry in ``path``, or None when it has none to show
    (no champion yet, damaged aliases, a missing version)."""
    from trendscore.modeling.registry import Registry

    try:
        return Registry(path).champion_path()
    except (ModelError, OSError, ValueError):
        return None


def _notes(*notes: str | None) -> str | None:
    """The notes a row has, joined; None when it has none."""
    return "; ".join(n for n in notes if n) or None


def _will_not_load(path: Path | None) -> str | None:
    """A note when the model in ``path`` would be refused as it loads (its files changed since
    it was saved), so that a listing does not offer a model that cannot be used."""
    problem = None if path is None else store.model_dir_problem(path)
    return None if problem is None else f"will not load: {problem}"


def available_models(here: Path | None = None) -> list[dict]:
    """The bundled models, then every folder of the working directory that holds a model
    (a ``manifest.json``) or a registry (an ``aliases.json``), each with a note when a folder
    carries a bundled model's name, and when the model (a registry's champion) would not load."""
    here = Path.cwd() if here is None else here
    rows = []
    for name in BUNDLED:
        path = bundled_model_path(name)
        note = None
        if (here / name).exists():
            note = f"a folder {name!r} here is not what the name {name!r} loads (the bundled model); ./{name} loads it"
        note = _notes(note, _will_not_load(path))
        figure = _summary(_card(path))
        rows.append({"name": name, "kind": "bundled", "path": str(path), "cv_macro_f1": figure, "note": note})
    for path in sorted(p for p in here.iterdir() if p.is_dir()):
        if (path / "manifest.json").is_file():
            kind = "model"
        elif (path / "aliases.json").is_file():
            kind = "registry"
        else:
            continue
        note = f"shares its name with a bundled model: use it as ./{path.name}" if path.name in BUNDLED else None
        loads = path if kind == "model" else None
        if kind == "registry":  # what --model loads from it: its champion, whose card has the figure
            loads = _champion(path)
            if loads is not None:
                kind = f"registry, champion {loads.name}"
        card = _card(path if loads is None else loads)
        figure = _summary(card)
        note = _notes(note, _provisional_note(card), _will_not_load(loads))
        rows.append({"name": path.name, "kind": kind, "path": str(path), "cv_macro_f1": figure, "note": note})
    return rows


def _shown_width(text: str) -> int:
    """Terminal columns ``text`` takes: two for a wide (CJK) character, none for a combining mark."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def catalogue_lines(rows: list[dict]) -> list[str]:
    """The rows of :func:`available_models` as aligned lines (name, kind, cross-validated
    macro-F1, path; a row's note on an indented line below it), each column as wide as its
    widest cell, so a long or Chinese folder name does not push the others out of line.
    Control characters in names and paths are shown escaped.

    Examples
    --------
    >>> rows = [{"name": "a-long-model-name", "kind": "model", "cv_macro_f1": 0.5, "path": "/m", "note": None},
    ...         {"name": "default", "kind": "bundled", "cv_macro_f1": None, "path": "/d", "note": None}]
    >>> print("\\n".join(catalogue_lines(rows)))
    a-long-model-name  model    cv macro-F1 0.500  /m
    default            bundled  cv macro-F1 -      /d
    """
    from trendscore.io.writers import printable

    cells = [
        (printable(r["name"]), r["kind"], "-" if r["cv_macro_f1"] is None else f"{r['cv_macro_f1']:.3f}") for r in rows
    ]
    widths = [max((_shown_width(c[i]) for c in cells), default=0) for i in range(3)]

    def pad(text: str, width: int) -> str:
        return text + " " * (width - _shown_width(text))

    lines = []
    for row, (name, kind, f1) in zip(rows, cells):
        path = printable(row["path"])
        lines.append(f"{pad(name, widths[0])}  {pad(kind, widths[1])}  cv macro-F1 {pad(f1, widths[2])}  {path}")
        if row["note"]:
            lines.append(f"  note: {printable(row['note'])}")
    return lines
