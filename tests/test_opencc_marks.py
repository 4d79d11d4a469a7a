"""trendscore/data/opencc_t2s_marks.txt: a text holding none of its characters is left as it is
by OpenCC's t2s, so normalising may skip the conversion for it.

``python tests/test_opencc_marks.py`` rewrites the file from the installed OpenCC's
dictionaries (dumped with the ``opencc_dict`` tool its wheel ships).
"""

from __future__ import annotations

import os
import random
import subprocess
import tempfile
from pathlib import Path

import numpy  # noqa: F401 (batches are checked with numpy tables once numpy is imported)
import pytest
from label_sample import sample_texts

from trendscore.text import normalise as T

#: the dictionaries t2s.json names: normalisation, then one group (phrases first)
T2S_DICTS = ("CJK_Compatibility_Ideographs", "TSPhrases", "TSCharactersExt", "TSCharacters")
MARKS = Path(T.__file__).parents[1] / "data" / "opencc_t2s_marks.txt"


def _opencc_dir() -> Path:
    import opencc

    return Path(opencc.__file__).parent / "clib"


def _entries() -> list[tuple[str, str]]:
    """(key, first value) of every entry of the t2s dictionaries."""
    clib = _opencc_dir()
    tool = clib / "bin" / "opencc_dict"
    if not tool.is_file():
        pytest.skip("the OpenCC wheel has no opencc_dict tool to dump its dictionaries")
    env = {**os.environ, "LD_LIBRARY_PATH": str(clib / "lib64")}
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in T2S_DICTS:
            dump = Path(tmp) / f"{name}.txt"
            src = clib / "share" / "opencc" / f"{name}.ocd2"
            subprocess.run([tool, "-i", src, "-o", dump, "-f", "ocd2", "-t", "text"], check=True, env=env)
            for line in dump.read_text("utf-8").splitlines():
                key, values = line.split("\t")
                out.append((key, values.split(" ")[0]))
    return out


def marks_from_dictionaries() -> str:
    """One character of every entry that changes text: a changed single character, or, for a
    phrase none of whose characters is one of those, its first changed character."""
    entries = _entries()
    marks = {key for key, value in entries if len(key) == 1 and value != key}
    for key, value in entries:
        if len(key) > 1 and value != key and marks.isdisjoint(key):
            changed = [a for a, b in zip(key, value) if a != b] if len(key) == len(value) else list(key)
            marks.add(changed[0])
    return "".join(sorted(marks))


def write_marks() -> None:  # pragma: no cover - run by hand when OpenCC changes
    import opencc

    MARKS.write_text(
        "# One character of every entry of OpenCC's t2s dictionaries that changes text: t2s leaves a\n"
        "# text holding none of them unchanged. Written by tests/test_opencc_marks.py from the\n"
        "# dictionaries of the OpenCC named below; used by trendscore.text.normalise only with that version.\n"
        f"opencc {opencc.__version__}\n{marks_from_dictionaries()}\n",
        "utf-8",
    )


def test_marks_file_matches_the_installed_dictionaries():
    import opencc

    lines = [ln for ln in MARKS.read_text("utf-8").splitlines() if not ln.startswith("#")]
    if lines[0] != f"opencc {opencc.__version__}":
        pytest.skip(f"the marks are for {lines[0]}; this OpenCC is {opencc.__version__} (normalising ignores them)")
    assert lines[1] == marks_from_dictionaries()


def test_marks_are_used_with_their_opencc_only(monkeypatch):
    import opencc

    T._t2s_marks.cache_clear()
    T._t2s_mark_table.cache_clear()
    assert T._t2s_marks() is not None
    monkeypatch.setattr(opencc, "__version__", "0.0.1")
    T._t2s_marks.cache_clear()
    T._t2s_mark_table.cache_clear()
    try:
        assert T._t2s_marks() is None and T._t2s_mark_table() is None
        texts = sample_texts()[:500]
        assert T.normalize_many(texts) == [T.normalize(t) for t in texts]
    finally:
        monkeypatch.undo()
        T._t2s_marks.cache_clear()
        T._t2s_mark_table.cache_clear()


def test_texts_without_marks_are_unchanged_by_t2s():
    """Every sample text, and random runs of the characters the dictionaries change and of
    their neighbours, that holds no mark comes out of t2s as it went in; the table normalising
    uses holds every mark."""
    marks = T._t2s_marks()
    table = T._t2s_mark_table()
    assert all(table[ord(c)] for c in marks)
    keys = sorted({k for k, _ in _entries()} | {c for k, _ in _entries() for c in k})
    rng = random.Random(15)
    texts = [T.without_surrogates(t) for t in sample_texts() if not t.isascii()]
    texts += ["".join(rng.choice(keys) for _ in range(rng.randrange(1, 12))) for _ in range(20000)]
    converter = T._converter("t2s")
    unmarked = [t for t in texts if marks.isdisjoint(t)]
    assert len(unmarked) > 1000
    assert [t for t in unmarked if converter.convert(t) != t] == []


def test_marked_finds_each_text_holding_a_mark_a_character_beyond_the_bmp_or_a_surrogate():
    """The texts normalising sends through t2s: those a mark, a character beyond the BMP or a
    lone surrogate is in (what the pattern used before found), and no other."""
    marks = T._t2s_marks()
    rng = random.Random(15)
    pool = sorted(marks)[::40] + list("微短剧出海 ab，。\u3000")
    pool += ["\U00020000", "\U0001f3ac", "\ud800", "\udfff", "\uffff"]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randrange(8))) for _ in range(20000)]

    def changeable(text: str) -> bool:
        return not marks.isdisjoint(text) or any(ord(c) > 0xFFFF or 0xD800 <= ord(c) <= 0xDFFF for c in text)

    todo = list(range(0, len(texts), 3))
    want = [i for i in todo if changeable(texts[i])]
    assert 0 < len(want) < len(todo)
    assert T._marked(texts, todo, T._t2s_mark_table()) == want
    assert T._marked(texts, [], T._t2s_mark_table()) == []


def test_normalising_a_batch_compiles_no_pattern_of_the_marks(monkeypatch):
    """The marks had been made into one regular expression, whose compiling (a class of 4,000
    characters) took a twentieth of ``label``'s start-up; a table of code points is built instead."""
    import re

    T._fold_table()  # its own pattern, built once
    T._t2s_marks.cache_clear()
    T._t2s_mark_table.cache_clear()
    compiled: list[str] = []
    real = re.compile

    def compile(pattern, flags=0):
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(re, "compile", compile)
    texts = ["微短劇出海", "小程序短剧"] * 5
    assert T.normalize_many(texts) == ["微短剧出海", "小程序短剧"] * 5
    assert T._t2s_mark_table() is not None
    assert [p for p in compiled if len(p) > 100] == []


if __name__ == "__main__":  # pragma: no cover
    write_marks()
