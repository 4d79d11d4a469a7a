"""Scoring many classes at once: the sparse product and argmax agree with the slow paths."""

import types

import numpy as np
import pytest

import trendscore.modeling.model as model_module
from trendscore.modeling.training import fit_model
from trendscore.seeds.files import Seed

_TOPICS = ["足球比赛进球", "股市大涨收盘", "芯片新品发布", "电影票房上映", "高考招生分数", "楼市房价调控"]


@pytest.fixture(scope="module")
def six_classes():
    seeds = [
        Seed(str(i), f"{_TOPICS[i % 6]}第{i}次报道", (f"c{i % 6}",), None, None, None, "s", i + 1) for i in range(120)
    ]
    return fit_model(seeds, min_df=1, cv=3)


@pytest.mark.parametrize("threshold", [0, 10**18])
def test_one_product_and_per_class_passes_give_the_same_scores(six_classes, monkeypatch, threshold):
    texts = [f"{t}今天" for t in _TOPICS] + ["", "无关的话"]
    expected = np.array(
        [six_classes._proba_from_weights(six_classes.featurizer.row_weights(t)) for t in texts]
    )  # the pure-Python path
    monkeypatch.setattr(model_module, "SPARSE_PRODUCT", threshold)
    monkeypatch.setattr(model_module, "sys", types.SimpleNamespace(modules={}))  # as if SciPy were not loaded
    z, _ = six_classes._decision_batch(texts)
    np.testing.assert_allclose(six_classes._proba_from_decision(z), expected, rtol=1e-9, atol=1e-12)


def test_argmax_labels_match_the_row_loop_including_ties(six_classes):
    proba = np.array([[0.1, 0.3, 0.3, 0.1, 0.1, 0.1], [0.9, 0, 0, 0, 0, 0.1], [0, 0, 0, 0, 0, 1.0]])
    got = six_classes.labels_from_proba(proba)
    assert got == six_classes.labels_from_proba(proba.tolist())  # the pure-Python path
    assert got == [["c1"], ["c0"], ["c5"]]  # a tie goes to the first class, as before
    got[0].append("x")  # each row's list is its own
    assert six_classes.labels_from_proba(proba)[0] == ["c1"]
