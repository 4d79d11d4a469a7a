"""A label job's output directory: one Parquet part a chunk, written by whichever process
labelled it (a cluster's workers write their own, so the client is no bottleneck), and a
``_SUCCESS`` file once every part is there. ``score DIR`` reads such a directory and refuses
one without ``_SUCCESS``."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from trendscore.errors import InputError
from trendscore.run.reading import DONE

__all__ = ["output_directory"]


@contextmanager
def output_directory(path: str, inputs: list[str]):
    """Make ``path`` ready for parts (a new or empty directory) and yield its absolute path;
    on success give the parts one schema (:func:`trendscore.io.parquet_parts.unify_parts`) and
    write ``_SUCCESS``, on failure remove what this job put there."""
    target = Path(path)
    if not target.parent.resolve().is_dir():
        raise InputError(f"the output's directory {target.parent.resolve()} does not exist", path)
    made = not target.exists()
    if not made:
        if not target.is_dir():
            raise InputError("exists and is not a directory; give a new or empty directory", path)
        if any(target.iterdir()):
            raise InputError("exists and is not empty; give a new or empty directory", path)
    real = target.resolve()
    for name in inputs:
        if name != "-" and Path(name).resolve().is_relative_to(real):
            raise InputError("the output directory holds an input; refusing to write into it", path)
    _claim(real, made, path)
    try:
        yield str(real)
        from trendscore.io.parquet_parts import unify_parts

        unify_parts(str(real), path)  # parts written apart, read as one dataset
    except BaseException:
        _discard(real, made)
        raise
    from trendscore.io.writers import atomic_write_bytes

    atomic_write_bytes(os.path.join(real, DONE), b"")
    (real / CLAIM).unlink(missing_ok=True)


#: made in the output directory, exclusively, by the job that writes there until it is done
CLAIM = ".trendscore-writing"


def _claim(real: Path, made: bool, path: str) -> None:
    """Make the directory (exclusively, when it was missing) and the job's claim on it, so
    that of two jobs started at once on one new or empty directory the second is refused:
    both had found it free, written parts of the same names over each other's and exited 0,
    leaving one job's output and none of the other's."""
    busy = InputError("another job began writing into this directory at the same moment; give each job its own", path)
    try:
        real.mkdir(exist_ok=not made)
    except FileExistsError:
        raise busy from None
    except OSError as exc:
        raise InputError(f"cannot make the output directory ({exc.strerror})", path) from None
    try:
        os.close(os.open(real / CLAIM, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except FileExistsError:
        raise busy from None
    except OSError as exc:
        raise InputError(f"cannot write in the output directory ({exc.strerror})", path) from None


def _discard(real: Path, made: bool) -> None:
    """Remove what a failed job wrote. Cluster tasks already running finish after the job has
    failed and may still write a part: a directory this job made is first renamed away, so
    that nothing can appear under its name; the parts written into a directory that existed
    are removed until none comes for a moment."""
    import time

    if made:
        gone = real.with_name(f".{real.name}.failed-{os.getpid()}")
        try:
            os.rename(real, gone)
        except OSError:
            gone = real
        for _ in range(20):
            shutil.rmtree(gone, ignore_errors=True)
            if not gone.exists():
                return
            time.sleep(0.25)
        return
    (real / CLAIM).unlink(missing_ok=True)
    for _ in range(8):
        parts = [p for p in real.iterdir() if p.name.startswith(("part-", ".part-"))]
        if not parts:
            return
        for part in parts:
            part.unlink(missing_ok=True)
        time.sleep(0.25)
