"""Dask: a real scheduler and two workers as separate processes on 127.0.0.1."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

# every test here needs the scheduler and two workers started for it (about 10 s under load)
pytestmark = pytest.mark.slow

from click.testing import CliRunner  # noqa: E402
from conftest import SEEDS  # noqa: E402

from trendscore import ModelError  # noqa: E402
from trendscore.cli import main  # noqa: E402

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def passages(tmp_path_factory):
    rows = [json.loads(line) for f in sorted(SEEDS.glob("batch_*.jsonl")) for line in f.read_text("utf-8").splitlines()]
    path = tmp_path_factory.mktemp("data") / "passages.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(4000):
            r = rows[i % len(rows)]
            fh.write(json.dumps({"id": i, "text": r["text"], "date": r.get("date")}, ensure_ascii=False) + "\n")
    return path


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_label_on_the_cluster_matches_local(cluster, passages, tmp_path):
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    assert _run("label", passages, "-o", local, "--jobs", "1").exit_code == 0
    result = _run("label", passages, "-o", remote, "--scheduler", cluster["address"], "--block-mb", "0.05")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # silent on success, as one process is (issue 15)
    assert remote.read_bytes() == local.read_bytes()


def test_score_on_the_cluster_matches_local(cluster, passages):
    local = _run("score", passages, "--format", "json").stdout
    remote = _run("score", passages, "--format", "json", "--scheduler", cluster["address"], "--block-mb", "0.05")
    assert remote.exit_code == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local)


def test_errors_name_file_and_line_on_the_cluster(cluster, passages, tmp_path):
    bad = tmp_path / "bad.jsonl"
    lines = passages.read_text("utf-8").splitlines()
    lines[3210] = '{"text": 3}'
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    result = _run("label", bad, "-o", tmp_path / "o.jsonl", "--scheduler", cluster["address"], "--block-mb", "0.05")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {bad}:3211: expected a string 'text' field, got int\n"
    assert not (tmp_path / "o.jsonl").exists()


def test_workers_check_model_hashes(cluster, tmp_path):
    from distributed import Client

    from trendscore.integrations.dask import _worker_model
    from trendscore.modeling.model import default_model_path

    tampered = tmp_path / "m"
    shutil.copytree(default_model_path(), tampered)
    with open(tampered / "idf.npy", "r+b") as fh:
        fh.seek(-8, 2)
        fh.write(b"\x00" * 8)
    with Client(cluster["address"], timeout="30s") as client:
        with pytest.raises(ModelError, match=r"idf\.npy: SHA-256 does not match"):
            client.submit(_worker_model, str(tampered), pure=False).result()


def test_dataframe_api(cluster, passages):
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client

    import trendscore
    from trendscore.integrations.dask import label_dataframe, score_dataframe

    frame = pd.read_json(passages, lines=True, dtype=False)
    ddf = dd.from_pandas(frame, npartitions=5)
    with Client(cluster["address"], timeout="30s"):
        labelled = label_dataframe(ddf).compute()
        expected = trendscore.label(frame["text"].tolist())
        assert labelled["labels"].tolist() == [r["labels"] for r in expected]
        assert labelled["score_policy"].tolist() == [r["scores"]["policy"] for r in expected]
        dask_score = score_dataframe(ddf, freq="week").to_json()
    records = frame.to_dict("records")
    assert dask_score == trendscore.score(records, freq="week").to_json()


def test_a_worker_killed_mid_job_leaves_the_output_complete(cluster, passages, tmp_path):
    big = tmp_path / "big.jsonl"
    big.write_text(passages.read_text("utf-8") * 15, "utf-8")
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    assert _run("label", big, "-o", local, "--jobs", "1").exit_code == 0
    job = subprocess.Popen(
        [
            str(BIN / "trendscore"),
            "label",
            str(big),
            "-o",
            str(remote),
            "--scheduler",
            cluster["address"],
            "--block-mb",
            "0.05",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=cluster["env"],
    )
    # kill a worker once labelled blocks have started to arrive, while the job still runs
    end = time.monotonic() + 120
    while job.poll() is None and time.monotonic() < end:
        if any(p.stat().st_size > 0 for p in tmp_path.glob(".remote.jsonl.*.part")):
            break
        time.sleep(0.02)
    assert job.poll() is None, "the job ended before the kill"
    victim = cluster["workers"][0]
    os.kill(victim.pid, signal.SIGKILL)
    _, err = job.communicate(timeout=300)
    assert job.returncode == 0, err.decode()[-2000:]
    assert remote.read_bytes() == local.read_bytes()


def test_parquet_inputs_and_a_directory(cluster, passages, tmp_path):
    import pandas as pd

    frame = pd.read_json(passages, lines=True, dtype=False)
    d = tmp_path / "arch"
    d.mkdir()
    frame.iloc[:2000].to_parquet(d / "a.parquet")
    frame.iloc[2000:].to_parquet(d / "b.parquet")
    out = tmp_path / "o.jsonl"
    result = _run("label", d, "-o", out, "--scheduler", cluster["address"])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == list(range(4000))
    local = json.loads(_run("score", passages, "--format", "json").stdout)
    remote = _run("score", d, "--format", "json", "--scheduler", cluster["address"])
    assert remote.exit_code == 0, remote.stderr
    assert json.loads(remote.stdout) == local


def test_skip_bad_on_the_cluster(cluster, passages, tmp_path):
    bad = tmp_path / "bad.jsonl"
    lines = passages.read_text("utf-8").splitlines()
    lines[10], lines[2500] = "{broken", '{"id": 1}'
    bad.write_bytes(("\n".join(lines) + "\n").encode() + b'{"text": "\xff"}\n')
    for command in ("label", "score"):
        result = _run(
            command,
            bad,
            "-o",
            tmp_path / f"{command}.out",
            "--skip-bad",
            "--scheduler",
            cluster["address"],
            "--block-mb",
            "0.05",
        )
        assert result.exit_code == 0, result.stderr
        assert "3998 good passages; skipped 3 bad lines" in result.stderr
        # the lines are named absolutely, though each block counts from its own start
        for where in (f"{bad}:11:", f"{bad}:2501:", f"{bad}:4001:"):
            assert where in result.stderr, (where, result.stderr)
    assert len((tmp_path / "label.out").read_text("utf-8").splitlines()) == 3998


def test_first_bad_date_is_named_as_locally(cluster, passages, tmp_path):
    bad = tmp_path / "dates.jsonl"
    rows = [json.loads(line) for line in passages.read_text("utf-8").splitlines()]
    rows[3100]["date"] = "sometime in spring"
    rows[3500]["date"] = "later"
    bad.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    local = _run("score", bad, "--format", "json")
    remote = _run("score", bad, "--format", "json", "--scheduler", cluster["address"], "--block-mb", "0.05")
    assert remote.exit_code == 0, remote.stderr
    assert f"{bad}:3101: 'sometime in spring'" in local.stderr
    assert [x for x in remote.stderr.splitlines() if "first:" in x] == [
        x for x in local.stderr.splitlines() if "first:" in x
    ]


def test_compressed_parquet_and_other_columns_read_on_the_cluster_as_locally(cluster, passages, tmp_path):
    """Compressed files and --text-column were refused with --scheduler (issue 15): now the
    client reads what workers cannot cut into ranges, and the output is the local one."""
    import gzip

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    packed = tmp_path / "p.jsonl.gz"
    packed.write_bytes(gzip.compress(passages.read_bytes()))
    cut = tmp_path / "cut.jsonl.gz"  # the last line cut short: the same error either way
    cut.write_bytes(gzip.compress(passages.read_bytes()[:5000]))
    renamed = tmp_path / "renamed.jsonl"
    with open(passages, encoding="utf-8") as src, open(renamed, "w", encoding="utf-8") as out:
        for line in src:
            record = json.loads(line)
            out.write(json.dumps({"body": record.pop("text"), **record}, ensure_ascii=False) + "\n")
    for given, extra in ((packed, []), (cut, []), (renamed, ["--text-column", "body"])):
        local, remote = tmp_path / f"local-{given.name}.jsonl", tmp_path / f"remote-{given.name}.jsonl"
        here = _run("label", given, "-o", local, "--jobs", "1", *extra)
        there = _run("label", given, "-o", remote, "--scheduler", cluster["address"], "--block-mb", "0.05", *extra)
        assert there.exit_code == here.exit_code, there.stderr
        if here.exit_code == 0:
            assert remote.read_bytes() == local.read_bytes()
        else:
            assert there.stderr == here.stderr and "malformed JSON" in here.stderr
            assert not remote.exists()
    export = tmp_path / "export"  # Parquet without its extension
    pq.write_table(pa.Table.from_pylist([{"text": "短剧出海东南亚"}, {"text": "海淀区发布微短剧扶持政策"}]), export)
    out = tmp_path / "o.jsonl"
    assert _run("label", export, "-o", out, "--scheduler", cluster["address"]).exit_code == 0
    assert [json.loads(line)["labels"] for line in out.read_text("utf-8").splitlines()][0] == ["overseas"]


def test_relabel_on_the_cluster_matches_local(cluster, passages, tmp_path):
    """--relabel reaches the workers: records carrying labels are labelled by the model anyway."""
    labelled = tmp_path / "labelled.jsonl"
    with open(passages, encoding="utf-8") as src, open(labelled, "w", encoding="utf-8") as out:
        for line in list(src)[:600]:
            record = json.loads(line)
            record["labels"] = ["culture"]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    local = _run("score", labelled, "--format", "json", "--relabel").stdout
    remote = _run(
        "score", labelled, "--format", "json", "--relabel", "--scheduler", cluster["address"], "--block-mb", "0.05"
    )
    assert remote.exit_code == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local)
    assert json.loads(local)["labelled_by"]["labelled_by_model"] == 600
    as_given = json.loads(_run("score", labelled, "--format", "json").stdout)
    assert as_given["labelled_by"]["labels_as_given"] == 600


def test_digest_text_and_csv_inputs_are_read_on_the_cluster_as_locally(cluster, tmp_path):
    """A digest, a text or a CSV file was read as JSON Lines blocks ('malformed JSON'), then
    refused with --scheduler (issue 15): now the client reads them and the result is the local one."""
    from conftest import DIGEST

    text = tmp_path / "notes.txt"
    text.write_text("短剧出海势头强劲\n\n海淀区发布微短剧扶持政策\n", "utf-8")
    table = tmp_path / "news.csv"
    table.write_text("text,date\n短剧出海,2025-01-01\n微短剧扶持政策,2025-01-09\n", "utf-8")
    for path in (DIGEST, text, table):
        local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
        assert _run("label", path, "-o", local).exit_code == 0
        result = _run("label", path, "-o", remote, "--scheduler", cluster["address"])
        assert result.exit_code == 0, result.output
        assert remote.read_bytes() == local.read_bytes()
    here = _run("score", DIGEST, "--format", "json")
    there = _run("score", DIGEST, "--format", "json", "--scheduler", cluster["address"])
    assert (there.exit_code, there.stdout) == (here.exit_code, here.stdout)


def test_score_dataframe_reads_given_labels_as_the_one_process_path():
    """Review finding: Dask turns a column of lists into strings ("['policy']") by default, and
    score_dataframe counted every such row with no theme: every theme steady at 0. Lists, the
    strings Dask makes of them and label's CSV cells (policy|culture) now count as given."""
    import dask.dataframe as dd
    import pandas as pd

    import trendscore
    from trendscore.integrations.dask import score_dataframe

    rows = [{"date": f"2025-01-{d:02d}", "labels": ["policy"] if d > 20 else ["culture"]} for d in range(1, 29)] * 5
    frame = pd.DataFrame(rows)
    want = trendscore.score(frame).to_json()
    assert next(t for t in want["themes"] if t["theme"] == "policy")["count_recent"] == 40
    for labels in (frame["labels"], frame["labels"].map("|".join)):
        got = score_dataframe(dd.from_pandas(frame.assign(labels=labels), npartitions=2)).to_json()
        assert got["themes"] == want["themes"]
    bad = frame.assign(labels=["policy, culture"] * len(frame))
    with pytest.raises(trendscore.InputError, match=r"<DataFrame>:1: a 'labels' cell reads"):
        score_dataframe(dd.from_pandas(bad, npartitions=2))


def test_label_dataframe_refuses_a_row_without_text_as_trendscore_label():
    """label_dataframe had labelled a missing or non-string text as "" (no theme, silently),
    where trendscore.label refuses the frame's row; a partition does not know the rows before
    it, so the row is named within its partition."""
    import dask.dataframe as dd
    import pandas as pd

    import trendscore
    from trendscore.integrations.dask import label_dataframe

    texts = ["海淀区发布微短剧扶持政策", "短剧出海东南亚市场", None, "今天天气很好"]
    frame = pd.DataFrame({"text": texts})
    with pytest.raises(trendscore.InputError, match=r"^<DataFrame>:3: expected a string 'text', got a missing"):
        trendscore.label(frame)
    pattern = r"^<DataFrame>: partition 2, its row 1: expected a string 'text', got a missing value \(index 2\)$"
    with pytest.raises(trendscore.InputError, match=pattern):
        label_dataframe(dd.from_pandas(frame, npartitions=2)).compute()
    fine = label_dataframe(dd.from_pandas(frame.dropna(), npartitions=2)).compute()
    assert fine["labels"].tolist() == trendscore.label(frame.dropna())["labels"].tolist()


def test_label_dataframe_keeps_a_frames_own_labels_as_trendscore_label():
    """label_dataframe replaced a ``labels`` column of the frame's own with the model's; it
    is kept as ``labels_input``, in the partitions and in the frame's meta alike."""
    import dask.dataframe as dd
    import pandas as pd

    import trendscore
    from trendscore.integrations.dask import label_dataframe

    texts = ["海淀区发布微短剧扶持政策", "短剧出海东南亚市场"] * 2
    frame = pd.DataFrame({"text": texts, "labels": ["culture", "x", "", "y"]})
    lazy = label_dataframe(dd.from_pandas(frame, npartitions=2))
    assert "labels_input" in lazy.columns and list(lazy.columns) == list(lazy.compute().columns)
    done = lazy.compute()
    assert done["labels_input"].tolist() == ["culture", "x", "", "y"]
    assert done["labels"].tolist() == trendscore.label(frame)["labels"].tolist()
    assert trendscore.label(frame)["labels_input"].tolist() == ["culture", "x", "", "y"]


def test_dataframes_scored_in_the_callers_process_leave_its_encoder_settings_alone(monkeypatch):
    """Without a cluster Dask runs the tasks in the caller's process, where loading the model
    had reset the process as a worker's (one encoder thread, its encoder cache emptied), and
    later encoding in that process, the tests' included, kept the worker's settings."""
    import dask.dataframe as dd
    import pandas as pd

    from trendscore.integrations.dask import _model_at, label_dataframe, score_dataframe
    from trendscore.text import embedding

    _model_at.cache_clear()  # type: ignore[attr-defined]
    monkeypatch.setattr(embedding, "threads", None)
    frame = pd.DataFrame({"text": ["海淀区发布微短剧扶持政策", "短剧出海东南亚市场"], "date": ["2026-01-05"] * 2})
    label_dataframe(dd.from_pandas(frame, npartitions=2)).compute(scheduler="threads")
    score_dataframe(dd.from_pandas(frame, npartitions=2), freq="day")
    assert embedding.threads is None


def test_score_dataframe_refuses_a_labels_column_spelt_otherwise():
    """As trendscore.score: a 'Labels' column had been passed over and the model labelled every row."""
    import dask.dataframe as dd
    import pandas as pd

    import trendscore
    from trendscore.integrations.dask import score_dataframe

    frame = pd.DataFrame({"date": ["2025-01-01"], "text": ["短剧出海"], "Labels": ["policy"]})
    with pytest.raises(
        trendscore.InputError, match=r"^<DataFrame>:1: the DataFrame has a column 'Labels', not 'labels'"
    ):
        score_dataframe(dd.from_pandas(frame, npartitions=1))


def test_score_dataframe_lists_only_the_themes_given_labels_name():
    """As trendscore.score: labels of the user's own show no default themes at zero beside them."""
    import dask.dataframe as dd
    import pandas as pd

    import trendscore
    from trendscore.integrations.dask import score_dataframe

    rows = [{"date": f"2025-01-{d:02d}", "labels": ["a"] if d > 20 else ["b"]} for d in range(1, 29)] * 3
    frame = pd.DataFrame(rows)
    got = score_dataframe(dd.from_pandas(frame, npartitions=3), freq="day").to_json()
    assert sorted(t["theme"] for t in got["themes"]) == ["a", "b"]
    assert got["themes"] == trendscore.score(frame, freq="day").to_json()["themes"]


def test_score_dataframe_refuses_too_many_themes_in_one_line_naming_the_row():
    """Each partition naming fewer than 200 themes and the frame more had raised a bare
    ValueError from the merge (and one partition naming more, another); an error in a later
    partition had named its row counted from that partition's start. Now an InputError naming
    the row in the whole frame, as trendscore.score names it."""
    import dask.dataframe as dd
    import pandas as pd

    import trendscore
    from trendscore.integrations.dask import score_dataframe

    frame = pd.DataFrame([{"date": f"2025-01-{1 + i % 28:02d}", "labels": [f"l{i // 10}"]} for i in range(3000)])
    with pytest.raises(trendscore.InputError, match=r"^<DataFrame>:2001: more than 200 distinct theme names"):
        trendscore.score(frame)
    for parts in (1, 3, 7):
        with pytest.raises(trendscore.InputError, match=r"^<DataFrame>:2001: more than 200 distinct theme names"):
            score_dataframe(dd.from_pandas(frame, npartitions=parts))
    bad = frame.iloc[:1000].copy()
    bad["labels"] = [["a"]] * 900 + ["policy, culture"] * 100
    with pytest.raises(trendscore.InputError, match=r"^<DataFrame>:901: a 'labels' cell reads"):
        score_dataframe(dd.from_pandas(bad, npartitions=3))
    # a partition passing the limit on its own (at b200, row 651) after one naming 150 other
    # names had named its own 201st: the whole frame's is b50's row, as trendscore.score says
    names = [f"a{k}" for k in range(150)] * 3 + [f"b{k}" for k in range(250)] + ["a0"] * 800
    late = pd.DataFrame({"date": "2025-01-02", "labels": [[name] for name in names]})
    with pytest.raises(trendscore.InputError, match=r"^<DataFrame>:501: more than 200 .* \(at label 'b50'\)"):
        trendscore.score(late)
    with pytest.raises(trendscore.InputError, match=r"^<DataFrame>:501: more than 200 .* \(at label 'b50'\)"):
        score_dataframe(dd.from_pandas(late, npartitions=3))


@pytest.mark.parametrize(
    "name,message",
    [
        ("", "an empty label: "),
        ("policy ", "label 'policy ' with white space at either end: "),
        ("culture", r"duplicate labels \['culture', 'culture'\]"),
    ],
)
def test_score_dataframe_refuses_the_labels_trendscore_score_refuses(name, message):
    """Found by a review: score_dataframe counted an empty label and 'policy ' as themes of
    their own, and a label given twice as two passages of it, where trendscore.score (and the
    CLI) refuse the row: the same frame now stops at the same row with the same error."""
    import dask.dataframe as dd
    import pandas as pd

    import trendscore
    from trendscore.integrations.dask import score_dataframe

    labels = [["policy"]] * 5 + [["culture", name]] + [["culture"]] * 4
    frame = pd.DataFrame({"date": [f"2025-01-{d:02d}" for d in range(1, 11)], "labels": labels})
    with pytest.raises(trendscore.InputError, match=rf"^<DataFrame>:6: {message}"):
        trendscore.score(frame)
    for parts in (1, 2, 3):
        with pytest.raises(trendscore.InputError, match=rf"^<DataFrame>:6: {message}"):
            score_dataframe(dd.from_pandas(frame, npartitions=parts))


def test_score_dataframe_reads_an_empty_labels_cell_as_no_theme_as_the_cli(tmp_path):
    """label's CSV output read by Dask (an empty labels cell comes back missing) scores as
    `trendscore score` scores the file, as trendscore.score scores it read by pandas."""
    import dask.dataframe as dd
    import pandas as pd

    import trendscore
    from trendscore.integrations.dask import score_dataframe

    texts = [
        "海淀区发布微短剧扶持政策，支持企业落户",
        "短剧出海东南亚市场，平台下载量大增",
        "今天天气很好，我们去公园散步。",
    ]
    rows = [{"id": str(n), "text": texts[n % 3], "date": f"2026-01-{1 + n % 28:02d}"} for n in range(30)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out = tmp_path / "labelled.csv"
    assert _run("label", src, "-o", out).exit_code == 0
    cli = _run("score", out, "--format", "json", "--freq", "day")
    want = json.loads(cli.stdout)["themes"]
    got = score_dataframe(dd.read_csv(out).repartition(npartitions=3), freq="day").to_json()  # score_ columns too
    assert json.loads(json.dumps(got["themes"])) == want
    plain = trendscore.score(pd.read_csv(out), freq="day").to_json()
    assert json.loads(json.dumps(plain["themes"])) == want


def test_an_error_on_a_local_cluster_is_the_only_line_on_stderr(passages, tmp_path):
    """A run on --scheduler local:2 that stopped with an error had printed the error, then
    distributed's warnings about the tasks cancelled as its cluster shut down (from the worker
    processes, so on the real stderr): now the cluster trendscore starts is quiet and closed
    with the client, and the error is the one line."""
    bad = tmp_path / "bad.jsonl"
    lines = passages.read_text("utf-8").splitlines()
    lines[1500] = "{broken"
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    expected = f"Error: {bad}:1501: malformed JSON (Expecting property name enclosed in double quotes at column 2)\n"
    for command in (["label", str(bad), "-o", str(tmp_path / "o.jsonl")], ["score", str(bad)]):
        done = subprocess.run(
            [sys.executable, "-m", "trendscore", *command, "--scheduler", "local:2", "--block-mb", "0.05"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert (done.returncode, done.stderr) == (2, expected), command
    assert not (tmp_path / "o.jsonl").exists()


def test_a_local_cluster_starts_quietly_when_port_8787_is_taken():
    """The scheduler of --scheduler local:N serves HTTP even without a dashboard, on port 8787:
    with that port taken (say, by another run's cluster) distributed warned on stderr that it
    used another port. Now it asks for a free port of its own."""
    import socket
    import warnings

    from trendscore.integrations.dask import connect

    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 8787))
        holder.listen()
    except OSError:
        pass  # taken already: the case itself
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with connect("local:1") as client:
                assert client.submit(len, "abc").result() == 3
    finally:
        holder.close()
    assert [str(w.message) for w in caught if "8787" in str(w.message)] == []


def test_connect_makes_its_client_dask_s_default_once_connected(cluster):
    """connect() no longer lets distributed make the client the default before it connects
    (a failed one stayed the default); a client that connects is made the default after."""
    import dask
    from distributed import default_client, get_worker

    from trendscore.integrations.dask import connect

    with connect(cluster["address"]) as client:
        assert default_client() is client
        # dask's own compute() goes to the cluster: the task runs inside one of its workers
        # (get_worker raises anywhere else)
        ran_on = dask.delayed(lambda: get_worker().address)().compute()
        assert ran_on in client.scheduler_info()["workers"]


def _drift_frames():
    """Frames that score_dataframe read otherwise than trendscore.score (each marked with the
    finding it shows), and plainer ones beside them. Twelve rows, so three partitions of four."""
    import pandas as pd

    texts = ["海淀区发布微短剧扶持政策", "短剧出海东南亚市场，平台下载量大增", "今天天气很好，我们去公园散步。"] * 4
    dates = [f"2025-01-{1 + 2 * i:02d}" for i in range(12)]
    lists = [["policy"], ["overseas", "policy"], []] * 4

    def frame(**columns):
        return pd.DataFrame({"text": texts, "date": dates, **columns})

    scores = {"score_policy": [0.1] * 12, "score_culture": [0.9] * 12}
    csv_cells = ["policy", "overseas|policy", float("nan")] * 4  # label's CSV read back by pandas
    return {
        "labels as lists": (frame(labels=lists), {}),
        "labels as label's CSV cells": (frame(labels=csv_cells), {}),
        "labels as comma strings": (frame(labels=["policy, overseas"] * 12), {}),
        # read back as a Python literal on Dask, this had raised a bare TypeError (unhashable)
        "a labels cell of a dict keyed by a list": (frame(labels=[["policy"]] * 6 + ["{[]: 1}"] * 6), {}),
        "no labels: the model labels every row": (frame(), {}),
        "another text and date column": (frame().rename(columns={"text": "body", "date": "day"}), {}),
        # the error names the user's text column ('body'), as trendscore.score's does (it had said 'text')
        "another text column, one text missing": (
            frame(text=[*texts[:7], None, *texts[8:]]).rename(columns={"text": "body", "date": "day"}),
            {},
        ),
        # 1: label's CSV output read back, score_ columns and all: the labels are what counts
        "1 score_ columns beside lists": (frame(labels=lists, **scores), {}),
        "1 score_ columns beside CSV cells": (frame(labels=csv_cells, **scores), {}),
        # 2: a missing label in a column of lists leaves the row to the model
        "2 lists with missing cells": (frame(labels=[["policy"], None, []] * 4), {}),
        "2 lists with NaN cells": (frame(labels=[["culture"], float("nan"), ["policy"]] * 4), {}),
        # 3: labels trendscore.score refuses
        "3 an empty label": (frame(labels=[["policy"]] * 6 + [[""]] * 6), {}),
        "3 a label with white space": (frame(labels=[["policy"]] * 6 + [[" policy"]] * 6), {}),
        "3 a CSV cell with white space (read as the CSV reader reads it)": (
            frame(labels=["policy"] * 6 + ["policy| culture"] * 6),
            {},
        ),
        "3 duplicate labels": (frame(labels=[["policy"]] * 6 + [["policy", "policy"]] * 6), {}),
        # 4: a label that is not text (Dask's convert-string would make "5" of it first)
        "4 an integer label": (frame(labels=["policy"] * 6 + [5] * 6), {"objects_only": True}),
        "4 integers in a list": (frame(labels=[["policy"]] * 6 + [[5]] * 6), {}),
        # 5: text the model must label that is not text
        "5 an integer text": (frame().assign(text=texts[:6] + [5] * 6), {"objects_only": True}),
        "5 a missing text": (frame().assign(text=texts[:6] + [None] * 6), {}),
        "5 a missing text with a label beside it": (frame(labels=[["policy"], None] * 6).assign(text=None), {}),
        # 6: a partition of rows with no theme, or of empty CSV cells, was counted as the model's
        "6 a partition of empty CSV cells": (frame(labels=["policy"] * 8 + [float("nan")] * 4), {}),
        "6 a partition of empty lists": (frame(labels=[["policy"]] * 8 + [[]] * 4), {}),
        "6 a partition of empty strings": (frame(labels=["policy"] * 8 + [""] * 4), {}),
        # errors of two kinds: the first row's, whichever partition the other is in
        "a missing text before a bad labels cell": (
            frame(labels=[["policy"], None, *[["policy"]] * 6, "policy, culture", *[["policy"]] * 3]).assign(
                text=[texts[0], None, *texts[2:]]
            ),
            {},
        ),
        "a bad labels cell before a missing text": (
            frame(labels=[["policy"], ["policy"], "policy, culture", *[None] * 9]).assign(
                text=[*texts[:5], None, *texts[6:]]
            ),
            {},
        ),
        # the message for dates that do not parse names the first in the whole frame
        "dates that do not parse": (frame(labels=lists).assign(date=[None] * 5 + ["someday"] * 7), {}),
    }


def _outcome(scorer, data, **kwargs):
    """The JSON of ``scorer(data, **kwargs)``, or its error's type and message."""
    from trendscore import InputError

    try:
        return scorer(data, **kwargs).to_json()
    except InputError as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("case", list(_drift_frames()))
def test_score_dataframe_is_trendscore_score_on_the_same_frame(case):
    """Review findings: score_dataframe counted the score_ columns of label's CSV output read
    back instead of its labels; counted a missing label in a column of lists as no theme (not
    the model's); took empty labels, labels with white space, and text that is not text (as
    "") without a word; and read a partition of empty CSV cells as the model's rows. Each
    partition is now read by trendscore.score's own reader and counter (io.frames.frame_rows,
    trends.scoring.accumulate), with the labels column's kind decided over the whole column:
    the same JSON, or the same error naming the same row, for 1 or 3 partitions, with Dask's
    convert-string on (its default) and off."""
    import dask
    import dask.dataframe as dd

    import trendscore
    from trendscore.integrations.dask import score_dataframe

    frame, how = _drift_frames()[case]
    columns = {"text_column": "body", "date_column": "day"} if "body" in frame.columns else {}
    want = _outcome(trendscore.score, frame, freq="day", **columns)
    for convert in (False,) if how.get("objects_only") else (False, True):
        with dask.config.set({"dataframe.convert-string": convert}):
            for parts in (1, 3):
                ddf = dd.from_pandas(frame, npartitions=parts, sort=False)
                got = _outcome(score_dataframe, ddf, freq="day", **columns)
                assert got == want, (convert, parts)


def test_the_dataframe_api_takes_a_model_as_trendscore_score_and_label_do(tmp_path):
    """Review finding: label_dataframe and score_dataframe handed model= to every worker as a
    path, so a bundled model's name ("default") was looked for as a folder ./default, a
    registry directory was refused and a loaded Model became its repr. It is now read as
    trendscore.score and trendscore.label read it."""
    import copy

    import dask.dataframe as dd
    import pandas as pd

    import trendscore
    from trendscore.integrations.dask import label_dataframe, score_dataframe
    from trendscore.modeling.registry import Registry

    texts = ["海淀区发布微短剧扶持政策", "短剧出海东南亚市场，平台下载量大增", "今天天气很好，我们去公园散步。"]
    frame = pd.DataFrame({"text": texts * 4, "date": [f"2025-01-{1 + 2 * i:02d}" for i in range(12)]})
    registry = Registry(tmp_path / "registry")
    registry.add(trendscore.load_model())
    for model in ("default", trendscore.load_model(), registry.path, str(registry.path)):
        ddf = dd.from_pandas(frame, npartitions=2)
        want = trendscore.score(frame, freq="day", model=model).to_json()
        assert score_dataframe(ddf, freq="day", model=model).to_json() == want, model
        labels = trendscore.label(frame, model)["labels"].tolist()
        assert label_dataframe(ddf, model=model).compute()["labels"].tolist() == labels, model
    unsaved = copy.copy(trendscore.load_model())
    unsaved.path = None  # as a model made in memory: nothing the workers could load
    with pytest.raises(trendscore.ModelError, match=r"^the model was never saved: on Dask each worker loads it"):
        score_dataframe(dd.from_pandas(frame, npartitions=2), model=unsaved)
