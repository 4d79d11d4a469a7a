"""Which fields of a record hold its text, date and id (``--text-column`` and friends)."""

from __future__ import annotations

from dataclasses import dataclass

from trendscore.errors import Hint, InputError, hinted, one_line

__all__ = ["Columns", "LABEL_SEPARATOR"]

#: what joins the theme names of a ``labels`` cell in CSV, written and read
LABEL_SEPARATOR = "|"


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
        column and the field it would be renamed to (one of them would be lost)."""
        if self.text not in fields and (require_text or "labels" not in fields):
            shown = one_line(", ".join(fields))  # a header cell may hold a line end (a quoted one)
            error = InputError(f"{kind} has no {self.text!r} column (columns: {shown})", name, 1)
            raise hinted(error, Hint("{setting} NAME for the column that holds the text", "text_column"))
        for mine, ours in self.renames.items():
            if mine in fields and ours in fields:
                raise InputError(
                    f"{kind} has both a {mine!r} and a {ours!r} column; choose one with --{ours}-column", name, 1
                )
        for flag in ("date", "id"):
            chosen = getattr(self, flag)
            if chosen != flag and chosen not in fields:
                raise InputError(f"{kind} has no {chosen!r} column (--{flag}-column)", name, 1)

    def rename(self, record: dict, name: str, line: int) -> dict:
        """The record with the user's fields renamed (a record holding both names is refused)."""
        for mine, ours in self.renames.items():
            if mine in record:
                if ours in record:
                    raise InputError(
                        f"record has both {mine!r} and {ours!r}; choose one with --{ours}-column", name, line
                    )
                record[ours] = record.pop(mine)
        return record
