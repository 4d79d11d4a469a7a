"""What pyproject.toml tells setuptools to put in a wheel: every folder of the package is a
package it names, and every data file one of its package-data patterns takes."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]


def _folders() -> dict[str, Path]:
    """Each package setuptools is given, by name, and the folder it is read from."""
    config = _setuptools()
    where = config.get("package-dir", {})
    return {name: ROOT / where.get(name, name.replace(".", "/")) for name in config["packages"]}


def test_every_folder_of_the_package_is_named_a_package():
    """``trendscore/data/lists`` was not: ``pip install .`` warned that it is an importable
    package absent from the ``packages`` configuration (its files were packed as data of
    ``trendscore.data``)."""
    named = {folder.resolve() for folder in _folders().values()}
    folders = {
        p.resolve()
        for p in (ROOT / "trendscore").rglob("*")
        if p.is_dir() and p.name != "__pycache__" and not p.name.startswith(".") and not p.name.endswith(".egg-info")
    }
    assert not folders - named, sorted(str(p.relative_to(ROOT)) for p in folders - named)


def test_every_data_file_is_taken_by_a_package_data_pattern():
    patterns = _setuptools()["package-data"]
    left = []
    for name, folder in _folders().items():
        for f in folder.iterdir():
            if f.is_file() and f.suffix not in (".py", ".pyc") and not f.name.startswith("."):
                if not any(fnmatch.fnmatch(f.name, p) for p in patterns.get(name, [])):
                    left.append(str(f.relative_to(ROOT)))
    assert not left, left
