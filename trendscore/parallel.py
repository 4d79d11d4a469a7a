"""Labelling in several worker processes: now one back-end of the label job's runner.

The job itself (reader, chunk function, ordered merge, writer) is :mod:`trendscore.run.job`;
the worker processes are :mod:`trendscore.run.processes` behind
:class:`trendscore.run.backends.Processes`. This module keeps the chunk sizes' old names.
"""

from __future__ import annotations

from .run.backends import default_start_method
from .run.job import CHUNK, EMBEDDING_CHUNK

__all__ = ["CHUNK", "EMBEDDING_CHUNK", "default_start_method"]
