"""The ``trendscore`` command: parses options, calls the library, maps errors to exit codes."""

from __future__ import annotations

import contextlib
import json
import sys

import click

from trendscore import __version__
from trendscore.errors import TrendscoreError, one_line, quoted
from trendscore.wording import counted, plural

#: the option that sets each library setting an error's hint may name
_OPTIONS = {
    "jobs": "--jobs",
    "scheduler": "--scheduler",
    "block_mb": "--block-mb",
    "encoding": "--encoding",
    "encoding_errors": "--encoding-errors",
    "output_format": "--format",
    "min_df": "--min-df",
    "seed_paths": "--seeds",
    "registry": "--registry",
    "text_column": "--text-column",
    "date_column": "--date-column",
    "id_column": "--id-column",
    "force": "--force",
    "themes": "--themes",
    "as_of": "--as-of",
}


class _Terminated(BaseException):
    """SIGTERM (a service stop, ``timeout``, ``kill``) raised in the main thread, so that what
    Ctrl-C cleans up (``.part`` files, an ``--output-dir``, worker processes) is cleaned up too."""


def _on_sigterm(signum, frame):
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the cleanup at once
    raise _Terminated()


#: the exit status of a command whose standard output's reader went away: a shell tool killed
#: by SIGPIPE gives 128 + 13, which ``set -o pipefail`` passes on
_BROKEN_PIPE_EXIT = 141


class _Heard:
    """The callback of ``--help`` or ``--version``, refused when standard output is closed
    (``>&-``), as the commands that print are refused: click printed to nowhere and exited 0.
    Only the option itself calls it, so an option's value that reads ``-h`` (``-o -h``, a file
    so named) and a word after ``--`` are left as they were."""

    def __init__(self, callback):
        self.callback = callback

    def __call__(self, ctx, param, value):
        if value and not ctx.resilient_parsing and sys.stdout is None:
            click.echo("Error: -: standard output is closed: there is nowhere to print to", err=True)
            ctx.exit(2)
        return self.callback(ctx, param, value)


class _RefusesHelpUnheard:
    """A command or group whose ``--help`` (and ``--version``, the program's) is :class:`_Heard`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:  # type: ignore[attr-defined]
            if isinstance(param, click.Option) and param.is_eager and "--version" in param.opts and param.callback:
                param.callback = _Heard(param.callback)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None and option.callback is not None and not isinstance(option.callback, _Heard):
            option.callback = _Heard(option.callback)
        return option


class _Command(_RefusesHelpUnheard, click.Command):
    """A command; ``prints``: it writes its results to standard output (True), or does when the
    function it names says so of its parameters, and is then refused before any work when
    standard output is closed (``>&-``), as ``label`` and ``score`` are refused for ``-o -``."""

    def __init__(self, *args, prints=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.prints = prints

    def invoke(self, ctx):
        if self.prints is True or (callable(self.prints) and self.prints(ctx.params)):
            from trendscore.io.atomic import check_standard_output

            check_standard_output()
        return super().invoke(ctx)


class _SubGroup(_RefusesHelpUnheard, click.Group):
    """A group under ``trendscore`` (``models``, ``seeds``, ``themes``) whose commands are :class:`_Command`."""

    command_class = _Command


class _Group(_RefusesHelpUnheard, click.Group):
    command_class = _Command
    group_class = _SubGroup

    def invoke(self, ctx):
        import signal
        import threading

        # not where a caller chose otherwise, nor off the main thread (where none can be set)
        main_thread = threading.current_thread() is threading.main_thread()
        handle = main_thread and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        if handle:
            signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return self._invoke(ctx)
        finally:
            if handle:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def _invoke(self, ctx):
        try:
            if sys.stdout is not None:  # closed: refused by the commands that write there
                from trendscore.io.atomic import standard_output

                standard_output()  # UTF-8 whatever the locale, as files are
            return super().invoke(ctx)
        except TrendscoreError as exc:
            message = str(exc)
            if exc.hint is not None:
                message += f"; try {exc.hint.render(_OPTIONS)}"
            click.echo(f"Error: {one_line(message)}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # the reader of standard output has gone (`| head -1`): stop as shell tools do
            from trendscore.io.atomic import discard_standard_output

            discard_standard_output()
            ctx.exit(_BROKEN_PIPE_EXIT)
        except OSError as exc:  # an I/O failure no module turned into its own message
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"Error: {one_line(where + (exc.strerror or str(exc)))}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            ctx.exit(130)
        except _Terminated:
            click.echo("Error: terminated", err=True)
            ctx.exit(143)


class _Bars:
    """Draws the library's progress reports (:mod:`trendscore.progress`) as tqdm bars on
    stderr, one per stage (a stage reported while another runs, such as labelling inside a
    cross-validation fold, gets a bar below it that goes when done), once the command has run
    for ``TRENDSCORE_PROGRESS_DELAY`` seconds (2 by default), so quick commands print nothing."""

    def __init__(self):
        import os
        import time

        self.clock = time.monotonic
        self.start = self.clock()
        try:
            self.delay = float(os.environ.get("TRENDSCORE_PROGRESS_DELAY", "2"))
        except ValueError:
            self.delay = 2.0
        self.stack: list[list] = []  # [stage, tqdm bar or None until drawn], outermost first

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        names = [entry[0] for entry in self.stack]
        if stage in names:
            while self.stack[-1][0] != stage:  # stages inside this one are over
                self._pop()
        else:
            self.stack.append([stage, None])
        entry = self.stack[-1]
        if entry[1] is None:
            if self.clock() - self.start < self.delay:
                if total is not None and done >= total:
                    self.stack.pop()
                return
            from tqdm import tqdm

            from trendscore.progress import BYTE_STAGES

            depth = len(self.stack) - 1
            sizes = {"unit": "B", "unit_scale": True, "unit_divisor": 1024} if stage in BYTE_STAGES else {}
            entry[1] = tqdm(
                desc=stage, total=total, initial=done, file=sys.stderr, dynamic_ncols=True, position=depth,
                leave=depth == 0, **sizes,
            )
        bar = entry[1]
        if total != bar.total:
            bar.total = total
        bar.update(done - bar.n)
        if total is not None and done >= total:
            self._pop()

    def _pop(self) -> None:
        _, bar = self.stack.pop()
        if bar is not None:
            bar.close()

    def close(self) -> None:
        while self.stack:
            self._pop()


@contextlib.contextmanager
def _progress(quiet: bool = False):
    """A block within which the library's progress reaches the terminal (stderr a TTY, not --quiet)."""
    from trendscore.progress import reporting

    bars = _Bars() if not quiet and sys.stderr.isatty() else None
    try:
        with reporting(bars):
            yield
    finally:
        if bars is not None:
            bars.close()


class _Number(click.FloatRange):
    """A number option within a range that also refuses NaN, which passes every comparison of
    click's own range (``--C nan`` had ended in a scikit-learn traceback, ``--tolerance nan``
    promoted any challenger), and infinity unless ``infinite`` allows it (a budget or a block
    without end)."""

    def __init__(self, *args, infinite: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.infinite = infinite

    def convert(self, value, param, ctx):
        import math

        number = super().convert(value, param, ctx)
        if math.isnan(number) or (math.isinf(number) and not self.infinite):
            self.fail(f"{number} is not a finite number.", param, ctx)
        return number

    def _describe_range(self) -> str:
        # unbounded, click would show 'x<=None' in the help
        return "" if self.min is None and self.max is None else super()._describe_range()


_quiet_opt = click.option("--quiet", "-q", is_flag=True, help="No progress bars (they show only at a terminal).")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trendscore")
def main():
    """Label micro-short-drama news by theme and score theme momentum."""


def _note_shadowing(ctx, param, value):
    from trendscore.modeling.catalogue import shadowing_folder

    if shadowing_folder(value) is not None:
        note = f"--model {value} is the bundled model; the folder {value} here is not used (write ./{value})"
        click.echo(f"Note: {note}", err=True)
    return value


def _resolve_model(ctx, param, value):
    from trendscore.modeling.registry import resolve_model

    value = _note_shadowing(ctx, param, value)
    return None if value is None else str(resolve_model(value))  # a registry: its champion's directory


_model_opt = click.option(
    "--model",
    "model_dir",
    default=None,
    callback=_resolve_model,
    help="Model directory, registry or bundled name: default, accurate, thorough (default: default).",
)
#: the same option for commands that act on a registry itself, not on its champion
_model_ref_opt = click.option(
    "--model",
    "model_dir",
    default=None,
    callback=_note_shadowing,
    help="Model directory, registry (gets a new champion version) or bundled name (default: default).",
)


def _input_options(command):
    """Options that `label` and `score` share: how inputs are read, and where the work runs."""
    options = [
        click.option(
            "--input-format",
            type=click.Choice(["auto", "digest", "jsonl", "csv", "text", "parquet"]),
            default="auto",
            show_default=True,
            help="auto: by extension, else by content (also for stdin and .gz/.bz2/.zst files).",
        ),
        click.option(
            "--encoding",
            default="auto",
            show_default=True,
            help="Input encoding (auto: BOM, UTF-8, UTF-16/32, GB18030/GBK or Big5; unclear ones are refused).",
        ),
        click.option("--text-column", default="text", show_default=True, help="CSV/Parquet/JSONL field with the text."),
        click.option("--date-column", default="date", show_default=True, help="Field with the date."),
        click.option("--id-column", default="id", show_default=True, help="Field with the id."),
        click.option(
            "--encoding-errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True
        ),
        click.option(
            "--skip-bad", is_flag=True, help="Pass over bad lines (counted and reported) instead of stopping."
        ),
        click.option(
            "--scheduler", default=None, help="Run on a Dask cluster: tcp://host:port, or local:N local workers."
        ),
        click.option(
            "--block-mb",
            default=32.0,
            show_default=True,
            type=_Number(min=0.001, infinite=True),
            help="With --scheduler: MB of input per task.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _report_skips(skip, good: int) -> None:
    if skip is not None:
        click.echo(f"{counted(good, 'good passage')}; skipped {counted(skip.count, 'bad line')}", err=True)
        for message in skip.first:
            click.echo(f"  skipped {message}", err=True)


@main.command()
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", default="-", show_default=True, help="Output file; written only when complete.")
@_model_opt
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "table", "parquet"]),
    default=None,
    help="Output format [default: from -o's extension (.jsonl, .jsonl.gz, .csv, .csv.gz, .parquet), else jsonl].",
)
@click.option("--explain", is_flag=True, help="Add the top terms behind each assigned theme.")
@click.option(
    "--output-dir",
    default=None,
    help="Write Parquet parts here instead (one a block, by the worker that labelled it; _SUCCESS when done).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=None,
    help="Worker processes (default: all cores for file inputs of 1 MB or more, else one); keeps order; "
    "not with --scheduler.",
)
@_quiet_opt
@_input_options
def label(
    inputs,
    output,
    model_dir,
    fmt,
    explain,
    output_dir,
    jobs,
    quiet,
    input_format,
    encoding,
    encoding_errors,
    text_column,
    date_column,
    id_column,
    skip_bad,
    scheduler,
    block_mb,
):
    """Label passages in INPUTS (files, or - for stdin; default stdin, when piped) by theme."""
    from trendscore.io.columns import Columns
    from trendscore.io.readers import SkipLog
    from trendscore.run.label import run_label
    from trendscore.run.reading import default_inputs

    skip = SkipLog() if skip_bad else None
    with _progress(quiet):
        stats = run_label(
            list(inputs) or default_inputs(),
            output,
            model_dir,
            fmt,
            input_format,
            explain,
            encoding,
            encoding_errors,
            jobs=jobs,
            skip=skip,
            scheduler=scheduler,
            block_mb=block_mb,
            columns=Columns(text_column, date_column, id_column),
            output_dir=output_dir,
        )
    if stats.blank:
        blank = f"{stats.blank} of {counted(stats.records, 'passage')} {plural(stats.blank, 'was', 'were')} blank"
        click.echo(f"Warning: {blank} and got no themes", err=True)
    for note in stats.notes():
        click.echo(f"Note: {note}", err=True)
    _report_skips(skip, stats.records)


@main.command()
@click.argument("inputs", nargs=-1)
@click.option("--freq", type=click.Choice(["day", "week", "month"]), default="week", show_default=True)
@click.option(
    "--as-of", "as_of", default=None, help="Last day scored, YYYY-MM-DD (default: the latest date in the input)."
)
@_model_opt
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default=None,
    help="Output format [default: from -o's extension (.json, .csv), else table].",
)
@click.option("-o", "--output", default="-", show_default=True, help="Write the table/json/csv here (atomically).")
@click.option("--plot", "plot_path", default=None, help="Write a PNG of theme shares over time.")
@click.option("--report", "report_path", default=None, help="Write a self-contained HTML report.")
@click.option("--relabel", is_flag=True, help="Label every record with the model, even those carrying labels.")
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Theme names in the plot and report (Chinese needs a CJK font for the plot).",
)
@click.option(
    "--by",
    type=click.Choice(["source", "lang", "place"]),
    default=None,
    help="Also score each outlet, language or named place apart, and say which calls one of them carries.",
)
@click.option(
    "--why",
    is_flag=True,
    help="In the table: every name and outlet behind each rising or falling call, with its counts "
    "(JSON always has them; CSV has the names and outlets).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=None,
    help="Worker processes that count (and label, where the model labels) [default: 1]; not with --by or --scheduler.",
)
@click.option("--state", "state_path", default=None, help="Remember this run's calls in FILE; compare with the last.")
@click.option(
    "--alert",
    is_flag=True,
    help="With --state: print the calls that changed since the last run as JSON (the ranking only with -o) "
    "and exit 3 when any did.",
)
@_quiet_opt
@_input_options
def score(
    inputs,
    jobs,
    quiet,
    why,
    by,
    lang,
    state_path,
    alert,
    freq,
    as_of,
    model_dir,
    fmt,
    output,
    plot_path,
    report_path,
    relabel,
    input_format,
    encoding,
    encoding_errors,
    text_column,
    date_column,
    id_column,
    skip_bad,
    scheduler,
    block_mb,
):
    """Score theme momentum over time in INPUTS (files, or - for stdin; default stdin, when piped)."""
    from trendscore.io.columns import Columns
    from trendscore.io.readers import SkipLog
    from trendscore.run.reading import default_inputs
    from trendscore.run.score import run_score

    if alert and not state_path:
        raise click.UsageError("--alert needs --state FILE")
    skip = SkipLog() if skip_bad else None
    with _progress(quiet):
        result = run_score(
            list(inputs) or default_inputs(),
            state_path=state_path,
            lang=lang,
            by=by,
            why=why,
            jobs=jobs,
            freq=freq,
            as_of=as_of,
            model_dir=model_dir,
            fmt=fmt,
            output=None if alert and output == "-" else output,
            alert_output="-" if alert else None,
            plot_path=plot_path,
            report_path=report_path,
            relabel=relabel,
            input_format=input_format,
            encoding=encoding,
            encoding_errors=encoding_errors,
            skip=skip,
            scheduler=scheduler,
            block_mb=block_mb,
            columns=Columns(text_column, date_column, id_column),
        )
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    _report_skips(skip, result.score.records["total"])
    if alert:
        from trendscore.trends.alerts import ALERT_EXIT

        if result.changes:
            sys.exit(ALERT_EXIT)


def _given(ctx) -> set[str]:
    """Names of the options the user gave (on the command line or through the environment)."""
    from click.core import ParameterSource

    return {
        name
        for name in ctx.params
        if ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    }


#: how ``train``'s help shows an option's default, from the estimator's defaults
_SHOWN = {
    "c": lambda d: f"{d['C']:g}",
    "char_ngrams": lambda d: f"{d['char_ngram_min']}-{d['char_ngram_max']}",
    "char_all": lambda d: "on" if d["char_all"] else "off",
    "style": lambda d: "on" if d["style"] else "off",
    "nb_weight": lambda d: f"{d['nb_weight']:g}",
    "embedding_weight": lambda d: f"{d['embedding_weight']:g}",
    "calibration_folds": lambda d: str(d["cv"]),
}


class _EstimatorDefault(click.Option):
    """A ``train`` option whose default is the estimator's (:func:`trendscore.modeling.fitting.defaults`,
    their one source): None here, left to the library when not given; ``{default}`` in its help
    shows it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, default=None, **kwargs)

    def get_help_record(self, ctx):
        from trendscore.modeling.fitting import defaults

        written = self.help or ""
        shown = _SHOWN.get(self.name or "", lambda d: str(d[self.name]))(defaults())
        self.help = written.replace("{default}", shown)
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = written


def _rebuild_command(ctx, given: set[str], target: tuple[str, str] = ("-o", "OUT")) -> str:
    """This train command as the card records it: the options given, in the command's order,
    the seed files as SEEDS (the card lists them) and the output as OUT (or ``target``, such as
    ``--registry REGISTRY``); prefixed with SOURCE_DATE_EPOCH when that fixed the card's date."""
    import shlex

    parts = ["trendscore", ctx.info_name, "SEEDS", *target]
    for param in ctx.command.params:
        if param.name not in given or param.name in ("seeds", "out_dir", "registry", "quiet"):
            continue
        value = ctx.params[param.name]
        name = max(param.opts, key=len)
        if getattr(param, "is_flag", False):
            if param.secondary_opts:
                parts.append(name if value else max(param.secondary_opts, key=len))
            elif value:
                parts.append(name)
            continue
        parts += [name, shlex.quote(f"{value:g}" if isinstance(value, float) else str(value))]
    return _as_recorded(parts)


def _as_recorded(parts: list[str]) -> str:
    """A command as a card records it: its words, after ``SOURCE_DATE_EPOCH=N`` when that set
    the card's dates (so that running it again makes the same card)."""
    import os
    import shlex

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return (f"SOURCE_DATE_EPOCH={shlex.quote(epoch)} " if epoch else "") + " ".join(parts)


def _into_registry(params) -> bool:
    """Whether ``train`` trains into a registry, when it prints the comparison on standard output."""
    return params["registry"] is not None


@main.command(prints=_into_registry)
@click.argument("seeds", nargs=-1, required=True)
@click.option("-o", "--output", "out_dir", default=None, help="Model directory to write (replaced atomically).")
@click.option("--registry", default=None, help="Train a challenger into this registry; promote it if not worse.")
@click.option(
    "--tolerance",
    default=0.02,
    show_default=True,
    type=_Number(),
    help="With --registry: allowed F1 loss on any theme.",
)
@click.option("--force", is_flag=True, help="With --registry: promote the challenger whatever the comparison says.")
@click.option(
    "--cv",
    default=None,
    type=click.IntRange(0, 20),
    help="Folds for the card's figures (0: skip) [3 after a search of the settings, else 5].",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed; training is deterministic for it.")
@click.option(
    "--themes",
    default=None,
    help="The model's themes, exactly: NAME,NAME... (each needs seeds; other labels are ignored) [the seeds' labels].",
)
@click.option(
    "--segmenter", cls=_EstimatorDefault, type=click.Choice(["rjieba", "jieba"]), help="Word segmenter [{default}]."
)
@click.option("--curve", is_flag=True, help="Add a learning curve (25/50/75/100% of seeds) to the card and print it.")
@click.option(
    "--C",
    "c",
    cls=_EstimatorDefault,
    type=_Number(min=1e-6),
    help="Inverse regularisation of each linear model [searched; {default} with --budget 0].",
)
@click.option(
    "--min-df",
    cls=_EstimatorDefault,
    type=click.IntRange(1),
    help="Drop terms seen in fewer seeds [searched; {default} with --budget 0].",
)
@click.option(
    "--char-ngrams",
    cls=_EstimatorDefault,
    help="Character n-gram sizes, A-B within 1-3, or 0 for none [searched; {default} with --budget 0].",
)
@click.option(
    "--char-all/--no-char-all",
    cls=_EstimatorDefault,
    help="Character n-grams over the whole text, not only Chinese runs [searched; {default} with --budget 0].",
)
@click.option(
    "--style/--no-style",
    cls=_EstimatorDefault,
    help=(
        "Add style features (length, shape, punctuation): for labels that follow outlets' habits "
        "[searched; {default} with --budget 0]."
    ),
)
@click.option(
    "--nb-weight",
    cls=_EstimatorDefault,
    type=_Number(min=0, max=100),
    help=(
        "Single-label seeds: weight of complement naive Bayes scores added to each class's SVM score "
        "[searched; {default} with --budget 0]."
    ),
)
@click.option(
    "--budget",
    type=_Number(min=0, infinite=True),
    default=None,
    help=(
        "Seconds for choosing the settings not given (C, --min-df, --char-ngrams, --char-all, --style, --nb-weight) by "
        "cross-validation on the seeds; 0: no search, the defaults shown [20; 40 with --allow-encoder]."
    ),
)
@click.option(
    "--allow-encoder",
    type=click.Choice(["use-m3", "e5-small"]),
    default=None,
    help="Let the search also try this sentence encoder's features (slower training and labelling).",
)
@click.option(
    "--embedding",
    type=click.Choice(["use-m3", "e5-small"]),
    default=None,
    help=(
        "Add pretrained sentence-embedding features: use-m3 (~5 ms a passage to label) "
        "or e5-small (stronger, ~150 ms a passage; the e5 extra)."
    ),
)
@click.option(
    "--embedding-dims", cls=_EstimatorDefault, type=click.IntRange(1, 512), help="PCA dimensions kept [{default}]."
)
@click.option(
    "--embedding-weight",
    cls=_EstimatorDefault,
    type=_Number(min=0, min_open=True, max=100),
    help="Average length of an embedding row beside the unit-length TF-IDF row [{default}].",
)
@click.option(
    "--lists",
    default=None,
    help="Curated name lists as features: comma-separated names, 'all' or 'none' [the default model's].",
)
@click.option(
    "--calibration-folds",
    cls=_EstimatorDefault,
    type=click.IntRange(2, 20),
    help="Folds for the out-of-fold values each theme's calibration and threshold are fitted on [{default}].",
)
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=None,
    help=(
        "Themes fitted at once (worker processes; default: all cores); the same model for any N."
    ),
)
@_quiet_opt
def train(
    seeds,
    out_dir,
    registry,
    tolerance,
    force,
    cv,
    seed,
    themes,
    segmenter,
    curve,
    c,
    min_df,
    char_ngrams,
    char_all,
    style,
    nb_weight,
    budget,
    allow_encoder,
    embedding,
    embedding_dims,
    embedding_weight,
    lists,
    calibration_folds,
    jobs,
    quiet,
):
    """Train a model from labelled SEEDS (JSON Lines) into a model directory or a registry."""
    if (out_dir is None) == (registry is None):
        raise click.UsageError("give exactly one of -o DIR and --registry DIR")
    from trendscore.modeling.modelcheck import split_theme_names
    from trendscore.modeling.selection import DEFAULT_BUDGET, DEFAULT_BUDGET_ENCODER

    given = _given(click.get_current_context())
    # the settings given (the others are None): fixed, where the rest are searched, or with
    # --budget 0 take the estimator's defaults in the library
    fixed = {"C": c, "min_df": min_df, "char_all": char_all, "style": style, "nb_weight": nb_weight}
    if char_ngrams is not None:
        import re

        sizes = re.fullmatch(r"([0-9])(?:-([0-9]))?", char_ngrams.strip())
        lo, hi = (int(sizes[1]), int(sizes[2] or sizes[1])) if sizes else (-1, -1)
        if (lo, hi) != (0, 0) and not 1 <= lo <= hi <= 3:
            raise click.BadParameter("expected A-B within 1-3 (e.g. 1-3), or 0 for none", param_hint="--char-ngrams")
        fixed.update(char_ngram_min=max(lo, 1), char_ngram_max=hi)
    if budget is None:
        budget = DEFAULT_BUDGET_ENCODER if allow_encoder else DEFAULT_BUDGET
    if allow_encoder and (embedding or budget == 0):
        raise click.UsageError("--allow-encoder lets the search choose the encoder: not with --embedding or --budget 0")
    if jobs is None:
        from trendscore.run.forking import usable_cores

        jobs = usable_cores()
    fixed.update(segmenter=segmenter, calibration_folds=calibration_folds)
    params = {"n_jobs": jobs, **{k: v for k, v in fixed.items() if v is not None}}
    if lists is not None:
        from trendscore.text.namelists import resolve_lists

        params["lists"] = resolve_lists(lists)
    if embedding:
        params.update(embedding=embedding)
        if embedding_dims is not None:
            params["embedding_dims"] = embedding_dims
        if embedding_weight is not None:
            params["embedding_weight"] = embedding_weight
    elif embedding_dims is not None or embedding_weight is not None:
        raise click.UsageError("--embedding-dims and --embedding-weight need --embedding")
    from trendscore.modeling.cardnotes import curve_lines

    if registry is not None:
        from trendscore.modeling.registry import Registry

        with _progress(quiet):
            report = Registry(registry).train(
                list(seeds), tolerance=tolerance, force=force, cv=cv, seed=seed, curve=curve, budget=budget,
                encoder=allow_encoder or "", themes=None if themes is None else split_theme_names(themes),
                command=_rebuild_command(click.get_current_context(), given, ("--registry", "REGISTRY")), **params,
            )
        card = Registry(registry).card(report["challenger"])
        _echo_card_notes(card)
        click.echo(json.dumps({k: v for k, v in report.items() if k != "changed"}, ensure_ascii=False, indent=1))
        verdict = "promoted to champion" if report["promoted"] else "kept as a challenger"
        changed = report.get("changed")  # only a comparison finds passages whose labels changed
        said = "" if changed is None else f"; {counted(len(changed), 'held-out passage')} changed labels"
        click.echo(f"{report['challenger']}: {verdict} ({report.get('reason')}){said}", err=True)
        for line in curve_lines(card):
            click.echo(one_line(line), err=True)
        return
    from trendscore.modeling.training import train as run_train

    with _progress(quiet):
        model = run_train(
            list(seeds), out_dir, cv=cv, seed=seed, curve=curve, budget=budget, encoder=allow_encoder or "",
            command=_rebuild_command(click.get_current_context(), given),
            themes=None if themes is None else split_theme_names(themes), **params,
        )
    card = model.card
    _echo_card_notes(card)
    parts = [counted(len(model.themes), "theme"), counted(card["seeds"]["count"], "seed")]
    if "cross_validation" in card:
        cv = card["cross_validation"]
        # a theme no fold tested (its seeds all in skipped folds) is not in the figure: say so beside it
        untested = cv.get("macro_f1_left_out")
        left = f"; without {', '.join(untested)}, which no fold tested" if untested else ""
        f1 = "-" if cv["macro_f1"] is None else f"{cv['macro_f1']:.3f}"
        by = ", by report" if cv.get("grouped_by_report") else ""
        parts.append(f"macro-F1 {f1} ({cv['folds']}-fold{by}{left})")
    if "leave_one_file_out" in card:
        f1 = card["leave_one_file_out"]["macro_f1"]
        parts.append(f"{'-' if f1 is None else format(f1, '.3f')} (leave-one-file-out)")
    click.echo(f"Wrote {out_dir}: " + ", ".join(parts), err=True)
    for line in curve_lines(card):
        click.echo(one_line(line), err=True)


def _echo_card_notes(card: dict) -> None:
    """What ``train`` says of the model card it wrote: its notes, then the search's choice."""
    from trendscore.modeling.cardnotes import card_notes, search_summary

    for note in card_notes(card):
        click.echo(one_line(f"Note: {note}"), err=True)
    summary = search_summary(card)
    if summary:
        click.echo(summary, err=True)


@main.group()
def seeds():
    """Check and add labelled seed passages."""


@seeds.command("validate", prints=True)
@click.argument("files", nargs=-1, required=True)
@click.option("--themes", default=None, help="Comma-separated allowed labels (default: spot misspellings).")
def seeds_validate(files, themes):
    """Report every problem in seed FILES, one line each; exit 1 if there is any."""
    from trendscore.seeds.checks import seed_file_count, validate_seeds

    found, problems = validate_seeds(list(files), themes or None)
    for p in problems:
        click.echo(one_line(str(p)))  # a file name or a quoted field may hold line ends or escapes
    kinds = sorted({p.kind for p in problems})
    click.echo(
        f"{counted(len(found), 'seed')} in {counted(seed_file_count(files), 'file')}, "
        f"{counted(len(problems), 'problem')}"
        + (f" ({', '.join(kinds)})" if kinds else ""),
        err=True,
    )
    if problems:
        raise SystemExit(1)


@seeds.command("add")
@click.argument("new")
@click.option(
    "--to", "directory", default="seeds", show_default=True, help="Seed directory; existing files are never rewritten."
)
@click.option(
    "--on-conflict",
    type=click.Choice(["refuse", "skip", "replace"]),
    default="refuse",
    show_default=True,
    help="Same text with other labels: refuse, keep the existing seed, or let the new one replace it.",
)
def seeds_add(new, directory, on_conflict):
    """Validate NEW seeds and add them to the seed directory as a new batch file."""
    from trendscore.seeds.checks import add_seeds

    result = add_seeds(new, directory, on_conflict)
    for p in result.conflicts:
        click.echo(one_line(str(p)), err=True)
    if result.conflicts and on_conflict == "refuse":
        click.echo(
            f"Error: {counted(len(result.conflicts), 'conflict')} with existing seeds; nothing was added "
            "(choose --on-conflict skip or replace)",
            err=True,
        )
        raise SystemExit(1)
    where = f" to {result.path}" if result.path else ""
    click.echo(
        f"Added {counted(result.added, 'seed')}{where}; "
        f"skipped {counted(result.skipped_duplicates, 'exact duplicate')}; "
        f"{result.replaced} {plural(result.replaced, 'replaces an earlier seed', 'replace earlier seeds')}"
        + (f"; {result.renamed} given a new id (theirs was taken)" if result.renamed else ""),
        err=True,
    )
    if result.left_out:
        names = ", ".join(f"{quoted(name)} ({n})" for name, n in list(result.left_out.items())[:5])
        more = f" and {len(result.left_out) - 5} more" if len(result.left_out) > 5 else ""
        click.echo(one_line(f"Note: fields outside the seed format were not kept: {names}{more}"), err=True)


@seeds.command("issues", prints=True)
@click.argument("files", nargs=-1, required=True)
@click.option("-n", "limit", default=50, show_default=True, type=click.IntRange(1), help="Show at most this many.")
@click.option("--cv", default=5, show_default=True, type=click.IntRange(2, 20))
@_quiet_opt
def seeds_issues(files, limit, cv, quiet):
    """Seeds whose labels look wrong, from out-of-fold probabilities, with the suspected fix."""
    from trendscore.seeds.files import read_seeds
    from trendscore.seeds.suggest import label_issues

    with _progress(quiet):
        found = read_seeds(list(files))
        issues = label_issues(found, folds=cv, limit=None)
    for issue in issues[:limit]:
        click.echo(
            one_line(
                f"{issue['path']}:{issue['line']}: {issue['id']} labels {issue['labels']} -> suggested "
                f"{issue['suggested']} (confidence in given labels {issue['confidence']:.3f}): {issue['text'][:60]}"
            )
        )
    shown = f" (the {limit} most suspicious shown)" if len(issues) > limit else ""
    looks = plural(len(issues), "looks", "look")
    click.echo(f"{counted(len(issues), 'seed')} of {len(found)} {looks} mislabelled{shown}", err=True)


@main.command()
@click.argument("pool")
@click.option("-n", "count", default=50, show_default=True, type=click.IntRange(1))
@_model_opt
@click.option("-o", "--output", default="-", show_default=True)
@_quiet_opt
def suggest(pool, count, model_dir, output, quiet):
    """The passages of POOL (jsonl/csv/...) most worth labelling next, as jsonl ready to label."""
    from trendscore.io.outputs import check_jsonl_output
    from trendscore.io.writers import AtomicOutput, RecordWriter, check_output_path
    from trendscore.modeling.model import load_model
    from trendscore.run.labelling import iter_input_records
    from trendscore.run.reading import expand_inputs
    from trendscore.seeds.suggest import suggest_noted

    pools = expand_inputs([pool])
    check_jsonl_output(output, "suggest")
    check_output_path(output, pools)
    with _progress(quiet):
        chosen, notes = suggest_noted(load_model(model_dir), iter_input_records(pools), n=count)
    with AtomicOutput(output) as fh, RecordWriter(fh, "jsonl", []) as writer:
        for record in chosen:
            writer.write(record)
    for note in notes:
        click.echo(f"Note: {note}", err=True)


@main.group()
def themes():
    """Provisional themes: a new theme from a few example passages, usable at once."""


@themes.command("add")
@click.argument("name")
@click.option("--examples", "examples", required=True, help="Example passages of the theme (jsonl, csv, text...): 5+.")
@_model_ref_opt
@click.option(
    "-o", "--output", "out_dir", default=None,
    help="New model folder to write (required unless --model is a registry, which gets a new champion version).",
)
@click.option(
    "--seeds",
    "seed_paths",
    multiple=True,
    help="A file of the model's seeds; repeat for each (default: the files its card names).",
)
@_quiet_opt
def themes_add(name, examples, model_dir, out_dir, seed_paths, quiet):
    """Add the provisional theme NAME, learned from the --examples passages against the model's seeds."""
    from trendscore.modeling.theming import add_theme_to

    command = _themes_add_command(name, out_dir is None and model_dir is not None, bool(seed_paths))
    with _progress(quiet):
        done = add_theme_to(model_dir, name, examples, out_dir, list(seed_paths) or None, command=command)
    click.echo(
        f"Wrote {done['path']}: provisional theme {name!r} from {counted(done['examples'], 'example')}, learned "
        f"against {counted(done['seeds'], 'seed')} ({done['reliable_negatives']} taken as "
        f"{plural(done['reliable_negatives'], 'negative')}; threshold {done['threshold']:.2f}); train folds it in "
        f"from {counted(done['fold_in_at_seeds'], 'seed')} labelled {name!r}",
        err=True,
    )
    if done["champion"]:
        click.echo(f"{done['champion']} is the champion (models rollback undoes it)", err=True)


def _themes_add_command(name: str, registry: bool, seeds: bool) -> str:
    """This themes add command as the card records it, after the steps that made the model it
    adds to: the examples as EXAMPLES, the model as BASE (what the step before wrote) and the
    output as OUT, or the registry as REGISTRY (whose champion it adds to); ``--seeds SEEDS``
    when seeds were given; prefixed with SOURCE_DATE_EPOCH when that fixed the 'added' date."""
    import shlex

    where = ["--model", "REGISTRY"] if registry else ["--model", "BASE", "-o", "OUT"]
    parts = ["trendscore", "themes", "add", shlex.quote(name), "--examples", "EXAMPLES", *where]
    return _as_recorded(parts + (["--seeds", "SEEDS"] if seeds else []))


@main.group()
def models():
    """Models: list them, show one's card; manage a registry: promote a version, roll back."""


_registry_opt = click.option("--registry", required=True, help="The registry directory.")


@models.command("list", prints=True)
@click.option("--registry", default=None, help="A registry (default: the bundled models and the model folders here).")
def models_list(registry):
    """List the registry's versions (* marks the champion), or the bundled models and the
    model folders in the working directory."""
    from trendscore.io.writers import printable
    from trendscore.modeling.registry import Registry

    if registry is None:
        from trendscore.modeling.catalogue import available_models, catalogue_lines

        for line in catalogue_lines(available_models()):
            click.echo(line)
        return
    for row in Registry(registry).listing():
        mark = "*" if row["champion"] else " "
        f1 = "-" if row["cv_macro_f1"] is None else f"{row['cv_macro_f1']:.3f}"
        added = f"  + provisional {', '.join(row['provisional'])}" if row.get("provisional") else ""
        click.echo(
            printable(
                f"{mark} {row['version']}  {row['created'] or '-':<20}  seeds {row['seeds'] or '-':<6}  "
                f"cv macro-F1 {f1}{added}"
            )
        )
        if row["problem"]:
            click.echo(printable(f"    will not load: {row['problem']}"))


@models.command("show", prints=True)
@click.argument("model")
@click.option("--registry", default=None, help="MODEL is a version of this registry (v0003).")
def models_show(model, registry):
    """Show MODEL's card: themes, provisional themes, seeds, settings, figures, command, created.
    MODEL is a bundled name, a model folder, a registry (its champion) or, with --registry, a version."""
    from trendscore.io.writers import printable
    from trendscore.modeling.cardview import card_changed, card_lines, find_model_dir, read_card

    directory = find_model_dir(model, registry)
    card, themes = read_card(directory)
    for line in card_lines(card, themes, directory):
        click.echo(printable(line))
    changed = card_changed(directory)
    if changed is not None:
        click.echo(one_line(f"Warning: {changed}"), err=True)


@models.command("promote")
@click.argument("version")
@_registry_opt
def models_promote(version, registry):
    """Make VERSION the champion."""
    from trendscore.modeling.registry import Registry

    changed = Registry(registry).promote(version)
    click.echo(f"{version} is {'the' if changed else 'already the'} champion", err=True)


@models.command("rollback")
@_registry_opt
def models_rollback(registry):
    """Undo the last promotion: the previous champion is the champion again."""
    from trendscore.modeling.registry import Registry

    click.echo(f"{Registry(registry).rollback()} is the champion", err=True)


@models.command("history", prints=True)
@_registry_opt
def models_history(registry):
    """The champions, first to current: what rollback walks back through."""
    from trendscore.modeling.registry import Registry

    history = Registry(registry).history()
    for n, name in enumerate(history, 1):
        click.echo(f"{n:>3}  {name}{'  (champion)' if n == len(history) else ''}")


@main.command(prints=True)
@click.argument("labelled", nargs=-1, required=True)
@_model_opt
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_quiet_opt
def evaluate(labelled, model_dir, fmt, quiet):
    """Score a model on LABELLED passages (seed-format JSON Lines)."""
    from trendscore.modeling.evaluation import evaluate as run_evaluate
    from trendscore.modeling.model import load_model

    with _progress(quiet):
        scores = run_evaluate(load_model(model_dir), list(labelled))
    for warning in scores["warnings"]:
        click.echo(f"Warning: {warning}", err=True)
    if fmt == "json":
        click.echo(json.dumps(scores, ensure_ascii=False, indent=1))
        return
    click.echo(f"{'theme':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    undefined = set(scores.get("macro_f1_left_out") or [])
    provisional = scores.get("provisional") or []
    for theme, s in scores["themes"].items():
        name = f"{theme} *" if theme in provisional else theme
        if theme in undefined:  # neither labelled nor predicted: no figure to show
            click.echo(f"{name:<14}{'-':>10}{'-':>8}{'-':>8}{s['support']:>9}")
            continue
        click.echo(f"{name:<14}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}{s['support']:>9}")
    micro, macro = ("-" if scores[k] is None else f"{scores[k]:.3f}" for k in ("micro_f1", "macro_f1"))
    click.echo(f"micro-F1 {micro}  macro-F1 {macro}  n={scores['n']}")
    if scores["macro_f1_left_out"]:
        left = ", ".join(scores["macro_f1_left_out"])
        click.echo(f"macro-F1 leaves out {left}: no passage is labelled or predicted with them (F1 undefined)")
    if provisional:
        click.echo(f"* provisional (made from a few examples, not trained): {', '.join(provisional)}")


if __name__ == "__main__":  # pragma: no cover
    main()
