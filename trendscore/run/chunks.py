"""The label job's chunk: what a back-end hands a worker, and the function that labels it.

Every back-end (this process, worker processes, a Dask cluster) labels with
:func:`label_chunk`; only the reader in the calling process decides what a chunk holds:
raw JSON Lines (parsed in the worker, so the caller does not decode and pickle every record)
or records the reader already parsed (CSV, digest, text, Parquet).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..columns import Columns
from ..jsonfast import dumps_line

__all__ = ["Chunk", "ChunkResult", "LabelState", "label_chunk", "worker_setup", "spawn_setup"]


@dataclass
class Chunk:
    """A run of one input's passages: ``kind`` "lines" (numbered raw JSON Lines) or "records"."""

    kind: str
    name: str
    payload: list
    explain: bool = False
    as_text: bool = True
    skip_bad: bool = False
    columns: Columns = field(default_factory=Columns)


@dataclass
class ChunkResult:
    """A labelled chunk: its input's name, passages, blank passages, lines skipped (count and
    first messages) and the output (JSON Lines text, or records)."""

    name: str
    records: int
    blank: int
    skipped: tuple[int, list]
    out: object


@dataclass
class LabelState:
    """What a labelling worker holds: the loaded model (its segmenter already warmed)."""

    model: object


def warm(model) -> None:
    """Load everything labelling loads lazily (segmenter dictionary, n-gram tables), so forked
    workers inherit it instead of each building its own."""
    model.label(["微短剧出海 short drama"])


def worker_setup(state: LabelState) -> LabelState:
    """In a forked worker: one BLAS thread and its own sentence encoder, if the model has one
    (the TF-IDF parts and the segmenter are used as inherited)."""
    if state.model.featurizer.config.embedding:
        from .. import embedding

        embedding.reset_for_worker()
    return state


def spawn_setup(model_dir) -> LabelState:
    """In a spawned worker: load the model (spawned workers inherit nothing)."""
    from .. import embedding
    from ..model import load_model

    embedding.reset_for_worker()
    model = load_model(model_dir)
    warm(model)
    return LabelState(model)


class _Numbered:
    """Numbered lines with the user's column names, as the JSON Lines reader expects them."""

    def __init__(self, lines, columns: Columns):
        self._lines, self.columns = lines, columns

    def __iter__(self):
        return iter(self._lines)


def label_chunk(state: LabelState, chunk: Chunk) -> ChunkResult:
    """Label one chunk with ``state.model``."""
    from ..labelling import label_records
    from ..readers import SkipLog, records_of

    skip = SkipLog() if chunk.skip_bad else None
    if chunk.kind == "lines":
        lines = _Numbered(chunk.payload, chunk.columns)
        records = [record for record, _, _ in records_of("jsonl", lines, chunk.name, skip=skip)]
    else:
        records = chunk.payload
    out = list(label_records(state.model, records, explain=chunk.explain))
    blank = sum(1 for r in records if not r["text"].strip())
    skipped = (skip.count, skip.first) if skip else (0, [])
    text = "".join(map(dumps_line, out)) if chunk.as_text else out
    return ChunkResult(chunk.name, len(out), blank, skipped, text)
