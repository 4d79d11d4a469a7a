"""The ``label`` job end to end: inputs to labelled output, one process or several."""

from __future__ import annotations

import os

from trendscore.io.outputs import choose_output, record_output, utf8_bytes_writer
from trendscore.io.writers import check_output_path
from trendscore.run.forking import usable_cores
from trendscore.run.job import LabelResult

__all__ = ["run_label", "default_jobs"]

#: below this many bytes of input, worker processes cost more than they save (measured with
#: benchmarks/jobs_crossover.py on a quiet 2-core machine: 2 workers win from 1 MB on, for
#: headlines and for long passages; see BENCHMARKS.md)
PARALLEL_MIN_BYTES = 1 << 20
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
    skip=None,
    scheduler=None,
    block_mb: float = 32.0,
    columns=None,
    start_method: str | None = None,
    output_dir: str | None = None,
) -> LabelResult:
    """Label every passage of ``inputs`` (files, directories of them, ``-`` for stdin) into
    ``output``; returns a :class:`~trendscore.run.job.LabelResult`.

    The job runs in this process, in ``jobs`` worker processes (default: by the input's size),
    or with ``scheduler`` (``tcp://host:port`` or ``local:N``) on a Dask cluster, never with both
    given; the output is the same. With a
    :class:`~trendscore.io.readers.SkipLog` as ``skip``, bad lines are counted there and passed
    over instead of stopping the job. With ``output_dir`` the labelled passages are written
    there instead, as Parquet parts (one per chunk, by the process that labelled it), and
    ``_SUCCESS`` once all are written."""
    from contextlib import ExitStack

    from trendscore.io.rows import written_fields
    from trendscore.modeling.model import load_model
    from trendscore.run.chunks import Work
    from trendscore.run.job import check_workers, read_settings, run_label_job
    from trendscore.run.reading import expand_inputs

    check_workers(jobs, scheduler)
    inputs = expand_inputs(list(inputs))
    if output_dir is None:
        kind = choose_output(output, fmt, "label")
        check_output_path(output, inputs)
    else:
        kind = _parts_output(output, fmt, output_dir)
    model = load_model(model_dir)  # fails early, in this process, on a bad model
    as_text = kind.fmt == "jsonl"
    read = read_settings(input_format, encoding, encoding_errors, skip, columns)
    table = "Parquet" if output_dir is not None else {"csv": "CSV", "parquet": "Parquet"}.get(kind.fmt)
    where = None if model_dir is None else str(model_dir)
    written = written_fields(explain, bool(model.provisional))
    types = None
    if table == "Parquet":  # the named Parquet inputs' own types, joined over them all
        from trendscore.io.parquet import declared_types

        declared = declared_types(inputs, read.columns.renames, written)
        types = None if declared is None else tuple(declared.items())
    work = Work(model_dir=where, read=read, explain=explain, as_text=as_text, table=table, types=types)
    with ExitStack() as stack:
        # the output is entered first, so it is committed last, after the back-end has stopped:
        # a Ctrl-C while a cluster's client closed had ended the job "interrupted" (exit 130)
        # with its output in place
        if output_dir is not None:
            from dataclasses import replace

            from trendscore.run.parts import output_directory

            work = replace(work, output_dir=stack.enter_context(output_directory(output_dir, inputs)))
            fh = writer = None
        else:
            fh, writer = stack.enter_context(record_output(output, kind, model.themes, written))
        backend, cut = _backend(stack, inputs, model, jobs, scheduler, start_method, block_mb)
        write_bytes = utf8_bytes_writer(fh) if writer is not None and as_text else None

        def write(out, places=None, types=None) -> None:
            if writer is None:
                return
            if write_bytes is not None:  # JSON Lines, already encoded by the chunk function
                write_bytes(out)
            elif places is not None:  # Parquet: an error about a record names where it was read
                writer.add_types(types)  # and a Parquet input's own fields keep their types
                for record, where in zip(out, places):
                    writer.write(record, where)
            else:
                for record in out:
                    writer.write(record)

        result = run_label_job(inputs, model, work, backend, write, skip, cut)
    if skip is not None:
        result.skipped, result.first_skipped = skip.count, list(skip.first)
    return result


def _parts_output(output, fmt, output_dir):
    from trendscore.errors import InputError
    from trendscore.io.outputs import OutputKind
    from trendscore.io.parquet import require_pyarrow

    if output != "-":
        raise InputError("give an output file or an output directory, not both", output_dir)
    if fmt not in (None, "parquet"):
        raise InputError(f"an output directory holds Parquet parts, not {fmt}", output_dir)
    require_pyarrow(output_dir)
    return OutputKind("parquet")


def _backend(stack, inputs, model, jobs, scheduler, start_method, block_mb):
    """The back-end for the options given, and the byte-range size its workers read (None:
    this process reads everything)."""
    from trendscore.run.backends import Cluster, InProcess, Processes

    if scheduler:
        from trendscore.integrations.dask import connect

        client = stack.enter_context(connect(scheduler))
        return Cluster(client), int(block_mb * (1 << 20))
    jobs = jobs or default_jobs(inputs, embedding=bool(model.featurizer.config.embedding))
    if jobs == 1:
        return InProcess(), None
    return Processes(jobs, start_method), "auto"
