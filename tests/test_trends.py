import csv
import datetime as dt
import io
import random

import pytest
from scenarios import THEMES, generate, naive_calls, records

import trendscore
from trendscore.trends.momentum import SCALE, Accumulator, MomentumSettings, compute_score
from trendscore.trends.render import render_score


def _acc(days):
    """days: {date string: (passages, {theme: count})}"""
    acc = Accumulator(THEMES)
    for date, (n, counts) in days.items():
        day = dt.date.fromisoformat(date).toordinal()
        acc.days[day] = [n * SCALE] + [counts.get(t, 0) * SCALE for t in THEMES]
        acc.records += n
    return acc


def _weeks(n_weeks, per_day, shares, start=dt.date(2025, 1, 6), scale=None):
    days = {}
    for i in range(n_weeks * 7):
        day = start + dt.timedelta(days=i)
        n = per_day if scale is None else int(per_day * scale(i))
        days[day.isoformat()] = (n, {t: round(n * s(i) if callable(s) else n * s) for t, s in shares.items()})
    return days


def _calls(score):
    return {t["theme"]: t["direction"] for t in score.themes}


def test_news_heavy_week_is_not_a_rise():
    # steady shares; the last full week has five times the volume
    days = _weeks(20, 30, {"policy": 0.3, "culture": 0.2}, scale=lambda i: 5 if i >= 126 else 1)
    score = compute_score(_acc(days), "week")
    assert set(_calls(score).values()) == {"steady"}


def test_gap_is_zero_volume_and_does_not_shift_windows():
    days = _weeks(20, 30, {"policy": 0.3, "culture": 0.2})
    for i in range(105, 119):  # two weeks with no news at all, inside the baseline
        days[(dt.date(2025, 1, 6) + dt.timedelta(days=i)).isoformat()] = (0, {})
    score = compute_score(_acc(days), "week")
    assert set(_calls(score).values()) == {"steady"}
    assert score.windows["recent"] == ["2025-W18", "2025-W21"]
    gap = [r for r in score.series if r["period"] == "2025-W17" and r["theme"] == "policy"][0]
    assert gap["total"] == 0 and gap["share"] is None


def test_partial_current_period_is_not_a_fall():
    days = _weeks(20, 30, {"policy": 0.3})
    days["2025-05-26"] = (30, {"policy": 9})  # Monday of a new week: one day of it so far
    score = compute_score(_acc(days), "week", as_of="2025-05-26")
    assert score.windows["current_period_partial"] is True
    assert _calls(score)["policy"] == "steady"


def test_small_counts_give_no_confident_swing():
    days = _weeks(8, 0, {})
    days["2025-02-28"] = (3, {"policy": 3})
    days["2025-01-10"] = (3, {"policy": 0})
    score = compute_score(_acc(days), "week")
    policy = [t for t in score.themes if t["theme"] == "policy"][0]
    assert policy["direction"] == "steady"
    assert abs(policy["momentum"]) < 1.0
    assert policy["ratio_interval"] is None or policy["ratio_interval"][1] / policy["ratio_interval"][0] > 10


def test_doubling_is_caught_soon_after_it_starts_and_halving_too():
    start = dt.date(2025, 1, 6)
    shares = {
        "policy": lambda i: 0.2 if i < 126 else 0.4,
        "culture": lambda i: 0.3 if i < 126 else 0.15,
        "overseas": 0.25,
    }
    score = compute_score(_acc(_weeks(20, 30, shares, start)), "week")  # change is two weeks old
    assert _calls(score) == {
        "policy": "rising",
        "culture": "falling",
        "overseas": "steady",
        "technology": "steady",
        "regional_hub": "steady",
    }
    assert score.themes[0]["theme"] == "policy" and score.themes[-1]["theme"] == "culture"
    assert score.themes[0]["recent_periods"] == 2
    assert score.themes[0]["momentum"] > 0.5 and score.themes[-1]["momentum"] < -0.5


def test_steady_theme_is_called_steady_and_momentum_zero_without_passages():
    score = compute_score(_acc(_weeks(20, 30, {"overseas": 0.25})), "week")
    rows = {t["theme"]: t for t in score.themes}
    assert rows["overseas"]["direction"] == "steady"
    assert rows["technology"]["momentum"] == 0.0 and rows["technology"]["share_recent"] == 0.0


def test_multi_label_passages_count_for_every_theme():
    recs = [{"date": "2025-03-03", "labels": ["policy", "regional_hub"]}, {"date": "2025-03-03", "labels": []}]
    score = trendscore.score(recs, freq="day")
    week = {r["theme"]: r for r in score.series}
    assert week["policy"]["count"] == 1 and week["regional_hub"]["count"] == 1 and week["policy"]["total"] == 2
    assert week["policy"]["share"] == 0.5


def test_model_probabilities_are_soft_counts():
    recs = [{"date": "2025-03-03", "text": "海淀区发布微短剧扶持政策"}]
    score = trendscore.score(recs, freq="day")
    p = trendscore.label(["海淀区发布微短剧扶持政策"])[0]["scores"]
    series = {r["theme"]: r["count"] for r in score.series}
    assert series == pytest.approx(p, abs=1e-4)


def test_record_order_does_not_change_the_output():
    recs = records(generate(7, volume=(5, 8)))
    first = trendscore.score(recs, freq="week").to_json()
    random.Random(3).shuffle(recs)
    assert trendscore.score(recs, freq="week").to_json() == first


def test_undated_and_unparseable_dates_are_counted_not_scored():
    recs = [
        {"date": None, "labels": ["policy"]},
        {"date": "not a date", "labels": []},
        {"date": "2025-01-01", "labels": []},
    ]
    score = trendscore.score(recs)
    expected = {"total": 3, "dated": 1, "undated": 2, "after_as_of": 0, "copies_folded": 0, "reports_as_units": 0}
    assert score.records == expected
    assert "2 passages have no usable date" in score.notes[0]


def test_as_of_before_all_data_and_single_period_and_no_dates():
    recs = [{"date": "2025-06-02", "labels": ["policy"]}] * 5
    # as of a day before every dated passage: an error since 71aae00 (it had been a ranking of no
    # passages, every theme steady, which looks like an answer as issue 16's did below)
    with pytest.raises(trendscore.InputError, match=r"^all 5 dated passages are dated after as_of 2024-01-01 "):
        trendscore.score(recs, as_of="2024-01-01")
    early = trendscore.score([*recs, {"date": "2024-01-01", "labels": []}], as_of="2024-01-01")
    assert [t["theme"] for t in early.themes] == ["policy"]  # the one theme the labels name
    assert early.records["after_as_of"] == 5 and all(t["direction"] == "steady" for t in early.themes)
    assert early.themes[0]["count_recent"] == 0
    single = trendscore.score(recs)
    assert all(t["direction"] == "steady" for t in single.themes) and single.themes[0]["share_recent"] is not None
    # issue 16: no usable date at all is an error, not an empty ranking that looks like an answer
    with pytest.raises(trendscore.InputError, match=r"^no passage has a usable date \(1 read\); 1 has none; "):
        trendscore.score([{"labels": ["policy"]}])


def test_frame_view(tmp_path):
    frame = trendscore.score([{"date": "2025-06-02", "labels": ["policy", "culture"]}]).to_frame()
    assert list(frame.columns) == ["period", "start", "theme", "count", "share", "total"]
    assert frame["theme"].tolist() == ["policy", "culture"]


def test_settings_are_validated():
    with pytest.raises(ValueError, match="shortest <= longest"):
        MomentumSettings(shortest=5, longest=2)


@pytest.mark.parametrize(
    ("kwargs", "goal"),
    [
        ({"volume": (25, 40), "effect": 2.0, "age": (28, 70)}, 0.99),
        ({"volume": (10, 25), "effect": 1.6, "age": (28, 70)}, 0.92),
        ({"volume": (25, 40), "effect": 2.0, "age": (14, 14)}, 0.92),
    ],
)
def test_scenarios_meet_the_goals_and_beat_the_naive_rule(kwargs, goal):
    right = changed = alarms = steady = naive_right = 0
    for seed in range(60):
        sc = generate(20_000 + seed, **kwargs)
        calls = _calls(compute_score(sc.acc, "week", sc.as_of))
        naive = naive_calls(sc)
        for theme, truth in sc.truth.items():
            if truth == "steady":
                steady += 1
                alarms += calls[theme] != "steady"
            else:
                changed += 1
                right += calls[theme] == truth
                naive_right += naive[theme] == truth
    assert right / changed >= goal - 0.03  # 120 calls: allow for sampling error; BENCHMARKS.md has 800
    assert alarms / steady <= 0.03
    assert right > naive_right


def test_news_like_scenarios_have_articles_copies_and_classifier_noise():
    from scenarios import generate_news, oracle_z

    plain = generate_news(7, article_size=0.0, changing=False)
    copied = generate_news(7, article_size=0.0, changing=False, copies=1.0)
    assert 1.6 < copied.acc.records / plain.acc.records < 2.4  # about one copy of each article
    articles = generate_news(7, article_size=3.0)
    per_day = [counts for _, n, counts in articles.daily if n]
    assert any(c % 2 == 0 and c > 0 for row in per_day for c in row)  # whole articles carry a theme
    # a classifier with precision equal to recall keeps each theme's share on average, but
    # moves individual counts: 0.8 of the true positives kept, false ones added
    kw = {"article_size": 0.0, "changing": False, "volume": (200, 200)}
    clean, noisy = generate_news(7, **kw), generate_news(7, precision=0.8, recall=0.8, **kw)

    def shares(sc):
        total = sum(n for _, n, _ in sc.daily)
        return [sum(row[j] for _, _, row in sc.daily) / total for j in range(5)]

    for a, b in zip(shares(clean), shares(noisy)):
        assert abs(a - b) < 0.03
    changing = generate_news(7, volume=(40, 40))
    rising = next(t for t, v in changing.truth.items() if v == "rising")
    falling = next(t for t, v in changing.truth.items() if v == "falling")
    assert oracle_z(changing, rising) > 2 and oracle_z(changing, falling) < -2


def test_over_dispersion_is_pooled_over_themes_by_default():
    from scenarios import generate_news

    sc = generate_news(3, changing=False)
    pooled = compute_score(sc.acc, "week", sc.as_of)
    per_theme = compute_score(sc.acc, "week", sc.as_of, MomentumSettings(dispersion="theme"))
    same_window = {t["dispersion"] for t in pooled.themes if t["recent_periods"] == pooled.settings["recent"]}
    assert len(same_window) == 1 and min(same_window) >= 1.0  # one estimate for every theme
    assert len({t["dispersion"] for t in per_theme.themes}) > 1
    assert pooled.settings["dispersion"] == "pooled"
    with pytest.raises(ValueError, match="dispersion"):
        MomentumSettings(dispersion="median")


def test_custom_labels_score_only_their_own_themes():
    """Found by a review: the five default themes were listed at zero beside labels of the
    user's own; the rows are now the themes the labels name, and the model's when it labels."""
    recs = [{"date": f"2025-01-{d:02d}", "labels": ["a"] if d > 20 else ["b"]} for d in range(1, 29)] * 3
    result = trendscore.score(recs, freq="day")
    assert sorted(t["theme"] for t in result.themes) == ["a", "b"]
    assert {r["theme"] for r in result.series} == {"a", "b"}
    named = trendscore.score([{**r, "labels": [*r["labels"], "policy"]} for r in recs], freq="day")
    assert sorted(t["theme"] for t in named.themes) == ["a", "b", "policy"]
    none = trendscore.score([{**r, "labels": []} for r in recs], freq="day")
    assert none.themes == [] and none.series == [] and none.notes == []
    labelled = trendscore.score([*recs, {"date": "2025-01-03", "text": "短剧出海东南亚"}], freq="day")
    assert len(labelled.themes) == 7 and labelled.labelled_by["labelled_by_model"] == 1


def test_too_many_themes_once_the_model_adds_its_own_is_one_error_on_the_line():
    """Labels may name 200 themes now that the defaults hold no place; a record the model then
    labels would add its five: refused on that record's line, not a ValueError."""
    from trendscore.trends.accumulate import MAX_THEMES

    recs = [{"date": "2025-01-01", "labels": [f"own{i}"]} for i in range(MAX_THEMES - 2)]
    recs.append({"date": "2025-01-02", "text": "短剧出海东南亚"})
    with pytest.raises(trendscore.InputError, match=rf"^<records>:{MAX_THEMES - 1}: more than {MAX_THEMES} distinct"):
        trendscore.score(recs, freq="day")


def test_dates_are_counted_the_same_whether_or_not_the_cache_holds_them():
    """Repeated date strings are looked up once; every record still counts: a bad date each
    time it is met (the first one named), a blank one as undated, an epoch number like its
    digits in a string."""
    from trendscore.trends.scoring import accumulate

    dates = ["2024-03-01", "not a date", "", "not a date", "  ", "2024-03-01", 1709251200, "1709251200", None]
    items = [({"date": d, "labels": ["policy"]}, "f.jsonl", n) for n, d in enumerate(dates, 1)]
    tally = accumulate(items)
    assert tally.bad_dates == 2
    assert tally.first_bad_date_at == ("f.jsonl", 2, "'not a date'")
    assert tally.acc.undated == 5
    assert tally.acc.records == 9
    assert set(tally.acc.days) == {dt.date(2024, 3, 1).toordinal()}
    assert tally.acc.days[dt.date(2024, 3, 1).toordinal()][0] == 4 * SCALE


def test_a_theme_only_undated_passages_carry_has_no_row_as_in_score_dataframe():
    """Found by a review: once each record's labels were added as it was read, a label carried
    only by passages without a usable date (missing, or one that does not parse) became a row
    of zeros in trendscore.score (and --jobs), and counted towards the 200-theme limit, where
    score_dataframe (and trendscore.score before) left it out: no day of it is scored."""
    from trendscore.trends.accumulate import MAX_THEMES

    recs = [
        {"date": "2025-01-05", "labels": ["policy"]},
        {"date": None, "labels": ["sports"]},
        {"date": "sometime", "labels": ["music", "policy"]},
        {"date": "2025-01-06", "labels": ["music", "policy"]},  # met undated first: a row now
    ]
    assert [t["theme"] for t in trendscore.score(recs, freq="day").themes] == ["music", "policy"]
    undated = [{"date": None, "labels": [f"own{i}"]} for i in range(MAX_THEMES + 5)]
    result = trendscore.score([*recs, *undated], freq="day")
    assert [t["theme"] for t in result.themes] == ["music", "policy"]
    assert result.to_json()["records"]["undated"] == MAX_THEMES + 7


def test_an_empty_recent_window_before_a_call_on_a_longer_one_says_which_window_it_is():
    """Data that stop six weeks before as_of: policy is called rising on a longer window, and the
    note above it had said "no passages in the recent window", which an analyst could not square
    with the call."""
    start = dt.date(2025, 1, 6)
    recs = [
        {"date": (start + dt.timedelta(days=d)).isoformat(), "labels": ["policy"] if n < (8 if d >= 98 else 2) else []}
        for d in range(133)
        for n in range(20)
    ]
    score = trendscore.score(recs, as_of="2025-06-30")  # the data end on 2025-05-18 (2025-W20)
    policy = next(t for t in score.themes if t["theme"] == "policy")
    assert policy["direction"] == "rising" and policy["recent_periods"] > 4, policy
    assert (
        "no passages in the last 4 weeks (2025-W24..2025-W27), the default recent window; the latest are of "
        "2025-W20, and the scan's longer windows, up to 12 weeks, hold them"
    ) in score.notes


def test_as_of_after_all_data_says_the_data_are_too_old_not_that_there_are_none():
    # 'no passages before the recent window' had been said of a year of passages that lay
    # before the baseline, and each theme's reason said the same
    days = [f"2025-{m:02d}-{d:02d}" for m in range(1, 7) for d in range(1, 29)]
    recs = [{"date": day, "labels": ["policy"] if n % 3 else []} for n, day in enumerate(days)]
    late = trendscore.score(recs, as_of="2026-06-30")
    assert late.notes == [
        "no passages in the recent window",
        "no passages in the baseline periods (2026-W04..2026-W25) the recent windows are compared with; the latest "
        "passages before them are of 2025-W26, too old to compare: every theme is called steady (is as_of later "
        "than meant?)",
    ]
    gap = trendscore.score(recs + [{"date": "2025-12-20", "labels": ["policy"]}] * 30)  # a gap, no as_of
    assert gap.notes[-1].startswith("no passages in the baseline periods (2025-W28..2025-W49) ")
    assert gap.notes[-1].endswith(  # one day scored alone, far after the rest: that date is named
        "too old to compare: every theme is called steady; the latest date, 2025-12-20 (30 passages), which the "
        "score is as of, comes 175 days after the one before it (2025-06-28): if it is a placeholder, score as of "
        "another day"
    )
    assert gap.themes[0]["reason"] == "steady: no passages in the 12 weeks before the last 4 weeks to compare with"
    only_recent = trendscore.score(recs[-5:])
    assert only_recent.notes[-1] == "no passages before the recent window: every theme is called steady"


def test_each_row_names_the_periods_of_its_own_window():
    # policy doubles two weeks before the end and is called on a 2-week window, while the
    # top-level windows are the default length's: the row itself must say which weeks it compared
    start = dt.date(2025, 1, 6)
    shares = {"policy": lambda i: 0.2 if i < 126 else 0.4, "overseas": 0.25}
    score = compute_score(_acc(_weeks(20, 30, shares, start)), "week")
    rows = {t["theme"]: t for t in score.themes}
    policy = rows["policy"]
    assert policy["recent_periods"] == 2 != score.settings["recent"]
    assert policy["recent"] == ["2025-W20", "2025-W21"]
    assert policy["baseline"] == ["2025-W08", "2025-W19"]
    assert score.windows["recent"] != policy["recent"]
    steady = rows["overseas"]
    assert steady["recent"] == score.windows["recent"] and steady["baseline"] == score.windows["baseline"]
    # the CSV carries the same periods
    csv_rows = {r["theme"]: r for r in csv.DictReader(io.StringIO(render_score(score, "csv")))}
    got = csv_rows["policy"]
    assert [got["recent_first"], got["recent_last"], got["baseline_first"], got["baseline_last"]] == [
        "2025-W20", "2025-W21", "2025-W08", "2025-W19"]


def test_a_baseline_reaching_before_the_data_says_how_much_of_it_is_empty():
    """Six months of monthly data: the default baseline (12 months before the last 4) reaches
    ten months before the first passage, which the JSON's window showed as 2025-03..2026-02
    with nothing saying that only its last two months held any passage."""
    import trendscore

    recs = [{"date": f"2026-{m:02d}-{d:02d}", "labels": ["policy"] if d % 3 == 0 else ["culture"]}
            for m in range(1, 7) for d in range(1, 29)]
    result = trendscore.score(recs, freq="month")
    assert result.windows["baseline"] == ["2025-03", "2026-02"]
    assert ("the passages begin in 2026-01: the first 10 months of the baseline (2025-03..2025-12) hold none, "
            "so the baseline shares rest on its last 2 months") in result.notes
    whole = trendscore.score([dict(r, date="2025-" + r["date"][5:]) for r in recs] + recs, freq="month")
    assert not any("the passages begin in" in n for n in whole.notes)  # a baseline the data cover: no note


def test_a_placeholder_latest_date_is_named_in_the_note():
    """One record dated 9999-12-31 among half a year of 2025 made the score as of 9999 with
    every theme steady; the note said the baseline was too old to compare, not that the day it
    scored as of was one record's date lying thousands of years after the rest."""
    import trendscore

    recs = [{"date": f"2025-{m:02d}-{d:02d}", "labels": ["policy"] if d % 3 else ["culture"]}
            for m in range(1, 7) for d in range(1, 29)]
    result = trendscore.score(recs + [{"date": "9999-12-31", "labels": ["policy"]}])
    assert result.as_of == "9999-12-31"
    note = next(n for n in result.notes if n.startswith("no passages in the baseline periods"))
    assert note.endswith(
        "; the latest date, 9999-12-31 (1 passage), which the score is as of, comes 2912629 days after the one "
        "before it (2025-06-28): if it is a placeholder, score as of another day"
    )
    told = trendscore.score(recs + [{"date": "9999-12-31", "labels": ["policy"]}], as_of="2025-06-30")
    assert not any("placeholder" in n for n in told.notes)  # a day given: the input's latest is not it


def test_data_that_begin_within_the_recent_window_are_not_called_a_placeholder():
    """The note on a latest date lying far after the rest is for one day scored alone: data
    that simply begin a few days before their latest date (a first run) do not get it."""
    import trendscore

    recs = [{"date": f"2025-06-{d:02d}", "labels": ["policy"]} for d in range(24, 29)]
    result = trendscore.score(recs)
    assert any(n.startswith("no passages before the recent window") for n in result.notes)
    assert not any("placeholder" in n for n in result.notes)


def _marked_records(mark):
    """Labelled passages over four weeks, each carrying ``mark(i)`` as its ``provisional`` field."""
    return [
        {"text": f"第{i}篇", "date": (dt.date(2025, 11, 1) + dt.timedelta(days=i % 28)).isoformat(),
         "labels": ["labour"] if i % 2 else ["policy"], "provisional": mark(i)}
        for i in range(80)
    ]


@pytest.mark.parametrize(
    "mark, marked",
    [
        (lambda i: ["labour"], ["labour"]),  # label's JSON Lines
        (lambda i: "labour", ["labour"]),  # label's CSV cell
        (lambda i: "labour|policy" if i == 7 else "", ["labour", "policy"]),  # one record says two
        (lambda i: ["elsewhere"], []),  # a name no passage is labelled with: no row to mark
        (lambda i: None, []),
        (lambda i: 3, []),  # no list of names: names none
        (lambda i: float("nan"), []),
    ],
)
def test_score_marks_the_themes_the_passages_own_provisional_field_names(mark, marked):
    """Scoring label's output of a model with a provisional theme had dropped the mark: the
    theme's row looked like a trained theme's, and no note said otherwise."""
    got = trendscore.score(_marked_records(mark), freq="week", as_of="2025-11-28")
    assert [t["theme"] for t in got.themes if t.get("provisional")] == marked
    assert any(n.startswith("provisional themes, marked *") for n in got.notes) == bool(marked)


def test_score_of_a_dataframe_reads_a_provisional_column_of_arrays():
    pd = pytest.importorskip("pandas")
    import numpy as np

    frame = pd.DataFrame(_marked_records(lambda i: np.array(["labour"])))
    got = trendscore.score(frame, freq="week", as_of="2025-11-28")
    assert [t["theme"] for t in got.themes if t.get("provisional")] == ["labour"]
