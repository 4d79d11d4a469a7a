"""The cross-validated choice of training settings (``train`` with no options)."""

import itertools
import json

import numpy as np
import pytest

from trendscore import load_model
from trendscore.modeling.fitting import _settings, defaults
from trendscore.modeling.selection import SEARCHED, candidates, encoder_candidates, report_groups, search, select_folds
from trendscore.seeds.files import Seed, read_seeds

DEFAULT_PARAMS = defaults()

_ROWS = [
    ("体育", "足球比赛今晚开赛,主队{}号球员进球"),
    ("财经", "股市今日大涨,沪指收涨{}点"),
    ("科技", "芯片新品发布,性能提升{}倍"),
]


def _single_label(n=60, url=None):
    return [
        Seed(
            str(i),
            _ROWS[i % 3][1].format(i),
            (_ROWS[i % 3][0],),
            None,
            None,
            None,
            "s.jsonl",
            i + 1,
            (),
            url(i) if url else None,
        )
        for i in range(n)
    ]


def _write(path, seeds):
    path.write_text(
        "".join(
            json.dumps({"id": s.id, "text": s.text, "labels": list(s.labels)}, ensure_ascii=False) + "\n" for s in seeds
        ),
        "utf-8",
    )
    return path


def _ticking_clock(step=1.0):
    """A clock that advances ``step`` seconds every time it is read."""
    counter = itertools.count()
    return lambda: next(counter) * step


def test_first_candidate_is_todays_defaults_and_none_repeat():
    cands = candidates({})
    assert {k: cands[0][k] for k in ("char_ngram_min", "char_ngram_max", "char_all", "style", "min_df", "C")} == {
        k: DEFAULT_PARAMS[k] for k in ("char_ngram_min", "char_ngram_max", "char_all", "style", "min_df", "C")
    }
    assert len({json.dumps(c, sort_keys=True) for c in cands}) == len(cands)
    assert all(c["embedding"] == "" for c in cands)


def test_fixed_settings_are_never_searched():
    cands = candidates({"C": 2.0, "style": True, "n_jobs": 2})
    assert cands and all(c["C"] == 2.0 and c["style"] is True for c in cands)
    assert all(set(c) == set(SEARCHED) for c in cands)  # settings outside the search stay out
    assert len(cands) < len(candidates({}))  # the combinations that differed only in C collapsed


def test_encoder_is_tried_only_when_allowed_and_not_fixed():
    best = candidates({})[5]
    tried = encoder_candidates(best, {}, "use-m3")
    assert tried[0] == {**best, "embedding": "use-m3"}
    assert {c["C"] for c in tried} == {0.5, 1.0} and all(c["embedding"] == "use-m3" for c in tried)
    assert {c["nb_weight"] for c in tried} == {0.0, 0.5, 1.0}
    assert [c["C"] for c in encoder_candidates(best, {"C": 1.0, "nb_weight": 0.5}, "use-m3")] == [best["C"]]
    assert {c["C"] for c in encoder_candidates(best, {"C": 1.0}, "use-m3")} == {best["C"]}
    # multi-label seeds: no naive Bayes weights to try
    assert [c["nb_weight"] for c in encoder_candidates(best, {"C": 1.0}, "use-m3", single_label=False)] == [
        best["nb_weight"]
    ]
    assert encoder_candidates(best, {"embedding": ""}, "use-m3") == []
    assert encoder_candidates(best, {}, "") == []
    assert all(c["embedding"] == "" for c in candidates({}))


def test_encoder_stage_runs_after_the_tfidf_budget_is_spent(monkeypatch):
    import trendscore.modeling.selection as selection

    seen = []
    monkeypatch.setattr(selection, "_embedded", lambda X, texts, train, params: seen.append(params["C"]) or X)
    _, record = search(_single_label(), {}, _settings({}), 2.5, encoder="use-m3", clock=_ticking_clock())
    kinds = [r["settings"]["embedding"] for r in record["candidates"]]
    # half the budget for TF-IDF: one candidate's SVMs, scored at the three naive Bayes weights;
    # the encoder stage's first always runs, and with it its own naive Bayes weights
    assert kinds == ["", "", "", "use-m3", "use-m3", "use-m3"] and seen == [0.5, 0.5, 0.5]  # three folds
    assert record["skipped_for_budget"] == len(candidates({})) - 3 + 3  # the encoder's at C 1


@pytest.mark.parametrize("budget, ran", [(0.0, 3), (2.5, 3), (6.5, 3), (7.5, 6), (1e9, None)])
def test_budget_bounds_the_candidates_tried(budget, ran):
    seeds = _single_label()
    chosen, record = search(seeds, {}, _settings({}), budget, clock=_ticking_clock())
    total = len(candidates({}))
    # the search reads the clock at its start, then per candidate at the budget check (none for
    # the first, which runs whatever the budget, nor for the two after it of each three, which
    # differ only in the naive Bayes weight and reuse its SVMs), its start and its end: with a
    # one-second tick the fourth candidate's check sees 7 seconds spent
    assert len(record["candidates"]) == (total if ran is None else ran)
    assert record["skipped_for_budget"] == total - len(record["candidates"])
    assert record["budget_s"] == budget
    assert record["chosen"] in [r["settings"] for r in record["candidates"]]
    assert {k: chosen[k] for k in SEARCHED} == record["chosen"]


def test_search_records_figures_and_picks_the_best():
    _, record = search(_single_label(), {}, _settings({}), 1e9)
    rows = record["candidates"]
    assert record["metric"] == "accuracy" and record["folds"] == 3
    assert all(0.0 <= r["accuracy"] <= 1.0 and 0.0 <= r["macro_f1"] <= 1.0 for r in rows)
    best = max(r["accuracy"] for r in rows)
    first_best = next(r for r in rows if r["accuracy"] == best)
    assert record["chosen"] == first_best["settings"]


def test_report_groups_prefer_doc_id_then_url():
    seeds = [
        Seed("a", "t", ("x",), None, None, None, "f", 1, (), "u1", "d1"),
        Seed("b", "t", ("x",), None, None, None, "f", 2, (), "u2", "d1"),
        Seed("c", "t", ("x",), None, None, None, "f", 3, (), "u2"),
        Seed("d", "t", ("x",), None, None, None, "f", 4),
    ]
    groups = report_groups(seeds)
    assert groups[0] == groups[1] == "d1" and groups[2] == "u2" and groups[3] not in groups[:3]
    assert report_groups(seeds[2:]) is None  # no two seeds share a report: plain folds


def test_folds_keep_each_report_on_one_side():
    seeds = _single_label(90, url=lambda i: f"https://news.example/{i // 5}")
    splits = select_folds(seeds, 3)
    assert len(splits) == 3
    for train, test in splits:
        assert not {seeds[i].url for i in train} & {seeds[i].url for i in test}
    assert sorted(np.concatenate([t for _, t in splits]).tolist()) == list(range(90))


def test_folds_by_report_with_a_class_rarer_than_folds_warn_nothing():
    """Seeds sharing reports, one label on two seeds, three folds: scikit-learn's grouped
    stratified folds had warned on the terminal that the class has fewer members than folds;
    the splits are made as before (the class is in fewer folds), silently."""
    import warnings

    labels = ["x"] * 40 + ["y"] * 40 + ["z"] * 2
    seeds = [
        Seed(f"s{i}", "t", (lab,), None, None, None, "f", i + 1, (), f"https://news.example/{i // 2}")
        for i, lab in enumerate(labels)
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        splits = select_folds(seeds, 3)
    assert [str(w.message) for w in caught] == []
    assert len(splits) == 3
    assert sorted(np.concatenate([t for _, t in splits]).tolist()) == list(range(len(seeds)))


def test_train_cli_fixes_given_options_and_records_the_search(tmp_path, run):
    path = _write(tmp_path / "s.jsonl", _single_label())
    result = run("train", path, "-o", tmp_path / "m", "--C", "2", "--no-style", "--cv", "0")
    assert result.exit_code == 0, result.output
    card = load_model(tmp_path / "m").card
    sel = card["selection"]
    assert sel["fixed"] == {"C": 2.0, "style": False}
    assert sel["candidates"] and all(
        r["settings"]["C"] == 2.0 and not r["settings"]["style"] for r in sel["candidates"]
    )
    assert card["params"]["C"] == 2.0 and card["params"]["style"] is False
    assert {k: card["params"][k] for k in SEARCHED} == sel["chosen"]


def test_train_cli_budget_zero_keeps_todays_defaults(tmp_path, run):
    path = _write(tmp_path / "s.jsonl", _single_label())
    assert run("train", path, "-o", tmp_path / "m", "--budget", "0", "--cv", "0").exit_code == 0
    card = load_model(tmp_path / "m").card
    assert "selection" not in card
    assert all(card["params"][k] == DEFAULT_PARAMS[k] for k in SEARCHED)


def test_train_cli_every_option_given_means_no_search(tmp_path, run):
    path = _write(tmp_path / "s.jsonl", _single_label())
    args = ["--C", "1", "--min-df", "1", "--char-ngrams", "1-3", "--char-all", "--style", "--nb-weight", "0.5"]
    args += ["--cv", "0"]
    assert run("train", path, "-o", tmp_path / "m", *args).exit_code == 0
    card = load_model(tmp_path / "m").card
    assert "selection" not in card and card["params"]["min_df"] == 1 and card["params"]["char_all"] is True


def test_too_few_seeds_are_not_searched(tmp_path, run):
    path = _write(tmp_path / "s.jsonl", _single_label(12))
    assert run("train", path, "-o", tmp_path / "m", "--cv", "0").exit_code == 0
    card = load_model(tmp_path / "m").card
    assert "fewer than" in card["selection"]["skipped"]
    assert all(card["params"][k] == DEFAULT_PARAMS[k] for k in SEARCHED)


@pytest.mark.parametrize("extra", [["--embedding", "use-m3"], ["--budget", "0"]])
def test_allow_encoder_conflicts_are_usage_errors(tmp_path, run, extra):
    path = _write(tmp_path / "s.jsonl", _single_label())
    result = run("train", path, "-o", tmp_path / "m", "--allow-encoder", "use-m3", *extra)
    assert result.exit_code == 2 and "--allow-encoder" in result.output
    assert not (tmp_path / "m").exists()


def test_doc_id_is_read_from_seed_files(tmp_path):
    f = tmp_path / "s.jsonl"
    f.write_text(json.dumps({"text": "短剧", "labels": [], "doc_id": "r7"}) + "\n", "utf-8")
    assert read_seeds([f])[0].doc_id == "r7"
    f.write_text(json.dumps({"text": "短剧", "labels": [], "doc_id": 7}) + "\n", "utf-8")
    with pytest.raises(Exception, match="doc_id"):
        read_seeds([f])
