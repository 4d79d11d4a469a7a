"""The model directory format: plain JSON and .npy files, a manifest of SHA-256 hashes,
a format version, and atomic writes. Nothing in it can run code when loaded."""

from __future__ import annotations

import array
import ast
import hashlib
import json
import math
import os
import struct
import sys
from pathlib import Path

from trendscore.errors import Hint, InputError, ModelError, OutputError, hinted
from trendscore.io.atomic import replace_dir, temp_dir_beside
from trendscore.io.wholefile import (
    MAX_ARRAY_BYTES,
    MAX_JSON_BYTES,
    NotReadable,
    file_problem,
    open_whole,
    read_into,
    read_whole,
)

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "write_model_dir",
    "read_model_dir",
    "sha256_file",
    "atomic_swap_dir",
    "check_model_target",
]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_ALLOWED_SUFFIXES = (".json", ".npy", ".md")
#: longest .npy header read (numpy refuses longer ones too)
MAX_NPY_HEADER = 10_000


def sha256_file(path: Path) -> str:
    """The SHA-256 hex digest of the file at ``path``, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: the largest manifest a model folder to be replaced may have (the ones written hold a few lines)
MAX_MANIFEST_BYTES = 1 << 20


def check_model_target(final) -> None:
    """Refuse to write a model where it would destroy anything but an older model.

    ``final`` may be new, an empty directory, or a model directory (every entry listed in its
    manifest: a model, or a registry version); anything else is refused, naming what is in
    the way: a file, a symbolic link, a registry, a folder holding other files, and the
    current directory or one that holds it.
    """
    final = Path(final)
    try:
        here = Path.cwd().resolve()
    except OSError:
        here = None
    resolved = final.resolve()
    if here is not None and (resolved == here or resolved in here.parents):
        raise InputError("is the current directory or holds it; give a new directory for the model", str(final))
    if final.is_symlink():
        raise InputError("is a symbolic link; refusing to replace it with a model directory", str(final))
    if not final.exists():
        return
    if not final.is_dir():
        raise InputError("exists and is not a directory; refusing to replace it with a model", str(final))
    try:
        entries = sorted(p.name for p in final.iterdir())
    except OSError as exc:
        raise InputError(f"cannot read the directory ({exc.strerror})", str(final)) from None
    if not entries:
        return
    if "aliases.json" in entries:
        raise hinted(InputError("is a model registry", str(final)), Hint("{setting} DIR to train into it", "registry"))
    if MANIFEST not in entries:
        raise InputError(
            f"exists and is not a trendscore model (no {MANIFEST}); refusing to replace it: "
            "give a new directory, or remove this one first",
            str(final),
        )
    try:
        # read through the guard of every file read whole: a FIFO there had held train -o and
        # themes add -o for ever, and a link to /dev/zero would be read without end
        if (final / MANIFEST).is_symlink():
            raise TypeError
        listed = load_json(final / MANIFEST, MAX_MANIFEST_BYTES)["files"]
        if not isinstance(listed, dict):
            raise TypeError
    except (ModelError, KeyError, TypeError):
        raise InputError(f"{MANIFEST} is not a model manifest; refusing to replace the directory", str(final)) from None
    extra = [name for name in entries if name != MANIFEST and name not in listed]
    if extra:
        raise InputError(
            f"holds {extra[0]!r}, which is not part of the model; refusing to replace the directory",
            str(final),
        )


def atomic_swap_dir(new: Path, final: Path) -> None:
    """Put directory ``new`` at ``final``; an old ``final`` is replaced in one step when it is
    a model directory (see :func:`check_model_target`), refused otherwise."""
    check_model_target(final)
    replace_dir(new, final)


#: the mappings of a model's JSON files whose keys are written in the order given, not sorted
#: (every other key is): the card's provisional themes, in the order they were added
KEPT_ORDER: dict[str, tuple[str, ...]] = {"card.json": ("provisional",)}


def _keys_sorted(obj, kept: tuple[str, ...] = ()):
    """``obj`` with the keys of every mapping in it sorted, as ``json.dumps(sort_keys=True)``
    sorts them, but for the top-level mappings named in ``kept``, whose own keys keep their
    order (the mappings inside them are sorted)."""
    if isinstance(obj, dict):
        items = obj.items()
        return {k: _keys_sorted(v, ()) if k not in kept else _in_order(v) for k, v in sorted(items)}
    if isinstance(obj, (list, tuple)):
        return [_keys_sorted(v) for v in obj]
    return obj


def _in_order(obj):
    """A mapping with its keys in their order, the mappings inside it sorted."""
    if not isinstance(obj, dict):
        return _keys_sorted(obj)
    return {k: _keys_sorted(v) for k, v in obj.items()}


def write_model_dir(
    final: Path, jsons: dict[str, object], arrays: dict, texts: dict[str, str] | None = None
) -> tuple[Path, dict]:
    """Write a model directory atomically: files into a temporary sibling, then swap in. Returns
    the directory and the manifest written into it (the files' hashes)."""
    import shutil

    final = Path(final)
    check_model_target(final)
    final = Path(os.path.abspath(final))  # "model/." and "a/../model" name one place
    try:
        tmp = temp_dir_beside(final)
    except OSError as exc:
        raise OutputError(f"{final}: cannot write the model there ({exc.strerror or exc})") from None
    try:
        for name, obj in jsons.items():
            ordered = _keys_sorted(obj, KEPT_ORDER.get(name, ()))
            (tmp / name).write_text(json.dumps(ordered, ensure_ascii=False, indent=1), "utf-8")
        import numpy as np

        for name, arr in arrays.items():
            np.save(tmp / name, np.ascontiguousarray(arr), allow_pickle=False)
        for name, text in (texts or {}).items():
            (tmp / name).write_text(text, "utf-8")
        files = {p.name: sha256_file(p) for p in sorted(tmp.iterdir())}
        manifest = {"format_version": FORMAT_VERSION, "files": files}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), "utf-8")
        for p in tmp.iterdir():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)
        atomic_swap_dir(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{final}: cannot write the model ({exc.strerror or exc}); nothing was changed") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final, manifest


def _check_name(directory: Path, name: str) -> Path:
    if not isinstance(name, str) or "/" in name or "\\" in name or name in ("", ".", "..") or name.startswith(".."):
        raise ModelError(f"{directory}/{MANIFEST}: file name {name!r} points outside the model directory")
    if "\0" in name:  # no file can be so named: the system refuses the name itself (ValueError)
        raise ModelError(f"{directory}/{MANIFEST}: file name {name!r} holds a NUL character, which no file name may")
    if not name.endswith(_ALLOWED_SUFFIXES):
        raise ModelError(f"{directory}/{name}: only .json, .npy and .md files may be in a model")
    return directory / name


def _file_limit(name: str) -> int:
    """The most bytes a model file of this name may have (arrays are larger than JSON)."""
    return MAX_ARRAY_BYTES if name.endswith(".npy") else MAX_JSON_BYTES


def contents_sha256(manifest: dict) -> str:
    """One hash over the hashes a manifest lists: the same for two copies of one model wherever
    they lie, another for a model any of whose files changed (a card edited, a theme added)."""
    files = manifest.get("files") if isinstance(manifest, dict) else None
    listed = sorted((str(k), str(v)) for k, v in (files or {}).items())
    return hashlib.sha256(json.dumps(listed).encode("utf-8")).hexdigest()


def read_model_dir(directory: Path) -> tuple[dict, dict[str, Path]]:
    """Verify a model directory and return (manifest, {file name: path}).

    Refuses: a missing directory or manifest, a newer format version, symbolic links,
    files not in the manifest, names that leave the directory, listed files that are missing
    or are no regular files (a FIFO is named as such, never opened), and hash mismatches.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelError(f"{directory}: no such model directory")
    if directory.is_symlink():
        raise ModelError(f"{directory}: a model directory may not be a symbolic link")
    manifest_path = directory / MANIFEST
    problem = file_problem(manifest_path, MAX_MANIFEST_BYTES)
    if problem is not None:
        raise ModelError(f"{manifest_path}: {problem}; this is not a trendscore model directory")
    manifest = load_json(manifest_path, MAX_MANIFEST_BYTES)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ModelError(f"{manifest_path}: expected an object with 'format_version' and 'files'")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ModelError(f"{manifest_path}: format_version {version!r} is not a positive integer")
    if version > FORMAT_VERSION:
        raise ModelError(
            f"{manifest_path}: model format {version} is newer than this trendscore reads "
            f"({FORMAT_VERSION}); upgrade trendscore to use it"
        )
    listed = manifest["files"]
    for entry in directory.iterdir():
        if entry.is_symlink():
            raise ModelError(f"{entry}: symbolic links are not allowed in a model directory")
        if entry.name != MANIFEST and entry.name not in listed:
            raise ModelError(f"{entry}: file is not in the manifest; refusing the model")
    paths = {}
    for name, expected in listed.items():
        path = _check_name(directory, name)
        problem = file_problem(path, _file_limit(name))  # before hashing: a sparse file of gigabytes takes minutes
        if problem is not None:
            raise ModelError(f"{path}: listed in the manifest but {problem}")
        if sha256_file(path) != expected:
            raise ModelError(f"{path}: SHA-256 does not match the manifest; the file was changed after saving")
        paths[name] = path
    return manifest, paths


def model_dir_problem(directory: Path) -> str | None:
    """Why the model in ``directory`` would not load (:func:`read_model_dir`'s refusal: a file
    changed after saving, one missing or added), or None when its files are as saved."""
    try:
        read_model_dir(directory)
    except ModelError as exc:
        return str(exc)
    except OSError as exc:  # unreadable: permissions, a vanished file; named when the system names it
        return f"{exc.filename or directory}: cannot be read ({exc.strerror or exc})"
    return None


def load_json(path: Path, limit: int = MAX_JSON_BYTES) -> dict:
    """A JSON file of a model or registry; NaN and Infinity (not JSON) and deep nesting refused,
    and, unread, anything but a regular file of at most ``limit`` bytes (a FIFO, a device) or
    a document of more values than :func:`trendscore.io.jsonfast.check_size` allows."""
    from trendscore.io.jsonfast import check_size, no_constant

    try:
        text = read_whole(path, limit).decode("utf-8")
        check_size(text)  # 64 MiB of '[],' would take some 1.4 GB parsed
        return json.loads(text, parse_constant=no_constant)
    except NotReadable as exc:
        raise ModelError(f"{path}: {exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError and JSONDepthError are ValueErrors
        raise ModelError(f"{path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise ModelError(f"{path}: not valid JSON (nested too deeply)") from None
    except MemoryError:
        raise ModelError(f"{path}: too large to read in the memory there is") from None


class RawArray:
    """A float64 .npy array read without numpy: ``values`` (flat, C order) and ``shape``."""

    def __init__(self, values: array.array, shape: tuple[int, ...]):
        self.values, self.shape = values, shape

    def numpy(self):
        """The array as a numpy float64 array of its shape (a view, no copy)."""
        import numpy as np

        return np.frombuffer(self.values, dtype=np.float64).reshape(self.shape)


def load_array(path: Path) -> RawArray:
    """Read a little-endian float64 .npy file (format 1.0-3.0) with the standard library.

    Only plain numeric data is accepted: an object array (which would need pickle), another
    dtype or Fortran order is refused, and so is a file over
    :data:`~trendscore.io.wholefile.MAX_ARRAY_BYTES` or no regular file (unread). The shape
    the header declares must be what the rest of the file holds, checked before the values are
    read; they are read straight into the array that keeps them (the whole file had been read
    first and then copied: twice its size in memory).
    """
    try:
        with open_whole(path, MAX_ARRAY_BYTES) as (fh, size):
            head = bytearray(min(size, 12 + MAX_NPY_HEADER))
            del head[read_into(fh, memoryview(head)) :]
            shape, start = _npy_header(head, path)
            count = math.prod(shape)
            if size - start != 8 * count:
                raise ModelError(f"{path}: array data is {size - start} bytes, expected {8 * count}")
            values = array.array("d", bytes(8 * min(count, 1))) * count  # (no buffer of bytes first)
            body = memoryview(values)
            if len(head) > start:
                body.cast("B")[: len(head) - start] = head[start:]
            got = len(head) - start + read_into(fh, body.cast("B")[len(head) - start :])
            body.release()
            if got != 8 * count or fh.read(1):
                raise NotReadable("changed while it was read", "changed")
    except NotReadable as exc:
        raise ModelError(f"{path}: {exc}") from None
    if sys.byteorder != "little":
        values.byteswap()
    return RawArray(values, shape)


def _npy_header(data: bytearray, path: Path) -> tuple[tuple[int, ...], int]:
    """The shape a float64 .npy file's first bytes ``data`` declare, and where its values begin;
    a ModelError for anything but a C-order float64 array."""
    if data[:6] != b"\x93NUMPY" or len(data) < 12:
        raise ModelError(f"{path}: not a .npy file")
    major = data[6]
    if major == 1:
        hlen, start = struct.unpack("<H", data[8:10])[0], 10
    elif major in (2, 3):
        hlen, start = struct.unpack("<I", data[8:12])[0], 12
    else:
        raise ModelError(f"{path}: unknown .npy version {major}")
    if hlen > MAX_NPY_HEADER:  # numpy's own bound: a header is a short dict literal
        raise ModelError(f"{path}: .npy header of {hlen} bytes, more than {MAX_NPY_HEADER}; refusing it")
    try:
        header = ast.literal_eval(bytes(data[start : start + hlen]).decode("latin1"))
        descr, fortran, shape = header["descr"], header["fortran_order"], tuple(header["shape"])
    except (ValueError, SyntaxError, KeyError, TypeError, MemoryError, RecursionError):
        raise ModelError(f"{path}: malformed .npy header") from None
    if descr != "<f8" or fortran or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise ModelError(f"{path}: expected a C-order float64 array, got {descr!r}")
    return shape, start + hlen
