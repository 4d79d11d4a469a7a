"""The one module of atomic writes (trendscore.io.atomic): text, new files and directories. The
record outputs' cases (special files, modes, the input as output, a full disk) are in
tests/test_outputs.py."""

import errno
import os

import pytest

from trendscore.errors import OutputError
from trendscore.io import atomic
from trendscore.io.atomic import atomic_write_text, create_new_file, replace_dir, temp_dir_beside


def _parts(directory):
    return [p.name for p in directory.iterdir() if p.name.endswith(".part")]


def test_atomic_write_text_writes_utf8_and_keeps_the_mode(tmp_path):
    out = tmp_path / "state.json"
    out.write_text("old", "utf-8")
    out.chmod(0o600)
    atomic_write_text(out, "短剧 ok\n")
    assert out.read_bytes() == "短剧 ok\n".encode()
    assert out.stat().st_mode & 0o777 == 0o600
    assert _parts(tmp_path) == []


def test_create_new_file_never_replaces_and_leaves_no_part(tmp_path):
    target = tmp_path / "batch_0001.jsonl"
    create_new_file(target, b"one\n")
    assert target.read_bytes() == b"one\n"
    with pytest.raises(FileExistsError):
        create_new_file(target, b"two\n")
    assert target.read_bytes() == b"one\n"
    assert _parts(tmp_path) == []


def _filled(final, name, text):
    tmp = temp_dir_beside(final)
    assert tmp.parent == final.parent and tmp.name.startswith(f".{final.name}.") and not any(tmp.iterdir())
    (tmp / name).write_text(text, "utf-8")
    return tmp


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_replace_dir_puts_a_new_directory_in_place(tmp_path, monkeypatch, exchange):
    if not exchange:  # a system without RENAME_EXCHANGE: the fallback through NAME.old
        monkeypatch.setattr(atomic, "_renameat2_exchange", lambda a, b: False)
    final = tmp_path / "sub" / "model"
    replace_dir(_filled(final, "a.json", "1"), final)  # the parent is created, nothing to replace
    assert sorted(p.name for p in final.iterdir()) == ["a.json"]
    replace_dir(_filled(final, "b.json", "2"), final)
    assert sorted(p.name for p in final.iterdir()) == ["b.json"]
    assert sorted(os.listdir(final.parent)) == ["model"]  # no temporary or .old directory left


def test_replace_dir_without_an_exchange_keeps_a_folder_named_like_its_old_copy(tmp_path, monkeypatch):
    # the fallback had moved the old model to NAME.old after deleting whatever was there: a
    # user's own 'model.old' backup was lost on every system without RENAME_EXCHANGE
    monkeypatch.setattr(atomic, "_renameat2_exchange", lambda a, b: False)
    final = tmp_path / "model"
    replace_dir(_filled(final, "a.json", "1"), final)
    backup = tmp_path / "model.old"
    backup.mkdir()
    (backup / "mine.txt").write_text("my backup", "utf-8")
    replace_dir(_filled(final, "b.json", "2"), final)
    assert (backup / "mine.txt").read_text("utf-8") == "my backup"
    assert sorted(p.name for p in final.iterdir()) == ["b.json"]
    assert sorted(os.listdir(tmp_path)) == ["model", "model.old"]


def _full_disk(monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)


def test_create_new_file_on_a_full_disk_names_the_file_and_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "batch_0001.jsonl"
    _full_disk(monkeypatch)
    with pytest.raises(OutputError, match=r"batch_0001\.jsonl: cannot write \(No space left on device\); it was not"):
        create_new_file(target, b"one\n")
    assert list(tmp_path.iterdir()) == []


def test_seeds_add_on_a_full_disk_is_one_line_naming_the_batch(tmp_path, monkeypatch, run):
    """It had been 'Error: No space left on device', naming no file."""
    directory = tmp_path / "seeds"
    directory.mkdir()
    (directory / "batch_00.jsonl").write_text(
        '{"id": "a", "text": "短剧出海东南亚", "labels": ["overseas"]}\n', "utf-8"
    )
    new = tmp_path / "new.jsonl"
    new.write_text('{"id": "b", "text": "广电总局发布微短剧新规", "labels": ["policy"]}\n', "utf-8")
    _full_disk(monkeypatch)
    result = run("seeds", "add", str(new), "--to", str(directory))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {directory / 'batch_01_new.jsonl'}: cannot write (No space left on device); it was not created\n"
    )
    assert sorted(p.name for p in directory.iterdir()) == [".seeds.lock", "batch_00.jsonl"]
