"""Writing files and directories so they appear only when complete: one module for every
atomic write of trendscore (records, reports, plots, state files, registries, seed batches,
model directories).

What an output path gets (see docs/reliability.md):

- ``-``: standard output, written in UTF-8 whatever the locale (as files are), through its
  byte buffer: the ``sys.stdout`` of a program calling the library keeps its own encoding
  (only the command line makes it UTF-8, :func:`standard_output`); refused when closed (``>&-``).
- a regular file, new or existing: written to a temporary file beside it
  (``.NAME.HOST.PID.RANDOM.part``) and renamed into place when complete; an existing file
  keeps its mode (and, for root, its owner). On failure the temporary file is removed; one a
  killed process left is removed by the next write in that directory.
- a symbolic link to a regular file: the file it points to is replaced that way; the link stays.
- a character device (``/dev/null``, a terminal), a FIFO, a socket, or any path through
  ``/dev`` or ``/proc`` (``/proc/self/fd/1``): written into directly, never replaced.
- a directory, a block device, a missing directory, one of the inputs (same device and inode,
  standard input included, a pipe too: ``-o /dev/stdin`` while reading ``-``): refused before
  anything is read.

Directories (:func:`temp_dir_beside`, :func:`replace_dir`) are built in a hidden sibling and
swapped in whole; what may be replaced is the caller's to check (a model directory refuses
anything but an older model: :func:`trendscore.modeling.store.check_model_target`).
"""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
import tempfile
from pathlib import Path

from trendscore.errors import InputError, OutputError

__all__ = [
    "AtomicOutput",
    "atomic_write_bytes",
    "atomic_write_text",
    "create_new_file",
    "check_distinct_outputs",
    "check_output_path",
    "check_standard_output",
    "discard_standard_output",
    "output_kind",
    "standard_output",
    "temp_beside",
    "temp_dir_beside",
    "replace_dir",
]

#: errors of writing (not of reading) that become one line naming the output
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}


def _through_special(path: str) -> bool:
    """True when ``path`` or a symbolic link on its way lies in /dev or /proc."""
    p = os.path.abspath(path)
    for _ in range(40):
        if p.startswith(("/dev/", "/proc/")):
            return True
        if not os.path.islink(p):
            return False
        p = os.path.normpath(os.path.join(os.path.dirname(p), os.readlink(p)))
    return False


def output_kind(path: str) -> str:
    """How ``path`` is written: ``stdout``, ``direct`` (device, FIFO, socket, /dev or /proc)
    or ``atomic`` (a regular file, new or existing); raises for what may not be written."""
    if path == "-":
        return "stdout"
    if not path:
        raise InputError("the output name is empty")
    if path.endswith("/"):
        raise InputError("the output names a directory (it ends in /)", path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "direct" if _through_special(path) else "atomic"
    except OSError as exc:
        raise InputError(f"cannot use as output ({exc.strerror or exc})", path) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("the output is a directory", path)
    if stat.S_ISBLK(st.st_mode):
        raise InputError("the output is a block device; refusing to write to it", path)
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode) or stat.S_ISSOCK(st.st_mode):
        return "direct"
    return "direct" if _through_special(path) else "atomic"


def check_standard_output() -> None:
    """Refuse with an :class:`InputError` a standard output that was closed as the process
    started (``>&-``), where Python has none: there is nowhere for the results to go."""
    if sys.stdout is None:
        raise InputError("standard output is closed: there is nothing to write to; name an output file", "-")


def standard_output():
    """``sys.stdout``, made to write UTF-8 (its error handler kept) when the locale gave it
    another encoding (a legacy locale, ``PYTHONIOENCODING=latin-1``), for a program that owns
    its standard output (the command line): what it prints is UTF-8, as the files it writes
    are. Refused with an :class:`InputError` when standard output is closed (``>&-``). The
    library's own writes to ``-`` leave ``sys.stdout`` as it is (:class:`AtomicOutput`)."""
    import codecs

    check_standard_output()
    out = sys.stdout
    try:
        utf8 = codecs.lookup(getattr(out, "encoding", None) or "").name == "utf-8"
    except LookupError:
        utf8 = False
    if not utf8 and hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8", errors=out.errors)
    return out


def discard_standard_output() -> None:
    """Point standard output (file descriptor 1) at the null device, once its reader has gone
    (a closed pipe): what is still buffered for it is then dropped when the process ends,
    instead of failing once more there. Nothing is done where standard output is no file."""
    try:
        fd = sys.stdout.fileno() if sys.stdout is not None else -1
    except (AttributeError, OSError, ValueError):
        return
    if fd < 0:
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


class _Borrowed(io.RawIOBase):
    """Writes into a byte stream that another owns (standard output's buffer), which closing
    this one (or its garbage collection) leaves open: only flushed."""

    def __init__(self, target):
        super().__init__()
        self.target = target

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.target.write(data)
        return len(data)

    def flush(self) -> None:
        if not self.closed:
            self.target.flush()


def _standard_stream(binary: bool):
    """What the library writes to ``-`` through: standard output's byte buffer (``binary``),
    or a UTF-8 text stream into it (its error handler kept, no line-end translation, as a
    file is written), after what the caller printed is flushed; ``sys.stdout`` itself is not
    changed. A ``sys.stdout`` without a byte buffer (an ``io.StringIO``) takes the text as it is."""
    check_standard_output()
    out = sys.stdout
    out.flush()
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        if binary:
            raise OutputError("standard output: it takes text only (it has no byte buffer); name an output file")
        return out
    if binary:
        return buffer
    errors = getattr(out, "errors", None) or "strict"
    return io.TextIOWrapper(_Borrowed(buffer), encoding="utf-8", errors=errors, newline="", write_through=False)


def _file_id(st: os.stat_result) -> tuple[int, int] | None:
    """Device and inode of an input that writing into would destroy (a regular file) or feed
    back into this run's own reading (a pipe or FIFO); None for anything else (a device such
    as /dev/null or a terminal may be both an input and the output)."""
    if stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return st.st_dev, st.st_ino
    return None


def _input_ids(inputs: list[str]) -> set[tuple[int, int]]:
    ids = set()
    for name in inputs:
        try:
            st = os.fstat(sys.stdin.fileno()) if name == "-" else os.stat(name)
        except (OSError, ValueError, AttributeError):
            continue
        found = _file_id(st)
        if found is not None:
            ids.add(found)
    return ids


def check_output_path(out: str, inputs: list[str]) -> None:
    """Refuse an output that is one of the inputs (standard input included, compared by device
    and inode, so a pipe on standard input named as ``/dev/stdin`` or ``/proc/self/fd/0`` is
    caught too), the pipe on standard input when it is not an input, a directory or block
    device, or lies in a missing directory."""
    kind = output_kind(out)
    if kind == "stdout":
        check_standard_output()  # closed: refused before any work
        return
    if kind == "atomic":
        real = Path(os.path.realpath(out))
        if not real.parent.is_dir():
            raise InputError(f"the output's directory {real.parent} does not exist", out)
    try:
        st = os.stat(out)
    except OSError:
        return
    found = _file_id(st)
    if found is not None and found in _input_ids(inputs):
        raise InputError("the output is also an input; refusing to overwrite it", out)
    if stat.S_ISFIFO(st.st_mode) and found in _input_ids(["-"]):
        # stdin not among the inputs: this run never reads the pipe, so its output would wait
        # there unread (and the run hang once the pipe is full)
        raise InputError("the output is the pipe on standard input, which this command does not read", out)


def check_distinct_outputs(outputs: dict[str, str | None]) -> None:
    """Refuse two outputs of one run that name the same file (``outputs`` maps what each is,
    "the plot", to its path; None and standard output are left out): the second written would
    silently replace the first."""
    seen: dict[str, str] = {}
    for what, path in outputs.items():
        if path is None or output_kind(path) == "stdout":
            continue
        real = os.path.realpath(path)
        if real in seen:
            raise InputError(f"{seen[real]} and {what} would both be written to this file; name two files", path)
        seen[real] = what


def _host() -> str:
    if hasattr(os, "uname"):  # the host name, without importing socket (~3 ms a run)
        name = os.uname().nodename
    else:
        import socket

        name = socket.gethostname()
    return name.replace(".", "_") or "host"


def temp_beside(target: Path) -> tuple[int, str]:
    """A new temporary file beside ``target``, named ``.NAME.HOST.PID.RANDOM.part``, after
    removing the ones killed processes of this host left in that directory. It gets the mode
    of an existing ``target`` (and its owner, when run as root), else the mode a plainly
    created file gets (not mkstemp's 0600)."""
    _remove_stale_parts(target.parent)
    try:
        fd, path = tempfile.mkstemp(
            prefix=f".{target.name}.{_host()}.{os.getpid()}.", suffix=".part", dir=target.parent
        )
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {target.parent} ({exc.strerror or exc})") from None
    try:
        st = os.stat(target)
    except OSError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode):
        os.fchmod(fd, stat.S_IMODE(st.st_mode))
        if os.geteuid() == 0 and (st.st_uid, st.st_gid) != (0, 0):
            try:
                os.fchown(fd, st.st_uid, st.st_gid)
            except OSError:
                pass
    else:
        mask = os.umask(0)  # read the umask (there is no other portable way), then put it back
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)
    return fd, path


def _remove_stale_parts(directory: Path) -> None:
    """Delete ``.NAME.HOST.PID.RANDOM.part`` files of this host whose process no longer runs.
    Files of other hosts (a shared directory), of live processes, or named otherwise stay."""
    host = _host()
    try:
        names = [n for n in os.listdir(directory) if n.startswith(".") and n.endswith(".part")]
    except OSError:
        return
    for name in names:
        parts = name[: -len(".part")].rsplit(".", 3)
        if len(parts) != 4 or parts[1] != host or not parts[2].isdigit() or _alive(int(parts[2])):
            continue
        try:
            os.unlink(directory / name)
        except OSError:
            pass  # another process removed it first


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _open_fifo_to_write(path: str):
    """Open a named FIFO to write, waiting at most :data:`~trendscore.io.opening.FIFO_WAIT_SECONDS`
    (the bound an input FIFO's writer has) for a process to open it to read: a plain open waits
    for one for ever. The open is made without blocking (it fails while no reader is there)
    and tried again until one comes; the FIFO is then written as any pipe is."""
    import time

    from trendscore.io import opening

    deadline = time.monotonic() + opening.FIFO_WAIT_SECONDS
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
            if time.monotonic() >= deadline:
                wait = f"{opening.FIFO_WAIT_SECONDS:g} s"
                no_reader = f"a FIFO that no process opened to read in {wait}; start its reader first"
                raise InputError(no_reader, path) from None
            time.sleep(0.05)
            continue
        os.set_blocking(fd, True)
        return open(fd, "wb")


def _open_direct(path: str, binary: bool):
    """Open a device, FIFO or socket for writing, without replacing it."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISFIFO(mode):
            raw = _open_fifo_to_write(path)
        elif stat.S_ISSOCK(mode):
            import socket

            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(path)
            except OSError:
                sock.close()
                raise
            raw = sock.makefile("wb")
            sock.close()  # the file object keeps the connection
        else:
            raw = open(path, "wb")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    if binary:
        return raw
    import io

    return io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)


def _write_failure(path: str, exc: BaseException | None, ours: bool) -> OutputError | None:
    """An OSError of closing or renaming (``ours``), or of writing, as one line."""
    if isinstance(exc, BrokenPipeError) or not isinstance(exc, OSError):
        return None
    if ours or exc.errno in _WRITE_ERRNOS:
        where = "standard output" if path == "-" else path
        return OutputError(f"{where}: cannot write ({exc.strerror or exc}); the output was not changed")
    return None


class AtomicOutput:
    """A file written beside its final path and renamed into place on success.

    On an exception, or a process killed mid-way, the final path keeps its old content; the
    temporary file a killed process leaves is removed by the next write to the same path.
    ``-`` writes to standard output; devices, FIFOs and sockets are written into directly (see
    the module's notes). A write that fails (full disk, say) removes the temporary file and
    becomes an :class:`~trendscore.errors.OutputError`. ``binary`` gives a bytes stream.
    """

    def __init__(self, path: str, binary: bool = False):
        self.path = path
        self.binary = binary
        self._tmp: str | None = None
        self._final: str | None = None

    def __enter__(self):
        kind = output_kind(self.path)
        if kind == "stdout":
            self.fh = _standard_stream(self.binary)
        elif kind == "direct":
            self.fh = _open_direct(self.path, self.binary)
        else:
            self._final = os.path.realpath(self.path)  # through a symbolic link: its target
            fd, self._tmp = temp_beside(Path(self._final))
            self.fh = os.fdopen(fd, "wb") if self.binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        failure = exc
        try:
            if self._tmp is None and self.fh in (sys.stdout, getattr(sys.stdout, "buffer", None)):
                self.fh.flush()
            else:
                self.fh.close()
        except OSError as close_exc:
            failure = failure or close_exc
        if self._tmp is not None and self._final is not None:  # both set together in __enter__
            if failure is None:
                try:
                    os.replace(self._tmp, self._final)
                except OSError as exc_replace:
                    failure = exc_replace
            if failure is not None:
                try:
                    os.unlink(self._tmp)
                except OSError:
                    pass
        error = _write_failure(self.path, failure, ours=failure is not exc)
        if error is not None:
            raise error from None
        if failure is not None and failure is not exc:
            raise failure
        return False


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write a whole file at once: a temporary file beside it, then a rename (devices, FIFOs
    and sockets are written into directly, as for :class:`AtomicOutput`)."""
    kind = output_kind(str(path))
    if kind == "atomic":
        real = Path(os.path.realpath(path))
        if not real.parent.is_dir():
            raise InputError(f"the output's directory {real.parent} does not exist", str(path))
    with AtomicOutput(str(path), binary=True) as fh:
        fh.write(data)
        if kind == "atomic":
            fh.flush()
            os.fsync(fh.fileno())


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """:func:`atomic_write_bytes` of ``text`` in UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"))


def create_new_file(target: Path, data: bytes) -> None:
    """Write ``data`` as the new file ``target``, complete and synced before it appears; never
    replaces anything: ``FileExistsError`` when the name is taken (also when taken meanwhile).
    Any other failure (a full disk, a folder without hard links) is an :class:`OutputError`
    naming ``target``: it had been the bare OSError, naming nothing or the hidden temporary
    file (``Error: No space left on device``)."""
    fd, tmp = temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, target)  # fails if the name exists: never overwrites
    except FileExistsError:
        raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc}); it was not created") from None
    finally:
        os.unlink(tmp)


def temp_dir_beside(final: Path) -> Path:
    """A new, empty hidden directory beside ``final`` (``.NAME.RANDOM``), to fill and then
    put in place with :func:`replace_dir`; the parent directory is created if missing."""
    final.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return rc == 0


def replace_dir(new: Path, final: Path) -> None:
    """Put directory ``new`` at ``final``: a rename when ``final`` is missing, else an atomic
    exchange (Linux) or, where there is none, two renames through a new hidden name beside it
    (``.NAME.old.RANDOM``); the old directory is then deleted. The caller checks beforehand
    that ``final`` may be replaced. (The second way had gone through ``NAME.old``, deleting
    whatever folder of the user's had that name first.)"""
    import shutil

    if not final.exists():
        os.rename(new, final)
        return
    if _renameat2_exchange(new, final):
        shutil.rmtree(new)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
    os.rename(final, old)  # onto the empty directory just made: a name no one else has
    os.rename(new, final)
    shutil.rmtree(old)
