"""The catalogue of bad inputs (docs/reliability.md), crash safety and concurrency."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS, kill_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trendscore
from trendscore import load_model
from trendscore.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _cli(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def _lines(n, bad=None):
    rows = [
        json.dumps(
            {"id": i, "text": f"第{i}条:海淀区发布微短剧扶持政策", "date": f"2025-01-0{1 + i % 9}", "labels": []},
            ensure_ascii=False,
        )
        for i in range(n)
    ]
    for k, v in (bad or {}).items():
        rows[k - 1] = v
    return "\n".join(rows) + "\n"


CASES = {
    # name: (file name, bytes, expected message after "path[:line]: ")
    "empty file": ("e.jsonl", b"", "empty input: no passages found"),
    "only whitespace": ("w.jsonl", b"  \n\t\n", "empty input: no passages found"),
    "malformed JSON in line 7 of 10": ("m.jsonl", _lines(10, {7: '{"text": "x"'}).encode(), ":7: malformed JSON"),
    "a JSON array": ("a.json", b'[{"text": "x"}]\n', ":1: a JSON array, expected JSON Lines"),
    "a record that is not an object": (
        "n.jsonl",
        b'"just a string"\n',
        ":1: expected a JSON object with a 'text' field, got str",
    ),
    "text missing": ("t1.jsonl", b'{"id": 1}\n', ":1: expected a string 'text' field, got nothing"),
    "text null": ("t2.jsonl", b'{"text": null}\n', ":1: expected a string 'text' field, got null"),
    "text a number": ("t3.jsonl", b'{"text": 1}\n', ":1: expected a string 'text' field, got int"),
    "text a list": ("t4.jsonl", b'{"text": ["a"]}\n', ":1: expected a string 'text' field, got list"),
    "CSV without a text column": ("c.csv", b"id,body\n1,x\n", ":1: CSV has no 'text' column"),
    "invalid UTF-8, not GB18030": (
        "u.jsonl",
        b'{"text": "ok"}\n{"text": "\xff\xfe\xfd\xfc"}\n',
        ":2: invalid UTF-8 bytes",
    ),
    "a PNG": ("p.png", b"\x89PNG\r\n\x1a\n" + bytes(40), ":1: looks like a PNG image, not text"),
}


@pytest.mark.parametrize("command", ["label", "score"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_catalogue(tmp_path, command, case):
    name, data, message = CASES[case]
    f = tmp_path / name
    f.write_bytes(data)
    out = tmp_path / "out.txt"
    result = _cli(command, f, "-o", out)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {f}")
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert not out.exists()


def test_stdin_zero_bytes_directory_missing_path_and_output_dir(tmp_path):
    assert _cli("label", "-", input="").stderr == "Error: -: empty input: no passages found\n"
    assert _cli("label", tmp_path).stderr == (  # directories are read (issue 15); this one is empty
        f"Error: {tmp_path}: directory holds no input files "
        "(.jsonl, .ndjson, .json, .csv, .tsv, .parquet, .pq, .txt)\n"
    )
    assert "no such file" in _cli("score", tmp_path / "nope.jsonl").stderr
    f = tmp_path / "a.jsonl"
    f.write_text(_lines(3), "utf-8")
    r = _cli("score", f, "-o", tmp_path / "missing" / "x.txt")
    assert r.exit_code == 2 and "does not exist" in r.stderr
    r = _cli("label", f, "-o", f)
    assert r.exit_code == 2 and "also an input" in r.stderr and f.read_text("utf-8") == _lines(3)


@pytest.mark.parametrize(
    ("labels", "message"), [('["sports"]', None), ('["policy", "policy"]', "duplicate labels"), ('"policy"', "got str")]
)
def test_label_field_problems_in_score(tmp_path, labels, message):
    f = tmp_path / "l.jsonl"
    f.write_text(f'{{"date": "2025-01-01", "labels": {labels}}}\n', "utf-8")
    result = _cli("score", f, "--format", "json")
    if message is None:  # a label of the user's own is a theme of its own
        assert result.exit_code == 0 and "sports" in {t["theme"] for t in json.loads(result.stdout)["themes"]}
    else:
        assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize(
    ("date", "dated"), [("2025-13-45", 0), ("10000-01-01", 0), ("2025-03-04T10:00:00+08:00", 1), ("2025/03/04", 1)]
)
def test_dates_that_do_not_parse_are_undated_and_time_zones_keep_their_date(tmp_path, date, dated):
    f = tmp_path / "d.jsonl"
    f.write_text(json.dumps({"date": date, "labels": ["policy"]}) + "\n", "utf-8")
    result = _cli("score", f, "--format", "json", "--freq", "day")
    if dated:
        data = json.loads(result.stdout)
        assert data["records"]["dated"] == 1 and data["as_of"] == "2025-03-04"
        return
    # issue 16: with no usable date at all, a one-line error instead of an empty ranking
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"1 has a date that does not parse (first: {f}:1: {date!r})" in result.stderr
    # beside a dated passage, the bad one is counted as undated, with a warning
    f.write_text(json.dumps({"date": date, "labels": ["policy"]}) + "\n" + _lines(1), "utf-8")
    result = _cli("score", f, "--format", "json", "--freq", "day")
    assert json.loads(result.stdout)["records"]["undated"] == 1 and "has a date that does not parse" in result.stderr


def test_encodings_and_bom(tmp_path):
    text = "关于推动微短剧产业高质量发展的若干措施"
    cases = {
        "bom.jsonl": ("\ufeff" + json.dumps({"text": text}, ensure_ascii=False) + "\n").encode("utf-8"),
        "u16.jsonl": (json.dumps({"text": text}, ensure_ascii=False) + "\n").encode("utf-16"),
        "gb.txt": text.encode("gb18030"),
        "bom.csv": ('\ufeffid,text\n1,"' + text + '\n第二行"\n').encode("utf-8"),
    }
    for name, data in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        rows = [json.loads(line) for line in _cli("label", f).stdout.splitlines()]
        assert rows and rows[0]["text"].startswith(text), name
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"text": "ok \xff end"}\n')
    assert _cli("label", bad).exit_code == 2
    assert json.loads(_cli("label", bad, "--encoding-errors", "replace").stdout)["text"] == "ok \ufffd end"


def test_skip_bad_counts_exactly(tmp_path):
    lines = _lines(50, {3: "{bad", 17: '{"id": 1}', 40: "[1]"})
    f = tmp_path / "s.jsonl"
    f.write_bytes(lines.encode() + b'{"text": "\xff\xfe"}\n')
    for command in ("label", "score"):
        out = tmp_path / f"{command}.out"
        result = _cli(command, f, "--skip-bad", "-o", out)
        assert result.exit_code == 0
        assert "47 good passages; skipped 4 bad lines" in result.stderr
        assert f"skipped {f}:3: malformed JSON" in result.stderr
    assert len((tmp_path / "label.out").read_text("utf-8").splitlines()) == 47


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=12))
def test_any_text_labels_without_crashing(texts):
    model = load_model()
    for rec in model.label(texts):
        assert set(rec["labels"]) <= set(model.themes)
        assert set(rec["scores"]) == set(model.themes)
        assert all(0.0 <= p <= 1.0 for p in rec["scores"].values())


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=()), max_size=200))
def test_any_text_survives_the_jsonl_round_trip(tmp_path_factory, text):
    f = tmp_path_factory.mktemp("h") / "x.jsonl"
    f.write_text(json.dumps({"text": text}) + "\n", "utf-8")  # ASCII-escaped: lone surrogates allowed
    result = _cli("label", f)  # one record, whatever its text: labelled, never a traceback
    assert result.exit_code == 0
    assert "labels" in json.loads(result.stdout)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.sets(st.sampled_from(["policy", "culture", "overseas"]))),
        min_size=1,
        max_size=80,
    ),
    st.randoms(),
)
def test_scoring_ignores_record_order(rows, rnd):
    recs = [{"date": f"2025-{1 + d // 28:02d}-{1 + d % 28:02d}", "labels": sorted(labels)} for d, labels in rows]
    first = trendscore.score(recs, freq="week").to_json()
    rnd.shuffle(recs)
    assert trendscore.score(recs, freq="week").to_json() == first


def test_threads_share_one_model():
    model = load_model()
    texts = [s for s in (SEEDS / "batch_05_traditional.jsonl").read_text("utf-8").splitlines()]
    texts = [json.loads(t)["text"] for t in texts] * 4
    expected = model.label(texts)
    results = [None] * 4

    def work(k):
        results[k] = model.label(texts)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_first_format_model_still_loads():
    model = load_model(FIXTURES / "model_format1")
    assert model.themes == ["policy", "technology", "overseas", "regional_hub", "culture"]
    assert model.label(["海淀区发布微短剧扶持政策"])[0]["labels"]


def _kill_after(args, delay):
    kill_cli(args, delay=delay)


@pytest.mark.parametrize("when", [0.4, 1.0, pytest.param("writing", marks=pytest.mark.slow)])
def test_kill_during_train_keeps_the_previous_model(tmp_path, small_model_dir, small_seed_files, when):
    import shutil

    target = tmp_path / "m"
    shutil.copytree(small_model_dir, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    args = ["train", *small_seed_files, "-o", target, "--cv", "2"]
    if when == "writing":  # the moment the new model's staging directory appears
        assert kill_cli(args, ready=lambda: any(tmp_path.glob(".m.*"))), "the kill missed the write"
    else:
        _kill_after(args, when)
    after = {p.name: p.read_bytes() for p in target.iterdir()}
    assert sorted(after) == sorted(before)
    if after != before:  # training finished before the kill: a whole new model, not a mix
        assert all(after[name] != before[name] for name in ("card.json", "manifest.json"))
    assert load_model(target).themes  # verified against its manifest


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9])
def test_kill_during_label_leaves_no_half_output(tmp_path, delay):
    f = tmp_path / "in.jsonl"
    f.write_text(_lines(40_000), "utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", "utf-8")
    _kill_after(["label", f, "-o", out, "--jobs", "1", "--quiet"], delay)
    content = out.read_text("utf-8")
    assert content == "old\n" or len(content.splitlines()) == 40_000


def test_next_write_removes_the_part_file_a_killed_label_left(tmp_path, run):
    import socket

    f = tmp_path / "in.jsonl"
    f.write_text(_lines(200_000), "utf-8")
    out = tmp_path / "out.jsonl"
    _kill_after(["label", f, "-o", out, "--jobs", "1", "--quiet"], 1.2)
    left = list(tmp_path.glob(".out.jsonl.*.part"))
    assert left, "the kill came too late to leave a part file; lengthen the input"
    host = socket.gethostname().replace(".", "_")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    kept = [
        tmp_path / f".out.jsonl.{host}.{os.getpid()}.abc.part",  # a live process (this one)
        tmp_path / f".out.jsonl.otherhost.{dead.pid}.abc.part",  # another host's process
        tmp_path / ".out.jsonl.oldstyle.part",  # not in the pattern: not ours to judge
    ]
    for p in kept:
        p.write_text("x", "utf-8")
    small = tmp_path / "small.jsonl"
    small.write_text(_lines(10), "utf-8")
    assert run("label", small, "-o", out, "--quiet").exit_code == 0
    assert len(out.read_text("utf-8").splitlines()) == 10
    assert not any(p.exists() for p in left)
    assert all(p.exists() for p in kept)


def test_kill_during_seeds_add_keeps_seeds(tmp_path, run):
    from trendscore.seeds.files import read_seeds

    d = tmp_path / "seeds"
    d.mkdir()
    old = d / "batch_01.jsonl"
    old.write_text((SEEDS / "batch_03_trade.jsonl").read_text("utf-8"), "utf-8")
    before = old.read_bytes()
    caught = 0
    for name in ("batch_07_research", "batch_08_hardcases", "batch_04_english", "batch_05_traditional"):
        new = tmp_path / f"{name}.jsonl"  # new texts each time, so every add has something to write
        new.write_text((SEEDS / f"{name}.jsonl").read_text("utf-8"), "utf-8")
        # killed while its batch file is being written (the temporary file exists)
        caught += kill_cli(["seeds", "add", new, "--to", d], ready=lambda: any(d.glob(".*.part")))
        assert old.read_bytes() == before
        for f in d.glob("batch_*.jsonl"):
            read_seeds([f])  # every file there is whole
    assert caught, "no kill landed while a batch was being written"
    assert list(d.glob(".*.part"))  # what the kills left behind...
    other = tmp_path / "other.jsonl"
    other.write_text((SEEDS / "batch_01_wire.jsonl").read_text("utf-8"), "utf-8")
    assert run("seeds", "add", other, "--to", d).exit_code == 0
    assert not list(d.glob(".*.part"))  # ...the next add removes


def test_two_seed_adds_at_once_do_not_interleave(tmp_path):
    d = tmp_path / "seeds"
    d.mkdir()
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text((SEEDS / "batch_03_trade.jsonl").read_text("utf-8"), "utf-8")
    b.write_text((SEEDS / "batch_07_research.jsonl").read_text("utf-8"), "utf-8")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "trendscore", "seeds", "add", str(x), "--to", str(d)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for x in (a, b)
    ]
    assert [p.wait() for p in procs] == [0, 0]
    files = sorted(d.glob("batch_*.jsonl"))
    assert len(files) == 2
    assert sorted(len(trendscore.seeds.files.read_seeds([f])) for f in files) == [150, 150]


SEED_CASES = {
    "empty file": (b"", "no seed records"),
    "malformed JSON in line 7 of 10": (
        (
            "\n".join(['{"text": "a", "labels": []}'] * 6 + ['{"text": '] + ['{"text": "b", "labels": []}'] * 3) + "\n"
        ).encode(),
        ":7: malformed JSON",
    ),
    "a JSON array": (b'[{"text": "a", "labels": []}]\n', ":1: expected a JSON object, got list"),
    "a record that is not an object": (b'"x"\n', ":1: expected a JSON object, got str"),
    "text missing": (b'{"labels": []}\n', ":1: expected a string 'text' field, got nothing"),
    "text a number": (b'{"text": 3, "labels": []}\n', ":1: expected a string 'text' field, got int"),
    "labels as a string": (b'{"text": "a", "labels": "policy"}\n', ":1: expected 'labels' as a list of label names"),
    "labels with duplicates": (b'{"text": "a", "labels": ["policy", "policy"]}\n', ":1: duplicate labels"),
    "invalid UTF-8": (b'{"text": "a", "labels": []}\n{"text": "\xff", "labels": []}\n', ":2: invalid UTF-8 bytes"),
    "a PNG": (b"\x89PNG\r\n\x1a\n" + bytes(40), ":1: looks like a PNG image, not text"),
}


@pytest.mark.parametrize("command", [["train", "-o", "{out}"], ["evaluate"], ["seeds", "validate"]])
@pytest.mark.parametrize("case", sorted(SEED_CASES))
def test_bad_seed_catalogue(tmp_path, command, case):
    data, message = SEED_CASES[case]
    f = tmp_path / "s.jsonl"
    f.write_bytes(data)
    out = tmp_path / "model"
    args = [a.replace("{out}", str(out)) for a in command]
    result = _cli(*args[:1], *args[1:2] if args[0] == "seeds" else [], f, *([] if args[0] == "seeds" else args[1:]))
    if args[0] == "seeds":
        # validate lists every problem (one line each) and exits 1
        assert result.exit_code == 1, result.output
        where, _, what = message.partition(": ")
        if what:  # ":N: message" -> "FILE:N: schema: message"
            assert f"{f}{where}: schema: {what}" in result.stdout
        else:
            assert message in result.stderr or message in result.stdout
    else:
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"Error: {f}") and message in result.stderr
        assert result.stderr.count("\n") == 1
    assert not out.exists()


def test_seed_commands_on_missing_paths_and_directories(tmp_path):
    for args in (
        ["train", tmp_path / "none.jsonl", "-o", tmp_path / "m"],
        ["evaluate", tmp_path / "none.jsonl"],
    ):
        result = _cli(*args)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        assert result.stderr == f"Error: {args[1]}: no such file\n"  # the reader of every input says so
    # a directory stands for its seed files (issue 15); this one has none
    result = _cli("train", tmp_path, "-o", tmp_path / "m")
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: {tmp_path}: directory holds no seed files (.jsonl, .ndjson, .json)\n",
    )
    assert _cli("seeds", "add", tmp_path / "none.jsonl", "--to", tmp_path).exit_code == 2


def test_a_seed_directory_is_read_as_its_seed_files(tmp_path):
    from conftest import SEEDS

    d = tmp_path / "seeds"
    d.mkdir()
    files = [SEEDS / "batch_02_gov.jsonl", SEEDS / "batch_06_headlines.jsonl"]
    for f in files:
        (d / f.name).write_bytes(f.read_bytes())
    (d / "notes.txt").write_text("not a seed file", "utf-8")
    by_dir = _cli("evaluate", d, "--format", "json")
    by_files = _cli("evaluate", *files, "--format", "json")
    assert by_dir.exit_code == 0, by_dir.stderr
    assert json.loads(by_dir.stdout) == json.loads(by_files.stdout)


def test_outputs_get_the_usual_file_mode(tmp_path, run):
    old = os.umask(0o022)
    try:
        f = tmp_path / "in.jsonl"
        f.write_text(_lines(5), "utf-8")
        assert run("label", f, "-o", tmp_path / "out.jsonl", "--quiet").exit_code == 0
        d = tmp_path / "seeds"
        d.mkdir()
        new = tmp_path / "new.jsonl"
        new.write_text((SEEDS / "batch_01_wire.jsonl").read_text("utf-8"), "utf-8")
        assert run("seeds", "add", new, "--to", d).exit_code == 0
    finally:
        os.umask(old)
    assert (tmp_path / "out.jsonl").stat().st_mode & 0o777 == 0o644
    assert [p.stat().st_mode & 0o777 for p in d.glob("batch_*.jsonl")] == [0o644]
