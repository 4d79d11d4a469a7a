"""Labelling a stream of records from inputs to a writer, in bounded batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from trendscore.io.readers import Repeats, read_records
from trendscore.io.rows import INPUT_LABELS, keep_input_fields, written_fields
from trendscore.modeling.model import BATCH, Model

__all__ = ["LabelStats", "label_records", "iter_input_records", "BATCH_CHARS", "INPUT_LABELS"]

#: a batch is also cut when its texts reach this many characters (bounded memory)
BATCH_CHARS = 20_000_000


@dataclass
class LabelStats:
    """Passages labelled so far, how many of them were blank, and how many carried a
    ``labels`` field of their own (kept as :data:`INPUT_LABELS`)."""
    records: int = 0
    blank: int = 0
    kept_labels: int = 0


def iter_input_records(
    inputs: list[str],
    input_format: str = "auto",
    encoding: str = "auto",
    encoding_errors: str = "strict",
    skip=None,
    columns=None,
) -> Iterator[dict]:
    """The passages of every input, one record at a time, read as ``label`` reads them (a
    document met again, in the same input or another, with passage ids of its own)."""
    repeats = Repeats()
    for name in inputs:
        for record, _path, _line in read_records(
            name, input_format, encoding, encoding_errors, skip=skip, columns=columns, repeats=repeats
        ):
            yield record


def label_records(
    model: Model, records: Iterable[dict], explain: bool = False, stats: LabelStats | None = None
) -> Iterator[dict]:
    """Yield each record with ``labels`` and ``scores`` added (and ``explain`` if asked, and
    ``provisional`` when the model has provisional themes).

    A record's own ``labels`` field is kept as ``labels_input`` (:data:`INPUT_LABELS`) and
    counted in ``stats.kept_labels``; its own ``scores``, as ``scores_input``, and its own
    ``explain`` and ``provisional`` as ``explain_input`` and ``provisional_input`` when this
    run writes those fields (:func:`trendscore.io.rows.keep_input_fields`). The records are
    updated in place (they are the reader's own dicts)."""
    stats = stats if stats is not None else LabelStats()
    batch: list[dict] = []
    written = written_fields(explain, bool(model.provisional))

    def flush():
        results = model.label([r["text"] for r in batch])
        for rec, res in zip(batch, results):
            if "labels" in rec:
                stats.kept_labels += 1
            keep_input_fields(rec, written)  # its own labels, scores...: under labels_input, scores_input...
            rec["labels"], rec["scores"] = res["labels"], res["scores"]
            if "provisional" in res:  # a model with provisional themes names them in every record
                rec["provisional"] = res["provisional"]
            if explain:
                rec["explain"] = model.explain(rec["text"]) if res["labels"] else {}
            yield rec

    chars = 0
    for record in records:
        stats.records += 1
        if not record["text"].strip():
            stats.blank += 1
        batch.append(record)
        chars += len(record["text"])
        if len(batch) >= BATCH or chars >= BATCH_CHARS:
            yield from flush()
            batch, chars = [], 0
    if batch:
        yield from flush()
