"""The README's shell examples, typed as written in a folder holding the files they name
(``news.jsonl``, ``digest.txt``, ``archive/``, ``seeds/``, ``models/registry`` ...), each through
the command line in this process; and what the text around them promises holds. Every command
of the README's ``sh`` blocks is run here or named in NOT_RUN_HERE with where it is tested."""

from __future__ import annotations

import glob
import gzip
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from trendscore.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
COMMANDS = [
    line.strip()
    for block in re.findall(r"```sh\n(.*?)```", README, re.S)
    for line in block.splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]
INLINE = re.findall(r"`(trendscore (?:score|label) [^`]+)`", README)  # commands quoted in the text
T1, T2 = "海淀区发布微短剧扶持政策", "短剧出海东南亚市场"
THEMES = ["policy", "technology", "overseas", "regional_hub", "culture"]

# Commands a test here does not type, each with why and where they are tested.
NOT_RUN_HERE = {
    "python3 -m pip install": "installs (the two commands: the first is this suite's own setup, the second runs it)",
    "dask scheduler": "a cluster's machines; tests/test_dask.py starts a cluster",
    "dask worker": "a cluster's machines; tests/test_dask.py starts a cluster",
    "trendscore label archive/ -o labelled.jsonl --scheduler tcp:": "a cluster; tests/test_dask.py",
    "trendscore score archive/*.jsonl --scheduler tcp:": "a cluster; tests/test_dask.py",
    'NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" OPENBLAS_CORETYPE=Haswell SOURCE_DATE_EPOCH=': (
        "the rebuilds, minutes each; tests/test_rebuild.py"
    ),
    "trendscore train my_labels.jsonl -o my_model --allow-encoder": "an encoder search; tests/test_selection.py",
    "trendscore themes add": "about a minute on the bundled seeds; tests/test_provisional.py",
    "trendscore label news.jsonl --model with_esports": "needs themes add's model; tests/test_provisional.py",
    "trendscore train seeds/batch_*.jsonl --registry": "training; tests/test_registry.py",
}


def _line(start: str) -> str:
    found = [c for c in COMMANDS if c.startswith(start)] or [c for c in INLINE if c.startswith(start)]
    assert len(found) == 1, f"README has {len(found)} shell commands starting {start!r}"
    return found[0]


def _type(line: str):
    """Run one README command line as a shell would, the ``trendscore`` part in this process:
    ``NAME=VALUE`` prefixes set the environment, ``cat FILE |`` feeds standard input, globs
    expand in the working directory; the comment is dropped."""
    feed = None
    if " | " in line:
        left, line = line.split(" | ", 1)
        cat, name = shlex.split(left)
        assert cat == "cat"
        feed = Path(name).read_bytes()
    words = shlex.split(line, comments=True)
    env = {}
    while "=" in words[0]:
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    assert words[0] == "trendscore", line
    args = []
    for word in words[1:]:
        if "*" in word:
            matched = sorted(glob.glob(word))
            assert matched, f"{word} matches nothing here"
            args.extend(matched)
        else:
            args.append(word)
    return CliRunner().invoke(main, args, input=feed, env=env, catch_exceptions=False)


def test_every_shell_command_is_typed_here_or_named():
    known = [*TYPED, *NOT_RUN_HERE]
    missing = [c for c in COMMANDS if not any(c.startswith(s) for s in known)]
    assert not missing, f"README shell commands neither typed here nor named in NOT_RUN_HERE: {missing}"
    gone = [s for s in known if not any(c.startswith(s) for c in COMMANDS + INLINE)]
    assert not gone, f"commands named here and no longer in README: {gone}"


def _unlabelled(*names: str) -> list[dict]:
    rows = []
    for name in names:
        for raw in (ROOT / "seeds" / name).read_text("utf-8").splitlines():
            record = json.loads(raw)
            record.pop("labels", None)
            rows.append(record)
    return rows


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The files the README's commands name, made as a user would have them."""
    monkeypatch.chdir(tmp_path)
    news = _unlabelled("batch_09_real_policy.jsonl", "batch_12_real_overseas.jsonl")
    _write_jsonl(tmp_path / "news.jsonl", news)
    _write_jsonl(tmp_path / "news" / "a.jsonl", news[:60])
    _write_jsonl(tmp_path / "news" / "b.jsonl", news[60:])
    in_2026 = [{**r, "date": f"2026-{i % 6 + 1:02d}-{i % 28 + 1:02d}"} for i, r in enumerate(news)]
    _write_jsonl(tmp_path / "archive" / "a.jsonl", in_2026[:60])
    _write_jsonl(tmp_path / "archive" / "b.jsonl", in_2026[60:])
    _write_jsonl(tmp_path / "unlabelled.jsonl", news)
    shutil.copy(ROOT / "seeds" / "000_c45236173e460e13.txt", tmp_path / "digest.txt")
    (tmp_path / "passages.csv").write_text(f"id,text\n1,{T1}\n2,{T2}\n", "utf-8")
    with gzip.open(tmp_path / "export.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write(f"id,body\n1,{T1}\n2,{T2}\n")
    return tmp_path


# ---------------------------------------------------------------- Theme momentum

TYPED = [
    "trendscore score news.jsonl ",
    "trendscore score archive/*.jsonl --freq month",
    "trendscore score digest.txt --plot",
    "trendscore score digest.txt --model accurate",
    "trendscore score digest.txt --model thorough",
    "trendscore score news/*.jsonl --state",
    "trendscore label news.jsonl -o labelled.jsonl",
    "trendscore label digest.txt --format table --explain",
    "cat passages.csv | trendscore label -",
    "trendscore label export.csv.gz",
    "trendscore train my_labels.jsonl -o my_model  ",
    "trendscore evaluate labelled.jsonl",
    "trendscore seeds validate",
    "trendscore seeds add",
    "trendscore seeds issues",
    "trendscore suggest",
    "trendscore models ",
    "trendscore label news.jsonl --model models/registry",
    "trendscore label big.jsonl",
]


def test_score_news_is_weekly_as_of_the_latest_date(folder):
    result = _type(_line("trendscore score news.jsonl "))
    assert result.exit_code == 0, result.stderr
    latest = max(json.loads(r)["date"] for r in Path("news.jsonl").read_text("utf-8").splitlines())
    assert result.stdout.startswith(f"trendscore score, as of {latest}, per week;")
    assert sorted(row.split()[1] for row in result.stdout.splitlines() if re.match(r"\d ", row)) == sorted(THEMES)


def _outline(spec: str) -> dict:
    """The keys of README's JSON outline as a tree, {key: subtree or None}; values written as
    alternatives ("rising"|"steady"|"falling") are not keys."""
    tokens = re.findall(r'(?<!\|)"(\w+)"(?!\|)|([{}])', spec)

    def parse(i: int) -> tuple[dict, int]:
        node: dict = {}
        last = None
        while i < len(tokens):
            key, brace = tokens[i]
            if key:
                node[key], last = None, key
                i += 1
            elif brace == "{":
                node[last], i = parse(i + 1)
            else:
                return node, i + 1
        return node, i

    assert tokens[0] == ("", "{")
    return parse(1)[0]


def test_score_json_holds_the_fields_the_readme_lists(folder):
    result = _type(_line("trendscore score archive/*.jsonl --freq month"))
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    spec = re.search(r"JSON output: `(\{.*?\})` \(and", README, re.S)
    assert spec, "README's JSON outline not found"
    tree = _outline(spec[1])
    assert out["as_of"] == "2026-06-30" and out["freq"] == "month"
    assert set(out) == set(tree)
    extra = {"drivers", "sources", "outlets_driving", "provisional"}
    for row in out["themes"]:
        assert set(tree["themes"]) <= set(row) and set(row) - set(tree["themes"]) <= extra
    assert all(set(row) == set(tree["series"]) for row in out["series"]) and out["series"]
    assert set(out["records"]) == set(tree["records"])
    assert set(out["labelled_by"]) == set(tree["labelled_by"])
    assert set(out["labelled_by"]["model"]) == set(tree["labelled_by"]["model"])
    assert [t["momentum"] for t in out["themes"]] == sorted((t["momentum"] for t in out["themes"]), reverse=True)


def test_plot_and_report_are_written(folder):
    pytest.importorskip("PIL")
    result = _type(_line("trendscore score digest.txt --plot"))
    assert result.exit_code == 0, result.stderr
    assert Path("shares.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = Path("report.html").read_text("utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and not re.search(r"""(src|href)=["']?https?:""", page)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["accurate", "thorough"])
def test_score_with_the_slower_bundled_models(folder, name):
    result = _type(_line(f"trendscore score digest.txt --model {name}"))
    assert result.exit_code == 0, result.stderr
    assert f"labelled by model {name} " in result.stdout


def test_alerts_print_the_changes_and_keep_the_state(folder):
    line = _line("trendscore score news/*.jsonl --state")
    first = _type(line)
    assert first.exit_code in (0, 3), first.stderr
    alert = json.loads(first.stdout)
    assert set(alert) == {"as_of", "previous_as_of", "labelled_by", "model_changed", "changes"}
    assert alert["previous_as_of"] is None and alert["model_changed"] is False
    assert all(set(c) == {"theme", "was", "now", "reason"} for c in alert["changes"])
    assert (first.exit_code == 3) == bool(alert["changes"]) and Path("calls.json").is_file()
    again = _type(line)
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout) == {
        "as_of": alert["as_of"], "previous_as_of": alert["as_of"], "labelled_by": alert["labelled_by"],
        "model_changed": False, "changes": [],
    }


# ---------------------------------------------------------------- Labelling


def test_label_jsonl_to_jsonl(folder):
    result = _type(_line("trendscore label news.jsonl -o labelled.jsonl"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    rows = [json.loads(r) for r in Path("labelled.jsonl").read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == [
        r["id"] for r in map(json.loads, Path("news.jsonl").read_text("utf-8").splitlines())
    ]
    assert all(set(r["labels"]) <= set(THEMES) and list(r["scores"]) == THEMES for r in rows)


def test_label_digest_table_with_the_terms_behind_each_theme(folder):
    result = _type(_line("trendscore label digest.txt --format table --explain"))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.match(r"d[0-9a-f]{16}-p1 ", lines[0])
    assert re.match(r" +(policy|technology|overseas|regional_hub|culture): \S+ [+-]\d\.\d{3}", lines[1])


def test_label_csv_from_stdin(folder):
    result = _type(_line("cat passages.csv | trendscore label -"))
    assert result.exit_code == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header == "id,text,labels," + ",".join(f"score_{t}" for t in THEMES)
    assert [r.split(",")[2] for r in rows] == ["policy|regional_hub", "overseas"]


def test_label_gzipped_csv_with_another_text_column_to_parquet(folder):
    pq = pytest.importorskip("pyarrow.parquet")
    result = _type(_line("trendscore label export.csv.gz"))
    assert result.exit_code == 0, result.stderr
    table = pq.read_table("labelled.parquet").to_pylist()
    assert [(r["id"], r["text"], r["labels"]) for r in table] == [
        ("1", T1, ["policy", "regional_hub"]),
        ("2", T2, ["overseas"]),
    ]


# ---------------------------------------------------------------- Training and evaluation


@pytest.mark.slow
def test_train_chooses_its_settings(folder):
    seeds = [json.loads(r) for r in (ROOT / "seeds" / "batch_02_gov.jsonl").read_text("utf-8").splitlines()]
    _write_jsonl(folder / "my_labels.jsonl", seeds)
    result = _type(_line("trendscore train my_labels.jsonl -o my_model  "))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("Chose ") and "-fold cross-validation over" in result.stderr
    card = json.loads((folder / "my_model" / "card.json").read_text("utf-8"))
    assert card["selection"]["chosen"] and card["seeds"]["count"] == len(seeds)


def test_evaluate_a_file_labelled_by_people(folder):
    shutil.copytree(ROOT / "models" / "default", folder / "models" / "default")
    _write_jsonl(
        folder / "labelled.jsonl",
        [{"text": T1, "labels": ["policy", "regional_hub"]}, {"text": T2, "labels": ["overseas"]}],
    )
    result = _type(_line("trendscore evaluate labelled.jsonl"))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["theme", "precision", "recall", "f1", "support"]
    assert "micro-F1 1.000  macro-F1 1.000  n=2" in lines  # themes neither labels nor predicts are named, not 0
    assert (
        lines[-1]
        == "macro-F1 leaves out technology, culture: no passage is labelled or predicted with them (F1 undefined)"
    )


# ---------------------------------------------------------------- Maintaining a model over months


@pytest.fixture
def seeds_dir(folder):
    (folder / "seeds").mkdir()
    for name in ["batch_02_gov.jsonl", "batch_06_headlines.jsonl"]:
        shutil.copy(ROOT / "seeds" / name, folder / "seeds" / name)
    return folder / "seeds"


def test_seeds_validate_and_add(folder, seeds_dir):
    result = _type(_line("trendscore seeds validate"))
    assert result.exit_code == 0, result.stderr + result.stdout
    n = sum(len(p.read_text("utf-8").splitlines()) for p in seeds_dir.glob("*.jsonl"))
    assert f"{n} seeds in 2 files, 0 problems" in result.stdout + result.stderr
    new = [{"id": "n1", "text": "某市出台微短剧产业扶持新政，设立专项资金", "labels": ["policy", "regional_hub"]}]
    _write_jsonl(folder / "new_batch.jsonl", new)
    added = _type(_line("trendscore seeds add"))
    assert added.exit_code == 0, added.stderr
    assert [json.loads(r) for r in (seeds_dir / "batch_07_new_batch.jsonl").read_text("utf-8").splitlines()] == new


@pytest.mark.slow
def test_seeds_issues(folder, seeds_dir):
    result = _type(_line("trendscore seeds issues"))
    assert result.exit_code == 0, result.stderr
    issues = result.stdout.splitlines()
    assert 0 < len(issues) <= 30
    assert all(re.match(r"seeds/batch_0[26]_\w+\.jsonl:\d+: \S+ labels \[.*\] -> suggested \[", i) for i in issues)


def test_suggest_what_to_label_next(folder):
    result = _type(_line("trendscore suggest"))
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(r) for r in Path("next.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 50 and all(set(r["labels"]) <= set(THEMES) for r in rows)


@pytest.fixture
def registry(folder):
    """models/registry with versions v0001-v0003 of the bundled model, v0002 the champion."""
    import trendscore
    from trendscore.modeling.registry import Registry

    reg = Registry(folder / "models" / "registry")
    for _ in range(3):
        reg.add(trendscore.load_model())
    reg.rollback()
    return reg


def test_the_registry_commands_in_order(folder, registry):
    def said(start, where="stdout"):
        result = _type(_line(start))
        assert result.exit_code == 0, f"{start}: {result.stderr}"
        return getattr(result, where)

    listing = said("trendscore models list --registry").splitlines()
    assert [row[:7] for row in listing] == ["  v0001", "* v0002", "  v0003"]
    assert said("trendscore models promote v0003", "stderr") == "v0003 is the champion\n"
    assert said("trendscore models rollback", "stderr") == "v0002 is the champion\n"
    assert said("trendscore models history").split() == ["1", "v0001", "2", "v0002", "(champion)"]
    assert said("trendscore models show models/registry").startswith("model: models/registry/versions/v0002\n")
    assert said("trendscore models show v0003").startswith("model: models/registry/versions/v0003\n")
    names = [row.split()[0] for row in said("trendscore models list  ").splitlines()]
    assert names == ["default", "accurate", "thorough"]
    labelled = said("trendscore label news.jsonl --model models/registry").splitlines()
    assert len(labelled) == len(Path("news.jsonl").read_text("utf-8").splitlines())


# ---------------------------------------------------------------- On a Dask cluster


@pytest.mark.slow
def test_a_local_cluster_labels_as_one_process(folder):
    pytest.importorskip("distributed")
    shutil.copy("news.jsonl", "big.jsonl")
    result = _type(_line("trendscore label big.jsonl"))
    assert result.exit_code == 0, result.stderr
    alone = _type("trendscore label big.jsonl -o alone.jsonl")
    assert alone.exit_code == 0 and Path("out.jsonl").read_bytes() == Path("alone.jsonl").read_bytes()


# ---------------------------------------------------------------- figures quoted beside the commands


def test_the_real_reports_table_is_the_bundled_cards():
    """The README's table of the bundled models on real reports held out by time is what their
    cards hold (the same run as BENCHMARKS.md's)."""
    cards = {
        m: json.loads((ROOT / "models" / m / "card.json").read_text("utf-8"))["time_split"]
        for m in ["default", "accurate", "thorough"]
    }
    rows = {"all": None, "Simplified Chinese": "zh-Hans", "English": "en", "Traditional Chinese": "zh-Hant"}
    for label, lang in rows.items():
        found = re.search(rf"^\| {label}(?: \((\d+)\))? \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", README, re.M)
        assert found, f"README has no row {label!r}"
        for model, shown in zip(cards, found.groups()[1:]):
            figures = cards[model] if lang is None else cards[model]["by_lang"][lang]
            assert shown == f"{figures['macro_f1']:.3f}", (label, model)
            if lang is not None:
                assert int(found[1]) == figures["n"]
