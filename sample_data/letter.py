"""Pages that are not checks: a customer's letter, or a blank sheet (a separator or an empty fold).

A lockbox must hold these for a clerk instead of posting them, so they carry names and sometimes an
account number, to tempt a careless reader.
"""

from __future__ import annotations

import random

from PIL import Image

from sample_data.drawing import Sheet, paper_background, px, size_for_height
from sample_data.fonts import HANDWRITING_FALLBACK, SERIF, SIGNATURE
from sample_data.specs import LetterSpec


def render_letter(spec: LetterSpec) -> Image.Image:
    """A letter-size page (8.5 x 11 in) at 300 dpi."""
    rng = random.Random(f"letter:{spec.render_seed}")
    sheet = Sheet(8.5, 11.0)
    style = "plain" if spec.kind == "blank" or rng.random() < 0.7 else "tint"
    sheet.set_background(paper_background(sheet.width, sheet.height, style, rng))
    if spec.kind == "blank":
        return sheet.image
    if spec.handwritten:
        chain: tuple[str, ...] = (spec.font, *HANDWRITING_FALLBACK)
        size = size_for_height(chain, px(0.16), sample="A")
        ink = rng.choice([30, 60, 90])
        if rng.random() < 0.6:  # ruled notebook paper
            for k in range(30):
                sheet.hline(0, sheet.width, px(1.0 + k * 0.32), 200, width=2)
    else:
        chain = (spec.font, *SERIF)
        size = round(11.5 * 300 / 72)
        ink = 20
    x = px(1.0 + rng.uniform(-0.1, 0.2))
    y = px(1.3 + rng.uniform(0, 0.3))
    step = px(0.32) if spec.handwritten else round(size * 1.35)
    for line in spec.lines:
        if line:
            if spec.handwritten:
                sheet.hand_text((x, y), line, chain, size, ink, rng)
            else:
                sheet.text((x, y), line, chain, size, ink)
        y += step
    if spec.signature:
        sig_chain = SIGNATURE + HANDWRITING_FALLBACK
        y += step
        sheet.hand_text(
            (x, y),
            spec.signature,
            sig_chain,
            size_for_height(sig_chain, px(0.25), sample="A"),
            40,
            rng,
            slant_deg=4,
        )
        y += step
    for line in spec.after_signature:
        y += step
        if spec.handwritten:
            sheet.hand_text((x, y), line, chain, size, ink, rng)
        else:
            sheet.text((x, y), line, chain, size, ink)
    return sheet.image
