"""Synthetic labelled lines, degraded like scans and cut out by the pipeline's own `isolate`, so the
network trains on exactly what the reader will hand it (rules erased, stars and filler trimmed).

A line is drawn letter by letter (each with its own jitter, as `sample_data` writes by hand) while
an owner map records which character drew each pixel; warps move both alike. After `isolate`, a
character is in the label only if its ink survived, so the label always matches the picture.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.cleanup import flatten_background, stretch_contrast
from ocr.isolate import Line, isolate
from ocr.recognizer import prepare
from sample_data import digits, strokes
from sample_data.drawing import pen_stroke
from training import texts
from training.fonts import Font

BASE_DPI = 300
# Lines lettered in outline (each stroke drawn as its two edges, as some hands letter figures):
# scanned light or in black and white, such strokes come out as broken dotted loops. A share lands
# in the recipe only with a model trained on it that reads every source as well as the last.
OUTLINE_SHARE = 0.0


@dataclass(frozen=True)
class Sample:
    image: np.ndarray  # uint8, the network input times 255
    label: str
    font: str
    kind: str
    line: Line  # what `isolate` cut out, before `prepare`


@dataclass
class _Ink:
    mask: np.ndarray  # float32 0..1 coverage
    owner: np.ndarray  # int32, 1 + index of the character that drew the pixel, 0 none
    chars: list[str]  # the characters, '' for filler that must not survive


def _font(font: Font, size: int) -> ImageFont.FreeTypeFont:
    return _cached(str(font.path), size)


_FONTS: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def _cached(path: str, size: int) -> ImageFont.FreeTypeFont:
    key = (path, size)
    if key not in _FONTS:
        if len(_FONTS) > 400:
            _FONTS.clear()
        _FONTS[key] = ImageFont.truetype(path, size)
    return _FONTS[key]


@lru_cache(maxsize=30000)
def _glyph(path: str, size: int, stroke: int, ch: str) -> tuple[np.ndarray, int, int, float]:
    """One character's ink (cropped), its offset from the pen position on the baseline, and the
    advance."""
    f = _cached(path, size)
    box = 3 * size + 2 * stroke
    scratch = Image.new("L", (box, box), 0)
    ox, oy = size + stroke, 2 * size + stroke
    ImageDraw.Draw(scratch).text(
        (ox, oy), ch, font=f, fill=255, anchor="ls", stroke_width=stroke, stroke_fill=255
    )
    ink = np.asarray(scratch, np.float32) / 255.0
    ys, xs = np.nonzero(ink > 0.02)
    advance = float(f.getlength(ch))
    if not len(ys):
        return np.zeros((0, 0), np.float32), 0, 0, advance
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    return ink[y0:y1, x0:x1].copy(), x0 - ox, y0 - oy, advance


def _size_for(font: Font, height_px: float) -> int:
    if font.drawn:  # a drawn hand's size: its digits' height
        return max(10, round(height_px))
    probe = _font(font, 100)
    box = probe.getbbox("0")
    glyph = max(1, box[3] - box[1])
    return max(10, round(100 * height_px / glyph))


Glyph = tuple[np.ndarray, int, int, float]  # ink 0..1, its offset from the pen, the pen's advance


@dataclass(frozen=True)
class _Pen:
    """How a hand with no font file (`Font.drawn`) draws: each glyph anew, and each space."""

    glyph: Callable[[str, int, random.Random], Glyph]
    space: Callable[[int, random.Random], float]
    width: float  # the most a character of theirs takes, gap included, in heights


def _pen(font: Font) -> _Pen | None:
    if font.writer is not None:  # no character of theirs is wider than 0.8 heights, nor a gap 0.4
        writer = strokes.StrokeHand.of_writer(font.writer)
        return _Pen(
            lambda ch, size, rng: strokes.glyph_ink(ch, size, writer, rng),
            lambda size, rng: strokes.space(size, writer, rng),
            1.2 * writer.width,
        )
    if font.digits is not None:  # a real digit is at most 1.1 heights wide, its gap 0.3
        part = font.digits
        return _Pen(
            lambda ch, size, rng: digits.glyph_ink(ch, size, part, rng),
            lambda size, rng: digits.glyph_ink(" ", size, part, rng)[3],
            1.4,
        )
    return None


def _draw(
    parts: list[tuple[str, int, float, bool]], font: Font, rng: random.Random, hand: bool
) -> _Ink:
    """Draw text parts (text, size, raise in px, counts for the label) left to right."""
    big = max(size for _, size, _, _ in parts)
    pen = _pen(font)
    if pen is not None:
        total = sum(pen.width * s * len(t) for t, s, _, _ in parts)
    else:
        total = sum(_font(font, s).getlength(t) for t, s, _, _ in parts)
    width = int(total * 1.3) + 4 * big
    height = 3 * big
    mask = np.zeros((height, width), np.float32)
    owner = np.zeros((height, width), np.int32)
    chars: list[str] = []
    x = float(big)
    base = 2 * big
    jitter = rng.uniform(0.0, 0.09) if hand else rng.uniform(0.0, 0.02)
    spacing = rng.uniform(-0.06, 0.2) if hand else rng.uniform(-0.02, 0.08)
    for text, size, lift, counts in parts:
        size -= size % 2  # even sizes only, so drawn glyphs can be reused
        stroke = 0
        if pen is None:
            f = _font(font, size)
            stroke = pen_stroke((font.name,), size) if hand else 0
            stroke = max(0, stroke + rng.choice([-1, 0, 0, 1])) if stroke else 0
        for ch in text:
            chars.append(ch if counts else "")
            if ch == " ":
                if pen is not None:
                    x += pen.space(size, rng)
                else:
                    x += f.getlength(" ") * rng.uniform(0.8, 1.6 if hand else 1.2)
                continue
            dy = rng.gauss(0, jitter * size * 0.5)
            if pen is not None:  # drawn anew each time: a hand never repeats a character
                glyph, gx, gy, advance = pen.glyph(ch, size, rng)
            else:
                glyph, gx, gy, advance = _glyph(str(font.path), size, stroke, ch)
            left = int(round(x)) + gx
            top = int(round(base - lift + dy)) + gy
            gh, gw = glyph.shape
            if gh and top >= 0 and top + gh <= height and left >= 0 and left + gw <= width:
                region = (slice(top, top + gh), slice(left, left + gw))
                owner[region][glyph > 0.5] = len(chars)
                np.maximum(mask[region], glyph, out=mask[region])
            x += advance * (1 + rng.uniform(-jitter, jitter) * 0.6) + spacing * size * 0.3
        x += size * rng.uniform(0.15, 0.4)
    return _Ink(mask, owner, chars)


def _crop(ink: _Ink, margin: int) -> _Ink:
    ys, xs = np.nonzero(ink.mask > 0.1)
    if not len(ys):
        return ink
    y0, y1 = max(0, ys.min() - margin), min(ink.mask.shape[0], ys.max() + margin)
    x0, x1 = max(0, xs.min() - margin), min(ink.mask.shape[1], xs.max() + margin)
    return _Ink(ink.mask[y0:y1, x0:x1], ink.owner[y0:y1, x0:x1], ink.chars)


def _warp(ink: _Ink, rng: random.Random, hand: bool, tall: float) -> _Ink:
    """Slant, rotation, a wavy baseline and a little elastic wobble, the same for mask and owner."""
    h, w = ink.mask.shape
    shear = rng.uniform(-0.35, 0.35) if hand else rng.uniform(-0.12, 0.12)
    angle = math.radians(rng.uniform(-2.0, 2.0) * min(1.0, 12 * tall / w))
    amp = rng.uniform(0, 0.12 * tall) if hand else rng.uniform(0, 0.03 * tall)
    period = rng.uniform(2.0, 8.0) * tall
    phase = rng.uniform(0, 2 * math.pi)
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    cx, cy = w / 2, h / 2
    dx, dy = xs - cx, ys - cy
    src_x = cx + dx * math.cos(angle) - dy * math.sin(angle)
    src_y = cy + dx * math.sin(angle) + dy * math.cos(angle)
    src_x = src_x + shear * (src_y - cy)
    src_y = src_y + amp * np.sin(2 * math.pi * xs / period + phase)
    if hand and rng.random() < 0.5:
        wob = rng.uniform(0, 0.04 * tall)
        src_x = src_x + wob * np.sin(2 * math.pi * ys / rng.uniform(0.6, 1.5) / tall + phase)
    mask = cv2.remap(ink.mask, src_x, src_y, cv2.INTER_LINEAR, borderValue=0.0)
    owner = cv2.remap(ink.owner.astype(np.float32), src_x, src_y, cv2.INTER_NEAREST)
    return _Ink(mask, owner.astype(np.int32), ink.chars)


def _thickness(mask: np.ndarray, rng: random.Random) -> np.ndarray:
    """Thinner or bolder pens; only strokes that stay open get bolder."""
    r = rng.random()
    if r < 0.2:
        return cv2.erode(mask, np.ones((2, 2), np.uint8))
    if r < 0.4:
        bold = cv2.dilate(mask, np.ones((2, 2), np.uint8))
        if (bold > 0.5).mean() < 1.6 * max((mask > 0.5).mean(), 1e-6):
            return bold
    return mask


def _outline(ink: _Ink, mask: np.ndarray, rng: random.Random) -> _Ink:
    """The strokes drawn as their outlines: each grown by a pen's width or two and only its edge
    kept; a character owns the edge around its own strokes."""
    size = rng.choice([3, 5])
    grow = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    solid = cv2.dilate((mask > 0.5).astype(np.uint8), grow)
    edge = cv2.morphologyEx(solid, cv2.MORPH_GRADIENT, np.ones((2, 2), np.uint8))
    # the edge runs a pixel outside the grown stroke: the owner grows that much further
    grown = cv2.dilate(ink.owner.astype(np.float32), grow)
    owner = cv2.dilate(grown, np.ones((3, 3), np.uint8)).astype(np.int32)
    return _Ink(edge.astype(np.float32), owner, ink.chars)


def _page(mask: np.ndarray, rng: random.Random, kind: str, tall: float) -> np.ndarray:
    """Ink on paper, with what sits around a field: a rule under it, sometimes a box."""
    h, w = mask.shape
    paper = rng.uniform(215, 252)
    ink = rng.uniform(0, 110)
    page: np.ndarray = paper - (paper - ink) * mask
    if rng.random() < 0.35:  # the printed rule the writing sits on
        ys = np.nonzero(mask.max(axis=1) > 0.3)[0]
        if len(ys):
            y = int(min(h - 2, ys.max() + rng.uniform(-0.1, 0.25) * tall))
            t = rng.choice([1, 2, 3])
            page[max(0, y) : y + t, :] = np.minimum(page[max(0, y) : y + t, :], rng.uniform(20, 90))
    if kind == "courtesy" and rng.random() < 0.2:  # the amount box
        t = rng.choice([2, 3])
        page = cv2.copyMakeBorder(page, 8, 8, 8, 8, cv2.BORDER_CONSTANT, value=float(paper))
        level = rng.uniform(20, 90)
        page[:t, :] = level
        page[-t:, :] = level
        page[:, :t] = level
        page[:, -t:] = level
    return page


def _scan(page: np.ndarray, rng: random.Random, dpi: int) -> np.ndarray:
    """Blur, noise, dust, bitonal thresholding and JPEG, at the scan's resolution."""
    if rng.random() < 0.45:
        page = cv2.GaussianBlur(page, (0, 0), rng.uniform(0.3, 1.1) * dpi / BASE_DPI)
    if rng.random() < 0.5:
        noise = np.random.default_rng(rng.randrange(2**31)).normal(
            0, rng.uniform(2, 14), page.shape
        )
        page = page + noise
    if rng.random() < 0.25:
        n = int(page.size * rng.uniform(0.00005, 0.0006))
        gen = np.random.default_rng(rng.randrange(2**31))
        page[gen.integers(0, page.shape[0], n), gen.integers(0, page.shape[1], n)] = 30
    out = np.clip(page, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        _, out = cv2.threshold(out, rng.randrange(140, 185), 255, cv2.THRESH_BINARY)
    elif rng.random() < 0.3:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randrange(35, 90)])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return out


def _text(kind: str, rng: random.Random) -> tuple[str, str | None]:
    if kind == "courtesy":
        return texts.courtesy(rng)
    if kind == "legal":
        return texts.legal(rng), None
    if kind == "date":
        return texts.when(rng), None
    if kind == "scanline":
        return texts.scanline(rng), None
    return texts.memo(rng), None


def _parts(
    kind: str, text: str, raised: str | None, font: Font, tall: float, rng: random.Random
) -> list[tuple[str, int, float, bool]]:
    size = _size_for(font, tall)
    parts = [(text, size, 0.0, True)]
    if raised is not None:
        small = _size_for(font, tall * rng.uniform(0.38, 0.65))
        parts = [(text + " ", size, 0.0, True), (raised, small, tall * rng.uniform(0.3, 0.5), True)]
    if kind == "legal" and rng.random() < 0.4:  # filler the writer adds; isolate must trim it
        dash = rng.choice(["-", "~", "*"])
        parts.append((" " + dash * rng.randrange(4, 14), size, 0.0, False))
    return parts


def _label(ink: _Ink, kept: np.ndarray) -> str | None:
    """The characters whose ink survived isolation, or None when that is unclear for any, or when
    isolation dropped more than stars, signs and filler at the ends (a line cut short in the middle
    is not what the reader should learn from)."""
    marks: list[tuple[str, bool]] = []  # (character, kept)
    for idx, ch in enumerate(ink.chars, start=1):
        if ch == " ":
            continue
        mine = ink.owner == idx
        total = int(mine.sum())
        share = float(kept[mine].mean()) if total else 0.0
        if not ch:  # filler: fine when trimmed, a confusing label otherwise
            if share > 0.15:
                return None
            continue
        if total < 3 or 0.15 < share < 0.6:
            return None
        marks.append((ch, share >= 0.6))
    kept_at = [i for i, (_, k) in enumerate(marks) if k]
    if not kept_at:
        return None
    first, last = kept_at[0], kept_at[-1]
    if any(not k for _, k in marks[first : last + 1]):
        return None
    if any(ch not in "*#$-~" for ch, _ in (*marks[:first], *marks[last + 1 :])):
        return None
    out: list[str] = []
    n = 0
    for ch in ink.chars:
        if ch == " ":
            out.append(" ")
        elif ch:
            if first <= n <= last:
                out.append(ch)
            n += 1
    return " ".join("".join(out).split())


def render(
    rng: random.Random,
    font: Font,
    kind: str | None = None,
    text: tuple[str, str | None] | None = None,
) -> Sample | None:
    """One labelled, degraded, isolated and prepared line (of `text`, the line and its raised
    cents, when given); None when the label would be unsure."""
    if font.digits is not None:  # real digits: figures, dates and accounts only
        kind = kind if kind in texts.FIGURE_KINDS else rng.choice(texts.FIGURE_KINDS)
        line_text, raised = text or texts.figures(kind, rng)
    else:
        kind = kind or texts.pick_kind(rng)
        line_text, raised = text or _text(kind, rng)
    hand = font.hand
    tall = rng.uniform(26, 52) if kind == "courtesy" else rng.uniform(22, 46)
    ink = _draw(_parts(kind, line_text, raised, font, tall, rng), font, rng, hand)
    ink = _crop(ink, int(tall))
    ink = _warp(ink, rng, hand, tall)
    mask = _thickness(ink.mask, rng)
    # Drawn by a generator of its own, so that every other line of a set stays as it was.
    lettering = random.Random(hash(rng.getstate()[1]))
    if lettering.random() < OUTLINE_SHARE:
        ink = _outline(ink, mask, lettering)
        mask = ink.mask
    page = _page(mask, rng, kind, tall)
    dpi = rng.choice([200, 300, 300])
    pad = (page.shape[0] - ink.owner.shape[0]) // 2
    owner = ink.owner
    if pad:
        owner = np.pad(owner, pad)
    if dpi != BASE_DPI:
        f = dpi / BASE_DPI
        page = cv2.resize(page, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        owner = cv2.resize(owner, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_NEAREST)
    gray = stretch_contrast(flatten_background(_scan(page, rng, dpi), dpi))
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), dpi, trim_filler=kind == "legal")
    if line is None:
        return None
    kept = np.zeros(gray.shape, bool)
    x0, y0, x1, y1 = line.box
    kept[y0:y1, x0:x1] = line.image < 255
    kept = cv2.dilate(kept.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    label = _label(_Ink(mask, owner, ink.chars), kept)
    if not label:
        return None
    if font.small_caps:
        label = label.upper()
    image = prepare(line.image, line.tall)
    return Sample((image * 255).astype(np.uint8), label, font.name, kind, line)
