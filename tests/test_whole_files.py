"""Files read whole (a model's JSON and arrays, a registry's aliases, cards, holdout set and
comparisons): a FIFO, a device or a directory where the file should be, and a file of
gigabytes that takes no room on disk (sparse), each end in one line naming the file, at once
and in bounded memory (issue 14; the guard is trendscore/io/wholefile.py).

Each CLI case runs in a subprocess under a memory limit and a time limit."""

import json
import os
import shutil
import time

import pytest
from test_bombs import run_limited
from test_hostile_models import _resign

from trendscore.io.wholefile import MAX_ARRAY_BYTES, MAX_JSON_BYTES, NotReadable, file_problem, read_whole
from trendscore.modeling.model import default_model_path
from trendscore.modeling.registry import MAX_ALIASES_BYTES, Registry, _read_holdout
from trendscore.modeling.store import MANIFEST

SEEDS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seeds", "batch_02_gov.jsonl")
#: a hang guard: the refusals take a second or two
QUICK = 60


def _sparse(path, size: int) -> None:
    """A file of ``size`` zero bytes that takes no room on disk."""
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, "wb") as fh:
        fh.truncate(size)


def _hostile(path, kind: str) -> None:
    if os.path.lexists(path):
        os.unlink(path)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.symlink("/dev/zero", path)
    else:
        os.mkdir(path)


@pytest.fixture
def registry(tmp_path):
    """A registry whose one version is a copy of the bundled default model (no training)."""
    root = tmp_path / "reg"
    (root / "versions").mkdir(parents=True)
    shutil.copytree(default_model_path(), root / "versions" / "v0001")
    (root / "aliases.json").write_text('{"champion": "v0001", "history": ["v0001"]}', "utf-8")
    return root


def _timed(args, **kwargs):
    started = time.monotonic()
    code, err, _ = run_limited(args, timeout=QUICK, **kwargs)
    return code, err, time.monotonic() - started


@pytest.mark.parametrize("kind,what", [("fifo", "a FIFO"), ("device", "a character device"), ("dir", "a directory")])
@pytest.mark.parametrize("where", ["aliases.json", "holdout.jsonl", "comparisons/v0002.json"])
def test_train_into_a_registry_refuses_a_file_it_writes_that_is_no_regular_file(registry, where, kind, what):
    # a FIFO there had held train --registry (and the registry's lock) for ever, the holdout
    # set's before training and the comparison's after it; a link to /dev/zero had taken the
    # champion, the holdout set or the comparison away without a word, exit 0
    (registry / "comparisons").mkdir()
    _hostile(registry / where, kind)
    code, err, took = _timed(["train", SEEDS, "--cv", "0", "--registry", registry])
    assert code == 2, err
    assert err.startswith(f"Error: {registry / where}: not a regular file ({what})"), err
    assert len(err.splitlines()) == 1 and took < 20
    assert not (registry / "versions" / "v0002").exists()


def test_train_into_a_registry_whose_comparisons_folder_is_a_file_is_refused_before_training(registry):
    (registry / "comparisons").write_text("notes\n", "utf-8")  # found only after training, by mkdir
    code, err, took = _timed(["train", SEEDS, "--cv", "0", "--registry", registry])
    assert code == 2
    assert err == (
        f"Error: {registry / 'comparisons'}: not a directory; the registry keeps its comparisons in it: remove it\n"
    )
    assert not (registry / "versions" / "v0002").exists()
    assert (registry / "comparisons").read_text("utf-8") == "notes\n"


@pytest.mark.parametrize(
    "command", [["models", "promote", "v0001"], ["models", "rollback"], ["models", "history"], ["models", "list"]]
)
def test_an_aliases_file_that_is_a_fifo_is_named_not_waited_on(registry, command):
    # promote had opened the FIFO to write the new champion and waited for ever; list and
    # history had called the folder no registry at all
    _hostile(registry / "aliases.json", "fifo")
    code, err, took = _timed([*command, "--registry", registry])
    assert code == 2
    assert err == f"Error: {registry / 'aliases.json'}: not a regular file (a FIFO)\n"


@pytest.mark.parametrize("command", [["models", "list"], ["models", "history"], ["models", "promote", "v0001"]])
def test_an_aliases_file_of_gigabytes_is_refused_unread(registry, command):
    _sparse(registry / "aliases.json", 3 << 30)  # had been a MemoryError traceback
    code, err, took = _timed([*command, "--registry", registry])
    assert code == 2
    assert err == f"Error: {registry / 'aliases.json'}: 3 GiB, more than the 1 MiB such a file may hold\n"
    assert took < 10


def test_a_history_of_millions_of_champions_is_refused(registry):
    history = ["v0001"] * 2_000_000  # 20 MB: it had been read, checked and printed line by line
    (registry / "aliases.json").write_text(json.dumps({"champion": "v0001", "history": history}), "utf-8")
    code, err, took = _timed(["models", "history", "--registry", registry])
    assert code == 2
    size = (registry / "aliases.json").stat().st_size
    assert err == f"Error: {registry / 'aliases.json'}: {size:,} bytes, more than the 1 MiB such a file may hold\n"


def test_the_history_written_keeps_its_newest_champions(registry, monkeypatch):
    from trendscore.modeling import registry as module

    monkeypatch.setattr(module, "MAX_HISTORY", 3)
    shutil.copytree(registry / "versions" / "v0001", registry / "versions" / "v0002")
    reg = Registry(registry)
    for name in ["v0002", "v0001", "v0002", "v0001"]:
        reg.promote(name)
    assert reg.history() == ["v0001", "v0002", "v0001"]  # of v0001 v0002 v0001 v0002 v0001
    assert reg.rollback() == "v0002"
    # what the registry writes it can read: a history at the bound stays well within the file's
    assert 11 * module.MAX_HISTORY * 3 < MAX_ALIASES_BYTES


def test_a_card_of_gigabytes_is_refused_unread_by_models_list(registry):
    card = registry / "versions" / "v0001" / "card.json"
    _sparse(card, 3 << 30)  # had been a MemoryError traceback
    code, err, took = _timed(["models", "list", "--registry", registry])
    assert code == 2
    assert err == f"Error: {card}: 3 GiB, more than the 64 MiB such a file may hold\n"


def test_a_holdout_set_of_gigabytes_is_refused_in_bounded_memory(registry):
    _sparse(registry / "holdout.jsonl", 3 << 30)  # had been read whole: a MemoryError traceback
    code, err, took = _timed(["train", SEEDS, "--cv", "0", "--registry", registry])
    assert code == 2
    assert err.startswith(f"Error: {registry / 'holdout.jsonl'}:1: a line longer than 64 MiB")
    assert err.rstrip().endswith("the registry's holdout set is damaged") and len(err.splitlines()) == 1


def test_a_holdout_text_holding_a_line_separator_is_read_back(tmp_path):
    # written as it is by json.dumps(ensure_ascii=False), U+2028 had split the line on reading
    # (str.splitlines): the registry's next training called its own holdout set damaged
    path = tmp_path / "holdout.jsonl"
    record = {"id": "a", "text": "第一段\u2028第二段\x85第三段", "labels": ["policy"]}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    assert _read_holdout(path) == [record]


@pytest.fixture
def model(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(default_model_path(), target)
    return target


@pytest.mark.parametrize(
    "name,bound", [("model.json", "64 MiB"), ("vocab.json", "64 MiB"), ("card.json", "64 MiB"), ("coef.npy", "1 GiB")]
)
def test_a_model_file_of_gigabytes_is_refused_before_it_is_hashed(model, tmp_path, name, bound):
    # hashing 3 GiB of a sparse file had taken some 15 s before its mismatch was found (a re-signed
    # manifest: a MemoryError traceback on reading it)
    _sparse(model / name, 3 << 30)
    passages = tmp_path / "in.jsonl"
    passages.write_text('{"text": "微短剧出海"}\n', "utf-8")
    code, err, took = _timed(["label", passages, "--model", model, "-o", "/dev/null"])
    assert code == 2
    assert (
        err == f"Error: {model / name}: listed in the manifest but 3 GiB, more than the {bound} such a file may hold\n"
    )
    assert took < 10


def test_a_manifest_of_gigabytes_is_refused_unread(model, tmp_path):
    _sparse(model / MANIFEST, 3 << 30)  # had been a MemoryError traceback
    passages = tmp_path / "in.jsonl"
    passages.write_text('{"text": "微短剧出海"}\n', "utf-8")
    code, err, took = _timed(["label", passages, "--model", model, "-o", "/dev/null"])
    assert code == 2
    assert err.startswith(f"Error: {model / MANIFEST}: 3 GiB, more than the 1 MiB such a file may hold")


def test_a_model_json_of_millions_of_tiny_values_is_refused_before_it_is_parsed(model, tmp_path):
    # 60 MB of '[],' within the bound on a file had taken some 1.3 GB parsed: a MemoryError
    meta = json.loads((model / "model.json").read_text("utf-8"))
    text = json.dumps(meta)[:-1] + ', "x": [' + "[]," * 20_000_000 + "[]]}"
    (model / "model.json").write_text(text, "utf-8")
    _resign(model)
    passages = tmp_path / "in.jsonl"
    passages.write_text('{"text": "微短剧出海"}\n', "utf-8")
    code, err, took = _timed(["label", passages, "--model", model, "-o", "/dev/null"])
    assert code == 2
    assert err.startswith(f"Error: {model / 'model.json'}: not valid JSON (more than 4,000,000 values")
    assert len(err.splitlines()) == 1


def test_an_array_declaring_an_absurd_shape_is_refused_unallocated(model):
    import struct

    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 1000000), }"
    header += b" " * (63 - len(header) % 64) + b"\n"
    (model / "idf.npy").write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\0" * 64)
    _resign(model)
    from trendscore.errors import ModelError
    from trendscore.modeling.model import load_model

    with pytest.raises(ModelError, match=r"idf\.npy: array data is 64 bytes, expected 8000000000000000000"):
        load_model(model)


@pytest.mark.parametrize("kind", ["fifo", "device", "dir"])
def test_read_whole_reads_only_a_regular_file_within_its_bound(tmp_path, kind):
    path = tmp_path / "f.json"
    _hostile(path, kind)
    what = {"fifo": "a FIFO", "device": "a character device", "dir": "a directory"}[kind]
    with pytest.raises(NotReadable, match=rf"not a regular file \({what}\)"):
        read_whole(path, 100)
    os.unlink(path) if kind != "dir" else os.rmdir(path)
    path.write_bytes(b"x" * 101)
    with pytest.raises(NotReadable, match="101 bytes, more than the 100 bytes such a file may hold"):
        read_whole(path, 100)
    assert read_whole(path, 101) == b"x" * 101
    assert file_problem(tmp_path / "none") == "missing"


def test_the_bounds_are_those_documented():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "reliability.md").read_text("utf-8")
    assert MAX_JSON_BYTES == 64 << 20 and "64 MiB" in text
    assert MAX_ARRAY_BYTES == 1 << 30 and "1 GiB" in text
    assert MAX_ALIASES_BYTES == 1 << 20 and "1 MiB" in text
