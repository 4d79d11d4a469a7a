"""Writing labelled records: jsonl, csv or a table; files appear only when complete."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from pathlib import Path

from .errors import InputError
from .jsonfast import dumps_line

__all__ = ["AtomicOutput", "RecordWriter", "OUTPUT_FORMATS", "check_output_path", "atomic_write_bytes", "temp_beside"]

OUTPUT_FORMATS = ("jsonl", "csv", "table")


def check_output_path(out: str, inputs: list[str]) -> None:
    """Refuse an output that is one of the inputs or lies in a missing directory."""
    if out == "-":
        return
    target = Path(out)
    if not target.parent.is_dir():
        raise InputError(f"the output's directory {target.parent} does not exist", out)
    if target.is_dir():
        raise InputError("the output is a directory", out)
    for name in inputs:
        if name != "-" and target.exists() and Path(name).exists() and os.path.samefile(name, target):
            raise InputError("the output is also an input; refusing to overwrite it", out)


def _host() -> str:
    import socket

    return socket.gethostname().replace(".", "_") or "host"


def temp_beside(target: Path) -> tuple[int, str]:
    """A new temporary file beside ``target``, named ``.NAME.HOST.PID.RANDOM.part``, after
    removing the ones killed processes of this host left in that directory."""
    _remove_stale_parts(target.parent)
    fd, path = tempfile.mkstemp(prefix=f".{target.name}.{_host()}.{os.getpid()}.", suffix=".part", dir=target.parent)
    mask = os.umask(0)  # read the umask (there is no other portable way), then put it back
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)  # the mode a plainly created file gets, not mkstemp's 0600
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


class AtomicOutput:
    """A text file written beside its final path and renamed into place on success.

    On an exception, or a process killed mid-way, the final path keeps its old content; the
    temporary file a killed process leaves is removed by the next write to the same path.
    ``-`` writes to standard output.
    """

    def __init__(self, path: str):
        self.path = path
        self._tmp: str | None = None

    def __enter__(self):
        if self.path == "-":
            self.fh = sys.stdout
            return self.fh
        fd, self._tmp = temp_beside(Path(self.path))
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        if self.path == "-":
            self.fh.flush()
            return False
        self.fh.close()
        assert self._tmp is not None
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            os.unlink(self._tmp)
        return False


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class RecordWriter:
    """Writes labelled records in one of :data:`OUTPUT_FORMATS` to an open text stream."""

    def __init__(self, fh, fmt: str, themes: list[str]):
        if fmt not in OUTPUT_FORMATS:
            raise InputError(f"unknown output format {fmt!r}; expected one of {', '.join(OUTPUT_FORMATS)}")
        self.fh, self.fmt, self.themes = fh, fmt, themes
        self._csv = None
        self._columns: list[str] = []

    def write(self, record: dict) -> None:
        if self.fmt == "jsonl":
            self.fh.write(dumps_line(record))
        elif self.fmt == "csv":
            self._write_csv(record)
        else:
            self._write_table(record)

    def _write_csv(self, record: dict) -> None:
        if self._csv is None:
            base = [k for k in record if k not in ("labels", "scores", "explain")]
            self._columns = base + ["labels"] + [f"score_{t}" for t in self.themes]
            self._csv = csv.writer(self.fh)
            self._csv.writerow(self._columns)
        row = dict(record)
        row["labels"] = "|".join(record.get("labels", []))
        for t in self.themes:
            row[f"score_{t}"] = record.get("scores", {}).get(t)
        self._csv.writerow([_cell(row.get(c)) for c in self._columns])

    def _write_table(self, record: dict) -> None:
        text = " ".join(str(record.get("text", "")).split())
        text = text if len(text) <= 48 else text[:47] + "…"
        labels = ",".join(record.get("labels", [])) or "-"
        rid = str(record.get("id", ""))[:14]
        self.fh.write(f"{rid:<14}  {labels:<36}  {text}\n")
        for theme, terms in (record.get("explain") or {}).items():
            shown = ", ".join(f"{t} {w:+.3f}" for t, w in terms)
            self.fh.write(f"{'':<14}    {theme}: {shown}\n")


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write a whole file at once: a temporary file beside it, then a rename."""
    target = Path(path)
    if not target.parent.is_dir():
        raise InputError(f"the output's directory {target.parent} does not exist", path)
    fd, tmp = temp_beside(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
