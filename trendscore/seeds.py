"""Reading labelled seed files (JSON Lines: id, text, labels, and optional date, source, lang)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import SeedError

__all__ = ["Seed", "DEFAULT_THEMES", "read_seeds", "seeds_sha256", "theme_order"]

DEFAULT_THEMES = ["policy", "technology", "overseas", "regional_hub", "culture"]


@dataclass(frozen=True)
class Seed:
    id: str
    text: str
    labels: tuple[str, ...]
    date: str | None
    source: str | None
    lang: str | None
    path: str
    line: int


def _seed_from(obj, path: str, line: int) -> Seed:
    if not isinstance(obj, dict):
        raise SeedError(f"expected a JSON object, got {type(obj).__name__}", path, line)
    text = obj.get("text")
    if not isinstance(text, str):
        got = "nothing" if text is None else type(text).__name__
        raise SeedError(f"expected a string 'text' field, got {got}", path, line)
    labels = obj.get("labels")
    if not isinstance(labels, list) or not all(isinstance(x, str) and x for x in labels):
        raise SeedError("expected 'labels' as a list of label names (may be empty)", path, line)
    if len(set(labels)) != len(labels):
        raise SeedError(f"duplicate labels {labels}", path, line)
    seed_id = obj.get("id", f"{Path(path).stem}:{line}")
    for key in ("date", "source", "lang"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise SeedError(f"expected '{key}' as a string", path, line)
    return Seed(str(seed_id), text, tuple(labels), obj.get("date"), obj.get("source"), obj.get("lang"), path, line)


def read_seeds(paths) -> list[Seed]:
    """Read seed files in the given order; raises :class:`SeedError` naming file:line."""
    seeds: list[Seed] = []
    for p in paths:
        path = str(p)
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise SeedError(f"cannot read ({exc.strerror})", path) from None
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise SeedError("not valid UTF-8", path, line) from None
        for n, line in enumerate(content.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SeedError(f"malformed JSON ({exc.msg})", path, n) from None
            seeds.append(_seed_from(obj, path, n))
    if not seeds:
        raise SeedError("no seed records found", ", ".join(map(str, paths)) or "(no files)")
    return seeds


def theme_order(seeds: list[Seed]) -> list[str]:
    """The five default themes in their order when the seeds use them, else sorted names."""
    used = {lab for s in seeds for lab in s.labels}
    if used <= set(DEFAULT_THEMES):
        return list(DEFAULT_THEMES)
    return sorted(used)


def seeds_sha256(seeds: list[Seed]) -> str:
    """A hash of the seeds' content (texts and labels), independent of file names."""
    digest = hashlib.sha256()
    for s in seeds:
        digest.update(json.dumps([s.text, sorted(s.labels)], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
