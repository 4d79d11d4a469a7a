"""Exceptions raised by trendscore; the CLI maps each to a one-line message and an exit code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "TrendscoreError",
    "Hint",
    "hinted",
    "ENCODING_HINT",
    "InputError",
    "TextsError",
    "ModelError",
    "SeedError",
    "OneLabel",
    "NoTerms",
    "OneReport",
    "OutputError",
    "one_line",
    "quoted",
]


class TrendscoreError(ValueError):
    """Base class of every error trendscore raises on purpose.

    ``hint`` (None, or a :class:`Hint`) is advice in terms of the job's settings; the
    message never names a command-line option, the CLI renders the hint in its own words.
    """

    exit_code = 1
    hint: Hint | None = None


@dataclass(frozen=True)
class Hint:
    """Advice that names settings: ``advice`` with ``{setting}`` where the name of ``setting``
    goes (the keyword of the library call, ``jobs``), and ``{keyword}`` for each of ``others``;
    the CLI puts its options there."""

    advice: str
    setting: str
    others: tuple[str, ...] = ()

    def render(self, names: Mapping[str, str] | str | None = None) -> str:
        """The advice with each setting called by ``names`` (default: its keyword); a single
        name stands for :attr:`setting`."""
        if isinstance(names, str):
            names = {self.setting: names}
        names = names or {}
        called = {key: names.get(key, key) for key in (self.setting, *self.others)}
        return self.advice.format(setting=called[self.setting], **called)


#: the advice for bytes that do not decode: name the encoding, or replace what does not decode
ENCODING_HINT = Hint("{encoding} NAME, or {encoding_errors} replace", "encoding", ("encoding_errors",))


def hinted(error: TrendscoreError, hint: Hint) -> TrendscoreError:
    """``error`` carrying ``hint``, to raise."""
    error.hint = hint
    return error


class InputError(TrendscoreError):
    """A user's input cannot be read; carries the file and line it came from."""

    exit_code = 2

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self._render())

    def __reduce__(self):  # path, line and advice survive the trip from a worker process
        return (type(self), (self.message, self.path, self.line), {"hint": self.hint})

    def _render(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class TextsError(InputError, TypeError):
    """What the Python API was given in place of a list of texts (one string, a DataFrame, a
    text that is None or a number): an :class:`InputError`, as every trendscore error is a
    :class:`TrendscoreError`, and a TypeError, which is what Python calls it."""


class OutputError(TrendscoreError, OSError):
    """An output cannot be written (a full disk, a read-only folder); nothing was changed.
    Also an OSError, which is what it reports."""

    exit_code = 1


def one_line(message: str) -> str:
    """``message`` with line ends and other control characters shown as escapes, so that an
    error naming a user's text stays one line and cannot drive the terminal."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in message
    )


def quoted(value, most: int = 80) -> str:
    """``repr(value)`` as a message quotes a value from the data: cut to ``most`` characters,
    with ``...`` when longer, so that a date of megabytes or a list of a million labels
    leaves a short line."""
    text = repr(value)
    return text if len(text) <= most else text[:most] + "..."


class ModelError(TrendscoreError):
    """A model directory is missing, damaged, tampered with, or of an unknown format."""

    exit_code = 2


class SeedError(InputError):
    """A seed record breaks the seed format (schema, labels, duplicates)."""


class OneLabel(SeedError):
    """The seeds a model was to be fitted on are single-label and all carry the one label
    ``label``: a single-label model needs two labels or more, so no model can be made.
    Callers that can go on without that model (a cross-validation fold, a time split) catch it."""

    def __init__(self, message: str, label: str, path: str | None = None, line: int | None = None):
        self.label = label
        super().__init__(message, path, line)

    def __reduce__(self):  # the label survives the trip from a worker process too
        return (type(self), (self.message, self.label, self.path, self.line), {"hint": self.hint})


class NoTerms(SeedError):
    """The seeds a model was to be fitted on share no word or character n-gram in as many of
    them as the vocabulary asks (``min_df``): the model would have no feature. Callers that can
    go on without that model (a point of a learning curve) catch it."""


class OneReport(SeedError):
    """The seeds to be split into folds are all passages of one report: no fold can hold a
    report out. Callers that can go on without those folds (a point of a learning curve) catch it."""
