"""trendscore.run.collector: the cycle collector held back while a job runs, and set back."""

from __future__ import annotations

import gc
import json

import pytest

from trendscore.modeling.model import load_model
from trendscore.run import job
from trendscore.run.backends import InProcess
from trendscore.run.chunks import Work
from trendscore.run.collector import YOUNG, fewer_collections
from trendscore.run.job import read_settings


class _Watching(InProcess):
    """The one-process back-end, noting the collector's thresholds at each chunk."""

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[tuple[int, int, int]] = []
        self.fail = fail

    def map(self, fn, chunks, state, what="worker"):
        for done in super().map(fn, chunks, state, what):
            self.seen.append(gc.get_threshold())
            if self.fail:
                raise KeyboardInterrupt
            yield done


@pytest.fixture
def passages(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in ["短剧出海", "横店影视城"] * 20), "utf-8")
    return str(path)


def test_label_and_score_jobs_run_with_fewer_young_collections_then_set_them_back(passages):
    """A job's batches were walked by ~2 collections each before they were freed (~8% of the
    CPU of labelling headlines); during a job the young threshold is YOUNG, after it as before."""
    before = gc.get_threshold()
    work = Work(read=read_settings("auto", "auto", "strict", None, None))
    model = load_model()
    backend = _Watching()
    out: list = []
    job.run_label_job([passages], model, work, backend, out.append, None)
    assert backend.seen and all(t[0] == max(YOUNG, before[0]) and t[1:] == before[1:] for t in backend.seen)
    assert gc.get_threshold() == before and b"".join(out).count(b"\n") == 40
    work = Work(read=read_settings("auto", "auto", "strict", None, None, require_text=False), relabel=True)
    backend = _Watching()
    job.score_counts([passages], work, backend, None, model=model)
    assert backend.seen and all(t[0] == max(YOUNG, before[0]) for t in backend.seen)
    assert gc.get_threshold() == before


def test_thresholds_are_set_back_when_a_job_is_interrupted(passages):
    before = gc.get_threshold()
    work = Work(read=read_settings("auto", "auto", "strict", None, None))
    with pytest.raises(KeyboardInterrupt):
        job.run_label_job([passages], load_model(), work, _Watching(fail=True), lambda out: None, None)
    assert gc.get_threshold() == before


def test_a_higher_threshold_of_the_callers_own_is_kept():
    before = gc.get_threshold()
    try:
        gc.set_threshold(YOUNG * 2, 5, 5)
        with fewer_collections():
            assert gc.get_threshold() == (YOUNG * 2, 5, 5)
        assert gc.get_threshold() == (YOUNG * 2, 5, 5)
    finally:
        gc.set_threshold(*before)
