"""Parse the news-digest export: UI lines, then per article a title, a ``Source· date`` line
and a body (one article may lack the source line)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["Document", "SOURCE_LINE", "parse_digest", "looks_like_digest"]

SOURCE_LINE = re.compile(
    r"^(?P<source>[^·]{1,80}?)\s*·\s*(?P<date>\d{4}-\d{2}-\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
)
_TITLE_MAX = 100


@dataclass
class Document:
    title: str
    source: str | None
    date: str | None
    body: str
    line: int  # 1-based line of the title in the input


def looks_like_digest(lines: Iterable[str]) -> bool:
    """True when a ``Source· YYYY-MM-DD`` line appears among the given lines."""
    return any(SOURCE_LINE.match(line.strip()) for line in lines)


def _title_like(line: str, following: str | None) -> bool:
    if following is None or len(line) > _TITLE_MAX:
        return False
    return len(following) > 2 * len(line) and not line.endswith(("。", ".", "...", "…"))


def parse_digest(lines: list[str]) -> Iterator[Document]:
    """Yield the documents of a digest given as its lines (without line ends).

    Lines before the first title are the export's interface (``Workflow``, ``icon``...)
    and are dropped.
    """
    stripped = [ln.strip() for ln in lines]
    marks = [i for i, ln in enumerate(stripped) if SOURCE_LINE.match(ln)]
    for n, i in enumerate(marks):
        m = SOURCE_LINE.match(stripped[i])
        assert m is not None
        title_at = i - 1
        title = stripped[title_at] if title_at >= 0 else ""
        end = marks[n + 1] - 1 if n + 1 < len(marks) else len(stripped)
        chunk = [(j, stripped[j]) for j in range(i + 1, end) if stripped[j]]
        doc = Document(title, m.group("source").strip(), m.group("date"), "", title_at + 1)
        for k, (j, text) in enumerate(chunk):
            following = chunk[k + 1][1] if k + 1 < len(chunk) else None
            if doc.body and _title_like(text, following):
                yield doc
                doc = Document(text, None, None, "", j + 1)
            else:
                doc.body = f"{doc.body} {text}".strip()
        yield doc
