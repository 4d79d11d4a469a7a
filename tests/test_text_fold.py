"""The fast normalising path gives exactly what NFKC (and the code before issue 15) gives."""

from __future__ import annotations

import random
import re
import unicodedata

import numpy  # noqa: F401 (batches are checked with numpy tables once numpy is imported)
from conftest import probe_output
from hypothesis import given, settings
from hypothesis import strategies as st
from label_sample import sample_texts

from trendscore.text import normalise as T

#: white space between two Chinese characters, as normalising removed it before issue 15
_CJK_GAP = re.compile(
    r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])[ \t\r\n]+(?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])"
)


def _second_halves() -> set[str]:
    """Every character that is the second half of a canonical two-character decomposition,
    and the Hangul vowels and trailing consonants, which compose by rule."""
    out = {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}
    for cp in range(0x110000):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<") and len(d.split()) == 2:
            out.add(chr(int(d.split()[1], 16)))
    return out


def _safe_characters() -> list[str]:
    safe = re.compile(f"[{T._FOLD_SAFE}]")
    return [chr(cp) for cp in range(0x110000) if safe.match(chr(cp))]


def test_every_safe_character_folds_on_its_own():
    """Each character the fast path takes decomposes to a starter that nothing composes onto,
    so NFKC of a run of them is NFKC of each, joined."""
    seconds = _second_halves()
    bad = []
    for ch in _safe_characters():
        head = unicodedata.normalize("NFKD", ch)[0]
        if unicodedata.combining(head) != 0 or head in seconds:
            bad.append(f"U+{ord(ch):04X}")
    assert not bad, bad[:20]


def test_the_table_holds_every_change():
    pattern, table, _ = T._fold_table()
    for ch in _safe_characters():
        want = T._fold(ch)
        assert table.get(ch, ch) == want, f"U+{ord(ch):04X}"
        assert bool(pattern.fullmatch(ch)) == (want != ch), f"U+{ord(ch):04X}"


_POOL = (
    [chr(c) for c in range(0x20, 0x7F)]
    + list("，。！？：；、“”《》【】…—·\u3000\x00\t\n微短剧出海劇網絡")
    + [chr(c) for c in range(0xFF01, 0xFF5F)]
    + list("①Ⅻ㈱ﬁ㍻\u2028\u200b\ufeff\ufe0f")
    + ["\U0001f525", "\U0001f3ac"]
    # slow-path characters: combining marks, Hangul jamo, kana voicing, lone surrogates
    + list("\u0301\u0308\u302a\u3099\u309a\uff9e\uff9f\u1161\u11a8\u314f\uffc2가カｶ\ud800\udfff")
    + ["\U00020000", "\U000e0001"]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_POOL), max_size=40))
def test_fast_fold_equals_nfkc(chars):
    text = "".join(chars)
    assert T._fold_many([text] * 9) == [T._fold(text)] * 9


def test_fast_fold_on_random_and_sample_texts():
    rng = random.Random(15)
    texts = sample_texts()
    texts += ["".join(rng.choice(_POOL) for _ in range(rng.randrange(60))) for _ in range(3000)]
    assert T._fold_many(texts) == [T._fold(t) for t in texts]


def _normalize_many_before(texts, config=T.OPENCC_CONFIG):
    """normalize_many as it was before issue 15's speed work (e80e4ac), the reference."""
    folded = [t if t.isascii() else _CJK_GAP.sub("", t) for t in map(T._fold, texts)]
    todo = [i for i, t in enumerate(folded) if not t.isascii()]
    if todo and config == "tw2sp-traditional":
        simplified = T._convert(folded, todo, "t2s")
        traditional = [i for i in todo if simplified[i] != folded[i]]
        folded = T._convert(folded, traditional, "tw2sp") if traditional else folded
    elif todo:
        folded = T._convert(folded, todo, config)
    return [t.lower() for t in folded]


def test_normalize_many_equals_the_code_before():
    texts = sample_texts()
    for config in T.OPENCC_CONFIGS:
        assert T.normalize_many(texts, config) == _normalize_many_before(texts, config), config


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(list(" \t\r\n\u3000\u2028中文短剧。，（ＡａbC1！?") + ["\U00020000", "\u303f", "\uffef"]),
        max_size=30,
    )
)
def test_gap_removal_equals_the_look_behind_pattern(chars):
    text = "".join(chars)
    assert T._without_gaps(text) == _CJK_GAP.sub("", text)


def test_importing_and_normalising_a_batch_compiles_one_class_of_the_chinese_block():
    """Each regular expression with a class spanning the 21,000 characters of U+4E00-U+9FFF
    costs ~2 ms to compile (the class is built one code point at a time), at every start of
    ``label``: four were compiled at import, where one is used; the others are comparisons and
    tables of code points now."""

    probe = (
        "import re, sys\n"
        "import numpy\n"
        "seen = []\n"
        "real = re.compile\n"
        "def compile(pattern, flags=0):\n"
        "    if sys._getframe(1).f_globals.get('__name__') == 'trendscore.text.normalise':\n"
        "        seen.append(pattern)\n"
        "    return real(pattern, flags)\n"
        "re.compile = compile\n"
        "from trendscore.text import normalise\n"
        "texts = ['微短劇 出海', '短剧\\u3000出海,ＡＩ'] * 5\n"
        "assert normalise.normalize_many(texts)[:2] == ['微短剧出海', '短剧出海,ai']\n"
        "print(sum('\\u9fff' in p for p in seen if isinstance(p, str)))\n"
    )
    assert probe_output(probe) == ["1"]


def test_labelling_a_batch_never_imports_numpy_ma():
    """``numpy.unique`` without options asks ``numpy.ma`` whether its input is masked, which
    imports numpy.ma (~15 ms) into every ``label`` run; finding the texts of a batch to fold
    or convert had called it."""

    probe = (
        "import sys\n"
        "import trendscore\n"
        "from trendscore.run.chunks import warm\n"
        "model = trendscore.load_model()\n"
        "warm(model)\n"
        "model.label(['微短劇\\u3000出海 𠀀', '短剧 出海,ＡＩ'] * 10)\n"
        "print('numpy' in sys.modules, 'numpy.ma' in sys.modules)\n"
    )
    assert probe_output(probe) == ["True", "False"]


def test_a_batch_normalised_before_numpy_is_imported_comes_out_the_same():
    """A model labelling one passage normalises its name lists' terms as a batch: before numpy
    is imported, a batch is folded and converted text by text (the tables would import numpy,
    ~0.1 s, into a run that never needs it), with the same result."""
    import json
    import subprocess
    import sys

    rng = random.Random(15)
    texts = sample_texts()[:300] + ["".join(rng.choice(_POOL) for _ in range(rng.randrange(40))) for _ in range(300)]
    texts = [T.without_surrogates(t) for t in texts]  # (JSON to the child)
    probe = (
        "import json, sys\n"
        "from trendscore.text import normalise\n"
        "texts = json.load(sys.stdin)\n"
        "out = normalise.normalize_many(texts)\n"
        "print(json.dumps(['numpy' in sys.modules, out]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], input=json.dumps(texts), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded, out = json.loads(done.stdout)
    assert loaded is False
    assert out == T.normalize_many(texts)
