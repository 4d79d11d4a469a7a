"""The Python API as a notebook meets it: every input a user can hand to ``trendscore.label``,
``Model`` and ``TextThemeClassifier`` gives the right answer or one trendscore error, never a
silent wrong answer (a DataFrame's column names labelled as texts, a string's characters
labelled one by one, ``None`` trained on as the word "none")."""

from __future__ import annotations

import json

import numpy as np
import pytest

import trendscore
from trendscore import TextThemeClassifier, TrendscoreError, load_model
from trendscore.errors import TextsError

pd = pytest.importorskip("pandas")

T1 = "海淀区发布微短剧扶持政策"
T2 = "短剧出海东南亚"
TRAIN = ["海淀区发布微短剧扶持政策", "短剧出海东南亚", "北京出台短剧管理办法", "短剧平台进军海外市场"] * 3
Y = np.array([[1, 0], [0, 1], [1, 0], [0, 1]] * 3)


def _small_estimator():
    return TextThemeClassifier(min_df=1, cv=2, lists="")


def test_texts_error_is_a_trendscore_error_and_a_type_error():
    with pytest.raises(TrendscoreError) as caught:
        load_model().label(None)  # had been Python's own "'NoneType' object is not iterable"
    assert isinstance(caught.value, TypeError)
    assert str(caught.value) == "expected a list of texts, got a NoneType"


@pytest.mark.parametrize("method", ["label", "predict", "predict_proba"])
def test_model_refuses_a_dataframe_whose_column_names_it_would_label(method):
    frame = pd.DataFrame({"text": [T1, T2]})
    # iterating a frame gives its column names: one row ("text") had come back for two
    with pytest.raises(TextsError, match=r"got a DataFrame \(whose column names would be labelled\)"):
        getattr(load_model(), method)(frame)
    assert getattr(load_model(), method)(frame["text"]) is not None  # its column is the way


def test_model_refuses_a_two_dimensional_array():
    with pytest.raises(TextsError, match="got a 2-dimensional ndarray; pass one column"):
        load_model().predict_proba(np.array([[T1], [T2]]))


def test_model_reads_series_arrays_and_generators_once_in_order():
    model = load_model()
    want = model.predict([T1, T2])
    assert model.predict(pd.Series([T1, T2], index=[7, 7])) == want
    assert model.predict(pd.Series([T1, T2], dtype="category")) == want
    assert model.predict(np.array([T1, T2])) == want
    assert model.predict(np.array([T1, T2], dtype=object)) == want
    assert model.predict(t for t in [T1, T2]) == want


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        (None, "NoneType"),
        (float("nan"), "a missing value (NaN)"),  # had been "got float", which did not say NaN
        (pd.NA, "a missing value (<NA>)"),  # had been "got NAType"
        (pd.NaT, "a missing value (NaT)"),
        (5, "int"),
        (b"x", "bytes"),
    ],
)
def test_model_names_a_text_that_is_not_a_string(cell, kind):
    with pytest.raises(TextsError) as caught:
        load_model().predict_proba(pd.Series([T1, cell], dtype=object))
    assert str(caught.value) == f"expected str texts, got {kind} (text 2, counted from 1)"


def test_explain_takes_one_text():
    with pytest.raises(TextsError, match="expected one text .a str., got list; give the texts one at a time"):
        load_model().explain([T1])


def test_estimator_refuses_one_string_instead_of_labelling_its_characters():
    est = load_model().to_estimator()
    # a string is an iterable of characters: 12 rows had come back for one text
    with pytest.raises(TextsError, match="got one string; wrap it in a list"):
        est.predict(T1)
    with pytest.raises(TextsError, match="got one string"):
        est.predict_proba(T1)


def test_estimator_refuses_a_dataframe():
    est = load_model().to_estimator()
    with pytest.raises(TextsError, match="got a DataFrame"):
        est.predict_proba(pd.DataFrame({"text": [T1, T2]}))


@pytest.mark.parametrize("cell", [None, float("nan")])
def test_estimator_fit_refuses_a_missing_text_rather_than_learning_its_name(cell):
    # str(None) and str(nan) had been trained on as the texts "None" and "nan"
    with pytest.raises(TextsError, match=r"text 12, counted from 1"):
        _small_estimator().fit(TRAIN[:-1] + [cell], Y)


def test_estimator_predict_names_a_missing_text():
    est = load_model().to_estimator()
    with pytest.raises(TextsError, match=r"^expected str texts, got NoneType \(text 1, counted from 1\)$"):
        est.predict([None])  # had been a TypeError from inside the featurizer: "has no len()"


def test_estimator_fits_on_a_series_and_a_generator_alike():
    a = _small_estimator().fit(pd.Series(TRAIN, index=range(100, 112)), Y)
    b = _small_estimator().fit((t for t in TRAIN), Y)
    np.testing.assert_array_equal(a.predict_proba([T1, T2]), b.predict_proba(iter([T1, T2])))


def test_label_none_is_a_trendscore_error():
    with pytest.raises(TextsError, match="got a NoneType"):
        trendscore.label(None)


def test_label_takes_records_from_a_generator_as_from_a_list():
    records = [{"id": 1, "text": T1}, {"id": 2, "text": T2}]
    want = trendscore.label(records)
    # a generator of dicts had been refused: "expected str texts, got dict (text 1, counted from 1)"
    assert trendscore.label(dict(r) for r in records) == want
    assert trendscore.label(iter(records)) == want
    assert trendscore.label(t for t in [T1, T2]) == trendscore.label([T1, T2])


def test_label_names_a_record_that_is_not_a_dict():
    with pytest.raises(trendscore.InputError, match=r"^<records>:2: expected a dict record, got str$"):
        trendscore.label([{"text": T1}, T2])  # had said "expected str texts, got dict (text 1 ...)"


def test_label_refuses_a_frame_column_the_scores_would_replace():
    frame = pd.DataFrame({"text": [T1], "score_policy": ["my own"]})
    # the frame's own score_policy had been replaced by the model's without a word
    with pytest.raises(trendscore.InputError, match=r"^the DataFrame has a column 'score_policy', the name"):
        trendscore.label(frame)
    assert trendscore.label(frame.rename(columns={"score_policy": "mine"}))["mine"].tolist() == ["my own"]


def test_label_dataframe_refuses_a_column_the_scores_would_replace():
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    from trendscore.integrations.dask import label_dataframe

    frame = pd.DataFrame({"text": [T1, T2], "score_culture": [1, 2]})
    with pytest.raises(trendscore.InputError, match=r"^the DataFrame has a column 'score_culture'"):
        label_dataframe(dd.from_pandas(frame, npartitions=2))


RECORDS = [{"text": T1 if d % 2 else T2, "date": f"2026-01-{d:02d}"} for d in range(1, 29)]


def _score_with(model):
    return trendscore.score(RECORDS, model=model)


@pytest.mark.parametrize("call", [trendscore.label, trendscore.load_model, _score_with])
@pytest.mark.parametrize("model", [5, ["default"], b"default"])
def test_a_model_argument_that_names_no_model_is_a_model_error(call, model):
    # had been Python's own "expected str, bytes or os.PathLike object, not int" from inside pathlib
    pattern = r"^model must be a Model, a model directory or a bundled model's name \(default, accurate, thorough\)"
    with pytest.raises(trendscore.ModelError, match=pattern):
        call([T1], model=model) if call is trendscore.label else call(model)


@pytest.mark.parametrize("freq", ["W", "weekly", None, 7])
def test_score_refuses_an_unknown_freq_as_a_trendscore_error(freq):
    # had been a bare ValueError raised from inside the counting: "unknown freq 'W'; ..."
    with pytest.raises(trendscore.InputError, match=r"^freq .* is not one of day, week, month$"):
        trendscore.score(RECORDS, freq=freq)


@pytest.mark.parametrize("records", [None, 5])
def test_score_refuses_what_is_no_iterable_of_records(records):
    # had been Python's own "'NoneType' object is not iterable"
    with pytest.raises(trendscore.InputError, match=r"^expected records \(an iterable of dicts\) or a DataFrame, got"):
        trendscore.score(records)


@pytest.mark.parametrize("relabel", ["no", "false", 0, None])
def test_score_refuses_a_relabel_that_is_no_bool(relabel):
    # "no" had been taken as true (the model relabelled every record)
    with pytest.raises(trendscore.InputError, match=r"^relabel must be True or False, got "):
        trendscore.score(RECORDS, relabel=relabel)


def test_score_dataframe_refuses_an_unknown_freq_and_model_before_any_work():
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    from trendscore.integrations.dask import label_dataframe, score_dataframe

    frame = dd.from_pandas(pd.DataFrame(RECORDS), npartitions=2)
    with pytest.raises(trendscore.InputError, match=r"^freq 'W' is not one of day, week, month$"):
        score_dataframe(frame, freq="W")
    with pytest.raises(trendscore.ModelError, match=r"^model must be a Model, .*got int$"):
        label_dataframe(frame, model=5)


BAD_NAMES = [("a|b", "without '|'"), (" policy", "spaces at either end"), ("a,b", "list")]


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_from_estimator_holds_theme_names_to_the_training_rule(name, message):
    est = _small_estimator().fit(TRAIN, Y)
    # a theme 'a|b' had been saved, labelled and written to CSV as 'a|b', read back as two themes
    with pytest.raises(trendscore.ModelError, match=rf"^label '{name}' is not a theme name.*{message}"):
        trendscore.Model.from_estimator(est, themes=[name, "overseas"])
    single = _small_estimator().fit(TRAIN, ["a|b", "overseas"] * 6)
    with pytest.raises(trendscore.ModelError, match=r"^label 'a\|b' is not a theme name"):
        trendscore.Model.from_estimator(single)


@pytest.mark.parametrize("call", ["label", "score"])
def test_a_model_argument_that_is_the_estimator_says_how_to_make_it_a_model(call):
    est = load_model().to_estimator()
    records = [{"text": T1, "date": "2026-01-05"}]
    # had ended at "got TextThemeClassifier", though the two convert into each other
    with pytest.raises(trendscore.ModelError) as caught:
        getattr(trendscore, call)(records, model=est)
    assert str(caught.value).endswith(
        "got TextThemeClassifier; make a fitted one a Model with Model.from_estimator(est)"
    )


@pytest.mark.parametrize("themes", ["po", b"po"])
def test_from_estimator_refuses_one_string_for_the_theme_names(themes):
    est = _small_estimator().fit(TRAIN, Y)
    # "po" had made a model of the two themes 'p' and 'o', a string's characters
    with pytest.raises(trendscore.ModelError) as caught:
        trendscore.Model.from_estimator(est, themes=themes)
    kind = type(themes).__name__
    assert str(caught.value) == f"themes must be a list of names, got one {kind} {themes!r}; wrap it in a list"


@pytest.mark.parametrize("top", [0, -1, "3", 2.5, True])
def test_explain_refuses_a_top_that_is_no_count_of_terms(top):
    # top=-1 had given every term but the last (a slice), "3" a TypeError from inside the slice
    with pytest.raises(trendscore.InputError, match=r"^top must be a whole number from 1 up, got"):
        load_model().explain(T1, top=top)
    assert [len(terms) for terms in load_model().explain(T1, top=np.int64(2)).values()] == [2, 2]


def test_train_refuses_a_misspelt_setting_before_any_training(tmp_path):
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text(json.dumps({"id": "1", "text": T1, "labels": ["policy"]}, ensure_ascii=False) + "\n", "utf-8")
    # had been "TextThemeClassifier.__init__() got an unexpected keyword argument 'min-df'", after the
    # seeds were read (or, with cross-validation first, after minutes of work)
    with pytest.raises(trendscore.InputError, match=r"^unknown training setting 'min-df'; did you mean 'min_df'\?$"):
        trendscore.train([seeds], tmp_path / "m", **{"min-df": 1})
    with pytest.raises(trendscore.InputError, match=r"^unknown training setting 'zz'; the settings are C, "):
        trendscore.train([seeds], tmp_path / "m", zz=1)
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    ("proba", "got"),
    [([[0.9]], "a row of 1"), (np.array([[0.9]]), r"shape \(1, 1\)"), (np.full(5, 0.9), r"shape \(5,\)")],
)
def test_labels_from_proba_refuses_probabilities_of_another_width(proba, got):
    # a one-column array had been broadcast over every theme (each labelled), a short row cut short
    model = load_model()
    with pytest.raises(trendscore.InputError, match=rf"^expected probabilities in 5 columns, one per theme, got {got}"):
        model.labels_from_proba(proba)
    assert model.labels_from_proba(model.predict_proba([T1])) == model.predict([T1])


def test_score_names_a_date_index_that_would_leave_every_row_undated():
    frame = pd.DataFrame(RECORDS).set_index("date")  # the usual first step with a time series
    # had been "none of the 28 passages has a usable date; 28 have none", the index never named
    with pytest.raises(trendscore.InputError, match=r"^the DataFrame's index is named 'date', and no column is"):
        trendscore.score(frame)
    assert trendscore.score(frame.reset_index()).to_json() == trendscore.score(RECORDS).to_json()


def test_score_reads_labels_arrays_and_tuples_of_records_as_a_frames_cells():
    labelled = [{**r, "labels": ["policy"] if i % 2 else ["overseas"]} for i, r in enumerate(RECORDS)]
    want = trendscore.score(labelled).to_json()
    # records from df.to_dict("records") of a Parquet frame hold numpy arrays: refused as
    # "expected 'labels' as a list of theme names, got ndarray", where the frame itself was read
    as_arrays = [{**r, "labels": np.array(r["labels"])} for r in labelled]
    assert trendscore.score(as_arrays).to_json() == want == trendscore.score(pd.DataFrame(as_arrays)).to_json()
    assert isinstance(as_arrays[0]["labels"], np.ndarray)  # the caller's records are left as they were
    assert trendscore.score(tuple({**r, "labels": tuple(r["labels"])} for r in labelled)).to_json() == want
    with pytest.raises(trendscore.InputError, match=r"^<records>:1: expected 'labels' as a list of theme names"):
        trendscore.score([{**labelled[0], "labels": np.array([1])}])


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"words": "no"}, "words must be True or False, got 'no'"),  # had switched words on
        ({"tune_thresholds": "no"}, "tune_thresholds must be True or False"),
        ({"min_df": "1"}, "min_df must be a whole number from 1 up, got '1'"),  # had been a TypeError inside
        ({"min_df": 0.01}, "min_df must be a whole number from 1 up"),  # a share, as in scikit-learn: had kept all
        ({"cv": "5"}, "cv must be a whole number from 0 up"),
        ({"char_ngram_max": "3"}, "char_ngram_max must be a whole number from 0 up, got '3'"),  # had been a
        ({"char_ngram_min": 1.5}, "char_ngram_min must be a whole number from 0 up"),  # TypeError inside
        ({"nb_weight": -1}, "nb_weight must be a number from 0 up"),
    ],
)
def test_estimator_settings_of_the_wrong_kind_are_refused_at_fit(setting, message):
    est = TextThemeClassifier(**{"min_df": 1, "cv": 2, "lists": "", **setting})
    with pytest.raises(trendscore.InputError, match=f"^{message}"):
        est.fit(TRAIN, Y)


@pytest.mark.parametrize(("name", "other"), [("label_dataframe", "label"), ("score_dataframe", "score")])
def test_the_dask_functions_point_a_pandas_frame_to_the_functions_that_take_it(name, other):
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    from trendscore.integrations import dask as integration

    call = getattr(integration, name)
    # had been AttributeError: 'DataFrame' object has no attribute '_meta'
    pattern = rf"^{name} takes a Dask DataFrame, got a pandas one: give it to trendscore.{other} "
    with pytest.raises(trendscore.InputError, match=pattern):
        call(pd.DataFrame(RECORDS))
    with pytest.raises(trendscore.InputError, match=rf"^{name} takes a Dask DataFrame, got a list$"):
        call(RECORDS)


def test_train_takes_one_seed_file_as_that_file(tmp_path):
    seeds = tmp_path / "seeds.jsonl"
    rows = [{"id": str(i), "text": t, "labels": ["policy" if i % 2 == 0 else "overseas"]} for i, t in enumerate(TRAIN)]
    seeds.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    # a string had been read as a list of its characters: "/" a directory, and so on
    model = trendscore.train(str(seeds), tmp_path / "m", cv=0, min_df=1, lists="")
    assert sorted(model.themes) == ["overseas", "policy"]
    assert trendscore.load_model(tmp_path / "m").predict([T1]) == model.predict([T1])


def test_a_model_pickles_and_its_copy_is_its_own(tmp_path):
    import copy
    import pickle

    shared = load_model()
    shared.explain(T1)  # builds its caches, which a pickle need not carry
    texts = [T1, T2, "", "AI技术赋能短剧制作"] * 3
    for twin in (pickle.loads(pickle.dumps(shared)), copy.deepcopy(shared)):
        np.testing.assert_array_equal(twin.predict_proba(texts), shared.predict_proba(texts))
        assert twin.explain(T1) == shared.explain(T1) and twin.themes == shared.themes
        # the copy had stayed marked as the model load_model shares: its save left it the bundled path
        saved = twin.save(tmp_path / f"copy{id(twin)}")
        assert twin.path == saved and shared.path != saved


def test_label_names_a_text_column_that_is_a_group_of_a_multiindex():
    frame = pd.DataFrame([[T1, 1]], columns=pd.MultiIndex.from_tuples([("text", "zh"), ("n", "")]))
    # had said "the DataFrame has 1 columns named 'text'; keep one"
    with pytest.raises(trendscore.InputError, match=r"^the DataFrame's columns have 2 levels, and 'text' names"):
        trendscore.label(frame)


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ("notes", "the card given to from_estimator: expected a JSON object, got str"),
        ({"params": "x"}, "the card given to from_estimator: 'params' must be an object, got str"),
        ({"created": 5}, "the card given to from_estimator: 'created' must be text"),
        ({"x": object()}, r"the card given to from_estimator is not JSON \(Object of type object"),
    ],
)
def test_from_estimator_refuses_a_card_that_would_not_load(tmp_path, card, message):
    est = _small_estimator().fit(TRAIN, Y)
    # each had made a model that labelled, but that save wrote as a directory load_model refuses,
    # and whose score and to_estimator failed with AttributeError ('str' object has no attribute 'get')
    with pytest.raises(trendscore.ModelError, match=f"^{message}"):
        trendscore.Model.from_estimator(est, themes=["policy", "overseas"], card=card)
    model = trendscore.Model.from_estimator(est, themes=["policy", "overseas"], card={"notes": ("a",)})
    assert load_model(model.save(tmp_path / "m")).card == {"notes": ["a"]}


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ({"seeds": [1]}, "the card given to save: 'seeds', 'cross_validation' and 'thresholds' must be objects"),
        ({"created": 5}, "the card given to save: 'created' must be text"),
        ("notes", "the card given to save: expected a JSON object, got str"),
        ({"loss": float("nan")}, r"the card given to save is not JSON \(Out of range float"),
        ({"x": object()}, r"the card given to save is not JSON \(Object of type object"),
    ],
)
def test_save_refuses_a_card_that_would_not_load_and_writes_nothing(tmp_path, card, message):
    # each had been written, leaving a model directory that load_model refuses (or half a one)
    with pytest.raises(trendscore.ModelError, match=f"^{message}"):
        load_model().save(tmp_path / "m", card=card)
    assert not (tmp_path / "m").exists()
    saved = load_model().save(tmp_path / "ok", card={"notes": ("a", "b"), "by_id": {1: 2}})
    assert load_model(saved).card == {"notes": ["a", "b"], "by_id": {"1": 2}}


def test_a_doc_id_column_with_a_gap_in_a_dataframe_still_names_reports():
    """pandas holds an int ``doc_id`` column with a missing cell as floats (``3.0``): those
    ids had named no report, so the passages of each report were counted as independent ones
    (``reports_as_units`` 0) without a word. ``3.0`` is the report ``3``."""
    rows = [{"date": "2024-12-01", "doc_id": i // 2, "labels": ["policy"] if i % 3 == 0 else []} for i in range(8)]
    gap = pd.DataFrame([*rows, {"date": "2024-12-01", "doc_id": None, "labels": []}])
    assert gap["doc_id"].dtype == "float64"
    whole = trendscore.score(pd.DataFrame(rows), freq="day").records
    assert whole["reports_as_units"] == 4
    assert trendscore.score(gap, freq="day").records["reports_as_units"] == whole["reports_as_units"]
