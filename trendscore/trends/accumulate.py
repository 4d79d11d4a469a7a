"""Counting a stream of passages per day: theme counts, the spread of reports, outlets, copies.

Memory grows with the number of distinct days, themes and (up to :data:`MAX_SOURCES`)
outlets, and with two bounded buffers, never with the number of passages:

- *Reports.* Passages that name their report (``doc_id``, else ``url``; a digest's document) are
  gathered per report and day while the report is open, then counted together: the day keeps,
  besides the sums, the sums of squares and products of the reports' passage and theme counts,
  from which the momentum test takes a variance that treats a report as one unit of evidence.
  At most :data:`MAX_OPEN_REPORTS` reports are open; beyond that the one least recently
  added to is closed (a passage of it that comes later starts a second unit).
- *Copies.* A passage whose text (spacing, punctuation and case aside) was already counted
  within :data:`COPY_DAYS` days is a copy (the same report syndicated by another site) and is
  folded: counted once, and ``folded`` says how many were left out. Which ones fold is decided
  when the stream ends, by one rule that does not look at the order: the sightings of a text
  are taken by day (on one day, the first by report, outlet, themes and named things, compared
  as text); the first is kept, every one within :data:`COPY_DAYS` days of the last kept one
  folds, the next one beyond that is kept, and so on (days 0, 5 and 10: 5 folds, 10 counts).
  Until then a text holds one passage per day it was seen on (a second one of the same day
  folds at once, whichever is kept), in a buffer of :data:`MAX_PENDING_COPIES` passages;
  two accumulators' buffers merge as if one had read both. Beyond that bound the text least
  recently seen on a new day is decided early, on the sightings held so far, and a later
  sighting of it starts afresh: only then can the order of the records (or how they were split
  among workers) change what folds.

Counts are integers in millionths of a passage, so soft counts (model probabilities) add up
exactly and no result depends on record order (within the buffers' bounds).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from trendscore.io.columns import LABEL_SEPARATOR
from trendscore.text.keys import fingerprint
from trendscore.trends.emerging import Reach, Unthemed, merge_unthemed
from trendscore.trends.outlets import Spellings, outlet_key

__all__ = [
    "Accumulator",
    "TooManyThemes",
    "past_limit",
    "SCALE",
    "MAX_SOURCES",
    "MAX_THEMES",
    "OTHER_SOURCES",
    "COPY_DAYS",
]

#: soft counts are stored as integer millionths of a passage
SCALE = 1_000_000
#: outlets counted apart (more are lumped together, so memory stays bounded)
MAX_SOURCES = 500
OTHER_SOURCES = "(other sources)"
#: distinct theme names a score counts apart; more is refused (memory grows as days x themes)
MAX_THEMES = 200
#: a passage repeated within this many days of the first is a copy
COPY_DAYS = 7
MAX_PENDING_COPIES = 200_000
MAX_OPEN_REPORTS = 50_000


class TooManyThemes(ValueError):
    """A theme name beyond the :data:`MAX_THEMES` distinct ones an accumulator counts;
    ``theme`` is that name, for the caller to say where it was met."""

    def __init__(self, theme: str):
        self.theme = theme
        name = theme if len(theme) <= 60 else theme[:60] + "..."
        super().__init__(
            f"more than {MAX_THEMES} distinct theme names (at label {name!r}): a score counts at most "
            f"{MAX_THEMES}, the names the labels give together with the model's themes and any asked for"
        )


def past_limit(counted: Iterable[str], met: Iterable[str]) -> str | None:
    """The first theme of ``met`` (in the order it was met) that takes the themes already
    ``counted`` past :data:`MAX_THEMES`, or None. A part of the input that stopped at an error
    (or passed the limit on its own) may have passed it earlier together with the parts
    before it, as one process reading the whole input would have.

    >>> past_limit([f"t{i}" for i in range(199)], ["t0", "x", "y"])
    'y'
    """
    seen = set(counted)
    for theme in met:
        if theme not in seen:
            seen.add(theme)
            if len(seen) > MAX_THEMES:
                return theme
    return None


class Accumulator:
    """Per-day totals and theme counts of a stream of passages (see the module docstring).

    ``days[day]`` is ``[passages, count of theme 1, ...]``; ``cross[day]`` and ``square[day]``
    hold what reports of several passages, and soft counts, add to the sums of squares beyond
    what single passages with whole labels would (absent: nothing); ``sources[outlet][day]``
    is ``{0: passages, theme index + 1: count}``; ``units[day]`` and ``unit_square[day]`` what
    counting each report of several passages as one unit, of its passages' share of each theme,
    changes in the day's counts and sums of squares (the momentum test's units).
    ``reach``, when given, is the days a score can use of the sample of passages that fit no
    theme (see :class:`~trendscore.trends.emerging.Reach`); without it every day is sampled."""

    def __init__(self, themes: Iterable[str], reach: Reach | None = None):
        self.themes: list[str] = []
        self._index: dict[str, int] = {}
        self.days: dict[int, list[int]] = {}
        self.cross: dict[int, list[int]] = {}  # [passages^2, theme * passages ...] beyond single passages
        self.square: dict[int, list[int]] = {}  # [unused, theme^2 ...] beyond single whole-label passages
        # reports as units of weight one: [1 - passages, theme share - theme count ...] per report
        # of several passages, and [unused, share^2 - count^2 ...] (shares in millionths)
        self.units: dict[int, list[int]] = {}
        self.unit_square: dict[int, list[int]] = {}
        self.sources: dict[str, dict[int, dict[int, int]]] = {}  # keyed by outlet_key
        self.spellings = Spellings()  # how each outlet was written, to name it (outlet_name)
        self.records = 0
        self.undated = 0
        self.by_model = 0  # passages counted with model probabilities (the rest kept their labels)
        #: theme names the passages' own ``provisional`` field gives (``label``'s output of a
        #: model with provisional themes), at most MAX_THEMES of them
        self.provisional: set[str] = set()
        self._provisional_seen: object = None  # the last field read: the same on every record
        self.folded = 0  # copies left out
        self.latest: int | None = None  # the latest day of any dated passage, folded copies too
        self.reports = 0  # reports of two passages or more, counted as one unit each
        # texts least recently seen on a new day first, popped from the front in O(1):
        # fingerprint -> its one passage held, or {day: passage} once seen on several days;
        # a passage is [day, source, report, contribution, names, unthemed]
        self._copies: OrderedDict[int, list | dict[int, list]] = OrderedDict()
        self._held = 0  # passages held in _copies (one per text and day)
        # (fingerprint, day) -> copies of that day's held passage, already folded, that were
        # offered to the unthemed sample: taken back out there when the day's fate is known
        self._unthemed_extras: dict[tuple[int, int], int] = {}
        #: day -> (list, term) -> {0: passages mentioning it, theme index + 1: their theme weight}
        self.mentions: dict[int, dict[tuple, dict[int, int]]] = {}
        #: a sample of the passages that fit no theme, for emerging topics
        self.unthemed = Unthemed(reach=reach)
        self._open: OrderedDict[tuple, list] = OrderedDict()  # (report, day) -> [passages, {theme: count}]
        for t in themes:
            self.theme_index(t)

    # ------------------------------------------------------------------ themes and rows

    def theme_index(self, theme: str) -> int:
        """The column of ``theme`` in the count rows, adding a column the first time a theme is
        seen; more than :data:`MAX_THEMES` distinct names is a :class:`TooManyThemes` (a
        ValueError naming the theme that passed the limit)."""
        i = self._index.get(theme)
        if i is None:
            i = self._index[theme] = len(self.themes)
            if i >= MAX_THEMES:
                del self._index[theme]
                raise TooManyThemes(theme)
            self.themes.append(theme)
            for table in (self.days, self.cross, self.square, self.units, self.unit_square):
                for row in table.values():
                    row.append(0)
        return i

    def _row(self, table: dict, day: int) -> list[int]:
        row = table.get(day)
        if row is None:
            row = table[day] = [0] * (len(self.themes) + 1)
        return row

    def outlet_name(self, key: str) -> str:
        """The name an outlet of :attr:`sources` is shown by: its most frequent spelling."""
        return self.spellings.name(key)

    def _source_row(self, source: str, day: int) -> dict[int, int]:
        """The counts of outlet ``source`` (an :func:`~trendscore.trends.outlets.outlet_key`) on
        a day: ``{0: passages, theme index + 1: count}``, sparse, so outlets x days x themes
        never fills memory with zeros."""
        days = self.sources.get(source)
        if days is None:
            if len(self.sources) >= MAX_SOURCES:
                source = OTHER_SOURCES
                days = self.sources.setdefault(source, {})
            else:
                days = self.sources[source] = {}
        row = days.get(day)
        if row is None:
            row = days[day] = {0: 0}
        return row

    # ------------------------------------------------------------------ adding passages

    def add_labels(
        self, day: int | None, labels, source=None, report=None, text=None, names=(), unthemed: bool = False
    ) -> None:
        """One passage with hard labels (a list of theme names); ``report`` names the report it
        was split from, ``text`` lets a copy of it be recognised, ``names`` are the named things
        it mentions (``(list, term)`` pairs, see :func:`trendscore.text.namelists.mentions_many`);
        ``unthemed`` offers its text to the sample of passages that fit no theme (copies of
        one passage are counted there once, as everywhere)."""
        self.records += 1
        if day is None:
            self.undated += 1
            return
        if self.latest is None or day > self.latest:
            self.latest = day
        index = self._index
        if report is None and text is None and not names:  # the common case, kept fast
            row = self.days.get(day) or self._row(self.days, day)
            row[0] += SCALE
            for lab in labels:
                i = index.get(lab)
                if i is None:
                    i = self.theme_index(lab)
                row[i + 1] += SCALE
            if source is not None:
                self._add_source(source, day, {index[lab]: SCALE for lab in labels})
            return
        contribution = {}
        for lab in labels:
            i = index.get(lab)
            contribution[self.theme_index(lab) if i is None else i] = SCALE
        self._passage(day, source, report, text, contribution, names, unthemed)

    def add_scores(
        self, day: int | None, scores: dict, source=None, report=None, text=None, names=(), unthemed: bool = False
    ) -> None:
        """One passage with model probabilities, counted as soft (fractional) passages;
        ``unthemed`` as for :meth:`add_labels`."""
        self.records += 1
        self.by_model += 1
        if day is None:
            self.undated += 1
            return
        if self.latest is None or day > self.latest:
            self.latest = day
        contribution = {}
        for theme, p in scores.items():
            i = self._index.get(theme)
            contribution[self.theme_index(theme) if i is None else i] = int(round(p * SCALE))
        if report is None and text is None and not names:
            self._count(day, SCALE, contribution)
            if source is not None:
                self._add_source(source, day, contribution)
            return
        self._passage(day, source, report, text, contribution, names, unthemed)

    def _passage(self, day, source, report, text, contribution, names, unthemed: bool = False) -> None:
        names = tuple(dict.fromkeys(names))  # each name once per passage
        fp = fingerprint(text) if isinstance(text, str) else None
        if fp is None:
            self._release(day, source, report, contribution, names)
            return
        if unthemed:  # offered now; taken back out below if it proves to be a copy
            self.unthemed.add_print(day, fp, text, source)
        self._hold(fp, [day, source, report, contribution, names, unthemed])

    def _hold(self, fp: int, passage: list, unthemed_extras: int = 0) -> None:
        """Keep a passage until the end of the stream (one per text and day: of two on the same
        day the lesser by :meth:`_rank` is kept, the other folds now, since whatever the rule
        decides for that day it decides for both); ``unthemed_extras`` are copies of it already
        folded (in a merged accumulator) that the unthemed sample still counts."""
        day = passage[0]
        held = self._copies.get(fp)
        if held is None:
            self._copies[fp] = passage
        elif isinstance(held, list):
            if held[0] == day:
                self._copies[fp] = self._same_day(fp, held, passage, unthemed_extras)
                return
            self._copies[fp] = {held[0]: held, day: passage}
            self._copies.move_to_end(fp)
        else:
            other = held.get(day)
            if other is not None:
                held[day] = self._same_day(fp, other, passage, unthemed_extras)
                return
            held[day] = passage
            self._copies.move_to_end(fp)
        if unthemed_extras:
            self._unthemed_extras[fp, day] = unthemed_extras
        self._held += 1
        while self._held > MAX_PENDING_COPIES:
            self._decide(*self._copies.popitem(last=False))

    def _same_day(self, fp: int, held: list, passage: list, unthemed_extras: int) -> list:
        """The one of two passages of a text on one day that is kept; the other is folded."""
        kept, copy = (passage, held) if self._rank(passage) < self._rank(held) else (held, passage)
        self.folded += 1
        unthemed_extras += copy[5]
        if unthemed_extras:
            key = (fp, kept[0])
            self._unthemed_extras[key] = self._unthemed_extras.get(key, 0) + unthemed_extras
        return kept

    def _rank(self, passage: list) -> tuple:
        """The order among passages of one text and day: by report, then outlet (as before),
        then whatever else tells two apart, so that which is kept never depends on arrival."""
        day, source, report, contribution, names, unthemed = passage
        themes = self.themes
        return (
            str(report),
            str(source),
            type(report).__name__,
            type(source).__name__,
            sorted((themes[i], v) for i, v in contribution.items()),
            repr(names),
            unthemed,
        )

    def _decide(self, fp: int, held: list | dict[int, list]) -> None:
        """Count a text's held passages by the copy rule (see the module docstring): the first
        day kept, the days within :data:`COPY_DAYS` of the last kept one folded."""
        extras = self._unthemed_extras
        if isinstance(held, list):
            self._held -= 1
            self._release(*held)
            if extras:
                for _ in range(extras.pop((fp, held[0]), 0)):
                    self.unthemed.fold(held[0], fp, held[0])
            return
        self._held -= len(held)
        kept = None
        for day in sorted(held):
            passage = held[day]
            if kept is None or day - kept > COPY_DAYS:
                kept = day
                self._release(*passage)
            else:
                self.folded += 1
                if passage[5]:
                    self.unthemed.fold(day, fp, kept)
            if extras:
                for _ in range(extras.pop((fp, day), 0)):
                    self.unthemed.fold(day, fp, kept)

    def _release(self, day, source, report, contribution, names=(), unthemed: bool = False) -> None:
        """A passage known not to be a copy: counted for its outlet, its names, and its report."""
        if source is not None:
            self._add_source(source, day, contribution)
        if names:
            self._add_names(day, names, contribution)
        if report is None:
            self._count(day, SCALE, contribution)
            return
        key = (report, day)
        unit = self._open.get(key)
        if unit is None:
            unit = self._open[key] = [0, {}]
            if len(self._open) > MAX_OPEN_REPORTS:
                self._close(next(iter(self._open)))
        else:  # the report least recently added to is the one closed beyond the limit
            self._open.move_to_end(key)
        unit[0] += SCALE
        sums = unit[1]
        for i, v in contribution.items():
            sums[i] = sums.get(i, 0) + v

    def _close(self, key) -> None:
        n, sums = self._open.pop(key)
        if n > SCALE:
            self.reports += 1
        self._count(key[1], n, sums)

    def _count(self, day: int, n: int, contribution: dict[int, int]) -> None:
        """One unit of evidence (a passage, or a report of ``n`` passages) on ``day``."""
        row = self.days.get(day) or self._row(self.days, day)
        row[0] += n
        for i, v in contribution.items():
            row[i + 1] += v
        if n != SCALE:
            cross = self._row(self.cross, day)
            cross[0] += n * n - n * SCALE
            for i, v in contribution.items():
                cross[i + 1] += v * (n - SCALE)
            # the same report as one unit: its count becomes its share of its passages
            units, unit_square = self._row(self.units, day), self._row(self.unit_square, day)
            units[0] += SCALE - n
            for i, v in contribution.items():
                share = (v * SCALE + n // 2) // n
                units[i + 1] += share - v
                unit_square[i + 1] += share * share - v * v
        extra = [(i, v * v - v * SCALE) for i, v in contribution.items() if v != SCALE and v]
        if extra:
            square = self._row(self.square, day)
            for i, e in extra:
                square[i + 1] += e

    def _add_names(self, day: int, names: tuple, contribution: dict[int, int]) -> None:
        """Per day and named thing: passages mentioning it, and their theme weights (sparse)."""
        table = self.mentions.get(day)
        if table is None:
            table = self.mentions[day] = {}
        for name in names:
            row = table.get(name)
            if row is None:
                row = table[name] = {0: 0}
            row[0] += SCALE
            for i, v in contribution.items():
                if v:
                    row[i + 1] = row.get(i + 1, 0) + v

    def _add_source(self, source, day: int, contribution: dict[int, int]) -> None:
        key = outlet_key(source)
        if key is None:
            return
        srow = self._source_row(key, day)
        if key in self.sources:  # not lumped with the outlets beyond MAX_SOURCES
            self.spellings.add(key, source)
        srow[0] += SCALE
        for i, v in contribution.items():
            srow[i + 1] = srow.get(i + 1, 0) + v

    def settle(self) -> Accumulator:
        """Count every passage still waiting in the buffers (done before scoring)."""
        while self._copies:
            self._decide(*self._copies.popitem(last=False))
        while self._open:
            self._close(next(iter(self._open)))
        return self

    # ------------------------------------------------------------------ merging

    def note_provisional(self, given) -> None:
        """Take the theme names of a passage's ``provisional`` field: a list of names, or a CSV
        cell joining them with ``|`` (as ``label`` writes it). Anything else names none."""
        if type(given) is str or type(given) is list:  # an array would compare element by element
            if given == self._provisional_seen:
                return
            self._provisional_seen = given
        names = given.split(LABEL_SEPARATOR) if isinstance(given, str) else given
        try:
            for name in names:
                if isinstance(name, str) and name.strip() and len(self.provisional) < MAX_THEMES:
                    self.provisional.add(name.strip())
        except TypeError:  # a number, or another value that is no list of names
            return

    def merge(self, other: Accumulator) -> None:
        """Add another accumulator's counts (e.g. one per partition of a big input); copies and
        reports still waiting in either are matched as if one accumulator had read both."""
        for t in other.themes:
            self.theme_index(t)
        remap = [self._index[t] for t in other.themes]
        tables = [(self.days, other.days), (self.cross, other.cross), (self.square, other.square)]
        tables += [(self.units, other.units), (self.unit_square, other.unit_square)]
        for mine, theirs in tables:
            for day, orow in theirs.items():
                _add_row(self._row(mine, day), orow, remap)
        for source, days in other.sources.items():
            for day, sparse in days.items():
                _add_sparse(self._source_row(source, day), sparse, remap)
        self.spellings.merge(other.spellings)
        self.records += other.records
        self.undated += other.undated
        self.by_model += other.by_model
        for theme in other.provisional:
            if len(self.provisional) < MAX_THEMES:
                self.provisional.add(theme)
        self.folded += other.folded
        if other.latest is not None and (self.latest is None or other.latest > self.latest):
            self.latest = other.latest
        self.reports += other.reports
        for (report, day), (n, sums) in other._open.items():
            unit = self._open.setdefault((report, day), [0, {}])
            unit[0] += n
            for i, v in sums.items():
                unit[1][remap[i]] = unit[1].get(remap[i], 0) + v
        while len(self._open) > MAX_OPEN_REPORTS:
            self._close(next(iter(self._open)))
        for day, table in other.mentions.items():
            day_names = self.mentions.setdefault(day, {})
            for name, sparse in table.items():
                _add_sparse(day_names.setdefault(name, {0: 0}), sparse, remap)
        merge_unthemed(self.unthemed, other.unthemed)
        extras = other._unthemed_extras
        for fp, held in other._copies.items():
            for day, source, report, contribution, names, unthemed in (
                [held] if isinstance(held, list) else held.values()
            ):
                passage = [day, source, report, {remap[i]: v for i, v in contribution.items()}, names, unthemed]
                self._hold(fp, passage, extras.get((fp, day), 0) if extras else 0)


def _add_sparse(row: dict[int, int], other: dict[int, int], remap: list[int]) -> None:
    """Add a sparse row ``{0: passages, theme index + 1: count}`` of another accumulator."""
    for i, v in other.items():
        key = 0 if i == 0 else remap[i - 1] + 1
        row[key] = row.get(key, 0) + v


def _add_row(row: list[int], other: list[int], remap: list[int]) -> None:
    row[0] += other[0]
    for j, i in enumerate(remap):
        row[i + 1] += other[j + 1]
