"""The Python API's rough edges a notebook user meets (n_jobs=-1, a DataFrame's index in errors,
pandas Periods as dates, a record's own ``scores``), each settled the way scikit-learn or the
command line would have it."""

from __future__ import annotations

import numpy as np
import pytest

import trendscore
from trendscore import TextThemeClassifier

T1 = "海淀区发布微短剧扶持政策"
TRAIN = ["海淀区发布微短剧扶持政策", "短剧出海东南亚", "北京出台短剧管理办法", "短剧平台进军海外市场"] * 3
Y = np.array([[1, 0], [0, 1], [1, 0], [0, 1]] * 3)


def _small(**settings):
    return TextThemeClassifier(**{"min_df": 1, "cv": 2, "lists": "", **settings})


@pytest.mark.parametrize(("n_jobs", "processes"), [(-1, 2), (-2, 2), (-4, None), (2, 2), (None, None), (1, None)])
def test_n_jobs_is_read_as_scikit_learn_reads_it(monkeypatch, n_jobs, processes):
    from trendscore.modeling import classifier

    monkeypatch.setattr(classifier, "usable_cores", lambda: 4)
    monkeypatch.setattr("trendscore.run.forking.usable_cores", lambda: 4)
    seen = []

    def in_processes(est, X, Y, groups_y, jobs):  # fits in this process, noting how many were asked for
        seen.append(jobs)
        return [est._column_svm(X, Y[:, j], groups_y) for j in range(Y.shape[1])]

    monkeypatch.setattr(classifier, "_svms_in_processes", in_processes)
    _small(n_jobs=n_jobs).fit(TRAIN, Y)
    # -1 had fitted the themes one after another in this process, as 1 does
    assert seen == ([] if processes is None else [processes])


@pytest.mark.parametrize(
    ("n_jobs", "message"),
    [(0, "n_jobs must not be 0"), ("2", "n_jobs must be a whole number or None, got '2'"), (1.5, "n_jobs must be")],
)
def test_n_jobs_that_means_nothing_is_refused(n_jobs, message):
    with pytest.raises(trendscore.InputError, match=f"^{message}"):
        _small(n_jobs=n_jobs).fit(TRAIN, Y)


pd = pytest.importorskip("pandas")


@pytest.mark.parametrize(
    ("column", "cells", "message"),
    [
        ("labels", [["policy"], ["policy", "policy"], ["culture"]], "duplicate labels"),
        ("text", ["海淀区发布微短剧扶持政策", None, "短剧出海东南亚"], "expected a string 'text' field, got null"),
    ],
)
def test_score_names_a_frames_row_by_its_index_value(column, cells, message):
    frame = pd.DataFrame({"text": [T1] * 3, "date": ["2026-01-05"] * 3}, index=["r1", "r7", "r3"])
    frame[column] = cells
    # the error had named the row as <DataFrame>:2 alone, which frame.loc cannot find
    with pytest.raises(trendscore.InputError, match=rf"^<DataFrame>:2: {message}.* \(index 'r7'\)$"):
        trendscore.score(frame)
    with pytest.raises(trendscore.InputError, match=r"\(index 20\)$"):  # a number, as Python writes it
        trendscore.score(frame.set_axis(pd.Index([10, 20, 30], dtype="int64")))
