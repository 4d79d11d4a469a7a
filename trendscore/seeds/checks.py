"""Checking seed files: schema, label names, blank texts, duplicates, near-duplicates and
conflicting labels; and adding new seeds without touching the old ones."""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from trendscore.errors import SeedError, quoted
from trendscore.io.atomic import create_new_file
from trendscore.modeling.modelcheck import alike_spellings, how_alike, theme_name_problem
from trendscore.seeds.files import (
    COMPRESSED_SUFFIXES,
    OPTIONAL_FIELDS,
    SEED_SUFFIXES,
    Seed,
    cycle_text,
    is_seed_file,
    iter_seed_lines,
    replacement_cycles,
    seed_files,
    seed_files_in,
    without_replaced,
)
from trendscore.text.keys import comparison_key
from trendscore.wording import counted

__all__ = [
    "Problem",
    "validate_seeds",
    "seed_file_count",
    "near_duplicate_pairs",
    "add_seeds",
    "batch_path",
    "AddResult",
]

NEAR_DUPLICATE = 0.8  # Jaccard similarity of character 3-gram sets
#: how long an addition waits for another process that holds the seed directory's lock
LOCK_WAIT_SECONDS = 60.0


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
    """Whether ``a`` becomes ``b`` in at most ``limit`` insertions, deletions or substitutions
    (only the cells within ``limit`` of the diagonal are computed, and a row whose every cell
    is past ``limit`` ends the search)."""
    if abs(len(a) - len(b)) > limit:
        return False
    far = limit + 1
    prev = [j if j <= limit else far for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        cur = [far] * (len(b) + 1)
        if i <= limit:
            cur[0] = i
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != b[j - 1]), far)
        if min(cur) > limit:
            return False
        prev = cur
    return prev[-1] <= limit


#: labels a rarer label is compared with as its possible correct spelling: the most frequent
#: ones (a label is taken for a misspelling only of one at least five times as frequent)
_SPELLING_TARGETS = 200


def _label_problems(seeds: list[Seed], themes: list[str] | None) -> list[Problem]:
    counts: dict[str, int] = {}
    for s in seeds:
        for lab in s.labels:
            counts[lab] = counts.get(lab, 0) + 1
    problems = []
    flagged: dict[str, str] = {}
    # most frequent first, so the search for a label's correct spelling stops at the first one
    # under five times its count: many distinct labels no longer make it quadratic
    targets = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:_SPELLING_TARGETS]
    # of the spellings of one name, the commonest is taken for the one meant (the first met on a tie)
    problems_of = {lab: theme_name_problem(lab) for lab in counts}  # the rule training holds labels to
    named = [lab for lab in counts if problems_of[lab] is None]  # (a name refused is not a spelling)
    alike = alike_spellings(sorted(named, key=lambda lab: -counts[lab]))
    for lab, n in counts.items():
        problem = problems_of[lab]
        if problem is not None:
            flagged[lab] = problem
            continue
        if themes is not None:
            if lab not in themes:
                flagged[lab] = f"label {lab!r} is not one of {', '.join(themes)}"
            continue
        if lab in alike:  # one name written two ways: training refuses the pair
            other = alike[lab]
            flagged[lab] = (
                f"label {lab!r} ({counted(n, 'seed')}) and {other!r} ({counted(counts[other], 'seed')}) are one name "
                "written two ways "
                f"({how_alike(lab, other)}): train refuses them; write one spelling for both"
            )
            continue
        for other, m in targets:
            if m < 5 * n:
                break
            if other != lab and _edit_distance_at_most(lab, other, 2):
                flagged[lab] = (
                    f"label {lab!r} ({counted(n, 'seed')}) looks like a misspelling of {other!r} ({counted(m, 'seed')})"
                )
                break
    for s in seeds:
        for lab in s.labels:
            if lab in flagged:
                problems.append(Problem(s.path, s.line, "label", flagged[lab]))
    return problems


def _expand(paths) -> tuple[list[str], list[Problem]]:
    """The seed files ``paths`` stand for (a directory: its seed files, as training reads it),
    and an "empty" problem for each directory that holds none (a "schema" one for a directory
    holding a seed-named entry that is no regular file, whose seeds training cannot read)."""
    files: list[str] = []
    problems: list[Problem] = []
    for p in paths:
        try:
            files += seed_files([p])
        except SeedError as exc:
            if exc.path != str(p):  # an entry of the directory that cannot be read (a FIFO)
                problems.append(Problem(exc.path or str(p), None, "schema", exc.message))
            else:
                problems.append(Problem(str(p), None, "empty", exc.message))
    return files, problems


def seed_file_count(paths) -> int:
    """How many seed files :func:`validate_seeds` reads for ``paths`` (each directory counts
    as the seed files in it)."""
    return len(_expand(paths)[0])


def validate_seeds(paths, themes: list[str] | str | None = None) -> tuple[list[Seed], list[Problem]]:
    """All problems of the seed files, each naming file and line (none raised), and the seeds
    that training would use.

    A directory stands for the seed files in it, as in training. A seed that another names in
    ``replaces`` is left out of the seeds returned and of the text and label checks (training
    drops it, wherever either comes), but its id still counts: ids must be unique across all the
    files. A ``replaces`` that no other seed of the files answers is a problem: it drops nothing,
    most likely a mistyped id (or the seed it names is in a file not given). Seeds that replace
    one another round a cycle are a problem at each of them: training refuses them.

    ``themes`` (the allowed labels, a list or one comma-separated string) are taken without
    white space at their ends, empty ones left out: ``"policy, culture"`` allows ``culture``;
    themes that are all blank name none, and are refused with :class:`SeedError`.
    """
    if themes is not None:
        from trendscore.modeling.modelcheck import split_theme_names

        given = themes if isinstance(themes, str) else ",".join(themes)
        themes = split_theme_names(given)
        if not themes:
            raise SeedError(f"the themes to allow ({quoted(given)}) name no theme")
    files, problems = _expand(paths)
    seeds: list[Seed] = []
    for seed, error in iter_seed_lines(files):
        if error is not None:
            problems.append(Problem(error.path or "", error.line, "schema", error.message))
        else:
            seeds.append(seed)
    touched = {s.path for s in seeds} | {p.path for p in problems}
    problems += [Problem(f, None, "empty", "no seed records") for f in files if f not in touched]
    first_by_id: dict[str, Seed] = {}
    for s in seeds:
        if s.id in first_by_id:
            f = first_by_id[s.id]
            problems.append(Problem(s.path, s.line, "id", f"id {quoted(s.id)} also at {f.path}:{f.line}"))
        else:
            first_by_id[s.id] = s
    holders: dict[str, list[Seed]] = {}
    for s in seeds:
        holders.setdefault(s.id, []).append(s)
    for s in seeds:
        for r in dict.fromkeys(s.replaces):
            if not any(other is not s for other in holders.get(r, ())):
                message = f"replaces {quoted(r)}, but no other seed in these files holds that id: it drops nothing"
                problems.append(Problem(s.path, s.line, "replaces", message))
    for cycle in replacement_cycles(seeds):
        for s in cycle:
            others = cycle_text([o for o in cycle if o is not s])
            message = (
                f"seed {quoted(s.id)} and {others} replace one another in a cycle: train refuses the files, as every "
                "seed of it would be dropped; take 'replaces' off the one to keep"
            )
            problems.append(Problem(s.path, s.line, "cycle", message))
    seeds = without_replaced(seeds)
    problems += _label_problems(seeds, themes)
    problems += _date_problems(seeds)
    first_by_text: dict[str, Seed] = {}
    for s in seeds:
        if not s.text.strip():
            problems.append(Problem(s.path, s.line, "blank", "text is empty or only white space"))
            continue
        key = comparison_key(s.text)
        if key in first_by_text:
            f = first_by_text[key]
            if set(f.labels) != set(s.labels):
                problems.append(
                    Problem(
                        s.path,
                        s.line,
                        "conflict",
                        f"same text as {f.path}:{f.line} with labels {quoted(list(f.labels))}, "
                        f"here {quoted(list(s.labels))}",
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
                f"{sim:.0%} like {a.path}:{a.line} (labels {quoted(list(a.labels))}, here {quoted(list(b.labels))})",
            )
        )
    problems.sort(key=lambda p: (p.path, p.line or 0, p.kind))
    return seeds, problems


def _date_problems(seeds: list[Seed]) -> list[Problem]:
    """A seed whose ``date`` does not parse as a day: train's time split places reports by
    their day, so such a seed was left out of it without a word."""
    from trendscore.io.dates import is_missing, parse_date

    return [
        Problem(
            s.path,
            s.line,
            "date",
            f"date {quoted(s.date)} does not parse as a day: the seed is left out of train's time split; "
            "write it as YYYY-MM-DD",
        )
        for s in seeds
        if not is_missing(s.date) and parse_date(s.date) is None
    ]


@dataclass
class AddResult:
    """What adding seeds did: the batch file written (None if nothing was new), the seeds
    added, the exact duplicates skipped, the label conflicts found, the seeds replaced, how
    many new seeds were written under a new id because theirs was taken, and the fields
    outside the seed format that were not written (``left_out``)."""

    path: Path | None
    added: int
    skipped_duplicates: int
    conflicts: list[Problem]
    replaced: int
    renamed: int = 0
    #: fields outside the seed format that the seeds written held, and were not written with
    #: them: each name with how many seeds held it
    left_out: dict[str, int] = field(default_factory=dict)


def batch_path(directory: Path, source: str) -> Path:
    """Where ``seeds add`` writes the seeds it takes from the file ``source``:
    ``DIRECTORY/batch_NN_NAME.jsonl``. NN is one more than the highest number of any
    ``batch_NN...`` file already in the directory (compressed ones too), two digits at least.
    NAME is the source file's name without its seed and compression suffixes and without a
    ``batch_`` or ``batch_NN_`` of its own at the start (``batch_90_mine.jsonl.gz`` gives
    ``mine``, never ``batch_90_mine``), other characters than letters, digits, ``-`` and
    ``_`` made ``_``, at most 40 characters (``stdin`` for standard input, ``-``); ``added``
    when nothing is left.

    >>> batch_path(Path("no-such-directory"), "incoming/batch_90_mine.jsonl.gz").name
    'batch_01_mine.jsonl'
    """
    numbers = [
        int(m.group(1)) for p in _entries(directory) if (m := re.match(r"batch_(\d+)", p.name)) and is_seed_file(p)
    ]
    name = "stdin" if source == "-" else Path(source).name
    for suffix in COMPRESSED_SUFFIXES[1:] + SEED_SUFFIXES:
        name = name.removesuffix(suffix)
    name = re.sub(r"^batch(?:_\d*)?(?:_+|$)", "", name)
    safe = re.sub(r"[^\w-]+", "_", name).strip("_-")[:40] or "added"
    return directory / f"batch_{max(numbers, default=0) + 1:02d}_{safe}.jsonl"


def _entries(directory: Path) -> list[Path]:
    """The directory's entries, none when it is not there yet."""
    return list(directory.iterdir()) if directory.is_dir() else []


def add_seeds(new_path, directory, on_conflict: str = "refuse") -> AddResult:
    """Validate ``new_path`` and write its seeds as a new batch file in ``directory``.

    Existing files are never rewritten. Exact duplicates of existing seeds, and of earlier
    lines of the new file, are skipped. A new seed with the text of an existing one but other
    labels is a conflict: refused (nothing is written) unless ``on_conflict`` is ``"skip"``
    (keep the existing labels) or ``"replace"`` (the new seed is written with ``replaces``
    naming the old one, which training then drops).

    Every field of the seed format is kept. Ids stay unique across the directory: a new seed
    whose id an existing seed holds, or a ``replaces`` names, is written as
    ``{file stem}-{line}`` (with ``-2``, ``-3``... if that too is taken) and counted in
    ``renamed``. A replace names exactly one seed: when the id it would name is held by several
    seeds or by none, :class:`SeedError` is raised and nothing is written, as when a seed file
    of the directory has a line that cannot be read (training would refuse the directory, and
    the seeds not seen could not be checked against).

    The new seeds are read and checked before the directory is locked (standard input, read
    as slowly as it comes, never keeps other writers waiting); the directory's seeds are read
    under the lock, just before the batch is written. A lock another process holds for more
    than :data:`LOCK_WAIT_SECONDS` is a :class:`SeedError`, nothing written.
    """
    if on_conflict not in ("refuse", "skip", "replace"):
        raise SeedError(f"on_conflict must be refuse, skip or replace, got {on_conflict!r}")
    directory = Path(directory)
    if not directory.is_dir():
        raise SeedError("no such seed directory", str(directory))
    _refuse_own_file(new_path, directory)
    new_seeds, problems = validate_seeds([new_path])
    bad = [p for p in problems if p.kind in ("schema", "blank", "label", "conflict", "id")]
    if bad:
        raise SeedError(f"{counted(len(bad), 'problem')}, first: {bad[0]}", str(new_path))
    if not new_seeds:  # an empty file (or one of blank lines) is a mistake, not a batch of none
        raise SeedError("no seeds to add (the file holds no seed records)", str(new_path))
    from trendscore.io.locks import waiting_lock

    busy = SeedError(
        f"another process has held this seed directory's lock (.seeds.lock) for {LOCK_WAIT_SECONDS:g} s; "
        "nothing was added (try again once it ends)",
        str(directory),
    )
    # a second addition to this directory waits its turn, for a bounded time
    with waiting_lock(str(directory / ".seeds.lock"), LOCK_WAIT_SECONDS, busy=lambda: busy):
        return _add_locked(new_seeds, new_path, directory, on_conflict)


def _refuse_own_file(new_path, directory: Path) -> None:
    """Refuse a ``new_path`` that is already one of the directory's seed files (by any name):
    its seeds were compared with themselves, all skipped as exact duplicates, and a conflict
    with another file of the directory went unreported behind ``Added 0 seeds``."""
    import os

    path = Path(str(new_path))
    if str(new_path) == "-" or not path.is_file():
        return
    for f in directory.iterdir():
        if is_seed_file(f) and os.path.samefile(f, path):
            raise SeedError(
                f"is already a seed file of {directory} (as {f.name}): seeds add copies seeds from elsewhere into "
                "it, and would compare this file with itself; move it out of the directory and add it, or check "
                "the directory with seeds validate",
                str(new_path),
            )


def _free_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is first not in ``taken``."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _check_spellings(new_seeds: list[Seed], existing: list[Seed], directory: Path) -> None:
    """Refuse a new seed's label that the directory's seeds spell otherwise (``Sports`` added
    to seeds of ``sports``, :func:`~trendscore.modeling.modelcheck.theme_spelling`): training
    would refuse the directory, and the batch had been added without a word."""
    from trendscore.modeling.modelcheck import theme_spelling

    known = dict.fromkeys(label for s in existing for label in s.labels)
    spelt: dict[str, str] = {}
    for label in known:
        spelt.setdefault(theme_spelling(label), label)
    for s in new_seeds:
        for label in s.labels:
            other = spelt.get(theme_spelling(label))
            if label not in known and other is not None:
                raise SeedError(
                    f"label {label!r} and {other!r} of the seeds in {directory} are one name written two ways "
                    f"({how_alike(label, other)}); nothing was added: write it as {other!r}",
                    s.path,
                    s.line,
                )


def _add_locked(new_seeds: list[Seed], new_path, directory: Path, on_conflict: str) -> AddResult:
    """Add ``new_seeds`` (read and checked from ``new_path``) to ``directory``, whose lock the
    caller holds."""
    existing_files = seed_files_in(directory)
    existing = []
    for seed, error in iter_seed_lines(existing_files):
        if error is not None:  # its seeds unseen, the new ones could repeat them or take their ids
            message = f"{error.message}; no seed was added to {directory}: training would refuse it, fix this first"
            raise SeedError(message, error.path, error.line)
        existing.append(seed)
    _check_spellings(new_seeds, existing, directory)
    holders = Counter(s.id for s in existing)
    named = {r for s in existing for r in s.replaces}
    # an id stays taken while any seed holds it or any `replaces` names it: a new seed under
    # such an id would be confused with the old one, or dropped by training with it
    taken = set(holders) | named | {s.id for s in new_seeds}
    by_text = {comparison_key(s.text): s for s in existing if s.id not in named}

    def replaceable(seed_id: str, s: Seed) -> str:
        if holders[seed_id] != 1:
            held = f"{counted(holders[seed_id], 'seed')} hold" if holders[seed_id] else "no seed holds"
            raise SeedError(
                f"cannot replace seed {quoted(seed_id)}: {held} that id in {directory}; nothing was added",
                s.path,
                s.line,
            )
        return seed_id

    out, conflicts, skipped, replaced, renamed = [], [], 0, 0, 0
    left_out: Counter[str] = Counter()
    seen: set[str] = set()
    for s in new_seeds:
        key = comparison_key(s.text)
        if key in seen:  # an exact duplicate of an earlier line of the new file
            skipped += 1
            continue
        seen.add(key)
        old = by_text.get(key)
        if old is not None and set(old.labels) == set(s.labels):
            skipped += 1
            continue
        record: dict = {"id": s.id, "text": s.text, "labels": list(s.labels)}
        for name in OPTIONAL_FIELDS:
            if getattr(s, name) is not None:
                record[name] = getattr(s, name)
        replaces = [replaceable(r, s) for r in s.replaces]
        if old is not None:
            conflicts.append(
                Problem(
                    s.path,
                    s.line,
                    "conflict",
                    f"same text as {old.path}:{old.line} with labels {quoted(list(old.labels))}, "
                    f"here {quoted(list(s.labels))}",
                )
            )
            if on_conflict == "skip":
                continue
            if on_conflict == "replace":
                if old.id not in replaces:
                    replaces.append(replaceable(old.id, s))
                replaced += 1
        if s.id in holders or s.id in named:
            stem = "stdin" if str(new_path) == "-" else Path(new_path).stem
            record["id"] = _free_id(f"{stem}-{s.line}", taken)
            taken.add(record["id"])
            renamed += 1
        if replaces:
            record["replaces"] = replaces
        left_out.update(s.extra)
        out.append(record)
    if conflicts and on_conflict == "refuse":
        return AddResult(None, 0, skipped, conflicts, 0)
    if not out:
        return AddResult(None, 0, skipped, conflicts, replaced)
    target = batch_path(directory, str(new_path))
    create_new_file(target, "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in out).encode("utf-8"))
    return AddResult(target, len(out), skipped, conflicts, replaced, renamed, dict(sorted(left_out.items())))
