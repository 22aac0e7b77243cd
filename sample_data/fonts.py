"""Fonts by file name, found at run time with a fallback chain.

The generator only uses fonts from Debian packages the Makefile installs; any that are missing are
skipped, down to Pillow's built-in font, so generation never fails for want of a font (the truth
records which font was really used).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

AnyFont = ImageFont.FreeTypeFont | ImageFont.ImageFont

FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)
BUILTIN = "pillow-default"

# Chains: the first file found wins.
SANS = ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "FreeSans.ttf")
SANS_BOLD = ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf", "FreeSansBold.ttf")
SANS_NARROW = ("DejaVuSansCondensed.ttf", "LiberationSans-Regular.ttf", "FreeSans.ttf")
SERIF = ("LiberationSerif-Regular.ttf", "DejaVuSerif.ttf", "FreeSerif.ttf")
SERIF_BOLD = ("LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf", "FreeSerifBold.ttf")
SERIF_ITALIC = ("LiberationSerif-Italic.ttf", "DejaVuSerif-Italic.ttf", "FreeSerifItalic.ttf")
SERIF_BOLD_ITALIC = (
    "LiberationSerif-BoldItalic.ttf",
    "DejaVuSerif-BoldItalic.ttf",
    "FreeSerifBoldItalic.ttf",
)
MONO = ("LiberationMono-Regular.ttf", "DejaVuSansMono.ttf", "FreeMono.ttf")
OCR_A = ("OCRA.ttf", "OCRB.otf", "LiberationMono-Regular.ttf", "DejaVuSansMono.ttf")

# Families a check printer or a bill-pay service fills a check in with; each falls back to sans.
PRINTED_FILL = (
    "Courier Prime.otf",
    "LiberationMono-Regular.ttf",
    "DejaVuSansMono.ttf",
    "LiberationSans-Regular.ttf",
    "FreeSans.ttf",
    "DejaVuSans.ttf",
    "LiberationSerif-Regular.ttf",
    "Courier Prime Sans.otf",
)
LABEL_FAMILIES = (SANS, SERIF, SANS_NARROW)

# Handwriting for the filled-in parts, with weights: legible hands are the common case.
HANDWRITING = (
    ("ComicNeue-Regular.otf", 3),
    ("Humor-Sans.ttf", 2),
    ("dkg.ttf", 3),
    ("Breip.ttf", 2),
    ("Ecolier-court.ttf", 1),
    ("BecauseWeBuild-Regular.otf", 1),
    ("BecauseWeLearn-Regular.otf", 2),
    ("BecauseWeMentor-Regular.otf", 1),
    ("BecauseWeConnect-Regular.otf", 1),
    ("DancingScript-Regular.otf", 1),
    ("KaushanScript-Regular.otf", 1),
    ("Kristi.ttf", 1),
    ("ComicNeue-Italic.otf", 1),
)
SIGNATURE = (
    "Kristi.ttf",
    "DancingScript-Regular.otf",
    "KaushanScript-Regular.otf",
    "femkeklaver.ttf",
    "dkgIt.ttf",
    "BecauseWeOrganize-Regular.otf",
    "BecauseWeCreate-Regular.otf",
)
HANDWRITING_FALLBACK = ("ComicNeue-Regular.otf", "Humor-Sans.ttf", "dkg.ttf") + SANS


@lru_cache(maxsize=1)
def _index() -> dict[str, Path]:
    """Every font file under the usual directories, by file name.

    When two packages ship the same file name (fonts-liberation and fonts-liberation2 both have
    LiberationSans-Regular.ttf), the later folder name wins (liberation2), so the renders do not
    change when some other package drags in the older fonts.
    """
    found: dict[str, Path] = {}
    for root in FONT_DIRS:
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in sorted(os.walk(root)):
            for name in sorted(files):
                if name.lower().endswith((".ttf", ".otf")):
                    path = Path(dirpath) / name
                    if name not in found or str(path.parent) > str(found[name].parent):
                        found[name] = path
    return found


def find_font(names: Sequence[str]) -> Path | None:
    """The first font of `names` (file names, or absolute paths) that is installed."""
    index = _index()
    for name in names:
        path = Path(name)
        if path.is_absolute():
            if path.is_file():
                return path
        elif name in index:
            return index[name]
    return None


@lru_cache(maxsize=512)
def _load(path: str, size: int) -> AnyFont:
    if path == BUILTIN:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(path, size)


def load_font(names: Sequence[str], size: int) -> tuple[AnyFont, str]:
    """The first installed font of the chain at `size` pixels, and its file name for the truth."""
    path = find_font(names)
    size = max(6, int(size))
    if path is None:
        return _load(BUILTIN, size), BUILTIN
    return _load(str(path), size), path.name


def font_name(names: Sequence[str]) -> str:
    """The file name that `load_font(names, ...)` would use."""
    path = find_font(names)
    return path.name if path else BUILTIN
