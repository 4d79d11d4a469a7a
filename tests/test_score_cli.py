import json
import re

import pytest
from conftest import DIGEST
from scenarios import generate, records

import trendscore


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("arch") / "labelled.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for r in records(generate(11, volume=(8, 12))):
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def test_score_digest_table_ranks_five_themes(run):
    result = run("score", DIGEST, "--freq", "day")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("trendscore score, as of 2025-12-01, per day")
    ranked = [ln.split()[1] for ln in lines[4:9]]
    assert lines[3].split()[:2] == ["rank", "theme"]
    assert sorted(ranked) == ["culture", "overseas", "policy", "regional_hub", "technology"]
    assert "note: 4 passages have no usable date" in result.stdout


def test_score_json_is_stable_and_sorted(run, archive):
    result = run("score", archive, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data["themes"]) == 5
    assert list(data)[:5] == ["as_of", "freq", "themes", "series", "records"]
    momenta = [t["momentum"] for t in data["themes"]]
    assert momenta == sorted(momenta, reverse=True)
    for t in data["themes"]:
        assert t["direction"] in ("rising", "steady", "falling")
        for key in ("theme", "momentum", "share_recent", "share_baseline", "count_recent", "count_baseline", "p_value"):
            assert key in t
    assert {"period", "theme", "count", "share"} <= set(data["series"][0])


def test_labelled_records_are_scored_without_the_model(run, archive, monkeypatch):
    import trendscore.modeling.model

    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(trendscore.modeling.model, "load_model", refuse)
    assert run("score", archive, "--format", "csv").exit_code == 0


def test_relabel_runs_the_model(run, tmp_path):
    f = tmp_path / "a.jsonl"
    f.write_text(
        json.dumps(
            {"date": "2025-01-01", "text": "海淀区发布微短剧扶持政策", "labels": ["culture"]}, ensure_ascii=False
        ),
        "utf-8",
    )
    data = json.loads(run("score", f, "--format", "json", "--relabel", "--freq", "day").stdout)
    counts = {r["theme"]: r["count"] for r in data["series"]}
    assert counts["policy"] > 0.9 and counts["culture"] < 0.1


def test_plot_and_report_are_written(run, archive, tmp_path):
    png, page = tmp_path / "p.png", tmp_path / "r.html"
    result = run("score", archive, "--plot", png, "--report", page)
    assert result.exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = page.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>") and "data:image/png;base64," in text
    assert "http://" not in text and "https://" not in text  # self-contained: nothing to fetch
    data = json.loads(run("score", archive, "--format", "json").stdout)
    called = [t["theme"] for t in data["themes"] if t["direction"] != "steady"]
    # passages are shown for the calls only (issue 18: steady themes had "passages that drove" them)
    assert text.count("<h3>") == len(called) >= 1


@pytest.mark.parametrize(
    ("first", "second", "name", "message"),
    [
        ("-o", "--plot", "same.png", "score does not write a PNG image"),  # -o refused for its suffix first
        ("-o", "--report", "same.html", "score does not write an HTML page"),
        ("--state", "-o", "same.json", "the score and the state"),
        ("--plot", "--report", "same.html", "the plot is a PNG image"),  # refused for its suffix first
    ],
)
def test_two_outputs_on_one_file_are_refused_before_any_work(run, archive, tmp_path, first, second, name, message):
    """Found by a review: `-o x.png --plot x.png` wrote the table, then the plot over it, exit 0;
    `--state st.json -o st.json` lost the ranking to the state file."""
    target = tmp_path / name
    result = run("score", archive, first, target, second, target)
    assert result.exit_code == 2, result.output
    assert message in result.output and str(target) in result.output, result.output
    assert not target.exists()


def test_the_table_shows_control_characters_from_the_data_as_escapes(run, tmp_path):
    """Found by a review: a label or outlet named with terminal escapes (clear screen, colours)
    or a line end reached the terminal raw through the score table, though the label table
    escapes them."""
    import datetime as dt

    path = tmp_path / "esc.jsonl"
    start = dt.date(2026, 1, 1)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(336):
            day = (start + dt.timedelta(days=i // 6)).isoformat()
            late = i >= 216
            labels = ["\x1b[31mRED\x1b[0m"] if (i % 6 < (4 if late else 1)) else ["two\nlines"] if i % 6 == 5 else []
            source = "\x1b[2J\u202eOUT" if i % 2 else "plain"
            fh.write(json.dumps({"text": f"passage {i}", "date": day, "labels": labels, "source": source}) + "\n")
    result = run("score", path, "--why", "--by", "source")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "\\x1b[31mRED\\x1b[0m" in result.stdout and "\\x1b[2J\\u202eOUT" in result.stdout
    assert "two\\nlines" in result.stdout


def test_bad_labels_and_dates(run, tmp_path):
    f = tmp_path / "b.jsonl"
    f.write_text(
        '{"date": "2025-01-01", "labels": []}\n{"date": "2025-13-45", "labels": []}\n'
        '{"date": "2025-01-02", "labels": "policy"}\n',
        "utf-8",
    )
    result = run("score", f)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {f}:3: expected 'labels' as a list of theme names, got str\n"
    f.write_text('{"date": "2025-01-01", "labels": []}\n{"date": "2025-13-45", "labels": []}\n', "utf-8")
    result = run("score", f)
    assert result.exit_code == 0
    assert (
        f"Warning: 1 passage has a date that does not parse and was counted as undated (first: {f}:2: '2025-13-45')"
        in result.stderr
    )


@pytest.mark.parametrize(
    "name,what",
    [
        ("", "an empty label"),
        ("  ", "an empty label"),
        (" policy", "label ' policy' with white space at either end"),
        ("policy\n", "label 'policy\\n' with white space at either end"),
    ],
)
def test_an_empty_label_or_one_with_spaces_at_an_end_is_refused_with_its_line(run, tmp_path, name, what):
    """An empty name, or 'policy ' beside 'policy', had been counted as a theme of its own
    (a row named '' or a second 'policy'), where the same labels in CSV are stripped."""
    f = tmp_path / "b.jsonl"
    records = [{"date": "2025-01-01", "labels": ["policy"]}, {"date": "2025-01-02", "labels": ["culture", name]}]
    f.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    result = run("score", f)
    assert result.exit_code == 2
    message = f"{what}: it would be counted as a theme apart; give the theme's name as such"
    assert result.stderr == f"Error: {f}:2: {message}\n"
    import trendscore

    with pytest.raises(trendscore.InputError, match=rf"^<records>:2: {re.escape(message)}$"):
        trendscore.score(records)


def test_a_huge_value_from_the_data_is_quoted_short(run, tmp_path):
    """A date of 100,000 characters had been quoted whole in the warning, and a list of
    100,000 duplicate labels whole in the error: lines of megabytes from a bigger input."""
    f = tmp_path / "big.jsonl"
    records = [{"date": "2025-01-01", "labels": ["policy"]}, {"date": "x" * 100_000, "labels": []}]
    f.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    result = run("score", f)
    assert result.exit_code == 0
    warning = f"Warning: 1 passage has a date that does not parse and was counted as undated (first: {f}:2: '"
    assert result.stderr == warning + "x" * 79 + "...)\n"
    f.write_text(json.dumps({"date": "2025-01-01", "labels": ["policy"] * 100_000}) + "\n", "utf-8")
    result = run("score", f)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {f}:1: duplicate labels " + repr(["policy"] * 9)[:80] + "...\n"


def test_bad_as_of_and_empty_input(run, tmp_path):
    result = run("score", DIGEST, "--as-of", "yesterday")
    assert result.exit_code == 2 and "the as-of date 'yesterday' is not a date" in result.stderr
    empty = tmp_path / "e.jsonl"
    empty.write_text("", "utf-8")
    result = run("score", empty)
    assert result.exit_code == 2 and result.stderr == f"Error: {empty}: empty input: no passages found\n"


@pytest.mark.parametrize("value", ["1732060800", "2024W47", "2024-W47-1", "2024112012", "２０２４-１１-２０"])
def test_as_of_in_other_iso_forms_is_refused(run, value):
    """--as-of was read by date.fromisoformat, which takes more than YYYY-MM-DD: epoch seconds
    1732060800 scored as of 1732-06-08, and the week 2024W47 as of its Monday, without a word."""
    result = run("score", DIGEST, "--as-of", value)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: the as-of date {value!r} is not a date of the form YYYY-MM-DD\n"


@pytest.mark.parametrize("value, form", [("2025-02-29", "YYYY-MM-DD"), ("20250231", "YYYYMMDD")])
def test_an_as_of_day_the_calendar_has_not_is_named_so(run, value, form):
    """--as-of 2025-02-29 was refused as 'not a date of the form YYYY-MM-DD', which it is: the
    form is right and the day does not exist, and the message now says that."""
    result = run("score", DIGEST, "--as-of", value)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: the as-of date {value!r} is written as {form} but names no day of the calendar\n"
    with pytest.raises(trendscore.InputError, match=rf"^as_of '{value}' is written as {form} but names no day"):
        trendscore.score([{"text": "短剧出海", "date": "2025-01-05"}], as_of=value)


def test_as_of_as_eight_digits_is_still_read(run):
    result = run("score", DIGEST, "--as-of", "20251130", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "2025-11-30"


def _texts_over_days(days: int = 28) -> str:
    texts = [
        "海淀区发布微短剧扶持政策，对优质项目给予奖励。",
        "短剧出海东南亚市场火爆，收入同比增长。",
        "今天天气晴朗，适合出门散步。",
    ]
    rows = [
        {"id": f"r{d}-{k}", "date": f"2026-01-{d:02d}", "text": f"{text}第{d}天"}
        for d in range(1, days + 1)
        for k, text in enumerate(texts)
    ]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def test_score_reads_labels_own_csv_output_as_its_json_lines(run, tmp_path, monkeypatch):
    """label's CSV joins a passage's themes with '|' and leaves the cell empty for none; score
    reads them back as given, the same counts as from label's JSON Lines, without the model."""
    src = tmp_path / "news.jsonl"
    src.write_text(_texts_over_days(), "utf-8")
    assert run("label", src, "-o", tmp_path / "l.csv").exit_code == 0
    assert run("label", src, "-o", tmp_path / "l.jsonl").exit_code == 0
    cells = (tmp_path / "l.csv").read_text("utf-8")
    assert "|" in cells and ",," in cells  # two themes in one cell, and an empty one
    import trendscore.modeling.model

    monkeypatch.setattr(trendscore.modeling.model, "load_model", lambda *a, **k: pytest.fail("the model was loaded"))
    from_csv = run("score", tmp_path / "l.csv", "--freq", "day", "--format", "json")
    from_jsonl = run("score", tmp_path / "l.jsonl", "--freq", "day", "--format", "json")
    assert from_csv.exit_code == 0, from_csv.stderr
    assert json.loads(from_csv.stdout) == json.loads(from_jsonl.stdout)
    assert json.loads(from_csv.stdout)["labelled_by"]["labels_as_given"] == 84


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_labelled_csv_without_text_is_scored_as_its_json_lines(run, tmp_path, jobs):
    """Labelled records need no text to be counted: JSON Lines and Parquet without a text field
    were scored, the same records in CSV were refused for want of a 'text' column."""
    rows = [
        (f"2025-01-{1 + i % 28:02d}", ["policy"] if i % 3 else ["overseas", "policy"] if i % 2 else [])
        for i in range(84)
    ]
    csv_file, jsonl_file = tmp_path / "l.csv", tmp_path / "l.jsonl"
    csv_file.write_text("date,labels\n" + "".join(f"{d},{'|'.join(labs)}\n" for d, labs in rows), "utf-8")
    jsonl_file.write_text("".join(json.dumps({"date": d, "labels": labs}) + "\n" for d, labs in rows), "utf-8")
    from_csv = run("score", csv_file, "--freq", "day", "--format", "json", "--jobs", jobs)
    from_jsonl = run("score", jsonl_file, "--freq", "day", "--format", "json")
    assert from_csv.exit_code == 0, from_csv.stderr
    assert json.loads(from_csv.stdout) == json.loads(from_jsonl.stdout)
    assert json.loads(from_csv.stdout)["labelled_by"]["labels_as_given"] == 84
    unlabelled = tmp_path / "u.csv"
    unlabelled.write_text("date,source\n2025-01-01,a\n", "utf-8")  # no labels to count: the text is needed
    result = run("score", unlabelled)
    assert result.exit_code == 2 and "CSV has no 'text' column (columns: date, source)" in result.stderr


def test_a_labels_column_spelt_otherwise_is_refused_where_labels_are_read(run, tmp_path):
    """A 'Labels' column was passed over without a word and the model labelled every row (and
    without a text column the error spoke of the text, not of the labels)."""
    f = tmp_path / "l.csv"
    f.write_text("date,text,Labels\n2025-01-01,海淀区发布微短剧扶持政策,policy\n", "utf-8")
    result = run("score", f)
    assert result.exit_code == 2 and result.stderr == (
        f"Error: {f}:1: CSV has a column 'Labels', not 'labels': its labels would not be read and the model would "
        "label every row; name it 'labels' (or drop it to have the model label the rows)\n"
    )
    f.write_text("date,LABELS\n2025-01-01,policy\n", "utf-8")
    result = run("score", f)
    assert result.exit_code == 2 and "CSV has a column 'LABELS', not 'labels'" in result.stderr
    f.write_text("date,text,Labels,labels\n2025-01-01,海淀区发布微短剧扶持政策,x,policy\n", "utf-8")
    result = run("score", f, "--format", "json")  # with 'labels' there, the other is just another column
    assert result.exit_code == 0 and json.loads(result.stdout)["labelled_by"]["labels_as_given"] == 1


def test_a_date_column_spelt_otherwise_is_refused_where_dates_are_read(run, tmp_path):
    """A CSV with a 'Date' column beside files with a 'date' one had its rows counted as undated
    and left out of the score, with no more than a note that some passages had no date."""
    dated, other = tmp_path / "a.csv", tmp_path / "b.csv"
    dated.write_text("date,labels\n2025-01-01,policy\n", "utf-8")
    other.write_text("Date,labels\n2025-01-02,culture\n", "utf-8")
    result = run("score", dated, other)
    assert result.exit_code == 2 and result.stderr == (
        f"Error: {other}:1: CSV has a column 'Date', not 'date': its dates would not be read and its rows would "
        "be undated; name it 'date'; try --date-column 'Date' to read it\n"
    )
    result = run("score", other, "--date-column", "Date", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["records"]["dated"] == 1
    other.write_text("date,Date,labels\n2025-01-02,x,culture\n", "utf-8")  # with 'date' there: another column
    result = run("score", dated, other, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["records"]["dated"] == 2
    pd = pytest.importorskip("pandas")
    import trendscore

    with pytest.raises(trendscore.InputError, match=r"^<DataFrame>:1: the DataFrame has a column ' DATE', not 'date'"):
        trendscore.score(pd.DataFrame({" DATE": ["2025-01-02"], "labels": [["culture"]]}))


def test_a_json_lines_record_or_dict_with_its_date_spelt_otherwise_is_refused(run, tmp_path):
    """A JSON Lines record (or a dict given to the API) holding 'Date' and no 'date' had been
    counted undated, with no more than a note, where the CSV header 'Date' is refused."""
    import trendscore

    f = tmp_path / "d.jsonl"
    f.write_text(
        '{"date": "2025-01-01", "labels": ["policy"]}\n{"Date": "2025-01-02", "labels": ["culture"]}\n', "utf-8"
    )
    for extra in ((), ("--jobs", "2")):
        result = run("score", f, *extra)
        assert result.exit_code == 2 and result.stderr == (
            f"Error: {f}:2: the record has a field 'Date', not 'date': its date would not be read and the record "
            "would be undated; name it 'date'; try --date-column 'Date' to read it\n"
        )
    result = run("score", f, "--skip-bad", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["records"]["total"] == 1
    assert f"skipped {f}:2: the record has a field 'Date'" in result.stderr
    rows = [{"date": "2025-01-01", "labels": ["policy"]}, {" DATE": "2025-01-02", "labels": ["culture"]}]
    with pytest.raises(trendscore.InputError, match=r"^<records>:2: the record has a field ' DATE', not 'date'"):
        trendscore.score(rows)
    assert trendscore.score(rows[:1] + [{"when": "2025-01-02", "labels": []}]).records["undated"] == 1


def test_json_lines_null_labels_are_for_the_model_to_label(run, tmp_path):
    """A null 'labels' means not labelled yet, as a Parquet or DataFrame null does."""
    f = tmp_path / "n.jsonl"
    f.write_text(
        '{"date": "2026-01-05", "text": "短剧出海东南亚", "labels": null}\n'
        '{"date": "2026-01-06", "text": "海淀区发布微短剧扶持政策", "labels": ["policy"]}\n',
        "utf-8",
    )
    result = run("score", f, "--freq", "day", "--format", "json")
    assert result.exit_code == 0, result.stderr
    by = json.loads(result.stdout)["labelled_by"]
    assert (by["labels_as_given"], by["labelled_by_model"]) == (1, 1)


@pytest.mark.parametrize(
    "cell",
    ["['policy', 'overseas']", '["policy"]', "policy,overseas", "(policy)"]
    + ["policy;overseas", "政策；出海", "政策、出海", "policy｜overseas"],
)
def test_labels_cells_other_tools_write_as_lists_are_refused(run, tmp_path, cell):
    """Review finding: a labels column pandas wrote (`['policy', 'overseas']`) was split at '|'
    and scored as themes named with brackets and quotes, several called rising; before CSV
    labels were read it was refused. It is refused again, naming the line and the form. Names
    joined by semicolons or the Chinese enumeration comma, as people type them, had been one
    theme ('policy;overseas') counted beside policy and overseas without a word: refused too."""
    import csv as _csv

    path = tmp_path / "other.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = _csv.writer(fh)
        writer.writerow(["text", "date", "labels"])
        writer.writerow(["短剧出海", "2025-01-02", "overseas"])
        writer.writerow(["短剧政策", "2025-01-03", cell])
    result = run("score", path)
    assert result.exit_code == 2, result.output
    assert f"{path}:3: a 'labels' cell reads" in result.output and "joined by '|'" in result.output


@pytest.mark.parametrize(
    "cell,example",
    [
        ('["policy"]', "policy"),
        ("['culture', 'overseas']", "culture|overseas"),
        ("technology,policy", "technology|policy"),
        ("technology; policy", "technology|policy"),
        ("政策、出海", "政策|出海"),
        ("政策｜出海", "政策|出海"),
        ("[]", "an empty cell for no theme"),
        ('{"policy": 1}', "policy|overseas"),  # not a plain list of names: the general example
    ],
)
def test_the_labels_cell_error_shows_that_cells_own_labels_as_label_writes_them(run, tmp_path, cell, example):
    path = tmp_path / "other.csv"
    path.write_text(f'text,date,labels\n短剧政策,2025-01-03,"{cell.replace(chr(34), chr(34) * 2)}"\n', "utf-8")
    result = run("score", path)
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"Error: {path}:2: a 'labels' cell reads {cell!r}: in CSV, labels are theme names joined by '|' "
        f"({example}), as label writes them\n"
    )


@pytest.mark.parametrize(
    ("label", "holds"),
    [
        ("policy|overseas", "holds '|'"),
        # the full-width bar a Chinese input method types for '|': refused in a CSV cell, it had
        # been counted as a theme of that name in a list
        ("政策｜出海", "holds '｜', the full-width form of '|'"),
    ],
)
def test_a_label_holding_the_csv_separator_is_refused_with_its_line(run, tmp_path, label, holds):
    """A list item 'policy|overseas' (label's CSV cell put into JSON as it was) had been counted
    as a theme of that name, beside policy and overseas, without a word."""
    f = tmp_path / "j.jsonl"
    records = [{"date": "2025-01-01", "labels": ["policy"]}, {"date": "2025-01-02", "labels": [label]}]
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    result = run("score", f)
    assert result.exit_code == 2
    message = f"label {label!r} {holds}, which joins theme names in CSV; " + (
        "in a list, give each theme as an item of its own"
    )
    assert result.stderr == f"Error: {f}:2: {message}\n"


def _custom(path, labels_of_day):
    rows = [{"date": f"2025-01-{d:02d}", "labels": labels_of_day(d)} for d in range(1, 29) for _ in range(3)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_custom_labels_show_only_their_own_themes(run, tmp_path, jobs):
    """Found by a review: a score of records labelled only "a" and "b" also listed the five
    default themes, each at zero, in the table, JSON and CSV. The rows are the themes the
    labels name; a default theme shows when a label names it."""
    data = _custom(tmp_path / "ab.jsonl", lambda d: ["a"] if d > 20 else ["b"])
    result = run("score", data, "--freq", "day", "--format", "json", "--jobs", jobs)
    assert result.exit_code == 0, result.output
    score = json.loads(result.stdout)
    assert sorted(t["theme"] for t in score["themes"]) == ["a", "b"]
    assert {r["theme"] for r in score["series"]} == {"a", "b"}
    csv_out = run("score", data, "--freq", "day", "--format", "csv", "--jobs", jobs)
    assert sorted(line.split(",")[1] for line in csv_out.stdout.splitlines()[1:]) == ["a", "b"]
    table = run("score", data, "--freq", "day", "--jobs", jobs).stdout
    assert "policy" not in table and "culture" not in table
    mixed = _custom(tmp_path / "mixed.jsonl", lambda d: ["a", "culture"] if d > 20 else [])
    score = json.loads(run("score", mixed, "--freq", "day", "--format", "json", "--jobs", jobs).stdout)
    assert [t["theme"] for t in score["themes"]] == ["a", "culture"]  # rising both, sorted by name
    assert [r["theme"] for r in score["series"][:2]] == ["culture", "a"]  # a default theme first, as before


def test_the_models_themes_show_when_it_labels_some_records(run, tmp_path):
    data = _custom(tmp_path / "ab.jsonl", lambda d: ["a"] if d > 20 else ["b"])
    with open(data, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"date": "2025-01-05", "text": "短剧出海东南亚"}, ensure_ascii=False) + "\n")
    result = run("score", data, "--freq", "day", "--format", "json")
    assert result.exit_code == 0, result.output
    score = json.loads(result.stdout)
    assert score["labelled_by"]["labelled_by_model"] == 1
    model_themes = ["policy", "technology", "overseas", "regional_hub", "culture"]
    assert sorted(t["theme"] for t in score["themes"]) == sorted([*model_themes, "a", "b"])
    assert list(dict.fromkeys(r["theme"] for r in score["series"])) == [*model_themes, "b", "a"]
