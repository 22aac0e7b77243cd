"""Draws the back of a check: the endorsement area and the lockbox's deposit stamp.

Backs ride along as the second page of multi-page TIFFs, as check scanners capture them; the reader
must recognise them as backs and not take them for a second check.
"""

from __future__ import annotations

import random

from PIL import Image

from sample_data.drawing import Sheet, paper_background, px
from sample_data.fonts import MONO, SANS, SANS_BOLD
from sample_data.specs import BackSpec


def render_check_back(spec: BackSpec) -> Image.Image:
    """The back at 300 dpi, the same size as the front."""
    rng = random.Random(f"check-back:{spec.render_seed}")
    width_in, height_in = (8.5, 3.5) if spec.layout == "business" else (6.0, 2.75)
    # Drawn upright on a portrait sheet, then turned: the endorsement runs across the short side.
    sheet = Sheet(height_in, width_in)
    style = rng.choice(["plain", "plain", "tint", "weave"])
    sheet.set_background(paper_background(sheet.width, sheet.height, style, rng))
    w = sheet.width
    ink = rng.choice([40, 60, 80])
    y = px(0.35)
    sheet.text((w / 2, y), "ENDORSE HERE", SANS_BOLD, 30, ink, anchor="ms")
    for _ in range(3):
        y += px(0.28)
        sheet.hline(px(0.2), w - px(0.2), y, ink)
    sheet.text((px(0.2), y - px(0.04)), "X", SANS_BOLD, 34, ink)
    y += px(0.2)
    sheet.text(
        (w / 2, y), "DO NOT WRITE, STAMP, OR SIGN BELOW THIS LINE", SANS, 22, ink, anchor="ms"
    )
    y += px(0.1)
    sheet.text((w / 2, y), "RESERVED FOR FINANCIAL INSTITUTION USE *", SANS, 20, ink, anchor="ms")
    sheet.hline(px(0.15), w - px(0.15), y + px(0.06), ink, width=3)

    # The lockbox's restrictive endorsement, stamped a little crooked in violet ink.
    sub = Sheet(2.4, 0.8, paper=0)  # a mask: 255 where the stamp inks
    line_y = px(0.18)
    for line in spec.stamp_lines:
        sub.text((px(0.1), line_y), line, MONO, 36, 255)
        line_y += px(0.14)
    sub.rect((px(0.03), px(0.02), px(2.37), line_y - px(0.06)), 255, width=3)
    turned = sub.image.rotate(rng.uniform(-6, 6), expand=True, resample=Image.Resampling.BICUBIC)
    sx = int(rng.uniform(0, max(1, w - turned.width)))
    sy = int(y + px(0.25) + rng.uniform(0, px(1.5)))
    sheet.paste_ink(turned, sx, sy, rng.choice([60, 85, 110]))
    return sheet.image.rotate(90, expand=True)
