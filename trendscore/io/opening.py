"""Opening one input: a file or standard input, decompressed as it is read (gzip, bzip2,
Zstandard, told by their first bytes), with its first 64 KiB kept for sniffing.

Files in other binary formats (images, PDF, ZIP, executables) are refused in one line; a
Parquet file is recognised by its mark so that the Parquet reader takes it.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from trendscore.errors import ENCODING_HINT, InputError, hinted

__all__ = ["Source", "HEAD_BYTES", "PARQUET_MAGIC", "FIFO_WAIT_SECONDS"]

#: how long a named FIFO given as an input may go without a process opening it to write
FIFO_WAIT_SECONDS = 30.0

HEAD_BYTES = 1 << 16
_BLOCK = 1 << 20
PARQUET_MAGIC = b"PAR1"
_COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\x28\xb5\x2f\xfd": "zstd"}
_REFUSED = {
    b"\x89PNG": "looks like a PNG image, not text",
    b"%PDF": "looks like a PDF, not text",
    b"PK\x03\x04": "looks like a ZIP archive, not text; unzip it and give the files inside",
    b"\x7fELF": "looks like an executable, not text",
    b"\xfd7zXZ\x00": "looks like an xz archive; decompress it first (gzip, bzip2 and zstd are read as they are)",
    b"7z\xbc\xaf\x27\x1c": "looks like a 7-Zip archive; extract it first",
}


def _read_full(stream, n: int) -> bytes:
    """``n`` bytes, or fewer only at the end (decompressing readers may return less)."""
    parts, got = [], 0
    while got < n:
        block = stream.read(n - got)
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def _decompressing(kind: str, raw, name: str):
    if kind == "gzip":
        import gzip

        return gzip.GzipFile(fileobj=raw, mode="rb")
    if kind == "bzip2":
        import bz2

        return bz2.BZ2File(raw, mode="rb")
    from trendscore.extras import require

    zstandard = require("zstd", f"{name}: a Zstandard file; reading it")
    return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=False)


def _damage_types() -> tuple:
    kinds: list = [OSError, EOFError]
    try:
        import zstandard

        kinds.append(zstandard.ZstdError)
    except ImportError:
        pass
    return tuple(kinds)


def _open_fifo(path: Path, name: str):
    """Open a named FIFO to read, waiting at most :data:`FIFO_WAIT_SECONDS` for a writer.

    Opening a FIFO blocks until some process opens it to write; with none, the read would
    wait for ever. The open is made in a thread; if it has not returned in time, this process
    opens the FIFO to write for a moment (which lets the waiting open return) and the input
    is refused. A pipe from ``<(command)`` is not a named FIFO: its writer is already there.
    """
    opened: list = []

    def opener() -> None:
        try:
            opened.append(open(path, "rb"))
        except OSError as exc:
            opened.append(exc)

    waiter = threading.Thread(target=opener, name="trendscore-fifo-open", daemon=True)
    waiter.start()
    waiter.join(FIFO_WAIT_SECONDS)
    if not waiter.is_alive():
        if isinstance(opened[0], OSError):
            raise opened[0]
        return opened[0]
    try:  # be the writer the open waits for, so that its thread ends (a FIFO not writable: it stays)
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass
    waiter.join(1.0)
    for got in opened:
        if not isinstance(got, OSError):
            got.close()
    raise InputError(f"a FIFO that no process opened to write in {FIFO_WAIT_SECONDS:g} s; start its writer first", name)


class Source:
    """The bytes of one input (``-`` is standard input), decompressed if they are compressed.

    ``head`` holds the first :data:`HEAD_BYTES` bytes (decompressed), ``compression`` the
    compression found (or None), ``parquet`` whether the content is a Parquet file.
    After :meth:`transcode`, :meth:`chunks` yields UTF-8.
    """

    def __init__(self, name: str):
        self.name = name
        self.raw = self._open_raw(name)
        self.stream = self.raw
        self.compression = None
        self._decoder: codecs.IncrementalDecoder | None = None
        self._lines_done = 0
        try:
            start = self.raw.peek(8)[:8] if hasattr(self.raw, "peek") else b""
            for magic, kind in _COMPRESSED.items():
                if start.startswith(magic):
                    self.compression = kind
                    self.stream = _decompressing(kind, self.raw, name)
            self.head = self._read(HEAD_BYTES)
            self._more = len(self.head) == HEAD_BYTES
        except BaseException:
            self.close()
            raise
        for magic, what in _REFUSED.items():
            if self.head.startswith(magic):
                self.close()
                raise InputError(what, name, 1)
        self.parquet = self.head.startswith(PARQUET_MAGIC)

    @staticmethod
    def _open_raw(name: str):
        if name == "-":
            if sys.stdin is None:  # closed when the process started (`<&-`): Python made no sys.stdin
                raise InputError("standard input is closed: there is nothing to read", name)
            stdin = sys.stdin.buffer
            return stdin if hasattr(stdin, "peek") else io.BufferedReader(stdin)
        path = Path(name)
        if path.is_dir():
            raise InputError("is a directory; give the files inside it", name)
        try:
            if stat.S_ISFIFO(path.stat().st_mode):
                return _open_fifo(path, name)
            raw = open(path, "rb")
        except FileNotFoundError:
            raise InputError("no such file", name) from None
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", name) from None
        if raw.isatty():  # a terminal's device named as a file (/dev/tty, /dev/pts/3): read until typing ends
            raw.close()
            raise InputError("is a terminal, which is read until someone types an end; to type passages, give -", name)
        return raw

    def read_all(self, limit: int | None = None, advice: str = "") -> bytes | bytearray:
        """The whole (decompressed) content; for formats that need it at once (Parquet from a
        pipe). Past ``limit`` bytes it is an :class:`InputError` ending in ``advice``, read no
        further (a gzip bomb of a few MB can hold gigabytes)."""
        if limit is None:
            return b"".join(self._raw_chunks())
        from trendscore.io.wholefile import size_text

        held = bytearray()
        for block in self._raw_chunks():
            held += block
            if len(held) > limit:
                raise InputError(f"more than {size_text(limit)} to hold in memory{advice}", self.name)
        return held

    def _read(self, n: int) -> bytes:
        try:
            return _read_full(self.stream, n)
        except _damage_types() as exc:
            if self.compression is None:
                raise InputError(f"cannot read ({getattr(exc, 'strerror', None) or exc})", self.name) from None
            raise InputError(f"damaged {self.compression} data ({exc})", self.name) from None

    def transcode(self, codec: str, errors: str = "strict") -> None:
        """From now on :meth:`chunks` yields the content decoded from ``codec`` as UTF-8
        (for encodings whose line end is not the byte ``\\n``: UTF-16, UTF-32)."""
        self._decoder = codecs.getincrementaldecoder(codec)(errors)
        self._codec = codec

    def _raw_chunks(self) -> Iterator[bytes]:
        yield self.head
        if not self._more:
            return
        while block := self._read(_BLOCK):
            yield block

    def chunks(self) -> Iterator[bytes]:
        """The input's bytes in blocks, decompressed, and transcoded to UTF-8 when a codec was set."""
        if self._decoder is None:
            yield from self._raw_chunks()
            return
        first = True
        for block in self._raw_chunks():
            text = self._decode(block, final=False)
            if first:
                text, first = text.removeprefix("\ufeff"), False
            yield text.encode("utf-8", "surrogatepass")
        yield self._decode(b"", final=True).encode("utf-8", "surrogatepass")

    def _decode(self, block: bytes, final: bool) -> str:
        assert self._decoder is not None  # chunks() decodes only after transcode()
        try:
            text = self._decoder.decode(block, final)
        except UnicodeDecodeError as exc:
            try:  # the text before the bad bytes, to count its lines (a fresh decoder: this one failed)
                done = codecs.decode(block[: exc.start], self._codec, "replace")
            except UnicodeError:
                done = ""
            line = self._lines_done + done.count("\n") + 1
            error = InputError(f"bytes that are not valid {self._codec}", self.name, line)
            raise hinted(error, ENCODING_HINT) from None
        except UnicodeError as exc:  # utf-16 / utf-32 without a byte-order mark
            order = f"{self._codec}-le or {self._codec}-be"
            message = f"{exc}; name the byte order in the encoding: {order}"
            raise InputError(message, self.name, self._lines_done + 1) from None
        self._lines_done += text.count("\n")
        return text

    @property
    def complete(self) -> bool:
        """True when :attr:`head` holds the whole content."""
        return not self._more

    @property
    def transcoded(self) -> bool:
        """True when :meth:`chunks` yields bytes other than the file's own (UTF-16/32 turned into UTF-8)."""
        return self._decoder is not None

    def seekable_path(self) -> str | None:
        """The file's path when it can be read again directly (a regular file, not compressed):
        not a pipe (``<(command)``, a FIFO) or a device, whose bytes are read once."""
        if self.compression:
            return None
        return self.name if self._regular() else None

    def _regular(self) -> bool:
        """True when the input is a regular file (not standard input, a pipe or a device)."""
        if self.name == "-":
            return False
        try:
            return stat.S_ISREG(os.fstat(self.raw.fileno()).st_mode)
        except (OSError, ValueError):
            return False

    def position(self) -> int | None:
        """How many of the file's own bytes (compressed ones, if it is compressed) have been
        read so far: a measure of progress through a regular file; None for standard input,
        a pipe or a device, whose size is not known."""
        if not self._regular():
            return None
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return None

    def close(self) -> None:
        """Close the streams this source opened (standard input is left open)."""
        for stream in (self.stream, self.raw):
            if stream is not sys.stdin.buffer and not getattr(stream, "closed", True):
                stream.close()
