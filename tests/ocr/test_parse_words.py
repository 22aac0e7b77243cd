"""Legal amounts in words, including OCR noise, filler and the usual cents shapes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocr.legal import legal_readings
from ocr.parse.words import (
    SPELLINGS,
    Spelling,
    amount_to_words,
    parse_words,
    parse_words_detail,
    spell_amount,
)

cents_amounts = st.integers(min_value=100, max_value=999_999_999).map(
    lambda c: (Decimal(c) / 100).quantize(Decimal("0.01"))
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Four Hundred Twelve and 45/100", "412.45"),
        ("Four Hundred Twelve Dollars and 50 Cents", "412.50"),
        ("***One Thousand Two Hundred Thirty-Four and no/100*****", "1234.00"),
        ("Twelve hundred and xx/100", "1200.00"),
        ("F0ur Hundrad Twe1ve and 45/100 ------ DOLLARS", "412.45"),
        ("Fourty Five and 00/100", "45.00"),
        ("One Million Two Hundred Thousand Five and 00/100", "1200005.00"),
        ("Fifty and fifty cents", "50.50"),
        ("Three Hundred Forty-Five and 6/100", "345.06"),
        ("ninety-nine dollars only", "99.00"),
        ("Two Thousand and 00/1OO", "2000.00"),
        ("Four hundred twelve & 45/100", "412.45"),
    ],
)
def test_legal_shapes(text: str, expected: str) -> None:
    assert parse_words(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["", "DOLLARS", "five twenty", "hundred hundred", "Pay to the order of", "and 45/100"]
)
def test_not_a_number_is_none(text: str) -> None:
    assert parse_words(text) is None


def test_unreadable_word_is_counted_so_confidence_can_drop() -> None:
    parsed = parse_words_detail("Fxqr Hundred Twelve and 45/100")
    assert parsed is not None and parsed.unknown_tokens == 1


@given(
    cents_amounts, st.sampled_from(["", "***", "-- "]), st.sampled_from(["", " DOLLARS", "****"])
)
def test_round_trip(value: Decimal, before: str, after: str) -> None:
    assert parse_words(before + amount_to_words(value) + after) == value


@given(cents_amounts)
def test_round_trip_upper_and_lower(value: Decimal) -> None:
    words = amount_to_words(value)
    assert parse_words(words.upper()) == value
    assert parse_words(words.lower().replace("-", " ")) == value


@given(cents_amounts.filter(lambda v: v < 1_000_000), st.sampled_from(SPELLINGS))
def test_every_spelling_tested_against_the_words_reads_back(
    value: Decimal, spelling: Spelling
) -> None:
    # The spellings the words' pixels are tested against (ocr.amounts) are all real amounts.
    assert parse_words(spell_amount(value, spelling)) == value


@pytest.mark.parametrize(
    ("spelling", "text"),
    [
        (Spelling(), "One Thousand Twenty-Five and 88/100"),
        (
            Spelling(False, " dollars and {cents} cents", "upper"),
            "ONE THOUSAND TWENTY FIVE DOLLARS AND 88 CENTS",
        ),
        (Spelling(True, " & {cents}/100", "sentence"), "One thousand twenty-five & 88/100"),
        (Spelling(True, " and {cents}/100", "capitals"), "One Thousand Twenty-Five And 88/100"),
    ],
)
def test_spellings(spelling: Spelling, text: str) -> None:
    assert spell_amount(Decimal("1025.88"), spelling) == text
    assert (
        spell_amount(Decimal("480.00"), Spelling(no_cents="no")) == "Four Hundred Eighty and No/100"
    )


@given(st.text(max_size=40))
def test_never_crashes(text: str) -> None:
    value = parse_words(text)
    assert value is None or value > 0


def test_letters_taken_for_cents_digits_lower_the_reading() -> None:
    """'4u/100' is 40/100 only if the u is an open 0; a hand's 4 is as like it."""
    (guessed,) = legal_readings("Four hundred eighty-one and 4u/100", 0.9, limit=1)
    (read,) = legal_readings("Four hundred eighty-one and 40/100", 0.9, limit=1)
    assert guessed.value == read.value == Decimal("481.40")
    assert guessed.conf < read.conf
    (clean,) = legal_readings("Two hundred and 00/1OO", 0.9, limit=1)  # a '1OO' is no guess
    assert clean.conf == 0.9
