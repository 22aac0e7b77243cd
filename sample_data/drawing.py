"""Drawing helpers shared by the check, coupon and letter renderers.

Everything is drawn at 300 dpi in grayscale (255 paper, 0 ink) and resampled to the item's dpi at the
end, the way a scanner's optics would; handwriting gets per-letter jitter and a slight slant so it is
never as regular as a font on a ruler.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from sample_data.fonts import AnyFont, load_font

DPI = 300


def px(inches: float) -> int:
    """Inches to pixels at the drawing resolution."""
    return round(inches * DPI)


def text_width(font: AnyFont, text: str) -> float:
    return float(font.getlength(text))


def fit_size(chain: Sequence[str], text: str, size: int, max_width: int, min_size: int = 14) -> int:
    """The largest size up to `size` at which `text` fits in `max_width` pixels."""
    while size > min_size:
        font, _ = load_font(chain, size)
        if text_width(font, text) <= max_width:
            return size
        size -= 2
    return min_size


def size_for_height(chain: Sequence[str], height_px: int, sample: str = "0") -> int:
    """The font size whose `sample` glyph is about `height_px` tall (fonts differ a lot here)."""
    font, _ = load_font(chain, 100)
    box = font.getbbox(sample)
    glyph = max(1, box[3] - box[1])
    return max(8, round(100 * height_px / glyph))


PEN_PX = 5  # a ballpoint line, about 0.4 mm at 300 dpi


@lru_cache(maxsize=256)
def pen_stroke(chain: tuple[str, ...], size: int) -> int:
    """Extra outline (pixels) that makes a thin handwriting font as bold as a ballpoint line."""
    font, _ = load_font(chain, size)
    mask = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(mask).text((size // 2, size // 4), "l", font=font, fill=255)
    ink = np.asarray(mask) > 127
    rows = [r for r in ink if r.any()]
    if not rows:
        return 0
    width = float(np.median([r.sum() for r in rows]))
    return max(0, math.ceil((PEN_PX - width) / 2))


REDRAWS = 4  # a hand's line drawn smaller at most this often to fit its space


class Sheet:
    """A page being drawn at 300 dpi."""

    def __init__(self, width_in: float, height_in: float, paper: int = 252) -> None:
        self.image = Image.new("L", (px(width_in), px(height_in)), paper)
        self.draw = ImageDraw.Draw(self.image)

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    def set_background(self, background: np.ndarray) -> None:
        self.image = Image.fromarray(background.astype(np.uint8), "L")
        self.draw = ImageDraw.Draw(self.image)

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        chain: Sequence[str],
        size: int,
        ink: int,
        anchor: str = "ls",
    ) -> tuple[int, int, int, int]:
        """Printed text; returns its bounding box."""
        font, _ = load_font(chain, size)
        self.draw.text(xy, text, font=font, fill=ink, anchor=anchor)
        box = self.draw.textbbox(xy, text, font=font, anchor=anchor)
        return (int(box[0]), int(box[1]), int(box[2]), int(box[3]))

    def hline(self, x0: float, x1: float, y: float, ink: int, width: int = 2) -> None:
        self.draw.line([(x0, y), (x1, y)], fill=ink, width=width)

    def dotted(self, x0: float, x1: float, y: float, ink: int, step: int = 8) -> None:
        x = x0
        while x < x1:
            self.draw.line([(x, y), (min(x + step / 2, x1), y)], fill=ink, width=2)
            x += step

    def rect(self, box: tuple[float, float, float, float], ink: int, width: int = 2) -> None:
        self.draw.rectangle(box, outline=ink, width=width)

    def paste_ink(self, mask: Image.Image, x: int, y: int, ink: int) -> None:
        """Lays ink of grey level `ink` through `mask` (255 = full ink) at (x, y)."""
        solid = Image.new("L", mask.size, ink)
        self.image.paste(solid, (x, y), mask)

    def paste_written(
        self,
        xy: tuple[float, float],
        written: Callable[[float], tuple[Image.Image, int, int]],
        height_px: float,
        ink: int,
        max_width: float,
    ) -> tuple[int, int, int, int]:
        """Ink a hand drew (`written(height)`: its mask and where its baseline starts in it) laid
        with the baseline's left end at `xy`, drawn smaller when wider than `max_width` (again
        while it is: a hand never writes a line twice the same width); the ink's bounding box."""
        mask, bx, by = written(height_px)
        box = mask.getbbox()
        for _ in range(REDRAWS):
            if box is None or box[2] - box[0] <= max_width or max_width <= 0:
                break
            height_px *= max_width / (box[2] - box[0])
            mask, bx, by = written(height_px)
            box = mask.getbbox()
        left, top = round(xy[0]) - bx, round(xy[1]) - by
        self.paste_ink(mask, left, top, ink)
        if box is None:
            return (left, top, left, top)
        return (left + box[0], top + box[1], left + box[2], top + box[3])

    def hand_text(
        self,
        xy: tuple[float, float],
        text: str,
        chain: Sequence[str],
        size: int,
        ink: int,
        rng: random.Random,
        slant_deg: float | None = None,
        jitter: float = 0.05,
    ) -> tuple[int, int, int, int]:
        """Handwriting: each letter slightly off the baseline, the word a little tilted.

        `xy` is the left end of the baseline, like anchor 'ls'. Returns the ink's bounding box.
        """
        if not text:
            return (int(xy[0]), int(xy[1]), int(xy[0]), int(xy[1]))
        font, _ = load_font(chain, size)
        ascent, descent = (size, size // 3)
        if isinstance(font, ImageFont.FreeTypeFont):
            ascent, descent = font.getmetrics()
        pad = size
        width = int(text_width(font, text) * 1.1) + 2 * pad
        height = ascent + descent + 2 * pad
        mask = Image.new("L", (width, height), 0)
        draw = ImageDraw.Draw(mask)
        x = float(pad)
        base = pad + ascent
        stroke = pen_stroke(tuple(chain), size)
        for ch in text:
            dy = rng.gauss(0, jitter * size * 0.5)
            draw.text(
                (x, base + dy),
                ch,
                font=font,
                fill=255,
                anchor="ls",
                stroke_width=stroke,
                stroke_fill=255,
            )
            x += text_width(font, ch) * (1 + rng.uniform(-jitter, jitter) * 0.6)
        angle = rng.uniform(-1.6, 1.2) if slant_deg is None else slant_deg
        rotated = mask.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        # Where the baseline's left end went after the rotation about the centre.
        cx, cy = width / 2, height / 2
        rad = math.radians(angle)
        dx0, dy0 = pad - cx, base - cy
        rx = dx0 * math.cos(rad) + dy0 * math.sin(rad) + rotated.width / 2
        ry = -dx0 * math.sin(rad) + dy0 * math.cos(rad) + rotated.height / 2
        left, top = round(xy[0] - rx), round(xy[1] - ry)
        self.paste_ink(rotated, left, top, ink)
        bbox = rotated.getbbox()
        if bbox is None:
            return (left, top, left, top)
        return (left + bbox[0], top + bbox[1], left + bbox[2], top + bbox[3])


def paper_background(
    width: int, height: int, style: str, rng: random.Random, paper: int = 252
) -> np.ndarray:
    """Check-stock backgrounds: plain, tinted, wavy guilloche lines, a gradient or a diagonal weave.

    Values stay light (>= 205) so that ink stays the darkest thing on the page and bitonal scans
    drop the pattern, as real security backgrounds are designed to.
    """
    y = np.arange(height, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None, :]
    base = np.full((height, width), float(paper), dtype=np.float32)
    if style == "plain":
        return base
    if style == "tint":
        return base - rng.uniform(8, 22)
    if style == "waves":
        period = rng.uniform(40, 90)
        amp = rng.uniform(8, 30)
        phase = rng.uniform(0, 6.28)
        lines = np.sin((y + amp * np.sin(x / rng.uniform(120, 260) + phase)) * 2 * np.pi / period)
        return base - rng.uniform(6, 12) - rng.uniform(10, 24) * (lines > 0.82)
    if style == "gradient":
        ramp = x / max(1, width - 1)
        if rng.random() < 0.5:
            ramp = 1 - ramp
        return base - 6 - rng.uniform(12, 30) * ramp  # broadcasts the row over every line
    if style == "weave":
        period = rng.uniform(18, 34)
        a = np.sin((x + y) * 2 * np.pi / period)
        b = np.sin((x - y) * 2 * np.pi / period)
        return base - 8 - 14 * ((a > 0.9) | (b > 0.9))
    raise ValueError(f"unknown background {style!r}")


BACKGROUNDS = ("plain", "plain", "tint", "waves", "gradient", "weave")


def star(cx: float, cy: float, r: float, points: int = 5) -> list[tuple[float, float]]:
    """The outline of a star (the lender's logo)."""
    out: list[tuple[float, float]] = []
    for i in range(points * 2):
        radius = r if i % 2 == 0 else r * 0.42
        a = math.pi / 2 + i * math.pi / points
        out.append((cx + radius * math.cos(a), cy - radius * math.sin(a)))
    return out
