import functools
import json

import pytest
from conftest import SEEDS

from trendscore.errors import ModelError
from trendscore.text.features import FeatureConfig, Featurizer
from trendscore.text.namelists import (
    LISTS,
    MARK,
    check_list_names,
    list_terms,
    list_tokens,
    list_tokens_many,
    lists_sha256,
    resolve_lists,
)


@pytest.mark.parametrize("name", LISTS)
def test_every_list_names_its_source_and_licence(name):
    from importlib import resources

    header = [
        ln.lower()
        for ln in resources.files("trendscore").joinpath(f"data/lists/{name}.txt").read_text("utf-8").splitlines()
        if ln.startswith("#")
    ]
    assert any("source" in ln for ln in header) and any("licence" in ln or "license" in ln for ln in header)
    terms = list_terms(name)
    assert len(terms) >= 20
    assert len(set(terms)) == len(terms)
    assert all(len(t) >= 2 for t in terms)


@pytest.mark.parametrize(
    "text, lists, expected",
    [
        ("剧组赴洛杉矶拍摄", ("foreign_places",), ["\x02foreign_places"]),
        ("国家广播电视总局发布通知", ("cn_government",), ["\x02cn_government"]),
        ("横店和象山的剧组", ("cn_places",), ["\x02cn_places", "\x02cn_places"]),
        ("filmed in los angeles for reelshort", ("foreign_places", "foreign_platforms"),
         ["\x02foreign_places", "\x02foreign_platforms"]),
        ("a bonus for us and the usa team", ("foreign_places",), []),  # no match inside words
        ("短剧市场规模持续扩大", tuple(LISTS), []),
        ("", tuple(LISTS), []),
    ],
)
def test_mentions_become_one_token_per_list(text, lists, expected):
    assert list_tokens(text, lists) == expected


def test_longest_term_wins():
    # "北京市" is one mention, not "北京" plus a leftover
    assert list_tokens("北京市海淀区", ("cn_places",)).count("\x02cn_places") == 2


def test_traditional_text_matches_simplified_terms():
    fz = Featurizer(FeatureConfig(lists="cn_government"))
    words, _ = fz.analyze(["國家廣播電視總局發布通知"])[0]
    assert "\x02cn_government" in words


def test_unknown_or_malformed_list_settings_are_refused():
    with pytest.raises(ModelError, match="unknown name lists"):
        FeatureConfig(lists="cn_places,/etc/passwd")
    with pytest.raises(ModelError):
        FeatureConfig(lists=["cn_places"])
    with pytest.raises(ModelError):
        resolve_lists("nope")
    assert check_list_names("foreign_places, cn_places") == ("cn_places", "foreign_places")
    assert resolve_lists("all") == ",".join(LISTS)


def test_list_features_agree_between_pure_python_and_batch_paths():
    from trendscore.seeds.files import read_seeds

    texts = [s.text for s in read_seeds([SEEDS / "batch_02_gov.jsonl"])]
    fz = Featurizer(FeatureConfig(lists=",".join(LISTS))).fit(texts)
    assert "\x02cn_government" in fz.word_vocab and "\x02cn_places" in fz.word_vocab
    row, col, w = fz.transform_coo(texts[:15])
    for i in range(15):
        sel = row == i
        assert fz.row_weights(texts[i]) == pytest.approx(dict(zip(col[sel].tolist(), w[sel].tolist())), abs=1e-12)


def test_list_model_round_trip_and_changed_lists_refused(tmp_path, monkeypatch):
    from trendscore.modeling.model import load_model
    from trendscore.modeling.training import fit_model
    from trendscore.seeds.files import read_seeds

    seeds = read_seeds([SEEDS / "batch_02_gov.jsonl", SEEDS / "batch_06_headlines.jsonl"])
    model = fit_model(seeds, lists="cn_places,cn_government")
    path = model.save(tmp_path / "m")
    again = load_model(path)
    text = "杭州市政府发布微短剧扶持政策"
    assert again.label([text]) == model.label([text])
    shown = [t for ws in again.explain(text, top=200).values() for t, _ in ws]
    assert "[list cn_places]" in shown or "[list cn_government]" in shown
    meta = json.loads((path / "model.json").read_text("utf-8"))
    assert meta["lists"]["sha256"] == lists_sha256("cn_places,cn_government")
    import trendscore.text.namelists as nl

    monkeypatch.setattr(nl, "_raw", lambda name: "# changed\n火星\n")
    monkeypatch.setattr("trendscore.modeling.model.lists_sha256", nl.lists_sha256)
    with pytest.raises(ModelError, match="name lists"):
        load_model(path)


def test_batch_matching_equals_one_text_at_a_time():
    from trendscore.text.namelists import list_tokens_many

    texts = ["filmed in los angeles", "usa team", "", "横店", "北京市政府 and us", "us", "reelshort", "杭州市政府"]
    names = tuple(LISTS)
    assert list_tokens_many(texts, names) == [list_tokens(t, names) for t in texts]
    # a place and an overlapping government term both count: lists are matched independently
    assert set(list_tokens("杭州市政府", names)) == {"\x02cn_places", "\x02cn_government"}


def test_a_model_naming_a_file_as_its_opencc_setting_is_refused(tmp_path):
    """The OpenCC setting comes from model.json: only known configurations, never a path."""
    from trendscore.modeling import store
    from trendscore.modeling.model import load_model
    from trendscore.modeling.training import fit_model
    from trendscore.seeds.files import read_seeds

    path = fit_model(read_seeds([SEEDS / "batch_06_headlines.jsonl"]), cv=2).save(tmp_path / "m")
    meta = json.loads((path / "model.json").read_text("utf-8"))
    meta["features"]["opencc"] = "/etc/passwd"
    files = {n: json.loads((path / n).read_text("utf-8")) for n in ("vocab.json", "card.json")}
    arrays = {n: store.load_array(path / n).numpy() for n in ("idf.npy", "coef.npy", "intercept.npy")}
    store.write_model_dir(path, {"model.json": meta, **files}, arrays)
    with pytest.raises(ModelError, match="unknown OpenCC setting '/etc/passwd'"):
        load_model(path)


@pytest.mark.slow
def test_train_lists_option(run, tmp_path):
    seeds = SEEDS / "batch_06_headlines.jsonl"
    bad = run("train", seeds, "-o", tmp_path / "bad", "--lists", "places", "--cv", "0")
    assert bad.exit_code == 2 and "unknown name lists ['places']" in bad.stderr
    assert bad.stderr.count("\n") == 1 and not (tmp_path / "bad").exists()
    for value, expected in (("none", ""), ("foreign_places,cn_places", "cn_places,foreign_places")):
        out = tmp_path / value.replace(",", "_")
        assert run("train", seeds, "-o", out, "--lists", value, "--cv", "0").exit_code == 0
        assert json.loads((out / "model.json").read_text("utf-8"))["features"]["lists"] == expected
    default = tmp_path / "default"
    assert run("train", seeds, "-o", default, "--cv", "0").exit_code == 0
    assert json.loads((default / "model.json").read_text("utf-8"))["features"]["lists"] == ",".join(LISTS)


def test_many_texts_find_the_same_mentions_as_few(monkeypatch):
    """Past DFA_TEXTS texts the automaton is a DFA: the same mentions, text by text (searched
    with the other automaton: as if this process had built no DFA)."""
    from label_sample import sample_texts

    from trendscore.text import namelists
    from trendscore.text.namelists import DFA_TEXTS, MARK, list_token_rows, list_tokens_many, mentions_many
    from trendscore.text.normalise import normalize_many

    texts = normalize_many(sample_texts()[:3000])
    assert len(texts) > DFA_TEXTS
    many = list_tokens_many(texts, LISTS)
    assert sum(map(len, many)) > 1000
    monkeypatch.setattr(namelists, "_DFA_BUILT", set())
    assert many == [list_tokens_many([t], LISTS)[0] for t in texts]
    assert mentions_many(texts, LISTS) == [mentions_many([t], LISTS)[0] for t in texts]
    rows, ks = list_token_rows(texts, LISTS)
    assert [(r, MARK + LISTS[k]) for r, k in zip(rows, ks)] == [(r, tok) for r, toks in enumerate(many) for tok in toks]


def test_overlapping_mentions_counted_alike_in_a_batch(monkeypatch):
    """Texts packed with list terms, overlapping and touching letters: the batch counting (numpy,
    runs of overlaps) and the one-text counting agree."""
    import random

    from trendscore.text import namelists
    from trendscore.text.namelists import list_token_rows, mentions_many

    rng = random.Random(15)
    terms = [t for name in LISTS for t in list_terms(name)]
    glue = ["", "", "", " ", "a", "1", "-", "省", "市"]
    texts = []
    for _ in range(1500):
        parts = [rng.choice(terms)[: rng.randrange(1, 12)] for _ in range(rng.randrange(1, 12))]
        texts.append("".join(p + rng.choice(glue) for p in parts).lower())
    texts += ["", "us", "usa", "a us b"]
    many = list_tokens_many(texts, LISTS)
    assert sum(map(len, many)) > 5000
    monkeypatch.setattr(namelists, "_DFA_BUILT", set())  # one text at a time with the other automaton
    assert many == [list_tokens_many([t], LISTS)[0] for t in texts]
    assert mentions_many(texts, LISTS) == [mentions_many([t], LISTS)[0] for t in texts]
    rows, ks = list_token_rows(texts, LISTS)
    assert [(r, MARK + LISTS[k]) for r, k in zip(rows.tolist(), ks.tolist())] == [
        (r, tok) for r, toks in enumerate(many) for tok in toks
    ]


def test_few_texts_use_the_dfa_once_built_and_find_the_same(monkeypatch):
    """A run that built the DFA for a batch searches a few texts with it too (no second
    automaton to build): the same mentions as the automaton a one-passage run builds."""
    from label_sample import sample_texts

    from trendscore.text import namelists
    from trendscore.text.normalise import normalize_many

    texts = normalize_many(sample_texts()[:600])
    cached = functools.lru_cache(maxsize=8)(namelists._automaton.__wrapped__)
    asked: list[bool] = []

    def asking(names, opencc, dfa=False):
        asked.append(dfa)
        return cached(names, opencc, dfa)

    monkeypatch.setattr(namelists, "_automaton", asking)
    monkeypatch.setattr(namelists, "_DFA_BUILT", set())
    alone = [namelists.mentions_many([t], LISTS)[0] for t in texts]
    assert set(asked) == {False}
    namelists.mentions_many(texts, LISTS)  # a batch: builds the DFA
    asked.clear()
    assert [namelists.mentions_many([t], LISTS)[0] for t in texts] == alone
    assert set(asked) == {True}
    assert sum(map(len, alone)) > 200


def test_building_the_automaton_calls_no_pattern_for_each_term(monkeypatch):
    """Whether a term starts or ends with a Latin letter or digit was asked of a regular
    expression, twice for each of the 3,000 terms (~3 ms of every ``label`` start); a set
    answers it now, and the terms keep their lists, ends and order."""
    import trendscore.text.namelists as nl

    names = ("cn_places", "foreign_places", "cn_platforms", "foreign_platforms")
    _, before = nl._automaton(names, "tw2sp-traditional")

    class NoPattern:
        def match(self, text):
            pytest.fail("a term's end matched with a regular expression")

    nl._automaton.cache_clear()
    monkeypatch.setattr(nl, "_ASCII_WORD", NoPattern())
    try:
        _, info = nl._automaton(names, "tw2sp-traditional")
    finally:
        nl._automaton.cache_clear()
    assert info == before
    assert any(head for _, _, head, _, _ in info) and any(tail for _, _, _, tail, _ in info)
