"""trendscore: theme labelling and theme momentum for news about China's micro-short-drama industry.

Examples
--------
>>> import trendscore
>>> trendscore.label(["海淀区发布微短剧扶持政策"])[0]["labels"]
['policy', 'regional_hub']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from trendscore.errors import InputError, ModelError, SeedError, TrendscoreError
from trendscore.modeling.model import Model, load_model

__all__ = [
    "InputError",
    "Model",
    "ModelError",
    "Score",
    "SeedError",
    "TextThemeClassifier",
    "TrendscoreError",
    "label",
    "load_model",
    "read",
    "score",
    "train",
    "__version__",
]

__version__ = "0.1.0"


def label(data, model=None, text_column: str = "text"):
    """Label texts with ``model`` (a :class:`Model`, a model directory, a registry directory
    for its champion, a bundled model's name, or None for the bundled default).

    ``data`` is a list of strings (gives one ``{"labels", "scores"}`` dict per text; a pandas
    Series or a one-dimensional numpy array of strings likewise, in its order, its index not
    kept), a list of record dicts (gives copies with ``labels`` and ``scores`` added; the
    text is read from ``text_column``, renamed ``text`` in the copies, or from ``text`` in a
    record without that field, and a record holding both is refused, as the ``label`` command
    reads JSON Lines with ``--text-column``), either of them as a generator or other iterator
    (read once; its first item tells which), or a pandas DataFrame (gives a copy, index and
    all, with a ``labels`` column and one ``score_<theme>`` probability column per theme; a
    column of one of those names is refused; ``text_column`` is renamed ``text``, and a frame
    holding both is refused, as ``label`` reads a CSV or Parquet file). A record's or frame's
    own ``labels`` are kept as ``labels_input`` (``labels_input_2``... if that name is taken;
    a frame's ``labels`` column that is all missing is dropped, as ``label`` drops
    ``"labels": null``),
    its own ``scores`` as ``scores_input``, and, when the model has provisional themes (it
    names them in a ``provisional`` field or column), its own ``provisional`` as
    ``provisional_input``, as the ``label`` command keeps them in every output format.

    Examples
    --------
    >>> record = label([{"id": 7, "body": "短剧出海东南亚"}], text_column="body")[0]
    >>> record["text"], record["labels"]
    ('短剧出海东南亚', ['overseas'])
    """
    from trendscore.io.frames import (
        check_text_column,
        frame_texts,
        is_frame,
        is_series,
        labelled_frame,
        without_null_labels,
    )
    from trendscore.io.rows import RECORDS

    if model is None or not isinstance(model, Model):
        from trendscore.modeling.model import check_model_argument
        from trendscore.modeling.registry import resolve_model

        check_model_argument(model)

        model = load_model(resolve_model(model))
    if is_frame(data):
        check_text_column(data.columns, text_column)  # before any labelling
        data = without_null_labels(data)  # no labels of the user's: no labels_input, as label writes none
        results = model.label(frame_texts(data, text_column))
        return labelled_frame(data, results, model.themes, text_column, bool(model.provisional))
    if is_series(data):
        data = data.tolist()
    elif isinstance(data, Iterator):  # a generator is read once, here, whatever it holds
        data = list(data)
    if isinstance(data, (list, tuple)) and data and isinstance(data[0], dict):
        from trendscore.io.columns import Columns
        from trendscore.io.readers import record_text

        columns, records = Columns(text_column), []
        for n, record in enumerate(data, 1):
            if not isinstance(record, dict):
                raise InputError(f"expected a dict record, got {type(record).__name__}", RECORDS, n)
            records.append(record_text(dict(record), columns, RECORDS, n))  # a copy: the caller's stays as it was
        from trendscore.io.rows import written_fields

        written = written_fields(provisional=bool(model.provisional))
        return [_with_result(r, res, written) for r, res in zip(records, model.label([r["text"] for r in records]))]
    return model.label(data)


def _with_result(record: dict, result: dict, written: tuple[str, ...]) -> dict:
    """A copy of ``record`` with the model's ``result`` added; the record's own fields of the
    names in ``written`` (``labels``, ``scores``, ``provisional`` when the model has provisional
    themes) are kept as ``labels_input``, ``scores_input``..., as the ``label`` command keeps them."""
    from trendscore.io.rows import keep_input_fields

    return {**keep_input_fields(dict(record), written), **result}


def read(
    path,
    input_format: str = "auto",
    encoding: str = "auto",
    text_column: str = "text",
    date_column: str = "date",
    id_column: str = "id",
) -> list[dict]:
    """The passages of one input file (``-``: standard input) as records, read as ``trendscore
    label`` reads them: format and encoding detected, compressed files decompressed, CSV and
    Parquet columns chosen by name. Raises :class:`InputError` for anything unreadable."""
    from trendscore.io.columns import Columns
    from trendscore.io.readers import read_records

    columns = Columns(text_column, date_column, id_column)
    return [r for r, _, _ in read_records(str(path), input_format, encoding, columns=columns)]


def train(seed_paths, out_dir, cv: int = 5, seed: int = 0, **params) -> Model:
    """Train a model from seed files into ``out_dir``; see :func:`trendscore.modeling.training.train`.
    ``seed_paths`` is a list of files or directories, or one of them (a ``str`` or a path)."""
    import os

    from trendscore.modeling.training import train as _train

    if isinstance(seed_paths, (str, os.PathLike)):  # one path, not a list of its characters
        seed_paths = [seed_paths]
    if "n_jobs" in params:  # read as scikit-learn reads it; one that means nothing is refused before any work
        from trendscore.run.forking import resolve_jobs

        resolve_jobs(params["n_jobs"])
    return _train(seed_paths, out_dir, cv=cv, seed=seed, **params)


def score(
    records,
    freq: str = "week",
    as_of=None,
    model=None,
    relabel: bool = False,
    text_column: str = "text",
    date_column: str = "date",
):
    """Theme momentum of records (dicts) or of a pandas DataFrame's rows, as a :class:`Score`
    (the JSON output's parts as attributes: ``themes``, one dict per theme with its
    ``direction``, ``momentum``, shares, counts and ``reason``; ``series``; ``records``;
    ``notes``; ``labelled_by``...); see :func:`trendscore.trends.scoring.score`. ``text_column``
    and ``date_column`` name the fields holding the text and the date when they are not
    ``text`` and ``date``. An error about a
    DataFrame's row names it as ``<DataFrame>:N`` (N counted from 1) and by its index value,
    ``(index 'r7')``."""
    from trendscore.io.columns import Columns
    from trendscore.io.dates import check_freq
    from trendscore.io.frames import frame_rows, is_frame, rows_name
    from trendscore.io.rows import RECORDS
    from trendscore.modeling.model import check_model_argument
    from trendscore.trends.scoring import score as _score

    check_freq(freq)
    check_model_argument(model)
    if not isinstance(relabel, bool):  # "no" or "false" would have read as true
        raise InputError(f"relabel must be True or False, got {relabel!r}")
    if not isinstance(records, Iterable):
        raise InputError(f"expected records (an iterable of dicts) or a DataFrame, got {type(records).__name__}")
    name = rows_name(records)
    frame = records if is_frame(records) else None
    if frame is not None:
        records = frame_rows(frame, text_column, date_column)
    elif not isinstance(records, (dict, str, bytes)):  # (refused as such by _score)
        records = _labels_as_lists(records)
    columns = Columns(text_column, date_column)  # what the records are renamed through, which errors name
    if name == RECORDS and not columns.is_default():
        records = (columns.rename(dict(r), RECORDS, n) if isinstance(r, dict) else r for n, r in enumerate(records, 1))
    if not is_frame(records) and date_column == "date" and not isinstance(records, (dict, str, bytes)):
        records = _date_spelt_otherwise_refused(records)
    try:
        return _score(records, freq=freq, as_of=as_of, model=model, relabel=relabel, rows=name, columns=columns)
    except InputError as error:
        if frame is not None:  # <DataFrame>:N counts rows from 1; the index is what the user can look up
            from trendscore.io.frames import name_index

            name_index(error, frame)
        raise


def _labels_as_lists(records):
    """The records, a ``labels`` tuple or numpy array (as ``df.to_dict("records")`` gives a
    Parquet list column) made the list it holds, as a DataFrame's cell is read
    (:func:`trendscore.io.frames.frame_labels`); the record is copied, not changed."""
    for record in records:
        if isinstance(record, dict):
            labels: Any = record.get("labels")
            if isinstance(labels, tuple):
                record = {**record, "labels": list(labels)}
            elif hasattr(labels, "tolist") and not isinstance(labels, str):
                record = {**record, "labels": labels.tolist()}
        yield record


def _date_spelt_otherwise_refused(records):
    """The records, a record without ``date`` but with a field ``Date`` (``DATE``, `` date``)
    refused with its place: its date would be passed over and it counted undated."""
    from trendscore.io.columns import check_date_column
    from trendscore.io.rows import RECORDS

    for n, record in enumerate(records, 1):
        if isinstance(record, dict) and "date" not in record:
            check_date_column(record, RECORDS, "the record", n, "field")
        yield record


def __getattr__(name):
    # the scikit-learn estimator, imported on first use so that `import trendscore` stays light
    if name == "TextThemeClassifier":
        from trendscore.modeling.classifier import TextThemeClassifier

        return TextThemeClassifier
    if name == "Score":  # what score returns; its module imports the momentum maths
        from trendscore.trends.momentum import Score

        return Score
    raise AttributeError(f"module 'trendscore' has no attribute {name!r}")
