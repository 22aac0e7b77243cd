"""The MICR line sits where the US standard puts it: 3/16 inch above the bottom edge, the transit
field in positions 33-43 counted from 5/16 inch in from the right edge."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from sample_data.drawing import DPI, Sheet
from sample_data.micr_line import draw_micr, micr_positions, micr_text

GNUMICR = Path(__file__).resolve().parents[3] / "shared" / "fonts" / "gnumicr" / "GnuMICR.ttf"
FONTS = [
    None,
    pytest.param(
        GNUMICR, marks=pytest.mark.skipif(not GNUMICR.is_file(), reason="GnuMICR not here")
    ),
]


def test_micr_text_orders_fields_as_printed() -> None:
    personal = micr_positions("personal", "acct_us_serial", "111000025", "123456789", "1043")
    assert micr_text(personal) == "T111000025T 123456789U 1043"
    business = micr_positions("business", "business", "111000025", "123456789", "004512")
    assert micr_text(business) == "U004512U T111000025T 123456789U"


@pytest.mark.parametrize("font", FONTS)
def test_transit_field_is_at_the_standard_position(font: Path | None) -> None:
    sheet = Sheet(6.0, 2.75, paper=255)
    chars = micr_positions("personal", "acct_us_serial", "111000025", "123456789", "1043")
    draw_micr(sheet, chars, random.Random(0), micr_font=font)
    ink = np.asarray(sheet.image) < 128
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    bottom_in = (sheet.height - rows.max()) / DPI
    assert 0.12 < bottom_in < 0.26  # nominal 3/16 in
    assert (sheet.height - rows.min()) / DPI < 0.625  # inside the clear band
    # The transit symbol opens position 43: its left edge 5/16 + 43 * 1/8 in from the right edge.
    left_in = (sheet.width - cols.min()) / DPI
    assert abs(left_in - (5 / 16 + 43 / 8)) < 0.08
