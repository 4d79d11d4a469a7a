"""JSON for the hot paths: orjson when it can, the standard library when it cannot.

orjson parses and writes several times faster; the standard library takes over for what
orjson refuses (lone surrogates escaped in strings, non-string keys), so the results are the
same documents either way.
"""

from __future__ import annotations

import json

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency, this keeps a broken install working
    orjson = None

__all__ = ["loads", "dumps_line"]


def loads(text: str):
    """Parse one JSON document; raises json.JSONDecodeError as the standard library does."""
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # let the standard library decide, and word the error
    return json.loads(text)


def dumps_line(obj) -> str:
    """One compact JSON line (UTF-8 text, not escaped), ending in a newline."""
    if orjson is not None:
        try:
            return orjson.dumps(obj).decode("utf-8") + "\n"
        except TypeError:
            pass
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":")) + "\n"
