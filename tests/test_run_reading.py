"""The one reader of a job (trendscore.run.reading): what reaches a back-end as chunks."""

import gzip
import json

import pytest

from trendscore.errors import InputError
from trendscore.run.job import MIN_CUT_BYTES, _cut_size
from trendscore.run.reading import ReadSettings, cut_file, expand_inputs, read_chunks


def _jsonl(path, n, text="短剧出海东南亚，平台加码投放。" * 10):
    path.write_text("".join(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n" for i in range(n)), "utf-8")
    return path


def test_ranges_end_on_line_ends_and_cover_the_file(tmp_path):
    path = _jsonl(tmp_path / "a.jsonl", 500)
    data = path.read_bytes()
    for size in (1, 100, 4096, 10**9):
        ranges = cut_file(str(path), size)
        assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
        assert all(data[end - 1 : end] == b"\n" for _, end in ranges)


def test_the_end_of_a_file_is_cut_finer_so_workers_finish_together(tmp_path):
    from trendscore.run.reading import TAIL_RANGES

    path = _jsonl(tmp_path / "a.jsonl", 3000)  # 450 bytes a line
    data = path.read_bytes()
    size, tail = 64 << 10, 8 << 10
    ranges = cut_file(str(path), size, tail)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    assert all(data[end - 1 : end] == b"\n" for _, end in ranges)
    lengths = [b - a for a, b in ranges]
    small = [n for (a, _), n in zip(ranges, lengths) if len(data) - a <= TAIL_RANGES * size]
    line = len(data) // 3000
    # the tail starts within one range of TAIL_RANGES * size from the end
    assert len(small) >= (TAIL_RANGES - 1) * size // (tail + line) and max(small) < tail + line
    assert all(n >= size for n in lengths[: len(lengths) - len(small)])
    assert cut_file(str(path), size) == cut_file(str(path), size, None)  # without tail: as before
    assert len(cut_file(str(path), size)) < len(ranges)


def test_a_plain_jsonl_file_reaches_the_workers_as_byte_ranges_not_lines(tmp_path):
    """The parent no longer decodes and pickles every line of a plain file (issue 15)."""
    path = _jsonl(tmp_path / "a.jsonl", 2000)
    chunks = list(read_chunks([str(path)], ReadSettings(), None, 2048, cut=64 << 10))
    assert {c.kind for c in chunks} == {"range"} and len(chunks) > 1
    assert [c.last for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_short_inputs_of_long_passages_are_cut_for_every_worker(tmp_path):
    """Under 2,048 lines went to one worker as one chunk (issue 15); now a file is cut so that
    each worker gets several ranges."""
    path = _jsonl(tmp_path / "a.jsonl", 300, "微短剧" * 400)  # ~3.6 KB a line, ~1 MB
    size = _cut_size([str(path)], 2048, 2)
    assert MIN_CUT_BYTES <= size <= path.stat().st_size // 8
    assert len(cut_file(str(path), size)) >= 8


def test_inputs_the_workers_cannot_cut_are_read_here(tmp_path):
    body = _jsonl(tmp_path / "a.jsonl", 50).read_bytes()
    packed = tmp_path / "b.jsonl.gz"
    packed.write_bytes(gzip.compress(body))
    wide = tmp_path / "c.jsonl"
    wide.write_bytes(body.decode("utf-8").encode("utf-16"))
    for path in (packed, wide):
        chunks = list(read_chunks([str(path)], ReadSettings(), None, 2048, cut=1024))
        assert [c.kind for c in chunks] == ["lines"] and len(chunks[0].payload) == 50


def test_directories_expand_to_their_input_files_in_name_order(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    for name in ("b.csv", "a.jsonl", "c.jsonl.gz", ".hidden.jsonl", "notes.pdf"):
        (d / name).write_bytes(b"")
    assert expand_inputs([str(d), "-"]) == [str(d / "a.jsonl"), str(d / "b.csv"), str(d / "c.jsonl.gz"), "-"]
    empty = tmp_path / "e"
    empty.mkdir()
    with pytest.raises(InputError, match=r"e: directory holds no input files"):
        expand_inputs([str(empty)])


def test_an_unfinished_output_directory_is_refused(tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    (d / "part-000000.parquet").write_bytes(b"PAR1")
    with pytest.raises(InputError, match="an unfinished label output: part files but no _SUCCESS"):
        expand_inputs([str(d)])
    (d / "_SUCCESS").write_bytes(b"")
    assert expand_inputs([str(d)]) == [str(d / "part-000000.parquet")]
