"""Scoring a stream of records: labels as given, or from the model, into theme momentum."""

from __future__ import annotations

import datetime
import heapq
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from trendscore.errors import Hint, InputError, hinted, quoted
from trendscore.io.columns import LABEL_SEPARATOR, Columns, joining_mark
from trendscore.io.dates import is_missing, is_pandas_period, pandas_period_day, parse_date, period_of
from trendscore.io.readers import check_text
from trendscore.io.rows import RECORDS
from trendscore.modeling.model import BATCH
from trendscore.seeds.files import DEFAULT_THEMES
from trendscore.trends.accumulate import Accumulator, TooManyThemes, past_limit
from trendscore.trends.momentum import MomentumSettings, Score, compute_score, emerging_reach
from trendscore.trends.outlets import outlet_key
from trendscore.wording import counted, plural

__all__ = [
    "score",
    "score_stream",
    "accumulate",
    "score_tally",
    "in_theme_order",
    "ScoreSettings",
    "Tally",
    "TallyMerge",
    "model_info",
    "require_dates",
    "Examples",
]

_DATE_CACHE_LIMIT = 100_000
_UNSEEN = object()  # a date not yet in the cache
#: a passage whose every theme probability is below this fits no theme (emerging topics)
UNTHEMED_BELOW = 0.5


class Examples:
    """The passages that weigh most for each theme, kept per period (bounded memory); among
    equal weights (labelled records all weigh 1) the latest passages are kept. Labelled
    passages that came without text are counted per theme and period (``textless``), so a
    report can say why it shows none rather than that the theme had none."""

    def __init__(self, freq: str, per_period: int = 8, text_chars: int = 400):
        self.freq, self.per_period, self.text_chars = freq, per_period, text_chars
        self.heaps: dict[tuple[str, int], list] = {}
        self.textless: dict[tuple[str, int], int] = {}
        self._n = 0

    def add_textless(self, day: int, labels) -> None:
        """Count a passage dated ``day`` that carries ``labels`` but no text to show."""
        period = period_of(day, self.freq)
        for theme in labels:
            key = (theme, period)
            self.textless[key] = self.textless.get(key, 0) + 1

    def without_text(self, theme: str, first_period: int, last_period: int) -> int:
        """How many passages labelled ``theme`` in the periods given came without text."""
        return sum(self.textless.get((theme, p), 0) for p in range(first_period, last_period + 1))

    def add(self, day: int, weights: dict[str, float], record: dict, given: bool = False) -> None:
        """Offer ``record`` (dated ``day``) as an example of each theme it weighs at least 0.5
        for, in that theme's heap for the day's period. ``given``: its labels were given, not
        the model's probabilities (a probability that rounds to 1 is still the model's)."""
        self._n += 1
        for theme, w in weights.items():
            if w < 0.5:
                continue
            key = (theme, period_of(day, self.freq))
            heap = self.heaps.setdefault(key, [])
            text = str(record.get("text", ""))
            if len(text) > self.text_chars:
                text = text[: self.text_chars - 1].rstrip() + "…"
            item = (
                round(w, 4),
                day,
                self._n,
                text,
                record.get("source"),
                record.get("date"),
                record.get("doc_title") or record.get("title"),
                record.get("url"),
                given,
            )
            if len(heap) < self.per_period:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)

    def merge(self, other: Examples) -> None:
        """Add the examples of the stream that follows this one: the same as if its records had
        been added here after this one's."""
        for key, items in other.heaps.items():
            heap = self.heaps.setdefault(key, [])
            for w, day, n, *rest in items:
                item = (w, day, n + self._n, *rest)
                if len(heap) < self.per_period:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)
        for key, n in other.textless.items():
            self.textless[key] = self.textless.get(key, 0) + n
        self._n += other._n

    def top(self, theme: str, first_period: int, last_period: int, n: int = 5, exclude=()) -> list[dict]:
        """The ``n`` passages weighing most for ``theme`` in the periods given, latest first
        among equals; at most one per report (title or url) and no two with the same words,
        and none whose words are in ``exclude`` (fingerprints of passages shown elsewhere)."""
        from trendscore.text.keys import fingerprint

        items = []
        for p in range(first_period, last_period + 1):
            items.extend(self.heaps.get((theme, p), []))
        items.sort(reverse=True)
        out, seen, reports = [], set(exclude), set()
        for w, _, _, text, source, date, title, url, given in items:
            fp = fingerprint(text)
            report = next((k for k in (url, title) if isinstance(k, (str, int)) and k != ""), None)
            if fp in seen or (report and report in reports):
                continue
            seen.add(fp)
            if report:
                reports.add(report)
            why = f"{'labelled' if given else f'probability {w:.2f}'} for {theme}, dated in the call's window"
            out.append(
                {
                    "weight": w,
                    "text": text,
                    "source": source,
                    "date": date,
                    "title": title,
                    "url": url,
                    "why": why,
                    "fingerprint": fp,
                }
            )
            if len(out) == n:
                break
        return out


def _check_labels(labels, path: str, line: int) -> None:
    """Refuse labels that are not a list of distinct theme names. A name is counted as it is
    written, so an empty one, or one with white space at either end (``'policy '``), would be
    a theme of its own beside ``policy``: refused (a CSV cell's names are stripped as read).
    So is a name holding ``|`` (``'policy|overseas'``): CSV cells join names with it, and such
    a list item is two themes written as one, which no theme name may hold; and one holding
    its full-width form (``'政策｜出海'``), refused in a CSV cell too."""
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise InputError(f"expected 'labels' as a list of theme names, got {type(labels).__name__}", path, line)
    if len(set(labels)) != len(labels):
        raise InputError(f"duplicate labels {quoted(labels)}", path, line)
    for name in labels:
        if not name or name != name.strip():
            what = "an empty label" if not name.strip() else f"label {quoted(name)} with white space at either end"
            raise InputError(f"{what}: it would be counted as a theme apart; give the theme's name as such", path, line)
        mark = joining_mark(name)
        if mark is not None:  # 'policy|overseas': two themes joined as a CSV cell joins them
            which = "" if mark == LABEL_SEPARATOR else f", the full-width form of '{LABEL_SEPARATOR}'"
            raise InputError(
                f"label {quoted(name)} holds '{mark}'{which}, which joins theme names in CSV; "
                "in a list, give each theme as an item of its own",
                path,
                line,
            )


@dataclass(frozen=True)
class ScoreSettings:
    """How a stream is scored.

    Parameters
    ----------
    freq : {"day", "week", "month"}, default="week"
    as_of : datetime.date, str or None, default=None
        The last day scored; by default the latest date read (folded copies included).
    relabel : bool, default=False
        Label every record with the model, even those carrying ``labels``.
    momentum : MomentumSettings or None, default=None
        The momentum maths' settings (None: their defaults).
    themes : tuple of str or None, default=None
        Themes listed whatever the passages hold, before any other (None: only the themes
        the records' labels name, and the model's when it labels any passage).
    by : {"source", "lang", "place"} or None, default=None
        Also score each group apart (see :mod:`trendscore.trends.breakdown`).
    columns : Columns or None, default=None
        The fields the records were renamed through (:meth:`Columns.rename`): an error about
        a record's text names the user's text field (``'body' or 'text'``), not ``text``.
    """

    freq: str = "week"
    as_of: datetime.date | str | None = None
    relabel: bool = False
    momentum: MomentumSettings | None = None
    themes: tuple[str, ...] | None = None
    by: str | None = None
    columns: Columns | None = None


@dataclass
class Tally:
    """The counts of a stream, before scoring: the accumulator, the per-group accumulators
    (with ``by``), the passages whose dates do not parse (how many, and the first as
    ``(path, line, value)``), the model that labelled passages (None if none did), and where
    each theme the stream added was first met, as ``(path, line)`` (``theme_at``: so a merge
    that passes :data:`~trendscore.trends.accumulate.MAX_THEMES` can name the line)."""

    acc: Accumulator
    groups: Any = None  # a breakdown.Groups when scored by outlet, language or place
    bad_dates: int = 0
    first_bad_date_at: tuple | None = None
    model: Any = None  # a Model, or None
    theme_at: dict = field(default_factory=dict)

    def merge(self, other: Tally) -> None:
        """Add the counts of the stream that follows this one (groups are not merged)."""
        self.acc.merge(other.acc)
        if self.first_bad_date_at is None:
            self.first_bad_date_at = other.first_bad_date_at
        self.bad_dates += other.bad_dates
        self.model = self.model or other.model

    @property
    def stats(self) -> dict:
        """Counts of dates that did not parse, and where the first was, for the score's warnings."""
        out: dict = {"bad_dates": self.bad_dates}
        if self.first_bad_date_at is not None:
            out["first_bad_date_at"] = self.first_bad_date_at
        return out


#: moves a part's ``(path, line)`` to where that line stands in the whole input
Place = Callable[[str, int | None], tuple[str, int | None]]


class TallyMerge:
    """The tallies of the consecutive parts of one input (the chunks of a job, the partitions
    of a Dask frame), added in input order into ``total``, with the theme limit
    (:data:`~trendscore.trends.accumulate.MAX_THEMES`) refused where one process reading the
    whole input would refuse it. Each part numbers its lines from its own start; the caller
    says with a ``place`` function where such a line stands in the whole input."""

    def __init__(self) -> None:
        self.total: Tally | None = None

    def limit_before_error(self, met: dict | None) -> tuple[str, str, int | None] | None:
        """For a part that stopped at an error, having first met the themes ``met`` (``theme ->
        (path, line)`` in the order met, lines the part's own): ``(message, path, line)`` of the
        theme limit, when those themes and the parts before passed it before the error's line
        (the error one process would have raised first), else None."""
        if self.total is None or not met:
            return None
        theme = past_limit(self.total.acc.themes, met)
        if theme is None:
            return None
        path, line = met[theme]
        return str(TooManyThemes(theme)), path, line

    def add(self, tally: Tally, name: str, place: Place) -> None:
        """Add the next part's ``tally`` (its input named ``name``): its first bad date moved to
        its place in the whole input, and an :class:`~trendscore.errors.InputError` naming the
        line where a theme took the parts together past the limit (each within it alone)."""
        if tally.first_bad_date_at is not None:
            where, line, value = tally.first_bad_date_at
            tally.first_bad_date_at = (*place(where, line), value)
        if self.total is None:
            self.total = tally
            return
        try:
            self.total.merge(tally)
        except TooManyThemes as exc:
            where, line = tally.theme_at.get(exc.theme, (name, None))
            raise InputError(str(exc), *place(where, line)) from None


def score_stream(
    items: Iterable[tuple[dict, str, int]],
    model_loader=None,
    settings: ScoreSettings | None = None,
    examples: Examples | None = None,
    skip=None,
) -> Score:
    """Score ``(record, path, line)`` items (see :func:`accumulate` and :func:`score_tally`)."""
    settings = settings or ScoreSettings()
    return score_tally(accumulate(items, model_loader, settings, examples, skip), settings)


def score_tally(tally: Tally, settings: ScoreSettings | None = None) -> Score:
    """The score of counted passages; refuses counts without any usable date."""
    settings = settings or ScoreSettings()
    model_themes = list(tally.model.themes) if tally.model is not None and tally.acc.by_model else []
    acc = in_theme_order(tally.acc, [*(settings.themes or ()), *model_themes])
    require_dates(acc, tally.stats)
    info = model_info(tally.model)
    freq, momentum = settings.freq, settings.momentum
    result = compute_score(acc, freq, settings.as_of, momentum, info, model_noise(info, acc))
    require_before_as_of(acc, result)
    result.notes.extend(alike_themes_notes(acc.themes))
    if tally.groups is not None:
        result.breakdown = {
            "by": settings.by,
            "groups": tally.groups.scores(
                # every group up to the overall score's last day, so their windows are the same weeks
                lambda a: compute_score(a, freq, result.as_of, momentum, info, model_noise(info, a)), result.themes
            ),
        }
    return result


def alike_themes_notes(themes: Iterable[str]) -> list[str]:
    """A note for each theme name that another of ``themes`` spells otherwise (``Sports``
    beside ``sports``, :func:`~trendscore.modeling.modelcheck.theme_spelling`): a score counts
    them as two themes, which had been listed apart, alike or nearly, without a word."""
    from trendscore.modeling.modelcheck import alike_spellings, how_alike

    return [
        f"themes {later!r} and {earlier!r} are one name written two ways ({how_alike(later, earlier)}) and are "
        "counted as two themes; write one spelling in the labels (or train the model with it)"
        for later, earlier in alike_spellings(themes).items()
    ]


def in_theme_order(acc: Accumulator, first: Iterable[str] = ()) -> Accumulator:
    """``acc`` with its themes in the order a score lists them: ``first`` (the themes asked
    for, then the model's when it labelled passages), the default themes, then the others as
    they were met. Only themes ``acc`` counted are listed: a default theme that no label names
    and no model gave shows no row. The order does not depend on how the passages were
    batched or split among workers. ``acc`` itself when already in that order, else a copy."""
    present = set(acc.themes)
    order = [t for t in dict.fromkeys([*first, *DEFAULT_THEMES, *acc.themes]) if t in present]
    if order == acc.themes:
        return acc
    ordered = Accumulator(order, acc.unthemed.reach)
    ordered.merge(acc)
    return ordered


def accumulate(
    items: Iterable[tuple[dict, str, int]],
    model_loader=None,
    settings: ScoreSettings | None = None,
    examples: Examples | None = None,
    skip=None,
    theme_at: dict | None = None,
) -> Tally:
    """Count ``(record, path, line)`` items. Records carrying ``labels`` are counted as they
    are (hard counts) unless ``settings.relabel``; the others are labelled by the model from
    ``model_loader()`` and counted with its probabilities (soft counts). With ``settings.by``
    each group is counted apart too. Bad lines go to ``skip`` when given.

    The themes counted are ``settings.themes``, those the labels name and, once the model
    labels a passage, the model's: a theme no passage could hold is not counted (see
    :func:`in_theme_order` for the order they are listed in).

    Each record's themes (its labels, or the model's at the first record the model labels) are
    added as the record is read, though passages are counted in batches: more than
    :data:`~trendscore.trends.accumulate.MAX_THEMES` is refused at the first record, in input
    order, that passes the limit, and the themes are in the order they were first met.
    ``theme_at``, when given, is filled with where each was met, ``theme -> (path, line)`` in
    that order (kept by the caller when this raises; the tally holds it too)."""
    settings = settings or ScoreSettings()
    relabel, by = settings.relabel, settings.by
    themes = list(settings.themes) if settings.themes else []
    model = None
    reach = emerging_reach(settings.freq, settings.momentum, settings.as_of)  # keep what can be used
    acc = Accumulator(themes, reach)
    groups = None
    if by is not None:
        from trendscore.trends.breakdown import Groups

        groups = Groups(by, themes, reach)
    date_cache: dict[str, int | None] = {}
    stats: dict = {"bad_dates": 0}
    pending: list[tuple[dict, int | None, str, int]] = []
    labelled_texts: list[tuple] = []  # labelled passages with text, named in batches
    checked: dict[tuple, tuple] = {}  # label lists already validated (archives repeat a few combinations)

    def day_of(record, path, line):
        value = record.get("date")
        # a date string seen before (archives repeat a few thousand) is one lookup
        day = date_cache.get(value, _UNSEEN) if type(value) is str else _UNSEEN
        if day is _UNSEEN:
            if is_missing(value):
                return None
            if is_pandas_period(value):  # its first day, when it lies in one period of the score's
                day = pandas_period_day(value, settings.freq, path, line)
                if day is not None:
                    return day
            key = value if isinstance(value, str) else repr(value)
            day = date_cache.get(key, _UNSEEN)
            if day is _UNSEEN:
                if len(date_cache) >= _DATE_CACHE_LIMIT:
                    date_cache.clear()
                day = date_cache[key] = parse_date(value)
        if day is None:
            stats["bad_dates"] += 1
            if "first_bad_date_at" not in stats:
                stats["first_bad_date_at"] = (path, line, quoted(value))
        return day

    if theme_at is None:
        theme_at = {}  # where each theme was first met
    themes_noted = len(acc.themes)

    def met(path: str, line: int) -> None:
        """Note where the themes added since the last call were met."""
        nonlocal themes_noted
        for theme in acc.themes[themes_noted:]:
            theme_at[theme] = (path, line)
        themes_noted = len(acc.themes)

    def register(names, path: str, line: int) -> None:
        """Add the themes a record brings, as it is read (not when its batch is counted)."""
        try:
            for t in names:
                acc.theme_index(t)
        except TooManyThemes as exc:  # the labels' theme names and the model's: too many
            raise InputError(str(exc), path, line) from None
        met(path, line)

    def need_model(path: str, line: int) -> None:
        """Load the model at the first record it labels, and add its themes there."""
        nonlocal model
        if model is None:
            model = model_loader()
            register(model.themes, path, line)

    def flush():
        need_model(pending[0][2], pending[0][3])  # loaded already, at pending's first record
        assert model is not None
        texts = [r["text"] for r, _, _, _ in pending]
        results = model.label(texts)
        for (record, day, _, _), res, names in zip(pending, results, named(texts)):
            where = (record.get("source"), report_key(record), record["text"], names)
            unthemed = max(res["scores"].values(), default=0.0) < UNTHEMED_BELOW
            acc.add_scores(day, res["scores"], *where, unthemed=unthemed)
            group = groups.of(record, names) if groups else None
            if group is not None:
                group.add_scores(day, res["scores"], *where)
            if examples is not None and day is not None:
                examples.add(day, res["scores"], record)
        pending.clear()

    def flush_labelled():
        for (record, day, labels, source, report, text, path, line), names in zip(
            labelled_texts, named([item[5] for item in labelled_texts])
        ):
            try:
                acc.add_labels(day, labels, source, report, text, names, unthemed=not labels)
                group = groups.of(record, names) if groups else None
                if group is not None:
                    group.add_labels(day, labels, source, report, text, names)
            except TooManyThemes as exc:  # a group's: never past the whole's
                raise InputError(str(exc), path, line) from None
        labelled_texts.clear()

    for record, path, line in items:
        labelled = not relabel and record.get("labels") is not None  # null: for the model to label
        if not labelled and model_loader is None:
            raise InputError("record has no 'labels' and no model was given to label it", path, line)
        try:
            if labelled:
                labels = record["labels"]
                try:
                    key = tuple(labels) if type(labels) is list else None
                    known = key in checked
                except TypeError:  # an unhashable element: not a theme name
                    key, known = None, False
                if not known:
                    _check_labels(labels, path, line)
            else:
                check_text(record, path, line, settings.columns)
        except InputError as exc:
            if skip is None:
                raise
            skip.add(exc)
            continue
        day = day_of(record, path, line)
        if labelled:
            given = record.get("provisional")  # label's mark of a model's provisional themes
            if given is not None:
                acc.note_provisional(given)
            # labels met before were registered then; an undated passage brings no theme (none
            # of its days is scored, as in score_dataframe), so its labels are checked again
            if not known and day is not None:
                register(labels, path, line)
                if key is not None and len(checked) < 10_000:
                    checked[key] = key
        elif model is None:
            need_model(path, line)
        if labelled:
            text = record.get("text")
            if text or "doc_id" in record or "url" in record:
                text = text if type(text) is str else None
                labelled_texts.append((record, day, labels, record.get("source"), report_key(record), text, path, line))
                if len(labelled_texts) >= BATCH:
                    flush_labelled()
            else:  # archives of labels alone: the fast path
                try:
                    acc.add_labels(day, labels, record.get("source"))
                    group = groups.of(record) if groups else None
                    if group is not None:
                        group.add_labels(day, labels, record.get("source"))
                except TooManyThemes as exc:  # a group's: never past the whole's
                    raise InputError(str(exc), path, line) from None
            if examples is not None and day is not None and labels:
                if text:  # only passages to show
                    examples.add(day, dict.fromkeys(labels, 1.0), record, given=True)
                else:
                    examples.add_textless(day, labels)
        else:
            pending.append((record, day, path, line))
            if len(pending) >= BATCH:
                flush()
    if pending:
        flush()
    if labelled_texts:
        flush_labelled()
    return Tally(acc, groups, stats["bad_dates"], stats.get("first_bad_date_at"), model, theme_at)


def named(texts: list) -> list[tuple]:
    """The named things (places, bodies, platforms of the curated lists) each text mentions,
    as ``(list, term)`` pairs; nothing for a missing text."""
    from trendscore.text.namelists import LISTS, mentions_many
    from trendscore.text.normalise import normalize_many

    present = [i for i, t in enumerate(texts) if isinstance(t, str) and t]
    found = mentions_many(normalize_many([texts[i] for i in present]), LISTS) if present else []
    out: list[tuple] = [()] * len(texts)
    for i, names in zip(present, found):
        out[i] = tuple(names)
    return out


def report_key(record: dict):
    """The report a passage was split from: its ``doc_id``, else its ``url``, with its outlet
    (None: unknown). A whole float is its integer: pandas holds an int column with a gap as
    floats (``7.0``), whose passages had each been a report of their own.

    >>> report_key({"doc_id": 7.0}) == report_key({"doc_id": 7}) == report_key({"doc_id": "7"})
    True
    >>> report_key({"doc_id": float("nan"), "url": "u"}), report_key({"doc_id": 7.5})
    (('url:u', None), ('doc_id:7.5', None))
    """
    for key in ("doc_id", "url"):
        value = record.get(key)
        if type(value) is float:  # NaN (a missing cell) and infinities name no report
            value = (int(value) if value.is_integer() else value) if math.isfinite(value) else None
        if value is not None and value != "" and type(value) in (str, int, float):
            return f"{key}:{value}", outlet_key(record.get("source"))
    return None


def require_dates(acc, stats: dict | None = None) -> None:
    """Refuse to score when no passage has a usable date: an empty ranking would look like
    an answer. The message says how many had no date and how many one that does not parse."""
    if acc.records > acc.undated:
        return
    if acc.records == 0:
        raise InputError("no records to score")
    stats = stats or {}
    bad = stats.get("bad_dates", 0)
    n = acc.records
    parts = ["no passage has a usable date (1 read)" if n == 1 else f"none of the {n} passages has a usable date"]
    if acc.undated - bad:
        parts.append(f"{acc.undated - bad} {plural(acc.undated - bad, 'has', 'have')} none")
    if bad:
        where, line, value = stats.get("first_bad_date_at", ("?", "?", "?"))
        dates = plural(bad, "has a date that does", "have dates that do")
        parts.append(f"{bad} {dates} not parse (first: {where}:{line}: {value})")
    error = InputError(
        "; ".join(parts) + "; dates are read from the 'date' field (YYYY-MM-DD, 2026年1月5日, 20260105, "
        "Jan 5, 2026, epoch seconds)"
    )
    raise hinted(error, Hint("{setting} NAME if another field holds them", "date_column"))


def require_before_as_of(acc, result: Score) -> None:
    """Refuse a score whose every dated passage lies after its ``as_of``: a ranking of no
    passages (every theme steady, every share '-') would look like an answer, as it does when
    no passage has a date (:func:`require_dates`)."""
    rec = result.records
    if not rec["dated"] or rec["after_as_of"] < rec["dated"]:
        return
    first = f" (the earliest is {datetime.date.fromordinal(min(acc.days)).isoformat()})" if acc.days else ""
    error = InputError(
        f"{plural(rec['dated'], 'the', 'all')} {counted(rec['dated'], 'dated passage')} "
        f"{plural(rec['dated'], 'is', 'are')} dated after as_of {result.as_of}{first}: nothing to score"
    )
    raise hinted(error, Hint("a later {setting}, or none to score as of the latest date", "as_of"))


def model_info(model) -> dict | None:
    """Which model labelled a score's passages: its name, where it is, when it was trained and
    the hash of the seeds it learned from (None for no model)."""
    if model is None:
        return None
    card = getattr(model, "card", None) or {}
    path = getattr(model, "path", None)
    noise = (card.get("cross_validation") or {}).get("negatives_mean_probability")
    provisional = [p.name for p in getattr(model, "provisional", ())]
    return {
        **({"provisional": provisional} if provisional else {}),
        "name": path.name.removesuffix("_model") if path is not None else None,
        "path": str(path) if path is not None else None,
        "created": card.get("created"),
        "trained_with": (card.get("versions") or {}).get("trendscore"),
        "seeds_sha256": (card.get("seeds") or {}).get("sha256"),
        "contents_sha256": getattr(model, "contents_sha256", None),
        "negatives_mean_probability": _checked_noise(noise),
    }


def _checked_noise(noise) -> dict | None:
    """The card's per-theme floor, kept only when every value is a number in [0, 0.5)."""
    if not isinstance(noise, dict):
        return None
    ok = all(
        isinstance(t, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 0.5
        for t, v in noise.items()
    )
    return {t: float(v) for t, v in noise.items()} if ok else None


def model_noise(info: dict | None, acc) -> dict | None:
    """The floor to take off the shares: the model's, when it labelled every counted passage
    (labels given with the records come from elsewhere, and mixing the two has no one floor)."""
    if not info or acc.by_model != acc.records:
        return None
    return info.get("negatives_mean_probability")


def score(
    records: Iterable[dict],
    freq: str = "week",
    as_of=None,
    model=None,
    relabel: bool = False,
    settings: MomentumSettings | None = None,
    rows: str = RECORDS,
    columns: Columns | None = None,
) -> Score:
    """Score theme momentum of records (dicts with ``text`` and ``date``; ``labels`` optional).

    Parameters
    ----------
    records : iterable of dict
        Records with a ``date`` (YYYY-MM-DD...). Those with ``labels`` are counted as labelled;
        the rest are labelled by ``model`` and counted with its probabilities.
    freq : {"day", "week", "month"}, default="week"
    as_of : str or datetime.date, default=None
        The last day scored; by default the latest date in the records.
    model : Model, path or None, default=None
        The model for records without labels (the bundled default if None).
    rows : str, default="<records>"
        How errors name the records (with their 1-based number): ``<DataFrame>`` for the rows
        of a DataFrame (see :mod:`trendscore.io.rows`).
    columns : Columns or None, default=None
        The fields the records were renamed through, which errors name (see
        :class:`ScoreSettings`).

    Examples
    --------
    >>> recs = [{"date": f"2025-01-{d:02d}", "labels": ["policy"] if d > 20 else []} for d in range(1, 29)]
    >>> result = score(recs, freq="day", as_of="2025-01-28")
    >>> result.themes[0]["theme"], result.as_of
    ('policy', '2025-01-28')
    """
    from trendscore.modeling.model import Model, load_model

    def loader():
        if isinstance(model, Model):
            return model
        from trendscore.modeling.registry import resolve_model

        return load_model(resolve_model(model))

    if isinstance(records, (dict, str, bytes)):
        what = "one dict" if isinstance(records, dict) else f"one {type(records).__name__}"
        raise InputError(f"expected records (an iterable of dicts) or a DataFrame, got {what}; wrap it in a list")

    def items() -> Iterator[tuple[dict, str, int]]:
        for n, record in enumerate(records, 1):
            if not isinstance(record, dict):
                raise InputError(f"expected a dict record, got {type(record).__name__}", rows, n)
            yield record, rows, n

    chosen = ScoreSettings(freq=freq, as_of=as_of, relabel=relabel, momentum=settings, columns=columns)
    return score_stream(items(), loader, chosen)
