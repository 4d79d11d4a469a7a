"""score --by (issue 18): each outlet, language or place scored apart; a call one group carries says so."""

import json

import pytest
from click.testing import CliRunner
from test_alerts import _write
from test_drivers import _stream

import trendscore
from trendscore.cli import main
from trendscore.trends.breakdown import MAX_GROUPS, OTHER, Groups
from trendscore.trends.scoring import ScoreSettings, score_stream


def _score(records, by):
    return score_stream(((r, "<t>", i) for i, r in enumerate(records, 1)), settings=ScoreSettings(by=by))


def test_a_rise_one_outlet_carries_is_named_in_the_call():
    score = _score(_stream(), "source")
    row = next(t for t in score.themes if t["theme"] == "regional_hub")
    assert row["direction"] == "rising" and row["carried_by"] == {"source": "浙江日报"}
    assert "carried by one source, 浙江日报" in row["reason"]
    groups = {g["group"]: g for g in score.breakdown["groups"]}
    assert set(groups) == {"新华网", "人民网", "澎湃新闻", "界面新闻", "36氪", "浙江日报"}
    hub = {name: next(t for t in g["themes"] if t["theme"] == "regional_hub") for name, g in groups.items()}
    assert hub["浙江日报"]["direction"] == "rising"
    assert all(t["direction"] == "steady" for name, t in hub.items() if name != "浙江日报")
    assert sum(g["passages"] for g in groups.values()) == score.records["total"]


def test_a_rise_every_outlet_shares_is_not_said_to_be_carried():
    records = _stream()
    driving = [r for r in records if "横店" in r["text"]]
    for n, r in enumerate(driving):  # spread the driving passages over three outlets
        r["source"] = ["新华网", "人民网", "澎湃新闻"][n % 3]
    score = _score(records, "source")
    row = next(t for t in score.themes if t["theme"] == "regional_hub")
    assert row["direction"] == "rising" and "carried_by" not in row


def test_by_language_and_by_place():
    records = [dict(r, lang="zh") for r in _stream()]
    english = {"text": "Short dramas keep growing", "labels": [], "lang": "en"}
    records += [dict(english, date=r["date"]) for r in records[::10]]
    score = _score(records, "lang")
    assert {g["group"] for g in score.breakdown["groups"]} == {"zh", "en"}
    places = {g["group"] for g in _score(_stream(), "place").breakdown["groups"]}
    assert "横店影视城" in places and "杭州" in places


def test_groups_beyond_the_limit_are_counted_together():
    groups = Groups("source", ["policy"])
    for i in range(MAX_GROUPS + 5):
        groups.of({"source": f"s{i}"}).add_labels(739000, ["policy"])
    assert len(groups.accs) == MAX_GROUPS + 1 and groups.accs[OTHER].records == 5


def test_cli_by_prints_each_group_and_refuses_a_cluster(tmp_path):
    data = _write(tmp_path / "news.jsonl", _stream())
    result = CliRunner().invoke(main, ["score", data, "--by", "source"])
    assert result.exit_code == 0
    assert "by source:" in result.stdout and "浙江日报 (" in result.stdout and "regional_hub rising" in result.stdout
    out = json.loads(CliRunner().invoke(main, ["score", data, "--by", "source", "--format", "json"]).stdout)
    assert out["breakdown"]["by"] == "source"
    result = CliRunner().invoke(main, ["score", data, "--by", "source", "--scheduler", "local:1"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: a breakdown by group is scored in one process, not on a cluster; try without --scheduler\n"
    )
    result = CliRunner().invoke(main, ["score", data, "--by", "source", "--jobs", "2"])
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: a breakdown by group is scored in one process, not in several; try --jobs 1\n",
    )


def test_unknown_breakdown_is_refused():
    with pytest.raises(ValueError, match="unknown breakdown"):
        Groups("colour", ["policy"])
    assert trendscore.score([{"date": "2025-01-01", "labels": []}]).breakdown is None


def test_every_group_is_scored_over_the_same_weeks_as_the_whole():
    """An outlet that stopped publishing is not judged over its own, older weeks."""
    records = _stream()
    stopped = [dict(r, source="停刊周报") for r in records[:400]]  # publishes in the first weeks only
    score = _score(records + stopped, "source")
    group = next(g for g in score.breakdown["groups"] if g["group"] == "停刊周报")
    for theme in group["themes"]:
        assert theme["reason"].startswith("steady: no passages in the recent window")
    row = next(t for t in score.themes if t["theme"] == "regional_hub")
    assert row["carried_by"] == {"source": "浙江日报"}


def test_the_lumped_group_never_carries_a_call():
    records = _stream()
    for n, r in enumerate(records):  # thirty small outlets first, so the driving one is lumped
        if "横店" not in r["text"]:
            r["source"] = f"outlet{n % 30}"
    score = _score(records, "source")
    row = next(t for t in score.themes if t["theme"] == "regional_hub")
    assert OTHER in {g["group"] for g in score.breakdown["groups"]}
    assert "carried_by" not in row



def _two_outlets(small_rises: bool, third: bool = False):
    """Six months of labelled passages: a large outlet whose overseas share triples in the last
    six weeks, a small one (a passage a week) whose share moves alike or not at all, and with
    ``third`` another large outlet whose share stays put."""
    import datetime

    records, start = [], datetime.date(2026, 1, 5)
    for day in range(180):
        date = (start + datetime.timedelta(days=day)).isoformat()
        late = day >= 138
        for k in range(2):
            overseas = (day * 2 + k) % (2 if late else 7) == 0
            records.append({"text": f"large {day} {k}", "date": date, "source": "large",
                            "labels": ["overseas"] if overseas else ["policy"]})
            if third:
                records.append({"text": f"third {day} {k}", "date": date, "source": "third",
                                "labels": ["overseas"] if (day * 2 + k) % 7 == 0 else ["policy"]})
        if day % 7 == 0:
            overseas = (day // 7) % (2 if late and small_rises else 5) == 0
            records.append({"text": f"small {day}", "date": date, "source": "small",
                            "labels": ["overseas"] if overseas else ["policy"]})
    return records


def test_a_group_with_too_few_passages_is_not_taken_for_a_steady_one():
    """Found playing an analyst: an outlet of a passage a week was 'steady' on a rise only for
    want of passages, and the call read 'carried by one source, large: every other source is
    steady on it' while that outlet's share had tripled too. A call no other group could test
    is not said to be carried; beside groups that could, those that could not are named."""
    score = _score(_two_outlets(small_rises=True), "source")
    row = next(t for t in score.themes if t["theme"] == "overseas")
    groups = {g["group"]: {t["theme"]: t for t in g["themes"]} for g in score.breakdown["groups"]}
    assert row["direction"] == "rising" and groups["large"]["overseas"]["direction"] == "rising"
    assert groups["small"]["overseas"]["reason"].startswith("steady: too few passages")
    assert "carried_by" not in row and "carried by" not in row["reason"]
    score = _score(_two_outlets(small_rises=True, third=True), "source")
    row = next(t for t in score.themes if t["theme"] == "overseas")
    assert row["direction"] == "rising" and row["carried_by"] == {"source": "large"}
    said = "every other source with enough passages to call it is steady on it (small: too few to tell)"
    assert said in row["reason"]


def test_a_fall_one_outlet_made_says_it_was_pulled_down_by_it():
    """A fall carried by one outlet's missing passages read 'carried by one source', the rise's
    words; it now reads 'pulled down by one source' (the JSON key stays carried_by)."""
    score = _score(_stream(falling=True), "source")
    row = next(t for t in score.themes if t["theme"] == "regional_hub")
    assert row["direction"] == "falling" and row["carried_by"] == {"source": "浙江日报"}
    assert "pulled down by one source, 浙江日报: every other source" in row["reason"]
    assert "carried by" not in row["reason"]
