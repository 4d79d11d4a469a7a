import numpy as np
import pytest
from conftest import SEEDS

import trendscore
from trendscore import load_model
from trendscore.modeling.model import SMALL, default_model_path
from trendscore.seeds.files import read_seeds
from trendscore.text.namelists import LISTS, list_tokens
from trendscore.text.normalise import normalize


def test_default_model_api():
    model = load_model()
    assert model.themes == ["policy", "technology", "overseas", "regional_hub", "culture"]
    assert model.path == default_model_path()
    records = model.label(["海淀区发布微短剧扶持政策", ""])
    assert set(records[0]) == {"labels", "scores"}
    assert set(records[0]["scores"]) == set(model.themes)
    assert all(0.0 <= p <= 1.0 for p in records[0]["scores"].values())
    assert records[1]["labels"] == []


def test_guideline_examples_get_their_labels():
    out = trendscore.label(["海淀区发布微短剧扶持政策", "网络微短剧出海:ReelShort 在北美的收入增长"])
    assert out[0]["labels"] == ["policy", "regional_hub"]
    assert "overseas" in out[1]["labels"]


def test_simplified_traditional_and_english_agree_on_a_theme():
    out = trendscore.label(
        [
            "国家广电总局发布管理提示,要求微短剧备案审核从严",
            "國家廣電總局發布管理提示，要求微短劇備案審核從嚴",
            "The NRTA tightened the filing and review rules for micro-dramas",
        ]
    )
    assert all("policy" in r["labels"] for r in out)


def test_predict_proba_shape_and_order():
    model = load_model()
    p = model.predict_proba(["短剧出海", "横店影视城"] * 10)
    assert p.shape == (20, 5)
    assert p.dtype == np.float64
    assert np.all((p >= 0) & (p <= 1))


def test_small_and_batch_paths_give_the_same_probabilities():
    model = load_model()
    texts = [s.text for s in read_seeds([SEEDS / "batch_04_english.jsonl"])][:40] + ["", "x"]
    batch = model.predict_proba(texts)  # more than SMALL texts: numpy path
    assert len(texts) > SMALL
    one_by_one = np.array([model.predict_proba([t])[0] for t in texts])
    np.testing.assert_allclose(batch, one_by_one, atol=1e-12)


def test_label_rejects_a_bare_string_and_non_strings():
    model = load_model()
    with pytest.raises(TypeError, match="wrap it in a list"):
        model.label("短剧")
    with pytest.raises(TypeError, match=r"^expected str texts, got int \(text 1, counted from 1\)$"):
        model.label([3])
    with pytest.raises(TypeError, match=r"^expected str texts, got NoneType \(text 3, counted from 1\)$"):
        model.label(["短剧", "出海", None])  # which of many: named, as a file's line is


def test_explain_lists_terms_behind_each_assigned_theme():
    model = load_model()
    text = "海淀区发布微短剧扶持政策,最高奖励500万元"
    labels = model.label([text])[0]["labels"]
    why = model.explain(text)
    assert labels and sorted(why) == sorted(labels)
    for terms in why.values():
        assert terms and all(isinstance(t, str) and w > 0 for t, w in terms)
        assert [w for _, w in terms] == sorted((w for _, w in terms), reverse=True)
        # a term is in the text, or names a curated list one of whose terms is in the text
        listed = {f"[list {tok[1:]}]" for tok in list_tokens(normalize(text), LISTS)}
        assert all(t in normalize(text) or t in listed for t, _ in terms)
    assert any(t == "[list cn_places]" for terms in why.values() for t, _ in terms)  # 海淀区


def test_model_loaded_from_a_directory_reports_its_path(small_model_dir):
    model = load_model(small_model_dir)
    assert model.path == small_model_dir
    assert model.card["seeds"]["count"] == 300


def _fresh_python(code: str) -> str:
    """What ``code`` prints in a new interpreter (so imports start from nothing)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_labelling_imports_neither_scikit_learn_nor_numpy_for_one_passage():
    out = _fresh_python(
        "import sys, trendscore; r = trendscore.label(['短剧出海']); "
        "print(sorted(m for m in ('sklearn', 'numpy', 'scipy') if m in sys.modules), r[0]['labels'])"
    )
    assert out == "[] ['overseas']"


def test_batch_labelling_does_not_import_scikit_learn():
    out = _fresh_python(
        "import sys, trendscore; trendscore.label(['短剧'] * 50); "
        "print('sklearn' in sys.modules, 'numpy' in sys.modules)"
    )
    assert out == "False True"


def test_very_long_passage_is_labelled_like_its_content():
    from trendscore.text.features import LONG_TEXT

    model = load_model()
    unit = "海淀区发布微短剧扶持政策,最高奖励五百万元。"
    long_text = unit * (3 * LONG_TEXT // len(unit))
    assert len(long_text) > 2 * LONG_TEXT
    short = model.predict_proba([unit * 40])[0]
    long_ = model.predict_proba([long_text])[0]
    np.testing.assert_allclose(long_, short, atol=0.02)
    assert model.label([long_text])[0]["labels"] == model.label([unit * 40])[0]["labels"]
    assert set(model.explain(long_text)) == set(model.label([long_text])[0]["labels"])


def test_explanations_show_style_tokens_readably():
    from conftest import SEEDS

    from trendscore.modeling.training import fit_model
    from trendscore.seeds.files import read_seeds

    model = fit_model(read_seeds([SEEDS / "batch_06_headlines.jsonl"]), style=True, char_all=True)
    terms = []
    for text in ["【政策】东阳出台十条措施扶持微短剧产业", "ReelShort登顶美国iOS娱乐榜：中国短剧出海再下一城"]:
        for found in model.explain(text, top=100).values():
            terms += [t for t, _ in found]
    assert terms and not any("\x01" in t for t in terms)
    assert any(t.startswith("[style ") for t in terms)


def test_saving_the_bundled_model_leaves_it_as_every_caller_has_it(tmp_path):
    """load_model() hands every caller the one bundled Model of the process; saving it (as
    Registry.add does) had set its path and card to the copy's, so every later load_model()
    in the process named the copy (found when test_model ran after a Dask test)."""
    from trendscore.modeling.model import default_model_path
    from trendscore.modeling.registry import Registry

    shared = load_model()
    card = dict(shared.card)
    Registry(tmp_path / "registry").add(shared)
    shared.save(tmp_path / "copy", card={"notes": ["a copy"]})
    again = load_model()
    assert again.path == default_model_path() and again.card == card
    assert load_model(tmp_path / "copy").card == {"notes": ["a copy"]}
    trained = load_model(tmp_path / "copy")  # a model of the caller's own takes its new home
    trained.save(tmp_path / "moved")
    assert trained.path == tmp_path / "moved"


def test_loading_a_model_runs_no_python_code_for_each_term():
    """Loading the default model ran a Python generator step for each of its 29,000 terms
    (checking each is a string) at every start of ``label``; the checks and the vocabularies
    are done at C speed now, the same model loaded."""
    import sys

    from trendscore.modeling.model import _load, bundled_model_path

    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        model = _load(bundled_model_path())
    finally:
        sys.setprofile(None)
    fz = model.featurizer
    assert len(fz.word_vocab) + len(fz.char_vocab) > 25000
    assert list(fz.char_vocab.values()) == list(range(len(fz.word_vocab), fz.n_terms))
    assert calls < 2000, calls


def test_the_api_keeps_a_records_own_labels_as_the_label_command_does():
    """trendscore.label on dicts or a DataFrame replaced a row's own ``labels`` (a user's
    hand labels, say) with the model's, losing them; the ``label`` command keeps them as
    ``labels_input``. Now every way of labelling keeps them so, and a taken name moves on to
    ``labels_input_2``."""
    pd = pytest.importorskip("pandas")
    text = "海淀区发布微短剧扶持政策"
    model_labels = trendscore.label([text])[0]["labels"]
    assert model_labels == ["policy", "regional_hub"]
    records = [{"text": text, "labels": ["culture"]}, {"text": text}]
    out = trendscore.label(records)
    assert out[0]["labels_input"] == ["culture"] and out[0]["labels"] == model_labels
    assert "labels_input" not in out[1] and out[1]["labels"] == model_labels
    assert records[0] == {"text": text, "labels": ["culture"]}  # the caller's dicts unchanged
    both = trendscore.label([{"text": text, "labels": ["culture"], "labels_input": ["policy"]}])[0]
    assert (both["labels_input"], both["labels_input_2"]) == (["policy"], ["culture"])
    frame = pd.DataFrame({"text": [text, text], "labels": [["culture"], []]})
    labelled = trendscore.label(frame)
    assert labelled["labels_input"].tolist() == [["culture"], []]
    assert labelled["labels"].tolist() == [model_labels, model_labels]
    assert frame.columns.tolist() == ["text", "labels"]  # the caller's frame unchanged
