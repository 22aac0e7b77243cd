"""Find and read the E-13B code line anywhere on an upright page, without tesseract.

The page's ink is cut into components; lines of character-tall components are candidates
(:mod:`ocr.micr.lines`), each is cut out upright and read character by character against the
project's own glyphs (:mod:`ocr.micr.characters`). A candidate counts as a code line only when
most of its characters read confidently and a transit symbol is among them, which printed
text and upside-down lines do not achieve; the best one is parsed with
:func:`ocr.micr.fields.parse_micr`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ocr.micr.characters import Char, read_characters
from ocr.micr.fields import parse_micr
from ocr.micr.glyphs import PITCH_UNITS, InvalidDpiError
from ocr.micr.lines import as_gray, cut_strip, find_line_candidates, ink_mask, strip_box_on_page
from ocr.pagecache import last_page
from ocr.reading import MicrLine

MIN_KNOWN_SHARE = 0.75  # of a line's characters that must read confidently
MIN_MEAN_SCORE = 0.65
BLANK_PITCHES = 1.6  # right edges this many pitches apart have a blank position between them
BAND_PAD_UNITS = 2.0


@dataclass(frozen=True)
class _Found:
    """A verified code line: its text, confidence and box on the page."""

    text: str
    confidence: float
    band: tuple[int, int, int, int]


def _text_of(chars: list[Char], pitch: float) -> str:
    """Characters joined, one space wherever at least one blank character position lies."""
    parts: list[str] = []
    for k, ch in enumerate(chars):
        if k and (ch.x1 - chars[k - 1].x1) / pitch >= BLANK_PITCHES:
            parts.append(" ")
        parts.append(ch.label)
    return "".join(parts)


def _trim(chars: list[Char], pitch: float) -> list[Char]:
    """Drop unreadable stray marks at either end that stand apart from the line."""
    out = list(chars)
    while len(out) > 1 and not out[0].known and (out[1].x1 - out[0].x1) / pitch >= BLANK_PITCHES:
        out.pop(0)
    while len(out) > 1 and not out[-1].known and (out[-1].x1 - out[-2].x1) / pitch >= BLANK_PITCHES:
        out.pop()
    return out


def _is_micr(chars: list[Char]) -> bool:
    """Mostly confident E-13B characters with a transit symbol among them (every check has a
    transit field). Printed text, upside-down code lines and stray fragments of a code line whose
    transit field did not read fail this: better no line than an account number out of context.
    """
    known = [c for c in chars if c.known]
    digits = [c for c in known if c.label.isdigit()]
    return (
        len(known) >= 5
        and len(known) >= MIN_KNOWN_SHARE * len(chars)
        and any(c.label == "T" for c in known)
        and len(digits) >= 4
        and float(np.mean([c.score for c in known])) >= MIN_MEAN_SCORE
    )


def _confidence(chars: list[Char], routing_valid: bool) -> float:
    """From the classification margins (weakest and average), lowered without a valid routing."""
    per = [min(1.0, c.margin / 0.2) * min(1.0, c.score / 0.8) if c.known else 0.0 for c in chars]
    base = 0.5 * min(per) + 0.5 * sum(per) / len(per)
    return round(base * (1.0 if routing_valid else 0.6), 4)


# Candidates come longest first; once one is a whole code line (a valid routing number among at
# least this many characters, read this surely), the rest are not read.
SETTLED_CONFIDENCE = 0.9
SETTLED_CHARS = 20


# Clean-up finds the band to orient the page, and the reader then reads the same (final) page:
# searching it once is enough.
@last_page
def _locate(image: np.ndarray, dpi: int) -> _Found | None:
    if dpi <= 0:
        raise InvalidDpiError(dpi)
    gray = as_gray(image)
    if gray.size == 0:
        return None
    _, mask = ink_mask(gray)
    best: tuple[tuple[int, int, float], _Found] | None = None
    for cand in find_line_candidates(mask, dpi):
        strip = cut_strip(gray, cand)
        chars = read_characters(strip)
        if not chars:
            continue
        pitch = PITCH_UNITS * strip.unit
        chars = _trim(chars, pitch)
        if not _is_micr(chars):
            continue
        text = _text_of(chars, pitch)
        routing_valid = parse_micr(text, 1.0).routing_valid
        conf = _confidence(chars, routing_valid)
        pad = BAND_PAD_UNITS * strip.unit
        band = strip_box_on_page(
            strip,
            chars[0].x0 - pad,
            chars[-1].x1 + pad,
            strip.margin - pad,
            strip.margin + strip.char_height + pad,
            gray.shape,
        )
        key = (int(routing_valid), sum(c.known for c in chars), conf)
        if best is None or key > best[0]:
            best = (key, _Found(text, conf, band))
        if routing_valid and conf >= SETTLED_CONFIDENCE and len(chars) >= SETTLED_CHARS:
            break  # a whole code line, read surely: a check has one, the other lines are text
    return best[1] if best else None


def find_micr_band(image: np.ndarray, dpi: int) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the E-13B line on an upright page, or None when there is none.

    Callers that may hold an upside-down page try the 180-degree rotation when this is None.
    """
    found = _locate(image, dpi)
    return found.band if found else None


def read_micr(image: np.ndarray, dpi: int) -> MicrLine | None:
    """Read the E-13B line found anywhere on an upright grayscale page; None when there is none.

    Unreadable characters are ``?``; confidence in [0, 1] combines the classification margins
    with the routing number's check digit. An upside-down page gives None: rotate and retry.
    """
    found = _locate(image, dpi)
    if found is None:
        return None
    return replace(parse_micr(found.text, found.confidence), confidence=found.confidence)
