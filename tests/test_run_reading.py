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


def _passages(n, seed=0):
    """``n`` passages of 150-300 characters, each a different mix of Chinese and English words."""
    import random

    words = ["微短剧", "出海", "东南亚", "平台", "监管", "备案", "AI", "短剧基地", "横店", "drama", "app", "政策"]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = ""
        while len(text) < 150:
            text += rng.choice(words) + rng.choice(["，", " ", "。", ""])
        out.append(text[: rng.randint(150, 300)])
    return out


def _gz(path, texts):
    body = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts))
    path.write_bytes(gzip.compress(body.encode("utf-8"), mtime=0))
    return path


def test_a_short_input_read_here_is_spread_over_the_workers(tmp_path):
    """Inputs this process reads itself went out in chunks of 2,048 lines, so 1,000 long
    passages were one chunk for one worker (issue 15); for workers they are cut by size now,
    in order, every line once, and a tiny input stays one chunk."""
    from trendscore.run.reading import FIRST_CHUNK_CHARS

    path = _gz(tmp_path / "a.jsonl.gz", _passages(1000))
    for spread in (False, True):
        chunks = list(read_chunks([str(path)], ReadSettings(), None, 2048, cut=1024, spread=spread))
        assert [n for c in chunks for n, _ in c.payload] == list(range(1, 1001))
        assert [c.last for c in chunks] == [False] * (len(chunks) - 1) + [True]
        if not spread:
            assert len(chunks) == 1  # one process: the big batches it labels fastest
            continue
        assert len(chunks) >= 6
        sizes = [sum(len(line) for _, line in c.payload) for c in chunks]
        assert sizes[0] >= FIRST_CHUNK_CHARS and sizes[0] < FIRST_CHUNK_CHARS + 1000
        assert max(sizes) > 1.5 * sizes[0]  # they grow with what was read
    tiny = _gz(tmp_path / "b.jsonl.gz", _passages(20))
    assert len(list(read_chunks([str(tiny)], ReadSettings(), None, 2048, cut=1024, spread=True))) == 1


def test_records_read_here_are_spread_by_their_texts(tmp_path):
    import csv

    path = tmp_path / "a.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        writer.writerows(enumerate(_passages(1000)))
    chunks = list(read_chunks([str(path)], ReadSettings(), None, 2048, cut=1024, spread=True))
    assert {c.kind for c in chunks} == {"records"} and len(chunks) >= 6
    assert [r["id"] for c in chunks for r, _, _ in c.payload] == [str(i) for i in range(1000)]


def test_label_jobs_2_spreads_a_gz_input_with_the_same_bytes(tmp_path, monkeypatch, run):
    """Through the command: `label --jobs 2` of a gz file of 1,000 long passages hands its
    workers several chunks and writes the bytes one process writes."""
    from trendscore.run import job

    seen: list[int] = []
    real = job.read_chunks

    def counted(*args, **kwargs):
        n = 0
        for chunk in real(*args, **kwargs):
            n += 1
            yield chunk
        seen.append(n)

    monkeypatch.setattr(job, "read_chunks", counted)
    path = _gz(tmp_path / "a.jsonl.gz", _passages(1000))
    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        result = run("label", path, "--jobs", jobs, "-o", out, "--quiet")
        assert result.exit_code == 0, result.stderr
        outs[jobs] = out.read_bytes()
    assert seen[0] == 1 and seen[1] >= 6
    assert outs["2"] == outs["1"] and outs["1"].count(b"\n") == 1000


def test_a_parquet_file_of_several_row_groups_is_read_by_the_workers_in_runs(tmp_path):
    """A Parquet file was one chunk for one worker however big; now a run of its row groups
    is a chunk, rows numbered as in the whole file, and a file of one row group stays one."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")

    from trendscore.io.readers import open_lines

    rows = [{"id": i, "text": t} for i, t in enumerate(_passages(1000))]
    path = tmp_path / "g.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=100)
    chunks = list(read_chunks([str(path)], ReadSettings(), None, 2048, cut=path.stat().st_size // 5))
    assert {c.kind for c in chunks} == {"parquet"} and len(chunks) >= 4
    assert chunks[0].payload[0] == 0 and chunks[-1].payload[1] == 10
    assert all(a.payload[1] == b.payload[0] for a, b in zip(chunks, chunks[1:]))
    assert [c.last for c in chunks] == [False] * (len(chunks) - 1) + [True]
    numbered = []
    for chunk in chunks:
        with open_lines(str(path), "parquet", row_groups=chunk.payload) as (_, stream):
            numbered += [(n, r["id"]) for n, r in stream]
    assert numbered == [(i + 1, i) for i in range(1000)]
    one = tmp_path / "one.parquet"
    pq.write_table(pa.Table.from_pylist(rows), one)
    assert [c.payload for c in read_chunks([str(one)], ReadSettings(), None, 2048, cut=1024)] == [None]


def test_label_jobs_2_spreads_a_parquet_file_and_names_a_bad_row_alike(tmp_path, monkeypatch, run):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from trendscore.run import job

    seen: list[int] = []
    real = job.read_chunks

    def counted(*args, **kwargs):
        chunks = list(real(*args, **kwargs))
        seen.append(len(chunks))
        return iter(chunks)

    monkeypatch.setattr(job, "read_chunks", counted)
    rows = [{"id": i, "text": t} for i, t in enumerate(_passages(1000))]
    path = tmp_path / "g.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=100)
    rows[730]["text"] = None
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pylist(rows), bad, row_group_size=100)
    outs, errors = {}, {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        result = run("label", path, "--jobs", jobs, "-o", out, "--quiet")
        assert result.exit_code == 0, result.stderr
        outs[jobs] = out.read_bytes()
        failed = run("label", bad, "--jobs", jobs, "-o", tmp_path / f"bad{jobs}.jsonl", "--quiet")
        errors[jobs] = (failed.exit_code, failed.stderr)
    assert seen[0] == 1 and seen[2] >= 2
    assert outs["2"] == outs["1"] and outs["1"].count(b"\n") == 1000
    assert errors["2"] == errors["1"] and errors["1"][0] == 2
    assert "bad.parquet:731: expected a string 'text' field, got null" in errors["1"][1]


@pytest.mark.parametrize("existing", [False, True], ids=["new directory", "empty directory"])
def test_two_jobs_on_one_output_directory_at_once_leave_one_refused(tmp_path, monkeypatch, existing):
    # both had found the directory free, written parts of the same names over each other's and
    # exited 0: one job's output was lost without a word. Both jobs here pass the checks before
    # either takes the directory (a barrier where the first one used to)
    import os
    import threading

    from trendscore.run import parts

    target = tmp_path / "out"
    if existing:
        target.mkdir()
    barrier = threading.Barrier(2, timeout=10)
    real_mkdir = parts.Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self == target:
            barrier.wait()
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(parts.Path, "mkdir", mkdir)
    outcomes: list[str] = []
    inside = threading.Barrier(2, timeout=10)

    def job():
        try:
            with parts.output_directory(str(target), []):
                outcomes.append("wrote")
                inside.wait()  # the other job tries while this one still writes
        except InputError as exc:
            outcomes.append(str(exc))
            inside.wait()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(outcomes) == [
        f"{target}: another job began writing into this directory at the same moment; give each job its own",
        "wrote",
    ]
    assert sorted(os.listdir(target)) == ["_SUCCESS"]


def test_a_directorys_markdown_notes_are_not_read_as_news(tmp_path):
    """A README.md beside the data (this repository's seeds/ holds two notes) had been read
    as passages: `label seeds/` labelled '# Seeds: the labelled passages ...' as culture."""
    d = tmp_path / "news"
    d.mkdir()
    for name in ("a.jsonl", "README.md", "GUIDELINE.MD", "b.txt"):
        (d / name).write_bytes(b"x\n")
    assert expand_inputs([str(d)]) == [str(d / "a.jsonl"), str(d / "b.txt")]
    assert expand_inputs([str(d / "README.md")]) == [str(d / "README.md")]  # named, it is read


def test_a_directory_of_markdown_alone_says_how_to_read_it(tmp_path):
    d = tmp_path / "clips"
    d.mkdir()
    (d / "one.md").write_text("短剧出海\n", "utf-8")
    with pytest.raises(
        InputError,
        match=r"clips: directory holds no input files \(.*\.txt\); "
        r"its \.md files are read only when named \(.*clips/\*\.md\)$",
    ):
        expand_inputs([str(d)])
