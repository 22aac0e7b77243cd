"""The MICR code line: its fields in the US order and its place on the check.

Positions follow ANSI X9.100-160: character positions are counted from the right, 0.125 inch each,
position 1 starting 5/16 inch from the check's right edge; the amount field (positions 1-12) stays
blank because the bank of first deposit encodes it; the on-us field ends at position 14, the transit
field takes positions 33-43 and a business check's auxiliary on-us field starts at position 45. The
characters sit 3/16 inch above the bottom edge, inside the 5/8-inch clear band.

The default rendering uses the project's own E-13B renderer (`ocr.micr.render_micr`); a TrueType MICR
font can be given instead (benchmarks use one for variety). Such a font maps transit/amount/on-us/dash
to the letters A/B/C/D, as the free MICR fonts do.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from sample_data.drawing import DPI, Sheet, px, size_for_height
from sample_data.fonts import load_font

PITCH_IN = 0.125
RIGHT_MARGIN_IN = 5 / 16
BOTTOM_IN = 3 / 16
CHAR_HEIGHT_IN = 0.117
TTF_MAP = str.maketrans({"T": "A", "A": "B", "U": "C", "D": "D"})

PERSONAL_VARIANTS = ("acct_us_serial", "acct_us_serial", "acct_us_tight", "serial_acct_us")


def micr_positions(
    layout: str, variant: str, routing: str, account: str, serial: str
) -> dict[int, str]:
    """Characters by position (1 = rightmost) for a personal or business check."""
    chars: dict[int, str] = {}

    def put(text: str, rightmost: int) -> None:
        for i, ch in enumerate(reversed(text)):
            if ch != " ":
                chars[rightmost + i] = ch

    put(f"T{routing}T", 33)
    if layout == "business":
        put(f"{account}U", 14)
        put(f"U{serial}U", 45)
        return chars
    if variant == "acct_us_serial":
        put(f"{account}U {serial}", 14)
    elif variant == "acct_us_tight":
        put(f"{account}U{serial}", 14)
    elif variant == "serial_acct_us":
        put(f"{serial} {account}U", 14)
    else:
        raise ValueError(f"unknown MICR variant {variant!r}")
    return chars


def positions_text(chars: dict[int, str]) -> tuple[str, int]:
    """The line from its leftmost to its rightmost character, one column per position.

    Returns the text and the position of its last (rightmost) character.
    """
    lo, hi = min(chars), max(chars)
    return "".join(chars.get(p, " ") for p in range(hi, lo - 1, -1)), lo


def micr_text(chars: dict[int, str]) -> str:
    """The line as the truth records it: fields separated by single spaces."""
    text, _ = positions_text(chars)
    return " ".join(text.split())


def draw_micr(
    sheet: Sheet,
    chars: dict[int, str],
    rng: random.Random,
    micr_font: Path | None = None,
) -> None:
    """Prints the line in the clear band, a little off nominal as real check printers are."""
    text, last_pos = positions_text(chars)
    dx = rng.uniform(-0.03, 0.03)
    dy = rng.uniform(-0.025, 0.025)
    right_of_last = sheet.width - px(RIGHT_MARGIN_IN + (last_pos - 1) * PITCH_IN - dx)
    bottom = sheet.height - px(BOTTOM_IN + dy)
    toner = rng.randrange(0, 40)
    if micr_font is None:
        _draw_own(sheet, text, right_of_last, bottom, toner)
    else:
        _draw_ttf(sheet, text, right_of_last, bottom, toner, micr_font)


def _darken(sheet: Sheet, band: np.ndarray, left: int, top: int, toner: int) -> None:
    """Multiplies ink into the page (band: 255 paper, 0 ink)."""
    page = np.asarray(sheet.image, dtype=np.float32).copy()
    h, w = band.shape
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + w, page.shape[1]), min(top + h, page.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    ink = band[y0 - top : y1 - top, x0 - left : x1 - left].astype(np.float32)
    coverage = (255.0 - ink) / 255.0 * (255 - toner) / 255.0
    region = page[y0:y1, x0:x1]
    page[y0:y1, x0:x1] = region * (1 - coverage) + toner * coverage
    sheet.set_background(np.clip(page, 0, 255))


def _draw_own(sheet: Sheet, text: str, right_of_last: int, bottom: int, toner: int) -> None:
    from ocr.micr import render_micr  # the project's E-13B glyphs (imported late: a heavy module)
    from ocr.micr.glyphs import GRID_INCH, MARGIN_UNITS, PITCH_UNITS, RIGHT_EDGE_UNITS

    band = render_micr(text, dpi=DPI)
    unit = GRID_INCH * DPI
    # In the band, the last glyph's right edge and every glyph's bottom edge (see glyphs.py).
    last_right = (MARGIN_UNITS + (len(text) - 1) * PITCH_UNITS + RIGHT_EDGE_UNITS) * unit
    glyph_bottom = (MARGIN_UNITS + 9.0) * unit
    _darken(sheet, band, round(right_of_last - last_right), round(bottom - glyph_bottom), toner)


def _draw_ttf(
    sheet: Sheet, text: str, right_of_last: int, bottom: int, toner: int, font_path: Path
) -> None:
    chain = (str(font_path),)
    size = size_for_height(chain, px(CHAR_HEIGHT_IN), sample="0")
    font, _ = load_font(chain, size)
    mask = Image.new("L", sheet.image.size, 0)
    draw = ImageDraw.Draw(mask)
    pitch = PITCH_IN * DPI
    mapped = text.translate(TTF_MAP)
    n = len(mapped)
    ref = font.getbbox("0")  # MICR fonts share one cell: place every glyph like the digit 0
    for k, ch in enumerate(mapped):
        if ch == " ":
            continue
        right = right_of_last - (n - 1 - k) * pitch
        draw.text((right - ref[2], bottom - ref[3]), ch, font=font, fill=255)
    band = 255 - np.asarray(mask, dtype=np.uint8)
    _darken(sheet, band, 0, 0, toner)
