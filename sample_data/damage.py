"""What the mail does to a check's MICR line before it reaches the scanner.

A strip of paper tape over a tear, a bank's ink stamp, an ink smear or a bottom edge torn away, over
one whole MICR field (the transit field with the routing number, or the on-us field with the
account), so that copy's MICR line cannot be read. The rest of the face is untouched: a clean copy
of the same check looks the same everywhere else.

Drawn on the printed check at 300 dpi (after `render_check_front`, before the scanner), from the
damage's own seed, so the same spec gives the same pixels.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from sample_data.drawing import px
from sample_data.fonts import SANS_BOLD, SERIF_BOLD, load_font
from sample_data.micr_line import (
    BOTTOM_IN,
    CHAR_HEIGHT_IN,
    PITCH_IN,
    RIGHT_MARGIN_IN,
    micr_positions,
)
from sample_data.specs import CheckSpec, MicrDamage

TRANSIT_FIELD = range(33, 44)  # positions of T, the nine routing digits and T
MARGIN_IN = 0.07  # beyond the nominal field: the printer's offset is up to 0.03 in


def field_span(spec: CheckSpec, field: str, width: int) -> tuple[int, int]:
    """Left and right pixel of a MICR field on the printed check (300 dpi), with a margin."""
    chars = micr_positions(
        spec.layout, spec.micr_variant, spec.routing, spec.bank_account, spec.serial
    )
    if field == "routing":
        positions = [p for p in chars if p in TRANSIT_FIELD]
    else:
        positions = [p for p in chars if p < TRANSIT_FIELD.start]
    lo, hi = min(positions), max(positions)
    left = width - px(RIGHT_MARGIN_IN + hi * PITCH_IN + MARGIN_IN)
    right = width - px(RIGHT_MARGIN_IN + (lo - 1) * PITCH_IN - MARGIN_IN)
    return max(0, left), min(width, right)


def band_rows(height: int) -> tuple[int, int]:
    """Top and bottom pixel of the MICR characters (300 dpi), with a margin."""
    top = height - px(BOTTOM_IN + CHAR_HEIGHT_IN + MARGIN_IN)
    bottom = height - px(BOTTOM_IN - MARGIN_IN)
    return top, bottom


def obscure_micr(
    image: Image.Image, spec: CheckSpec, damage: MicrDamage, background: int = 255
) -> Image.Image:
    """The printed check with `damage` over one MICR field; `background` shows where paper is gone."""
    rng = random.Random(f"micr-damage:{damage.render_seed}")
    span = field_span(spec, damage.field, image.width)
    if damage.kind == "tape":
        return _tape(image, span, rng)
    if damage.kind == "stamp":
        return _stamp(image, span, rng)
    if damage.kind == "smear":
        return _smear(image, span, rng)
    if damage.kind == "torn":
        return _torn(image, span, damage.field, rng, background)
    raise ValueError(f"unknown MICR damage {damage.kind!r}")


def _rotated_box(cx: float, cy: float, w: float, h: float, deg: float) -> list[tuple[float, float]]:
    rad = np.radians(deg)
    c, s = float(np.cos(rad)), float(np.sin(rad))
    out = []
    for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        out.append((cx + dx * c - dy * s, cy + dx * s + dy * c))
    return out


def _tape(image: Image.Image, span: tuple[int, int], rng: random.Random) -> Image.Image:
    """Matte paper tape: what is under it shows only as a faint ghost."""
    left, right = span
    top, bottom = band_rows(image.height)
    length = right - left + px(rng.uniform(0.25, 0.8))
    height = px(rng.uniform(0.5, 0.75))
    cx = (left + right) / 2 + rng.uniform(-0.1, 0.1) * (right - left)
    cy = (top + bottom) / 2 + px(rng.uniform(-0.05, 0.08))
    corners = _rotated_box(cx, cy, length, height, rng.uniform(-4.0, 4.0))
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).polygon(corners, fill=255)
    inside = np.asarray(mask, dtype=np.float32) / 255.0
    page = np.asarray(image, dtype=np.float32)
    tint = rng.uniform(222, 242)
    ghost = rng.uniform(0.0, 0.03)  # how much of the ink under the tape still shows
    nprng = np.random.default_rng(rng.randrange(2**31))
    grain = nprng.normal(0.0, 2.5, page.shape).astype(np.float32)
    taped = tint - (255.0 - page) * ghost + grain
    out = page * (1 - inside) + taped * inside
    image = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "L")
    draw = ImageDraw.Draw(image)
    edge = round(tint - rng.uniform(25, 60))
    for a, b in ((0, 1), (2, 3)):  # the long edges catch the light
        draw.line([corners[a], corners[b]], fill=edge, width=rng.choice([2, 3]))
    return image


_STAMP_WORDS = (
    ("RECEIVED", "PAID", "DEPOSITED", "CLEARED", "PROCESSED"),
    ("FIRST STATE BANK", "TELLER 04", "BRANCH 112", "CASH DEPT", "LOBBY"),
)


def _stamp(image: Image.Image, span: tuple[int, int], rng: random.Random) -> Image.Image:
    """A teller's ink stamp: a double frame and bold words, over the field and a little beyond."""
    left, right = span
    top, bottom = band_rows(image.height)
    w = right - left + px(rng.uniform(0.2, 0.5))
    h = px(rng.uniform(0.55, 0.75))
    mask = Image.new("L", (w + 2 * px(0.2), h + 2 * px(0.2)), 0)
    draw = ImageDraw.Draw(mask)
    o = px(0.2)
    draw.rectangle((o, o, o + w, o + h), outline=255, width=px(0.03))
    inner = px(0.05)
    draw.rectangle(
        (o + inner, o + inner, o + w - inner, o + h - inner), outline=255, width=px(0.015)
    )
    word = rng.choice(_STAMP_WORDS[0])
    chain = rng.choice([SANS_BOLD, SERIF_BOLD])
    size = round(h * 0.26)
    font, _ = load_font(chain, size)
    while size > 20 and font.getlength(word) > w - 2 * inner - px(0.1):
        size -= 4
        font, _ = load_font(chain, size)
    draw.text((o + w / 2, o + h * 0.16), word, font=font, fill=255, anchor="mm", stroke_width=2)
    small, _ = load_font(SANS_BOLD, px(0.09))
    line2 = f"{rng.choice(_STAMP_WORDS[1])}  {rng.randrange(1, 13):02d}/{rng.randrange(1, 29):02d}"
    draw.text((o + w / 2, o + h - inner - px(0.04)), line2, font=small, fill=255, anchor="ms")
    # Across the middle, where the field's characters sit, the pad's ink ran: a solid bar.
    draw.rectangle((o + inner, o + h * 0.28, o + w - inner, o + h * 0.72), fill=255)
    mask = mask.rotate(rng.uniform(-5, 5), resample=Image.Resampling.BICUBIC)
    nprng = np.random.default_rng(rng.randrange(2**31))
    blotches = Image.fromarray(
        (np.clip(nprng.normal(1.0, 0.02, (mask.height, mask.width)), 0.97, 1.0) * 255).astype(
            np.uint8
        ),
        "L",
    ).filter(ImageFilter.GaussianBlur(4))
    patchy = np.asarray(blotches, dtype=np.float32) / 255.0
    cover = np.asarray(mask, dtype=np.float32) / 255.0 * patchy.astype(np.float32)
    ink = rng.uniform(8, 30)
    page = np.asarray(image, dtype=np.float32).copy()
    cx = (left + right) / 2
    cy = (top + bottom) / 2 + px(rng.uniform(-0.03, 0.03))
    x0, y0 = round(cx - mask.width / 2), round(cy - mask.height / 2)
    _blend(page, cover, x0, y0, ink)
    return Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "L")


def _blend(page: np.ndarray, cover: np.ndarray, x0: int, y0: int, ink: float) -> None:
    """Lays ink of grey `ink` with coverage `cover` (0..1) at (x0, y0), clipped to the page."""
    h, w = cover.shape
    px0, py0 = max(x0, 0), max(y0, 0)
    px1, py1 = min(x0 + w, page.shape[1]), min(y0 + h, page.shape[0])
    if px1 <= px0 or py1 <= py0:
        return
    c = cover[py0 - y0 : py1 - y0, px0 - x0 : px1 - x0]
    region = page[py0:py1, px0:px1]
    page[py0:py1, px0:px1] = region * (1 - c) + ink * c  # a thick layer: what is under it is gone


def _smear(image: Image.Image, span: tuple[int, int], rng: random.Random) -> Image.Image:
    """Wet ink wiped along the code line: dark in the middle, feathered at the edges."""
    left, right = span
    top, bottom = band_rows(image.height)
    mask = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(mask)
    mid = (top + bottom) / 2
    half = (bottom - top) / 2 + px(0.04)
    draw.polygon(
        [
            (left, mid - half + rng.uniform(-8, 8)),
            (right, mid - half + rng.uniform(-8, 8)),
            (right, mid + half + rng.uniform(-8, 8)),
            (left, mid + half + rng.uniform(-8, 8)),
        ],
        fill=255,
    )
    for _ in range(rng.randrange(5, 10)):
        cx = rng.uniform(left, right)
        cy = mid + rng.uniform(-half, half)
        rx, ry = px(rng.uniform(0.1, 0.3)), px(rng.uniform(0.08, 0.16))
        draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=255)
    for _ in range(rng.randrange(2, 5)):  # the finger's drag marks past the field
        y = mid + rng.uniform(-half, half)
        x_end = right + px(rng.uniform(0.1, 0.5)) if rng.random() < 0.5 else left - px(0.3)
        draw.line([(left, y), (x_end, y + rng.uniform(-15, 15))], fill=200, width=px(0.04))
    mask = mask.filter(ImageFilter.GaussianBlur(rng.uniform(3, 7)))
    nprng = np.random.default_rng(rng.randrange(2**31))
    streaks = np.clip(nprng.normal(1.0, 0.02, (1, image.width)), 0.97, 1.0).astype(np.float32)
    cover = np.asarray(mask, dtype=np.float32) / 255.0 * streaks
    page = np.asarray(image, dtype=np.float32).copy()
    _blend(page, cover, 0, 0, rng.uniform(10, 40))
    return Image.fromarray(np.clip(page, 0, 255).astype(np.uint8), "L")


def _torn(
    image: Image.Image,
    span: tuple[int, int],
    field: str,
    rng: random.Random,
    background: int,
) -> Image.Image:
    """The bottom edge torn away under and over the field, to the check's nearer side."""
    left, right = span
    top, _ = band_rows(image.height)
    w, h = image.size
    if field == "routing":
        x_from, x_to = -5, right + px(rng.uniform(0.1, 0.4))
    else:
        x_from, x_to = left - px(rng.uniform(0.1, 0.4)), w + 5
    crest = top - px(rng.uniform(0.04, 0.15))
    points: list[tuple[float, float]] = [(x_from, h + 5)]
    x = float(x_from)
    step = px(0.04)
    while x < x_to:
        # Ragged along the crest, falling off to the bottom edge at the ends.
        fall = min(x - x_from, x_to - x) / px(0.25)
        y = crest + rng.uniform(-px(0.04), px(0.04))
        if fall < 1:
            y = h - (h - y) * fall
        points.append((x, y))
        x += step * rng.uniform(0.5, 1.5)
    points.append((x_to, h + 5))
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).polygon(points, fill=255)
    gone = np.asarray(mask, dtype=np.float32) / 255.0
    page = np.asarray(image, dtype=np.float32)
    out = page * (1 - gone) + background * gone
    image = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "L")
    # The torn paper's fibres show as a light ragged edge.
    ImageDraw.Draw(image).line(points[1:-1], fill=round(rng.uniform(170, 215)), width=2)
    return image
