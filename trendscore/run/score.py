"""The ``score`` job end to end: read inputs, score, write the table/plot/report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from trendscore.errors import InputError
from trendscore.io.atomic import check_distinct_outputs
from trendscore.io.outputs import choose_output
from trendscore.io.writers import AtomicOutput, check_output_path
from trendscore.trends.momentum import Score, as_of_day, as_of_problem
from trendscore.trends.render import render_score
from trendscore.trends.scoring import Examples, accumulate, score_tally
from trendscore.wording import counted, plural

__all__ = ["run_score", "ScoreResult"]


def _as_of(value: str | None):
    """The job's as-of date, read as the momentum maths read it (:func:`as_of_day`)."""
    if value is None:
        return None
    try:
        return dt.date.fromordinal(as_of_day(value))
    except InputError:
        raise InputError(f"the as-of date {value!r} {as_of_problem(str(value))}") from None


def run_score(
    inputs,
    freq="week",
    as_of=None,
    model_dir=None,
    fmt=None,
    output="-",
    plot_path=None,
    report_path=None,
    relabel=False,
    input_format="auto",
    encoding="auto",
    encoding_errors="strict",
    skip=None,
    scheduler=None,
    block_mb: float = 32.0,
    columns=None,
    state_path=None,
    lang: str = "en",
    by: str | None = None,
    why: bool = False,
    jobs: int | None = None,
    alert_output: str | None = None,
) -> ScoreResult:
    """Run one scoring job; returns the score and warnings for the caller to show, and with
    ``state_path`` the calls that changed since the run that last wrote it (``changes``; the
    file then holds this run's calls). ``why``: the table spells out what is behind each call.

    With ``scheduler`` (``tcp://host:port`` or ``local:N``) the counting runs on a Dask
    cluster, and with ``jobs`` above 1 in that many worker processes (default: one process);
    the result is the same. ``jobs`` and ``scheduler`` are not given together.

    ``alert_output`` (with ``state_path``; ``-`` for standard output) gets the changes as one
    line of JSON (:func:`~trendscore.trends.alerts.alert_report`), written before the state
    file is replaced: an alert that cannot be delivered (a full disk, a closed pipe) leaves the
    last run's state, so the next run reports the changes again instead of never. Runs that
    share ``state_path`` take turns from their comparison with it to its replacement
    (:func:`~trendscore.trends.alerts.holding_state`): one that overlaps another compares with
    the calls the other saved, so a change is reported once."""
    from trendscore.run.job import check_workers
    from trendscore.run.reading import expand_inputs

    check_workers(jobs, scheduler)
    jobs = 1 if jobs is None else jobs
    inputs = expand_inputs(list(inputs))
    for path, shown, kinds, what in (
        (plot_path, "the plot", (".png",), "a PNG image"),
        (report_path, "the report", (".html", ".htm"), "an HTML page"),
    ):
        if path is not None and not path.lower().endswith(kinds):
            raise InputError(f"{shown} is {what}; name a {kinds[0]} file", path)
    if plot_path or report_path:
        from trendscore.extras import require

        require("plot", "the plot and the report of a score (the report shows the plot)")  # before any work
    as_of_date = _as_of(as_of)
    kind = choose_output("-" if output is None else output, fmt, "score")  # None: no table (--alert)
    fmt = kind.fmt
    for path in [output, plot_path, report_path, state_path, alert_output if state_path else None]:
        if path is not None:
            check_output_path(path, inputs)
    check_distinct_outputs(
        {"the score": output, "the plot": plot_path, "the report": report_path, "the state": state_path}
    )
    previous = None
    if state_path is not None:
        from trendscore.trends.alerts import read_state

        previous = read_state(state_path, freq)  # a bad state file stops the run before any work

    from contextlib import ExitStack

    from trendscore.trends.scoring import ScoreSettings

    settings = ScoreSettings(freq=freq, as_of=as_of_date, relabel=relabel, by=by, columns=columns)
    # the state file's lock, held from the comparison with the last run's calls until this
    # run's calls replace them: an overlapping run sharing the file waits, then compares with them
    with ExitStack() as held:
        tally, examples = _count(
            inputs, settings, model_dir, input_format, encoding, encoding_errors, skip, columns,
            scheduler, block_mb, bool(report_path), jobs,
        )
        result = score_tally(tally, settings)
        if state_path is not None:
            from trendscore.trends.alerts import check_state_order, holding_state, read_state

            held.enter_context(holding_state(state_path))
            previous = read_state(state_path, freq)  # as the last run left it, which may have ended meanwhile
            check_state_order(previous, result, state_path)  # before any output is written
        warnings = []
        if tally.bad_dates:
            where, line, value = tally.first_bad_date_at
            warnings.append(
                f"{counted(tally.bad_dates, 'passage')} "
                f"{plural(tally.bad_dates, 'has a date that does', 'have dates that do')} not parse and "
                f"{plural(tally.bad_dates, 'was', 'were')} counted as undated "
                f"(first: {where}:{line}: {value})"
            )
        if output is not None:  # None: no ranking written (score --alert prints the changes instead)
            with AtomicOutput(output) as fh:
                fh.write(render_score(result, fmt, why))
        if plot_path or report_path:
            from trendscore.trends.report import plot_png, write_plot, write_report

            # drawn once for both outputs
            png = plot_png(result, lang) if result.series else None
            if plot_path:
                write_plot(result, plot_path, png, lang)
            if report_path:
                write_report(result, report_path, examples, png, lang)
        changes = None
        if state_path is not None:
            from trendscore.trends.alerts import call_changes, write_state

            changes = call_changes(previous, result)
            if alert_output is not None:
                import json

                from trendscore.trends.alerts import alert_report

                with AtomicOutput(alert_output) as fh:
                    fh.write(json.dumps(alert_report(result, previous, changes), ensure_ascii=False) + "\n")
            write_state(state_path, result)
    return ScoreResult(result, warnings, changes, previous)


@dataclass
class ScoreResult:
    """What a score job gives its caller: the score, warnings to show, and with a state file
    the calls that changed since the run that last wrote it (``changes``) and that run's
    calls (``previous``)."""

    score: Score
    warnings: list[str] = field(default_factory=list)
    changes: list | None = None
    previous: dict | None = None


def _count(
    inputs, settings, model_dir, input_format, encoding, encoding_errors, skip, columns, scheduler, block_mb,
    examples: bool, jobs: int = 1,
):
    """The merged counts of every input (and the report's examples), in this process, in
    worker processes or on a cluster."""
    from trendscore.modeling.model import load_model
    from trendscore.run.job import read_settings

    read = read_settings(input_format, encoding, encoding_errors, skip, columns, require_text=False)
    if not scheduler and jobs <= 1:  # one stream through one accumulator (a breakdown by group needs that)
        from trendscore import progress
        from trendscore.io.readers import Repeats, read_records
        from trendscore.run.tracking import JobProgress

        tracking = JobProgress("scoring", inputs)

        def items():
            repeats = Repeats()  # as the chunks of a job are read (trendscore.run.reading)
            for n, name in enumerate(inputs):
                yield from read_records(
                    name, input_format, encoding, encoding_errors, False, skip, read.columns, repeats,
                    tracking.reading(n),
                )

        found = Examples(settings.freq) if examples else None
        with progress.muted():  # the job reports for the model's labelling of each batch
            tally = accumulate(items(), lambda: load_model(model_dir), settings, found, skip)
        tracking.finish()
        return tally, found
    from trendscore.run.backends import Cluster, Processes
    from trendscore.run.chunks import Work
    from trendscore.run.job import check_backend, score_counts

    check_backend("score", _NotInProcess if scheduler else Processes(jobs), settings.by)  # before any work
    work = Work(
        model_dir=None if model_dir is None else str(model_dir),
        read=read,
        relabel=settings.relabel,
        freq=settings.freq,
        as_of=settings.as_of,
        examples=examples,
    )
    if scheduler:
        from trendscore.integrations.dask import connect

        # the client closes before anything is written: a Ctrl-C while it closed had ended the
        # run "interrupted" (exit 130) with its ranking written and its state file not
        with connect(scheduler) as client:
            tally, found = score_counts(inputs, work, Cluster(client), skip, int(block_mb * (1 << 20)))
    else:  # the model loaded once here when every passage needs it, so forked workers share it
        model = load_model(model_dir) if settings.relabel else None
        tally, found = score_counts(inputs, work, Processes(jobs), skip, "auto", model)
    if tally.acc.by_model:  # the workers labelled some passages: name their model as one process does
        tally.model = load_model(model_dir)
    return tally, found


class _NotInProcess:
    name = "a cluster"
