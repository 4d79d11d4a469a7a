"""Real-report seed batches: every passage traceable to a dated report from before 2025."""

import json
import re

import pytest
from conftest import SEEDS

REAL = sorted(SEEDS.glob("batch_*_real_*.jsonl"))
ALL = sorted(SEEDS.glob("batch_*.jsonl"))


def _records(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_there_are_real_report_batches():
    assert len(REAL) >= 1
    assert sum(len(_records(p)) for p in REAL) >= 600


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_every_real_seed_has_url_date_source_lang_before_2025(path):
    for n, rec in enumerate(_records(path), 1):
        where = f"{path.name}:{n}"
        assert re.match(r"^https?://\S+$", rec.get("url") or ""), where
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rec.get("date") or ""), where
        assert rec["date"] <= "2024-12-31", where
        assert rec.get("source"), where
        assert rec.get("lang") in ("zh-Hans", "zh-Hant", "en"), where


def test_seeds_with_a_url_are_all_dated_before_2025():
    for path in ALL:
        for n, rec in enumerate(_records(path), 1):
            if rec.get("url"):
                assert (rec.get("date") or "9999") <= "2024-12-31", f"{path.name}:{n}"


def test_no_two_batches_share_a_url():
    owner = {}
    for path in ALL:
        for rec in _records(path):
            url = rec.get("url")
            if url:
                assert owner.setdefault(url, path.name) == path.name, f"{url} in {owner[url]} and {path.name}"


def test_real_reports_cover_both_sides_of_the_time_split_and_english():
    # the Traditional Chinese share (6-7%) is below the 10% asked for: the stored pages hold few
    # Hong Kong or Taiwan reports dated before 2025 (seeds/README.md); it is reported, not tested
    recs = [r for p in REAL for r in _records(p)]
    assert len({r["url"] for r in recs}) >= 150
    assert sum(r["lang"] == "en" for r in recs) / len(recs) >= 0.15
    later = sum(r["date"] >= "2024-07-01" for r in recs)
    assert 0.3 <= later / len(recs) <= 0.7
