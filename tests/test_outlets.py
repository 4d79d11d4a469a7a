"""A move caused by which outlets publish, not by what they publish, is said so, not called."""

import datetime as dt
import random

import trendscore
from trendscore.trends.momentum import MAX_SOURCES, OTHER_SOURCES, Accumulator, compute_score


def _records(mix_shift: bool, real_change: bool, seed: int = 1):
    """20 weeks from two outlets: A writes 50% policy, B 10%. With ``mix_shift`` B triples its
    volume in the last 4 weeks; with ``real_change`` A's policy share doubles there."""
    rng = random.Random(seed)
    out = []
    start = dt.date(2025, 1, 6)
    for i in range(140):
        day = (start + dt.timedelta(days=i)).isoformat()
        late = i >= 112
        for source, n, p in (("A", 20, 0.5), ("B", 20, 0.1)):
            if source == "B" and late and mix_shift:
                n *= 3
            if source == "A" and late and real_change:
                p = min(1.0, p * 2)
            for _ in range(n):
                out.append({"date": day, "source": source, "labels": ["policy"] if rng.random() < p else []})
    return out


def _policy(result):
    return next(t for t in result.themes if t["theme"] == "policy")


def test_an_outlet_mix_shift_is_named_not_called_a_fall():
    result = trendscore.score(_records(mix_shift=True, real_change=False))
    row = _policy(result)
    assert row["direction"] == "steady"
    assert "which outlets publish" in row["reason"] and "B went from 50% to 75%" in row["reason"]
    by = {s["source"]: s for s in row["sources"]}
    assert by["B"]["volume_share_recent"] > by["B"]["volume_share_baseline"]
    assert abs(by["A"]["share_recent"] - by["A"]["share_baseline"]) < 0.06
    # without outlets named, the same counts are a fall
    plain = [{k: v for k, v in r.items() if k != "source"} for r in _records(mix_shift=True, real_change=False)]
    assert _policy(trendscore.score(plain))["direction"] == "falling"


def test_a_real_change_inside_an_outlet_is_still_called():
    row = _policy(trendscore.score(_records(mix_shift=False, real_change=True)))
    assert row["direction"] == "rising" and row["reason"].startswith("rising: ")
    assert {s["source"] for s in row["sources"]} == {"A", "B"}


def test_outlets_beyond_the_limit_are_pooled_and_merges_keep_them():
    acc = Accumulator(["policy"])
    for i in range(MAX_SOURCES + 5):
        acc.add_labels(739000, ["policy"], source=f"s{i}")
    assert len(acc.sources) == MAX_SOURCES + 1 and OTHER_SOURCES in acc.sources
    other = Accumulator(["policy", "culture"])
    other.add_labels(739001, ["culture"], source="s1")
    acc.merge(other)
    assert acc.sources["s1"][739001] == {0: 1_000_000, 2: 1_000_000}  # culture, remapped to column 2
    assert acc.sources["s1"][739000] == {0: 1_000_000, 1: 1_000_000}


def test_an_outlet_mix_shift_is_named_when_passages_come_in_reports():
    """The same shift of outlets, each record a report of two passages: the call counts reports,
    the outlet check passages, and the shift is still named, not called a fall."""
    acc = Accumulator(["policy"])
    for i, r in enumerate(_records(mix_shift=True, real_change=False)):
        day = dt.date.fromisoformat(r["date"]).toordinal()
        for _ in range(2):
            acc.add_labels(day, r["labels"], source=r["source"], report=f"r{i}")
    row = _policy(compute_score(acc))
    assert acc.reports > 0 and row["direction"] == "steady"
    assert "which outlets publish" in row["reason"] and "B went from 50% to 75%" in row["reason"]


def test_a_theme_gone_from_the_recent_window_of_two_outlets_is_scored():
    """No policy passage at all in the last four weeks, from two outlets: the outlets' check
    took the log of a ratio of zero and the score failed (math domain error)."""
    rng = random.Random(0)
    acc = Accumulator(["policy", "other"])
    start = dt.date(2025, 1, 6).toordinal()
    for week in range(20):
        for r in range(50):
            policy = week < 16 and rng.random() < 0.3
            acc.add_labels(start + 7 * week + rng.randrange(7), ["policy"] if policy else ["other"], source="AB"[r % 2])
    row = _policy(compute_score(acc))
    assert row["direction"] == "falling" and row["share_recent"] == 0.0
    assert "which outlets publish" not in row["reason"] and row["sources"]


def _respelled(records: list[dict]) -> list[dict]:
    """The records with outlet A written four ways and B two (spacing, case, full width)."""
    spellings = {
        "A": ["Xinhua", "xinhua ", "XINHUA", "Ｘｉｎｈｕａ", "Xinhua"],
        "B": ["People's Daily", " People's  Daily"],
    }
    return [{**r, "source": spellings[r["source"]][i % len(spellings[r["source"]])]} for i, r in enumerate(records)]


def test_one_outlet_spelled_several_ways_is_one_outlet(tmp_path):
    """'Xinhua', 'xinhua ' and 'XINHUA' had been three outlets: the outlet check and its
    breakdown split one outlet's passages among its spellings (and --by source scored each
    apart, but for white space at its ends). They are one outlet, named by its usual spelling."""
    import json

    from click.testing import CliRunner

    from trendscore.cli import main

    records = _respelled(_records(mix_shift=True, real_change=False))
    row = _policy(trendscore.score(records))
    assert sorted(s["source"] for s in row["sources"]) == ["People's Daily", "Xinhua"]
    assert row["direction"] == "steady" and "People's Daily went from 50% to 75%" in row["reason"]
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    result = CliRunner().invoke(main, ["score", str(path), "--by", "source", "--format", "json"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["breakdown"]["groups"]
    assert sorted((g["group"], g["passages"]) for g in groups) == [
        ("People's Daily", sum(r["source"] == "B" for r in _records(True, False))),
        ("Xinhua", sum(r["source"] == "A" for r in _records(True, False))),
    ]


def test_an_outlets_name_does_not_depend_on_the_order_of_records_or_merges():
    """The name shown is the spelling most passages carry (the first in code-point order
    among equals), whichever came first and however the stream was split among workers."""
    days = [739000 + i for i in range(6)]
    spelled = ["xinhua", "Xinhua", "Xinhua ", "XINHUA", "Xinhua", "xinhua"]
    names = set()
    for order in (spelled, spelled[::-1]):
        whole, first, second = Accumulator(["policy"]), Accumulator(["policy"]), Accumulator(["policy"])
        for i, (day, source) in enumerate(zip(days, order)):
            whole.add_labels(day, ["policy"], source=source)
            (first if i < 3 else second).add_labels(day, ["policy"], source=source)
        first.merge(second)
        names |= {whole.outlet_name(k) for k in whole.sources} | {first.outlet_name(k) for k in first.sources}
    assert names == {"Xinhua"}


def test_endless_ways_of_writing_one_outlet_keep_a_bounded_tally_and_every_passage():
    """The tally behind an outlet's name keeps at most MAX_SPELLINGS ways of writing it (a file
    of a million spacing and case variants of one name cannot fill memory through it), while
    every passage still counts for the outlet."""
    from trendscore.trends.accumulate import SCALE
    from trendscore.trends.outlets import MAX_SPELLINGS

    acc = Accumulator(["policy"])
    variants = ["".join(c.upper() if (n >> i) & 1 else c for i, c in enumerate("xinhuanews")) for n in range(300)]
    for source in variants:
        acc.add_labels(739000, ["policy"], source=source)
    assert list(acc.sources) == ["xinhuanews"]
    assert len(acc.spellings.counts["xinhuanews"]) == MAX_SPELLINGS
    assert acc.sources["xinhuanews"][739000][0] == 300 * SCALE
    assert acc.outlet_name("xinhuanews") in variants[:MAX_SPELLINGS]
