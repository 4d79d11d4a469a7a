"""Small labelled seed sets of a user's own two classes, for tests of the seeds-to-model path."""

from __future__ import annotations

import json
from pathlib import Path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """``rows`` written to ``path`` as JSON Lines (UTF-8, non-ASCII kept); returns ``path``."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def two_class_rows(n: int = 6) -> list[dict]:
    """``n`` seeds of ``sports`` and ``n`` of ``weather``, alternating, each with an id."""
    rows = []
    for i in range(n):
        rows.append({"id": f"s{i}", "text": f"football match goal league number {i}", "labels": ["sports"]})
        rows.append({"id": f"w{i}", "text": f"rain storm forecast wind number {i}", "labels": ["weather"]})
    return rows
