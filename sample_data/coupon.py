"""Draws the payment coupon a customer tears off the statement and mails with the check.

The reader trusts the coupon's OCR-A scan line more than anything handwritten, so the line is
printed the way statement printers print it: OCR-A at 10 characters per inch, near the bottom
right, with nothing else on its band.
"""

from __future__ import annotations

import random

from PIL import Image

from sample_data.drawing import Sheet, paper_background, px, size_for_height, star
from sample_data.fonts import (
    HANDWRITING_FALLBACK,
    OCR_A,
    SANS,
    SANS_BOLD,
    SERIF_BOLD,
    load_font,
)
from sample_data.specs import LENDER, SITE_REMIT_LINES, CouponSpec


def pt(points: float) -> int:
    return round(points * 300 / 72)


def _ocr_a_size() -> int:
    """The OCR-A size whose advance is 0.1 inch (10 characters per inch)."""
    font, _ = load_font(OCR_A, 100)
    advance = max(1.0, float(font.getlength("0")))
    return round(100 * px(0.1) / advance)


def render_coupon(spec: CouponSpec) -> Image.Image:
    """The coupon (8.5 x 3.5 in) at 300 dpi."""
    rng = random.Random(f"coupon:{spec.render_seed}")
    sheet = Sheet(8.5, 3.5)
    sheet.set_background(
        paper_background(sheet.width, sheet.height, rng.choice(["plain", "plain", "tint"]), rng)
    )
    w, h = sheet.width, sheet.height
    ink = rng.choice([10, 25, 40])

    # Perforation along the top edge.
    sheet.dotted(px(0.1), w - px(0.1), px(0.08), 120, step=14)

    # The lender's star and name, and the title.
    sheet.draw.polygon(star(px(0.55), px(0.5), px(0.22)), fill=ink)
    sheet.text((px(0.9), px(0.6)), LENDER, SERIF_BOLD, pt(15), ink)
    sheet.text((w - px(0.4), px(0.58)), "PAYMENT COUPON", SANS_BOLD, pt(13), ink, anchor="rs")
    sheet.text(
        (px(0.9), px(0.8)),
        "Please detach and return this portion with your payment.",
        SANS,
        pt(7),
        ink + 30,
    )
    sheet.text(
        (px(0.9), px(0.93)),
        f"Make checks payable to {LENDER}. Write your account number on your check.",
        SANS,
        pt(7),
        ink + 30,
    )

    # Account table on the right.
    x_lab, x_val = px(4.6 + rng.uniform(-0.1, 0.1)), w - px(0.4)
    rows = [
        ("Account Number", spec.account),
        ("Payment Due Date", spec.due_date.strftime("%m/%d/%Y")),
        ("Amount Due", f"${spec.amount_due:,.2f}"),
    ]
    y = px(1.25)
    for label, value in rows:
        sheet.text((x_lab, y), label, SANS, pt(9), ink)
        sheet.text((x_val, y), value, SANS_BOLD, pt(10), ink, anchor="rs")
        sheet.hline(x_lab, x_val, y + px(0.06), 150, width=1)
        y += px(0.26)
    sheet.text((x_lab, y + px(0.05)), "Amount Enclosed", SANS_BOLD, pt(9), ink)
    box = (px(6.3), y - px(0.2), x_val, y + px(0.12))
    sheet.text((box[0] - px(0.15), y + px(0.05)), "$", SANS_BOLD, pt(11), ink)
    sheet.rect(box, ink, width=3)
    if spec.enclosed_text:
        chain = HANDWRITING_FALLBACK
        size = size_for_height(chain, px(0.15))
        sheet.hand_text(
            (box[0] + px(0.1), box[3] - px(0.07)),
            spec.enclosed_text,
            chain,
            size,
            rng.choice([30, 60, 90]),
            rng,
        )

    # Borrower (window position) and remit-to address.
    y = px(1.3)
    for line in spec.borrower_lines:
        sheet.text((px(0.6), y), line, SANS, pt(9), ink)
        y += px(0.16)
    y += px(0.12)
    sheet.text((px(0.6), y), "Remit to:", SANS, pt(7), ink + 30)
    for line in (LENDER, *SITE_REMIT_LINES[spec.site]):
        y += px(0.16)
        sheet.text((px(0.6), y), line, SANS_BOLD, pt(9), ink)

    # The scan line.
    size = _ocr_a_size()
    sheet.text(
        (w - px(0.5 + rng.uniform(0, 0.3)), h - px(0.28 + rng.uniform(-0.03, 0.03))),
        spec.scanline,
        OCR_A,
        size,
        0,
        anchor="rs",
    )
    return sheet.image
