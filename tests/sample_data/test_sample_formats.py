"""Small pure helpers: ABA routing check digits, coupon scan lines, and how amounts, dates and
memos are worded on checks."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from lockbox.routing import aba_check_digit
from lockbox.routing import aba_valid as is_valid_routing
from sample_data.aba import make_routing
from sample_data.scanline import coupon_scanline, luhn_valid, scanline_check_digit
from sample_data.wording import (
    courtesy_amount_text,
    date_text,
    dollars_in_words,
    legal_amount_text,
    memo_text,
)


@pytest.mark.parametrize("routing", ["021000021", "011000015", "111000025", "122000247"])
def test_real_routing_numbers_pass_the_aba_check(routing: str) -> None:
    assert is_valid_routing(routing)
    assert aba_check_digit(routing[:8]) == routing[8]


def test_a_changed_digit_fails_the_aba_check() -> None:
    assert not is_valid_routing("111000026")
    assert not is_valid_routing("11100002")
    assert not is_valid_routing("11100002x")


def test_made_up_routing_numbers_are_valid_and_keep_their_prefix() -> None:
    rng = random.Random(1)
    for _ in range(200):
        routing = make_routing("1110", rng)
        assert routing.startswith("1110") and is_valid_routing(routing)


def test_scanline_check_digit_is_luhn() -> None:
    assert scanline_check_digit("7992739871") == 3  # the textbook Luhn example
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


def test_coupon_scanline_layout() -> None:
    line = coupon_scanline("1234567890", Decimal("412.50"))
    account, cents, digit = line.split(" ")
    assert account == "1234567890"
    assert cents == "00041250"
    assert int(digit) == scanline_check_digit(account + cents)


def test_coupon_scanline_refuses_bad_accounts() -> None:
    with pytest.raises(ValueError):
        coupon_scanline("12345", Decimal("1.00"))


@pytest.mark.parametrize(
    ("dollars", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (19, "nineteen"),
        (40, "forty"),
        (412, "four hundred twelve"),
        (1234, "one thousand two hundred thirty-four"),
        (90_005, "ninety thousand five"),
    ],
)
def test_dollars_in_words(dollars: int, words: str) -> None:
    assert dollars_in_words(dollars) == words


def test_legal_amount_styles() -> None:
    amount = Decimal("412.50")
    assert legal_amount_text(amount, "fraction") == "Four hundred twelve and 50/100"
    assert legal_amount_text(amount, "dollars_cents") == "Four Hundred Twelve Dollars and 50 Cents"
    assert legal_amount_text(amount, "upper") == "FOUR HUNDRED TWELVE AND 50/100"
    assert legal_amount_text(Decimal("300.00"), "no_100") == "Three hundred and no/100"
    assert legal_amount_text(Decimal("34.05"), "fraction", hyphen=False) == (
        "Thirty four and 05/100"
    )


def test_courtesy_amount_styles() -> None:
    amount = Decimal("1234.56")
    assert courtesy_amount_text(amount, "comma") == "1,234.56"
    assert courtesy_amount_text(Decimal("123.45"), "stars") == "**123.45"
    assert courtesy_amount_text(amount, "plain") == "1234.56"
    assert courtesy_amount_text(Decimal("123.45"), "fraction") == "123 45/100"


def test_date_styles() -> None:
    d = date(2026, 11, 7)
    assert date_text(d, "mdY") == "11/07/2026"
    assert date_text(d, "mdy") == "11/07/26"
    assert date_text(d, "bdY") == "Nov 7, 2026"
    assert date_text(d, "dashes") == "11-07-2026"
    assert date_text(d, "BdY") == "November 7 2026"
    assert date_text(d, "short") == "11/7/2026"


def test_memo_styles_all_carry_the_account_digits() -> None:
    account = "1234567890"
    styles = ["acct", "loan_no", "dashed", "spaced", "hash_car", "acct_hash", "bare"]
    texts = [memo_text(account, s) for s in styles]
    assert "Acct 1234567890" in texts and "1234-567-890" in texts and "#1234567890 car pmt" in texts
    assert all("".join(ch for ch in t if ch.isdigit()) == account for t in texts)
