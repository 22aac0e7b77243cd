"""Check-like images rendered on the spot with Pillow: printed and handwriting-style fonts, seeded
noise, blur, skew and bitonal scans, with the truth each one carries.

The sample generator draws the full-fidelity mail; these small renders let the OCR tests run on their
own and vary exactly what a test is about.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = [Path("/usr/share/fonts")]
PRINTED = ["DejaVuSans.ttf", "LiberationSans-Regular.ttf", "LiberationSerif-Regular.ttf"]
PRINTED_BOLD = ["DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"]
HANDWRITING = ["ComicNeue-Regular.otf", "dkg.ttf", "Humor-Sans.ttf", "BecauseWeLearn-Regular.otf"]
OCRA = "OCRA.ttf"


def find_font(name: str) -> Path | None:
    for base in FONT_DIRS:
        hits = sorted(base.rglob(name))
        if hits:
            return hits[0]
    return None


def font(name: str, px: int) -> ImageFont.FreeTypeFont:
    path = find_font(name)
    if path is None:
        pytest.skip(f"font {name} is not installed")
    return ImageFont.truetype(str(path), px)


@dataclass
class CheckSpec:
    """What to draw on a check, and how to degrade the scan."""

    amount: Decimal = Decimal("412.45")
    courtesy: str = "412.45"
    legal: str = "Four hundred twelve and 45/100"
    written: date = date(2026, 11, 17)
    date_text: str = "11/17/2026"
    memo: str = "Acct 1234567890"
    payer: tuple[str, ...] = ("JOHN A SMITH", "1234 Elm St", "Dallas, TX 75201")
    payee: str = "Lone Star Auto Finance"
    micr: str = "T111000025T 123456789U 1042"
    hand_font: str = "ComicNeue-Regular.otf"
    printed_font: str = "DejaVuSans.ttf"
    dpi: int = 300
    business: bool = False
    skew_deg: float = 0.0
    blur: float = 0.0
    noise: float = 0.0
    bitonal: bool = False
    upside_down: bool = False
    seed: int = 0
    extras: dict[str, str] = field(default_factory=dict)


def _micr_band(text: str, dpi: int) -> np.ndarray | None:
    try:
        from ocr.micr import render_micr
    except ImportError:
        return None
    return render_micr(text, dpi)


def render_check(spec: CheckSpec) -> np.ndarray:
    """A grayscale check front (uint8, 255 paper) drawn from spec."""
    rng = random.Random(spec.seed)
    w_in, h_in = (8.5, 3.5) if spec.business else (6.0, 2.75)
    dpi = spec.dpi
    W, H = int(w_in * dpi), int(h_in * dpi)
    img = Image.new("L", (W, H), 250)
    d = ImageDraw.Draw(img)

    def px(inches: float) -> int:
        return int(round(inches * dpi))

    label = font(spec.printed_font, px(0.09))
    small = font(spec.printed_font, px(0.085))
    bold = font(PRINTED_BOLD[0], px(0.12))
    hand = font(spec.hand_font, px(0.16))
    d.rectangle([px(0.05), px(0.05), W - px(0.05), H - px(0.05)], outline=170, width=2)
    # Payer block.
    y = px(0.18)
    for i, line in enumerate(spec.payer):
        d.text((px(0.3), y), line, font=bold if i == 0 else small, fill=20)
        y += px(0.16) if i == 0 else px(0.13)
    d.text((W - px(0.9), px(0.18)), "1042", font=bold, fill=20)
    # Date.
    dx = W - px(2.3)
    dy = px(0.62)
    d.text((dx, dy), "DATE", font=label, fill=30)
    d.line([dx + px(0.45), dy + px(0.11), W - px(0.35), dy + px(0.11)], fill=60, width=2)
    d.text((dx + px(0.55), dy + px(0.09)), spec.date_text, font=hand, fill=15, anchor="ls")
    # Pay line and courtesy box.
    py = px(1.05)
    d.text((px(0.3), py), "PAY TO THE", font=label, fill=30)
    d.text((px(0.3), py + px(0.11)), "ORDER OF", font=label, fill=30)
    box_x0 = W - px(1.45)
    d.line([px(1.05), py + px(0.2), box_x0 - px(0.25), py + px(0.2)], fill=60, width=2)
    d.text((px(1.2), py + px(0.18)), spec.payee, font=hand, fill=15, anchor="ls")
    d.text((box_x0 - px(0.15), py + px(0.04)), "$", font=bold, fill=20)
    d.rectangle([box_x0, py - px(0.02), W - px(0.3), py + px(0.24)], outline=60, width=2)
    d.text((box_x0 + px(0.1), py + px(0.18)), spec.courtesy, font=hand, fill=15, anchor="ls")
    # Legal line.
    ly = px(1.52)
    d.line([px(0.3), ly + px(0.2), W - px(1.1), ly + px(0.2)], fill=60, width=2)
    d.text((px(0.4), ly + px(0.18)), spec.legal, font=hand, fill=15, anchor="ls")
    d.text((W - px(1.0), ly + px(0.08)), "DOLLARS", font=label, fill=30)
    # Bank, memo, signature.
    d.text((px(0.3), px(1.85)), "FIRST TEXAS BANK", font=small, fill=40)
    my = px(2.1)
    d.text((px(0.3), my + px(0.06)), "MEMO", font=label, fill=30)
    d.line([px(0.75), my + px(0.17), px(2.9), my + px(0.17)], fill=60, width=2)
    d.text((px(0.85), my + px(0.15)), spec.memo, font=hand, fill=15, anchor="ls")
    d.line([W - px(2.6), my + px(0.17), W - px(0.35), my + px(0.17)], fill=60, width=2)
    sig = font(spec.hand_font, px(0.2))
    d.text(
        (W - px(2.4), my + px(0.15)),
        spec.payer[0].split()[0].title() + " S.",
        font=sig,
        fill=25,
        anchor="ls",
    )
    arr = np.array(img)
    band = _micr_band(spec.micr, dpi)
    if band is not None:
        by = H - px(0.19) - band.shape[0] // 2
        bx = px(0.6)
        bh, bw = band.shape
        bw = min(bw, W - bx - px(0.1))
        arr[by : by + bh, bx : bx + bw] = np.minimum(arr[by : by + bh, bx : bx + bw], band[:, :bw])
    return degrade(arr, spec, rng)


def degrade(arr: np.ndarray, spec: CheckSpec, rng: random.Random) -> np.ndarray:
    """Skew, blur, noise, bitonal thresholding and upside-down feeding, as scanners do."""
    img = Image.fromarray(arr)
    if spec.skew_deg:
        img = img.rotate(
            spec.skew_deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=250
        )
    if spec.blur:
        img = img.filter(ImageFilter.GaussianBlur(spec.blur))
    out = np.array(img).astype(np.float64)
    if spec.noise:
        gen = np.random.default_rng(spec.seed)
        out += gen.normal(0, spec.noise, out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if spec.bitonal:
        out = np.where(out < 150, 0, 255).astype(np.uint8)
    if spec.upside_down:
        out = np.ascontiguousarray(out[::-1, ::-1])
    return out


def render_coupon(account: str, due: Decimal, dpi: int = 300) -> np.ndarray:
    """A payment coupon: heading, account and amount due, and the OCR-A scan line at the bottom."""
    from ocr.parse.accounts import coupon_scan_line

    W, H = int(8.5 * dpi), int(3.5 * dpi)
    img = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(img)
    big = font(PRINTED_BOLD[0], int(0.16 * dpi))
    small = font(PRINTED[0], int(0.11 * dpi))
    d.text((int(0.4 * dpi), int(0.3 * dpi)), "PAYMENT COUPON", font=big, fill=0)
    d.text((int(0.4 * dpi), int(0.7 * dpi)), f"Account Number: {account}", font=small, fill=0)
    d.text((int(0.4 * dpi), int(0.95 * dpi)), f"Amount Due: ${due:,.2f}", font=small, fill=0)
    d.text(
        (int(0.4 * dpi), int(1.2 * dpi)),
        "Please return this coupon with your payment.",
        font=small,
        fill=0,
    )
    ocr_font = font(OCRA, int(0.14 * dpi))
    d.text((int(2.0 * dpi), int(2.8 * dpi)), coupon_scan_line(account, due), font=ocr_font, fill=0)
    return np.array(img)


def render_letter(dpi: int = 200) -> np.ndarray:
    W, H = int(8.5 * dpi), int(11 * dpi)
    img = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(img)
    f = font(PRINTED[1], int(0.14 * dpi))
    lines = [
        "Dear Sir or Madam,",
        "I am writing about my auto loan. I lost my job last month and",
        "would like to ask whether my payment can be deferred until",
        "I find new work. Thank you for your understanding.",
        "Sincerely, Maria Lopez",
    ]
    for i, line in enumerate(lines):
        d.text((int(1 * dpi), int((1.5 + 0.4 * i) * dpi)), line, font=f, fill=0)
    return np.array(img)


def render_back(dpi: int = 200) -> np.ndarray:
    W, H = int(6 * dpi), int(2.75 * dpi)
    img = Image.new("L", (W, H), 250)
    d = ImageDraw.Draw(img)
    f = font(PRINTED[0], int(0.09 * dpi))
    d.text((int(0.3 * dpi), int(0.2 * dpi)), "ENDORSE HERE", font=f, fill=40)
    for k in range(3):
        y = int((0.45 + 0.2 * k) * dpi)
        d.line([int(0.3 * dpi), y, int(2.6 * dpi), y], fill=90, width=2)
    d.text(
        (int(0.3 * dpi), int(1.2 * dpi)),
        "DO NOT WRITE, STAMP OR SIGN BELOW THIS LINE",
        font=f,
        fill=40,
    )
    d.text(
        (int(0.3 * dpi), int(1.4 * dpi)), "RESERVED FOR FINANCIAL INSTITUTION USE", font=f, fill=40
    )
    return np.array(img)


@pytest.fixture
def check_factory() -> Callable[..., np.ndarray]:
    """render_check(CheckSpec(**overrides))."""

    def make(**overrides: object) -> np.ndarray:
        return render_check(CheckSpec(**overrides))  # type: ignore[arg-type]

    return make


@pytest.fixture
def page_factory() -> dict[str, Callable[..., np.ndarray]]:
    """Renderers for the other page kinds: coupon(account, due, dpi), back(dpi), letter(dpi)."""
    return {"coupon": render_coupon, "back": render_back, "letter": render_letter}
