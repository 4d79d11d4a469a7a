"""A large, varied, deterministic set of texts for checking that labelling stays byte-identical.

Every seed text (Simplified, Traditional, English), then variants of them that exercise each
branch of normalising and featurising: full-width Latin and digits, Traditional characters put
into Simplified text, emoji, control characters and NUL, lone surrogates, zero-width and line
separators, white space between Chinese characters, compatibility characters (circled digits,
ligatures, half-width katakana), other scripts, supplementary-plane CJK, upper-case English,
empty and blank texts, and one text longer than ``features.LONG_TEXT``.

``python tests/label_sample.py`` rewrites the expected outputs in tests/fixtures/label_bytes/
with the code checked out; they were produced by the code of main at e80e4ac, before the
speed work of issue 15, and must not be regenerated to make a change pass.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DIGEST = SEEDS / "000_c45236173e460e13.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "label_bytes"

_EXTRA = [
    "\U0001f525",  # fire
    "\U0001f3ac",  # clapper board
    "\U0001f1e8\U0001f1f3",  # flag (two regional indicators)
    "\u2764\ufe0f",  # heart and variation selector
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u2028",
    "\u3000",
    "\t",
    "\r\n",
    "\ud83d",  # lone high surrogate
    "\udc00",  # lone low surrogate
    "①②",
    "㈱",
    "ﬁ",
    "ｶﾀｶﾅ",
    "ＡＩＧＣ",
    "１２３",
    "！？",
    "𠀀𠀁",  # CJK extension B
    "한국어",
    "カタカナ",
    "عربي",
    "é",
    "e\u0301",
    "\u00a0",
    "ℌ",
    "Ⅻ",
    "〇",
    "\U000e0001",
]
_TRADITIONAL = "劇網絡視頻電視臺灣廣東發展產業與會議體國際經濟監管總局"


def _seed_texts() -> list[str]:
    texts = []
    for path in sorted(SEEDS.glob("batch_*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _vary(text: str, rng: random.Random) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return _fullwidth(text)
    if kind == 1:  # Traditional characters sprinkled into the text
        chars = list(text)
        for _ in range(max(1, len(chars) // 10)):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(_TRADITIONAL))
        return "".join(chars)
    if kind == 2:  # spaces and line breaks between characters (PDF line wraps)
        return "".join(c + (rng.choice([" ", "\n", " \t "]) if rng.random() < 0.1 else "") for c in text)
    if kind == 3:
        return text.upper()
    if kind == 4:  # two texts run together
        return text + rng.choice(["", " ", "\n"]) + text[::-1]
    chars = list(text)
    for _ in range(rng.randrange(1, 6)):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(_EXTRA))
    return "".join(chars)


def sample_texts() -> list[str]:
    """The texts, in a fixed order (same list on every run)."""
    rng = random.Random(15)
    seeds = _seed_texts()
    texts = list(seeds)
    texts += [_vary(rng.choice(seeds), rng) for _ in range(2500)]
    texts += ["", " ", "\n", "\x00", "\ud800", "a", "剧", "短剧", "ＡＢ", "AI短剧出海", "臺灣短劇", "\U0001f525" * 50]
    texts += ["".join(rng.choice(_EXTRA) for _ in range(rng.randrange(1, 40))) for _ in range(200)]
    long_text = "".join(seeds)
    while len(long_text) < 130_000:
        long_text += long_text
    texts.append(long_text[:130_000])
    return texts


def sample_jsonl() -> str:
    """The texts as JSON Lines records (ASCII-escaped, so lone surrogates survive the file)."""
    return "".join(json.dumps({"n": i, "text": t}) + "\n" for i, t in enumerate(sample_texts()))


def _label(*args: str) -> str:
    from click.testing import CliRunner

    from trendscore.cli import main

    result = CliRunner().invoke(main, ["label", *args, "--jobs", "1", "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def tail(line: str) -> str:
    """An output line without its text: ``{"n":N`` and everything from ``,"labels":`` on (the
    key labelling adds; inside a JSON string its quotes would be escaped)."""
    return line[: line.index(',"text":')] + line[line.rindex(',"labels":') :]


def main() -> None:  # pragma: no cover - run by hand, once, on the code before a change
    import hashlib
    import tempfile

    import numpy as np

    import trendscore

    FIXTURES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.jsonl"
        path.write_text(sample_jsonl(), "utf-8")
        out = _label(str(path))
    (FIXTURES / "sample_label.sha256").write_text(hashlib.sha256(out.encode("utf-8")).hexdigest() + "\n")
    (FIXTURES / "sample_label_tails.jsonl").write_text(
        "".join(tail(line) + "\n" for line in out.split("\n")[:-1]), "utf-8"
    )
    (FIXTURES / "digest_label.jsonl").write_text(_label(str(DIGEST)), "utf-8")
    np.save(FIXTURES / "sample_proba.npy", trendscore.load_model().predict_proba(sample_texts()))


if __name__ == "__main__":
    main()
