"""Checking seed files: schema, label names, blank texts, duplicates, near-duplicates and
conflicting labels; and adding new seeds without touching the old ones."""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from trendscore.errors import SeedError
from trendscore.io.atomic import create_new_file
from trendscore.seeds.files import Seed, is_seed_file, iter_seed_lines
from trendscore.text.keys import comparison_key

__all__ = ["Problem", "validate_seeds", "near_duplicate_pairs", "add_seeds", "AddResult"]

NEAR_DUPLICATE = 0.8  # Jaccard similarity of character 3-gram sets


@dataclass(frozen=True)
class Problem:
    """One finding of the seed checks: where (file, line or None), its kind and what is wrong."""

    path: str
    line: int | None
    kind: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.kind}: {self.message}"


def _shingles(key: str) -> set[str]:
    if len(key) < 3:
        return {key}
    return {key[i : i + 3] for i in range(len(key) - 2)}


def near_duplicate_pairs(
    texts: list[str], threshold: float = NEAR_DUPLICATE, bands: int = 20, rows: int = 3
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity) of texts whose character 3-gram Jaccard similarity is at least
    ``threshold``: MinHash signatures and banding find candidates, exact Jaccard confirms them."""
    import numpy as np

    keys = [comparison_key(t) for t in texts]
    shingles = [_shingles(k) for k in keys]
    n_hash = bands * rows
    rng = np.random.default_rng(12345)
    prime = np.uint64((1 << 61) - 1)
    a = rng.integers(1, 1 << 31, size=n_hash, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=n_hash, dtype=np.uint64)
    buckets: dict[tuple, list[int]] = {}
    for i, sh in enumerate(shingles):
        if not keys[i]:
            continue
        x = np.array([zlib.crc32(s.encode("utf-8")) for s in sh], dtype=np.uint64)
        sig = ((x[:, None] * a + b) % prime).min(axis=0)
        for band in range(bands):
            buckets.setdefault((band, *sig[band * rows : (band + 1) * rows].tolist()), []).append(i)
    candidates = set()
    for members in buckets.values():
        if 1 < len(members) <= 200:
            for u in range(len(members)):
                for v in range(u + 1, len(members)):
                    candidates.add((members[u], members[v]))
    pairs = []
    for i, j in sorted(candidates):
        if keys[i] == keys[j]:
            continue  # exact duplicates are reported separately
        sim = len(shingles[i] & shingles[j]) / len(shingles[i] | shingles[j])
        if sim >= threshold:
            pairs.append((i, j, round(sim, 3)))
    return pairs


def _edit_distance_at_most(a: str, b: str, limit: int) -> bool:
    if abs(len(a) - len(b)) > limit:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1] <= limit


def _label_problems(seeds: list[Seed], themes: list[str] | None) -> list[Problem]:
    counts: dict[str, int] = {}
    for s in seeds:
        for lab in s.labels:
            counts[lab] = counts.get(lab, 0) + 1
    problems = []
    flagged: dict[str, str] = {}
    for lab, n in counts.items():
        if themes is not None:
            if lab not in themes:
                flagged[lab] = f"label {lab!r} is not one of {', '.join(themes)}"
            continue
        if lab != lab.strip() or lab != lab.lower() and lab.lower() in counts:
            flagged[lab] = f"label {lab!r} differs from another only in case or spaces"
            continue
        for other, m in counts.items():
            if other != lab and m >= 5 * n and _edit_distance_at_most(lab, other, 2):
                flagged[lab] = f"label {lab!r} ({n} seeds) looks like a misspelling of {other!r} ({m} seeds)"
                break
    for s in seeds:
        for lab in s.labels:
            if lab in flagged:
                problems.append(Problem(s.path, s.line, "label", flagged[lab]))
    return problems


def validate_seeds(paths, themes: list[str] | None = None) -> tuple[list[Seed], list[Problem]]:
    """All problems of the seed files, each naming file and line (none raised)."""
    seeds: list[Seed] = []
    problems: list[Problem] = []
    for seed, error in iter_seed_lines(paths):
        if error is not None:
            problems.append(Problem(error.path or "", error.line, "schema", error.message))
        else:
            seeds.append(seed)
    touched = {s.path for s in seeds} | {p.path for p in problems}
    problems += [Problem(str(p), None, "empty", "no seed records") for p in paths if str(p) not in touched]
    problems += _label_problems(seeds, themes)
    first_by_id: dict[str, Seed] = {}
    first_by_text: dict[str, Seed] = {}
    for s in seeds:
        if not s.text.strip():
            problems.append(Problem(s.path, s.line, "blank", "text is empty or only white space"))
            continue
        if s.id in first_by_id:
            f = first_by_id[s.id]
            problems.append(Problem(s.path, s.line, "id", f"id {s.id!r} also at {f.path}:{f.line}"))
        else:
            first_by_id[s.id] = s
        key = comparison_key(s.text)
        if key in first_by_text:
            f = first_by_text[key]
            if set(f.labels) != set(s.labels):
                problems.append(
                    Problem(
                        s.path,
                        s.line,
                        "conflict",
                        f"same text as {f.path}:{f.line} with labels {list(f.labels)}, here {list(s.labels)}",
                    )
                )
            else:
                problems.append(Problem(s.path, s.line, "duplicate", f"same text as {f.path}:{f.line}"))
        else:
            first_by_text[key] = s
    kept = [s for s in seeds if s.text.strip()]
    for i, j, sim in near_duplicate_pairs([s.text for s in kept]):
        a, b = kept[i], kept[j]
        kind = "near-conflict" if set(a.labels) != set(b.labels) else "near-duplicate"
        problems.append(
            Problem(
                b.path,
                b.line,
                kind,
                f"{sim:.0%} like {a.path}:{a.line} (labels {list(a.labels)}, here {list(b.labels)})",
            )
        )
    problems.sort(key=lambda p: (p.path, p.line or 0, p.kind))
    return seeds, problems


@dataclass
class AddResult:
    """What adding seeds did: the batch file written (None if nothing was new), the seeds
    added, the exact duplicates skipped, the label conflicts found, and the seeds replaced."""

    path: Path | None
    added: int
    skipped_duplicates: int
    conflicts: list[Problem]
    replaced: int


def _next_batch_path(directory: Path, stem: str) -> Path:
    numbers = [int(m.group(1)) for p in directory.glob("batch_*.jsonl") if (m := re.match(r"batch_(\d+)", p.name))]
    safe = re.sub(r"[^\w-]+", "_", stem)[:40] or "added"
    return directory / f"batch_{max(numbers, default=0) + 1:02d}_{safe}.jsonl"


def add_seeds(new_path, directory, on_conflict: str = "refuse") -> AddResult:
    """Validate ``new_path`` and write its seeds as a new batch file in ``directory``.

    Existing files are never rewritten. Exact duplicates of existing seeds are skipped. A new
    seed with the text of an existing one but other labels is a conflict: refused (nothing is
    written) unless ``on_conflict`` is ``"skip"`` (keep the existing labels) or ``"replace"``
    (the new seed is written with ``replaces`` naming the old one, which training then drops).
    """
    if on_conflict not in ("refuse", "skip", "replace"):
        raise SeedError(f"on_conflict must be refuse, skip or replace, got {on_conflict!r}")
    directory = Path(directory)
    if not directory.is_dir():
        raise SeedError("no such seed directory", str(directory))
    from filelock import FileLock

    with FileLock(str(directory / ".seeds.lock")):  # a second `seeds add` on this directory waits its turn
        return _add_locked(new_path, directory, on_conflict)


def _add_locked(new_path, directory: Path, on_conflict: str) -> AddResult:
    new_seeds, problems = validate_seeds([new_path])
    bad = [p for p in problems if p.kind in ("schema", "blank", "label", "conflict", "id")]
    if bad:
        raise SeedError(f"{len(bad)} problems, first: {bad[0]}", str(new_path))
    existing_files = sorted(f for f in directory.iterdir() if is_seed_file(f))
    existing, _ = validate_seeds(existing_files) if existing_files else ([], [])
    by_text = {comparison_key(s.text): s for s in existing}
    ids = {s.id for s in existing}
    out, conflicts, skipped, replaced = [], [], 0, 0
    for s in new_seeds:
        old = by_text.get(comparison_key(s.text))
        record = {"id": s.id, "text": s.text, "labels": list(s.labels)}
        for key in ("date", "source", "lang", "url"):
            if getattr(s, key) is not None:
                record[key] = getattr(s, key)
        if s.id in ids and (old is None or old.id != s.id):
            record["id"] = f"{Path(new_path).stem}-{s.line}"
        if old is not None and set(old.labels) == set(s.labels):
            skipped += 1
            continue
        if old is not None:
            conflicts.append(
                Problem(
                    s.path,
                    s.line,
                    "conflict",
                    f"same text as {old.path}:{old.line} with labels {list(old.labels)}, here {list(s.labels)}",
                )
            )
            if on_conflict == "skip":
                continue
            if on_conflict == "replace":
                record["replaces"] = [old.id]
                if record["id"] == old.id:
                    record["id"] = f"{old.id}-r"
                replaced += 1
        out.append(record)
    if conflicts and on_conflict == "refuse":
        return AddResult(None, 0, skipped, conflicts, 0)
    if not out:
        return AddResult(None, 0, skipped, conflicts, replaced)
    target = _next_batch_path(directory, Path(new_path).stem)
    create_new_file(target, "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in out).encode("utf-8"))
    return AddResult(target, len(out), skipped, conflicts, replaced)
