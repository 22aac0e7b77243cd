"""What a scanner does to a page: skew, blur, dust, uneven lighting, resolution, thresholding.

Each page gets its own `ScanStyle` from the seed; the truth file lists it, so a failing read can be
traced to the degradation that caused it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageFilter

from sample_data.drawing import DPI, px


@dataclass(frozen=True)
class ScanStyle:
    """How one page was scanned."""

    dpi: int
    skew: float  # degrees, counter-clockwise
    blur: float  # Gaussian radius in pixels at 300 dpi; 0 = sharp
    speckle: float  # share of pixels hit by dust; 0 = clean
    brightness: float  # depth of the uneven lighting (0 = even)
    bitonal: bool
    threshold: int
    rotation: int  # 0, or 180 when the page went in upside down
    corner_fill: int  # what the scanner shows where the skewed page does not cover
    jpeg_quality: int | None
    noise_seed: int

    def labels(self) -> list[str]:
        """The degradations for the truth file, e.g. ['skew=-1.25', 'blur=0.8', 'bitonal=165']."""
        out = [f"skew={self.skew:.2f}"] if self.skew else []
        if self.blur:
            out.append(f"blur={self.blur:.2f}")
        if self.speckle:
            out.append(f"speckle={self.speckle:.5f}")
        if self.brightness:
            out.append(f"uneven_brightness={self.brightness:.2f}")
        if self.jpeg_quality is not None:
            out.append(f"jpeg_quality={self.jpeg_quality}")
        if self.bitonal:
            out.append(f"bitonal={self.threshold}")
        return out


def plan_scan(
    rng: random.Random,
    dpi: int,
    bitonal: bool,
    jpeg: bool = False,
    upside_down_rate: float = 0.0,
) -> ScanStyle:
    """Draws a scan style; every degradation has a fair chance of being absent."""
    skew = round(rng.uniform(-2.5, 2.5), 2) if rng.random() < 0.8 else 0.0
    blur = round(rng.uniform(0.4, 1.3), 2) if rng.random() < 0.4 else 0.0
    speckle = round(rng.uniform(0.00005, 0.0005), 5) if rng.random() < 0.4 else 0.0
    # Bitonal scans threshold the light: keep the paper above the threshold everywhere.
    depth = rng.uniform(0.05, 0.12 if bitonal else 0.22)
    brightness = round(depth, 2) if rng.random() < 0.4 else 0.0
    return ScanStyle(
        dpi=dpi,
        skew=skew,
        blur=blur,
        speckle=speckle,
        brightness=brightness,
        bitonal=bitonal,
        threshold=rng.randrange(150, 176),
        rotation=180 if rng.random() < upside_down_rate else 0,
        corner_fill=255 if rng.random() < 0.75 else rng.randrange(20, 60),
        jpeg_quality=rng.randrange(40, 86) if jpeg else None,
        noise_seed=rng.randrange(2**31),
    )


def optics(image: Image.Image, style: ScanStyle) -> Image.Image:
    """Blur, lighting, dust and skew, at the drawing resolution."""
    out = image
    if style.blur:
        out = out.filter(ImageFilter.GaussianBlur(style.blur))
    rng = np.random.default_rng(style.noise_seed)
    arr = np.asarray(out, dtype=np.float32)
    if style.brightness:
        h, w = arr.shape
        y = np.arange(h, dtype=np.float32)[:, None]
        x = np.arange(w, dtype=np.float32)[None, :]
        angle = rng.uniform(0, 2 * np.pi)
        ramp = (x * np.cos(angle) + y * np.sin(angle)) / max(h, w)
        ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
        arr = arr * (1.0 - style.brightness * ramp)
    if style.speckle:
        h, w = arr.shape
        n = int(style.speckle * h * w)
        ys = rng.integers(0, h - 2, n)
        xs = rng.integers(0, w - 2, n)
        dark = rng.integers(0, 110, n).astype(np.float32)
        size = rng.integers(1, 3, n)
        for yy, xx, d, s in zip(ys, xs, dark, size, strict=True):
            arr[yy : yy + s, xx : xx + s] = np.minimum(arr[yy : yy + s, xx : xx + s], d)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    if style.skew:
        out = out.rotate(
            style.skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=style.corner_fill
        )
    return out


def digitize(image: Image.Image, style: ScanStyle) -> Image.Image:
    """Resolution, thresholding and orientation: the image as the scanner writes it."""
    out = image
    if style.dpi != DPI:
        size = (round(out.width * style.dpi / DPI), round(out.height * style.dpi / DPI))
        out = out.resize(size, Image.Resampling.LANCZOS)
    if style.bitonal:
        table = [0 if v < style.threshold else 255 for v in range(256)]
        out = out.point(table, "1")
    if style.rotation == 180:
        out = out.transpose(Image.Transpose.ROTATE_180)
    return out


def scan(image: Image.Image, style: ScanStyle) -> Image.Image:
    """A page through the whole scanner."""
    return digitize(optics(image, style), style)


def on_flatbed(check: Image.Image, style: ScanStyle, rng: random.Random) -> Image.Image:
    """A check lying on a letter-size flatbed glass, a little in from the corner, with its edge.

    The check goes through the scanner optics here (skewed as it lies on the glass); the result is
    the whole page at 300 dpi, ready for `digitize`.
    """
    glass = rng.randrange(242, 253)
    flat = optics(check, replace(style, skew=0.0))
    edged = Image.new("L", (flat.width + 8, flat.height + 8), rng.randrange(120, 190))
    edged.paste(flat, (4, 4))
    if style.skew:
        edged = edged.rotate(
            style.skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=glass
        )
    page = Image.new("L", (px(8.5), px(11.0)), glass)
    x = px(rng.uniform(0.15, 1.2))
    y = px(rng.uniform(0.15, 2.5)) if rng.random() < 0.7 else px(rng.uniform(3.0, 6.0))
    page.paste(edged, (x, y))
    return page
