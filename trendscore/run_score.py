"""The ``score`` job end to end: read inputs, score, write the table/plot/report."""

from __future__ import annotations

import datetime as dt

from .errors import InputError
from .outputs import choose_output
from .readers import read_records
from .render import render_score
from .scoring import Examples, score_stream
from .writers import AtomicOutput, check_output_path

__all__ = ["run_score"]


def _as_of(value: str | None):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--as-of {value!r} is not a date of the form YYYY-MM-DD") from None


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
) -> dict:
    """Run one scoring job; returns the score and warnings for the caller to show, and with
    ``state_path`` the calls that changed since the run that last wrote it (``changes``; the
    file then holds this run's calls).

    With ``scheduler`` (``tcp://host:port`` or ``local:N``) the counting runs on a Dask
    cluster; the result is the same."""
    from .model import load_model

    for path, flag, kinds, what in (
        (plot_path, "--plot", (".png",), "a PNG image"),
        (report_path, "--report", (".html", ".htm"), "an HTML page"),
    ):
        if path is not None and not path.lower().endswith(kinds):
            raise InputError(f"{flag} writes {what}; name a {kinds[0]} file", path)
    if plot_path or report_path:
        from .extras import require

        require("plot", "score --plot and --report (the report shows the plot)")  # before any work
    as_of_date = _as_of(as_of)
    kind = choose_output("-" if output is None else output, fmt, "score")  # None: no table (--alert)
    if kind.gzip:
        raise InputError("score output is not written gzip-compressed; drop the .gz", output)
    fmt = kind.fmt
    for path in [output, plot_path, report_path, state_path]:
        if path is not None:
            check_output_path(path, inputs)
    previous = None
    if state_path is not None:
        from .alerts import read_state

        previous = read_state(state_path, freq)  # a bad state file stops the run before any work

    def items():
        for name in inputs:
            yield from read_records(
                name, input_format, encoding, encoding_errors, require_text=False, skip=skip, columns=columns
            )

    from contextlib import ExitStack

    from .painter import Painter

    with ExitStack() as stack:
        # matplotlib loads in a second process while the records are read
        painter = stack.enter_context(Painter()) if plot_path or report_path else None
        stats: dict = {}
        examples = None
        if scheduler:
            from .dask import check_inputs, connect, score_files

            if inputs == ["-"]:
                raise InputError("--scheduler needs input files")
            if columns is not None and not columns.is_default():
                raise InputError("--text-column, --date-column and --id-column are not read with --scheduler")
            if by is not None:
                raise InputError("--by runs in one process: leave out --scheduler")
            check_inputs(inputs)
            with connect(scheduler) as client:
                result, stats["bad_dates"], stats["first_bad_date_at"] = score_files(
                    client,
                    inputs,
                    freq=freq,
                    as_of=as_of_date,
                    model_dir=model_dir,
                    block_bytes=int(block_mb * (1 << 20)),
                    skip=skip,
                    relabel=relabel,
                )
        else:
            examples = Examples(freq) if report_path else None
            result = score_stream(
                items(),
                lambda: load_model(model_dir),
                freq=freq,
                as_of=as_of_date,
                relabel=relabel,
                examples=examples,
                stats=stats,
                skip=skip,
                by=by,
            )
        warnings = []
        if stats.get("bad_dates"):
            where, line, value = stats["first_bad_date_at"]
            warnings.append(
                f"{stats['bad_dates']} passages have dates that do not parse and were counted as undated "
                f"(first: {where}:{line}: {value})"
            )
        if output is not None:  # None: no ranking written (score --alert prints the changes instead)
            with AtomicOutput(output) as fh:
                fh.write(render_score(result, fmt))
        if plot_path or report_path:
            from .report import write_plot, write_report

            png = painter.draw(result, lang) if result.series else None  # drawn once for both outputs
            if plot_path:
                write_plot(result, plot_path, png, lang)
            if report_path:
                write_report(result, report_path, examples, png, lang)
    changes = None
    if state_path is not None:
        from .alerts import call_changes, write_state

        changes = call_changes(previous, result)
        write_state(state_path, result)
    return {"score": result, "warnings": warnings, "changes": changes, "previous": previous}
