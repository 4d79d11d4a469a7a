import pytest
from conftest import DIGEST

from trendscore.io.digest import parse_digest
from trendscore.io.readers import read_records


def _docs():
    return list(parse_digest(DIGEST.read_text("utf-8").splitlines()))


def _in_order(records: list[dict]) -> None:
    """Replace each record's ``doc_id`` by ``d1``, ``d2``... in the order the documents come,
    after checking that every passage id is its ``doc_id`` and its number in the document:
    the assertions below say which document a passage belongs to, not how ids are spelled."""
    ordinal: dict[str, str] = {}
    count: dict[str, int] = {}
    for r in records:
        count[r["doc_id"]] = count.get(r["doc_id"], 0) + 1
        assert r["id"] == f"{r['doc_id']}-p{count[r['doc_id']]}"
        r["doc_id"] = ordinal.setdefault(r["doc_id"], f"d{len(ordinal) + 1}")


def test_digest_documents_and_interface_lines():
    docs = _docs()
    assert len(docs) == 10
    assert docs[0].title == "“文化+科技”推动新型文化业态不断涌现"
    assert (docs[0].source, docs[0].date) == ("Xin Hua She", "2025-12-01")
    assert all(d.title not in ("Workflow", "icon", "Search documents") for d in docs)


def test_article_without_source_line_is_its_own_document():
    docs = _docs()
    orphan = [d for d in docs if d.source is None]
    assert len(orphan) == 1
    assert orphan[0].title.startswith("映宇宙夏晓晖")
    assert orphan[0].date is None
    assert orphan[0].body.startswith("Core Insights")


def test_digest_passages_carry_document_fields():
    records = [r for r, _, _ in read_records(str(DIGEST))]
    assert len(records) == 38
    first = records[0]
    assert set(first) == {"id", "doc_id", "doc_title", "source", "date", "text"}
    assert first["id"] == first["doc_id"] + "-p1"
    _in_order(records)
    assert len({r["doc_id"] for r in records}) == 10
    assert all(20 <= len(r["text"]) <= 800 for r in records)
    group = [r for r in records if r["text"].startswith("Group 2: Technological Influence")]
    assert len(group) == 1 and group[0]["date"] == "2025-11-30"


NOTES = (
    "海淀区发布微短剧扶持政策，对优质微短剧项目给予最高三千万元奖励。\n"
    "\n"
    "短剧出海东南亚市场火爆，多家公司在泰国、印尼设立本地化团队。\n"
    "\n"
    "以下为转载：\n"
    "新华社· 2025-11-30\n"
    "横店影视城成为全国最大的微短剧拍摄基地，每天有上百个剧组在此取景拍摄。\n"
)


def test_notes_with_one_source_line_are_text_and_keep_every_paragraph(tmp_path):
    """Prose above the only ``Source· date`` line is not the export's interface: the file is
    read as text, and no paragraph is dropped."""
    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES, "utf-8")
    texts = [r["text"] for r, _, _ in read_records(str(notes))]
    assert len(texts) == 3
    assert texts[0].startswith("海淀区发布") and texts[1].startswith("短剧出海")


def test_interface_lines_above_the_first_title_still_make_a_digest(tmp_path):
    digest = tmp_path / "d.txt"
    head = "Workflow\n微短剧\nicon\n标题一\n新华社· 2025-11-30 10:00\n"
    digest.write_text(head + NOTES.splitlines()[0] + "\n", "utf-8")
    records = [r for r, _, _ in read_records(str(digest))]
    assert [(r["doc_title"], r["source"], r["date"]) for r in records] == [("标题一", "新华社", "2025-11-30")]


def test_exports_whose_head_is_not_plain_interface_are_still_digests(tmp_path):
    """Review of the detection above: three ordinary exports were read as text and lost every
    date: one whose first article has no source line (its body sits above the first source
    line), one whose first title is long, and one with an interface line ending in a stop."""
    lines = DIGEST.read_text("utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if "· 20" in line]
    assert len(starts) > 2
    long_title = "A very long English headline about how micro-dramas reached viewers abroad, " * 2
    variants = {
        "no source line first": lines[:4] + ["短剧标题", "没有来源行的正文。" * 20] + lines[starts[0] - 1 :],
        "long first title": lines[: starts[0] - 1] + [long_title.strip()] + lines[starts[0] :],
        "interface line ending in a stop": lines[:2] + ["Search results: 12 documents found."] + lines[2:],
    }
    for name, variant in variants.items():
        path = tmp_path / "v.txt"
        path.write_text("\n".join(variant) + "\n", "utf-8")
        records = [r for r, _, _ in read_records(str(path))]
        dated = [r for r in records if r.get("date")]
        assert len(dated) >= len(starts) - 1, (name, len(dated), len(starts))


NOTES_ABOVE = (
    "编者按：本期摘录近一周微短剧行业的政策与出海动态，供内部参考，请勿外传。\n"
    "\n"
    "以下为转载\n"
    "文化+科技推动新型文化业态\n"
    "新华社· 2025-11-30 10:00\n"
    "横店影视城成为全国最大的微短剧拍摄基地，每天有上百个剧组在此取景拍摄。\n"
    "海外短剧\n"
    "Xin Hua She· 2025-12-01\n"
    "短剧出海东南亚市场火爆，多家公司在泰国、印尼设立本地化团队。\n"
)


def test_paragraphs_above_the_first_title_are_kept_as_undated_passages(tmp_path):
    """Found by a review: given ``--input-format digest``, everything above the first title was
    dropped as the export's interface, prose too, without a word. Now only lines that could be
    the interface are dropped; a paragraph of prose is read as plain text would read it."""
    path = tmp_path / "notes.txt"
    path.write_text(NOTES_ABOVE, "utf-8")
    for fmt in ("digest", "auto"):  # two source lines: detected as a digest too
        records = [(r, line) for r, _, line in read_records(str(path), input_format=fmt)]
        _in_order([r for r, _ in records])
        assert [(r["text"][:4], r["doc_title"], r["date"], line) for r, line in records] == [
            ("编者按：", None, None, 1),
            ("以下为转", None, None, 3),
            ("横店影视", "文化+科技推动新型文化业态", "2025-11-30", 4),
            ("短剧出海", "海外短剧", "2025-12-01", 7),
        ]
        assert [r["doc_id"] for r, _ in records] == ["d1", "d2", "d3", "d4"]


def test_a_first_article_without_source_line_loses_only_the_interface(tmp_path):
    path = tmp_path / "d.txt"
    body = "没有来源行的正文，讲的是微短剧行业在本地的发展与扶持政策的落地情况。"
    path.write_text(f"Workflow\nicon\n短剧标题\n{body}\n下一篇\n新华社· 2025-11-30\n{body}\n", "utf-8")
    records = [r for r, _, _ in read_records(str(path), input_format="digest")]
    assert [(r["doc_title"], r["date"], r["text"]) for r in records] == [
        ("短剧标题", None, body),
        ("下一篇", "2025-11-30", body),
    ]


def test_a_digest_without_any_source_line_reads_as_text(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("短\n句子\n\n第二段：微短剧出海。\n", "utf-8")
    as_digest = [r["text"] for r, _, _ in read_records(str(path), input_format="digest")]
    assert as_digest == [r["text"] for r, _, _ in read_records(str(path), input_format="text")]
    assert len(as_digest) == 2


def test_label_and_score_keep_the_paragraphs_above_the_first_title(tmp_path):
    import json

    from click.testing import CliRunner

    from trendscore.cli import main

    path = tmp_path / "notes.txt"
    path.write_text(NOTES_ABOVE, "utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["label", str(path), "--input-format", "digest", "-o", str(out)])
    assert result.exit_code == 0, result.output
    texts = [json.loads(line)["text"] for line in out.read_text("utf-8").splitlines()]
    assert len(texts) == 4 and texts[0].startswith("编者按") and texts[1] == "以下为转载"
    result = CliRunner().invoke(main, ["score", str(path), "--input-format", "digest", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)["records"]
    assert (records["total"], records["undated"]) == (4, 2)


def _three_articles(second_source_line: str) -> str:
    """A digest of three articles whose second has ``second_source_line``; its title is long,
    so it cannot pass for a title inside the first article's body."""
    body = "会议围绕微短剧产业的发展与扶持政策展开讨论，多家企业介绍了各自的出海经验与本地化团队。"
    return (
        "Workflow\nicon\n"
        f"文化科技推动新型文化业态\n新华社· 2025-12-01 12:16\n{body}\n"
        "以网络文学为桥 传中华文明之韵：郑州举办网络文学中华文明传承发展创作座谈会暨微短剧交流\n"
        f"{second_source_line}\n{body}\n"
        f"海淀发布微短剧政策\n北京商报· 2025-11-19 07:53\n{body}\n"
    )


@pytest.mark.parametrize(
    "line, date",
    [
        ("郑州日报• 2025-11-28 00:59", "2025-11-28"),  # a bullet for the middle dot
        ("郑州日报・2025-11-28", "2025-11-28"),  # the katakana middle dot, no space
        ("郑州日报 ･ 2025/11/28 00:59", "2025/11/28"),
        ("郑州日报· 2025.11.28", "2025.11.28"),
        ("郑州日报· 2025-11-28T00:59", "2025-11-28"),
        ("郑州日报· 2025年11月28日 00:59", "2025年11月28日"),
        ("郑州日报· 00:59", "00:59"),  # a time alone: the day is unknown, kept as written
        ("郑州日报· 3小时前", "3小时前"),
        ("Zhengzhou Daily • 2 hours ago", "2 hours ago"),
        # these had been body text: the title joined to the article above, the source line
        # the title (or body) of an undated article of no outlet
        ("郑州日报· 2025-11-28T00:59:00+08:00", "2025-11-28"),  # the day as written
        ("郑州日报· 2025-11-28 00:59:00.000 UTC", "2025-11-28"),
        ("Zhengzhou Daily • Nov 28, 2025", "Nov 28, 2025"),
        ("Zhengzhou Daily • Friday, 28 November 2025 8:30 PM", "Friday, 28 November 2025"),
        ("郑州日报· 28/11/2025", "28/11/2025"),
        ("郑州日报· 01/11/2025", "01/11/2025"),  # day and month unclear: score warns of it
        ("郑州日报· 11月28日", "11月28日"),  # no year: score warns of it
        ("郑州日报· 11-28 00:59", "11-28 00:59"),
        ("Zhengzhou Daily • Nov 28", "Nov 28"),
        ("郑州日报· 2025-11-28 00:59 星期五", "2025-11-28"),
        ("郑州日报· 2025年11月28日 周五", "2025年11月28日"),
    ],
)
def test_source_line_variants_start_their_own_article(tmp_path, line, date):
    _source_line_starts_its_article(tmp_path, line, date, ("郑州日报", "Zhengzhou Daily"))


@pytest.mark.parametrize(
    "line, date, outlet",
    [
        # typed with a Chinese input method's full-width digits and signs: body text before, the
        # article glued to the one above it, undated and of no outlet
        ("郑州日报· ２０２５－１１－２８ ００：５９", "2025-11-28", "郑州日报"),
        ("郑州日报　·　２０２５年１１月２８日（周五）", "2025年11月28日", "郑州日报"),
        ("ＺＺ Ｄａｉｌｙ· 2025/11/28", "2025/11/28", "ＺＺ Ｄａｉｌｙ"),  # the outlet as written
    ],
)
def test_a_source_line_in_full_width_forms_starts_its_article_with_its_day_in_ascii(tmp_path, line, date, outlet):
    _source_line_starts_its_article(tmp_path, line, date, (outlet,))


def test_score_dates_a_full_width_source_line_by_its_day(tmp_path, run):
    path = tmp_path / "d.txt"
    path.write_text(_three_articles("郑州日报· ２０２５－１１－２８ ００：５９"), "utf-8")
    result = run("score", path, "--freq", "day", "--as-of", "2025-12-01")
    assert result.exit_code == 0 and "3 dated, 0 undated" in result.output, result.output


def test_an_outlet_whose_name_holds_a_middle_dot_is_read_whole(tmp_path):
    """'人民日报·海外版· 2025-11-28 00:59' had been body text (an outlet's name could hold no
    dot): its title joined to the article above, the article undated and of no outlet."""
    _source_line_starts_its_article(tmp_path, "人民日报·海外版· 2025-11-28 00:59", "2025-11-28", ("人民日报·海外版",))


def _source_line_starts_its_article(tmp_path, line, date, outlets):
    """A source line with another dot, date form, or a time alone had been taken for body
    text: its article (title, source line and body) was joined to the article above, and its
    passages carried that article's title, outlet and date without a word."""
    path = tmp_path / "d.txt"
    path.write_text(_three_articles(line), "utf-8")
    records = [r for r, _, _ in read_records(str(path))]
    _in_order(records)
    assert [(r["doc_id"], r["date"]) for r in records] == [("d1", "2025-12-01"), ("d2", date), ("d3", "2025-11-19")]
    assert records[1]["source"] in outlets
    assert records[1]["doc_title"].startswith("以网络文学为桥")
    assert not any(outlet in r["text"] for r in records for outlet in (*outlets, "Zhengzhou"))


def test_score_warns_of_a_source_line_with_a_time_alone(tmp_path):
    """The article of a source line without a day is counted undated, and score says which
    date it could not read, instead of counting it on the day of the article above."""
    import json

    from click.testing import CliRunner

    from trendscore.cli import main

    path = tmp_path / "d.txt"
    path.write_text(_three_articles("郑州日报· 3小时前"), "utf-8")
    result = CliRunner().invoke(main, ["score", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["records"]["undated"], "3小时前" in result.stderr) == (1, True)


@pytest.mark.parametrize(
    "line, day",
    [
        ("郑州日报· 2025-11-28T23:30:00-08:00", "2025-11-28"),
        ("Zhengzhou Daily • Nov 28, 2025 11:30 PM", "2025-11-28"),
        ("郑州日报· 28/11/2025 23:30", "2025-11-28"),
        ("郑州日报· 11/28/2025", "2025-11-28"),
        ("郑州日报· 11/12/2025", None),  # 11 December or 12 November
        ("郑州日报· 11月28日 23:30", None),  # which year?
        ("郑州日报· 11-28", None),
    ],
)
def test_score_dates_a_source_line_by_its_day_or_warns_that_it_names_none(tmp_path, line, day):
    """A source line whose day is written another way had been body text: its article was
    counted on the day of the article above it (its title joined to that body), or as an
    undated passage without a warning. Its day is read now where it is clear, and where it
    is not (no year; day and month that could be either) score warns, naming the line."""
    import json

    from click.testing import CliRunner

    from trendscore.cli import main

    path = tmp_path / "d.txt"
    path.write_text(_three_articles(line), "utf-8")
    result = CliRunner().invoke(main, ["score", str(path), "--freq", "day", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    days = {s["period"] for s in data["series"] if s["total"]}
    assert (data["records"]["undated"] > 0, "2025-11-28" in days) == (day is None, day is not None)
    written = line.split("· ")[-1]
    assert (f"d.txt:6: '{written}'" in result.stderr) == (day is None)


def test_lines_with_a_time_alone_do_not_make_a_chat_log_a_digest(tmp_path):
    """Source lines with a time alone start articles inside a digest, but do not make one: a
    chat log of 'name· 12:30' lines read as a digest would lose each line above them as a title."""
    path = tmp_path / "chat.txt"
    path.write_text("张三· 12:30\n短剧出海的事情明天再谈。\n李四· 12:31\n好的，政策文件我先发给你。\n", "utf-8")
    texts = [r["text"] for r, _, _ in read_records(str(path))]
    assert len(texts) == 1 and "短剧出海的事情明天再谈" in texts[0] and "政策文件我先发给你" in texts[0]


def test_a_title_that_reads_as_a_source_line_loses_no_line(tmp_path):
    """A title shaped like a source line (``新华鲜报· 2025-11-30``) stands directly above its
    article's source line: the line above that title, the last of the article before, had
    been taken for the title of an empty article and dropped from the passages, and the
    title-shaped line became the next article's title. The second of two source-shaped lines
    is the source line, the first its article's title, and every body line is kept."""
    body = "会议围绕微短剧产业的发展与扶持政策展开讨论，多家企业介绍了各自的出海经验与本地化团队。"
    last = "最后一段：横店影视城成为全国最大的微短剧拍摄基地，每天有上百个剧组在此取景拍摄。"
    path = tmp_path / "d.txt"
    path.write_text(
        "Workflow\nicon\n"
        f"文化科技推动新型文化业态\n新华社· 2025-12-01 12:16\n{body}\n{last}\n"
        f"新华鲜报· 2025-11-30\n郑州日报· 2025-11-28 00:59\n{body}\n"
        f"海淀发布微短剧政策\n北京商报· 2025-11-19 07:53\n{body}\n",
        "utf-8",
    )
    records = [r for r, _, _ in read_records(str(path))]
    _in_order(records)
    meta = [(r["doc_id"], r["doc_title"], r["source"], r["date"]) for r in records]
    assert sorted(set(meta)) == [
        ("d1", "文化科技推动新型文化业态", "新华社", "2025-12-01"),
        ("d2", "新华鲜报· 2025-11-30", "郑州日报", "2025-11-28"),
        ("d3", "海淀发布微短剧政策", "北京商报", "2025-11-19"),
    ]
    first = " ".join(r["text"] for r in records if r["doc_id"] == "d1")
    assert "最后一段" in first
    docs = list(parse_digest(path.read_text("utf-8").splitlines()))
    assert [d.title for d in docs] == ["文化科技推动新型文化业态", "新华鲜报· 2025-11-30", "海淀发布微短剧政策"]
    assert docs[0].body.endswith(last) and docs[1].line == 7


def test_a_time_alone_under_body_text_is_body_text(tmp_path):
    """'开幕式· 9:30' in an article's programme matched a source line with a time alone: the
    body sentence above it became the title of an article without a body, so the first
    article's body was lost, and the next such line took the first for its title."""
    body = "本次峰会吸引了众多微短剧平台参加，议程如下："
    path = tmp_path / "d.txt"
    path.write_text(
        f"微短剧行业峰会在杭州举行\n新华社· 2025-11-28\n{body}\n开幕式· 9:30\n主论坛· 10:30\n"
        "多家平台发布出海计划，东南亚市场成为重点。\n\n广电总局发布新规\n人民日报· 2025-11-29\n"
        "广电总局发布微短剧管理新规，加强内容审核。\n",
        "utf-8",
    )
    records = [r for r, _, _ in read_records(str(path))]
    first = records[0]
    assert (first["doc_title"], first["source"], first["date"]) == ("微短剧行业峰会在杭州举行", "新华社", "2025-11-28")
    assert first["text"].startswith(body) and "开幕式· 9:30" in first["text"]
    assert not any(r["date"] in ("9:30", "10:30") for r in records)
    assert records[-1]["doc_title"] == "广电总局发布新规"


@pytest.mark.parametrize("title", ["以网络文学为桥 传中华文明之韵：郑州举办…", "Short dramas go global..."])
def test_a_title_cut_short_still_heads_a_source_line_with_a_time_alone(tmp_path, title):
    """An export may cut a long title with an ellipsis: such a line above '郑州日报· 3小时前' is
    still its article's title (a line ending a sentence there is body text)."""
    path = tmp_path / "d.txt"
    path.write_text(
        _three_articles("郑州日报· 3小时前").replace(
            "以网络文学为桥 传中华文明之韵：郑州举办网络文学中华文明传承发展创作座谈会暨微短剧交流", title
        ),
        "utf-8",
    )
    records = [r for r, _, _ in read_records(str(path))]
    assert [(r["doc_title"], r["date"]) for r in records][1] == (title, "3小时前")


_BODY = "国产微短剧在东南亚市场持续走红，多家平台加大投入。"
_MORE = "业内人士表示，本地化翻译和配音是关键，平台正在组建海外团队。"
_NEXT = "广电总局发布微短剧管理新规\n人民网· 2025-11-29 09:00\n新规要求微短剧平台加强内容审核，落实备案制度。\n"


@pytest.mark.parametrize(
    "line",
    [
        "发布时间· 2025-11-28",
        "来源· 2025-11-28",
        "更新时间 · 2025-11-28 10:00",
        "Updated • 3小时前",
        "日期：2025-11-28",
    ],
)
def test_a_field_line_in_a_body_is_body_text(tmp_path, line):
    """'发布时间· 2025-11-28' in a body matched a source line: the article was cut in two, the
    body line above it taken for the second half's title (and the first half, left without a
    body, gave no passage at all). A field word is no outlet: such a line is body text."""
    path = tmp_path / "d.txt"
    path.write_text(f"短剧出海再提速\n新华社· 2025-11-28 10:00\n{_BODY}\n{line}\n{_MORE}\n{_NEXT}", "utf-8")
    records = [r for r, _, _ in read_records(str(path))]
    _in_order(records)
    meta = [(r["doc_id"], r["doc_title"], r["source"], r["date"]) for r in records]
    assert meta == [
        ("d1", "短剧出海再提速", "新华社", "2025-11-28"),
        ("d2", "广电总局发布微短剧管理新规", "人民网", "2025-11-29"),
    ]
    assert records[0]["text"].startswith(_BODY) and line in records[0]["text"] and _MORE in records[0]["text"]


def test_a_field_line_under_the_source_line_leaves_the_source_line_alone(tmp_path):
    """Under the outlet's own line, a field's line is the article's metadata: the outlet's line
    is not taken for a title above it."""
    path = tmp_path / "d.txt"
    path.write_text(f"短剧出海再提速\n新华社· 2025-11-28 10:00\n发布时间· 2025-11-28\n{_BODY}\n{_NEXT}", "utf-8")
    records = [r for r, _, _ in read_records(str(path))]
    first = records[0]
    assert (first["doc_title"], first["source"], first["date"]) == ("短剧出海再提速", "新华社", "2025-11-28")
    assert first["text"].startswith("发布时间· 2025-11-28") and _BODY in first["text"]
    assert len({r["doc_id"] for r in records}) == 2


def test_a_field_line_under_a_title_dates_its_article_without_naming_an_outlet(tmp_path):
    """Right under a title a field's line may be the only date its article has: it starts the
    article and keeps the date, with no outlet (the field word is none)."""
    path = tmp_path / "d.txt"
    path.write_text(
        f"短剧出海再提速\n发布时间· 2025-11-28\n{_BODY}\n横店成为微短剧拍摄重镇\n日期· 2025-11-27\n{_MORE}\n{_NEXT}",
        "utf-8",
    )
    records = [r for r, _, _ in read_records(str(path))]
    assert [(r["doc_title"], r["source"], r["date"]) for r in records] == [
        ("短剧出海再提速", None, "2025-11-28"),
        ("横店成为微短剧拍摄重镇", None, "2025-11-27"),
        ("广电总局发布微短剧管理新规", "人民网", "2025-11-29"),
    ]
    assert [r["text"] for r in records[:2]] == [_BODY, _MORE]


_RELATIVE = (
    "Workflow\nicon\n"
    "短剧出海再提速\n新华社· 3小时前\n国产微短剧在东南亚市场持续走红，多家平台加大投入，本地化翻译成为关键。\n"
    "广电总局发布微短剧管理新规\n人民网· 昨天 10:20\n新规要求微短剧平台加强内容审核，落实备案制度，规范付费模式。\n"
    "横店成为微短剧拍摄重镇\n澎湃新闻· 2天前\n\n横店影视城每天有上百个剧组在此取景拍摄，带动当地餐饮住宿发展。\n"
)


def test_a_digest_whose_source_lines_give_a_relative_day_alone_is_a_digest(tmp_path):
    """Only source lines with a day made a file a digest: an export saved with '3小时前',
    '昨天 10:20', '2天前' was read as plain text, titles, source lines and bodies joined into
    passages. Its articles are read now, each date kept as written (score counts it undated)."""
    path = tmp_path / "d.txt"
    path.write_text(_RELATIVE, "utf-8")
    records = [r for r, _, _ in read_records(str(path))]
    assert [(r["doc_title"], r["source"], r["date"]) for r in records] == [
        ("短剧出海再提速", "新华社", "3小时前"),
        ("广电总局发布微短剧管理新规", "人民网", "昨天 10:20"),
        ("横店成为微短剧拍摄重镇", "澎湃新闻", "2天前"),
    ]
    assert not any("·" in r["text"] or "Workflow" in r["text"] for r in records)


def test_score_counts_a_relative_digest_undated_with_its_warning(tmp_path):
    import json

    from click.testing import CliRunner

    from trendscore.cli import main

    dated = "海淀发布微短剧政策\n北京商报· 2025-11-19 07:53\n海淀区发布三项政策，支持微短剧产业高质量发展。\n"
    path = tmp_path / "d.txt"
    path.write_text(_RELATIVE + dated, "utf-8")
    result = CliRunner().invoke(main, ["score", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)["records"]
    assert (records["dated"], records["undated"], "3小时前" in result.stderr) == (1, 3, True)


@pytest.mark.parametrize(
    "text",
    [
        # notes holding one stray line with a relative day
        "短剧出海成为今年的热词，多家平台加大投入。\n网友· 3小时前\n广电总局发布新规，加强内容审核，规范付费模式。\n",
        # a chat log, and a comment thread, with relative days
        "张三· 3小时前\n短剧出海的事情明天再谈。\n李四· 2小时前\n好的，政策文件我先发给你，明天一起看看。\n",
        "这部短剧真好看。\n网友A· 3小时前\n我也觉得，演员很用心，剧情紧凑。\n网友B· 2小时前\n同意，期待第二季。\n",
    ],
)
def test_relative_days_in_notes_or_a_chat_do_not_make_a_digest(tmp_path, text):
    path = tmp_path / "notes.txt"
    path.write_text(text, "utf-8")
    records = [r for r, _, _ in read_records(str(path))]
    assert all(r["doc_title"] is None and r["date"] is None for r in records)
    joined = " ".join(r["text"] for r in records)
    assert all(line in joined for line in text.splitlines() if line)


def _one_article(title: str, body: str, then: str = _NEXT) -> str:
    return f"Workflow\nicon\n{title}\n新华社· 2025-12-01 12:16\n{body}\n{then}"


_POLICY = "国家广播电视总局发布通知，要求各平台加强微短剧备案审核。" * 6 + "\n" + "通知还要求落实主体责任。" * 8
_OVERSEAS = "多家短剧公司加快海外布局，把国产微短剧推向东南亚市场。" * 6 + "\n" + "海外用户付费意愿持续提升。" * 8


def test_documents_of_two_digests_keep_apart_when_scored_together(tmp_path):
    """Found in review: every run numbered its documents from ``d1``, so the first articles of
    two digests labelled apart (same outlet, same day) shared a doc_id, and ``score`` over both
    outputs counted them as one report. A doc_id now names the document by its content."""
    import trendscore

    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(_one_article("广电总局加强微短剧备案", _POLICY, ""), "utf-8")
    second.write_text(_one_article("短剧出海再提速", _OVERSEAS, ""), "utf-8")
    a = [r for r, _, _ in read_records(str(first))]
    b = [r for r, _, _ in read_records(str(second))]
    assert len(a) >= 2 and len(b) >= 2  # each article gives a report of two passages or more
    assert a[0]["doc_id"] != b[0]["doc_id"]
    assert not {r["id"] for r in a} & {r["id"] for r in b}
    themes = [{**r, "labels": ["policy"]} for r in a] + [{**r, "labels": ["overseas"]} for r in b]
    assert trendscore.score(themes).records["reports_as_units"] == 2


def test_the_same_document_gets_the_same_doc_id_wherever_it_stands(tmp_path):
    """A document's id comes from its title, outlet, date and body: labelled again, or placed
    elsewhere in another export, it is named alike; a change in any of them names another."""
    alone, later = tmp_path / "a.txt", tmp_path / "b.txt"
    alone.write_text(_one_article("广电总局加强微短剧备案", _POLICY), "utf-8")
    later.write_text(
        "Workflow\nicon\n" + _one_article("短剧出海再提速", _OVERSEAS).split("\n", 2)[2]
        + _one_article("广电总局加强微短剧备案", _POLICY).split("\n", 2)[2],
        "utf-8",
    )

    def ids(path):
        return {r["doc_title"]: r["doc_id"] for r, _, _ in read_records(str(path))}

    assert ids(alone) == ids(alone)
    assert ids(later)["广电总局加强微短剧备案"] == ids(alone)["广电总局加强微短剧备案"]
    assert ids(later)["广电总局发布微短剧管理新规"] == ids(alone)["广电总局发布微短剧管理新规"]
    assert len(set(ids(later).values())) == 3
    for changed in (
        _one_article("广电总局加强微短剧备案审核", _POLICY),  # the title
        _one_article("广电总局加强微短剧备案", _POLICY).replace("2025-12-01", "2025-12-02"),  # the date
        _one_article("广电总局加强微短剧备案", _POLICY).replace("新华社", "人民网", 1),  # the outlet
        _one_article("广电总局加强微短剧备案", _POLICY + "另据报道，备案数量持续增长。"),  # the body
    ):
        alone.write_text(changed, "utf-8")
        first = next(iter(ids(alone).values()))
        assert first != ids(later)["广电总局加强微短剧备案"]


def test_a_long_document_streams_under_one_doc_id(tmp_path):
    """A body past ID_BODY_CHARS is named by its first passages: every passage still carries
    the one doc_id and its number, and the body is split as before."""
    from trendscore.io import readers

    sentence = "微短剧行业持续发展，平台不断加大投入，内容质量稳步提升。"
    lines = [sentence * 3] * (3 * readers.ID_BODY_CHARS // (3 * len(sentence)))
    path = tmp_path / "long.txt"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    records = [r for r, _, _ in read_records(str(path), input_format="text")]
    assert len({r["doc_id"] for r in records}) == 1
    assert [r["id"] for r in records] == [f"{records[0]['doc_id']}-p{k}" for k in range(1, len(records) + 1)]
    assert sum(len(r["text"]) for r in records) >= 2 * readers.ID_BODY_CHARS


def test_a_table_shows_a_digest_passage_id_whole(run):
    """A table showed 14 characters of an id, which cut a content-named passage id short."""
    records = [r for r, _, _ in read_records(str(DIGEST))]
    result = run("label", DIGEST, "--format", "table", "--quiet")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line[:1] == "d"]
    assert [row.split()[0] for row in rows] == [r["id"] for r in records]


@pytest.mark.parametrize("where", ["between", "last"])
def test_a_digest_article_with_a_title_and_no_body_is_its_title(tmp_path, where):
    """A search result whose snippet is empty had been dropped without a word: its headline
    was neither labelled nor counted. Its title is its one passage."""
    bare = "只有标题的微短剧出海报道\n新华社· 2025-12-03 10:00\n"
    first = "短剧出海新动向\n新华社· 2025-12-01 12:16\n多家平台加速布局海外市场。\n"
    second = "广电总局发布新规\n人民网· 2025-12-02 09:00\n微短剧备案管理收紧。\n"
    f = tmp_path / "digest.txt"
    f.write_text(first + bare + second if where == "between" else first + second + bare, "utf-8")
    records = [r for r, _, _ in read_records(str(f))]
    bare_record = {
        "doc_title": "只有标题的微短剧出海报道",
        "source": "新华社",
        "date": "2025-12-03",
        "text": "只有标题的微短剧出海报道",
    }
    found = [{k: r[k] for k in bare_record} for r in records]
    assert found[1 if where == "between" else 2] == bare_record
    assert [r["text"] for r in records if r["doc_title"] != bare_record["doc_title"]] == [
        "多家平台加速布局海外市场。",
        "微短剧备案管理收紧。",
    ]
