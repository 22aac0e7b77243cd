"""Courtesy amounts as people write them, and as OCR garbles them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocr.parse.amounts import format_courtesy, parse_amount, parse_amount_detail

cents_amounts = st.integers(min_value=1, max_value=999_999_99).map(
    lambda c: (Decimal(c) / 100).quantize(Decimal("0.01"))
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.56", "1234.56"),
        ("**123.45", "123.45"),
        ("$123.45", "123.45"),
        ("$ 123.45 ", "123.45"),
        ("123 45/100", "123.45"),
        ("123.-", "123.00"),
        ("123xx/100", "123.00"),
        ("123 XX/100", "123.00"),
        ("1O5.5O", "105.50"),
        ("l23.45", "123.45"),
        ("4S6.78", "456.78"),
        ("***1,000.00***", "1000.00"),
        ("0.99", "0.99"),
    ],
)
def test_courtesy_shapes(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "DOLLARS", "12.3.4", "1,23,456.00", "$", "0.00", "abc.de"])
def test_not_an_amount_is_none(text: str) -> None:
    assert parse_amount(text) is None


def test_guessed_shapes_are_not_strict() -> None:
    guessed = parse_amount_detail("123,45")
    assert guessed is not None and guessed.value == Decimal("123.45") and not guessed.strict
    whole = parse_amount_detail("123")
    assert whole is not None and not whole.strict
    exact = parse_amount_detail("123.45")
    assert exact is not None and exact.strict


@given(cents_amounts, st.sampled_from(["", "$", "**", "$**", "*** "]), st.booleans())
def test_round_trip_formatted(value: Decimal, prefix: str, commas: bool) -> None:
    text = format_courtesy(value) if commas else f"{value:.2f}"
    assert parse_amount(prefix + text) == value


@given(cents_amounts)
def test_round_trip_fraction(value: Decimal) -> None:
    dollars = int(value)
    cents = int((value - dollars) * 100)
    if dollars == 0:
        return
    assert parse_amount(f"{dollars} {cents:02d}/100") == value


@given(st.text(max_size=30))
def test_never_crashes_and_never_negative(text: str) -> None:
    value = parse_amount(text)
    assert value is None or value > 0
