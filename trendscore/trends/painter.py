"""Drawing the picture in a second process, started before the records are read.

Importing matplotlib takes about a second; a process forked at the start of a scoring job
imports it while the parent reads and counts, on the other core, and then draws the finished
score. Where forking is not possible, or the process dies, the picture is drawn in-process:
the outcome is the same PNG either way.
"""

from __future__ import annotations

__all__ = ["Painter"]


def _warm() -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    return True


def _draw(score, lang: str) -> bytes:
    from trendscore.trends.plot import plot_png

    return plot_png(score, lang)


class Painter:
    """``with Painter() as p: ...; png = p.draw(score, lang)``."""

    def __init__(self):
        self._pool = None

    def __enter__(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self._pool.submit(_warm)
        except (OSError, ValueError):  # no fork here (or no resources): draw in-process
            self._pool = None
        return self

    def draw(self, score, lang: str = "en") -> bytes:
        """The PNG of ``score``'s plot, drawn in the warm worker process; in this process when
        there is none or it died."""
        if self._pool is not None:
            from concurrent.futures.process import BrokenProcessPool

            try:
                return self._pool.submit(_draw, score, lang).result()
            except (BrokenProcessPool, OSError):
                pass
        return _draw(score, lang)

    def __exit__(self, exc_type, exc, tb):
        if self._pool is not None:  # a failed run does not wait for matplotlib to load
            self._pool.shutdown(wait=exc_type is None, cancel_futures=True)
        return False
