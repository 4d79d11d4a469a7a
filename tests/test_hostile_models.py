"""Hostile or damaged models and registries: a one-line refusal naming the file, never a
traceback, a silent wrong answer, or a file opened outside the model (issue 14).

Each case edits a copy of a model and re-signs its manifest, as an attacker would."""

import json
import re
import shutil
import struct

import numpy as np
import pytest

from trendscore.errors import ModelError
from trendscore.modeling.model import default_model_path, load_model
from trendscore.modeling.registry import Registry, resolve_model
from trendscore.modeling.store import MANIFEST, sha256_file


def _resign(directory):
    manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    manifest["files"] = {name: sha256_file(directory / name) for name in manifest["files"]}
    (directory / MANIFEST).write_text(json.dumps(manifest), "utf-8")


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(default_model_path(), target)
    return target


def _edit_json(directory, name, change):
    path = directory / name
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data, allow_nan=True), "utf-8")
    _resign(directory)


def _set(*keys_value):
    *keys, value = keys_value

    def change(data):
        for key in keys[:-1]:
            data = data[key]
        data[keys[-1]] = value

    return change


MODEL_JSON_CASES = [
    (_set("features", "opencc", "/etc/passwd"), "unknown OpenCC setting '/etc/passwd'"),
    (_set("features", "segmenter", "../../tmp/x"), "unknown segmenter '../../tmp/x'"),
    (_set("features", "lists", "/etc/passwd"), "/etc/passwd"),
    (_set("features", "embedding", "/tmp/weights"), "unknown sentence encoder '/tmp/weights'"),
    (_set("features", "char_ngram_min", "2"), "feature setting 'char_ngram_min' is '2', expected int"),
    (_set("features", "char_ngram_max", 10**12), "feature setting 'char_ngram_max' is 1000000000000, expected int"),
    (_set("features", "words", "yes"), "feature setting 'words' is 'yes', expected bool"),
    (_set("features", "user_dict", "/etc/passwd"), "unknown feature setting 'user_dict'"),
    (_set("themes", [1, 2, 3, 4, 5]), "theme name 1 is not a name"),
    (_set("themes", ["a", "b", "c", "d", "a"]), "'themes' names a theme twice"),
    (_set("themes", ["a\nb", "b", "c", "d", "e"]), "is not a name"),
    (_set("themes", "policy"), "'themes' must be a non-empty list of names"),
    (_set("thresholds", [0.5, 0.5]), "'thresholds' must be a list of 5 numbers, one per theme"),
    (_set("thresholds", [0.5, 0.5, 0.5, 0.5, float("nan")]), "not valid JSON (NaN is not a JSON number)"),
    (_set("thresholds", [0.5, 0.5, 0.5, 0.5, 7]), "'thresholds' must be finite numbers from 0 to 1"),
    (_set("calibration", [[1, 0]] * 4 + [[float("inf"), 0]]), "not valid JSON (Infinity is not a JSON number)"),
    (_set("calibration", [[1, 0]] * 4 + [[1]]), "not a pair of finite numbers"),
    (_set("calibration", [[1, 0]] * 3), "'calibration' must be a list of 5 [slope, offset] pairs"),
    (_set("multilabel", "no"), "'multilabel' must be true or false"),
    (_set("dictionary", "domain-v1"), "'dictionary' must be an object"),
    (_set("segmenter", ["rjieba"]), "'segmenter' must be an object"),
    (_set("lists", 5), "'lists' must be an object"),
    (_set("load_from", "/etc/passwd"), "unknown fields ['load_from']"),
]


@pytest.mark.parametrize("change,message", MODEL_JSON_CASES)
def test_model_json_settings_are_checked(copy, run, change, message):
    _edit_json(copy, "model.json", change)
    with pytest.raises(ModelError) as info:
        load_model(copy)
    assert str(info.value).startswith(f"{copy / 'model.json'}: ")
    assert message in str(info.value)
    result = run("label", "--model", copy, input='{"text": "短剧"}\n')
    assert result.exit_code == 2
    assert len(result.output.splitlines()) == 1 and result.output.startswith("Error: ")


@pytest.mark.parametrize("field", ["thresholds", "calibration"])
def test_numbers_beyond_float_range_are_refused(copy, field):
    """1e400 is valid JSON and parses as infinity."""
    path = copy / "model.json"
    data = json.loads(path.read_text("utf-8"))
    data[field][0] = "HUGE" if field == "thresholds" else [1, "HUGE"]
    path.write_text(json.dumps(data).replace('"HUGE"', "1e400"), "utf-8")
    _resign(copy)
    with pytest.raises(ModelError, match="finite"):
        load_model(copy)


def test_no_setting_opens_a_file_outside_the_model(copy, monkeypatch):
    """Whatever model.json says, loading opens only the model's own files (and the package's)."""
    import builtins

    _edit_json(copy, "model.json", _set("features", "opencc", "/etc/passwd"))
    opened = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    with pytest.raises(ModelError):
        load_model(copy)
    assert "/etc/passwd" not in opened


@pytest.mark.parametrize(
    "change,message",
    [
        (_set("words", [1, 2]), "'words' must be a list of strings"),
        (lambda v: v["chars"].append(v["chars"][0]), "'chars' lists a term twice"),
        (_set("extra", []), "expected an object with 'words' and 'chars'"),
    ],
)
def test_vocabulary_is_checked(copy, change, message):
    _edit_json(copy, "vocab.json", change)
    with pytest.raises(ModelError, match=f"^{copy / 'vocab.json'}: .*{message}"):
        load_model(copy)


@pytest.mark.parametrize(
    "term,message",
    [
        ("微短剧出海", "character n-gram '微短剧出海' of 5 characters; the model's settings allow 2 to 3 characters"),
        ("剧", "character n-gram '剧' of 1 character; the model's settings allow 2 to 3 characters"),
    ],
)
def test_character_ngrams_outside_the_models_range_are_refused_at_load(copy, term, message):
    """Found by a helper: a vocabulary holding a character n-gram of more than three characters
    loaded, and labelling more than a few passages then ended in an OverflowError traceback
    (its 64-bit key does not fit); an n-gram outside the model's own range is refused at load."""

    def change(vocab):
        vocab["chars"][0] = term

    _edit_json(copy, "vocab.json", change)
    with pytest.raises(ModelError, match=f"^{re.escape(str(copy / 'vocab.json'))}: {message}$"):
        load_model(copy)


def _write_array(directory, name, values):
    np.save(directory / name, np.asarray(values, dtype=np.float64), allow_pickle=False)
    _resign(directory)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("name", ["coef.npy", "intercept.npy", "idf.npy"])
def test_non_finite_numbers_are_refused(copy, name, bad):
    values = np.load(copy / name)
    values.flat[len(values.flat) // 2] = bad
    _write_array(copy, name, values)
    with pytest.raises(ModelError, match=f"^{copy / name}: holds NaN or infinite numbers"):
        load_model(copy)


def test_a_short_intercept_is_refused(copy):
    _write_array(copy, "intercept.npy", np.load(copy / "intercept.npy")[:3])
    with pytest.raises(ModelError, match=r"intercept.npy: shape \(3,\), expected \(5,\): one per theme"):
        load_model(copy)


def _npy_with_header(path, header: bytes, body: bytes = b""):
    path.write_bytes(b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header)) + header + body)


def test_an_npy_header_built_to_exhaust_memory_is_refused(copy):
    _npy_with_header(copy / "intercept.npy", b"(" * 200_000 + b")" * 200_000)
    _resign(copy)
    with pytest.raises(ModelError, match=r"intercept.npy: .npy header of 400000 bytes, more than 10000; refusing"):
        load_model(copy)


@pytest.mark.parametrize(
    "header",
    [
        b"(" * 3000 + b")" * 3000,
        b"{'descr': '<f8', 'fortran_order': False, 'shape': (" + b"9" * 5000 + b",)}",
        b"{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000000,)}",
    ],
)
def test_a_hostile_but_short_npy_header_is_one_line(copy, header):
    _npy_with_header(copy / "intercept.npy", header)
    _resign(copy)
    with pytest.raises(ModelError, match=r"intercept.npy: (malformed .npy header|array data is 0 bytes)"):
        load_model(copy)


@pytest.mark.parametrize("text", ["{", '{"themes": NaN}', "[" * 100_000])
def test_model_json_that_is_not_json_is_refused(copy, text):
    (copy / "model.json").write_text(text, "utf-8")
    _resign(copy)
    with pytest.raises(ModelError, match=f"^{copy / 'model.json'}: not valid JSON"):
        load_model(copy)


# ---------------------------------------------------------------- registries


@pytest.fixture
def registry(tmp_path):
    reg = tmp_path / "reg"
    (reg / "versions").mkdir(parents=True)
    shutil.copytree(default_model_path(), reg / "versions" / "v0001")
    (reg / "aliases.json").write_text(json.dumps({"champion": "v0001", "history": ["v0001"]}), "utf-8")
    return reg


@pytest.mark.parametrize(
    "card,message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        ('{"seeds": 5}', "'seeds', 'cross_validation' and 'thresholds' must be objects"),
        ('{"cross_validation": {"macro_f1": "high"}}', "'cross_validation.macro_f1' must be a number from 0 to 1"),
        ('{"created": 20240101}', "'created' must be text"),
    ],
)
def test_models_list_on_a_corrupt_card_is_one_line(registry, run, card, message):
    path = registry / "versions" / "v0001" / "card.json"
    path.write_text(card, "utf-8")
    result = run("models", "list", "--registry", registry)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {path}: ")
    assert message in result.output and len(result.output.splitlines()) == 1


@pytest.mark.parametrize(
    "aliases,message",
    [
        ("{", "not valid JSON"),
        ("[]", "expected a JSON object with 'champion' and 'history'"),
        ('{"champion": "../../elsewhere"}', "champion '../../elsewhere' is not a version name"),
        ('{"champion": "v0001", "history": "v0001"}', "'history' must be a list of version names"),
    ],
)
def test_a_corrupt_alias_file_is_one_line(registry, run, aliases, message):
    (registry / "aliases.json").write_text(aliases, "utf-8")
    for args in (["models", "list", "--registry", registry], ["label", "--model", registry]):
        result = run(*args, input='{"text": "短剧"}\n')
        assert result.exit_code == 2, args
        assert result.output.startswith(f"Error: {registry / 'aliases.json'}: ")
        assert message in result.output


def test_a_champion_that_is_not_a_version_is_refused(registry):
    (registry / "aliases.json").write_text('{"champion": "v0009", "history": ["v0009"]}', "utf-8")
    with pytest.raises(ModelError, match="the champion v0009 is not among the registry's versions"):
        resolve_model(registry)


def test_a_damaged_holdout_set_is_one_line(registry):
    from trendscore.modeling.registry import _read_holdout

    path = registry / "holdout.jsonl"
    path.write_text('{"text": "a", "labels": []}\n{"text": 5}\n', "utf-8")
    with pytest.raises(ModelError, match=r"holdout.jsonl:2: expected an object with 'text' and 'labels'"):
        _read_holdout(path)
    path.write_text("{oops\n", "utf-8")
    with pytest.raises(ModelError, match=r"holdout.jsonl:1: not valid JSON"):
        _read_holdout(path)
    assert Registry(registry).champion() == "v0001"


# ---------------------------------------------------------------- model cards


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("seeds", [1], "'seeds', 'cross_validation' and 'thresholds' must be objects"),
        ("cross_validation", "high", "'seeds', 'cross_validation' and 'thresholds' must be objects"),
        ("versions", "1.0", "'versions' must be an object, got str"),
        ("params", [], "'params' must be an object, got list"),
        ("seeds", {"sha256": 5}, "'seeds.sha256' must be text"),
        ("seeds", {"files": "batch.jsonl"}, "'seeds.files' must be a list of strings"),
        ("versions", {"trendscore": 2}, "'versions.trendscore' must be text"),
        ("trained_on", 5, "'trained_on' must be a list of strings"),
        ("trained_on", [["a"]], "'trained_on' must be a list of strings"),
        ("created", {"at": 1}, "'created' must be text"),
    ],
)
def test_a_card_of_odd_types_is_refused_at_load(copy, run, tmp_path, field, value, message):
    # score, its report and evaluate read these fields: each had ended in a traceback
    # (AttributeError: 'list' object has no attribute 'get'; TypeError: 'int' object is not subscriptable)
    _edit_json(copy, "card.json", _set(field, value))
    with pytest.raises(ModelError, match=f"^{re.escape(str(copy / 'card.json'))}: {re.escape(message)}$"):
        load_model(copy)
    passages = tmp_path / "p.jsonl"
    passages.write_text('{"text": "短剧出海", "date": "2025-01-01", "labels": ["overseas"]}\n', "utf-8")
    for args in (["score", passages, "--relabel"], ["evaluate", passages], ["label", passages]):
        result = run(*args, "--model", copy)
        assert result.exit_code == 2, args
        assert result.output == f"Error: {copy / 'card.json'}: {message}\n", args


@pytest.mark.parametrize(
    "card",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"cross_validation": {"macro_f1": 1e400}}',
        '{"cross_validation": {"macro_f1": NaN}}',
    ],
)
def test_models_list_of_the_working_folder_shows_a_damaged_card_as_no_figure(copy, run, monkeypatch, card):
    # a card nested past the parser's recursion had been a RecursionError traceback, and a
    # figure of 1e400 or NaN had been listed as 'inf' or 'nan'
    (copy / "card.json").write_text(card, "utf-8")
    monkeypatch.chdir(copy.parent)
    result = run("models", "list")
    assert result.exit_code == 0
    row = [line for line in result.output.splitlines() if line.startswith("model ")]
    assert row and "cv macro-F1 -" in row[0], result.output



def _change_a_weight(directory):
    """One weight of the model changed after saving, as a stray edit or a bad copy leaves it."""
    intercept = np.load(directory / "intercept.npy", allow_pickle=False)
    np.save(directory / "intercept.npy", intercept + 1.0)


def test_models_list_says_which_model_here_will_not_load(copy, run, monkeypatch, tmp_path):
    # a model folder whose files changed after saving was listed like any other, with its card's
    # figure; --model then refused it
    intact = tmp_path / "intact"
    shutil.copytree(copy, intact)
    _change_a_weight(copy)
    monkeypatch.chdir(tmp_path)
    lines = run("models", "list").output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("model "))
    assert lines[at + 1] == (
        f"  note: will not load: {copy / 'intercept.npy'}: SHA-256 does not match the manifest; "
        "the file was changed after saving"
    )
    assert not any("will not load" in line for line in lines if line is not lines[at + 1])
    assert run("label", "-", "--model", copy, input="短剧\n").exit_code == 2  # as the note says


def test_models_list_of_a_folder_whose_manifest_names_a_nul_character_is_a_note(copy, run, monkeypatch, tmp_path):
    # models list reads every model's manifest since it says which will not load: a file name
    # holding a NUL character (JSON "\u0000") had ended it in a traceback
    manifest = json.loads((copy / MANIFEST).read_text("utf-8"))
    manifest["files"]["a\0.npy"] = "0" * 64
    (copy / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("models", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("model "))
    assert lines[at + 1] == (
        f"  note: will not load: {copy / MANIFEST}: file name 'a\\x00.npy' holds a NUL character, "
        "which no file name may"
    )


def test_a_model_file_that_cannot_be_read_is_named_in_the_note(copy, monkeypatch):
    # the note had named the model's folder alone ("MODEL: Permission denied"), not the file
    from trendscore.modeling import store

    def refused(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(store, "sha256_file", refused)
    problem = store.model_dir_problem(copy)
    assert re.fullmatch(rf"{re.escape(str(copy))}/\w+\.(json|npy): cannot be read \(Permission denied\)", problem)


def test_models_list_of_a_registry_says_which_version_will_not_load(registry, run):
    shutil.copytree(registry / "versions" / "v0001", registry / "versions" / "v0002")
    _change_a_weight(registry / "versions" / "v0001")
    result = run("models", "list", "--registry", registry)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("* v0001") and lines[2].startswith("  v0002") and len(lines) == 3
    assert lines[1] == (
        f"    will not load: {registry / 'versions' / 'v0001' / 'intercept.npy'}: SHA-256 does not match the "
        "manifest; the file was changed after saving"
    )


_PEAK = """
import sys
from trendscore.errors import ModelError
from trendscore.modeling.model import load_model

def status(key):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(key + ":")) >> 10

before = status("VmRSS")
try:
    load_model(sys.argv[1])
    print("loaded")
except ModelError as exc:
    print(exc)
print(status("VmHWM") - before)
"""


def _load_peak(directory) -> tuple[str, int]:
    """What loading ``directory`` says, and the MB its process grew by while loading it (the
    peak of its resident memory, /proc's VmHWM, which a new process does not inherit as it
    inherits getrusage's ru_maxrss from the process that started it)."""
    import os
    import subprocess
    import sys

    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs /proc")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", _PEAK, str(directory)], capture_output=True, text=True, env=env)
    said, grown = done.stdout.splitlines()
    return said, int(grown)


@pytest.mark.slow
def test_an_array_is_read_once_into_the_memory_that_keeps_it(copy):
    """A model's weights (here 800 themes, 186 MB: within the 1 GiB an array may have) were read
    whole and then copied, so loading took twice their size (with a 1 GiB coef.npy and a 1 GiB
    provisional.npy, 3 GB); they are now read straight into the array that keeps them."""
    k = 800
    meta = json.loads((copy / "model.json").read_text("utf-8"))
    meta.update(themes=[f"t{i}" for i in range(k)], thresholds=[0.5] * k, calibration=[[1.0, 0.0]] * k)
    (copy / "model.json").write_text(json.dumps(meta), "utf-8")
    card = json.loads((copy / "card.json").read_text("utf-8"))
    card.pop("thresholds", None)
    (copy / "card.json").write_text(json.dumps(card), "utf-8")
    terms = np.load(copy / "idf.npy").shape[0]
    np.save(copy / "coef.npy", np.full((terms, k), 0.5))
    np.save(copy / "intercept.npy", np.zeros(k))
    _resign(copy)
    size = (copy / "coef.npy").stat().st_size >> 20
    said, grown = _load_peak(copy)
    assert said == "loaded"
    assert grown < size * 1.3 + 60, (grown, size)

