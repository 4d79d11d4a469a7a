"""What is behind a call (issue 18): the named thing and the outlet that drove a rising theme."""

import datetime as dt
import json
import random
import re

import numpy as np

import trendscore
from trendscore.trends.render import render_score

PLACES = ["杭州", "深圳", "成都", "西安", "郑州", "长沙"]


def _stream(driver_place="横店", driver_source="浙江日报", seed=0, falling=False):
    """Twenty weeks of labelled passages from six outlets; regional_hub passages name a
    spread of cities, until, from week 15, one outlet runs four more regional_hub passages a
    day, each naming ``driver_place``."""
    rng = random.Random(seed)
    outlets = ["新华网", "人民网", "澎湃新闻", "界面新闻", "36氪", driver_source]
    records = []
    start = dt.date(2025, 1, 6)
    n = 0
    for day in range(140):
        date = (start + dt.timedelta(days=day)).isoformat()
        burst = day >= 98 if not falling else day < 98  # the days of the outlet's extra passages
        for i in range(16 if burst else 12):
            n += 1
            source = rng.choice(outlets) if i < 12 else driver_source
            hub = rng.random() < 0.15
            text = f"第{n}条报道：微短剧产业持续发展"
            if hub:
                text = f"第{n}条报道：{rng.choice(PLACES)}建设微短剧基地"
            if i >= 12:  # the driving outlet's extra passages, each naming the place
                hub, text = True, f"第{n}条报道：{driver_place}影视城扩建微短剧拍摄基地"
            labels = ["regional_hub"] if hub else ([] if rng.random() < 0.5 else ["culture"])
            records.append({"date": date, "text": text, "labels": labels, "source": source})
    return records


def test_the_place_and_the_outlet_behind_a_rise_are_named_first():
    score = trendscore.score(_stream())
    row = next(t for t in score.themes if t["theme"] == "regional_hub")
    assert row["direction"] == "rising"
    assert row["drivers"][0]["name"] == "横店影视城"
    assert row["drivers"][0]["share_of_theme_recent"] > 0.3 > row["drivers"][0]["share_of_theme_baseline"]
    assert row["outlets_driving"][0]["source"] == "浙江日报"
    table = render_score(score, "table")
    assert "behind regional_hub: 横店影视城" in table and "carried by 浙江日报" in table
    csv = render_score(score, "csv")
    assert "横店影视城" in csv


def test_why_spells_out_each_call_in_the_table_and_changes_nothing_else(run, tmp_path):
    src = tmp_path / "news.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _stream()), "utf-8")
    plain, why = run("score", src), run("score", src, "--why")
    assert plain.exit_code == 0 and why.exit_code == 0, why.output
    block = why.output.split("behind regional_hub (rising, last ")[1].split("\nlabels:")[0].splitlines()
    assert block[1].startswith("  name 横店影视城 (cn_places): in ")
    assert block[2].startswith("  carried by 浙江日报: ") and "more of its passages" in block[2]
    outlets = [line.split()[1].rstrip(":") for line in block if line.startswith("  outlet ")]
    assert outlets[0] == "浙江日报" and set(outlets) == {r["source"] for r in _stream()}
    assert "behind regional_hub (" not in plain.output and "behind regional_hub: 横店影视城" in plain.output
    # steady themes get no block; the ranking above is the same
    steady = [t for t in trendscore.score(_stream()).themes if t["direction"] == "steady"]
    assert steady and not any(f"behind {t['theme']} (" in why.output for t in steady)
    assert plain.output.split("\nwhy ")[0] == why.output.split("\nwhy ")[0]
    assert run("score", src, "--format", "json", "--why").output == run("score", src, "--format", "json").output


def test_another_place_is_named_when_it_drives():
    score = trendscore.score(_stream(driver_place="象山", driver_source="宁波日报", seed=3))
    row = next(t for t in score.themes if t["theme"] == "regional_hub")
    assert row["direction"] == "rising" and row["drivers"][0]["name"].startswith("象山")
    assert row["outlets_driving"][0]["source"] == "宁波日报"


def _fall():
    """The stream of :func:`_stream` the other way: 浙江日报 runs its four extra regional_hub
    passages a day (each naming 横店) for fourteen weeks, then stops, so the theme falls."""
    return _stream(falling=True)


def test_the_outlet_behind_a_fall_is_said_to_have_pulled_it_down(run, tmp_path):
    """The last session's wording said a falling theme was 'carried by' the outlet whose
    missing passages made the fall; the table, --why and the report now say 'pulled down by'."""
    score = trendscore.score(_fall())
    row = next(t for t in score.themes if t["theme"] == "regional_hub")
    assert row["direction"] == "falling" and row["outlets_driving"][0]["source"] == "浙江日报"
    assert row["outlets_driving"][0]["theme_passages_beyond_expected"] < 0
    table = render_score(score, "table")
    assert "pulled down by 浙江日报" in table and "carried by" not in table
    src = tmp_path / "news.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _fall()), "utf-8")
    why = run("score", src, "--why", "--report", tmp_path / "r.html")
    assert why.exit_code == 0, why.output
    assert "  pulled down by 浙江日报: " in why.output and "fewer of its passages" in why.output
    assert "carried by" not in why.output
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "pulled down by 浙江日报" in page and "carried by" not in page
    # a rise keeps its wording
    assert "carried by 浙江日报" in render_score(trendscore.score(_stream()), "table")


def test_steady_themes_have_no_drivers():
    score = trendscore.score(_stream())
    for row in score.themes:
        if row["direction"] == "steady":
            assert "drivers" not in row


def test_report_passages_are_distinct_one_theme_each_and_say_why(tmp_path):
    from click.testing import CliRunner

    from trendscore.cli import main

    records = _stream()
    # copies of one late passage under two themes, with a url, and a long passage
    late = [r for r in records if "横店" in r["text"]][-3:]  # the latest, which the report shows first
    for r in late:
        r["url"] = f"https://example.org/{r['text'][:6]}"
        r["labels"] = ["regional_hub", "culture"]
    late[0]["text"] = late[0]["text"] + "，" + "产业链条持续完善" * 80
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    page = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["score", str(path), "--report", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text("utf-8")
    passages = re.findall(r"<div class=passage>(.*?)<div class=meta>", html)
    assert passages and len(passages) == len(set(passages))  # never one passage twice
    assert "…" in html and "href='https://example.org/" in html
    assert "labelled for regional_hub, dated in the call" in html


def test_a_growing_topic_outside_the_themes_is_listed_with_its_words():
    rng = random.Random(5)
    topics = ["演员片酬", "短剧版权交易", "剧本杀联动", "用户付费习惯", "广告植入", "IP改编"]
    records = []
    start = dt.date(2025, 1, 6)
    for day in range(140):
        date = (start + dt.timedelta(days=day)).isoformat()
        for i in range(10):
            text = f"报道{day}-{i}：{rng.choice(topics)}成为行业讨论焦点"
            if day >= 112 and i < 4:  # four weeks of a new topic
                text = f"报道{day}-{i}：AI配音 配音演员 声音克隆 引发短剧配音行业变革"
            records.append({"date": date, "text": text, "labels": []})
    score = trendscore.score(records)
    assert score.emerging, "no emerging topic found"
    top = score.emerging[0]
    assert "配音" in top["words"] and top["growth"] >= 2 and top["passages_recent"] >= 40
    assert all("配音" in x["text"] for x in top["examples"])
    assert "emerging, no theme: " in render_score(score, "table")
    steady = trendscore.score([r for r in records if r["date"] < "2025-04-28"])
    assert not any("配音" in t["words"] for t in steady.emerging)


def _syndicated(copies: int, seed: int = 7):
    """Twenty weeks of unthemed passages on six topics, one of them (AI dubbing) at the same
    pace throughout; in the last four weeks each dubbing report is run by ``copies`` outlets,
    the same day or the next."""
    rng = random.Random(seed)
    topics = ["演员片酬", "短剧版权交易", "剧本杀联动", "用户付费习惯", "广告植入", "IP改编"]
    outlets = ["新华网", "人民网", "澎湃新闻", "界面新闻", "36氪", "浙江日报"]
    start = dt.date(2025, 1, 6)
    records = []
    for day in range(140):
        for i in range(10):
            date = (start + dt.timedelta(days=day)).isoformat()
            if i < 2:
                text = f"报道{day}-{i}：AI配音 配音演员 声音克隆 引发短剧配音行业变革"
                runs = copies if day >= 112 else 1
                for k in range(runs):
                    when = (start + dt.timedelta(days=day + k % 2)).isoformat() if day < 139 else date
                    records.append({"date": when, "text": text, "labels": [], "source": outlets[k % 6]})
                continue
            records.append({"date": date, "text": f"报道{day}-{i}：{rng.choice(topics)}成为行业讨论焦点", "labels": []})
    return records


def test_syndicated_copies_of_a_steady_topic_do_not_make_it_emerging():
    records = _syndicated(copies=5)
    score = trendscore.score(records)
    assert score.records["copies_folded"] == 4 * 2 * 28  # each recent dubbing report run 5 times
    assert not any("配音" in t["words"] for t in score.emerging), score.emerging
    # the same input with the copies as distinct reports (their texts changed) is a growing topic
    distinct = [dict(r, text=r["text"] + r["source"]) if "配音" in r["text"] else r for r in records]
    grown = trendscore.score(distinct)
    assert any("配音" in t["words"] for t in grown.emerging)


def test_unthemed_counts_fold_copies_whatever_the_order_or_split():
    from trendscore.trends.accumulate import Accumulator
    from trendscore.trends.scoring import ScoreSettings, accumulate

    records = _syndicated(copies=3)
    items = [(r, "in.jsonl", n) for n, r in enumerate(records, 1)]
    whole = accumulate(items, None, ScoreSettings(freq="month"))  # months: every day in the window
    whole.acc.settle()  # which copies fold is decided at the end of the stream
    distinct_days: dict[str, set] = {}
    for r in records:
        distinct_days.setdefault(r["text"], set()).add(r["date"])
    counted = whole.acc.unthemed.counts
    assert sum(counted.values()) == len(distinct_days)  # every text once: its copies within a week fold
    shuffled = items[:]
    random.Random(1).shuffle(shuffled)
    parts = [accumulate(shuffled[i::3], None, ScoreSettings(freq="month")) for i in range(3)]
    merged = Accumulator([])
    for part in parts:
        merged.merge(part.acc)
    merged.settle()
    assert {d: n for d, n in merged.unthemed.counts.items() if n} == {d: n for d, n in counted.items() if n}
    for day in whole.acc.unthemed.days:
        assert merged.unthemed.sample(day) == whole.acc.unthemed.sample(day)


def test_emerging_tfidf_matches_scikit_learn():
    """The clustering's own TF-IDF gives what TfidfVectorizer(min_df=2, sublinear_tf=True) gives."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from trendscore.trends.emerging import _tfidf

    rng = random.Random(3)
    words = ["短剧", "出海", "配音", "平台", "政策", "基地", "横店", "算法", "版权", "独词"]
    docs = [[rng.choice(words[:-1]) for _ in range(rng.randint(0, 9))] for _ in range(60)] + [["独词"]]
    ours = _tfidf(docs)
    ref = TfidfVectorizer(analyzer=lambda ws: ws, min_df=2, sublinear_tf=True).fit(docs)
    theirs = ref.transform(docs).toarray()
    assert ours.vocab.tolist() == ref.get_feature_names_out().tolist()
    dense = np.zeros_like(theirs)
    for i in range(ours.n):
        span = slice(ours.indptr[i], ours.indptr[i + 1])
        dense[i, ours.indices[span]] = ours.data[span]
    assert np.allclose(dense, theirs)


def test_emerging_kmeans_finds_separate_groups():
    from trendscore.trends.emerging import _kmeans, _tfidf

    groups = [["配音", "译制", "外语"], ["横店", "基地", "拍摄"], ["算法", "推荐", "流量"]]
    rng = random.Random(4)
    docs, truth = [], []
    for _ in range(90):
        g = rng.randrange(3)
        docs.append([rng.choice(groups[g]) for _ in range(4)])
        truth.append(g)
    _, labels = _kmeans(_tfidf(docs), 3)
    pairs = {(t, int(c)) for t, c in zip(truth, labels)}
    assert len(pairs) == 3 and len({c for _, c in pairs}) == 3


def _unthemed_span(days: int, per_day: int, seed: int = 0) -> list[dict]:
    """``per_day`` unthemed passages a day for ``days`` days from 2000-01-03, shuffled."""
    rng = random.Random(seed)
    topics = ["演员片酬", "短剧版权交易", "剧本杀联动", "用户付费习惯", "广告植入", "IP改编"]
    start = dt.date(2000, 1, 3)
    records = []
    for d in range(days):
        date = (start + dt.timedelta(days=d)).isoformat()
        for i in range(per_day):
            records.append({"date": date, "text": f"报道{d}-{i}：{rng.choice(topics)}成为焦点", "labels": []})
    rng.shuffle(records)
    return records


def test_the_unthemed_sample_keeps_only_the_days_a_score_can_use():
    from trendscore.trends.scoring import ScoreSettings, accumulate

    # 30 years of days, in no order: the sample had kept every day's passages (11,000 here)
    records = _unthemed_span(days=30 * 365, per_day=1)
    tally = accumulate(((r, "in.jsonl", n) for n, r in enumerate(records, 1)), None, ScoreSettings())
    kept = sum(len(heap) for heap in tally.acc.unthemed.days.values())
    assert 0 < kept <= (4 + 12) * 7  # the recent window and its baseline, in weeks of days
    assert max(tally.acc.unthemed.days) == dt.date(2000, 1, 3).toordinal() + 30 * 365 - 1
    # up to a given day: the days after it are not kept either
    as_of = ScoreSettings(freq="month", as_of="2010-06-15")
    tally = accumulate(((r, "in.jsonl", n) for n, r in enumerate(records, 1)), None, as_of)
    days = sorted(tally.acc.unthemed.days)
    assert dt.date.fromordinal(days[0]) == dt.date(2009, 3, 1) and dt.date.fromordinal(days[-1]) == dt.date(2010, 6, 30)


def test_keeping_only_the_usable_days_changes_no_score(monkeypatch):
    import trendscore.trends.scoring as scoring

    rng = random.Random(2)
    topics = ["演员片酬", "短剧版权交易", "剧本杀联动", "用户付费习惯", "广告植入", "IP改编"]
    records = []
    start = dt.date(2024, 6, 3)
    for day in range(280):  # forty weeks, of which the score uses the last sixteen
        date = (start + dt.timedelta(days=day)).isoformat()
        for i in range(8):
            text = f"报道{day}-{i}：{rng.choice(topics)}成为行业讨论焦点"
            if day >= 252 and i < 3:
                text = f"报道{day}-{i}：AI配音 配音演员 声音克隆 引发短剧配音行业变革"
            labels = [] if i < 6 else ["culture"]
            records.append({"date": date, "text": text, "labels": labels, "source": ["新华网", "人民网"][i % 2]})
    rng.shuffle(records)
    cases = [{}, {"as_of": "2025-01-20"}, {"freq": "day"}, {"freq": "month"}]
    items = [(r, "in.jsonl", n) for n, r in enumerate(records, 1)]
    pruned = [trendscore.score(records, **kw) for kw in cases]
    by_source = scoring.score_stream(items, None, scoring.ScoreSettings(by="source"))
    monkeypatch.setattr(scoring, "emerging_reach", lambda *a: None)  # as before: every day sampled
    whole = [trendscore.score(records, **kw) for kw in cases]
    assert pruned[0].emerging and any("配音" in t["words"] for t in pruned[0].emerging)
    for a, b in zip(pruned, whole):
        assert render_score(a, "json") == render_score(b, "json")
    everything = scoring.score_stream(items, None, scoring.ScoreSettings(by="source"))
    assert render_score(by_source, "json") == render_score(everything, "json")


def test_an_example_the_model_scored_near_1_is_not_said_to_be_labelled():
    """An example's reason said "labelled for THEME" whenever its weight was 1.0, so a passage
    the model gave a probability that rounds to 1 (0.99996) read as one labelled by hand."""
    from trendscore.trends.scoring import Examples

    examples = Examples("week")
    examples.add(740_000, {"policy": 0.99996}, {"text": "scored by the model", "url": "u1"})
    examples.add(740_000, {"policy": 1.0}, {"text": "labelled by hand", "url": "u2"}, given=True)
    why = {e["text"]: e["why"] for e in examples.top("policy", 0, 10**6)}
    assert why["scored by the model"].startswith("probability 1.00 for policy")
    assert why["labelled by hand"].startswith("labelled for policy")


def test_a_call_whose_passages_came_without_text_is_not_said_to_have_none(tmp_path):
    """The report said "No passage carries this theme in its recent window" under a rising
    theme of 300 labelled passages when the records carried labels and no text (an archive of
    labels): the passages were there, only their text was not."""
    from click.testing import CliRunner

    from trendscore.cli import main

    rng = random.Random(3)
    start = dt.date(2025, 1, 6)
    rows = []
    for day in range(140):
        for _ in range(20):
            share = 0.5 if day >= 119 else 0.1
            labels = ["policy"] if rng.random() < share else []
            rows.append({"date": (start + dt.timedelta(days=day)).isoformat(), "labels": labels})
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    page = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["score", str(path), "--report", str(page), "--format", "json"])
    assert result.exit_code == 0, result.output
    row = next(t for t in json.loads(result.output)["themes"] if t["theme"] == "policy")
    assert row["direction"] == "rising"
    html = page.read_text("utf-8")
    assert "No passage carries this theme" not in html
    weeks = row["recent"]
    week_of = {r["date"]: dt.date.fromisoformat(r["date"]).strftime("%G-W%V") for r in rows}
    in_window = sum(1 for r in rows if r["labels"] and weeks[0] <= week_of[r["date"]] <= weeks[1])
    assert in_window == row["count_recent"]
    said = f"No passage to show: the {in_window} passages labelled with this theme in its window came without text"
    assert said in html


def test_why_a_called_theme_shows_no_passage_follows_what_its_window_held():
    """Only a theme with no count in its window is said to have no passage there; one the
    model counted below 0.5 on every passage says so."""
    from trendscore.trends.report import _none_shown

    assert _none_shown({"count_recent": 41.3}, 0).startswith(
        "No passage to show: none of this theme's passages in its window has a probability of 0.5 or more"
    )
    assert "its count, 41.3, sums the model's probabilities" in _none_shown({"count_recent": 41.3}, 0)
    assert _none_shown({"count_recent": 1.0}, 1).startswith("No passage to show: the 1 passage labelled with")
    assert _none_shown({"count_recent": 0.0}, 0) == "No passage carries this theme in its recent window."
