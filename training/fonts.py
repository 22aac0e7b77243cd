"""Which fonts the recognizer learns from and which it never sees, so its tests measure fonts it
was not trained on (outside checks come from writers and printers we do not know)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

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

# Never trained on: one hand the sample generator writes with, and two unrelated families.
HELD_OUT = (
    "BecauseWeConnect-Regular.otf",
    "Purisa.ttf",
    "Purisa-Oblique.ttf",
    "Purisa-Bold.ttf",
    "Purisa-BoldOblique.ttf",
    "KleeOne-Regular.ttf",
    "KleeOne-SemiBold.ttf",
)
HELD_OUT_HANDWRITING = ("BecauseWeConnect-Regular.otf", "Purisa.ttf", "KleeOne-Regular.ttf")


@dataclass(frozen=True)
class Font:
    name: str  # file name, as the truth files record it
    path: Path
    hand: bool


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


def held_out_fonts() -> list[Font]:
    return _found(HELD_OUT_HANDWRITING, True)


def font_named(name: str) -> Font | None:
    path = find_font([name])
    if path is None:
        return None
    hand = name not in PRINTED_FILL and name not in EXTRA_PRINTED
    return Font(name, path, hand)
