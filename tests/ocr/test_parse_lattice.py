"""Legal amounts read from garbled words: the readings the words support, best first, each with
how much the words had to be bent, and never a number the words do not form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocr.parse.lattice import fraction_cents, read_words
from ocr.parse.words import amount_to_words


def _values(text: str) -> list[Decimal]:
    return [r.value for r in read_words(text)]


def test_clean_words_read_exactly_and_first() -> None:
    (best, *_) = read_words("Four Hundred Twelve and 45/100")
    assert best.value == Decimal("412.45") and best.quality == 1.0 and best.has_cents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Handwriting as Tesseract returns it.
        ("For Wedred eighleen and OO/IOC)", "418.00"),
        ("Tree Hundred Ferty Nine and 61/100", "349.61"),
        ("Eig ht H U nd red Seve nty- Five and 12/100", "875.12"),  # words split apart
        ("ONE HUNDRED EIGHTY-THYEE AND 34/400.", "183.34"),  # a garbled '100' still ends it
        ("Two Hundred Fifty-Four Dollars and 95 Cents wee ee eee", "254.95"),
        ("NINE HUNDRED TWENTY & 9500.", "920.95"),  # the slash of '95/100' lost
        ("Nine hundred twenty and 95100", "920.95"),
    ],
)
def test_garbled_words_give_the_amount_first(text: str, expected: str) -> None:
    assert _values(text)[0] == Decimal(expected)


def test_a_second_reading_is_offered_when_a_word_is_doubtful() -> None:
    readings = read_words("Tio Hondeed Sity Six Dellacs and 00 Cents")
    assert Decimal("266.00") in [r.value for r in readings]
    assert all(r.quality < 0.1 for r in readings)  # every one of them had to be guessed


def test_cents_whose_slash_was_lost_are_read_less_surely() -> None:
    lost = read_words("Nine hundred twenty and 95100")[0]
    assert (
        lost.value == Decimal("920.95")
        and lost.quality < read_words("Nine hundred twenty and 95/100")[0].quality
    )
    assert _values("nine hundred twenty 2026")[0] == Decimal("920.00")  # a year is not cents


@pytest.mark.parametrize("tail", ["37/1", "37/", "37/l"])
def test_cents_whose_hundred_was_cut_off_are_read_less_surely(tail: str) -> None:
    """The line's end or a faint stroke took the '00' of '37/100': the cents are still 37, and
    the reading is doubted; a one-digit numerator so cut is not taken for cents."""
    cut = read_words(f"Six hundred thirty two and {tail}")[0]
    whole = read_words("Six hundred thirty two and 37/100")[0]
    assert cut.value == Decimal("632.37") and cut.has_cents and cut.quality < whole.quality
    assert _values("Two hundred and 5/1")[0] == Decimal("200.00")


def test_bent_words_are_worth_less_than_clean_ones() -> None:
    clean = read_words("Three Hundred Forty Nine and 61/100")[0]
    bent = read_words("Tree Hundred Ferty Mine and 61/100")[0]
    assert clean.value == bent.value and bent.quality < 0.2 < clean.quality


@pytest.mark.parametrize(
    ("text", "never"),
    [
        ("hundred sixty and 00/100", "160.00"),  # the word before 'hundred' was lost
        ("eighty hundred and 00/100", "8000.00"),
        ("Pay to the order of", None),
        ("and 45/100", None),
    ],
)
def test_no_number_without_guessing(text: str, never: str | None) -> None:
    readings = read_words(text)
    assert all(r.quality < 0.01 for r in readings)  # whatever is left is a guess, and says so
    assert never is None or Decimal(never) not in [r.value for r in readings]


def test_noise_after_the_cents_does_not_change_the_amount() -> None:
    (best, *_) = read_words("EIGHT HUNDRED THIRTY-SEVEN AND 95/100 FEE KR RK 2 2 CO OK")
    assert best.value == Decimal("837.95") and best.quality == 1.0


def test_words_without_cents_are_marked() -> None:
    (best, *_) = read_words("Three hundred")
    assert best.value == Decimal("300.00") and not best.has_cents


@pytest.mark.parametrize(
    ("token", "cents"),
    [("45/100", 45), ("oo/ioc", 0), ("xx/100", 0), ("no/100", 0), ("6l/100", 61), ("4/1", None)],
)
def test_fraction_cents(token: str, cents: int | None) -> None:
    assert fraction_cents(token) == cents


@given(st.integers(min_value=100, max_value=99_999_999))
def test_round_trip(cents: int) -> None:
    value = (Decimal(cents) / 100).quantize(Decimal("0.01"))
    assert _values(amount_to_words(value))[0] == value


def test_a_digit_split_from_the_cents_joins_them_unsure() -> None:
    """'7-4/100': a stroke cut the cents' 74 in two; 682.04 is the lesser reading, and neither is
    as sure as cents read whole."""
    best, second, *_ = read_words("SIX HUNDRED EIGHTY-TWO AND 7-4/100 -")
    assert (best.value, second.value) == (Decimal("682.74"), Decimal("682.04"))
    assert best.quality < read_words("SIX HUNDRED EIGHTY-TWO AND 74/100")[0].quality


def test_one_digit_cents_are_doubted() -> None:
    """Checks write two digits ('03/100'); '3/100' may have lost its first to the reader."""
    (lone, *_) = read_words("Six hundred forty-one & 3/100")
    (whole, *_) = read_words("Six hundred forty-one & 03/100")
    assert lone.value == whole.value == Decimal("641.03")
    assert lone.quality < whole.quality
    assert read_words("Nine hundred and no/100")[0].quality == 1.0
