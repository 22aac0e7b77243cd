"""Which fonts the recognizer learns from and which it never sees, so its tests measure fonts it
was not trained on (outside checks come from writers and printers we do not know)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from sample_data import digits
from sample_data.fonts import (
    HANDWRITING,
    MONO,
    PRINTED_FILL,
    SANS,
    SANS_BOLD,
    SANS_NARROW,
    SERIF,
    SERIF_BOLD,
    SERIF_ITALIC,
    SIGNATURE,
    find_font,
)
from training.texts import CHARSET

# Debian packages with handwriting-like fonts used for training only (the Makefile's MODEL_FONT_PKGS:
# `make model` installs them).
EXTRA_PACKAGES = (
    "fonts-tlwg-purisa",
    "fonts-klee",
    "fonts-kiloji",
    "fonts-lobster",
    "fonts-isabella",
    "fonts-havana",
    "fonts-leckerli-one",
    "fonts-cabinsketch",
)
EXTRA_HANDWRITING = (
    "kiloji.ttf",
    "kiloji_b.ttf",
    "kiloji_p.ttf",
    "lobster.otf",
    "Isabella.ttf",
    "Havana-Regular.otf",
    "LeckerliOne-Regular.ttf",
    "CabinSketch-Regular.ttf",
    "ComicNeue-Bold.otf",
    "ComicNeue-Light.otf",
    "dkgBd.ttf",
    "dkgBI.ttf",
    "DancingScript-Bold.otf",
    "BecauseWeOrganize-Regular.otf",
    "BecauseWeCreate-Regular.otf",
)
EXTRA_PRINTED = ("DejaVuSans-Oblique.ttf", "LiberationSans-Italic.ttf")

# Writers drawing stroke by stroke (`sample_data.strokes`), by seed, never trained on: they measure
# how the recognizer reads a hand that follows no font.
HELD_OUT_WRITERS = (1001, 1002, 1003)

# Never trained on: one hand the sample generator writes with, two unrelated families, and the
# held-out writers.
HELD_OUT = (
    "BecauseWeConnect-Regular.otf",
    "Purisa.ttf",
    "Purisa-Oblique.ttf",
    "Purisa-Bold.ttf",
    "Purisa-BoldOblique.ttf",
    "KleeOne-Regular.ttf",
    "KleeOne-SemiBold.ttf",
    *(f"strokes:{seed}" for seed in HELD_OUT_WRITERS),
    "mnist:test",
)
HELD_OUT_HANDWRITING = ("BecauseWeConnect-Regular.otf", "Purisa.ttf", "KleeOne-Regular.ttf")


@dataclass(frozen=True)
class Font:
    """A hand or type a line is drawn in: a font file, a writer drawing stroke by stroke
    (`sample_data.strokes`, `writer` its seed, no file), or people's real digits (`digits` the
    part of `sample_data.digits` they come from)."""

    name: str  # file name, as the truth files record it ('strokes:<writer>' for a writer)
    path: Path
    hand: bool
    writer: int | None = None
    digits: str | None = None

    @property
    def drawn(self) -> bool:
        """A hand with no font file, each glyph drawn anew: a stroke writer or people's digits."""
        return self.writer is not None or self.digits is not None

    @property
    def small_caps(self) -> bool:
        """Printed fonts are never taken for it (a bold sans's thick strokes overlap alike)."""
        return self.hand and not self.drawn and writes_small_caps(self.path)


def stroke_writers(seeds: tuple[int, ...]) -> list[Font]:
    return [Font(f"strokes:{seed}", Path(), True, seed) for seed in seeds]


def real_digits(part: str) -> Font:
    """People's handwritten digits (`sample_data.digits`), the part that trains or the held-out one."""
    return Font(f"mnist:{part}", Path(), True, digits=part)


def _shape(font: ImageFont.FreeTypeFont, ch: str) -> np.ndarray | None:
    """The glyph cut to its ink and scaled to 24 x 24, to compare shapes whatever their size."""
    drawn = _glyph(font, ch)
    ys, xs = np.nonzero(drawn)
    if len(ys) == 0:
        return None
    cut = drawn[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    return np.asarray(Image.fromarray(cut).resize((24, 24)), np.float32) / 255.0


@cache
def writes_small_caps(path: Path) -> bool:
    """Whether the font draws lower case as small capitals (the BecauseWe* hands): their lines are
    then labelled in upper case, so one shape is never taught as two letters."""
    font = ImageFont.truetype(str(path), 48)
    overlaps = []
    for ch in "adefghnqrt":  # lower case that looks unlike its capital in ordinary hands
        low, up = _shape(font, ch), _shape(font, ch.upper())
        if low is not None and up is not None:
            overlaps.append(np.minimum(low, up).sum() / max(1e-6, np.maximum(low, up).sum()))
    # Measured: the capitals hands 0.60-0.80, ordinary hands at most 0.45 (thin strokes overlap little
    # even when the shapes agree).
    return bool(overlaps) and float(np.median(overlaps)) > 0.52


def small_caps_named(name: str) -> bool:
    font = font_named(name)
    return font is not None and font.small_caps


@cache
def covers(path: Path, chars: str) -> bool:
    """Whether the font draws every character, not its 'missing glyph' box."""
    font = ImageFont.truetype(str(path), 48)
    missing = _glyph(font, "\ue000")
    for ch in chars:
        if ch == " ":
            continue
        drawn = _glyph(font, ch)
        if not drawn.any() or (drawn.shape == missing.shape and (drawn == missing).all()):
            return False
    return True


def _glyph(font: ImageFont.FreeTypeFont, ch: str) -> np.ndarray:
    image = Image.new("L", (96, 96), 0)
    ImageDraw.Draw(image).text((16, 16), ch, font=font, fill=255)
    return np.asarray(image)


def _found(names: tuple[str, ...], hand: bool) -> list[Font]:
    out = []
    for name in dict.fromkeys(names):
        path = find_font([name])
        if path is not None and covers(path, CHARSET):
            out.append(Font(name, path, hand))
    return out


def training_fonts() -> list[Font]:
    """Every installed font the recognizer learns from (held-out ones excluded)."""
    hand_names = (*(n for n, _ in HANDWRITING), *SIGNATURE, *EXTRA_HANDWRITING)
    printed = (
        *PRINTED_FILL,
        *SANS,
        *SANS_BOLD,
        *SANS_NARROW,
        *SERIF,
        *SERIF_BOLD,
        *SERIF_ITALIC,
        *MONO,
        *EXTRA_PRINTED,
    )
    fonts = _found(tuple(n for n in hand_names if n not in HELD_OUT), True)
    fonts += _found(tuple(n for n in printed if n not in HELD_OUT), False)
    return fonts


# Coupon scan lines: OCR-A as statement printers use it, and the monospaced fonts the sample generator
# falls back to; one weight of OCR-A is never trained on.
SCAN_FONTS = ("OCRA.ttf", "OCRACondensed.ttf", "OCRAItalic.ttf", "OCRB.otf", *MONO)
HELD_OUT_SCAN = ("OCRABold.ttf",)


def _scan_found(names: tuple[str, ...]) -> list[Font]:
    out = []
    for name in dict.fromkeys(names):
        path = find_font([name])
        if path is not None and covers(path, "0123456789"):
            out.append(Font(name, path, False))
    return out


def scan_fonts() -> list[Font]:
    return _scan_found(SCAN_FONTS)


def held_out_scan_fonts() -> list[Font]:
    return _scan_found(HELD_OUT_SCAN)


def held_out_fonts() -> list[Font]:
    return [
        *_found(HELD_OUT_HANDWRITING, True),
        *stroke_writers(HELD_OUT_WRITERS),
        real_digits(digits.HELD_OUT),
    ]


def font_named(name: str) -> Font | None:
    """The font file, or the writer ('strokes:<seed>'), a truth file or a recipe names."""
    if name.startswith("strokes:") and name[8:].isdigit():
        return stroke_writers((int(name[8:]),))[0]
    if name.startswith("mnist:") and name[6:] in (digits.TRAIN, digits.HELD_OUT):
        return real_digits(name[6:])
    path = find_font([name])
    if path is None:
        return None
    hand = name not in PRINTED_FILL and name not in EXTRA_PRINTED
    return Font(name, path, hand)
