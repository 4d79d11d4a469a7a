from conftest import DIGEST

from trendscore.io.digest import parse_digest
from trendscore.io.readers import read_records


def _docs():
    return list(parse_digest(DIGEST.read_text("utf-8").splitlines()))


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
    assert first["id"] == "d1-p1"
    assert all(20 <= len(r["text"]) <= 800 for r in records)
    group = [r for r in records if r["text"].startswith("Group 2: Technological Influence")]
    assert len(group) == 1 and group[0]["date"] == "2025-11-30"
