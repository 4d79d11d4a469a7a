"""Finding the fonts the picture is drawn with, without a font library of the system's.

The plot names themes in Chinese when a font that draws Chinese is installed, so the usual
folders of Linux, macOS and Windows are searched for the common CJK font files by name; the
Latin text falls back to a sans-serif of the system's or, on a machine with no fonts at all,
to the one Pillow carries. A search visits a bounded number of entries, so a font folder on a
slow or huge mount cannot hang a run.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

__all__ = ["font_folders", "find_font", "cjk_font_file", "latin_font_file", "load_font"]

#: lower-cased file names (without "-", "_" and spaces) that draw Chinese, best first
_CJK_NAMES = (
    "notosanscjkregular.ttc",
    "notosanscjkscregular.otf",
    "notosanssc",
    "sourcehansans",
    "wqymicrohei.ttc",
    "wqyzenhei.ttc",
    "droidsansfallbackfull.ttf",
    "droidsansfallback.ttf",
    "pingfang.ttc",
    "msyh.ttc",
    "simhei.ttf",
    "notoserifcjkregular.ttc",
)
_LATIN_NAMES = ("dejavusans.ttf", "liberationsansregular.ttf", "notosansregular.ttf", "arial.ttf", "helvetica.ttc")
#: entries a search looks at, at most, across all folders
_VISIT_LIMIT = 50_000


def font_folders() -> list[Path]:
    """The folders searched for fonts, in order: the user's (when there is a home folder to
    find), then the system's."""
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no HOME, and a user without a passwd entry (a container's uid)
        user: list[Path] = []
    else:
        user = [home / ".local/share/fonts", home / ".fonts", home / "Library/Fonts"]
    folders = [
        *user,
        Path("/usr/local/share/fonts"),
        Path("/usr/share/fonts"),
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts"),
    ]
    windows = os.environ.get("WINDIR")
    if windows:
        folders.append(Path(windows) / "Fonts")
    return folders


def _key(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "").replace(" ", "")


def find_font(wanted: tuple[str, ...], folders: list[Path] | None = None) -> Path | None:
    """The first font file whose name matches ``wanted`` (prefixes of the normalised file
    name, earlier ones preferred), or None when none is found within the visit limit."""
    found: dict[int, Path] = {}
    visits = 0
    for folder in font_folders() if folders is None else folders:
        for dirpath, dirnames, filenames in os.walk(folder, onerror=lambda err: None):
            dirnames.sort()
            for name in sorted(filenames):
                visits += 1
                if visits > _VISIT_LIMIT:
                    return found[min(found)] if found else None
                key = _key(name)
                for rank, prefix in enumerate(wanted):
                    if key.startswith(prefix) and rank not in found:
                        found[rank] = Path(dirpath) / name
                        break
            if 0 in found:
                return found[0]
    return found[min(found)] if found else None


@functools.cache
def cjk_font_file() -> Path | None:
    """An installed font file that draws Chinese, or None."""
    return find_font(_CJK_NAMES)


@functools.cache
def latin_font_file() -> Path | None:
    """An installed sans-serif font file for Latin text, or None (Pillow's own is used)."""
    return find_font(_LATIN_NAMES)


@functools.cache
def _collection_index(path: Path) -> int:
    """The face of a font collection for Simplified Chinese (``SC`` in its name), or 0."""
    from PIL import ImageFont

    for index in range(12):
        try:
            face = ImageFont.truetype(str(path), 10, index=index)
        except OSError:  # past the last face of the collection
            break
        if " SC" in " ".join(part or "" for part in face.getname()):
            return index
    return 0


def load_font(size: int, cjk: bool):
    """A Pillow font of ``size`` pixels: the CJK font when ``cjk`` and one is installed,
    else a Latin sans-serif of the system's, else Pillow's own."""
    from PIL import ImageFont

    path = cjk_font_file() if cjk else None
    if path is not None:
        index = _collection_index(path) if path.suffix.lower() == ".ttc" else 0
        try:
            return ImageFont.truetype(str(path), size, index=index)
        except OSError:
            pass
    latin = latin_font_file()
    if latin is not None:
        try:
            return ImageFont.truetype(str(latin), size)
        except OSError:
            pass
    return ImageFont.load_default(size)
