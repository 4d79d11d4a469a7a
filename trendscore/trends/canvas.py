"""A small raster canvas for charts, drawn with Pillow at twice the size and reduced.

Pillow draws lines and shapes without smoothing; drawing everything at ``SCALE`` times the
size and reducing the image by averaging gives smooth edges at a few milliseconds' cost. All
coordinates given to a :class:`Canvas` are pixels of the final image; :class:`Axes` maps data
coordinates into a box of it.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from trendscore.io.writers import printable

__all__ = ["Canvas", "Axes", "nice_ticks", "png_bytes", "SCALE"]

#: the factor of supersampling
SCALE = 2
#: points to pixels of the final image (a figure of 100 pixels per inch)
PT = 100 / 72


def nice_ticks(top: float, most: int = 5, steps=(1, 2, 2.5, 5)) -> list[float]:
    """Ticks 0, s, 2s, ... up to ``top``, ``s`` a round step (1, 2, 2.5 or 5 times a power of
    ten) chosen so that there are at most ``most`` of them."""
    if not top > 0 or math.isinf(top):
        return [0.0]
    power = 10.0 ** math.floor(math.log10(top / most))
    for factor in (1, 10):
        for s in steps:
            step = s * power * factor
            if top / step < most:
                count = int(math.floor(top / step + 1e-9)) + 1
                return [round(i * step, 12) for i in range(count)]
    return [0.0, top]


class Canvas:
    """A white image of ``width`` x ``height`` final pixels."""

    def __init__(self, width: int, height: int, fonts):
        from PIL import Image, ImageDraw

        self.width, self.height = width, height
        self.image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
        self.draw = ImageDraw.Draw(self.image, "RGBA")
        self._fonts = fonts  # size in points -> Pillow font at SCALE
        self._cache: dict[float, object] = {}

    def font(self, points: float):
        """The font of ``points`` size (at the canvas's scale)."""
        if points not in self._cache:
            self._cache[points] = self._fonts(max(1, round(points * PT * SCALE)))
        return self._cache[points]

    @staticmethod
    def _xy(points):
        return [(x * SCALE, y * SCALE) for x, y in points]

    def line(self, points, colour, width_pt: float, dotted: bool = False) -> None:
        """A polyline; ``dotted`` draws it as dots a few pixels apart."""
        width = max(1, round(width_pt * PT * SCALE))
        if not dotted:
            if len(points) >= 2:
                self.draw.line(self._xy(points), fill=colour, width=width, joint="curve")
            return
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            n = max(1, int(math.hypot(x1 - x0, y1 - y0) / 3))
            for i in range(0, n + 1, 2):
                a, b = i / n, min(1.0, (i + 1) / n)
                seg = [(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)]
                self.draw.line(self._xy(seg), fill=colour, width=width)

    def polygon(self, points, fill, outline=None) -> None:
        """A filled polygon (``fill`` may carry an alpha)."""
        if len(points) >= 3:
            self.draw.polygon(self._xy(points), fill=fill, outline=outline)

    def band(self, xs, lows, highs, colour, alpha: int) -> None:
        """The area between two lines over the same x (pixels), in ``colour`` at ``alpha``
        (0-255): drawn a step at a time into a mask, so a band of thousands of points costs no
        more than its steps and overlapping edges are not blended twice."""
        from PIL import Image, ImageDraw

        if len(xs) < 2:
            return
        left, right = min(xs) * SCALE, max(xs) * SCALE
        top, bottom = min(highs + lows) * SCALE, max(highs + lows) * SCALE
        ox, oy = math.floor(left) - 1, math.floor(top) - 1
        mask = Image.new("L", (math.ceil(right) - ox + 2, math.ceil(bottom) - oy + 2), 0)
        pen = ImageDraw.Draw(mask)
        pts = [(x * SCALE - ox, lo * SCALE - oy, hi * SCALE - oy) for x, lo, hi in zip(xs, lows, highs)]
        for (x0, lo0, hi0), (x1, lo1, hi1) in zip(pts, pts[1:]):
            pen.polygon([(x0, hi0), (x1, hi1), (x1, lo1), (x0, lo0)], fill=alpha)
        self.image.paste(Image.new("RGB", mask.size, colour), (ox, oy), mask)

    def rect(self, x0, y0, x1, y1, fill=None, outline=None, width_pt: float = 0.8) -> None:
        """A rectangle between two corners, in any order."""
        box = [min(x0, x1) * SCALE, min(y0, y1) * SCALE, max(x0, x1) * SCALE, max(y0, y1) * SCALE]
        self.draw.rectangle(box, fill=fill, outline=outline, width=max(1, round(width_pt * PT * SCALE)))

    def dot(self, x, y, diameter_pt: float, fill, outline=None) -> None:
        """A round marker of ``diameter_pt`` points centred on (x, y)."""
        r = diameter_pt * PT * SCALE / 2
        cx, cy = x * SCALE, y * SCALE
        self.draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill, outline=outline, width=max(1, round(r / 2)))

    def text(self, x, y, words: str, points: float, anchor: str = "la", colour="#222222") -> float:
        """Text at (x, y) with Pillow's ``anchor`` (``la`` left-top, ``ra``, ``mm``, ...); the
        width in final pixels. Control characters and lone surrogates are drawn as escapes."""
        words = printable(words)
        font = self.font(points)
        self.draw.text((x * SCALE, y * SCALE), words, font=font, fill=colour, anchor=anchor)
        return font.getlength(words) / SCALE

    def width_of(self, words: str, points: float) -> float:
        """The width of ``words`` in final pixels."""
        return self.font(points).getlength(printable(words)) / SCALE

    def fit(self, words: str, points: float, room: float) -> str:
        """``words`` cut short with an ellipsis so as to take at most ``room`` pixels."""
        if self.width_of(words, points) <= room:
            return words
        low, high = 0, len(words)  # the longest prefix that fits with the ellipsis
        while low < high:
            mid = (low + high + 1) // 2
            if self.width_of(words[:mid] + "…", points) <= room:
                low = mid
            else:
                high = mid - 1
        return words[:low] + "…"

    def turned_text(self, x, y, words: str, points: float, angle: float, colour="#222222") -> None:
        """Text turned ``angle`` degrees anticlockwise whose end (right middle) sits at (x, y)."""
        from PIL import Image, ImageDraw

        words = printable(words)
        font = self.font(points)
        left, top, right, bottom = font.getbbox(words, anchor="lm")
        w, h = right - left + 2, bottom - top + 2
        piece = Image.new("L", (w, h), 0)
        ImageDraw.Draw(piece).text((1 - left, 1 - top), words, font=font, fill=255, anchor="lm")
        turned = piece.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
        # where the right-middle point of the text went: rotate about the centres
        t = math.radians(angle)
        dx, dy = w / 2, (1 - top) - h / 2
        ex = dx * math.cos(t) + dy * math.sin(t) + turned.width / 2
        ey = -dx * math.sin(t) + dy * math.cos(t) + turned.height / 2
        ink = Image.new("RGB", turned.size, colour)
        self.image.paste(ink, (round(x * SCALE - ex), round(y * SCALE - ey)), turned)

    def png(self) -> bytes:
        """The finished image reduced to its final size, as PNG bytes."""
        return png_bytes(self.image.reduce(SCALE))


def png_bytes(image) -> bytes:
    """An RGB Pillow image as a PNG file: its rows unfiltered, deflated at level 3. Written here
    rather than by Pillow's saver, whose first use loads every image plugin (~40 ms, more than
    the encoding); a chart's runs of flat colour deflate well without row filters."""
    width, height = image.size
    raw, stride = image.tobytes(), width * 3
    rows = b"".join(b"\x00" + raw[i * stride : (i + 1) * stride] for i in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 3)) + chunk(b"IEND", b"")


@dataclass
class Axes:
    """A box of the canvas (left, top, right, bottom in final pixels) showing data limits
    ``xlim`` x ``ylim``."""

    canvas: Canvas
    left: float
    top: float
    right: float
    bottom: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]

    def x(self, value: float) -> float:
        """The pixel column of a data x."""
        a, b = self.xlim
        return self.left + (value - a) / (b - a) * (self.right - self.left)

    def y(self, value: float) -> float:
        """The pixel row of a data y."""
        a, b = self.ylim
        return self.bottom - (value - a) / (b - a) * (self.bottom - self.top)

    def frame(self, yticks: Sequence[float], ylabel, xticks: Sequence[float], grid: bool = True) -> None:
        """The grid, the frame and the ticks; ``ylabel(v)`` is the text beside each y tick."""
        c = self.canvas
        if grid:
            for v in yticks:
                c.line([(self.left, self.y(v)), (self.right, self.y(v))], "#e4e4e4", 0.6)
            for v in xticks:
                c.line([(self.x(v), self.top), (self.x(v), self.bottom)], "#e4e4e4", 0.6)
        c.rect(self.left, self.top, self.right, self.bottom, outline="#444444", width_pt=0.6)
        for v in yticks:
            c.line([(self.left - 3, self.y(v)), (self.left, self.y(v))], "#444444", 0.6)
            c.text(self.left - 5, self.y(v), ylabel(v), 7, anchor="rm")
        for v in xticks:
            c.line([(self.x(v), self.bottom), (self.x(v), self.bottom + 3)], "#444444", 0.6)
