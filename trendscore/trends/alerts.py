"""Alerts for scheduled runs: remember the calls of the last run, say what changed since.

The state file is a small JSON object, ``{"as_of", "freq", "calls": {theme: direction},
"model", "saved"}``, written atomically after each successful score; a missing file is a first
run. ``model`` names the model that labelled the run's passages (None for labels as given), so
the next run can say when its calls come from another model than the last run's (told apart
by the hash of the model's files).
Runs that share a state file take turns to compare with it and replace it
(:func:`holding_state`), so two that overlap do not both report the same change.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from trendscore.errors import InputError, OutputError
from trendscore.io.wholefile import NotReadable, read_whole
from trendscore.trends.momentum import Score

__all__ = [
    "read_state",
    "holding_state",
    "check_state_order",
    "call_changes",
    "write_state",
    "alert_report",
    "labelling_model",
    "ALERT_EXIT",
    "STATE_LOCK_WAIT_SECONDS",
]

#: the exit status of ``score --alert`` when a call changed since the last run
ALERT_EXIT = 3

#: how long a run waits for another run that shares its state file to compare with it and
#: replace it (a few seconds: writing its outputs, its alert and the state)
STATE_LOCK_WAIT_SECONDS = 60.0

#: the largest state file read; the ones written hold a few KB (at most 200 themes' calls)
MAX_STATE_BYTES = 1 << 20


def read_state(path: str, freq: str | None = None) -> dict | None:
    """The last run's calls, or None when there was none (no file yet); refused when they
    were made per another ``freq`` (weekly calls are not comparable with monthly ones). A
    path that is not a regular file (a FIFO, a device), one over :data:`MAX_STATE_BYTES`, or
    one that does not hold a state is refused with :class:`InputError`. The file is read by
    the guard of every file read whole (:func:`trendscore.io.wholefile.read_whole`): its status
    first, so a FIFO is never waited on, and its size, so a sparse file of gigabytes is refused
    unread. ``-`` (standard output: never read back) is refused too."""
    if path == "-":
        raise InputError("is standard output, not a file; the state file is read and then replaced: name a file", path)
    try:
        raw = read_whole(path, MAX_STATE_BYTES)
    except NotReadable as exc:
        if exc.reason == "missing":
            return None
        if exc.reason == "directory":
            raise InputError("is a directory, not a state file", path) from None
        if exc.reason == "special":  # a FIFO, device or socket: no state to read, and not to be replaced
            message = "is not a regular file; the state file is read and then replaced: name a file"
            raise InputError(message, path) from None
        if exc.reason == "large":
            raise InputError(
                f"over {MAX_STATE_BYTES >> 20} MiB, too large for a trendscore state file (the ones it writes hold "
                "a few KB): name another file",
                path,
            ) from None
        detail = str(exc).removeprefix("cannot be read ").strip("()")  # "Permission denied", "changed while..."
        raise InputError(f"cannot read the state file ({detail})", path) from None
    try:
        state = json.loads(raw.decode("utf-8-sig"))  # a byte-order mark an editor added is no reason to refuse
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("not a trendscore state file (not JSON)", path) from None
    except RecursionError:
        raise InputError("not a trendscore state file (JSON nested too deeply)", path) from None
    calls = state.get("calls") if isinstance(state, dict) else None
    if not isinstance(calls, dict) or not all(
        isinstance(t, str) and v in ("rising", "steady", "falling") for t, v in calls.items()
    ):
        raise InputError("not a trendscore state file (no 'calls' of rising/steady/falling)", path)
    as_of = state.get("as_of")
    if as_of is not None and not (isinstance(as_of, str) and _is_day(as_of)):
        raise InputError("not a trendscore state file ('as_of' is not a date of the form YYYY-MM-DD)", path)
    if freq is not None and state.get("freq") not in (None, freq):
        raise InputError(f"holds calls per {state.get('freq')}; this run is per {freq}: give another state file", path)
    return state


@contextmanager
def holding_state(path: str) -> Iterator[None]:
    """Hold the lock of the state file ``path`` (``.NAME.lock`` beside the file it names,
    through ``filelock``) while a run reads it, compares its calls and replaces it: a second
    run waits its turn, for at most :data:`STATE_LOCK_WAIT_SECONDS`, and then compares with
    the state the first one left. A lock not had in that time, or one that cannot be made
    (a read-only folder), is an :class:`~trendscore.errors.OutputError` naming the state file."""
    from trendscore.io.locks import waiting_lock

    real = Path(os.path.realpath(path))  # a symbolic link's target is the file replaced
    name = f".{real.name}.lock"
    with waiting_lock(
        str(real.parent / name),
        STATE_LOCK_WAIT_SECONDS,
        busy=lambda: OutputError(
            f"{path}: another run has held this state file's lock ({name}) for {STATE_LOCK_WAIT_SECONDS:g} s; "
            "nothing was written (try again once it ends)"
        ),
        unlockable=lambda exc: OutputError(
            f"{path}: cannot lock the state file ({exc.strerror or exc}); nothing was written"
        ),
    ):
        yield


def _is_day(text: str) -> bool:
    try:
        return len(text) == 10 and dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def check_state_order(previous: dict | None, score: Score, path: str) -> None:
    """Refuse to compare with, and replace, a state saved as of a later day than this run's:
    a run for an earlier day (a backfill with ``--as-of``) had reported its calls as changes
    from later ones and put its older calls in place of the last scheduled run's, so the next
    run alerted against the backfill."""
    saved = (previous or {}).get("as_of")
    if saved is not None and score.as_of is not None and saved > score.as_of:
        raise InputError(
            f"holds the calls as of {saved}, later than this run's {score.as_of}; a run for an earlier day "
            "would replace them: give another state file",
            path,
        )


def call_changes(previous: dict | None, score: Score) -> list[dict]:
    """Themes whose call differs from the last run's: ``{"theme", "was", "now", "reason"}``;
    ``was`` is None for a theme the last run did not have (reported only when it is called
    rising or falling), and ``now`` None for one this run does not have."""
    before = (previous or {}).get("calls", {})
    now = {t["theme"]: t for t in score.themes}
    out = []
    for theme, row in now.items():
        was = before.get(theme)
        if was != row["direction"] and not (was is None and row["direction"] == "steady"):
            out.append({"theme": theme, "was": was, "now": row["direction"], "reason": row["reason"]})
    for theme, was in before.items():
        if theme not in now and was != "steady":
            out.append({"theme": theme, "was": was, "now": None, "reason": "no longer among the scored themes"})
    return out


def write_state(path: str, score: Score) -> None:
    """Remember this run's calls (atomically: a killed run leaves the previous state)."""
    from trendscore.io.atomic import atomic_write_bytes

    state = {
        "as_of": score.as_of,
        "freq": score.freq,
        "calls": {t["theme"]: t["direction"] for t in score.themes},
        "model": labelling_model(score),
        "saved": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    atomic_write_bytes(path, (json.dumps(state, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def labelling_model(score: Score) -> dict | None:
    """Which model labelled a score's passages, as the state records it (name, when trained,
    seeds hash); None when every passage came with its labels."""
    model = (score.labelled_by or {}).get("model")
    if not model or not (score.labelled_by or {}).get("labelled_by_model"):
        return None
    return {key: model.get(key) for key in ("name", "created", "seeds_sha256", "contents_sha256")}


def _other_model(was, now: dict | None) -> bool:
    """Whether the model a state recorded (``was``) is not ``now``'s: by the hash of their
    files when both have one (a copy of a model in another folder is the same model; one with a
    theme added in place is another), else by name, training time and seeds."""
    if isinstance(was, dict) and now is not None and was.get("contents_sha256") and now.get("contents_sha256"):
        return was["contents_sha256"] != now["contents_sha256"]
    if isinstance(was, dict) and now is not None:
        return any(was.get(k) != now.get(k) for k in ("name", "created", "seeds_sha256"))
    return was != now


def alert_report(score: Score, previous: dict | None, changes: list[dict]) -> dict:
    """What ``score --alert`` prints: this run's and the last run's dates, what labelled this
    run's passages (as the score's ``labelled_by``), whether that model differs from the one
    the last run recorded (``model_changed``: false on a first run, and against a state saved
    before states recorded their model), and the changes."""
    now = labelling_model(score)
    changed = previous is not None and "model" in previous and _other_model(previous["model"], now)
    return {
        "as_of": score.as_of,
        "previous_as_of": (previous or {}).get("as_of"),
        "labelled_by": score.labelled_by,
        "model_changed": changed,
        "changes": changes,
    }
