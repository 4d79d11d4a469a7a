"""Writing labelled records: jsonl, csv or a table; files appear only when complete.

What an output path gets (see docs/reliability.md):

- ``-``: standard output.
- a regular file, new or existing: written to a temporary file beside it and renamed into
  place when complete; an existing file keeps its mode (and, for root, its owner).
- a symbolic link to a regular file: the file it points to is replaced that way; the link stays.
- a character device (``/dev/null``, a terminal), a FIFO, a socket, or any path through
  ``/dev`` or ``/proc`` (``/proc/self/fd/1``): written into directly, never replaced.
- a directory, a block device, a missing directory, one of the inputs (same device and inode,
  standard input included): refused before anything is read.
"""

from __future__ import annotations

import csv
import errno
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO

from .errors import InputError, OutputError
from .jsonfast import RawNumber, dumps, dumps_line, loads

__all__ = [
    "AtomicOutput",
    "RecordWriter",
    "OUTPUT_FORMATS",
    "check_output_path",
    "atomic_write_bytes",
    "temp_beside",
    "output_kind",
    "printable",
]

OUTPUT_FORMATS = ("jsonl", "csv", "table")
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


def _input_ids(inputs: list[str]) -> set[tuple[int, int]]:
    ids = set()
    for name in inputs:
        try:
            st = os.fstat(sys.stdin.fileno()) if name == "-" else os.stat(name)
        except (OSError, ValueError, AttributeError):
            continue
        if stat.S_ISREG(st.st_mode):
            ids.add((st.st_dev, st.st_ino))
    return ids


def check_output_path(out: str, inputs: list[str]) -> None:
    """Refuse an output that is one of the inputs (standard input included, compared by device
    and inode), a directory or block device, or lies in a missing directory."""
    kind = output_kind(out)
    if kind == "stdout":
        return
    if kind == "atomic":
        real = Path(os.path.realpath(out))
        if not real.parent.is_dir():
            raise InputError(f"the output's directory {real.parent} does not exist", out)
    try:
        st = os.stat(out)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) in _input_ids(inputs):
        raise InputError("the output is also an input; refusing to overwrite it", out)


def _host() -> str:
    import socket

    return socket.gethostname().replace(".", "_") or "host"


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


def _open_direct(path: str, binary: bool):
    """Open a device, FIFO or socket for writing, without replacing it."""
    try:
        if stat.S_ISSOCK(os.stat(path).st_mode):
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
            self.fh = sys.stdout.buffer if self.binary else sys.stdout
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


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes, line ends, bidirectional overrides)
    shown as ``\\x1b``-style escapes: what the table format prints of a user's data."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _cell(value) -> str:
    """A CSV cell: strings as they are, null empty, anything else as its JSON text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, RawNumber):
        return value.text
    return dumps(value)


class RecordWriter:
    """Writes labelled records in one of :data:`OUTPUT_FORMATS` to an open text stream.

    CSV output has a column for every field of any record (in the order fields first
    appear), then ``labels`` and one ``score_THEME`` per theme; rows are kept in a temporary
    file until :meth:`close` writes the header and them, so memory stays flat. Use it as a
    context manager, or call :meth:`close` when done.
    """

    def __init__(self, fh, fmt: str, themes: list[str]):
        if fmt not in OUTPUT_FORMATS:
            raise InputError(f"unknown output format {fmt!r}; expected one of {', '.join(OUTPUT_FORMATS)}")
        self.fh, self.fmt, self.themes = fh, fmt, themes
        self._rows: IO[str] | None = None  # CSV rows waiting for the header
        self._columns: dict[str, int] = {}
        self._reserved = {"labels", "scores", "explain"}
        self._score_columns = {f"score_{t}" for t in themes} | {"labels"}

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        elif self._rows is not None:
            self._rows.close()
        return False

    def write(self, record: dict) -> None:
        """Write one labelled record in the writer's format (CSV rows wait for :meth:`close`)."""
        if self.fmt == "jsonl":
            self.fh.write(dumps_line(record))
        elif self.fmt == "csv":
            self._buffer_csv(record)
        else:
            self._write_table(record)

    def _buffer_csv(self, record: dict) -> None:
        if self._rows is None:
            self._rows = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        cells = [""] * len(self._columns)
        for key, value in record.items():
            if key in self._reserved:
                continue
            index = self._columns.get(key)
            if index is None:
                if key in self._score_columns:
                    raise InputError(
                        f"a record has a field {key!r}, the name of a column of the CSV output; use --format jsonl"
                    )
                index = self._columns[key] = len(self._columns)
                cells.append("")
            cells[index] = _cell(value)
        scores = record.get("scores", {})
        tail = ["|".join(record.get("labels", []))] + [_cell(scores.get(t)) for t in self.themes]
        self._rows.write(dumps_line([tail, cells]))

    def close(self) -> None:
        """Write what is buffered (the CSV header and rows); the stream stays open."""
        if self.fmt != "csv":
            return
        writer = csv.writer(self.fh)
        writer.writerow(list(self._columns) + ["labels"] + [f"score_{t}" for t in self.themes])
        if self._rows is None:
            return
        width = len(self._columns)
        rows, self._rows = self._rows, None
        with rows:
            rows.seek(0)
            for line in rows:
                tail, cells = loads(line)
                try:
                    writer.writerow(cells + [""] * (width - len(cells)) + tail)
                except UnicodeEncodeError:
                    raise InputError(
                        "a field holds a lone surrogate (a half of a UTF-16 pair, from a JSON escape), which "
                        "UTF-8 CSV cannot hold; use --format jsonl, which keeps it escaped"
                    ) from None

    def _write_table(self, record: dict) -> None:
        text = " ".join(printable(str(record.get("text", ""))).split())
        text = text if len(text) <= 48 else text[:47] + "…"
        labels = printable(",".join(record.get("labels", []))) or "-"
        rid = printable(str(record.get("id", "")))[:14]
        self.fh.write(f"{rid:<14}  {labels:<36}  {text}\n")
        for theme, terms in (record.get("explain") or {}).items():
            shown = ", ".join(f"{printable(t)} {w:+.3f}" for t, w in terms)
            self.fh.write(f"{'':<14}    {printable(theme)}: {shown}\n")


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
