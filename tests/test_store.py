import json
import os
import shutil
import threading

import numpy as np
import pytest

from trendscore import ModelError, load_model
from trendscore.modeling.store import FORMAT_VERSION, load_array


@pytest.fixture
def copy(small_model_dir, tmp_path):
    target = tmp_path / "m"
    shutil.copytree(small_model_dir, target)
    return target


def test_saved_model_holds_only_json_and_npy(small_model_dir):
    names = sorted(p.name for p in small_model_dir.iterdir())
    assert names == ["card.json", "coef.npy", "idf.npy", "intercept.npy", "manifest.json", "model.json", "vocab.json"]
    for p in small_model_dir.glob("*.npy"):
        np.load(p, allow_pickle=False)


def test_changed_file_is_refused_naming_it(copy):
    data = json.loads((copy / "model.json").read_text())
    data["thresholds"][0] = 0.01
    (copy / "model.json").write_text(json.dumps(data))
    with pytest.raises(ModelError, match=r"model\.json: SHA-256 does not match"):
        load_model(copy)


def test_newer_format_is_refused(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["format_version"] = FORMAT_VERSION + 1
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="newer than this trendscore reads"):
        load_model(copy)


def test_pickle_file_is_refused(copy):
    (copy / "extra.pkl").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(ModelError, match=r"extra\.pkl: file is not in the manifest"):
        load_model(copy)


def test_manifest_pointing_outside_is_refused(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["../../etc/passwd"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="points outside the model directory"):
        load_model(copy)


def test_manifest_naming_a_file_with_a_nul_character_is_refused(copy):
    # it had ended in a traceback (ValueError: embedded null byte) as the name was looked up
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["a\0.npy"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=r"manifest\.json: file name 'a\\x00\.npy' holds a NUL character"):
        load_model(copy)


def test_symlink_inside_is_refused(copy, tmp_path):
    (tmp_path / "elsewhere.json").write_text("{}")
    (copy / "card.json").unlink()
    (copy / "card.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(ModelError, match="symbolic links are not allowed"):
        load_model(copy)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("name", ["card.json", "manifest.json"])
def test_a_fifo_in_place_of_a_model_file_is_named_as_such_and_never_opened(copy, name):
    """A FIFO listed in the manifest had been reported as missing; the message now says what
    it is. Were it opened, the read would wait for a writer: a thread bounds the wait, and a
    writer let in afterwards frees it, so that this test fails instead of hanging."""
    fifo = copy / name
    fifo.unlink()
    os.mkfifo(fifo)
    caught: list = []

    def load():
        try:
            load_model(copy)
        except ModelError as exc:
            caught.append(exc)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # it opened the FIFO: let it go on
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(10)
        pytest.fail(f"load_model opened the FIFO {name}")
    if name == "manifest.json":
        expected = f"{fifo}: not a regular file (a FIFO); this is not a trendscore model directory"
    else:
        expected = f"{fifo}: listed in the manifest but not a regular file (a FIFO)"
    assert [str(e) for e in caught] == [expected]


def test_object_array_is_refused(copy):
    np.save(copy / "probe.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ModelError, match="expected a C-order float64 array"):
        load_array(copy / "probe.npy")


def test_missing_directory_is_refused(tmp_path):
    with pytest.raises(ModelError, match="no such model directory"):
        load_model(tmp_path / "nothing")


def test_failed_write_leaves_the_old_model(copy, monkeypatch):
    model = load_model(copy)
    before = {p.name: p.read_bytes() for p in copy.iterdir()}

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        model.save(copy)
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before
    assert [p.name for p in copy.parent.iterdir() if p.name.startswith(".")] == []
    load_model(copy)


def test_save_replaces_an_existing_model(copy, tmp_path):
    model = load_model(copy)
    model.thresholds = [0.42] * len(model.themes)
    model.save(copy)
    assert load_model(copy).thresholds == [0.42] * len(model.themes)


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "huge"])
def test_a_folder_to_replace_whose_manifest_is_no_plain_file_is_refused_at_once(tmp_path, kind):
    # train -o and themes add -o read the manifest of the folder they would replace: a FIFO
    # there had held them for ever, and a link to /dev/zero would have been read without end
    from trendscore.errors import InputError
    from trendscore.modeling.store import check_model_target

    folder = tmp_path / "model"
    folder.mkdir()
    manifest = folder / "manifest.json"
    if kind == "fifo":
        os.mkfifo(manifest)
    elif kind == "huge":
        manifest.write_text('{"files": {}, "pad": "' + "x" * (1 << 20) + '"}', "utf-8")  # over 1 MiB
    else:
        manifest.symlink_to("/dev/zero")
    done: list = []

    def check():
        try:
            check_model_target(folder)
        except InputError as exc:
            done.append(str(exc))

    worker = threading.Thread(target=check, daemon=True)
    worker.start()
    worker.join(10)
    in_time = not worker.is_alive()
    if not in_time and kind == "fifo":
        os.close(os.open(manifest, os.O_WRONLY | os.O_NONBLOCK))  # let the blocked reader go
        worker.join(10)
    assert in_time
    assert done == [f"{folder}: manifest.json is not a model manifest; refusing to replace the directory"]
