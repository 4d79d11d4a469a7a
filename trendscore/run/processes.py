"""A small process pool that cannot hang: ``fn(state, item)`` over items, results in input order.

Each worker has its own duplex pipe to the parent; nothing is shared between workers (no
queue lock a killed worker could hold, no feeder thread that could block the interpreter's
exit). The parent waits on every pipe and every process sentinel at once, hands an item only
to an idle worker, and keeps at most ``2 * jobs`` items in flight or waiting to be yielded,
so memory stays bounded however long the input. A worker that exits without being told to
(the out-of-memory killer's SIGKILL, say) ends the map at once with a one-line
:class:`WorkerDied`; the other workers are stopped, not waited for.

With the ``fork`` start method the workers inherit ``state`` (a loaded model, a warmed
segmenter) from the parent, built once before the fork; with ``spawn`` ``state`` is pickled
to each worker and ``setup`` (a picklable callable, e.g. a :func:`functools.partial`) turns
it into the working state there. Workers ignore SIGINT: Ctrl-C belongs to the parent, which
stops them (SIGKILL) and lets its ``KeyboardInterrupt`` through. They ignore SIGTERM likewise
when the parent handles it (the CLI turns it into an error, with the cleanup Ctrl-C gets) or
ignores it; where SIGTERM ends the parent (its default: a program that calls trendscore and
leaves it as it is), it ends the workers too, as a service stop signals every process of the
job.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import signal
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import wait

from trendscore.errors import Hint, TrendscoreError
from trendscore.run.signals import signals_held

__all__ = ["ordered_map", "WorkerDied", "WorkerFailed"]

_STOP = None
#: signals the parent handles for its workers, which ignore them
_PARENTS_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class WorkerDied(TrendscoreError):
    """A worker process ended without finishing its item; nothing more is done."""

    exit_code = 1

    def __init__(self, message: str, jobs: int):
        super().__init__(message)
        self.jobs = jobs
        self.hint = Hint(f"fewer {{setting}} than {jobs}", "jobs")

    def __reduce__(self):
        return (type(self), (str(self), self.jobs))


class WorkerFailed(TrendscoreError):
    """A worker raised an exception that could not be sent back as itself."""


def ordered_map(
    fn: Callable,
    items: Iterable,
    jobs: int,
    *,
    state=None,
    setup: Callable | None = None,
    start_method: str = "fork",
    what: str = "worker",
) -> Iterator:
    """Yield ``fn(state, item)`` for each item, in input order, computed by ``jobs`` processes.

    Parameters
    ----------
    fn : callable
        ``fn(state, item)``; picklable (a module-level function) for ``spawn``.
    items : iterable
        Read lazily, in the calling process; at most ``2 * jobs`` are held at a time.
    jobs : int
        Worker processes. With one (or inside a daemonic process, which may not have
        children) the items are mapped in this process.
    state : object, default=None
        Given to ``fn``. Inherited as it is with ``fork``; pickled to each worker with ``spawn``.
    setup : callable, default=None
        Called once in each worker as ``setup(state)``; its result is the state ``fn`` gets.
    start_method : {"fork", "spawn", "forkserver"}, default="fork"
    what : str, default="worker"
        What the workers do, for the message when one dies ("labelling worker").

    An exception raised by ``fn`` is raised here when its item's turn comes (items before
    it are yielded first), as is one raised while reading ``items``; so the first error in
    input order wins, as in a single process.
    """
    if jobs <= 1 or multiprocessing.current_process().daemon:
        local = setup(state) if setup is not None else state
        for item in items:
            yield fn(local, item)
        return
    pool = _Pool(fn, jobs, state, setup, start_method, what)
    try:
        yield from pool.run(iter(items))
    finally:
        pool.stop()


def _worker(conn, fn, state, setup, inherited=(), ignore_term=True) -> None:
    for other in inherited:  # the parent's ends of the pipes, copied by fork: see _Pool
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN if ignore_term else signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _PARENTS_SIGNALS)
    try:
        if setup is not None:
            state = setup(state)
    except BaseException as exc:  # reported for the first item, in order
        broken: BaseException | None = exc
    else:
        broken = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if message is _STOP:
            return
        index, item = message
        try:
            if broken is not None:
                raise broken
            reply = (index, True, fn(state, item))
        except BaseException as exc:
            reply = (index, False, exc)
        del item
        try:
            conn.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            conn.send((index, False, WorkerFailed(f"a worker's result could not be sent back ({exc})")))
        except (BrokenPipeError, OSError):
            return
        del reply


class _Pool:
    """The workers of one :func:`ordered_map` call and the bookkeeping of their items."""

    def __init__(self, fn, jobs, state, setup, start_method, what):
        self.jobs, self.what = jobs, what
        context = multiprocessing.get_context(start_method)
        self.workers: list = []  # (process, parent's end of its pipe)
        # SIGTERM is the parent's to handle when it has a handler (or ignores it); else it
        # ends the parent, and the workers go with it
        term = signal.getsignal(signal.SIGTERM)
        ignore_term = term is signal.SIG_IGN or callable(term)
        # forked workers inherit the parent's objects (the model) frozen: their collector never
        # walks them, so it neither spends time there nor copies the pages it would touch
        frozen = start_method == "fork" and gc.get_freeze_count() == 0
        try:
            # a Ctrl-C or SIGTERM between fork and the worker's SIG_IGN must not reach it; one
            # held back meanwhile is handled as the block ends
            with signals_held(_PARENTS_SIGNALS):
                if frozen:
                    gc.freeze()
                try:
                    for _ in range(jobs):
                        mine, theirs = context.Pipe(duplex=True)
                        # a forked worker holds copies of the parent's ends of its own pipe and of
                        # the pipes made before it; it closes them, or a parent killed by SIGTERM
                        # (timeout, a service stop) left its workers blocked for ever, each sending
                        # into a pipe whose other end it held itself, never reading EOF
                        inherited = [conn for _, conn in self.workers] + [mine] if start_method == "fork" else []
                        args = (theirs, fn, state, setup, inherited, ignore_term)
                        process = context.Process(target=_worker, args=args, daemon=True)
                        # listed before it starts: a signal handled (raised) as start returns, when
                        # another thread took it, must find it to stop
                        self.workers.append((process, mine))
                        process.start()
                        theirs.close()  # the worker's end lives in the worker only: its death is our EOF
                finally:
                    if frozen:
                        gc.unfreeze()
        except BaseException:  # before the pool is returned: nothing else would stop its workers
            self.stop()
            raise
        self.busy: dict[int, int] = {}  # worker number -> index of its item
        self.done: dict[int, tuple] = {}  # index -> (ok, result), waiting for their turn

    def run(self, items: Iterator) -> Iterator:
        sent = 0  # items handed out
        taken = 0  # results yielded
        failure: BaseException | None = None  # raised by reading the items, after those before it
        more = True
        while True:
            while more and failure is None and sent - taken < 2 * self.jobs and len(self.busy) < self.jobs:
                try:
                    item = next(items)
                except StopIteration:
                    more = False
                    break
                except Exception as exc:
                    failure = exc
                    break
                self._send(next(i for i in range(self.jobs) if i not in self.busy), sent, item)
                del item
                sent += 1
            while taken in self.done:
                ok, result = self.done.pop(taken)
                taken += 1
                if not ok:
                    raise result
                yield result
                del result
            if taken == sent:
                if failure is not None:
                    raise failure
                if not more:
                    self._finish()
                    return
            if self.busy:
                self._collect()

    def _send(self, worker: int, index: int, item) -> None:
        conn = self.workers[worker][1]
        try:
            conn.send((index, item))
        except (BrokenPipeError, ConnectionResetError, EOFError):
            raise self._died() from None
        self.busy[worker] = index

    def _collect(self) -> None:
        """Wait until a busy worker answers or any worker ends; take every answer there is."""
        pipes = {conn: n for n, (_, conn) in enumerate(self.workers) if n in self.busy}
        sentinels = {process.sentinel: n for n, (process, _) in enumerate(self.workers)}
        ready = wait([*pipes, *sentinels])
        for handle in ready:  # answers first: a worker may send its result and then die
            if handle in pipes:
                self._receive(pipes[handle])
        if any(handle in sentinels for handle in ready):  # sentinels are ints, pipes objects
            raise self._died()

    def _receive(self, n: int) -> None:
        conn = self.workers[n][1]
        try:
            index, ok, result = conn.recv()
        except (EOFError, OSError):  # ended mid-send
            raise self._died() from None
        del self.busy[n]
        self.done[index] = (ok, result)

    def _died(self) -> WorkerDied:
        self.stop()
        return WorkerDied(f"a {self.what} process died (out of memory?); nothing was written", self.jobs)

    def _finish(self) -> None:
        for _, conn in self.workers:
            try:
                conn.send(_STOP)
            except OSError:
                pass
        for process, _ in self.workers:
            process.join(5)
        self.stop()

    def stop(self) -> None:
        """End every worker now (SIGKILL: they may ignore SIGTERM) and release the pipes (a
        no-op the second time)."""
        for process, _ in self.workers:
            if process.pid is not None and process.exitcode is None:  # (None: never started)
                process.kill()
        for process, conn in self.workers:
            if process.pid is not None:
                process.join(3)
            conn.close()
        self.workers = []
