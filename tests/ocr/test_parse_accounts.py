"""Loan accounts from memo lines and coupon scan lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocr.parse.accounts import (
    coupon_scan_line,
    luhn_check_digit,
    parse_memo_account,
    parse_scan_line,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acct 1234567890", "1234567890"),
        ("Loan # 1234567890", "1234567890"),
        ("1234-567-890", "1234567890"),
        ("Acct 123 456 7890", "1234567890"),
        ("#1234567890 car pmt", "1234567890"),
        ("Acct. No. 00123456", "00123456"),
        ("LOAN l234567B90", "1234567890"),
        ("Acct: 0012345678 ph 214-555-1234", "0012345678"),
    ],
)
def test_memo_shapes(text: str, expected: str) -> None:
    assert parse_memo_account(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "call 214-555-1234",
        "(214) 555-1234",
        "214 555 1234",
        "Acct 1234567",
        "Acct 1234567890123",
        "car payment",
        "",
        "1234567890 or 9876543210",
    ],
)
def test_no_trustworthy_account(text: str) -> None:
    assert parse_memo_account(text) is None


accounts = st.integers(min_value=10_000_000, max_value=999_999_999_999).map(str)


@given(accounts, st.sampled_from(["Acct {}", "Loan # {}", "#{} car pmt", "{}", "acct#{} thanks"]))
def test_memo_round_trip(account: str, shape: str) -> None:
    assert parse_memo_account(shape.format(account)) == account


def test_luhn_known_value() -> None:
    assert luhn_check_digit("7992739871") == 3


@given(
    st.integers(min_value=0, max_value=9_999_999_999).map(lambda n: f"{n:010d}"),
    st.integers(min_value=1, max_value=99_999_999).map(lambda c: Decimal(c) / 100),
)
def test_scan_line_round_trip_and_tamper(account: str, due: Decimal) -> None:
    line = coupon_scan_line(account, due)
    parsed = parse_scan_line(f"  {line}  ")
    assert parsed is not None and parsed.check_digit_ok
    assert parsed.account == account and parsed.amount_due == due
    bad_digit = (int(line[-1]) + 1) % 10
    tampered = parse_scan_line(line[:-1] + str(bad_digit))
    assert tampered is not None and not tampered.check_digit_ok
    joined = parse_scan_line(line.replace(" ", ""))
    assert joined is not None and (joined.account, joined.amount_due) == (account, due)


@pytest.mark.parametrize(
    "text",
    [
        "13468619636 00018553 &",  # a digit read twice: re-splitting would make another account
        "267 DENTON, HILLCREST TX 76210 CT APT 10D Payment 10/21/2026",  # an address and a date
    ],
)
def test_digits_that_are_no_scan_line_are_not_made_one(text: str) -> None:
    assert parse_scan_line(text) is None


def test_a_scan_line_with_its_spaces_lost_or_misread_is_still_read() -> None:
    line = coupon_scan_line("1346819636", Decimal("185.53"))
    for damaged in (line.replace(" ", ""), line.replace(" ", "."), line.replace(" ", "", 1)):
        found = parse_scan_line(damaged)
        assert found is not None and found.check_digit_ok and found.account == "1346819636"


def test_scan_line_absent() -> None:
    assert parse_scan_line("PAYMENT COUPON amount due 123.45") is None


@given(st.text(max_size=40))
def test_never_crashes(text: str) -> None:
    found = parse_memo_account(text)
    assert found is None or (found.isdigit() and 8 <= len(found) <= 12)
