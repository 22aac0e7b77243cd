"""The 14 E-13B characters as data, and a renderer that draws them at any resolution.

E-13B (ANSI X9.100-160 / ISO 1004) builds every character on a grid of 0.013-inch squares: the
digits and the transit and amount symbols are 9 squares (0.117 in) tall, the on-us and dash
symbols are shorter, widths run from 4 to 7 squares, and characters sit on a 0.125-inch pitch
(8 per inch). Each glyph here is a union of axis-aligned rectangles in those grid units, so the
same data serves the synthetic-check generator (which draws MICR lines) and the reader (which
renders its classification templates at the scale it measured on the page).

Text uses one letter per E-13B symbol, the project's `micr_line` notation: digits, ``T`` transit,
``U`` on-us, ``A`` amount, ``D`` dash, and ``' '`` for one blank character position.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

GRID_INCH = 0.013  # one E-13B grid square
HEIGHT_UNITS = 9.0  # nominal character height: 0.117 in
PITCH_INCH = 0.125  # eight characters per inch
PITCH_UNITS = PITCH_INCH / GRID_INCH  # about 9.6 grid squares
RIGHT_EDGE_UNITS = 8.3  # where a glyph's right edge sits inside its pitch cell
MARGIN_UNITS = 3.0  # blank paper around a rendered band
_SUPERSAMPLE = 4  # draw this much finer, then area-average down: anti-aliased edges

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in grid units; y grows downwards


class MicrTextError(ValueError):
    """Raised when text to render holds a character that has no E-13B glyph."""


class InvalidDpiError(ValueError):
    """Raised when a resolution is not a positive number of dots per inch."""

    def __init__(self, dpi: float) -> None:
        super().__init__(f"dpi must be a positive number of dots per inch, got {dpi!r}")


@dataclass(frozen=True)
class Glyph:
    """One E-13B character: its width in grid squares and the inked rectangles that make it."""

    char: str
    width: float
    rects: tuple[Rect, ...]

    @property
    def top(self) -> float:
        return min(r[1] for r in self.rects)

    @property
    def bottom(self) -> float:
        return max(r[3] for r in self.rects)


def _glyph(char: str, width: float, *rects: Rect) -> Glyph:
    return Glyph(char, width, tuple(rects))


# Thin strokes are one square (0.013 in). E-13B gives digits uneven ink along their width so
# that each one's magnetic waveform differs: hence the heavy foot of the 1 and the heavier lower
# verticals of the 3, 4, 7, 8 and 9.
# fmt: off
GLYPHS: dict[str, Glyph] = {
    g.char: g
    for g in (
        _glyph("0", 7, (0, 0, 7, 1), (0, 8, 7, 9), (0, 0, 1.3, 9), (5.7, 0, 7, 9)),
        _glyph("1", 4, (0, 0, 2, 1.1), (0.8, 0, 2.1, 5), (0, 4.8, 4, 9)),
        _glyph("2", 4, (0, 0, 4, 1), (2.8, 0, 4, 5.2), (0, 4.2, 4, 5.2), (0, 4.2, 1.2, 9),
               (0, 8, 4, 9)),
        _glyph("3", 5, (0, 0, 4.2, 1), (3, 0, 4.2, 5), (1.2, 4, 5, 5), (3, 4, 5, 9),
               (0, 8, 5, 9)),
        _glyph("4", 6, (0, 0, 1.6, 7), (0, 5.8, 5, 7), (4, 5.2, 6, 9)),
        _glyph("5", 5, (0, 0, 5, 1), (0, 0, 1.2, 5), (0, 4, 5, 5), (3.8, 4, 5, 9),
               (0, 8, 5, 9)),
        _glyph("6", 6, (0, 0, 4, 1), (2.9, 0, 4, 2.6), (0, 0, 1.2, 9), (0, 4, 6, 5),
               (4.8, 4, 6, 9), (0, 8, 6, 9)),
        _glyph("7", 5, (0, 0, 5, 1), (0, 0, 1.2, 2.7), (3.8, 0, 5, 5), (2.2, 4.3, 4.0, 9),
               (2.2, 4.3, 5, 5.3)),
        _glyph("8", 7, (1, 0, 6, 1), (1, 0, 2.2, 5), (4.8, 0, 6, 5), (0, 4, 7, 5),
               (0, 4, 1.8, 9), (5.2, 4, 7, 9), (0, 8, 7, 9)),
        _glyph("9", 6, (0, 0, 6, 1), (0, 0, 1.2, 5), (0, 4, 6, 5), (4.4, 0, 6, 9)),
        # transit: a bar, and two squares on its right, one at the top and one at the bottom
        _glyph("T", 7, (0, 1.5, 2, 7.5), (4, 0, 7, 3), (4, 6, 7, 9)),
        # amount: a staircase of a low block, a thin middle bar and a high block
        _glyph("A", 7, (0, 5, 2, 9), (3, 2.25, 4, 6.75), (5, 0, 7, 4)),
        # on-us: two thin bars and a block at the upper right; not full height
        _glyph("U", 7, (0, 1.5, 1, 7.5), (2, 1.5, 3, 7.5), (4, 0.5, 7, 4.5)),
        # dash: two blocks and a thin bar across the middle band
        _glyph("D", 7, (0, 2.5, 2, 6.5), (3, 2.5, 5, 6.5), (6, 2.5, 7, 6.5)),
    )
}
# fmt: on

MICR_CHARS = frozenset(GLYPHS) | {" "}


def unit_pixels(dpi: float) -> float:
    """Pixels per E-13B grid square at this resolution."""
    return GRID_INCH * dpi


def _paint(canvas: np.ndarray, glyph: Glyph, left: float, top: float, scale: float) -> None:
    """Fill a glyph's rectangles (ink = 0) on a supersampled canvas; left/top in canvas pixels."""
    for x0, y0, x1, y1 in glyph.rects:
        c0 = int(round(left + x0 * scale))
        c1 = int(round(left + x1 * scale))
        r0 = int(round(top + y0 * scale))
        r1 = int(round(top + y1 * scale))
        canvas[max(r0, 0) : max(r1, 0), max(c0, 0) : max(c1, 0)] = 0


def _downsample(canvas: np.ndarray, width: int, height: int) -> np.ndarray:
    return cv2.resize(canvas, (width, height), interpolation=cv2.INTER_AREA)


def render_glyph(char: str, unit_px: float) -> np.ndarray:
    """One glyph in its own box: `width` squares wide and 9 tall, no margin (reader templates)."""
    if char not in GLYPHS:
        raise MicrTextError(f"no E-13B glyph for {char!r}; use 0-9, T, U, A or D")
    glyph = GLYPHS[char]
    width = max(1, int(round(glyph.width * unit_px)))
    height = max(1, int(round(HEIGHT_UNITS * unit_px)))
    s = _SUPERSAMPLE
    canvas = np.full((height * s, width * s), 255, np.uint8)
    _paint(canvas, glyph, 0.0, 0.0, unit_px * s)
    return _downsample(canvas, width, height)


def render_micr(text: str, dpi: int = 300) -> np.ndarray:
    """Draw an E-13B line: uint8 grayscale, 255 paper, 0 ink, a tight band with a small margin.

    Every character, a space included, takes one 0.125-inch pitch; glyphs sit right-aligned in
    their cell (E-13B measures pitch from right edge to right edge).
    """
    bad = sorted({c for c in text if c not in MICR_CHARS})
    if bad:
        raise MicrTextError(
            f"cannot render {''.join(bad)!r} in E-13B; use 0-9, T transit, U on-us, A amount,"
            " D dash and space"
        )
    if dpi <= 0:
        raise InvalidDpiError(dpi)
    unit = unit_pixels(dpi)
    n = max(len(text), 1)
    width_units = 2 * MARGIN_UNITS + (n - 1) * PITCH_UNITS + RIGHT_EDGE_UNITS
    height_units = 2 * MARGIN_UNITS + HEIGHT_UNITS
    width = int(round(width_units * unit))
    height = int(round(height_units * unit))
    s = _SUPERSAMPLE
    canvas = np.full((height * s, width * s), 255, np.uint8)
    scale = unit * s * (width / (width_units * unit))  # keep glyphs exactly inside the band
    for k, char in enumerate(text):
        if char == " ":
            continue
        glyph = GLYPHS[char]
        right = MARGIN_UNITS + k * PITCH_UNITS + RIGHT_EDGE_UNITS
        _paint(canvas, glyph, (right - glyph.width) * scale, MARGIN_UNITS * scale, scale)
    return _downsample(canvas, width, height)
