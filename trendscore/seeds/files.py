"""Reading labelled seed files (JSON Lines: id, text, labels, and optional date, source, lang,
url, doc_id, title and replaces; passages sharing a doc_id, else a url, are one report)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from trendscore.errors import InputError, SeedError, quoted
from trendscore.io.jsonfast import no_constant
from trendscore.wording import counted

__all__ = [
    "report_groups",
    "Seed",
    "OPTIONAL_FIELDS",
    "DEFAULT_THEMES",
    "iter_seed_lines",
    "read_seeds",
    "without_replaced",
    "replacement_cycles",
    "cycle_text",
    "seeds_sha256",
    "files_named",
    "theme_order",
    "model_themes",
    "keep_themes",
    "check_label_spellings",
    "label_conflicts",
    "few_make_multilabel",
]

DEFAULT_THEMES = ["policy", "technology", "overseas", "regional_hub", "culture"]


@dataclass(frozen=True)
class Seed:
    """One labelled seed passage as read from a seed file, with the file and line it came
    from and the ids of the seeds it replaces. ``title`` (a real report's title) is kept so
    that copies of the seed keep it; training ignores it."""

    id: str
    text: str
    labels: tuple[str, ...]
    date: str | None
    source: str | None
    lang: str | None
    path: str
    line: int
    replaces: tuple[str, ...] = ()
    url: str | None = None
    doc_id: str | None = None
    title: str | None = None
    #: the names of the record's fields outside the seed format (training reads none of them)
    extra: tuple[str, ...] = ()


#: the optional text fields of a seed record, in the order ``seeds add`` writes them
OPTIONAL_FIELDS = ("date", "source", "lang", "url", "doc_id", "title")
#: every field of the seed format
SEED_FIELDS = frozenset(("id", "text", "labels", "replaces", *OPTIONAL_FIELDS))


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
        raise SeedError(f"duplicate labels {quoted(labels)}", path, line)
    seed_id = obj.get("id")
    if seed_id is None:  # no id, or a null one: the seed is named by its file and line
        seed_id = f"{Path(path).stem}:{line}"
    elif isinstance(seed_id, bool) or not isinstance(seed_id, (str, int)):
        raise SeedError(f"expected 'id' as a string or a whole number, got {type(seed_id).__name__}", path, line)
    for key in OPTIONAL_FIELDS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise SeedError(f"expected '{key}' as a string", path, line)
    replaces = obj.get("replaces", [])
    if not isinstance(replaces, list) or not all(isinstance(x, str) for x in replaces):
        raise SeedError("expected 'replaces' as a list of seed ids", path, line)
    return Seed(
        str(seed_id),
        text,
        tuple(labels),
        obj.get("date"),
        obj.get("source"),
        obj.get("lang"),
        path,
        line,
        tuple(replaces),
        obj.get("url"),
        obj.get("doc_id"),
        obj.get("title"),
        tuple(key for key in obj if key not in SEED_FIELDS),
    )


SEED_SUFFIXES = (".jsonl", ".ndjson", ".json")
#: compressed seed files are read as they are (``batch.jsonl.gz``)
COMPRESSED_SUFFIXES = ("", ".gz", ".bz2", ".zst")


#: what a file named for another format holds, which a seed file is not: it had been read as
#: JSON Lines, and a CSV of labelled passages was refused as 'malformed JSON' on every line, a
#: Parquet file as text in an unclear encoding
OTHER_FORMATS = {
    ".csv": "CSV",
    ".tsv": "TSV",
    ".parquet": "Parquet",
    ".pq": "Parquet",
    ".xlsx": "a spreadsheet",
    ".xls": "a spreadsheet",
    ".txt": "text",
    ".md": "text",
}


def other_format(name: str) -> str | None:
    """The format a file's name (compressed or not) says it holds, when it is not JSON Lines."""
    name = name.lower()
    for suffix in COMPRESSED_SUFFIXES[1:]:
        name = name.removesuffix(suffix)
    return next((what for suffix, what in OTHER_FORMATS.items() if name.endswith(suffix)), None)


def is_seed_file(path: Path) -> bool:
    """A visible file whose name ends in a seed suffix, compressed or not."""
    return path.is_file() and _seed_name(path.name)


def _seed_name(name: str) -> bool:
    """A visible name ending in a seed suffix, compressed or not."""
    return not name.startswith(".") and any(name.endswith(s + c) for s in SEED_SUFFIXES for c in COMPRESSED_SUFFIXES)


def seed_files_in(directory: Path) -> list[Path]:
    """The seed files of ``directory`` (:func:`is_seed_file`, in name order); an entry named
    like one that is no regular file (a FIFO, a dangling link) is a :class:`SeedError`: its
    seeds would be left out without a word."""
    from trendscore.io.wholefile import listed_problem

    found = []
    for f in sorted(directory.iterdir()):
        if not is_seed_file(f):
            problem = listed_problem(f, "seed") if _seed_name(f.name) else None
            if problem is not None:
                raise SeedError(problem, str(f))
            continue
        found.append(f)
    return found


def seed_files(paths) -> list[str]:
    """The seed files named: each directory replaced by its seed files (by suffix, in name
    order, hidden ones left out); a directory without any is an error, and so is an entry named
    like a seed file that is no regular file (:func:`seed_files_in`)."""
    out = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = [str(f) for f in seed_files_in(path)]
            if not found:
                raise SeedError(f"directory holds no seed files ({', '.join(SEED_SUFFIXES)})", str(p))
            out += found
        else:
            out.append(str(p))
    return out


def iter_seed_lines(paths):
    """Yield ``(Seed, None)`` or ``(None, SeedError)`` for every non-blank line of the files
    (directories stand for the seed files in them).

    The files are read by the reader of every other input (:func:`trendscore.io.readers.open_lines`):
    line by line within its bound on a line's length, gzip, bzip2 and zstd files decompressed,
    the encoding told (UTF-8 with or without a byte-order mark, UTF-16/32, GB18030 or Big5;
    an unclear one refused). A problem with one line is yielded and reading goes on; one that
    stops the file (it cannot be opened or decoded, or a line is too long) ends that file."""
    for p in seed_files(paths):
        yield from _seed_lines(str(p))


def _seed_lines(path: str):
    """``(Seed, None)`` or ``(None, SeedError)`` for every non-blank line of the seed file ``path``
    (see :func:`iter_seed_lines`). A file named for another format (:func:`other_format`) is
    read as JSON Lines when its first line is JSON (a seed file kept as .txt); when it is not,
    or the file does not decode, the file is refused once as the format its name says: a CSV
    of labelled passages had been 'malformed JSON' on every line, a Parquet file text in an
    unclear encoding."""
    from trendscore.io.jsonfast import JSONDepthError, check_size, repeated_key
    from trendscore.io.readers import open_lines

    what = other_format(Path(path).name)

    def named_as(what: str) -> SeedError:
        return SeedError(
            f"seed files are JSON Lines (one object per line: {', '.join(SEED_SUFFIXES)}), not {what}: "
            'write each seed as a line such as {"text": "...", "labels": ["policy"]}',
            path,
        )

    try:
        with open_lines(path, "jsonl") as (_, lines):
            for n, line in lines:
                line = line.removeprefix("\ufeff")  # another file's byte-order mark, joined on
                if not line.strip():
                    continue
                try:
                    check_size(line)  # a line of '[],' had taken 20 times its length in memory
                    obj = json.loads(line, parse_constant=no_constant)
                except (ValueError, RecursionError) as exc:  # JSONDecodeError, JSONDepthError too
                    if what is not None:
                        yield None, named_as(what)
                        return
                    if isinstance(exc, JSONDepthError):
                        problem = f"malformed JSON ({exc})"
                    elif isinstance(exc, json.JSONDecodeError):
                        problem = f"malformed JSON ({exc.msg})"
                    elif isinstance(exc, RecursionError):  # brackets deeper than the parser's recursion goes
                        problem = "malformed JSON (nested too deeply)"
                    else:  # NaN or Infinity, which every other input refuses too
                        problem = f"malformed JSON ({exc})"
                    yield None, SeedError(problem, path, n)
                    continue
                what = None  # JSON, whatever the name says
                key = repeated_key(line, obj) if isinstance(obj, dict) else None
                if key is not None:  # the parser kept its last value: which was meant is unknown
                    twice = f"an object holds the key {quoted(key)} twice; give each field once"
                    yield None, SeedError(twice, path, n)
                    continue
                try:
                    yield _seed_from(obj, path, n), None
                except SeedError as exc:
                    yield None, exc
    except InputError as exc:
        if what is not None:
            yield None, named_as(what)
        else:
            yield None, exc if isinstance(exc, SeedError) else SeedError(exc.message, exc.path or path, exc.line)


def files_named(paths) -> str:
    """How an error names the files it is about: the one file, or the first and how many more
    (a seed directory holds dozens; a message stays short)."""
    names = list(dict.fromkeys(str(p) for p in paths))
    if not names:
        return "(no files)"
    return names[0] if len(names) == 1 else f"{names[0]} and {counted(len(names) - 1, 'more file')}"


def without_replaced(seeds: list[Seed]) -> list[Seed]:
    """``seeds`` less every seed whose id another seed's ``replaces`` names.

    Where either comes does not matter: a correction is about an id, and the order of seed
    files (a directory's name order, the order they are given in) says nothing about which was
    written last. A seed naming its own id drops the other seeds that hold it, not itself (a
    corrected copy kept under the old id); a ``replaces`` that no other seed's id answers drops
    nothing (the seed it names may be in a file not read; ``seeds validate`` reports it).
    """
    naming: dict[str, list[Seed]] = {}
    for s in seeds:
        for r in s.replaces:
            naming.setdefault(r, []).append(s)
    if not naming:
        return seeds
    return [s for s in seeds if not any(other is not s for other in naming.get(s.id, ()))]


def replacement_cycles(seeds: list[Seed]) -> list[list[Seed]]:
    """The groups of seeds that replace one another round a cycle (A's ``replaces`` names B's
    id and B's names A's, or longer rounds), each group in the order of ``seeds``, the groups in
    the order of their first seed. :func:`without_replaced` would drop every seed of such a
    group, the corrections with what they correct; a seed naming only its own id is no cycle.
    """
    holders: dict[str, list[int]] = {}
    for i, s in enumerate(seeds):
        holders.setdefault(s.id, []).append(i)
    edges = {
        i: [j for r in dict.fromkeys(s.replaces) for j in holders.get(r, ()) if j != i]
        for i, s in enumerate(seeds)
        if s.replaces
    }
    # Tarjan's strongly connected components, without recursion (a long chain of corrections
    # must not reach Python's recursion limit)
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    groups: list[list[int]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, k = work.pop()
            if k == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            following = edges.get(node, [])
            if k < len(following):
                work.append((node, k + 1))
                nxt = following[k]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return [[seeds[i] for i in group] for group in sorted(groups)]


def cycle_text(cycle: list[Seed], most: int = 5) -> str:
    """How a message names seeds of a replacement cycle: each one's id and file:line, the
    first ``most`` of them and how many more (a message stays one short line)."""
    named = ", ".join(f"{quoted(s.id)} ({s.path}:{s.line})" for s in cycle[:most])
    return named + (f" and {len(cycle) - most} more" if len(cycle) > most else "")


def report_groups(seeds: list[Seed]) -> list[str] | None:
    """Each seed's report (``doc_id``, else ``url``; a seed without either is its own), or
    None when no two seeds share a report (plain folds then)."""
    keys = [s.doc_id or s.url for s in seeds]
    named = [k for k in keys if k]
    if len(set(named)) == len(named):
        return None
    return [k if k else f"\x00seed{i}" for i, k in enumerate(keys)]


def read_seeds(paths) -> list[Seed]:
    """Read seed files in the given order; raises :class:`SeedError` naming file:line.

    A seed whose id another seed lists in ``replaces`` is dropped, wherever the two come (see
    :func:`without_replaced`; ``seeds add --on-conflict replace`` records corrections that way,
    without rewriting old files). Seeds that replace one another round a cycle
    (:func:`replacement_cycles`) are refused, naming the first one's file and line: each would
    drop the other, and no seed of them would be left.
    """
    seeds: list[Seed] = []
    for seed, error in iter_seed_lines(paths):
        if error is not None:
            raise error
        seeds.append(seed)
    cycles = replacement_cycles(seeds)
    if cycles:  # dropping them would lose the corrections with the seeds they correct
        first = cycles[0][0]
        raise SeedError(
            f"seeds {cycle_text(cycles[0])} replace one another in a cycle, so all of them would be dropped; "
            "take 'replaces' off the one to keep",
            first.path,
            first.line,
        )
    seeds = without_replaced(seeds)
    if not seeds:
        raise SeedError("no seed records found", files_named(paths))
    return seeds


def theme_order(seeds: list[Seed]) -> list[str]:
    """The five default themes in their order when the seeds use them, else sorted names."""
    used = {lab for s in seeds for lab in s.labels}
    if used <= set(DEFAULT_THEMES):
        return list(DEFAULT_THEMES)
    return sorted(used)


def model_themes(seeds: list[Seed], themes: list[str] | None = None) -> list[str]:
    """The model's label columns: ``themes`` when given (the seeds' labels already kept to
    them, :func:`keep_themes`), else the seeds' themes (:func:`theme_order`); a single-label
    model knows only the classes its seeds use, in that order."""
    themes = list(themes) if themes is not None else theme_order(seeds)
    if all(len(s.labels) == 1 for s in seeds):
        used = {s.labels[0] for s in seeds}
        themes = [t for t in themes if t in used]
    return themes


def check_label_spellings(seeds: list[Seed]) -> None:
    """Refuse, naming the file and line of both, two labels that are one name written two
    ways (:func:`~trendscore.modeling.modelcheck.theme_spelling`: ``Sports`` and ``sports``,
    ``ｓｐｏｒｔｓ``, ``café`` composed and decomposed, ``regional hub`` and ``regional_hub``):
    a model had learnt them as two themes, each from part of the seeds, printed alike."""
    from trendscore.modeling.modelcheck import alike_spellings, how_alike, theme_name_problem

    # a label that is no theme name is refused as such (check_trainable), not as a spelling
    alike = alike_spellings(label for s in seeds for label in s.labels if theme_name_problem(label) is None)
    if not alike:
        return
    first_seed: dict[str, Seed] = {}
    for s in seeds:
        for label in s.labels:
            first_seed.setdefault(label, s)
    later = next(label for s in seeds for label in s.labels if label in alike)
    earlier = alike[later]
    at, before = first_seed[later], first_seed[earlier]
    raise SeedError(
        f"label {quoted(later)} and label {quoted(earlier)} ({before.path}:{before.line}) are one name written "
        f"two ways ({how_alike(later, earlier)}): a model would learn them as two themes; write one spelling for both",
        at.path,
        at.line,
    )


def keep_themes(seeds: list[Seed], themes: list[str]) -> tuple[list[Seed], dict[str, int], int]:
    """The seeds with only the labels among ``themes`` (a seed left with none is an example of
    none of them); how many times each other label was taken off, and from how many seeds.
    Labels that are one name in two spellings are refused first (:func:`check_label_spellings`):
    the spelling not listed would be taken off as another theme."""
    import dataclasses

    check_label_spellings(seeds)  # a listed theme's other spelling had been taken off as a theme not listed
    keep = set(themes)
    kept: list[Seed] = []
    ignored: dict[str, int] = {}
    touched = 0
    for s in seeds:
        labels = tuple(t for t in s.labels if t in keep)
        if len(labels) != len(s.labels):
            touched += 1
            for t in s.labels:
                if t not in keep:
                    ignored[t] = ignored.get(t, 0) + 1
            s = dataclasses.replace(s, labels=labels)
        kept.append(s)
    return kept, dict(sorted(ignored.items())), touched


def seeds_sha256(seeds: list[Seed]) -> str:
    """A hash of the seeds' content (texts and labels), independent of file names."""
    digest = hashlib.sha256()
    for s in seeds:
        digest.update(json.dumps([s.text, sorted(s.labels)], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def label_conflicts(seeds: list[Seed]) -> dict | None:
    """Texts the seeds hold more than once with other labels (compared as ``seeds validate``
    compares them, :func:`~trendscore.text.keys.comparison_key`), as a model card records
    them: ``{"texts": how many, "first": "FILE:LINE", "labels": [...], "with": "FILE:LINE",
    "other": [...]}`` for the first such seed and the earlier one it contradicts; None when
    every text has one set of labels. Training learns from both, each label against the other.

    >>> mk = lambda line, text, labels: Seed(str(line), text, labels, None, None, None, "s.jsonl", line)
    >>> label_conflicts([mk(1, "短剧出海", ("overseas",)), mk(2, "短剧，出海。", ("policy",)), mk(3, "别的", ())])
    {'texts': 1, 'first': 's.jsonl:2', 'labels': ['policy'], 'with': 's.jsonl:1', 'other': ['overseas']}
    """
    from trendscore.text.keys import comparison_key

    first: dict[str, Seed] = {}
    clashing: dict[str, tuple[Seed, Seed]] = {}
    for s in seeds:
        key = comparison_key(s.text)
        if not key:
            continue
        earlier = first.setdefault(key, s)
        if set(earlier.labels) != set(s.labels) and key not in clashing:
            clashing[key] = (s, earlier)
    if not clashing:
        return None
    seed, earlier = next(iter(clashing.values()))
    return {
        "texts": len(clashing),
        "first": f"{seed.path}:{seed.line}",
        "labels": list(seed.labels),
        "with": f"{earlier.path}:{earlier.line}",
        "other": list(earlier.labels),
    }


#: the largest share of seeds not of exactly one label that a model card notes as making it
#: multi-label (a label set meant as one class a passage, with a slip or two)
FEW_MULTILABEL = 0.05


def few_make_multilabel(seeds: list[Seed]) -> dict | None:
    """The seeds that alone make a model multi-label: those not carrying exactly one label,
    when they are at most :data:`FEW_MULTILABEL` of the seeds, as a model card records them
    (``{"seeds": how many, "of": all seeds, "first": "FILE:LINE", "labels": [...]}``); None
    when every seed has one label, or many do not (a multi-label set by design).

    >>> mk = lambda line, labels: Seed(str(line), "t", labels, None, None, None, "s.jsonl", line)
    >>> few_make_multilabel([mk(i + 1, ("a",) if i % 2 else ("b",)) for i in range(30)] + [mk(31, ())])
    {'seeds': 1, 'of': 31, 'first': 's.jsonl:31', 'labels': []}
    """
    odd = [s for s in seeds if len(s.labels) != 1]
    if not odd or len(odd) > FEW_MULTILABEL * len(seeds):
        return None
    return {"seeds": len(odd), "of": len(seeds), "first": f"{odd[0].path}:{odd[0].line}", "labels": list(odd[0].labels)}
