from conftest import probe_output

from trendscore.text.normalise import normalize, normalize_many, split_passages


def test_normalize_folds_width_script_and_case():
    assert normalize("ＡＩＧＣ微短劇，網路") == "aigc微短剧,网络"


def test_normalize_removes_wrap_spaces_between_chinese_characters():
    assert normalize("新质生产力催 生文化业态 AI 翻译") == "新质生产力催生文化业态 ai 翻译"


def test_normalize_many_matches_normalize_one_by_one():
    texts = ["微短劇出海", "", "Plain English", "人工智慧\n\u2028\n短劇", "ｘ"]
    assert normalize_many(texts) == [normalize(t) for t in texts]


def test_split_passages_respects_length_bounds():
    body = "".join(f"第{i}句话讲的是微短剧产业在各地的发展情况和相关数据。" for i in range(40))
    passages = split_passages(body)
    assert len(passages) > 3
    assert all(len(p) <= 300 for p in passages)
    assert all(len(p) >= 40 for p in passages)
    assert "".join(passages) == body


def test_split_passages_cuts_an_overlong_sentence():
    passages = split_passages("长" * 1000)
    assert [len(p) for p in passages] == [300, 300, 300, 100]


def test_english_summary_splits_at_group_sections():
    body = (
        "Core Insights - Xi'an is a hub for micro-dramas [1] "
        "Group 1: Policy Support - The city issued subsidies [2] - Filing rules were tightened [3] "
        "Group 2: Overseas - Revenue abroad doubled [4]"
    )
    assert split_passages(body) == [
        "Core Insights - Xi'an is a hub for micro-dramas [1]",
        "Group 1: Policy Support - The city issued subsidies [2] - Filing rules were tightened [3]",
        "Group 2: Overseas - Revenue abroad doubled [4]",
    ]


def test_english_headed_sections_split_after_citation_marks():
    body = (
        "Core Insights - A [1] Regulatory Environment - Rules came [3] - More rules [3] "
        "International Expansion - Abroad [4]"
    )
    assert split_passages(body) == [
        "Core Insights - A [1]",
        "Regulatory Environment - Rules came [3] - More rules [3]",
        "International Expansion - Abroad [4]",
    ]


def test_empty_body_has_no_passages():
    assert split_passages("   ") == []


def test_lone_surrogates_do_not_break_normalising():
    assert normalize("短剧\ud800出海") == "短剧\ufffd出海"
    assert normalize_many(["微短劇", "x\udfff"]) == ["微短剧", "x\ufffd"]


def test_lone_surrogate_in_json_labels_and_round_trips(tmp_path, run):
    import json

    f = tmp_path / "s.jsonl"
    f.write_text('{"text": "短剧\\ud800出海"}\n', "utf-8")
    result = run("label", f)
    assert result.exit_code == 0
    assert json.loads(result.output)["text"] == "短剧\ud800出海"  # passed through as given


def test_labelling_reads_the_shipped_data_without_importlib_resources():
    """The dictionary, the name lists and the t2s marks were read through importlib.resources,
    whose import (and the readers and zipfile it imports on first use) cost ~5 ms at every
    start; they are read as files beside the package's modules, as the bundled models are, and
    each once a process."""

    from trendscore.text import DATA, data_text
    from trendscore.text.features import dictionary_sha256

    assert (DATA / "domain_dict.txt").is_file()
    assert data_text("domain_dict.txt") is data_text("domain_dict.txt")
    assert len(dictionary_sha256()) == 64
    probe = (
        "import sys\n"
        "import trendscore\n"
        "model = trendscore.load_model()\n"
        "assert model.label(['短劇出海到洛杉磯'] * 10)[0]['labels'] == ['overseas']\n"
        "print(sorted(m for m in ('importlib.resources', 'zipfile') if m in sys.modules))\n"
    )
    assert " ".join(probe_output(probe)) == "[]"


MARKED = "The regulator issued new rules for micro-dramas,&nbsp;requiring platforms<br/> to review content.&nbsp;"
CLEAN = "The regulator issued new rules for micro-dramas, requiring platforms to review content."


def test_html_markup_left_in_a_text_is_not_featurised():
    """'&nbsp;' and '<br/>' left in an exported text had been words of it ('nbsp', 'br'): the
    model scored it otherwise than the same text without them. The text itself is kept."""
    import trendscore

    assert normalize(MARKED).split() == normalize(CLEAN).split()
    assert normalize("《三体》与<三体>") == "《三体》与<三体>"  # brackets that are no HTML tag stay
    marked, clean = trendscore.label([{"text": MARKED}, {"text": CLEAN}])
    assert marked["scores"] == clean["scores"] and marked["text"] == MARKED


def test_a_syndicated_copy_with_html_markup_is_folded(tmp_path):
    """A copy of a report carrying '&nbsp;' or '<p>' was not recognised as one: the report
    was counted twice. Two sightings within 7 days fold to one whatever markup they carry."""
    import trendscore

    text = "广电总局发布微短剧管理新规，要求平台加强内容审核，落实备案制度。"
    records = [
        {"text": text, "date": "2025-11-03", "labels": ["policy"], "source": "A"},
        {"text": f"<p>{text.replace('，', '，&nbsp;')}</p>", "date": "2025-11-04", "labels": ["policy"], "source": "B"},
        {"text": "短剧出海东南亚，多家平台加快布局海外市场。", "date": "2025-11-04", "labels": [], "source": "A"},
    ]
    assert trendscore.score(records, freq="day").records["copies_folded"] == 1
