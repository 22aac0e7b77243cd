"""Finding the amount fields by the check stock's own lines, and cutting just the writing out:
box sides, rules, the '$' and the filler after the words are not part of an amount."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import stock
from ocr.isolate import TARGET_HEIGHT, isolate, normalize, raised_tail

DPI = 200


def _font(px: int) -> ImageFont.FreeTypeFont:
    from tests.ocr.conftest import font  # noqa: PLC0415 - skips when the font is missing

    return font("DejaVuSans.ttf", px)


def _canvas(w_in: float, h_in: float) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("L", (int(w_in * DPI), int(h_in * DPI)), 255)
    return img, ImageDraw.Draw(img)


def test_courtesy_box_and_legal_rule_of_a_rendered_check(
    check_factory: Callable[..., np.ndarray],
) -> None:
    img = check_factory(dpi=DPI, hand_font="DejaVuSans.ttf", skew_deg=0.0)
    h, w = img.shape
    box = stock.courtesy_box(img, DPI)
    assert box is not None
    # The conftest draws the box 1.45 in from the right edge, from 1.03 to 1.29 in down.
    assert abs(box[0] - (w - 1.45 * DPI)) < 0.05 * DPI
    assert box[1] < 1.07 * DPI and box[3] > 1.25 * DPI
    rule = stock.legal_rule(img, DPI)
    assert rule is not None and abs(rule[1] - 1.72 * DPI) < 0.05 * DPI
    assert rule[2] - rule[0] > 0.6 * w


def test_courtesy_underline_when_there_is_no_box() -> None:
    img, d = _canvas(6.0, 2.75)
    y = int(1.1 * DPI)
    d.line([(int(1.0 * DPI), y), (int(4.5 * DPI), y)], fill=40, width=2)  # payee line
    d.line([(int(4.8 * DPI), y), (int(5.75 * DPI), y)], fill=40, width=2)  # courtesy underline
    d.text((int(4.9 * DPI), y - int(0.25 * DPI)), "412.45", font=_font(40), fill=0)
    gray = np.array(img)
    assert stock.courtesy_box(gray, DPI) is None
    region = stock.courtesy_underline(gray, DPI)
    assert region is not None
    assert region[0] >= int(4.7 * DPI) and region[3] <= y + 2 and region[1] < y - 0.2 * DPI


def test_business_table_amount_cell() -> None:
    img, d = _canvas(8.5, 3.5)
    y = int(1.15 * DPI)
    d.text((int(5.3 * DPI), y - 30), "Date", font=_font(18), fill=40)
    d.text((int(6.75 * DPI), y - 30), "Amount", font=_font(18), fill=40)
    d.line([(int(5.3 * DPI), y), (int(8.15 * DPI), y)], fill=40, width=2)
    d.text((int(5.3 * DPI), y + 10), "11/23/2026", font=_font(30), fill=0)
    d.text((int(6.8 * DPI), y + 10), "845.67", font=_font(30), fill=0)
    gray = np.array(img)
    assert stock.courtesy_box(gray, DPI) is None
    cell = stock.courtesy_table(gray, DPI)
    assert cell is not None
    # The cell holds the amount and none of the date.
    assert cell[0] > 5.3 * DPI + _font(30).getlength("11/23/2026") and cell[0] < 6.8 * DPI
    assert cell[1] >= y and cell[3] > y + 40


def _legal_line(tail: str) -> tuple[np.ndarray, int]:
    img, d = _canvas(6.0, 0.6)
    f = _font(34)
    words = "Four hundred twelve and 45/100"
    d.text((int(0.2 * DPI), 40), words, font=f, fill=0)
    end = int(0.2 * DPI + f.getlength(words))
    d.text((end + 20, 40), tail, font=f, fill=0)
    d.line([(10, 85), (int(5.9 * DPI), 85)], fill=0, width=2)  # the rule under the words
    d.line([(4, 5), (4, 110)], fill=0, width=3)  # a box side or page edge
    return np.array(img), end


@pytest.mark.parametrize("tail", ["*" * 30, "-" * 40])
def test_filler_after_the_words_is_cut_off(tail: str) -> None:
    gray, end = _legal_line(tail)
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI, trim_filler=True)
    assert line is not None
    assert end - 15 < line.box[2] <= end + 8  # ends with '100', not with the filler
    assert line.box[0] > 10  # the bar on the left is gone
    assert line.image.shape[0] < 60  # the rule is gone


def test_raised_cents_are_found_and_plain_figures_have_none() -> None:
    img, d = _canvas(2.0, 0.5)
    big, small = _font(40), _font(20)
    d.text((10, 30), "254", font=big, fill=0, anchor="ls")
    cents_x = int(12 + big.getlength("254") + 10)
    d.text((cents_x, 20), "95/100", font=small, fill=0, anchor="ls")
    gray = np.array(img)
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI)
    assert line is not None
    at = raised_tail(line)
    assert at is not None and abs(line.box[0] + at - cents_x) < 8

    img2, d2 = _canvas(2.0, 0.5)
    d2.text((10, 30), "254.95", font=big, fill=0, anchor="ls")
    plain = np.array(img2)
    line2 = isolate(plain, (0, 0, plain.shape[1], plain.shape[0]), DPI)
    assert line2 is not None and raised_tail(line2) is None


def test_lines_are_scaled_to_the_reading_height() -> None:
    crop = np.full((18, 100), 255, np.uint8)
    crop[2:16, 10:90] = 0
    out = normalize(crop, tall=14)
    assert abs(out.shape[0] - (18 * TARGET_HEIGHT / 14 + 32)) <= 2
