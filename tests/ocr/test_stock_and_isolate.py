"""Finding the amount fields by the check stock's own lines, and cutting just the writing out:
box sides, rules, the '$' and the filler after the words are not part of an amount."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import stock
from ocr.isolate import REACH, TARGET_HEIGHT, isolate, normalize, raised_tail
from ocr.layout import erase_dash_rows

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


def test_a_box_whose_faint_rules_broke_up_is_still_the_box() -> None:
    """A photo of a grey box: its sides stand whole but a third of its top and bottom rules fell
    under the ink threshold, at opposite ends. It is the box, not an underline to read above."""
    img, d = _canvas(6.0, 2.75)
    x0, x1, top, bottom = int(4.85 * DPI), int(5.75 * DPI), int(0.82 * DPI), int(1.12 * DPI)
    d.line([(x0, top), (x0, bottom)], fill=60, width=2)
    d.line([(x1, top), (x1, bottom)], fill=60, width=2)
    third = (x1 - x0) // 3
    d.line([(x0, top), (x1 - third, top)], fill=60, width=2)  # the right third lost
    d.line([(x0 + third, bottom), (x1, bottom)], fill=60, width=2)  # the left third lost
    gray = np.array(img)
    box = stock.courtesy_box(gray, DPI)
    assert box is not None
    assert abs(box[0] - x0) < 8 and abs(box[2] - x1) < 8
    assert abs(box[1] - top) < 8 and abs(box[3] - bottom) < 8


def test_a_box_drawn_in_dashes_is_found_from_its_top_and_bottom() -> None:
    """A box in dashes has no side long enough to be a bar: its top and bottom, two dashed rules
    of one length one above the other, make it; the figures just inside its left side are in."""
    img, d = _canvas(6.0, 2.75)
    x0, x1, top, bottom = int(4.85 * DPI), int(5.75 * DPI), int(0.82 * DPI), int(1.07 * DPI)
    pitch = (x1 - x0) / 8
    for y in (top, bottom):  # eight dashes each way, corner to corner, 0.03 in gaps
        for k in range(8):
            d.line([(x0 + k * pitch, y), (x0 + (k + 1) * pitch - 6, y)], fill=60, width=2)
        d.line([(x1 - 6, y), (x1, y)], fill=60, width=2)  # the corner
    for x in (x0, x1):
        for y in range(top, bottom, 14):
            d.line([(x, y), (x, min(y + 8, bottom))], fill=60, width=2)
    d.text((x0 + 6, bottom - 8), "797.08", font=_font(36), fill=0, anchor="ls")
    gray = np.array(img)
    box = stock.courtesy_box(gray, DPI)
    assert box is not None
    assert abs(box[0] - x0) < 8 and abs(box[2] - x1) < 8
    assert abs(box[1] - top) < 8 and abs(box[3] - bottom) < 8
    line = isolate(gray, box, DPI, reach=REACH)
    assert line is not None and abs(line.box[0] - (x0 + 6)) < 6  # the first 7 is in


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


def test_a_box_with_only_its_top_left_is_read_under_it() -> None:
    """A photo's light or a faint scan keeps a courtesy box's top side and loses the rest: the
    figures are under the rule, not over it."""
    img, d = _canvas(6.0, 2.75)
    y = int(1.1 * DPI)
    d.line([(int(1.0 * DPI), y + 40), (int(4.5 * DPI), y + 40)], fill=40, width=2)  # payee line
    d.line([(int(4.8 * DPI), y), (int(5.75 * DPI), y)], fill=40, width=2)  # the box's top
    d.text((int(4.9 * DPI), y + 8), "692.43", font=_font(40), fill=0)
    gray = np.array(img)
    region = stock.courtesy_underline(gray, DPI)
    assert region is not None
    assert y <= region[1] <= y + 8 and region[3] >= y + 0.25 * DPI
    line = isolate(gray, region, DPI)
    assert line is not None and line.box[1] > y


def _business_table() -> tuple[np.ndarray, int]:
    """A business check's date/amount table: labels over a rule, the values written under it."""
    img, d = _canvas(8.5, 3.5)
    y = int(1.15 * DPI)
    d.text((int(5.3 * DPI), y - 30), "Date", font=_font(18), fill=40)
    d.text((int(6.75 * DPI), y - 30), "Amount", font=_font(18), fill=40)
    d.line([(int(5.3 * DPI), y), (int(8.15 * DPI), y)], fill=40, width=2)
    d.text((int(5.3 * DPI), y + 10), "11/23/2026", font=_font(30), fill=0)
    d.text((int(6.8 * DPI), y + 10), "845.67", font=_font(30), fill=0)
    return np.array(img), y


def test_business_table_amount_cell() -> None:
    gray, y = _business_table()
    assert stock.courtesy_box(gray, DPI) is None
    cell = stock.courtesy_table(gray, DPI)
    assert cell is not None
    # The cell holds the amount and none of the date.
    assert cell[0] > 5.3 * DPI + _font(30).getlength("11/23/2026") and cell[0] < 6.8 * DPI
    assert cell[1] >= y and cell[3] > y + 40


def _legal_line(tail: str, words: str = "Four hundred twelve and 45/100") -> tuple[np.ndarray, int]:
    img, d = _canvas(6.0, 0.6)
    f = _font(34)
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


def test_a_row_of_dashes_is_whitened_for_the_layout_pass_and_a_hyphen_is_kept() -> None:
    gray, end = _legal_line("-" * 40, words="Two hundred thirty-four and 00/100")
    before = gray.copy()
    erase_dash_rows(gray, DPI)
    above_rule = slice(0, 80)
    assert (gray[above_rule, end + 15 :] == 255).all()  # the filler is gone
    assert (gray[:, : end + 5] == before[:, : end + 5]).all()  # the words, hyphen and all, are not
    assert (gray[84:87, end + 15 :] < 128).any()  # nor is the rule under the filler


def test_the_signature_area_holds_the_signature_and_no_field(
    check_factory: Callable[..., np.ndarray],
) -> None:
    img = check_factory(dpi=DPI, hand_font="DejaVuSans.ttf")
    h, w = img.shape
    area = stock.signature_area(img, DPI, h - int(0.35 * DPI))
    assert area is not None
    x0, y0, x1, y1 = area
    # The conftest signs 2.4 in from the right edge on a rule 2.27 in down, the signature's top
    # near 2.05 in; the legal rule is 1.72 in down and the memo rule ends 2.9 in from the left.
    assert x0 <= w - 2.4 * DPI and y0 <= 2.05 * DPI and x1 == w
    assert y0 > 1.72 * DPI and x0 > 2.9 * DPI


def test_a_long_memo_rule_with_the_signature_beside_it_is_not_the_legal_rule() -> None:
    """A small check's memo rule can run half its width; the signature rule level with it says
    it is not the legal rule, which runs alone above."""
    img, d = _canvas(5.6, 2.6)
    legal_y, memo_y = int(1.3 * DPI), int(1.9 * DPI)
    d.line([(int(0.13 * DPI), legal_y), (int(5.2 * DPI), legal_y)], fill=40, width=2)
    d.line([(int(0.34 * DPI), memo_y), (int(2.94 * DPI), memo_y)], fill=40, width=2)
    d.line([(int(3.44 * DPI), memo_y), (int(5.5 * DPI), memo_y)], fill=40, width=2)
    rule = stock.legal_rule(np.array(img), DPI)
    assert rule is not None and abs(rule[1] - legal_y) <= 3


def test_a_legal_rule_broken_by_a_faint_stretch_is_still_the_legal_rule() -> None:
    """A photo's shadow or a faint stretch breaks the legal rule 0.2 in short of its last inch
    and a half: the piece beyond is the same rule, not a signature rule beside a memo rule."""
    img, d = _canvas(6.0, 2.75)
    legal_y = int(1.45 * DPI)
    d.line([(int(0.2 * DPI), legal_y), (int(3.9 * DPI), legal_y)], fill=40, width=2)
    d.line([(int(4.1 * DPI), legal_y), (int(5.6 * DPI), legal_y)], fill=40, width=2)
    rule = stock.legal_rule(np.array(img), DPI)
    assert rule is not None and abs(rule[1] - legal_y) <= 3


def test_a_legal_rule_broken_in_two_halves_is_still_the_legal_rule() -> None:
    """A photo's light breaks the legal rule near its middle, leaving two pieces each shorter
    than half the check: they are one rule, the lowest long one, with the words above it."""
    img, d = _canvas(6.0, 2.75)
    payee_y, legal_y = int(1.05 * DPI), int(1.45 * DPI)
    d.line([(int(0.9 * DPI), payee_y), (int(4.6 * DPI), payee_y)], fill=40, width=2)
    d.line([(int(0.2 * DPI), legal_y), (int(2.7 * DPI), legal_y)], fill=40, width=2)
    d.line([(int(2.85 * DPI), legal_y), (int(5.2 * DPI), legal_y)], fill=40, width=2)
    rule = stock.legal_rule(np.array(img), DPI)
    assert rule is not None and abs(rule[1] - legal_y) <= 3
    assert rule[0] <= 0.25 * DPI and rule[2] >= 5.1 * DPI


def test_a_pale_grey_legal_rule_and_box_are_found() -> None:
    """A stock printed pale, or a photo's exposure, leaves the rules light grey, lighter than
    writing needs to be to count as ink: a long straight line is still a rule, and four such
    lines still the box."""
    img, d = _canvas(6.0, 2.75)
    legal_y = int(1.45 * DPI)
    d.line([(int(0.2 * DPI), legal_y), (int(5.2 * DPI), legal_y)], fill=185, width=2)
    box = (int(4.8 * DPI), int(0.9 * DPI), int(5.8 * DPI), int(1.2 * DPI))
    d.rectangle(box, outline=185, width=2)
    gray = np.array(img)
    rule = stock.legal_rule(gray, DPI)
    assert rule is not None and abs(rule[1] - legal_y) <= 3
    found = stock.courtesy_box(gray, DPI)
    assert found is not None and abs(found[1] - box[1]) <= 6 and abs(found[3] - box[3]) <= 6


def test_no_signature_rule_no_signature_area() -> None:
    gray, _ = _legal_line("")
    assert stock.signature_area(gray, DPI, gray.shape[0]) is None


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


def test_raised_cents_are_found_after_a_small_high_figure_among_the_dollars() -> None:
    """'905 29/100' in a hand whose 0 came out small and high: the 0 is a dollar figure, the
    cents start after the 5."""
    img, d = _canvas(2.0, 0.5)
    big, small = _font(40), _font(20)
    d.text((10, 30), "9", font=big, fill=0, anchor="ls")
    x = int(12 + big.getlength("9"))
    d.text((x, 20), "0", font=small, fill=0, anchor="ls")
    x += int(small.getlength("0")) + 4
    d.text((x, 30), "5", font=big, fill=0, anchor="ls")
    cents_x = int(x + big.getlength("5") + 10)
    d.text((cents_x, 18), "29/100", font=_font(14), fill=0, anchor="ls")
    gray = np.array(img)
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI)
    assert line is not None
    at = raised_tail(line)
    assert at is not None and abs(line.box[0] + at - cents_x) < 8


def test_raised_cents_run_together_into_one_blob_are_found_but_a_dash_is_not() -> None:
    def tail_of(cents: str, underline: bool) -> tuple[int | None, int]:
        img, d = _canvas(2.0, 0.5)
        big, small = _font(40), _font(14)
        d.text((10, 30), "1,182", font=big, fill=0, anchor="ls")
        cents_x = int(12 + big.getlength("1,182") + 10)
        if cents == "-":
            d.line((cents_x, 14, cents_x + 24, 14), fill=0, width=3)
        else:
            d.text((cents_x, 18), cents, font=small, fill=0, anchor="ls")
        if underline:  # joins the tiny figures into one connected blob, as a pen or a scan does
            d.line((cents_x, 18, cents_x + int(small.getlength(cents)), 18), fill=0, width=2)
        gray = np.array(img)
        line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI)
        assert line is not None
        at = raised_tail(line)
        return (None if at is None else line.box[0] + at), cents_x

    at, cents_x = tail_of("76/100", underline=True)
    assert at is not None and abs(at - cents_x) < 8
    assert tail_of("-", underline=False)[0] is None


def test_a_pen_stroke_joining_the_figures_is_not_taken_for_a_rule() -> None:
    """'744.32' with the 7's bar running on through the 4s' crossbars (0.3 in, longer than the
    0.25 in that makes a rule), in a box whose sides are real rules: the figures stay whole."""
    img, d = _canvas(1.5, 0.6)
    big = _font(48)
    d.rectangle([2, 2, int(1.5 * DPI) - 3, int(0.6 * DPI) - 3], outline=0, width=2)
    d.text((24, 90), "744.32", font=big, fill=0, anchor="ls")
    d.line([(26, 74), (26 + int(0.3 * DPI), 74)], fill=0, width=4)
    gray = np.array(img)
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI)
    assert line is not None
    assert line.box[0] < 32  # starts at the 7, not at the 3 after the cut pieces
    assert line.box[1] > 5 and line.box[3] < int(0.6 * DPI) - 6  # the box's rules are gone


def test_lines_are_scaled_to_the_reading_height() -> None:
    crop = np.full((18, 100), 255, np.uint8)
    crop[2:16, 10:90] = 0
    out = normalize(crop, tall=14)
    assert abs(out.shape[0] - (18 * TARGET_HEIGHT / 14 + 32)) <= 2


def _personal_top(date_rule_x: tuple[float, float], date_rule_y: float) -> np.ndarray:
    """The top of a personal check: 'DATE' and its rule, the $ box below right, the payee line
    broken by the payee's name, the legal line below."""
    img, d = _canvas(6.0, 2.75)
    box = (int(4.85 * DPI), int(0.82 * DPI), int(5.75 * DPI), int(1.12 * DPI))
    d.rectangle(box, outline=40, width=2)
    dy = int(date_rule_y * DPI)
    d.text((int(3.5 * DPI), dy - 22), "DATE", font=_font(18), fill=40)
    d.line([(int(date_rule_x[0] * DPI), dy), (int(date_rule_x[1] * DPI), dy)], fill=40, width=2)
    d.text((int(4.0 * DPI), dy - 45), "11/13/2026", font=_font(36), fill=0)
    pay = int(1.1 * DPI)
    d.line([(int(0.9 * DPI), pay), (int(2.6 * DPI), pay)], fill=40, width=2)
    d.line([(int(3.0 * DPI), pay), (int(4.6 * DPI), pay)], fill=40, width=2)  # right of the name
    d.text((int(1.0 * DPI), pay - 40), "Lone Star Auto", font=_font(36), fill=0)
    legal = int(1.45 * DPI)
    d.line([(int(2.6 * DPI), legal), (int(5.3 * DPI), legal)], fill=40, width=2)
    d.text((int(2.7 * DPI), legal - 40), "~~~~~~~~~~~", font=_font(36), fill=0)
    return np.array(img)


@pytest.mark.parametrize(
    ("rule_x", "rule_y"),
    [
        ((3.85, 5.8), 0.81),  # runs right into the box's top edge, and on over it
        ((3.85, 4.8), 0.80),  # ends at the box, level with its top
        ((3.85, 5.5), 0.55),  # well above the box
    ],
)
def test_the_date_rule_is_found_beside_the_box_and_never_below_it(
    rule_x: tuple[float, float], rule_y: float
) -> None:
    gray = _personal_top(rule_x, rule_y)
    box = stock.courtesy_box(gray, DPI)
    assert box is not None
    rule = stock.date_rule(gray, DPI, box)
    assert rule is not None
    assert abs(rule[1] - rule_y * DPI) < 0.04 * DPI  # not the payee or legal line below the box
    assert rule[0] < 4.0 * DPI  # the band above it holds the whole date


def test_business_table_date_cell() -> None:
    gray, y = _business_table()
    found = stock.date_amount_table(gray, DPI)
    assert found is not None
    date_cell, amount_cell = found
    assert date_cell[0] <= 5.3 * DPI and date_cell[2] == amount_cell[0]
    assert date_cell[2] > 5.3 * DPI + _font(30).getlength("11/23/2026")  # the whole date
    assert date_cell[1] >= y and date_cell[3] > y + 40


def test_a_page_changed_in_place_has_its_rules_found_anew() -> None:
    """The rules are kept for the page last asked about; a page drawn on since is searched again."""
    page = np.full((300, 800), 255, np.uint8)
    page[100:102, 50:700] = 0
    first = stock.horizontal_segments(page, 200)
    assert len(first) == 1 and stock.horizontal_segments(page, 200) == first
    page[200:202, 100:500] = 0
    assert len(stock.horizontal_segments(page, 200)) == 2


@pytest.mark.parametrize("stars", ["", "**"])
def test_a_short_first_figure_is_kept_and_stars_before_it_dropped(stars: str) -> None:
    """A hand's '2' may stand two thirds as tall as the '78' after it: a figure, not a star."""
    img, d = _canvas(1.6, 0.5)
    x = 10
    if stars:
        d.text((x, 62), stars, font=_font(40), fill=0, anchor="ls")
        x += int(_font(40).getlength(stars)) + 6
    two_left = x
    for text, size in (("2", 31), ("78", 50), (".56", 44)):  # a short 2, a tall 78
        d.text((x, 80), text, font=_font(size), fill=0, anchor="ls")
        x += int(_font(size).getlength(text)) + 2
    gray = np.array(img)
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI)
    assert line is not None
    assert abs(line.box[0] - two_left) <= 4  # starts at the 2, past any star


def test_stars_a_scan_broke_into_bits_are_dropped_before_the_figures() -> None:
    """Outline stars left as dotted bits by black-and-white scanning: each star's bits, one over
    another, are one small mark before the figures, not pieces of a figure."""
    img, d = _canvas(1.6, 0.5)
    for x in (8, 26):  # two stars, each as three bits stacked in the same columns
        d.line([(x, 44), (x + 10, 44)], fill=0, width=2)
        d.line([(x + 2, 49), (x + 8, 49)], fill=0, width=2)
        d.line([(x, 54), (x + 10, 54)], fill=0, width=2)
    figures_left = 46
    d.text((figures_left, 80), "904.01", font=_font(44), fill=0, anchor="ls")
    gray = np.array(img)
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI)
    assert line is not None
    assert abs(line.box[0] - figures_left) <= 6  # starts at the 9, past both stars


def test_figures_written_over_a_tight_boxs_bottom_are_kept_whole() -> None:
    """A hand writing on the box's bottom side as on a rule: the figures' feet hang out of the
    box, and reading only what is inside it cut '383.42' into '382 12'."""
    img, d = _canvas(2.4, 0.8)
    top, bottom = 30, 76  # the box's top and bottom sides
    d.rectangle([20, top, 420, bottom], outline=0, width=2)
    baseline = 92  # the writing's feet, 0.08 in below the box
    d.text((40, baseline), "383.42", font=_font(44), fill=0, anchor="ls")
    d.text((40, 150), "Three hundred", font=_font(30), fill=0, anchor="ls")  # the next line
    gray = np.array(img)
    inside = (24, top + 4, 416, bottom - 4)
    line = isolate(gray, inside, DPI, reach=REACH)
    assert line is not None
    assert line.box[3] >= baseline - 2  # down to the figures' feet
    assert line.box[3] < 150 - 25  # and not the words below
    assert isolate(gray, inside, DPI) is not None


def test_words_struck_through_by_their_rule_are_told_from_the_payee_above() -> None:
    """A hand that writes across its rules, the payee's and the legal line's alike: the words on
    the legal rule hang below it, and the payee's lower half hangs into the legal band."""
    img, d = _canvas(6.0, 1.6)
    payee, legal = int(0.5 * DPI), int(0.9 * DPI)
    d.line([(int(1.0 * DPI), payee), (int(5.0 * DPI), payee)], fill=40, width=2)
    d.line([(int(0.3 * DPI), legal), (int(5.2 * DPI), legal)], fill=40, width=2)
    d.text((int(1.1 * DPI), payee + 14), "KIA FINANCE AMERICA", font=_font(40), fill=0, anchor="ls")
    words = "Three hundred eight and 86/100"
    d.text((int(0.4 * DPI), legal + 14), words, font=_font(34), fill=0, anchor="ls")
    gray = np.array(img)
    rule = stock.legal_rule(gray, DPI)
    assert rule is not None and abs(rule[1] - legal) <= 3
    line = isolate(gray, stock.legal_region(gray, rule, DPI), DPI, trim_filler=True, reach=REACH)
    assert line is not None
    assert payee + 16 < line.box[1] < legal < legal + 10 <= line.box[3]  # the words, whole
    assert line.box[2] - line.box[0] >= 0.9 * _font(34).getlength(words)


def test_a_broken_first_figure_keeps_its_pieces() -> None:
    """A faint scan breaks a 7's bar off its stem: the bar sits over the stem, no star beside it."""
    img, d = _canvas(1.6, 0.5)
    d.line([(10, 44), (32, 44)], fill=0, width=3)  # the 7's bar, apart from its stem
    d.line([(30, 49), (18, 80)], fill=0, width=3)  # the stem
    d.text((38, 80), "67.35", font=_font(50), fill=0, anchor="ls")
    gray = np.array(img)
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI)
    assert line is not None
    assert line.box[0] <= 12  # starts at the bar


def test_a_first_figure_broken_off_its_foot_keeps_both_pieces() -> None:
    """A thin hand's '2' broken by black-and-white scanning into its arc and its foot, the foot a
    little under the line (292.00 was read 92.00): both pieces are the figure."""
    img, d = _canvas(1.6, 0.5)
    d.arc([(10, 40), (32, 62)], start=180, end=60, fill=0, width=3)  # the 2's arc, short
    d.line([(10, 83), (32, 83)], fill=0, width=3)  # its foot, apart and a bit low
    d.text((38, 80), "92.00", font=_font(50), fill=0, anchor="ls")
    gray = np.array(img)
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI)
    assert line is not None
    assert line.box[0] <= 12 and line.box[3] >= 84  # the arc and the foot are both in


def test_a_row_of_stars_with_more_ink_than_the_words_is_not_taken_for_the_line() -> None:
    # A business check's short words and a long raised row of stars: the stars outweigh the words.
    img, d = _canvas(8.5, 0.6)
    f = _font(28)
    words = "Seven hundred twelve and 89/100"
    d.text((int(0.2 * DPI), 40), words, font=f, fill=0)
    end = int(0.2 * DPI + f.getlength(words))
    d.text((end + 20, 34), "*" * 110, font=f, fill=0)
    d.line([(10, 80), (int(8.4 * DPI), 80)], fill=0, width=2)
    gray = np.array(img)
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI, trim_filler=True)
    assert line is not None
    assert line.box[0] < 0.25 * DPI and end - 15 < line.box[2] <= end + 8


def _erase(gray: np.ndarray, y: int, x0: float, x1: float, every: float, keep: float) -> None:
    """Break a rule at row y between x0 and x1 (inches) into dashes `keep` long, `every` apart."""
    x = x0
    while x < x1:
        gray[y - 3 : y + 4, int((x + keep) * DPI) : int((x + every) * DPI)] = 255
        x += every


def test_a_legal_rule_broken_into_dashes_is_followed_to_its_start(
    check_factory: Callable[..., np.ndarray],
) -> None:
    img = check_factory(dpi=DPI, hand_font="DejaVuSans.ttf", skew_deg=0.0)
    y = int(1.72 * DPI)
    _erase(img, y, 0.3, 1.5, every=0.15, keep=0.08)  # blur and black-and-white broke it up
    rule = stock.legal_rule(img, DPI)
    assert rule is not None and abs(rule[1] - y) < 0.05 * DPI
    assert rule[0] < 0.4 * DPI  # the dashes on the left are the rule too
    line = isolate(img, stock.legal_region(img, rule, DPI), DPI, trim_filler=True)
    assert line is not None and line.box[0] < 0.5 * DPI  # 'Four' is not cut off


def test_specks_or_a_border_before_the_legal_rule_are_not_the_rule() -> None:
    img, d = _canvas(6.0, 2.75)
    y = int(1.5 * DPI)
    d.line([(int(1.0 * DPI), y), (int(5.5 * DPI), y)], fill=40, width=2)
    d.line([(int(0.1 * DPI), int(0.1 * DPI)), (int(0.1 * DPI), int(2.6 * DPI))], fill=60, width=2)
    for x in (0.3, 0.4, 0.7, 0.85, 0.92):  # specks of a dusty scan on the rule's row
        d.rectangle([int(x * DPI), y - 1, int(x * DPI) + 2, y + 1], fill=0)
    rule = stock.legal_rule(np.array(img), DPI)
    assert rule is not None and abs(rule[0] - DPI) <= 2
    # the scanner's dark margin just left of a rule is not the rule either
    d.rectangle([0, 0, int(0.85 * DPI), int(2.75 * DPI)], fill=255)
    d.rectangle([0, 0, int(0.8 * DPI), int(2.75 * DPI)], fill=10)
    rule = stock.legal_rule(np.array(img), DPI)
    assert rule is not None and abs(rule[0] - DPI) <= 2


def test_a_business_checks_pay_label_before_the_legal_rule_is_not_the_rule() -> None:
    img, d = _canvas(8.5, 3.5)
    y = int(1.8 * DPI)
    d.line([(int(0.9 * DPI), y), (int(8.2 * DPI), y)], fill=40, width=2)
    d.text((int(0.45 * DPI), y), "Pay", font=_font(30), fill=0, anchor="ls")
    rule = stock.legal_rule(np.array(img), DPI)
    assert rule is not None and abs(rule[0] - 0.9 * DPI) <= 2


def test_without_its_rule_the_legal_line_is_read_under_the_box(
    check_factory: Callable[..., np.ndarray],
) -> None:
    from ocr.layout import Regions  # noqa: PLC0415
    from ocr.legal import legal_region  # noqa: PLC0415

    img = check_factory(dpi=DPI, hand_font="DejaVuSans.ttf", skew_deg=0.0)
    y = int(1.72 * DPI)
    img[y - 2 : y + 3, :] = 255  # a faint rule lost to black-and-white scanning
    assert stock.legal_rule(img, DPI) is None  # the payee rule, level with the box, is not it
    nowhere = (0, 0, 1, 1)
    region, rule = legal_region(img, DPI, Regions(nowhere, nowhere, nowhere, nowhere, nowhere))
    assert rule is None
    line = isolate(img, region, DPI, trim_filler=True)
    assert line is not None
    assert 1.4 * DPI < line.box[1] < line.box[3] < 1.8 * DPI  # the words, not the payee
    assert line.box[0] < 0.5 * DPI


def test_writing_struck_through_by_its_rule_keeps_its_strokes() -> None:
    """A hand that writes across the rule (the rule through the middle of the letters): taking the
    rule out must not cut each letter in two, or the line reads as two rows of fragments."""
    dpi = 200
    page = np.full((80, 900), 255, np.uint8)
    page[40:42, 20:880] = 0  # the rule
    strokes = [(60 + 40 * k, 22, 58) for k in range(12)]  # upright strokes through it
    for x, top, bottom in strokes:
        page[top:bottom, x : x + 3] = 0
    line = isolate(page, (0, 0, 900, 80), dpi)
    assert line is not None
    ink = line.image < 128
    # every stroke is whole: one unbroken run of ink from its top to its foot
    columns = [ink[:, c].sum() for c in range(ink.shape[1]) if ink[:, c].any()]
    assert max(columns) >= 36
    # and the rule between the strokes is gone
    assert line.image.shape[1] <= 12 * 40 + 10 and ink.mean() < 0.5


@pytest.mark.parametrize("slant", [0.5, 1.0, -1.0])
def test_writing_crossing_its_rule_aslant_keeps_its_strokes(slant: float) -> None:
    """Strokes that cross the rule aslant, as an 8's waist or an x does: where the rule was taken
    out each stroke runs on unbroken, as an upright one does."""
    dpi = 200
    page = np.full((90, 900), 255, np.uint8)
    page[43:47, 20:880] = 0  # the rule, four pixels thick
    for k in range(10):
        x = 80 + 70 * k
        for y in range(20, 70):  # a stroke three pixels wide, `slant` pixels across per row
            c = x + round(slant * (y - 45))
            page[y, c : c + 3] = 0
    line = isolate(page, (0, 0, 900, 90), dpi)
    assert line is not None
    ink = (line.image < 128).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    tall = [i for i in range(1, n) if stats[i, cv2.CC_STAT_HEIGHT] >= 0.9 * ink.shape[0] // 2]
    assert n - 1 == 10 and len(tall) == 10  # ten strokes, none cut in two
    assert line.image.shape[1] <= 10 * 70 + 60  # and the rule between them is gone


def test_loops_the_rule_runs_through_stay_closed() -> None:
    """Writing struck through by its rule, the rule touching the loops of its letters from one
    side (the top of an 'a' from below, the foot of an 'o' from above): taking the rule out must
    not open them, or an 'a' reads as a 'u' and an 8 as a 3."""
    dpi = 200
    page = np.full((100, 900), 255, np.uint8)
    letters = 10
    for k in range(letters):
        x = 60 + 80 * k
        cv2.circle(page, (x, 50 + 11), 10, 0, 3)  # an 'a': its bowl's top against the rule
        page[25:76, x + 10 : x + 12] = 0  # ... its stem crossing it
        cv2.circle(page, (x + 40, 50 - 11), 10, 0, 3)  # an 'o': its foot against the rule
    page[49:52, 20:880] = 0  # the rule
    line = isolate(page, (0, 0, 900, 100), dpi)
    assert line is not None
    ink = (line.image < 128).astype(np.uint8)
    _, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    holes = sum(1 for h in hierarchy[0] if h[3] >= 0)
    assert holes == 2 * letters  # every bowl and loop closed, and no gap closed by the rule
    pieces = cv2.connectedComponents(ink)[0] - 1
    assert pieces == 2 * letters  # each 'a' one piece, its stem not cut from its bowl
    assert line.image.shape[1] <= letters * 80 + 40  # and the rule beyond them gone


def test_a_bar_written_along_the_rule_in_black_and_white_stays() -> None:
    """A 4 whose bar the writer drew along the rule, on a black-and-white scan where pen and print
    are equally black: the bar is thicker than the rule, and stays with its figure, or the 4
    falls apart into a 1 and a stray stroke."""
    dpi = 200
    page = np.full((100, 900), 255, np.uint8)
    fours = 8
    for k in range(fours):
        x = 80 + 100 * k
        page[20:78, x + 14 : x + 17] = 0  # the upright, crossing the rule
        cv2.line(page, (x + 12, 22), (x, 49), 0, 3)  # the slant down to the bar
        page[48:52, x - 2 : x + 22] = 0  # the bar, along the rule and thicker than it
    page[49:51, 20:880] = 0  # the rule, two pixels
    line = isolate(page, (0, 0, 900, 100), dpi)
    assert line is not None
    ink = (line.image < 128).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink)
    assert n - 1 == fours
    for i in range(1, n):  # each a 4, its bar across its whole width, not a 1
        x, y, w, h = (int(v) for v in stats[i, :4])
        figure = labels[y : y + h, x : x + w] == i
        assert figure.sum(axis=1).max() >= 0.8 * w
    assert line.image.shape[1] <= fours * 100 + 40  # and the bare rule gone


def test_a_black_and_white_rule_uneven_in_thickness_goes_whole() -> None:
    """A black-and-white scan's rule is a pixel thick here and two there: its thicker stretches
    are not strokes drawn along it, and go with the rest of it."""
    dpi = 200
    page = np.full((100, 900), 255, np.uint8)
    page[50:51, 20:880] = 0
    for x0 in range(20, 880, 40):  # every other 0.1 in a pixel thicker
        page[51:52, x0 : x0 + 20] = 0
    strokes = 10
    for k in range(strokes):  # upright strokes resting on it
        x = 100 + 60 * k
        page[20:50, x : x + 3] = 0
    line = isolate(page, (0, 0, 900, 100), dpi)
    assert line is not None
    ink = (line.image < 128).astype(np.uint8)
    assert cv2.connectedComponents(ink)[0] - 1 == strokes  # the strokes, no piece of the rule


def test_outline_figures_scanned_light_keep_their_faint_parts() -> None:
    """Bubble figures drawn as thin outlines, dark only here and there: the light parts of each
    outline stay with the dark ones, while a light pattern of the stock that touches no ink goes."""
    img, d = _canvas(1.8, 0.5)
    for x in range(0, img.width, 9):  # the stock's light wavy background
        d.line([(x, 8), (x + 5, 14)], fill=200, width=1)
    d.text(
        (20, 80), "762.41", font=_font(52), fill=255, stroke_width=2, stroke_fill=190, anchor="ls"
    )
    gray = np.array(img)
    outline = gray == 190
    gray[::7, :][outline[::7, :]] = 90  # a few dark pixels on each outline
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI)
    assert line is not None
    x0, y0, x1, y1 = line.box
    kept = np.zeros(gray.shape, bool)
    kept[y0:y1, x0:x1] = line.image < 255
    assert kept[outline].mean() > 0.9  # the outlines whole, not their dark dots
    assert not kept[:16].any()  # not the background pattern


def test_outline_figures_broken_across_their_middle_keep_both_halves() -> None:
    """Outline figures that black-and-white scanning broke across the middle, each into an upper
    and a lower piece: the lower halves are the same figures, not a line of their own below."""
    img, d = _canvas(2.0, 0.6)
    baseline = 90
    d.text(
        (20, baseline),
        "438.33",
        font=_font(60),
        fill=255,
        stroke_width=2,
        stroke_fill=0,
        anchor="ls",
    )
    gray = np.array(img)
    ink = np.nonzero((gray < 128).any(axis=1))[0]
    top, foot = int(ink[0]), int(ink[-1])
    middle = (top + foot) // 2
    gray[middle - 1 : middle + 2] = 255  # the break, three rows
    line = isolate(gray, (0, 0, gray.shape[1], gray.shape[0]), DPI)
    assert line is not None
    assert line.box[1] <= top + 1 and line.box[3] >= foot  # the upper halves and the lower
    x0, y0, x1, y1 = line.box
    kept = np.zeros(gray.shape, bool)
    kept[y0:y1, x0:x1] = line.image < 128
    below = gray[middle + 2 :] < 128
    assert kept[middle + 2 :][below].mean() > 0.95


@pytest.mark.parametrize("pen", [0, 40])
def test_dashes_written_on_the_rule_stay_and_the_rule_goes(pen: int) -> None:
    """A date written on its rule, its dashes along it ('11-19-2026'): the dashes are as level as
    the rule but add the pen's darkness to it, so they stay while the bare rule is taken out."""
    img, d = _canvas(2.4, 0.6)
    rule_y = 80
    d.line([(0, rule_y), (img.width, rule_y)], fill=110, width=2)  # a grey printed rule
    x = 20
    dashes = []
    for k, part in enumerate(("11", "19", "2026")):
        d.text((x, rule_y + 12), part, font=_font(40), fill=pen, anchor="ls")
        x += int(_font(40).getlength(part)) + 4
        if k < 2:
            d.line([(x, rule_y), (x + 14, rule_y)], fill=pen, width=3)  # the dash, on the rule
            dashes.append((x + 3, x + 11))
            x += 18
    gray = np.array(img)
    line = isolate(gray, (0, 20, img.width, 110), DPI)
    assert line is not None
    x0, y0, x1, y1 = line.box
    assert x1 < x + 10  # the rule after the writing is gone
    kept = line.image < 160
    for a, b in dashes:
        assert kept[rule_y - 2 - y0 : rule_y + 3 - y0, a - x0 : b - x0].any(axis=0).all()


def test_a_black_rule_thicker_in_places_is_taken_out_whole() -> None:
    """Black-and-white scanning leaves a rule one pixel thick here and two there, and turning the
    page straight greys the thin stretches a little; with no darker pen to go by, a thicker
    stretch is rule, not a stroke written along it."""
    page = np.full((120, 700), 255, np.uint8)
    page[80, 0:700] = 40  # the rule, one pixel, greyed by the turn
    page[80:82, 150:170] = 0  # twice as thick and black for 0.1 in, with no writing near
    img = Image.fromarray(page)
    ImageDraw.Draw(img).text((300, 92), "six and 26/100", font=_font(40), fill=0, anchor="ls")
    line = isolate(np.array(img), (0, 20, 700, 110), DPI, trim_filler=True)
    assert line is not None
    assert line.box[0] >= 290  # the writing alone, no piece of the rule before it
