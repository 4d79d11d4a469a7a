"""Labelling and scoring on a Dask cluster (``pip install 'trendscore[dask]'``).

The model is loaded once per worker process (and its files checked against the manifest
hashes there, by :func:`trendscore.load_model`), never shipped with the tasks: tasks carry
the model directory's path, which must be readable on every worker (shared storage, or the
bundled default model installed with trendscore on each worker).

The CLI's ``--scheduler`` runs the label and score jobs of :mod:`trendscore.run.job` on the
cluster (:class:`trendscore.run.backends.Cluster`): the same reader, chunk functions and merge
as in one process. This module holds the connection and the DataFrame API.
"""

from __future__ import annotations

import logging
import socket
import struct
import time
from functools import partial
from pathlib import Path

from trendscore.errors import InputError, ModelError
from trendscore.io.rows import FRAME
from trendscore.once import built_once
from trendscore.run.signals import signals_held

__all__ = ["label_dataframe", "score_dataframe", "connect"]


def _worker_model(model_dir):
    """The model for this worker process, loaded (and hash-checked) on first use; ``model_dir``
    is a directory, a bundled model's name, or None (see :func:`_model_dir`)."""
    from trendscore.modeling.model import BUNDLED

    if model_dir is not None and model_dir not in BUNDLED:  # a bundled name is no folder here
        model_dir = str(Path(model_dir).resolve())
    return _model_at(model_dir)


def _model_dir(model) -> str | None:
    """``model`` as tasks carry it to the workers, read as :func:`trendscore.score` and
    :func:`trendscore.label` read it: a registry directory stands for its champion's, a loaded
    :class:`~trendscore.modeling.model.Model` for the directory it was loaded from, a bundled
    model's name (or None, the default) for that model."""
    from trendscore.modeling.model import Model, check_model_argument
    from trendscore.modeling.registry import resolve_model

    check_model_argument(model)
    if isinstance(model, Model):
        if model.path is None:
            raise ModelError("the model was never saved: on Dask each worker loads it from its directory; save it")
        return str(model.path)
    resolved = resolve_model(model)
    return None if resolved is None else str(resolved)


@built_once()  # tasks of the threaded scheduler may ask for the model at once: one loads it
def _model_at(path: str | None):
    """The model at ``path`` (resolved, so that each directory is loaded once however it is
    spelled; None: the bundled default), loaded once a worker process."""
    from trendscore.modeling.model import load_model
    from trendscore.text import embedding

    if _in_worker():  # workers share the machine's cores; more BLAS threads only contend
        embedding.reset_for_worker()
    return load_model(path)


def _in_worker() -> bool:
    """True in a distributed worker; False where Dask runs tasks in the caller's own process (its
    threaded or synchronous scheduler), whose settings are the caller's to keep."""
    from distributed import get_worker

    try:
        get_worker()
    except ValueError:  # distributed: "No worker found"
        return False
    return True


def _require_dask():
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise InputError("Dask is not installed: pip install 'trendscore[dask]'") from None


#: every form of --scheduler (``scheduler=``) there is, as the errors list them
_FORMS = "tcp://host:port or local:N"
#: seconds a scheduler whose port answers has to complete distributed's handshake
CONNECT_TIMEOUT_S = 20
#: seconds the whole connection to a remote scheduler may take, handshakes included (TCP, then
#: TLS or WebSocket, then Dask's own): distributed reads a scheduler's handshake without a
#: timeout, and a tls://, ws:// or wss:// server that completes its own handshake and then
#: says nothing would hold the run for ever (on tcp:// :func:`_first_byte` sees it sooner).
#: distributed gives each of its three other steps (connecting; the scheduler's identity; its
#: first message to the client) CONNECT_TIMEOUT_S of its own: a scheduler that keeps within
#: each is not cut short by their sum
START_TIMEOUT_S = 3 * CONNECT_TIMEOUT_S
#: seconds to wait for a scheduler's port to accept a connection before distributed is asked
#: to connect (distributed retries a refused port until its own timeout runs out); a port
#: nothing listens on is refused at once, a host that drops the packets costs this long
PROBE_TIMEOUT_S = 5.0
#: the address schemes that run over TCP, with the port used when the address gives none
_TCP_SCHEMES: dict[str, int | None] = {"tcp": None, "tls": None, "ws": 80, "wss": 443}
#: distributed's loggers in a cluster trendscore starts itself (its scheduler here, its
#: workers' processes) print nothing below this level: cancelled tasks as the cluster closes
#: after an error would add lines after the one-line error
_OWN_CLUSTER_LOGS = logging.CRITICAL


def _check_address(scheduler: str) -> None:
    """Refuse a malformed scheduler address in one line, before any connection is tried."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(scheduler)
        if scheme in _TCP_SCHEMES:
            _, port = parse_host_port(location, _TCP_SCHEMES[scheme])
            if not 0 < int(port) < 65536:
                raise ValueError(f"port {port} is not from 1 to 65535")
    except (ValueError, TypeError) as exc:
        raise InputError(f"scheduler {scheduler!r}: not a scheduler address ({exc}); expected {_FORMS}") from None


def _probe(scheduler: str, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Refuse in one line a scheduler address (of a scheme over TCP) whose port does not accept
    a connection within ``timeout`` seconds; other schemes pass unprobed. The address must have
    passed :func:`_check_address`."""
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(scheduler)
    if scheme not in _TCP_SCHEMES:
        return
    host, port = parse_host_port(location, _TCP_SCHEMES[scheme])
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            if scheme == "tcp":
                _first_byte(sock, scheduler)
    except TimeoutError:
        why = f"no answer from {host}:{port} within {timeout:g} s"
    except socket.gaierror as exc:
        why = f"cannot resolve {host!r}: {exc.strerror or exc}"
    except OSError as exc:
        why = f"nothing answers at {host}:{port}: {exc.strerror or exc}"
    else:
        return
    raise InputError(f"scheduler {scheduler!r}: cannot reach the scheduler ({why})")


def _first_byte(sock: socket.socket, scheduler: str) -> None:
    """Refuse in one line a ``tcp://`` port that says nothing for :data:`CONNECT_TIMEOUT_S`
    seconds once connected. A scheduler sends its handshake first, at once; distributed reads
    it without a timeout, so a silent service, or an HTTP server waiting for the end of a
    request, would hold the connection for ever."""
    sock.settimeout(CONNECT_TIMEOUT_S)
    try:
        sock.recv(1)  # (a port that closes at once is left to distributed, which says so)
    except TimeoutError:
        raise InputError(
            f"scheduler {scheduler!r}: what answers there is not a Dask scheduler (it sent nothing within "
            f"{CONNECT_TIMEOUT_S:g} s; an HTTP server?)"
        ) from None


def connect(scheduler: str):
    """A distributed Client for ``tcp://host:port`` (or another address distributed knows),
    or for a new local cluster of N worker processes for ``local:N``, which the client owns:
    closing the client closes that cluster."""
    _require_dask()
    if scheduler.startswith("local:"):
        n = scheduler.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise InputError(f"scheduler {scheduler!r}: expected local:N with N >= 1")
        return _local_client(int(n))
    _check_address(scheduler)
    _probe(scheduler)
    try:
        return _remote_client(scheduler)
    except InputError:  # already one line (an InputError is also a ValueError)
        raise
    except ValueError as exc:
        raise InputError(f"scheduler {scheduler!r}: not a scheduler address ({exc}); expected {_FORMS}") from None
    except (OSError, TimeoutError) as exc:
        raise InputError(f"scheduler {scheduler!r}: cannot reach the scheduler ({exc})") from None
    except TypeError as exc:  # tls:// without a TLS configuration; ucx:// without its package
        raise InputError(f"scheduler {scheduler!r}: cannot connect ({exc})") from None
    except (MemoryError, struct.error):  # distributed reads the first bytes as a frame count
        raise InputError(
            f"scheduler {scheduler!r}: what answers there is not a Dask scheduler (an HTTP or SSH server?)"
        ) from None


def _remote_client(scheduler: str):
    """``Client(scheduler)``, made Dask's default client once it has connected. distributed's
    own default (``set_as_default``) is set before it connects, and a client that failed to
    connect stayed the default: every later Dask computation in the process went to it."""
    from distributed import Client
    from distributed.client import ensure_default_client

    made: list = []

    class _Kept(Client):  # the client object, kept even when its constructor fails
        def __init__(self, *args, **kwargs):
            made.append(self)
            super().__init__(*args, **kwargs)

        def start(self, **kwargs):  # the connection, handshakes and all, within START_TIMEOUT_S
            super().start(callback_timeout=START_TIMEOUT_S, **kwargs)

    from distributed.comm.core import Comm

    opened = getattr(Comm, "_instances", ())  # every connection (a weak set; internal to distributed)
    known = set(opened)  # those open before this one
    started = time.monotonic()
    try:
        client = _Kept(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
    except BaseException as exc:
        comms = [c for c in list(opened) if c not in known]
        _drop_failed_clients(made, comms)
        if type(exc) is TimeoutError:  # (distributed's own connect timeout is an OSError)
            waited = min(time.monotonic() - started, START_TIMEOUT_S)  # (it took a little longer to stop)
            if any(getattr(c, "remote_info", None) for c in comms):  # Dask's handshake came back
                raise InputError(
                    f"scheduler {scheduler!r}: a Dask server answers there but did not finish connecting the "
                    f"client within {waited:.0f} s (a scheduler too busy to answer?)"
                ) from None
            raise InputError(
                f"scheduler {scheduler!r}: what answers there is not a Dask scheduler, or not one that answers "
                f"(no Dask handshake within {waited:.0f} s)"
            ) from None
        raise
    ensure_default_client(client)
    return client


def _drop_failed_clients(clients, comms=()) -> None:
    """Let go of clients whose constructor failed. distributed keeps each one (its IO loop too)
    until it is collected, and then its ``close`` waits for a connection that never was: twice
    the connect timeout per failed client, with a traceback, when the process exits. ``comms``,
    the connections the failed attempt opened (one left half-way through its handshake when the
    attempt ran out of time), are closed on the client's loop before it stops: left open, a
    WebSocket's would close itself at the process's exit on a loop already closed, printing
    a traceback."""
    from distributed.utils import sync

    async def abort() -> None:
        for comm in comms:
            if not comm.closed():
                comm.abort()

    for client in clients:
        if client.status == "running":
            continue
        client.status = "closed"  # nothing to close on the scheduler's side
        runner = getattr(client, "_loop_runner", None)
        if runner is not None:
            if comms and runner.is_started():
                try:
                    sync(client.loop, abort, callback_timeout=CONNECT_TIMEOUT_S)
                except Exception:  # noqa: BLE001 (closing what is left is best effort)
                    pass
            runner.stop()


def _local_client(n: int):
    """A client that starts (and, when closed, closes) a local cluster of ``n`` single-threaded
    worker processes, with distributed's logs quieted for the cluster's life.

    Ctrl-C is held back while the cluster starts, then closes it: its worker processes, started
    with Ctrl-C held back, leave it to this process, as ``--jobs`` workers do. A Ctrl-C at a
    terminal reaches every process of the job, and one that came while the cluster started had
    printed the tracebacks of the worker processes it stopped as they started, and of
    distributed closing the half-started cluster as this process exited."""
    import dask
    from distributed import Client

    client = None
    try:
        with _interrupts_held_at_start():
            # with no address and a scheduler address in the Dask configuration, Client refuses
            # the cluster's options: the cluster asked for here is the one meant
            with dask.config.set({"scheduler-address": None}):
                client = Client(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # the scheduler's HTTP server starts even without a dashboard, on port 8787
                    # unless told: when that port is taken (another run's cluster) distributed
                    # warns on stderr
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    silence_logs=_OWN_CLUSTER_LOGS,
                )
    except BaseException:  # a Ctrl-C held back arrives as the block ends: the cluster goes too
        if client is not None:
            client.close()
        raise
    return client


def _interrupts_held_at_start():
    """Ctrl-C held back (:func:`trendscore.run.signals.signals_held`) while a local cluster
    starts."""
    import signal
    from multiprocessing import resource_tracker

    if hasattr(signal, "pthread_sigmask"):
        # multiprocessing starts its resource tracker at its first use (the cluster's queues) and
        # unblocks SIGINT in the thread that started it: started first, it leaves the mask alone
        resource_tracker.ensure_running()
    return signals_held({signal.SIGINT})


# ------------------------------------------------------------------ DataFrames


def _check_dask_frame(ddf, what: str) -> None:
    """Refuse, with an :class:`InputError`, anything but a Dask DataFrame; a pandas one is
    pointed to :func:`trendscore.label` or :func:`trendscore.score`, which take it as it is."""
    import dask.dataframe as dd

    from trendscore.io.frames import is_frame

    if isinstance(ddf, dd.DataFrame):
        return
    if is_frame(ddf):
        raise InputError(
            f"{what} takes a Dask DataFrame, got a pandas one: give it to trendscore.{what.split('_')[0]} "
            "as it is, or make it a Dask one with dask.dataframe.from_pandas"
        )
    raise InputError(f"{what} takes a Dask DataFrame, got a {type(ddf).__name__}")


def _label_partition(pdf, model_dir, text_column, partition_info=None):
    """A partition labelled as :func:`trendscore.label` labels a pandas frame: the same columns,
    the same refusal of a row whose text is not a string (Dask passes ``partition_info``; a
    partition does not know how many rows come before it, so the row is named within it)."""
    import pandas as pd

    from trendscore.io.frames import frame_texts, labelled_frame

    model = _worker_model(model_dir)
    try:
        texts = frame_texts(pdf, text_column)
    except InputError as exc:
        number = (partition_info or {}).get("number")
        if number is None or exc.line is None:
            raise
        raise InputError(f"partition {number + 1}, its row {exc.line}: {exc.message}", FRAME) from None
    out = labelled_frame(pdf, model.label(texts), model.themes, text_column, bool(model.provisional))
    if model.provisional and "provisional" not in out.columns:  # an empty partition
        out["provisional"] = pd.Series([], dtype="object", index=out.index)
    return out


def label_dataframe(ddf, model=None, text_column: str = "text"):
    """``ddf`` with a ``labels`` column and one ``score_<theme>`` column per theme (a
    ``labels`` and ``scores`` column of its own kept as ``labels_input`` and ``scores_input``,
    and a ``provisional`` one as ``provisional_input`` when the model has provisional themes,
    as :func:`trendscore.label` keeps them). A ``labels`` column missing in every row is dropped,
    as :func:`trendscore.label` drops it (no labels of the user's): telling so takes one pass
    over that column, here, before the labelled frame is returned.

    ``model`` is read as :func:`trendscore.label` reads it (a model directory, a registry, a
    bundled model's name, a loaded Model, or None for the bundled default); each worker loads
    it once from its directory.
    """
    _require_dask()
    _check_dask_frame(ddf, "label_dataframe")
    from trendscore.io.frames import check_added_columns, renamed_for_labels
    from trendscore.modeling.model import load_model

    model_dir = _model_dir(model)
    loaded = load_model(model_dir)  # check the model here first, and learn its themes
    themes = loaded.themes
    check_added_columns(ddf.columns, themes)  # before any work, as trendscore.label
    ddf = _without_null_labels(ddf)
    meta = renamed_for_labels(ddf._meta, text_column, bool(loaded.provisional))  # as the partitions are renamed
    meta["labels"] = []
    for theme in themes:
        meta[f"score_{theme}"] = []
    if loaded.provisional:  # themes made from a few examples (themes add), as trendscore.label marks them
        meta["provisional"] = []
    kinds = {f"score_{t}": "float64" for t in themes} | {"labels": "object"}
    meta = meta.astype(kinds | ({"provisional": "object"} if loaded.provisional else {}))
    return ddf.map_partitions(_label_partition, model_dir, text_column, meta=meta)


def _without_null_labels(ddf):
    """``ddf`` without its ``labels`` column when every cell of it is missing, as
    :func:`trendscore.io.frames.without_null_labels` drops a pandas frame's (its partitions'
    counts joined by the same rule)."""
    import dask

    from trendscore.io.frames import drops_null_labels, labels_key, null_labels_count

    key = labels_key(ddf.columns)
    if key is None:
        return ddf
    counts = dask.compute(*[dask.delayed(null_labels_count)(p) for p in ddf[key].to_delayed()])
    return ddf.drop(columns=[key]) if drops_null_labels(counts) else ddf


def _label_kinds(labels) -> set[str]:
    """The kinds of a partition's ``labels`` cells (:func:`trendscore.io.frames.label_cell_kinds`,
    the strings Dask makes of lists counted as lists)."""
    from trendscore.io.frames import label_cell_kinds

    return label_cell_kinds(labels.tolist(), list_text=True)


def _accumulate_partition(pdf, model_dir, text_column: str, date_column: str, as_text: bool, settings):
    """A partition's counts as ``(tally, rows, theme_at, error)``, made as
    :func:`trendscore.score` makes a pandas frame's: the rows read by
    :func:`trendscore.io.frames.frame_rows` (``as_text`` decided over the whole ``labels``
    column), counted by :func:`trendscore.trends.scoring.accumulate`, the model loaded once
    per worker for the rows it labels. Rows are numbered from the partition's first (1-based):
    ``theme_at`` is where each theme was first met, ``theme -> (path, row)``, and ``error``
    the first :class:`~trendscore.errors.TrendscoreError` met (then no tally). Errors come back
    as values so that the caller can name the row in the whole frame, in row order.
    ``settings`` (the score's frequency and ``as_of``) tell which days the sample of passages
    that fit no theme keeps."""
    from trendscore.errors import TrendscoreError
    from trendscore.io.frames import frame_rows, name_index
    from trendscore.trends.scoring import accumulate

    theme_at: dict = {}
    try:
        rows = frame_rows(pdf, text_column, date_column, as_text=as_text, list_text=True)  # Dask makes strings of lists
    except TrendscoreError as exc:  # the columns: no row of them to name
        return None, len(pdf), theme_at, exc
    try:
        items = ((record, FRAME, n) for n, record in enumerate(rows, 1))
        tally = accumulate(items, partial(_worker_model, model_dir), settings, theme_at=theme_at)
    except TrendscoreError as exc:
        if isinstance(exc, InputError):  # its row's index value, as trendscore.score names it
            name_index(exc, pdf)
        return None, len(pdf), theme_at, exc
    tally.model = None  # not sent back: the caller loads its own to name it
    return tally, len(pdf), theme_at, None


def _in_frame(error, offset: int):
    """A partition's error with its row counted over the whole frame."""
    if not isinstance(error, InputError) or error.line is None:
        return error
    moved = InputError(error.message, error.path, offset + error.line)
    moved.hint = error.hint
    return moved


def score_dataframe(
    ddf, freq: str = "week", as_of=None, model=None, date_column: str = "date", text_column: str = "text"
):
    """Theme momentum of a Dask DataFrame, the same :class:`~trendscore.trends.momentum.Score`
    (or the same error) as :func:`trendscore.score` gives for the same rows in one pandas frame:
    each partition's rows are read and counted by the code that reads and counts that frame's
    (labels as given, the other rows labelled by ``model`` on the workers), and the counts are
    combined in row order. Errors name the row in the whole frame (``<DataFrame>:N``).
    ``model`` is read as :func:`trendscore.score` reads it; each worker loads it once.

    Dask's ``dataframe.convert-string`` setting (on by default) makes strings of a column of
    Python objects before this sees it: lists become their written form (``"['policy']"``,
    read back as the list), but a number becomes its digits (``5`` is then the text or theme
    ``"5"``). Turn it off to have such cells refused as :func:`trendscore.score` refuses them.
    A labels column spelt otherwise (``Labels``) with none named ``labels`` is refused."""
    _require_dask()
    import dask

    from trendscore.io.columns import Columns, check_labels_column
    from trendscore.io.dates import check_freq
    from trendscore.io.frames import frame_rows, kinds_as_text
    from trendscore.trends.scoring import ScoreSettings, Tally, TallyMerge, score_tally

    _check_dask_frame(ddf, "score_dataframe")
    check_freq(freq)
    check_labels_column(ddf.columns, FRAME, "the DataFrame")  # a 'Labels' column is not passed over
    frame_rows(ddf._meta, text_column, date_column)  # the columns, checked before any work
    model_dir = _model_dir(model)
    as_text = False
    labels = [c for c in ddf.columns if str(c) == "labels"]
    if labels:  # how missing cells read depends on the whole column: one pass over it first
        kinds = dask.compute(*[dask.delayed(_label_kinds)(p) for p in ddf[labels[0]].to_delayed()])
        as_text = kinds_as_text(set().union(*kinds))
    # the partitions keep the days the score can use; errors name the user's text column
    settings = ScoreSettings(freq=freq, as_of=as_of, columns=Columns(text=text_column, date=date_column))
    parts = [
        dask.delayed(_accumulate_partition)(p, model_dir, text_column, date_column, as_text, settings)
        for p in ddf.to_delayed()
    ]
    tallies = TallyMerge()
    offset = 0  # rows of the partitions before this one: errors name the row in the whole frame

    def place(where, row):
        return where, None if row is None else offset + row

    for tally, rows, theme_at, error in dask.compute(*parts):
        if error is not None:  # with the partitions before it, past the limit before the error's row?
            limit = tallies.limit_before_error(theme_at)
            if limit is not None:
                message, where, row = limit
                raise InputError(message, *place(where, row))
            raise _in_frame(error, offset)
        tallies.add(tally, FRAME, place)
        offset += rows
    total = tallies.total
    if total is None:  # no partitions
        from trendscore.trends.accumulate import Accumulator

        total = Tally(Accumulator([]))
    if total.acc.by_model:  # the workers labelled rows: name their model as trendscore.score does
        from trendscore.modeling.model import load_model

        total.model = load_model(model_dir)
    return score_tally(total, settings)
