"""Text: normalising and splitting passages, tokens and TF-IDF features, name lists, sentence embeddings."""

from __future__ import annotations

from pathlib import Path

from trendscore.once import built_once

__all__ = ["DATA", "data_text"]

#: the data files shipped inside the package, read as files (as the bundled models are):
#: ``importlib.resources`` and the readers it imports on first use cost ~5 ms at every start
DATA = Path(__file__).resolve().parent.parent / "data"


@built_once(maxsize=None)
def data_text(name: str) -> str:
    """The text of the shipped data file ``name`` (a path under ``trendscore/data``), read once a
    process: the dictionary and the name lists are read for their hashes and for their terms."""
    return (DATA / name).read_text("utf-8")
