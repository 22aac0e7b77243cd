"""Find and read the E-13B code line anywhere on an upright page, without tesseract.

The page's ink is cut into components; lines of character-tall components are candidates
(:mod:`ocr.micr.lines`), each is cut out upright and read: whole, by the learned line reader
(:mod:`ocr.micr.sequence`), or character by character (:mod:`ocr.micr.characters`) when its
model is absent. A candidate counts as a code line only when most of its characters read
confidently and a transit, on-us or amount symbol is among them, which printed text and
upside-down lines do not achieve. The best one's whole band (every field of the line) is then
read at once and parsed with :func:`ocr.micr.fields.parse_micr`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ocr.micr.characters import Char, read_characters
from ocr.micr.fields import parse_micr
from ocr.micr.glyphs import GRID_INCH, HEIGHT_UNITS, PITCH_UNITS, InvalidDpiError
from ocr.micr.lines import (
    LineCandidate,
    LineStrip,
    as_gray,
    component_stats,
    cut_band,
    cut_strip,
    ink_mask,
    lines_at_every_scale,
    on_band,
    strip_box_on_page,
)
from ocr.micr.sequence import MARGIN, line_reader, mark_unread_ink
from ocr.pagecache import last_page
from ocr.reading import Box, MicrLine

MIN_KNOWN_SHARE = 0.75  # of a line's characters that must read confidently
MIN_MEAN_SCORE = 0.65
BLANK_PITCHES = 1.6  # right edges this many pitches apart have a blank position between them
BAND_PAD_UNITS = 2.0
CONTINUE_PITCHES = 12  # the furthest another field of the line stands from the rest
ALONE_SHARE = 0.3  # of an image's height: characters this tall are a code line cut out alone


@dataclass(frozen=True)
class _Found:
    """A verified code line: its text, confidence and box on the page."""

    text: str
    confidence: float
    band: Box
    unit: float  # pixels per E-13B grid square, measured on the line


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


def _is_micr(chars: list[Char], alone: bool = False) -> bool:
    """Mostly confident E-13B characters with a transit, on-us or amount symbol among them
    (a band cut from a check may hold only its on-us or amount field). Printed text, upside-down
    code lines and stray fragments fail this: the symbols are shapes no typeface has.

    `alone`: the image is the band cut out alone, which may hold a field without a symbol (an
    on-us field cut short, a serial); there every character must have read surely instead.
    """
    known = [c for c in chars if c.known]
    digits = [c for c in known if c.label.isdigit()]
    symbol = any(c.label in "TUA" for c in known)
    return (
        len(known) >= 5
        and len(known) >= MIN_KNOWN_SHARE * len(chars)
        and (symbol or (alone and len(known) == len(chars)))
        and len(digits) >= 4
        and float(np.mean([c.score for c in known])) >= MIN_MEAN_SCORE
    )


def _alone(cand: LineCandidate, shape: tuple[int, ...]) -> bool:
    """Whether the line's characters are so tall a share of the image that the image is a code
    line cut out alone (a check's line is a twentieth of its height)."""
    return cand.height >= ALONE_SHARE * shape[0]


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
    stats = component_stats(mask)
    candidates: list[LineCandidate] = []
    best: tuple[tuple[int, int, float], _Read] | None = None
    for cand in lines_at_every_scale(mask, dpi, stats):
        candidates.append(cand)
        got = _read(gray, cand)
        if got is None or not _is_micr(got.chars, _alone(cand, gray.shape)):
            continue
        key = (int(got.routing_valid), sum(c.known for c in got.chars), got.confidence)
        if best is None or key > best[0]:
            best = (key, got)
        if (
            got.routing_valid
            and got.confidence >= SETTLED_CONFIDENCE
            and len(got.chars) >= SETTLED_CHARS
        ):
            break  # a whole code line, read surely: a check has one, the other lines are text
    if best is None:
        return None
    line = best[1]
    whole = _read_band(gray, stats, line)
    if whole is not None:
        return _Found(whole.text, whole.confidence, _band(whole, gray.shape), whole.strip.unit)
    own = band = _band(line, gray.shape)
    chars = line.chars
    extra = {-1: "", 1: ""}
    for side in (-1, 1):
        more = _continuation(gray, line, own, candidates, side)
        if more is not None:
            other = _band(more, gray.shape)
            band = (min(band[0], other[0]), band[1], max(band[2], other[2]), band[3])
            # what the line's own strip caught of the other field (off its height) is read
            # there, not here
            chars = [c for c in chars if _beside(line.strip, c, other, side)]
            extra[side] = more.text
        if _unread_ink(stats, line.cand, band, side):
            extra[side] = f"{extra[side]} ?" if side > 0 else f"? {extra[side]}"
    text = _text_of(chars, PITCH_UNITS * line.strip.unit) if chars else ""
    text = " ".join(part for part in (extra[-1].strip(), text, extra[1].strip()) if part)
    return _Found(text, line.confidence, own, line.strip.unit)


def _beside(strip: LineStrip, char: Char, other: Box, side: int) -> bool:
    """Whether a character of the line lies clear of another field's box, on the line's side."""
    v = strip.margin + strip.char_height / 2
    x0 = float(strip.to_page[0] @ np.array([char.x0, v, 1.0]))
    x1 = float(strip.to_page[0] @ np.array([char.x1, v, 1.0]))
    return x1 < other[0] if side > 0 else x0 > other[2]


def _overlaps(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 * min(a[2] - a[0], b[2] - b[0])


def _band(line: _Read, shape: tuple[int, ...]) -> Box:
    pad = BAND_PAD_UNITS * line.strip.unit
    return strip_box_on_page(
        line.strip,
        line.chars[0].x0 - pad,
        line.chars[-1].x1 + pad,
        line.strip.margin - pad,
        line.strip.margin + line.strip.char_height + pad,
        shape,
    )


def _continuation(
    gray: np.ndarray,
    line: _Read,
    band: Box,
    candidates: list[LineCandidate],
    side: int,
) -> _Read | None:
    """Another field of the code line (whose box is `band`) on its band (`side` -1 left, 1
    right), read mostly: the amount field a bank's encoder prints after deposit, a little higher
    or lower than the rest, or the fields before one that read better."""
    for cand in candidates:
        if cand is line.cand or not _continues(line.cand, cand, side):
            continue
        more = _read(gray, cand)
        if more is None or _overlaps(_band(more, gray.shape), band):
            continue
        if len(more.chars) >= 3 and sum(c.known for c in more.chars) >= MIN_KNOWN_SHARE * len(
            more.chars
        ):
            return more
    return None


def _continues(line: LineCandidate, other: LineCandidate, side: int) -> bool:
    near = other.x_min if side > 0 else other.x_max  # the line's slope is surest close by
    offset = abs((other.slope * near + other.top) - (line.slope * near + line.top))
    gap = other.x_min - line.x_max if side > 0 else line.x_min - other.x_max
    return (
        offset < 0.8 * line.height
        and 0.8 <= other.height / line.height <= 1.25
        and 0 < gap < CONTINUE_PITCHES * PITCH_UNITS * line.height / HEIGHT_UNITS
    )


def _unread_ink(stats: np.ndarray, line: LineCandidate, band: Box, side: int) -> bool:
    """Character-tall ink on the line's band beyond what was read, on `side`: a field that did
    not read at all."""
    x, w, h = stats[:, 0], stats[:, 2], stats[:, 3]
    reach = CONTINUE_PITCHES * PITCH_UNITS * line.height / HEIGHT_UNITS
    if side > 0:
        beyond = (x > band[2]) & (x < band[2] + reach)
    else:
        beyond = (x + w < band[0]) & (x + w > band[0] - reach)
    on_line, _ = on_band(stats, line)
    # a character, or what a scan's edge left of one
    tall = (h >= 0.4 * line.height) & (h <= 1.3 * line.height) & (w <= 1.2 * line.height)
    return bool(np.any(beyond & on_line & tall))


@dataclass(frozen=True)
class _Read:
    cand: LineCandidate
    strip: LineStrip
    chars: list[Char]
    text: str
    routing_valid: bool
    confidence: float


def _read(gray: np.ndarray, cand: LineCandidate) -> _Read | None:
    """The candidate read whole by the line reader when its model is installed, else cut into
    character boxes and read box by box."""
    reader = line_reader()
    if reader is not None:
        strip = cut_strip(gray, cand, MARGIN)
        chars: list[Char] | None = reader.read(strip.image)
    else:
        strip = cut_strip(gray, cand)
        chars = read_characters(strip)
    return _from_chars(cand, strip, chars)


def _from_chars(
    cand: LineCandidate, strip: LineStrip, chars: list[Char] | None, trim: bool = True
) -> _Read | None:
    """`trim`: drop unreadable marks standing apart at either end (not when every `?` stands for
    a character's worth of ink)."""
    if not chars:
        return None
    pitch = PITCH_UNITS * strip.unit
    if trim:
        chars = _trim(chars, pitch)
    text = _text_of(chars, pitch)
    routing_valid = parse_micr(text, 1.0).routing_valid
    return _Read(cand, strip, chars, text, routing_valid, _confidence(chars, routing_valid))


def _read_band(gray: np.ndarray, stats: np.ndarray, line: _Read) -> _Read | None:
    """The whole band the line belongs to, read at once by the line reader (every field, however
    far off the line's height a bank encoded it); None without the line reader, or when the band
    reads worse than the line alone."""
    reader = line_reader()
    if reader is None:
        return None
    alone = _alone(line.cand, gray.shape)
    # an image that is a band cut out alone holds one line: every field on its rows is part of it
    reach = gray.shape[1] if alone else CONTINUE_PITCHES * PITCH_UNITS * line.strip.unit
    strip = cut_band(gray, line.cand, stats, reach, MARGIN)
    chars = mark_unread_ink(strip, reader.read_voted(strip.image, PITCH_UNITS * strip.unit))
    whole = _from_chars(line.cand, strip, chars, trim=False)
    if whole is None or not _is_micr(whole.chars, alone):
        return None
    if sum(c.known for c in whole.chars) < sum(c.known for c in line.chars):
        return None
    return whole


def find_micr_band(image: np.ndarray, dpi: int) -> Box | None:
    """(x0, y0, x1, y1) of the E-13B line on an upright page, or None when there is none.

    Callers that may hold an upside-down page try the 180-degree rotation when this is None.
    """
    found = _locate(image, dpi)
    return found.band if found else None


def micr_dpi(image: np.ndarray, dpi: int) -> float | None:
    """The page's resolution measured on its E-13B line (characters are 0.117 in tall), or None
    when it has none: truer than a file's tag, which scanners often get wrong or leave out."""
    found = _locate(image, dpi)
    return found.unit / GRID_INCH if found else None


def read_micr(image: np.ndarray, dpi: int) -> MicrLine | None:
    """Read the E-13B line found anywhere on an upright grayscale page; None when there is none.

    Unreadable characters are ``?``; confidence in [0, 1] combines the classification margins
    with the routing number's check digit. An upside-down page gives None: rotate and retry.
    """
    found = _locate(image, dpi)
    if found is None:
        return None
    return replace(parse_micr(found.text, found.confidence), confidence=found.confidence)
