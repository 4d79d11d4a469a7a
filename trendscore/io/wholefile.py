"""Files trendscore reads whole (model and registry JSON, ``.npy`` arrays, manifests): the one
guard for them. A file's status is read before it is opened, so a FIFO is never waited on and
a device (``/dev/zero``) never read without end; its size is bounded before it is read, so a
sparse file of gigabytes (a few bytes on disk) cannot take the memory or the time.

Streamed inputs (``label``/``score`` files, seed files) are not read here: they may be any
size and are bounded a line at a time (:func:`trendscore.io.readers.max_line_bytes`). The
entries of a directory of them are checked here though (:func:`listed_problem`).
"""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager

__all__ = [
    "NotReadable",
    "file_problem",
    "listed_problem",
    "read_whole",
    "open_whole",
    "read_into",
    "size_text",
    "MAX_JSON_BYTES",
    "MAX_ARRAY_BYTES",
]

#: the largest JSON file of a model or registry read (model.json, vocab.json, card.json...): a
#: THUCNews-sized model (836,000 seeds, 250,000 vocabulary entries) writes a card of some 12 MB
#: (a key a seed) and a vocabulary of some 4 MB
MAX_JSON_BYTES = 64 << 20
#: the largest ``.npy`` array of a model read: the largest a THUCNews-sized model writes (its
#: weights, 250,000 terms by 14 themes) is some 28 MB
MAX_ARRAY_BYTES = 1 << 30

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotReadable(ValueError):
    """Why a file cannot be read whole (``not a regular file (a FIFO)``, ``... bytes, more than
    64 MiB ...``); the caller names the file in its own kind of error. ``reason`` says which
    case it is, for a caller that words its own errors: ``missing``, ``directory``, ``special``
    (a FIFO, socket or device), ``large``, ``unreadable`` or ``changed``."""

    def __init__(self, message: str, reason: str = "unreadable"):
        super().__init__(message)
        self.reason = reason


def size_text(n: int) -> str:
    """``n`` bytes in words: ``64 MiB``, ``1 GiB``, ``3,221,225,472 bytes``."""
    for shift, unit in ((30, "GiB"), (20, "MiB")):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n:,} bytes"


def _status_problem(st: os.stat_result, limit: int | None) -> NotReadable | None:
    if stat.S_ISREG(st.st_mode):
        if limit is not None and st.st_size > limit:
            message = f"{size_text(st.st_size)}, more than the {size_text(limit)} such a file may hold"
            return NotReadable(message, "large")
        return None
    kind = next((name for test, name in _KINDS if test(st.st_mode)), None)
    reason = "directory" if stat.S_ISDIR(st.st_mode) else "special"
    return NotReadable("not a regular file" + (f" ({kind})" if kind else ""), reason)


def _path_problem(path, limit: int | None) -> NotReadable | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return NotReadable("missing", "missing")
    except OSError as exc:
        return NotReadable(f"cannot be read ({exc.strerror or exc})")
    return _status_problem(st, limit)


def file_problem(path, limit: int | None = None) -> str | None:
    """Why ``path`` cannot be read whole: ``missing``, ``not a regular file (a FIFO)`` and the
    like, more than ``limit`` bytes, or None for a regular file within it. Only its status is
    read (through a symbolic link): opening a FIFO would wait for a writer."""
    problem = _path_problem(path, limit)
    return None if problem is None else str(problem)


def listed_problem(path, kind: str = "input") -> str | None:
    """Why the entry ``path`` of a directory, named like one of its ``kind`` files, cannot be
    read with them, or None (a regular file, or a folder, which is not looked into). A FIFO
    there would hold the whole run waiting for a writer, and a dangling link would be read as
    a missing file; skipped, they had been dropped without a word. Only the status is read."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return f"a symbolic link to a missing file, among the {kind} files of its directory: mend or remove it"
        return None  # gone since the directory was listed: nothing is dropped that was there
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
        return None
    return (
        f"{_status_problem(st, None)}, among the {kind} files of its directory, which are read in turn: "
        "move it out, or name it on its own"
    )


def read_whole(path, limit: int) -> bytearray:
    """The bytes of the regular file ``path``, at most ``limit`` of them; anything else is a
    :class:`NotReadable` saying why (see :func:`file_problem`). The file is opened without
    waiting (a FIFO put there after its status was read is not waited on either), its status
    read again from the open file, and its bytes read into one buffer of its size (a read of
    ``limit`` bytes would take that much memory whatever the file holds)."""
    with open_whole(path, limit) as (fh, size):
        data = bytearray(size + 1)  # one byte more: a file that grew meanwhile is seen to
        got = read_into(fh, memoryview(data))
    if got > size:
        raise NotReadable("changed while it was read", "changed")
    del data[got:]
    return data


@contextmanager
def open_whole(path, limit: int):
    """``(unbuffered binary file, its size)`` of the regular file ``path`` of at most ``limit``
    bytes, opened as :func:`read_whole` opens it, for a reader that reads its parts into
    buffers of its own (an array's values, straight where they are kept)."""
    problem = _path_problem(path, limit)
    if problem is not None:
        raise problem
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:  # removed since its status was read
        raise NotReadable("missing", "missing") from None
    except OSError as exc:
        raise NotReadable(f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb", buffering=0) as fh:
        st = os.fstat(fd)
        problem = _status_problem(st, limit)
        if problem is not None:
            raise problem
        yield fh, st.st_size


def read_into(fh, view: memoryview) -> int:
    """Fill the bytes ``view`` from ``fh`` until it is full or the file ends; the bytes read.
    An :class:`OSError` is a :class:`NotReadable`. The view is released."""
    got = 0
    try:
        with view.cast("B") as flat:
            while got < len(flat):
                with flat[got:] as rest:
                    n = fh.readinto(rest)
                if not n:
                    break
                got += n
    except OSError as exc:
        raise NotReadable(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        view.release()
    return got
