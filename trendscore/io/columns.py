"""Which fields of a record hold its text, date and id (the ``text_column``, ``date_column`` and
``id_column`` settings)."""

from __future__ import annotations

from dataclasses import dataclass

from trendscore.errors import Hint, InputError, TrendscoreError, hinted, one_line

__all__ = [
    "Columns",
    "LABEL_SEPARATOR",
    "FULL_WIDTH_SEPARATOR",
    "both_fields",
    "check_date_column",
    "check_labels_column",
    "joining_mark",
]

#: what joins the theme names of a ``labels`` cell in CSV, written and read
LABEL_SEPARATOR = "|"
#: the full-width bar a Chinese input method types for ``|`` (``政策｜出海``)
FULL_WIDTH_SEPARATOR = "\uff5c"


def joining_mark(name: str) -> str | None:
    """The bar in a label that joins two theme names as a CSV cell does (``|``, or its
    full-width form ``｜``), or None: such a label is two themes written as one.

    >>> joining_mark("policy|overseas"), joining_mark("政策｜出海"), joining_mark("policy")
    ('|', '｜', None)
    """
    return next((mark for mark in (LABEL_SEPARATOR, FULL_WIDTH_SEPARATOR) if mark in name), None)


@dataclass(frozen=True)
class Columns:
    """The names of the text, date and id fields in the user's records.

    Records are read with these fields renamed to ``text``, ``date`` and ``id``, the names
    the rest of trendscore (and its output) uses.

    Examples
    --------
    >>> Columns(text="body").rename({"body": "短剧", "date": "2026-01-05"}, "a.csv", 2)
    {'date': '2026-01-05', 'text': '短剧'}
    """

    text: str = "text"
    date: str = "date"
    id: str = "id"

    def __post_init__(self) -> None:
        """Refuse one field named to hold two of the text, the date and the id (``text_column``
        naming the date's field, ``date``): one of them would be read from it and the other's
        choice passed over without a word. One rule, one wording for every command and the API."""
        roles = (("text", self.text), ("date", self.date), ("id", self.id))
        for k, (first, name) in enumerate(roles):
            other = next((role for role, chosen in roles[k + 1 :] if chosen == name), None)
            if other is not None:
                error = InputError(
                    f"the {first} and the {other} are both to be read from {one_line(repr(name))}; "
                    "one field cannot hold both"
                )
                advice = f"{{setting}} and {{{other}_column}} naming two fields"
                raise hinted(error, Hint(advice, f"{first}_column", (f"{other}_column",)))

    @property
    def renames(self) -> dict[str, str]:
        """``{user's name: trendscore's name}`` for the fields named otherwise."""
        pairs = {self.text: "text", self.date: "date", self.id: "id"}
        return {k: v for k, v in pairs.items() if k != v}

    def is_default(self) -> bool:
        """True when no field is renamed: the records are read under their own names."""
        return not self.renames

    def check_header(self, fields: list[str], name: str, kind: str, require_text: bool = True) -> None:
        """Refuse a header without the text column (unless ``require_text`` is False and a
        ``labels`` column stands in: scoring labelled records needs no text), or with both a
        column and the field it would be renamed to (one of them would be lost). Where labels
        are read (``require_text`` False), a ``labels`` column spelt otherwise (``Labels``,
        ``LABELS``, `` labels``) is refused too: its labels would be passed over unread; and so
        is a ``date`` column spelt otherwise, unless another column is named to hold the date."""
        if not require_text:
            check_labels_column(fields, name, kind)
            if self.date == "date":
                check_date_column(fields, name, kind)
        if self.text not in fields and (require_text or "labels" not in fields):
            shown = one_line(", ".join(fields))  # a header cell may hold a line end (a quoted one)
            error = InputError(f"{kind} has no {self.text!r} column (columns: {shown})", name, 1)
            raise hinted(error, Hint("{setting} NAME for the column that holds the text", "text_column"))
        for mine, ours in self.renames.items():
            if mine in fields and ours in fields:
                raise both_fields(f"{kind} has both a {mine!r} and a {ours!r} column", ours, name, 1)
        for field in ("date", "id"):
            chosen = getattr(self, field)
            if chosen != field and chosen not in fields:
                error = InputError(f"{kind} has no {chosen!r} column, the one named to hold the {field}", name, 1)
                raise hinted(error, Hint(f"{{setting}} NAME for the column that holds the {field}", f"{field}_column"))

    def rename(self, record: dict, name: str, line: int) -> dict:
        """The record with the user's fields renamed (a record holding both names is refused)."""
        for mine, ours in self.renames.items():
            if mine in record:
                if ours in record:
                    raise both_fields(f"record has both {mine!r} and {ours!r}", ours, name, line)
                record[ours] = record.pop(mine)
        return record


def both_fields(what: str, field: str, name: str, line: int) -> TrendscoreError:
    """The error for a record (or header) holding both the user's field and the one it would be
    renamed to, ``field``: one of them would be lost. The advice names the setting that chooses
    the field, as the caller calls it (the library's keyword, the CLI's option)."""
    error = InputError(f"{what}; one of them would be lost", name, line)
    return hinted(error, Hint(f"{{setting}} naming the one that holds the {field}", f"{field}_column"))


def check_date_column(fields, name: str | None, kind: str, line: int = 1, what: str = "column") -> None:
    """Refuse, where dates are read, a header whose date column is spelt otherwise (``Date``,
    ``DATE``, `` date``) with none named ``date``: its dates would be passed over unread and
    its rows counted as undated, left out of the score with no more than a note. A JSON Lines
    record, which has no header, is checked as one (``line``, ``what``: its line, ``field``)."""
    fields = [str(f) for f in fields]
    if "date" in fields:
        return
    near = next((f for f in fields if f.strip().casefold() == "date"), None)
    if near is not None:
        dates, rows = ("its dates", "its rows") if what == "column" else ("its date", "the record")
        error = InputError(
            f"{kind} has a {what} {one_line(repr(near))}, not 'date': {dates} would not be read and "
            f"{rows} would be undated; name it 'date'",
            name,
            line,
        )
        raise hinted(error, Hint(f"{{setting}} {one_line(repr(near))} to read it", "date_column"))


def check_labels_column(fields, name: str | None, kind: str) -> None:
    """Refuse, where labels are read, a header whose labels column is spelt otherwise
    (``Labels``, ``LABELS``, `` labels``) with none named ``labels``: its labels would be passed
    over unread and the model would label every row. ``kind`` says what the header is of."""
    fields = [str(f) for f in fields]
    if "labels" in fields:
        return
    near = next((f for f in fields if f.strip().casefold() == "labels"), None)
    if near is not None:
        raise InputError(
            f"{kind} has a column {one_line(repr(near))}, not 'labels': its labels would not be read and the "
            "model would label every row; name it 'labels' (or drop it to have the model label the rows)",
            name,
            1,
        )
