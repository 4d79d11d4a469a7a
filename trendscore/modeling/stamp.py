"""The time a model card records as made, and the check of ``SOURCE_DATE_EPOCH`` that comes first
in everything that fits a model."""

from __future__ import annotations

import datetime as _dt
import os

from trendscore.errors import InputError

__all__ = ["check_source_date_epoch", "created_stamp"]


def check_source_date_epoch() -> None:
    """Refuse a malformed ``SOURCE_DATE_EPOCH`` (:class:`~trendscore.errors.InputError`) before
    anything imports scikit-learn: numpy, imported by SciPy under it, reads the variable as an
    integer and fails with a traceback otherwise. Call it first in anything that fits a model."""
    created_stamp()


def created_stamp() -> str:
    """The card's ``created`` time: now, or ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when
    that is set, as reproducible builds agree, so a rebuild gives the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        when = _dt.datetime.now(_dt.UTC)
    elif not epoch.isdigit() or len(epoch) > 11:
        raise InputError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}")
    else:
        when = _dt.datetime.fromtimestamp(int(epoch), _dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
