"""The printed check number is the top-right number, not the date's year or the amount."""

from __future__ import annotations

from ocr.check_number import printed_check_number
from ocr.tess import Word

W, H = 1800, 825


def word(text: str, x: int, y: int, line: tuple[int, int, int] = (1, 1, 1)) -> Word:
    return Word(text, 0.9, x, y, x + 20 * len(text), y + 30, line)


def test_the_number_top_right_is_read_without_leading_zeros() -> None:
    words = [word("No.", 1500, 40), word("005064", 1560, 40), word("$", 1400, 330)]
    assert printed_check_number(words, W, H).value == "5064"


def test_a_date_year_an_amount_or_a_number_elsewhere_is_not_the_check_number() -> None:
    words = [
        word("Nov", 1300, 150, (2, 1, 1)),
        word("2026", 1450, 150, (2, 1, 1)),  # the year of a written-out date
        word("412.50", 1500, 200, (3, 1, 1)),  # an amount
        word("4410023981", 200, 600, (4, 1, 1)),  # a memo line's account, bottom left
    ]
    assert printed_check_number(words, W, H).value is None
