"""Labelling and scoring on a Dask cluster (``pip install 'trendscore[dask]'``).

The model is loaded once per worker process (and its files checked against the manifest
hashes there, by :func:`trendscore.load_model`), never shipped with the tasks: tasks carry
the model directory's path, which must be readable on every worker (shared storage, or the
bundled default model installed with trendscore on each worker).

Files are cut into byte blocks aligned on line ends; a first cheap pass counts each block's
lines, so every error names its file and line exactly as the one-process path does, and the
labelled blocks are written back in input order.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError
from .jsonfast import dumps_line
from .readers import SkipLog, check_text

__all__ = ["label_dataframe", "score_dataframe", "connect", "check_inputs", "label_files", "score_files", "BLOCK_BYTES"]

BLOCK_BYTES = 32 << 20
_MODELS: dict = {}


def _worker_model(model_dir):
    """The model for this worker process, loaded (and hash-checked) on first use."""
    key = None if model_dir is None else str(Path(model_dir).resolve())
    if key not in _MODELS:
        from . import embedding
        from .model import load_model

        embedding.reset_for_worker()  # workers share the machine's cores; more BLAS threads only contend

        _MODELS[key] = load_model(model_dir)
    return _MODELS[key]


def _require_dask():
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise InputError("Dask is not installed: pip install 'trendscore[dask]'") from None


def _check_address(scheduler: str) -> None:
    """Refuse a malformed scheduler address in one line, before any connection is tried."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(scheduler)
        if scheme in ("tcp", "tls"):
            _, port = parse_host_port(location)
            if not 0 < int(port) < 65536:
                raise ValueError(f"port {port} is not from 1 to 65535")
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"--scheduler {scheduler!r}: not a scheduler address ({exc}); expected tcp://host:port or local:N"
        ) from None


def connect(scheduler: str):
    """A distributed Client for ``tcp://host:port``, or a new local cluster for ``local:N``."""
    _require_dask()
    from distributed import Client, LocalCluster

    if scheduler.startswith("local:"):
        n = scheduler.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise InputError(f"--scheduler {scheduler!r}: expected local:N with N >= 1")
        return Client(LocalCluster(n_workers=int(n), threads_per_worker=1, processes=True, dashboard_address=None))
    _check_address(scheduler)
    try:
        return Client(scheduler, timeout="20s")
    except ValueError as exc:
        raise InputError(
            f"--scheduler {scheduler!r}: not a scheduler address ({exc}); expected tcp://host:port"
        ) from None
    except (OSError, TimeoutError) as exc:
        raise InputError(f"--scheduler {scheduler!r}: cannot reach the scheduler ({exc})") from None


# ------------------------------------------------------------------ DataFrames


def _label_partition(pdf, model_dir, text_column):
    model = _worker_model(model_dir)
    texts = ["" if not isinstance(t, str) else t for t in pdf[text_column].tolist()]
    results = model.label(texts)
    out = pdf.copy()
    out["labels"] = [r["labels"] for r in results]
    for theme in model.themes:
        out[f"score_{theme}"] = [r["scores"][theme] for r in results]
    return out


def label_dataframe(ddf, model=None, text_column: str = "text"):
    """``ddf`` with a ``labels`` column and one ``score_<theme>`` column per theme.

    ``model`` is a model directory (or registry) path, or None for the bundled default model;
    each worker loads it once.
    """
    _require_dask()
    from .model import load_model

    model_dir = None if model is None else str(model)
    themes = load_model(model_dir).themes  # check the model here first, and learn its themes
    meta = ddf._meta.copy()
    meta["labels"] = []
    for theme in themes:
        meta[f"score_{theme}"] = []
    meta = meta.astype({f"score_{t}": "float64" for t in themes} | {"labels": "object"})
    return ddf.map_partitions(_label_partition, model_dir, text_column, meta=meta)


def _accumulate_partition(pdf, themes, date_column):
    from .accumulate import Accumulator
    from .dates import is_missing, parse_date
    from .scoring import named, report_key

    acc = Accumulator(themes)
    dates = pdf[date_column].tolist() if date_column in pdf.columns else [None] * len(pdf)
    score_cols = [c for c in pdf.columns if c.startswith("score_")]
    labels = pdf["labels"].tolist() if "labels" in pdf.columns else [None] * len(pdf)
    columns = {c: pdf[c].tolist() for c in ("text", "source", "doc_id", "url") if c in pdf.columns}
    texts = [_plain(t) for t in columns.get("text", [None] * len(pdf))]
    names_of = named(texts)  # the named things behind calls, as the one-process path finds them
    for i, date in enumerate(dates):
        day = None if is_missing(date) else parse_date(date)  # Timestamps too, as the one-process path
        record = {c: _plain(v[i]) for c, v in columns.items()}
        text = record.get("text")
        where = (record.get("source"), report_key(record), text if isinstance(text, str) else None, names_of[i])
        if isinstance(labels[i], list) and not score_cols:
            acc.add_labels(day, labels[i], *where)
            unthemed = not labels[i]
        else:
            scores = {c[len("score_") :]: float(pdf[c].iloc[i]) for c in score_cols}
            acc.add_scores(day, scores, *where)
            unthemed = max(scores.values(), default=0.0) < 0.5
        if unthemed:
            acc.unthemed.add(day, text, record.get("source"))
    return acc


def score_dataframe(
    ddf, freq: str = "week", as_of=None, model=None, date_column: str = "date", text_column: str = "text"
):
    """Theme momentum of a Dask DataFrame: per-partition counts, combined, then scored as
    :func:`trendscore.score` does. Rows are labelled with ``model`` first unless the frame
    already has a ``labels`` column."""
    _require_dask()
    import dask

    from .seeds import DEFAULT_THEMES
    from .trends import Accumulator, compute_score

    info = None
    if "labels" not in ddf.columns:
        ddf = label_dataframe(ddf, model, text_column)
        from .model import load_model
        from .scoring import model_info

        loaded = load_model(model)
        themes, info = loaded.themes, model_info(loaded)
    else:
        themes = list(DEFAULT_THEMES)
    parts = [dask.delayed(_accumulate_partition)(p, themes, date_column) for p in ddf.to_delayed()]
    total = Accumulator(themes)
    for acc in dask.compute(*parts):
        total.merge(acc)
    from .scoring import model_noise, require_dates

    require_dates(total)
    return compute_score(total, freq, as_of, None, info, model_noise(info, total))


# ------------------------------------------------------------------ files (the CLI's path)


def _expand(inputs) -> list[str]:
    files = []
    for name in inputs:
        p = Path(name)
        if p.is_dir():
            found = sorted(str(f) for f in p.iterdir() if f.suffix in (".jsonl", ".ndjson", ".json", ".parquet"))
            if not found:
                raise InputError("directory holds no .jsonl or .parquet files", name)
            files += found
        elif not p.exists():
            raise InputError("no such file", name)
        else:
            files.append(str(p))
    for path in files:
        if _first_bytes(path).startswith((b"\x1f\x8b", b"BZh", b"\x28\xb5\x2f\xfd")):
            raise InputError("compressed files are not cut into blocks for --scheduler; decompress it first", path)
    return files


def _first_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(4)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", path) from None


def _blocks(path: str, size: int) -> list[tuple[int, int]]:
    """Byte ranges of a file, each ending just after a line end (the last at the file's end)."""
    total = os.path.getsize(path)
    bounds = [0]
    with open(path, "rb") as fh:
        while bounds[-1] + size < total:
            fh.seek(bounds[-1] + size)
            fh.readline()
            if fh.tell() >= total:
                break
            bounds.append(fh.tell())
    bounds.append(total)
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


class _BlockLog(SkipLog):
    """A SkipLog that keeps its first errors as (message, path, line-in-block), so the client
    can name absolute lines once it knows how many lines the earlier blocks had."""

    def add(self, error: Exception) -> None:
        self.count += 1
        if len(self.first) < self.keep:
            if isinstance(error, InputError):
                self.first.append((error.message, error.path, error.line))
            else:
                self.first.append((str(error), None, None))


def _in_block(work, path, start, end, skip_bad, *args):
    """Run ``work`` on one block, numbering lines from 1 within the block. Returns
    ("ok", lines in the block, skipped (count, first), result) or ("error", message, path, line)."""
    skip = _BlockLog() if skip_bad else None
    data = _read_bytes(path, start, end)
    try:
        result = work(_lines_of(data, path, skip), skip, *args)
    except InputError as exc:
        return ("error", exc.message, exc.path, exc.line)
    return ("ok", data.count(b"\n"), (skip.count, skip.first) if skip else (0, []), result)


class _Lines:
    """Turns block-relative line numbers into absolute ones, block by block, in input order."""

    def __init__(self):
        self.path = None
        self.offset = 0  # lines of this file in the blocks taken so far
        self.base = 0  # lines before the block taken last

    def start(self, path: str) -> None:
        if path != self.path:
            self.path, self.offset = path, 0

    def at(self, line):
        """The absolute number of line ``line`` (from 1) of the block taken last."""
        return None if line is None else self.base + line

    def take(self, outcome, skip):
        """The block's result; raises its error with the absolute line; merges its skips."""
        self.base = self.offset
        if outcome[0] == "error":
            _, message, path, line = outcome
            raise InputError(message, path, self.at(line))
        _, lines, (count, first), result = outcome
        if skip is not None:
            skip.merge(count, [str(InputError(m, p, self.at(n))) if p else m for m, p, n in first])
        self.offset += lines
        return result


def _read_bytes(path: str, start: int, end: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    return data[3:] if start == 0 and data.startswith(b"\xef\xbb\xbf") else data


def _lines_of(data: bytes, path: str, skip=None):
    """(line number from 1 within the block, text) of a block's non-blank lines."""
    for i, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            error = InputError("invalid UTF-8 bytes", path, i)
            if skip is None:
                raise error from None
            skip.add(error)
            continue
        yield i, line.rstrip("\r")


def _label_lines(lines, skip, path, model_dir):
    from .labelling import label_records
    from .readers import records_of

    records = [r for r, _, _ in records_of("jsonl", lines, path, skip=skip)]
    out = label_records(_worker_model(model_dir), records)
    return len(records), "".join(map(dumps_line, out))


def _label_block(path, start, end, model_dir, skip_bad=False):
    return _in_block(_label_lines, path, start, end, skip_bad, path, model_dir)


def _label_parquet(path, model_dir):
    import pandas as pd

    from .labelling import label_records

    frame = pd.read_parquet(path)
    if "text" not in frame.columns:
        raise InputError("Parquet file has no 'text' column", path)
    records = frame.to_dict("records")
    for n, r in enumerate(records, 1):
        check_text(r, path, n)
    out = label_records(_worker_model(model_dir), records)
    text = "".join(dumps_line({k: _plain(v) for k, v in r.items()}) for r in out)
    return ("ok", 0, (0, []), (len(records), text))


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _check_jsonl(path: str) -> None:
    """Refuse, in one line, an input the cluster would misread: its blocks are read as JSON
    Lines, so a digest, a text or a CSV file must be read in one process."""
    from .sniffing import sniff_format

    with open(path, "rb") as fh:
        head = fh.read(1 << 16).decode("utf-8", "replace")
    fmt = sniff_format(path, head.splitlines()[:-1] or head.splitlines())
    if fmt != "jsonl":
        raise InputError(
            f"--scheduler reads JSON Lines and Parquet; this looks like {fmt}: leave out --scheduler",
            path,
        )


def check_inputs(inputs) -> None:
    """Refuse, before any cluster is reached, an input the cluster cannot read (see
    :func:`_check_jsonl`)."""
    for path in _expand(inputs):
        if not (path.endswith(".parquet") or _first_bytes(path) == b"PAR1"):
            _check_jsonl(path)


def _tasks(inputs, block_bytes):
    """(path, start, end) for every block of every jsonl input, in order (None, None for Parquet)."""
    files = _expand(inputs)
    tasks = []
    for path in files:
        if path.endswith(".parquet") or _first_bytes(path) == b"PAR1":
            tasks.append((path, None, None))
            continue
        _check_jsonl(path)
        tasks += [(path, a, b) for a, b in _blocks(path, block_bytes)]
    return files, tasks


def label_files(client, inputs, output, model_dir=None, block_bytes: int = BLOCK_BYTES, skip=None) -> int:
    """Label jsonl/Parquet inputs on the cluster into one jsonl output, in input order.

    With a :class:`~trendscore.readers.SkipLog`, bad jsonl lines are counted there and passed over."""
    from .model import load_model
    from .writers import AtomicOutput, check_output_path

    check_output_path(output, list(inputs))
    load_model(model_dir)  # a bad model fails here, before any work is sent
    files, tasks = _tasks(inputs, block_bytes)
    futures = [
        client.submit(_label_parquet, p, model_dir, pure=False)
        if a is None
        else client.submit(_label_block, p, a, b, model_dir, skip is not None, pure=False)
        for p, a, b in tasks
    ]
    total = 0
    lines = _Lines()
    with AtomicOutput(output) as fh:
        for (path, _, _), fut in zip(tasks, futures):
            lines.start(path)
            n, text = lines.take(fut.result(), skip)
            fut.release()
            total += n
            fh.write(text)
    if total == 0:
        raise InputError("empty input: no passages found", ", ".join(files))
    return total


def _score_lines(lines, skip, path, model_dir, themes, relabel=False):
    from .readers import records_of
    from .scoring import score_stream

    items = records_of("jsonl", lines, path, require_text=False, skip=skip)
    stats: dict = {}
    acc = score_stream(
        items,
        lambda: _worker_model(model_dir),
        themes=themes,
        stats=stats,
        accumulate_only=True,
        skip=skip,
        relabel=relabel,
    )
    return acc, stats.get("bad_dates", 0), stats.get("first_bad_date_at")


def _score_block(path, start, end, model_dir, themes, skip_bad=False, relabel=False):
    return _in_block(_score_lines, path, start, end, skip_bad, path, model_dir, themes, relabel)


def _score_parquet(path, model_dir, themes, relabel=False):
    import pandas as pd

    from .scoring import score_stream

    records = [{k: _plain(v) for k, v in r.items()} for r in pd.read_parquet(path).to_dict("records")]
    for r in records:
        if r.get("labels") is None:
            r.pop("labels", None)
    stats: dict = {}
    acc = score_stream(
        ((r, path, n) for n, r in enumerate(records, 1)),
        lambda: _worker_model(model_dir),
        themes=themes,
        stats=stats,
        accumulate_only=True,
        relabel=relabel,
    )
    return ("ok", 0, (0, []), (acc, stats.get("bad_dates", 0), stats.get("first_bad_date_at")))


def score_files(
    client, inputs, freq="week", as_of=None, model_dir=None, block_bytes: int = BLOCK_BYTES, skip=None, relabel=False
):
    """Score jsonl or Parquet inputs on the cluster; the same result as ``trendscore score``
    on the same records."""
    from .seeds import DEFAULT_THEMES
    from .trends import Accumulator, compute_score

    files, tasks = _tasks(inputs, block_bytes)
    themes = list(DEFAULT_THEMES)
    futures = [
        client.submit(_score_parquet, p, model_dir, themes, relabel, pure=False)
        if a is None
        else client.submit(_score_block, p, a, b, model_dir, themes, skip is not None, relabel, pure=False)
        for p, a, b in tasks
    ]
    total = Accumulator(DEFAULT_THEMES)
    bad, first = 0, None
    lines = _Lines()
    for (path, _, _), fut in zip(tasks, futures):
        lines.start(path)
        acc, n_bad, first_bad = lines.take(fut.result(), skip)
        total.merge(acc)
        bad += n_bad
        if first is None and first_bad is not None:
            where, line, value = first_bad
            first = (where, lines.at(line) if where == path and line else line, value)
    if total.records == 0:
        raise InputError("empty input: no passages found", ", ".join(files))
    from .scoring import require_dates

    require_dates(total, {"bad_dates": bad, "first_bad_date_at": first})
    info = None
    if total.by_model:  # the workers labelled some passages: name their model as the local path does
        from .model import load_model
        from .scoring import model_info, model_noise

        info = model_info(load_model(model_dir))
    return compute_score(total, freq, as_of, None, info, model_noise(info, total)), bad, first
