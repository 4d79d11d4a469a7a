"""Labelling gives the same bytes as before the speed work of issue 15.

The expected outputs in fixtures/label_bytes/ were written by main's code at e80e4ac with
``python tests/label_sample.py`` (see that module for the texts: every seed, and thousands of
variants with full-width, Traditional, emoji, control characters, lone surrogates, other
scripts, and one text past ``LONG_TEXT``).

digest_label.jsonl was rewritten once since, when a digest document's ``doc_id`` became a hash
of its content (``d1``, ``d2``... before): only the ``id`` and ``doc_id`` fields changed.

When the bundled default model was rebuilt with report-grouped calibration folds (2026-12-03),
every fixture was written again by the code before that session (db0b25c) with
``python tests/label_sample.py`` and the rebuilt model in models/; digest_label.jsonl then took
the current code's output, which differed from db0b25c's only in ``id`` and ``doc_id`` (checked).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from label_sample import DIGEST, FIXTURES, sample_jsonl, sample_texts, tail

import trendscore


@pytest.fixture(scope="module")
def sample_output(tmp_path_factory, run):
    path = tmp_path_factory.mktemp("bytes") / "sample.jsonl"
    path.write_text(sample_jsonl(), "utf-8")
    result = run("label", path, "--jobs", "1", "--quiet")
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def run():
    from click.testing import CliRunner

    from trendscore.cli import main

    return lambda *args: CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_sample_labels_and_scores_unchanged(sample_output):
    lines = sample_output.split("\n")[:-1]
    expected = (FIXTURES / "sample_label_tails.jsonl").read_text("utf-8").split("\n")[:-1]
    assert len(lines) == len(expected) == len(sample_texts())
    changed = [(got, want) for got, want in zip(map(tail, lines), expected) if got != want]
    assert not changed, f"{len(changed)} records changed, first: {changed[0]}"


def test_sample_output_bytes_unchanged(sample_output):
    """The whole output, texts included, hashes as it did."""
    digest = hashlib.sha256(sample_output.encode("utf-8")).hexdigest()
    assert digest == (FIXTURES / "sample_label.sha256").read_text().strip()


def test_digest_output_unchanged(run):
    result = run("label", DIGEST, "--jobs", "1", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == (FIXTURES / "digest_label.jsonl").read_text("utf-8")


def test_probabilities_unchanged():
    """Unrounded probabilities, to the last bits a different summation order may move."""
    got = trendscore.load_model().predict_proba(sample_texts())
    want = np.load(FIXTURES / "sample_proba.npy")
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_one_text_at_a_time_unchanged():
    """Up to eight texts are scored in pure Python: the same scores, text by text."""
    model = trendscore.load_model()
    texts = sample_texts()
    expected = (FIXTURES / "sample_label_tails.jsonl").read_text("utf-8").split("\n")
    picked = list(range(0, len(texts), 7))
    for i in picked:
        want = json.loads(expected[i])
        (got,) = model.label([texts[i]])
        assert (got["labels"], got["scores"]) == (want["labels"], want["scores"]), i


def test_per_theme_product_is_bitwise_the_column_gather():
    """The per-theme product gathers from a transposed copy of the coefficients: the same
    numbers in the same order as gathering from ``coef[col, j]``."""
    model = trendscore.load_model()
    texts = sample_texts()
    row, col, w = model.featurizer.transform_coo(texts)
    want = np.empty((len(texts), len(model.themes)))
    for j in range(len(model.themes)):
        want[:, j] = np.bincount(row, weights=w * model.coef[col, j], minlength=len(texts))
    got = model._per_theme_product(len(texts), row, col, w)
    assert got.tobytes() == want.tobytes()
