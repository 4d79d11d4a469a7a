"""The ``label`` job end to end: inputs to labelled output, one process or several."""

from __future__ import annotations

import os

from .errors import InputError
from .forking import usable_cores
from .labelling import LabelStats, iter_input_records, label_records
from .outputs import choose_output, record_output
from .writers import check_output_path

__all__ = ["run_label", "run_label_cluster", "default_jobs"]

#: below this many bytes of input, worker processes cost more than they save
PARALLEL_MIN_BYTES = 4 << 20
#: the same for a model with sentence embeddings, a hundred times slower a passage
PARALLEL_MIN_BYTES_EMBEDDING = 128 << 10


def default_jobs(inputs: list[str], embedding: bool = False) -> int:
    """All cores for big file inputs (smaller ones already for a model with sentence
    embeddings); one process for small inputs and stdin."""
    try:
        size = sum(os.path.getsize(n) for n in inputs if n != "-")
    except OSError:
        return 1
    if "-" in inputs or size < (PARALLEL_MIN_BYTES_EMBEDDING if embedding else PARALLEL_MIN_BYTES):
        return 1
    return usable_cores()


def _progress(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit=" passages", unit_scale=True, dynamic_ncols=True, mininterval=0.5)


def run_label(
    inputs,
    output="-",
    model_dir=None,
    fmt=None,
    input_format="auto",
    explain=False,
    encoding="auto",
    encoding_errors="strict",
    jobs=None,
    progress=False,
    skip=None,
    scheduler=None,
    block_mb: float = 32.0,
    columns=None,
    start_method: str | None = None,
) -> LabelStats:
    """Label every passage of ``inputs`` into ``output``; returns counts for the caller.

    With a :class:`~trendscore.readers.SkipLog` as ``skip``, bad lines are counted there and
    passed over instead of stopping the job. With ``scheduler`` the labelling runs on a Dask
    cluster (see :func:`run_label_cluster`)."""
    from .model import load_model

    kind = choose_output(output, fmt, "label")
    fmt = kind.fmt
    if scheduler:
        if kind.gzip:
            raise InputError("--scheduler writes plain JSON Lines; give -o FILE.jsonl")
        if columns is not None and not columns.is_default():
            raise InputError("--text-column, --date-column and --id-column are not read with --scheduler")
        return LabelStats(records=run_label_cluster(inputs, output, model_dir, fmt, scheduler, block_mb, skip))
    check_output_path(output, inputs)
    model = load_model(model_dir)  # fails early, in this process, on a bad model
    jobs = jobs or default_jobs(inputs, embedding=bool(model.featurizer.config.embedding))
    stats = LabelStats()
    bar = _progress(progress)
    try:
        if jobs == 1:
            records = iter_input_records(inputs, input_format, encoding, encoding_errors, skip, columns)
            with record_output(output, kind, model.themes) as (_, writer):
                for record in label_records(model, records, explain=explain, stats=stats):
                    writer.write(record)
                    if bar is not None:
                        bar.update(1)
            return stats
        from .parallel import CHUNK, EMBEDDING_CHUNK, labelled_chunks

        themes = model.themes
        size = EMBEDDING_CHUNK if model.featurizer.config.embedding else CHUNK
        as_text = fmt == "jsonl"
        with record_output(output, kind, themes) as (fh, writer):
            done = 0
            for chunk in labelled_chunks(
                inputs,
                model,
                jobs,
                explain,
                as_text,
                input_format,
                encoding,
                encoding_errors,
                stats,
                skip,
                size,
                columns=columns,
                start_method=start_method,
                model_dir=model_dir,
            ):
                if as_text:
                    fh.write(chunk)
                else:
                    for record in chunk:
                        writer.write(record)
                if bar is not None:
                    bar.update(stats.records - done)
                    done = stats.records
        return stats
    finally:
        if bar is not None:
            bar.close()


def run_label_cluster(inputs, output, model_dir, fmt, scheduler: str, block_mb: float, skip=None) -> int:
    """The ``label`` job on a Dask cluster; returns the number of passages labelled."""
    from .dask import check_inputs, connect, label_files

    if output == "-" or fmt != "jsonl" or not inputs or "-" in inputs:
        raise InputError("--scheduler needs input files, -o OUT and jsonl output")
    check_inputs(list(inputs))
    with connect(scheduler) as client:
        return label_files(client, list(inputs), output, model_dir, block_bytes=int(block_mb * (1 << 20)), skip=skip)
