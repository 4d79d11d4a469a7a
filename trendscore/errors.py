"""Exceptions raised by trendscore; the CLI maps each to a one-line message and an exit code."""

from __future__ import annotations

__all__ = ["TrendscoreError", "InputError", "ModelError", "SeedError"]


class TrendscoreError(ValueError):
    """Base class of every error trendscore raises on purpose."""

    exit_code = 1


class InputError(TrendscoreError):
    """A user's input cannot be read; carries the file and line it came from."""

    exit_code = 2

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class ModelError(TrendscoreError):
    """A model directory is missing, damaged, tampered with, or of an unknown format."""

    exit_code = 2


class SeedError(InputError):
    """A seed record breaks the seed format (schema, labels, duplicates)."""
