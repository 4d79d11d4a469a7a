import json

import pytest

from trendscore import InputError
from trendscore.io.readers import read_records


def _read(path, **kw):
    return [r for r, _, _ in read_records(str(path), **kw)]


def test_jsonl_fields_pass_through(tmp_path):
    f = tmp_path / "a.jsonl"
    f.write_text('{"id": 7, "text": "短剧", "date": "2024-01-02", "extra": [1]}\n\n{"text": "b"}\n', "utf-8")
    assert _read(f) == [{"id": 7, "text": "短剧", "date": "2024-01-02", "extra": [1]}, {"text": "b"}]


def test_malformed_json_names_the_line(tmp_path):
    f = tmp_path / "bad.jsonl"
    lines = ['{"text": "ok"}'] * 10
    lines[6] = '{"text": "broken"'
    f.write_text("\n".join(lines), "utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:7: malformed JSON"):
        _read(f)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": 1}', "expected a string 'text' field, got nothing"),
        ('{"text": null}', "expected a string 'text' field, got null"),
        ('{"text": 3}', "expected a string 'text' field, got int"),
        ('{"text": ["a"]}', "expected a string 'text' field, got list"),
        ('["a", "b"]', "expected a JSON object with a 'text' field, got list"),
    ],
)
def test_bad_records_are_named(tmp_path, line, message):
    f = tmp_path / "r.jsonl"
    f.write_text('{"text": "fine"}\n' + line + "\n", "utf-8")
    with pytest.raises(InputError, match=r"r\.jsonl:2: " + message):
        _read(f)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('{"text": "短剧出海", "date": "2024-01-02", "date": "2025-06-30"}', "date"),
        ('{"text": "短剧出海", "text": "政策"}', "text"),
        ('{"text" : "短剧出海", "labels" : ["policy"], "labels" : []}', "labels"),  # spaces before the colons
        # a key ends in a quote, any whitespace and a colon: two spaces or a tab, or one space
        # beside keys ending '":', had been passed over by the count of key ends
        ('{"id": "1", "date"  : "2024-01-02", "text": "短剧出海", "date"  : "2025-06-30"}', "date"),
        ('{"id": "1", "date"\t: "2024-01-02", "text": "短剧出海", "date"\t: "2025-06-30"}', "date"),
        ('{"id": "1", "date" : "2024-01-02", "text": "短剧出海", "date" : "2025-06-30"}', "date"),
        ('{"text": "短剧", "meta": {"outlet": "新华社", "outlet": "人民日报"}}', "outlet"),
        ('{"text": "短剧", "scores": {"policy": 0.9}, "rows": [{"a": 1}, {"a": 1, "a": 2}]}', "a"),
    ],
)
def test_a_key_given_twice_in_a_record_is_refused(tmp_path, line, key):
    """A JSON parser keeps a repeated key's last value: a record holding 'date' twice was read
    with the second date, the first dropped without a word. Which one was meant is unknown, so
    the record is refused with its line."""
    f = tmp_path / "r.jsonl"
    f.write_text('{"text": "fine", "scores": {"policy": 0.1}}\n' + line + "\n", "utf-8")
    with pytest.raises(InputError, match=rf"/r\.jsonl:2: an object holds the key '{key}' twice; give each field once$"):
        _read(f)


def test_key_ends_inside_strings_are_not_keys_given_twice(tmp_path):
    """A text quoting '"a":' holds more key ends than keys: parsed again, it is read as it is."""
    f = tmp_path / "q.jsonl"
    record = {"text": '他说"短剧":很火 "a": "b":', "date": "2024-01-02", "scores": {"a": 1}}
    f.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    assert _read(f) == [record]


def test_json_array_is_explained(tmp_path):
    f = tmp_path / "arr.json"
    f.write_text('[\n{"text": "a"}\n]', "utf-8")
    with pytest.raises(InputError, match=r"arr\.json:1: a JSON array, expected JSON Lines"):
        _read(f)


def test_csv_with_bom_and_quoted_newline(tmp_path):
    f = tmp_path / "a.csv"
    f.write_bytes('\ufeffid,text\n1,"第一行\n第二行"\n2,短剧出海\n'.encode("utf-8"))
    assert _read(f) == [{"id": "1", "text": "第一行\n第二行"}, {"id": "2", "text": "短剧出海"}]


def test_a_csv_field_going_on_after_its_closing_quote_is_refused(tmp_path):
    """A text cell written without CSV quoting, '"十五五"规划建议', was read leniently as
    '十五五规划建议': its quotes dropped without a word. It is malformed CSV, named at its line."""
    f = tmp_path / "q.csv"
    f.write_text('id,text\n1,短剧出海\n2,"十五五"规划建议提出发展微短剧\n', "utf-8")
    with pytest.raises(
        InputError,
        match=r"q\.csv:3: malformed CSV \(',' expected after '\"'\); a field that starts with a quote is quoted whole",
    ):
        _read(f)
    f.write_text('id,text\n1,"""十五五""规划建议"\n', "utf-8")  # quoted as CSV writers quote it
    assert _read(f) == [{"id": "1", "text": '"十五五"规划建议'}]


def test_skip_bad_passes_over_a_csv_record_going_on_after_its_closing_quote(run, tmp_path):
    """Since the reader is strict, a field going on after its closing quote stopped label and
    score even under --skip-bad, which passes over malformed JSON Lines records: one such row
    of a large export could not be passed over. It spoils its own record alone and is skipped
    with its first line; a quote never closed (every later line taken) stays an error."""
    f = tmp_path / "q.csv"
    f.write_text('id,text\n1,短剧出海\n2,"十五五\n规划"建议\n3,广电总局发布微短剧管理新规\n', "utf-8")
    result = run("label", str(f), "--skip-bad", "--quiet")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["1", "3"]
    assert f"skipped {f}:3: malformed CSV (',' expected after '\"')" in result.stderr
    assert "2 good passages; skipped 1 bad line" in result.stderr
    f.write_text('id,text\n1,短剧出海\n2,"十五五规划建议\n3,广电总局\n', "utf-8")
    result = run("label", str(f), "--skip-bad", "--quiet")
    assert result.exit_code == 2
    assert f"Error: {f}:3: malformed CSV (unexpected end of data)" in result.output


def test_a_quote_never_closed_does_not_take_the_later_rows_into_one_text(tmp_path):
    """In a one-column CSV a quote never closed had made one text of every later line."""
    f = tmp_path / "one.csv"
    f.write_text('text\n"短剧出海\n微短剧政策\n海淀发布\n', "utf-8")
    with pytest.raises(InputError, match=r"one\.csv:2: malformed CSV \(unexpected end of data\); the record starts"):
        _read(f)


#: the bound on a line (and a CSV field) in the tests of it: TRENDSCORE_MAX_LINE_MB=0.25
SMALL_BOUND = 1 << 18


@pytest.fixture
def small_bound(monkeypatch):
    """A line bound of 256 KiB, and csv's process-wide field-size limit put back to its
    default (131,072 characters) for the test: an earlier read may have raised it."""
    import csv

    monkeypatch.setenv("TRENDSCORE_MAX_LINE_MB", "0.25")
    before = csv.field_size_limit(131_072)
    yield SMALL_BOUND
    csv.field_size_limit(before)


def test_a_csv_field_over_the_size_limit_names_the_line_its_record_starts_on(tmp_path, small_bound):
    """A quoted field over the field-size limit, spread over many lines, had been named at
    the line where the limit was passed, thousands of lines after the record's first."""
    f = tmp_path / "a.csv"
    paragraph = "短剧出海东南亚市场\n"
    field = paragraph * (small_bound // len(paragraph) + 2)  # just over the limit
    passed = 3 + small_bound // len(paragraph)  # the line holding the field's first character too many
    f.write_text(f'id,text\n1,fine\n2,"{field}"\n3,fine\n', "utf-8")
    with pytest.raises(InputError) as caught:
        _read(f)
    assert caught.value.path == str(f) and caught.value.line == 3
    assert str(caught.value) == (
        f"{f}:3: malformed CSV (field larger than field limit ({small_bound})); the record starts "
        f"here and was read to line {passed}"
    )


def test_a_csv_field_may_be_as_long_as_a_line(tmp_path, small_bound):
    """A CSV field over csv's default limit of 131,072 characters had been refused, where a
    JSON Lines line may be as long as the line bound (64 MiB by default); the bound on a CSV
    field is now the line bound, also in the first lines a format is sniffed from."""
    import csv

    long_text = "short-drama" * 18_000  # 198,000 characters (and bytes), one line
    g = tmp_path / "a.txt"  # sniffed: a long field had made no delimiter fit, and the table read as text
    g.write_text(f"id,text\n1,{long_text}\n", "utf-8")
    assert [r["text"] for r in _read(g)] == [long_text]
    f = tmp_path / "a.csv"
    f.write_text(f"id,text\n1,{long_text}\n2,fine\n", "utf-8")
    assert [r["text"] for r in _read(f)] == [long_text, "fine"]
    csv.field_size_limit(1 << 20)  # a limit the program set above the bound is not lowered
    _read(f)
    assert csv.field_size_limit() == 1 << 20


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_csv_record_after_empty_lines_is_named_at_its_own_first_line(tmp_path, newline, small_bound):
    """Review finding: a record's line was taken as the one after the record before, but csv
    passes over empty lines between records, so a short row, or a field over the size limit,
    after two empty lines was named at the first empty line (and 11beb8f's 'the record starts
    here' then pointed at an empty line)."""
    f = tmp_path / "a.csv"
    rows = ["id,text,date", "1,fine,2025-01-01", "", "", "2,short"]
    f.write_text(newline.join(rows) + newline, "utf-8")
    with pytest.raises(InputError, match=r"a\.csv:5: 2 fields, fewer than the 3 the header has$"):
        _read(f)
    paragraph = "短剧出海东南亚市场\n"
    field = paragraph * (small_bound // len(paragraph) + 2)
    f.write_text(f'id,text\n1,fine\n\n\n2,"{field}"\n', "utf-8")
    with pytest.raises(InputError, match=r"a\.csv:5: malformed CSV \(field larger .*the record starts here and"):
        _read(f)
    f.write_text('id,text\n1,"one\n\ntext"\n\n2,fine\n', "utf-8")  # empty lines inside a field are the field's
    assert [(r["text"], line) for r, _, line in read_records(str(f))] == [("one\n\ntext", 2), ("fine", 6)]


def test_csv_without_text_column(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("id,body\n1,x\n", "utf-8")
    with pytest.raises(InputError, match=r"a\.csv:1: CSV has no 'text' column \(columns: id, body\)"):
        _read(f)


def test_text_paragraphs_are_documents(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("第一段讲微短剧。\n续行。\n\n第二段讲出海。\n", "utf-8")
    records = _read(f)
    assert [r["id"] for r in records] == [f"{r['doc_id']}-p1" for r in records]
    assert len({r["doc_id"] for r in records}) == 2  # two documents, named by their content
    assert records[0]["text"] == "第一段讲微短剧。续行。"


def test_gb18030_file_is_detected(tmp_path):
    f = tmp_path / "gov.txt"
    f.write_bytes("关于推动微短剧产业高质量发展的若干措施。".encode("gb18030"))
    assert _read(f)[0]["text"] == "关于推动微短剧产业高质量发展的若干措施。"


def test_utf16_with_bom(tmp_path):
    f = tmp_path / "u.jsonl"
    f.write_bytes(json.dumps({"text": "短剧"}, ensure_ascii=False).encode("utf-16"))
    assert _read(f) == [{"text": "短剧"}]


def test_invalid_bytes_name_the_line_unless_replaced(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_bytes(b'{"text": "ok"}\n{"text": "ok"}\n{"text": "\xff\xfe\xfd\xfc bad"}\n')
    with pytest.raises(InputError, match=r"x\.jsonl:3: invalid UTF-8"):
        _read(f)
    assert _read(f, encoding_errors="replace")[2]["text"].endswith(" bad")


def test_binary_directory_missing_and_empty_inputs(tmp_path):
    png = tmp_path / "p.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(50))
    with pytest.raises(InputError, match=r"p\.png:1: looks like a PNG image"):
        _read(png)
    with pytest.raises(InputError, match="is a directory"):
        _read(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        _read(tmp_path / "missing.jsonl")
    empty = tmp_path / "e.jsonl"
    empty.write_text("  \n", "utf-8")
    with pytest.raises(InputError, match=r"e\.jsonl: empty input"):
        _read(empty)


def test_nul_byte_inside_text_is_kept(tmp_path):
    f = tmp_path / "n.jsonl"
    f.write_text(json.dumps({"text": "短剧\u0000出海"}), "utf-8")
    assert _read(f)[0]["text"] == "短剧\x00出海"


def test_first_chunk_ending_inside_a_character_is_still_utf8(tmp_path):
    from trendscore.io.readers import _HEAD_BYTES

    f = tmp_path / "long.jsonl"
    line = json.dumps({"text": "微短剧" * 20}, ensure_ascii=False) + "\n"
    f.write_text(line * (2 * _HEAD_BYTES // len(line.encode("utf-8"))), "utf-8")
    for cut in range(1, 4):  # shift the content so the 64 KiB boundary falls at each byte of a character
        g = tmp_path / f"s{cut}.jsonl"
        g.write_bytes(b'{"text": "' + b"a" * cut + b'"}\n' + f.read_bytes())
        assert len(_read(g)) > 100


def test_a_broken_gb18030_character_at_a_line_end_keeps_the_line(tmp_path):
    """Replacing bad bytes, GB18030's decoder reads b"\\x81\\x30\\n" at the end of what it is
    given as one broken character; the last CSV row (and the last line of every 1 MiB block)
    had been lost without a word. Each line is now decoded on its own."""
    f = tmp_path / "torn.csv"
    rows = ["id,text"] + [f"{i},微短剧出海第{i}篇" for i in range(5)]
    f.write_bytes("\n".join(rows).encode("gb18030") + b"\x81\x30\n")
    got = list(read_records(str(f), encoding="gb18030", encoding_errors="replace"))
    assert [r["id"] for r, _, _ in got] == ["0", "1", "2", "3", "4"]
    assert got[-1][0]["text"] == "微短剧出海第4篇\ufffd" and got[-1][2] == 6


def test_label_and_score_stop_at_a_key_given_twice(run, tmp_path):
    f = tmp_path / "twice.jsonl"
    f.write_text('{"text": "短剧出海", "date": "2024-01-02", "labels": ["overseas"], "date": "2025-06-30"}\n', "utf-8")
    for command in ("label", "score"):
        result = run(command, f)
        assert result.exit_code == 2, result.output
        assert result.output == f"Error: {f}:1: an object holds the key 'date' twice; give each field once\n"


@pytest.mark.parametrize(
    ("name", "data", "texts"),
    [
        ("notes.txt", "微短剧出海\r第二行\r\r横店拍摄基地\r", ["微短剧出海第二行", "横店拍摄基地"]),
        ("in.jsonl", '{"text": "a"}\r{"text": "b"}\r', ["a", "b"]),
        ("in.csv", "text,date\r甲,2025-01-02\r乙,2025-01-03", ["甲", "乙"]),
    ],
)
def test_lone_carriage_returns_end_lines(tmp_path, name, data, texts):
    """An input whose only line ends are a carriage return alone (old Mac exports) had been
    read as one line: a text file as one paragraph, every line joined (a silent misread), a
    CSV file refused. Each carriage return now ends a line."""
    f = tmp_path / name
    f.write_bytes(data.encode("utf-8"))
    assert [r["text"] for r in _read(f)] == texts


def test_lone_carriage_return_lines_are_numbered(tmp_path):
    f = tmp_path / "cr.jsonl"
    f.write_bytes(b'{"text": "a"}\r{"text": "b"}\r{broken\r')
    with pytest.raises(InputError, match=r"cr\.jsonl:3: malformed JSON"):
        _read(f)


def test_a_digest_with_lone_carriage_returns_keeps_its_articles(tmp_path):
    from conftest import DIGEST

    f = tmp_path / "digest.txt"
    f.write_bytes(DIGEST.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    assert _read(f) == _read(DIGEST)


@pytest.mark.parametrize(
    ("content", "texts"),
    [
        # paragraphs parted by a blank line, quotes in them
        (
            'text\n"短剧出海"成为今年的热词，多家平台加大投入。\n\n第二段：广电总局发布新规，他说"好"。\n',
            ['text "短剧出海"成为今年的热词，多家平台加大投入。', '第二段：广电总局发布新规，他说"好"。'],
        ),
        # one paragraph, a quote inside a line
        (
            'text\n短剧出海成为今年的热词，他说"多家平台加大投入"。\n第二段：广电总局发布新规。\n',
            ['text 短剧出海成为今年的热词，他说"多家平台加大投入"。第二段：广电总局发布新规。'],
        ),
    ],
)
def test_plain_text_whose_first_line_is_text_is_read_as_text(tmp_path, content, texts):
    """A .txt file whose first line is the word 'text' was read as a one-column CSV: that line
    became a header and was lost, its paragraphs became a row a line, and a line opening
    with a quote was 'malformed CSV'. Lines no CSV writer writes (a blank line between rows,
    a quote in a cell not quoted whole) make it plain text."""
    f = tmp_path / "notes.txt"
    f.write_text(content, "utf-8")
    assert [r["text"] for r in _read(f)] == texts


def test_a_one_column_csv_as_pandas_writes_it_stays_csv_without_a_csv_name(tmp_path):
    """Quoted cells (an empty one, a comma, doubled quotes, a line end) are as a CSV writer
    writes them: such a file is still a one-column CSV without a .csv name."""
    f = tmp_path / "texts.txt"
    f.write_text('text\n短剧出海\n""\n"b,c"\n"他说""好"""\n"上一行\n下一行"\n', "utf-8")
    assert [r["text"] for r in _read(f)] == ["短剧出海", "", "b,c", '他说"好"', "上一行\n下一行"]


def test_a_one_column_csv_named_csv_is_csv_whatever_its_lines(tmp_path):
    f = tmp_path / "texts.csv"
    f.write_text('text\n短剧出海成为今年的热词，他说"多家平台加大投入"。\n第二段：广电总局发布新规。\n', "utf-8")
    assert [r["text"] for r in _read(f)] == [
        '短剧出海成为今年的热词，他说"多家平台加大投入"。',
        "第二段：广电总局发布新规。",
    ]


def test_lone_carriage_returns_in_a_text_file_with_newlines_end_lines(tmp_path):
    """A file whose line ends are \\n may hold old Mac line ends too: a blank line written as
    '\\r\\r' between two paragraphs had joined them into one passage without a word."""
    f = tmp_path / "notes.txt"
    f.write_text(
        "第一段：短剧出海成为今年的热词。\r\r第二段：广电总局发布新规，\r加强内容审核。\n\n第三段：横店影视城。\n",
        "utf-8",
        newline="",
    )
    read = [(r["text"], line) for r, _, line in read_records(str(f))]
    assert read == [
        ("第一段：短剧出海成为今年的热词。", 1),
        ("第二段：广电总局发布新规，加强内容审核。", 1),
        ("第三段：横店影视城。", 3),
    ]


def test_lone_carriage_returns_in_a_digest_with_newlines_end_lines(tmp_path):
    """An article whose title, source line and body were ended by old Mac line ends had been
    read as body text of the article above (its outlet and date in that article's text)."""
    f = tmp_path / "d.txt"
    f.write_text(
        "短剧出海再提速\n新华社· 2025-11-28 10:00\n国产微短剧在东南亚市场持续走红。\r广电总局发布微短剧管理新规\r"
        "人民网· 2025-11-29 09:00\r新规要求微短剧平台加强内容审核。\n横店成为重镇\n澎湃新闻· 2025-11-27\n"
        "横店影视城每天有上百个剧组在此取景拍摄。\n",
        "utf-8",
        newline="",
    )
    read = [(r["doc_title"], r["source"], r["date"], r["text"], line) for r, _, line in read_records(str(f))]
    assert read == [
        ("短剧出海再提速", "新华社", "2025-11-28", "国产微短剧在东南亚市场持续走红。", 1),
        ("广电总局发布微短剧管理新规", "人民网", "2025-11-29", "新规要求微短剧平台加强内容审核。", 3),
        ("横店成为重镇", "澎湃新闻", "2025-11-27", "横店影视城每天有上百个剧组在此取景拍摄。", 4),
    ]


def test_a_lone_carriage_return_in_csv_or_json_lines_is_named_as_such(tmp_path):
    """CSV and JSON Lines refused such a line already; the error now says what is in it (csv's
    own words asked for 'universal-newline mode'). In a quoted CSV field it is the text's."""
    f = tmp_path / "a.csv"
    f.write_text("id,text\n1,短剧出海。\r2,广电总局\n3,横店\n", "utf-8", newline="")
    with pytest.raises(InputError, match=r"a\.csv:2: malformed CSV \(a carriage return alone in a field not quoted\)"):
        _read(f)
    f.write_text('id,text\n1,横店\n2,"短剧\r出海"\n', "utf-8", newline="")
    assert [r["text"] for r in _read(f)] == ["横店", "短剧\r出海"]
    f = tmp_path / "a.jsonl"
    f.write_text('{"text": "横店"}\n{"text": "短剧"}\r{"text": "广电"}\n', "utf-8", newline="")
    with pytest.raises(InputError, match=r"a\.jsonl:2: malformed JSON .*; a carriage return alone at column 15"):
        _read(f)
    f.write_text('{"text": "横店"}\n{"text": "短剧\r出海"}\n', "utf-8", newline="")
    with pytest.raises(
        InputError, match=r"a\.jsonl:2: malformed JSON \(Invalid control character at column 13\); a ca"
    ):
        _read(f)


def test_a_digest_whose_articles_end_in_carriage_returns_alone_is_still_a_digest(tmp_path):
    """Detection reads the lines as the digest reader does, cut at carriage returns alone."""
    f = tmp_path / "d.txt"
    f.write_text(
        "短剧出海再提速\r新华社· 2025-11-28 10:00\r国产微短剧在东南亚市场持续走红。\n"
        "广电总局发布微短剧管理新规\r人民网· 2025-11-29 09:00\r新规要求微短剧平台加强内容审核。\n",
        "utf-8",
        newline="",
    )
    read = [(r["doc_title"], r["source"], line) for r, _, line in read_records(str(f))]
    assert read == [("短剧出海再提速", "新华社", 1), ("广电总局发布微短剧管理新规", "人民网", 2)]


def test_a_csv_file_joined_on_with_its_header_is_refused_at_that_line(tmp_path):
    """``cat a.csv b.csv`` repeats the header mid-file (after a byte-order mark when b.csv
    has one): the header had been read as a passage whose text was 'text' and date 'date',
    labelled and counted without a word."""
    f = tmp_path / "joined.csv"
    for mark in ("\ufeff", ""):
        f.write_bytes(f"\ufefftext,date\n短剧出海,2024-01-02\n{mark}text, date\n短剧政策,2024-01-03\n".encode())
        with pytest.raises(InputError, match=r"joined\.csv:3: this line repeats the header \(another CSV file joined"):
            _read(f)


def test_skip_bad_passes_over_a_repeated_csv_header(run, tmp_path):
    f = tmp_path / "joined.csv"
    f.write_bytes("text,date\n短剧出海,2024-01-02\n\ufefftext,date\n短剧政策,2024-01-03\n".encode())
    result = run("label", str(f), "--skip-bad", "--quiet")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == ["短剧出海", "短剧政策"]
    assert f"skipped {f}:3: this line repeats the header" in result.stderr


def test_a_quoted_csv_joined_on_after_its_byte_order_mark_is_read_as_quoted(tmp_path):
    """A tool that quotes every field wrote b.csv (with a byte-order mark): the mark had been
    dropped from the parsed field, after the quotes were read as text, so the repeated header
    was a passage '"text"' dated 'date', and a record's quoted first cell was cut at its comma."""
    f = tmp_path / "joined.csv"
    f.write_bytes('text,date\n短剧出海,2024-01-02\n\ufeff"text","date"\n"短剧, 政策",2024-01-03\n'.encode())
    with pytest.raises(InputError, match=r"joined\.csv:3: this line repeats the header"):
        _read(f)
    f.write_bytes('text,date\n短剧出海,2024-01-02\n\ufeff"短剧, 政策",2024-01-03\n'.encode())
    assert _read(f) == [{"text": "短剧出海", "date": "2024-01-02"}, {"text": "短剧, 政策", "date": "2024-01-03"}]


def test_a_byte_order_mark_inside_a_quoted_cell_is_kept(tmp_path):
    """Only a mark at a record's start is another file's: one starting a line inside a quoted
    cell that runs over lines is the cell's own text."""
    f = tmp_path / "cell.csv"
    f.write_bytes('text,date\n"短剧出海\n\ufeff新规",2024-01-02\n'.encode())
    assert _read(f) == [{"text": "短剧出海\n\ufeff新规", "date": "2024-01-02"}]


def test_a_row_naming_only_some_header_words_is_a_passage(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("text,date\ntext,2024-01-02\n", "utf-8")
    assert _read(f) == [{"text": "text", "date": "2024-01-02"}]


@pytest.mark.parametrize(
    ("name", "data", "texts"),
    [
        ("in.csv", "text,date\n短剧出海,2024-01-02\n\ufeff短剧政策,2024-01-03\n", ["短剧出海", "短剧政策"]),
        ("in.txt", "短剧出海\n\n\ufeff短剧政策\n", ["短剧出海", "短剧政策"]),
        ("in.txt", "短剧出海\r\r新规\r\ufeff短剧政策\n", ["短剧出海", "新规短剧政策"]),
        ("in.txt", "短剧出海\n\n\ufeff\n短剧政策\n", ["短剧出海", "短剧政策"]),
    ],
)
def test_a_byte_order_mark_where_a_file_was_joined_on_is_not_text(tmp_path, name, data, texts):
    """A byte-order mark inside a file (``cat a.txt b.txt`` of files saved with one) had been
    kept at the start of the next passage, an invisible character in its text and id."""
    f = tmp_path / name
    f.write_bytes(data.encode("utf-8"))
    assert [r["text"] for r in _read(f)] == texts


def test_a_digest_joined_on_after_another_keeps_its_first_article(tmp_path):
    first = "微短剧出海新动向\n来源：新华社 2025-01-02\n\n多家平台加速布局海外市场。\n\n"
    second = "广电总局发布新规\n来源：人民网 2025-01-03\n\n微短剧备案管理进一步收紧。\n"
    joined = tmp_path / "joined.txt"
    joined.write_bytes((first + "\ufeff" + second).encode("utf-8"))
    plain = tmp_path / "plain.txt"
    plain.write_bytes((first + second).encode("utf-8"))
    assert _read(joined) == _read(plain)


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("zeroed.txt", b"\x00" * 5000, 1),
        ("tail.txt", "短剧出海\n\n".encode() + b"\x00" * 300 + b"\n", 3),
        ("digest.txt", "短剧出海新动向\n新华社· 2025-12-01 12:16\n多家平台布局海外。\n".encode() + b"\x00 \x00\n", 4),
    ],
    ids=["zeroed", "zeroed tail", "digest"],
)
def test_a_line_of_nul_characters_alone_is_no_text(tmp_path, name, data, line):
    """A file zeroed by a crash while it was written (or a binary file of no known mark) had
    been read as passages of NUL characters, labelled and counted without a word."""
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(
        InputError, match=rf"{name}:{line}: the line is NUL characters alone, not text: is the file zeroed"
    ):
        _read(f)


def test_skip_bad_passes_over_a_line_of_nul_characters(tmp_path):
    from trendscore.io.readers import SkipLog

    f = tmp_path / "tail.txt"
    f.write_bytes("短剧出海\n\n".encode() + b"\x00" * 300 + "\n\n短剧政策\n".encode())
    skip = SkipLog()
    assert [r["text"] for r in _read(f, skip=skip)] == ["短剧出海", "短剧政策"]
    assert skip.count == 1 and skip.first[0].endswith(
        "tail.txt:3: the line is NUL characters alone, not text: "
        "is the file zeroed (a crash while it was written) or binary?"
    )


def test_json_lines_files_joined_on_with_their_byte_order_marks_are_read(tmp_path):
    """``cat a.jsonl b.jsonl`` of files saved with a byte-order mark had stopped at the second
    file's first line: 'malformed JSON (Unexpected UTF-8 BOM (decode using utf-8-sig) ...)'."""
    f = tmp_path / "joined.jsonl"
    f.write_bytes('\ufeff{"text": "短剧出海"}\n\ufeff{"text": "短剧政策"}\n\ufeff\n'.encode())
    assert _read(f) == [{"text": "短剧出海"}, {"text": "短剧政策"}]


def test_joined_json_lines_read_by_worker_processes_as_by_one(tmp_path, run):
    f = tmp_path / "joined.jsonl"
    f.write_bytes("".join(f'\ufeff{{"id": {i}, "text": "短剧出海第{i}条"}}\n' for i in range(400)).encode())
    one = run("label", str(f), "--jobs", "1", "--quiet")
    two = run("label", str(f), "--jobs", "2", "--quiet")
    assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
    assert one.stdout == two.stdout and len(one.stdout.splitlines()) == 400
