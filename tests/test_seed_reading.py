"""Seed files are read by the reader of every other input (issue 15): compressed files, other
encodings, the bound on a line's length, and one problem per line without stopping."""

import bz2
import gzip
import json
import re

import pytest

from trendscore.errors import SeedError
from trendscore.seeds.checks import add_seeds, validate_seeds
from trendscore.seeds.files import read_seeds, seed_files

SEEDS = [
    {"id": "a", "text": "国家广电总局发布微短剧管理新规", "labels": ["policy"]},
    {"id": "b", "text": "短剧出海：ReelShort 在美国登顶下载榜", "labels": ["overseas"]},
    {"id": "c", "text": "横店影视城成为微短剧拍摄基地", "labels": ["regional_hub"]},
]


def _jsonl(records) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _texts(paths):
    return [(s.id, s.text, s.labels, s.line) for s in read_seeds(paths)]


@pytest.mark.parametrize(
    "name,encode,repeat",
    [
        ("s.jsonl.gz", lambda t: gzip.compress(t.encode("utf-8")), 1),
        ("s.jsonl.bz2", lambda t: bz2.compress(t.encode("utf-8")), 1),
        ("s.jsonl", lambda t: t.encode("utf-8-sig"), 1),
        ("s.jsonl", lambda t: t.encode("utf-16"), 1),
        ("s.jsonl", lambda t: t.encode("gb18030"), 20),  # enough text to tell the encoding
    ],
)
def test_seeds_in_every_shape_the_other_inputs_take_read_the_same(tmp_path, name, encode, repeat):
    text = _jsonl(SEEDS) * repeat
    plain = tmp_path / "plain.jsonl"
    plain.write_text(text, "utf-8")
    other = tmp_path / "other" / name
    other.parent.mkdir()
    other.write_bytes(encode(text))
    assert _texts([other]) == _texts([plain]) and len(_texts([plain])) == 3 * repeat


def test_a_directory_of_compressed_seed_files_is_read(tmp_path):
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(_jsonl(SEEDS[1:]).encode()))
    (tmp_path / "a.jsonl").write_text(_jsonl(SEEDS[:1]), "utf-8")
    (tmp_path / "notes.txt.gz").write_bytes(gzip.compress(b"not seeds"))
    assert [p.rsplit("/", 1)[1] for p in seed_files([tmp_path])] == ["a.jsonl", "b.jsonl.gz"]
    assert [s.id for s in read_seeds([tmp_path])] == ["a", "b", "c"]


def test_problems_are_listed_line_by_line_inside_a_compressed_file(tmp_path):
    lines = _jsonl(SEEDS[:1]) + '{"text": \n' + '{"text": 3, "labels": []}\n' + _jsonl(SEEDS[1:])
    f = tmp_path / "s.jsonl.gz"
    f.write_bytes(gzip.compress(lines.encode()))
    seeds, problems = validate_seeds([f])
    assert [s.id for s in seeds] == ["a", "b", "c"]
    assert [(p.line, p.kind) for p in problems if p.kind == "schema"] == [(2, "schema"), (3, "schema")]
    with pytest.raises(SeedError, match=r"s\.jsonl\.gz:2: malformed JSON"):
        read_seeds([f])


def test_a_deeply_nested_line_is_a_problem_of_its_line(tmp_path):
    """A line of 100,000 brackets had made the JSON parser raise RecursionError: a traceback
    from seeds validate, seeds add, evaluate, seeds issues and train."""
    f = tmp_path / "s.jsonl"
    f.write_text(_jsonl(SEEDS[:1]) + "[" * 100_000 + "]" * 100_000 + "\n" + _jsonl(SEEDS[1:]), "utf-8")
    seeds, problems = validate_seeds([f])
    assert [s.id for s in seeds] == ["a", "b", "c"]
    assert [(p.line, p.kind, p.message) for p in problems] == [(2, "schema", "malformed JSON (nested too deeply)")]
    with pytest.raises(SeedError, match=r"s\.jsonl:2: malformed JSON \(nested too deeply\)$"):
        read_seeds([f])


def test_a_seed_holding_a_key_twice_is_a_problem_of_its_line(tmp_path):
    """A seed with 'labels' twice had been read with the last list alone (the parser keeps the
    last value), so train learned labels the file also contradicted, without a word."""
    f = tmp_path / "s.jsonl"
    twice = '{"id": "x", "text": "海淀区发布微短剧扶持政策", "labels": ["policy"], "labels": ["culture"]}\n'
    f.write_text(_jsonl(SEEDS[:1]) + twice + _jsonl(SEEDS[1:]), "utf-8")
    seeds, problems = validate_seeds([f])
    assert [s.id for s in seeds] == ["a", "b", "c"]
    message = "an object holds the key 'labels' twice; give each field once"
    assert [(p.line, p.kind, p.message) for p in problems] == [(2, "schema", message)]
    with pytest.raises(SeedError, match=rf"s\.jsonl:2: {message}$"):
        read_seeds([f])


def test_a_long_list_of_duplicate_labels_is_quoted_short(tmp_path):
    """The error had quoted all 100,000 labels of the line."""
    f = tmp_path / "s.jsonl"
    f.write_text(json.dumps({"text": "一段文字", "labels": ["policy"] * 100_000}) + "\n", "utf-8")
    with pytest.raises(SeedError, match=r"s\.jsonl:1: duplicate labels \['policy', 'policy'.{50,70}\.\.\.$"):
        read_seeds([f])


def test_a_line_past_the_bound_stops_with_its_line_number(tmp_path, monkeypatch):
    monkeypatch.setenv("TRENDSCORE_MAX_LINE_MB", "1")
    f = tmp_path / "s.jsonl"
    f.write_text(_jsonl(SEEDS[:2]) + json.dumps({"text": "长" * 700_000, "labels": []}) + "\n", "utf-8")
    with pytest.raises(SeedError, match=r"s\.jsonl:3: a line longer than 1 MiB"):
        read_seeds([f])


def test_seeds_add_sees_the_compressed_seeds_already_in_the_directory(tmp_path):
    directory = tmp_path / "seeds"
    directory.mkdir()
    (directory / "batch_01.jsonl.gz").write_bytes(gzip.compress(_jsonl(SEEDS).encode()))
    new = tmp_path / "new.jsonl"
    changed = dict(SEEDS[0], id="z", labels=["culture"])  # the text of seed a, other labels
    new.write_text(_jsonl([changed]), "utf-8")
    result = add_seeds(new, directory)
    assert result.path is None and len(result.conflicts) == 1  # refused: nothing written
    assert sorted(p.name for p in directory.iterdir() if not p.name.startswith(".")) == ["batch_01.jsonl.gz"]


def test_files_without_seeds_are_named_by_the_first_and_how_many_more(tmp_path):
    files = [tmp_path / f"s{n}.jsonl" for n in range(12)]
    for f in files:
        f.write_text("\n\n", "utf-8")
    with pytest.raises(SeedError, match=rf"^{re.escape(str(files[0]))} and 11 more files: no seed records found$"):
        read_seeds(files)
    with pytest.raises(SeedError, match=rf"^{re.escape(str(files[3]))}: no seed records found$"):
        read_seeds(files[3:4])


SEED_FORMAT = r"seed files are JSON Lines \(one object per line: \.jsonl, \.ndjson, \.json\), not {}: write each seed"


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("seeds.csv", b"text,labels\n\xe7\x9f\xad\xe5\x89\xa7,overseas\n", "CSV"),
        ("seeds.tsv.gz", gzip.compress(b"text\tlabels\nx\tpolicy\n"), "TSV"),
        ("seeds.parquet", b"PAR1\x00\x00PAR1", "Parquet"),
        ("notes.TXT", "短剧出海\n".encode(), "text"),
    ],
    ids=["csv", "tsv.gz", "parquet", "TXT"],
)
def test_a_seed_file_named_for_another_format_is_refused_as_such(tmp_path, name, data, what):
    """A CSV of labelled passages given to train, evaluate or seeds validate had been refused
    as 'malformed JSON' on every line, a Parquet file as text in an unclear encoding."""
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(SeedError, match=f"^{re.escape(str(f))}: {SEED_FORMAT.format(what)}"):
        read_seeds([str(f)])
    _, (problem,) = validate_seeds([str(f)])
    assert problem.line is None and problem.message.startswith("seed files are JSON Lines")


def test_evaluate_names_a_csv_of_labelled_passages_as_such(tmp_path, run):
    f = tmp_path / "labelled.csv"
    f.write_text("text,labels\n短剧出海东南亚,overseas\n", "utf-8")
    result = run("evaluate", str(f))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {f}: seed files are JSON Lines (one object per line")
    assert len(result.output.splitlines()) == 1


def test_seed_files_joined_on_with_their_byte_order_marks_are_read(tmp_path):
    f = tmp_path / "joined.jsonl"
    a = '\ufeff{"id": "a", "text": "短剧出海东南亚", "labels": ["overseas"]}\n'
    b = '\ufeff{"id": "b", "text": "广电总局发布新规", "labels": ["policy"]}\n'
    f.write_bytes((a + b).encode())
    assert [s.id for s in read_seeds([str(f)])] == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "what"),
    [("labelled.csv", "CSV"), ("labelled.csv.gz", "CSV"), ("labelled.parquet", "Parquet"), ("Labelled.TSV", "TSV"),
     ("labelled.xlsx", "a spreadsheet")],
)
def test_a_table_of_label_output_given_as_seeds_is_named_as_such(tmp_path, run, name, what):
    """Found maintaining a model: evaluate (train, seeds validate...) on label's CSV output said
    'labelled.csv:1: malformed JSON (Expecting value)', and on its Parquet output 'invalid UTF-8
    bytes, and no other encoding fits clearly': seeds are JSON Lines, which neither said."""
    path = tmp_path / name
    path.write_bytes(b"id,text,labels\nn0,some text,policy\n")
    for command in (["evaluate", path], ["train", path, "-o", tmp_path / "m"]):
        result = run(*command)
        assert result.exit_code == 2, result.output
        assert re.fullmatch(f"Error: {re.escape(str(path))}: {SEED_FORMAT.format(what)}[^\n]*\n", result.stderr)
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("name", ["seeds.txt", "seeds.TXT.gz", "seeds.md"])
def test_json_lines_named_as_text_are_read_as_seeds(tmp_path, name):
    """A seed file kept under another name (JSON Lines as seeds.txt) had been read before the
    refusal of files named for another format, which then refused it as 'not text'."""
    f = tmp_path / name
    data = (
        '{"id": "a", "text": "短剧出海东南亚", "labels": ["overseas"]}\n'
        '{"id": "b", "text": "广电总局发布新规", "labels": ["policy"]}\n'
    )
    f.write_bytes(gzip.compress(data.encode()) if name.endswith(".gz") else data.encode())
    assert [(s.id, list(s.labels)) for s in read_seeds([str(f)])] == [("a", ["overseas"]), ("b", ["policy"])]


def test_json_lines_named_as_text_report_their_own_problems(tmp_path):
    """Once its first line is JSON, a seed file named .txt is JSON Lines: a later line's problem
    is named at its line, not as the file's format."""
    f = tmp_path / "seeds.txt"
    f.write_text('{"id": "a", "text": "短剧出海东南亚", "labels": ["overseas"]}\n{"id": "b", "text": \n', "utf-8")
    with pytest.raises(SeedError, match=rf"^{re.escape(str(f))}:2: malformed JSON"):
        read_seeds([str(f)])
