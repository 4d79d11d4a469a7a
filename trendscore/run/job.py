"""One runner for the label and score jobs: reader -> chunks -> chunk function -> ordered
merge -> writer, whatever the back-end.

:func:`run_label_job` and :func:`score_counts` read with :func:`~trendscore.run.reading.read_chunks`,
hand the chunks to a back-end (:mod:`trendscore.run.backends`), and merge the results in
input order with :class:`Merge`, which turns a chunk's error or skipped lines into the
message one process would give (absolute line numbers, the first error in input order).
What a back-end cannot do is refused in :func:`check_backend`, the one place for it, and
worker processes asked for with a cluster in :func:`check_workers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trendscore import progress
from trendscore.errors import Hint, InputError
from trendscore.io.readers import SkipLog
from trendscore.run.chunks import ChunkResult, Work, WorkerState, label_chunk, score_chunk
from trendscore.run.collector import fewer_collections
from trendscore.run.reading import ReadSettings, read_chunks
from trendscore.run.tracking import JobProgress
from trendscore.wording import counted, plural

__all__ = [
    "LabelResult",
    "Merge",
    "check_backend",
    "check_workers",
    "run_label_job",
    "score_counts",
    "CHUNK",
    "EMBEDDING_CHUNK",
]

#: passages (lines or records) a chunk read in this process
CHUNK = 2048
#: the same for a model with sentence embeddings (each passage costs milliseconds): small
#: chunks spread even a short input over every worker
EMBEDDING_CHUNK = 64
#: the bounds of a byte range a worker reads itself
MIN_CUT_BYTES = 16 << 10
MAX_CUT_BYTES = 32 << 20
#: the ranges at a file's end are this many times smaller
TAIL_DIVISOR = 4


@dataclass
class LabelResult:
    """What a label job did: passages labelled, those blank (no themes), those whose own
    ``labels`` were kept as ``labels_input``, lines skipped as bad (their count and first
    messages), and where it ran."""

    records: int = 0
    blank: int = 0
    kept_labels: int = 0
    skipped: int = 0
    first_skipped: list[str] = field(default_factory=list)
    backend: str = "one process"

    def notes(self) -> list[str]:
        """What the user is told of the job besides warnings: passages whose own labels moved."""
        if not self.kept_labels:
            return []
        return [
            f"{self.kept_labels} of {counted(self.records, 'passage')} had a 'labels' field of "
            f"{plural(self.kept_labels, 'its', 'their')} own: "
            "it is kept as 'labels_input', and 'labels' holds the model's"
        ]


class Merge:
    """Chunk results taken in input order: raises a chunk's error as one process would name
    it, counts skipped lines into ``skip``, and refuses an input without passages."""

    def __init__(self, skip: SkipLog | None):
        self.skip = skip
        self.counts: dict[str, int] = {}
        self.lines: dict[str, int] = {}  # lines of the byte ranges of each file taken so far
        self.base = 0

    def at(self, line: int | None, relative: bool) -> int | None:
        """The absolute number of a line of the chunk taken last."""
        return line if line is None or not relative else self.base + line

    def places(self, result: ChunkResult) -> list | None:
        """``(path, line)`` of each record of a label chunk's output (``result.places``), the
        lines numbered in the whole input; may be asked before :meth:`take` takes the chunk."""
        if result.places is None or not result.relative:
            return result.places
        base = self.lines.get(result.name, 0)
        return [(path, None if line is None else base + line) for path, line in result.places]

    def take(self, result: ChunkResult) -> ChunkResult:
        """Account for the next chunk's result in input order: its error raised with its line
        in the whole input, its skipped lines logged."""
        name = result.name
        self.base = self.lines.get(name, 0) if result.relative else 0
        if result.error is not None:
            message, path, line, hint = result.error
            error = InputError(message, path, self.at(line, result.relative))
            error.hint = hint  # the advice one process gives with it
            raise error
        if self.skip is not None:
            messages = [
                str(InputError(m, p, self.at(n, result.relative))) if p else m for m, p, n in result.first_skips
            ]
            self.skip.merge(result.skipped, messages)
        if result.relative:
            self.lines[name] = self.base + result.lines
        self.counts[name] = self.counts.get(name, 0) + result.records
        if result.last and self.counts[name] == 0:
            raise InputError("empty input: no passages found", name)
        return result


def check_backend(command: str, backend, by: str | None = None) -> None:
    """The one place where a job refuses what its back-end cannot do."""
    if command == "score" and by is not None and backend.name != "one process":
        several = hasattr(backend, "jobs")  # worker processes, else a cluster
        where = "in several" if several else "on a cluster"
        error = InputError(f"a breakdown by group is scored in one process, not {where}")
        error.hint = Hint("{setting} 1", "jobs") if several else Hint("without {setting}", "scheduler")
        raise error


def check_workers(jobs: int | None, scheduler: str | None) -> None:
    """Refuse worker processes (``jobs``, None when not asked for) asked for together with a
    cluster (``scheduler``): the cluster's workers do the work, and ``jobs`` would be ignored."""
    if jobs is not None and scheduler:
        error = InputError(
            f"worker processes ({jobs}) and a Dask cluster were both asked for; a cluster runs the job on "
            "its own workers (local:N starts N of them)"
        )
        error.hint = Hint("without {setting}", "jobs")
        raise error


def _cut_size(inputs: list[str], chunk: int, jobs: int) -> int:
    """Bytes a range: about ``chunk`` lines of the inputs' size, and small enough that a short
    input still gives every worker several ranges."""
    import os

    try:
        total = sum(os.path.getsize(n) for n in inputs if n != "-")
    except OSError:
        total = 0
    by_jobs = total // max(4 * jobs, 1)
    return int(min(max(min(chunk * 256, by_jobs), MIN_CUT_BYTES), MAX_CUT_BYTES))


def run_label_job(inputs, model, work: Work, backend, writer, skip: SkipLog | None, cut=None):
    """Label ``inputs`` on ``backend``; ``writer(out)`` takes each chunk's output in order,
    ``writer(out, places, types)`` when the chunk says where each of its records was read
    (Parquet output: :meth:`Merge.places`, and the types of a Parquet input's own fields or
    None: :attr:`~trendscore.run.chunks.ChunkResult.types`); how far it has got is reported as the chunks finish
    (:class:`~trendscore.run.tracking.JobProgress`).
    ``cut`` (bytes), given for a back-end of several workers, lets them read byte ranges of
    plain JSON Lines files themselves, and cuts what this process reads in chunks that grow
    from small ones (see :mod:`trendscore.run.reading`), so that a short input is spread too."""
    check_backend("label", backend)
    size = EMBEDDING_CHUNK if model.featurizer.config.embedding else CHUNK
    tail = None
    if cut == "auto":
        cut = _cut_size(inputs, size, getattr(backend, "jobs", 1))
        tail = max(cut // TAIL_DIVISOR, MIN_CUT_BYTES)  # the last ranges small: workers end together
    tracking = JobProgress("labelling", inputs)
    read = read_chunks(inputs, work.read, skip, size, cut, tail, spread=cut is not None, sizes=tracking.sizes)
    chunks = tracking.chunks(read)
    merge = Merge(skip)
    result = LabelResult(backend=backend.name)
    state = WorkerState(model, work)
    with fewer_collections(), progress.muted():
        for done in backend.map(label_chunk, chunks, state, what="labelling worker"):
            places = merge.places(done)
            chunk_out = (done.out,) if places is None else (done.out, places, done.types)
            if done.error is not None:  # a stream gets the passages before the bad line, then the error
                writer(*chunk_out)
            merge.take(done)
            writer(*chunk_out)
            result.records += done.records
            result.blank += done.blank
            result.kept_labels += done.kept_labels
            tracking.done(done.records)
    tracking.finish()
    return result


def score_counts(inputs, work: Work, backend, skip: SkipLog | None, cut=None, model=None):
    """The merged :class:`~trendscore.trends.scoring.Tally` (and Examples, with ``work.examples``)
    of ``inputs`` counted on ``backend``; ``cut`` as for :func:`run_label_job`; ``model``, when
    already loaded, is what forked workers label with (else each loads it when a chunk needs it)."""
    from trendscore.trends.scoring import Examples, TallyMerge

    check_backend("score", backend)
    merge = Merge(skip)
    tallies = TallyMerge()
    examples = Examples(work.freq) if work.examples else None
    state = WorkerState(model, work)
    if cut == "auto":
        cut = _cut_size(inputs, CHUNK, getattr(backend, "jobs", 1))
    tracking = JobProgress("scoring", inputs)
    read = read_chunks(inputs, work.read, skip, CHUNK, cut, spread=cut is not None, sizes=tracking.sizes)
    chunks = tracking.chunks(read)
    with fewer_collections(), progress.muted():
        for done in backend.map(score_chunk, chunks, state, "scoring worker"):
            if done.error is not None:  # the limit passed before the chunk's error, with the chunks before it?
                limit = tallies.limit_before_error(done.themes_met)
                if limit is not None:
                    done.error = (*limit, None)
            merge.take(done)
            tally, part = done.out

            def place(where, line, done=done):
                return where, merge.at(line, done.relative and where == done.name)

            tallies.add(tally, done.name, place)
            if examples is not None and part is not None:
                examples.merge(part)
            tracking.done(done.records)
    tracking.finish()
    total = tallies.total
    assert total is not None  # every input gives a chunk
    return total, examples


def read_settings(input_format, encoding, encoding_errors, skip, columns, require_text=True) -> ReadSettings:
    """The job's :class:`ReadSettings` from the options given."""
    from trendscore.io.columns import Columns
    from trendscore.io.readers import max_line_bytes

    return ReadSettings(
        input_format, encoding, encoding_errors, skip is not None, columns or Columns(), require_text, max_line_bytes()
    )
