"""Which models there are: the bundled ones, and model folders in the working directory."""

from __future__ import annotations

import json
from pathlib import Path

from trendscore.modeling.model import BUNDLED, bundled_model_path

__all__ = ["available_models", "shadowing_folder"]


def shadowing_folder(name) -> Path | None:
    """The folder ``name`` in the working directory when ``name`` is also a bundled model's
    (``--model default`` means the bundled model; ``./default`` the folder)."""
    if isinstance(name, str) and name in BUNDLED and Path(name).exists():
        return Path(name)
    return None


def _summary(path: Path) -> float | None:
    try:
        card = json.loads((path / "card.json").read_text("utf-8"))
        value = (card.get("cross_validation") or {}).get("macro_f1")
        return float(value) if isinstance(value, (int, float)) else None
    except (OSError, ValueError, AttributeError):
        return None


def available_models(here: Path | None = None) -> list[dict]:
    """The bundled models, then every folder of the working directory that holds a model
    (a ``manifest.json``) or a registry (an ``aliases.json``), each with a note when a folder
    carries a bundled model's name."""
    here = Path.cwd() if here is None else here
    rows = []
    for name in BUNDLED:
        path = bundled_model_path(name)
        note = None
        if (here / name).exists():
            note = f"a folder {name!r} here is not what the name {name!r} loads (the bundled model); ./{name} loads it"
        rows.append({"name": name, "kind": "bundled", "path": str(path), "cv_macro_f1": _summary(path), "note": note})
    for path in sorted(p for p in here.iterdir() if p.is_dir()):
        if (path / "manifest.json").is_file():
            kind = "model"
        elif (path / "aliases.json").is_file():
            kind = "registry"
        else:
            continue
        note = f"shares its name with a bundled model: use it as ./{path.name}" if path.name in BUNDLED else None
        rows.append({"name": path.name, "kind": kind, "path": str(path), "cv_macro_f1": _summary(path), "note": note})
    return rows
