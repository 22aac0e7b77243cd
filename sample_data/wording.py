"""How people write amounts, dates and account numbers on checks.

Each style is one a lockbox really sees; the OCR side must read them all, so the generator picks them
at random and records both the text drawn and the value it means.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _under_thousand(n: int, hyphen: bool) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += [_ONES[hundreds], "hundred"]
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        if ones:
            words += [f"{_TENS[tens]}-{_ONES[ones]}"] if hyphen else [_TENS[tens], _ONES[ones]]
        else:
            words.append(_TENS[tens])
    elif rest:
        words.append(_ONES[rest])
    return words


def dollars_in_words(dollars: int, hyphen: bool = True) -> str:
    """'four hundred twelve', 'one thousand two hundred thirty-four'; 0 is 'zero'."""
    if dollars < 0 or dollars >= 1_000_000:
        raise ValueError(f"amount out of range: {dollars}")
    if dollars == 0:
        return "zero"
    thousands, rest = divmod(dollars, 1000)
    words: list[str] = []
    if thousands:
        words += _under_thousand(thousands, hyphen) + ["thousand"]
    words += _under_thousand(rest, hyphen)
    return " ".join(words)


def _split(amount: Decimal) -> tuple[int, int]:
    cents = int((amount * 100).to_integral_value())
    return divmod(cents, 100)


LEGAL_STYLES = ("fraction", "ampersand", "dollars_cents", "upper", "no_100", "title_fraction")


def legal_amount_text(amount: Decimal, style: str, hyphen: bool = True) -> str:
    """The amount in words as written on the legal line (without the pre-printed 'DOLLARS')."""
    dollars, cents = _split(amount)
    words = dollars_in_words(dollars, hyphen)
    sentence = words[0].upper() + words[1:]
    title = " ".join(w.capitalize() if "-" not in w else w.title() for w in words.split())
    if style == "fraction":
        return f"{sentence} and {cents:02d}/100"
    if style == "ampersand":
        return f"{sentence} & {cents:02d}/100"
    if style == "dollars_cents":
        return f"{title} Dollars and {cents:02d} Cents"
    if style == "upper":
        return f"{words.upper()} AND {cents:02d}/100"
    if style == "no_100":
        return f"{sentence} and {'no' if cents == 0 else f'{cents:02d}'}/100"
    if style == "title_fraction":
        return f"{title} and {cents:02d}/100"
    raise ValueError(f"unknown legal style {style!r}")


COURTESY_STYLES = ("comma", "stars", "plain", "fraction")


def courtesy_amount_text(amount: Decimal, style: str) -> str:
    """The figures in the amount box: '1,234.56', '**123.45', '123.45' or '123 45/100'."""
    dollars, cents = _split(amount)
    if style == "comma":
        return f"{dollars:,}.{cents:02d}"
    if style == "stars":
        return f"**{dollars:,}.{cents:02d}"
    if style == "plain":
        return f"{dollars}.{cents:02d}"
    if style == "fraction":
        return f"{dollars:,} {cents:02d}/100"
    raise ValueError(f"unknown courtesy style {style!r}")


DATE_STYLES = ("mdY", "mdy", "bdY", "dashes", "BdY", "short")
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def date_text(d: date, style: str) -> str:
    """'11/17/2026', '11/17/26', 'Nov 17, 2026', '11-17-2026', 'November 17 2026' or '11/7/2026'."""
    if style == "mdY":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "mdy":
        return f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}"
    if style == "bdY":
        return f"{_MONTHS[d.month - 1][:3]} {d.day}, {d.year}"
    if style == "dashes":
        return f"{d.month:02d}-{d.day:02d}-{d.year}"
    if style == "BdY":
        return f"{_MONTHS[d.month - 1]} {d.day} {d.year}"
    if style == "short":
        return f"{d.month}/{d.day}/{d.year}"
    raise ValueError(f"unknown date style {style!r}")


MEMO_STYLES = ("acct", "loan_no", "dashed", "spaced", "hash_car", "acct_hash", "bare")


def memo_text(account: str, style: str) -> str:
    """A memo line carrying the loan account in one of the ways customers write it."""
    a = account
    if style == "acct":
        return f"Acct {a}"
    if style == "loan_no":
        return f"Loan # {a}"
    if style == "dashed":
        return f"{a[:4]}-{a[4:7]}-{a[7:]}"
    if style == "spaced":
        return f"Acct {a[:3]} {a[3:6]} {a[6:]}"
    if style == "hash_car":
        return f"#{a} car pmt"
    if style == "acct_hash":
        return f"Acct# {a}"
    if style == "bare":
        return a
    raise ValueError(f"unknown memo style {style!r}")


NO_ACCOUNT_MEMOS = ("", "", "car payment", "Car pmt", "truck note", "lease pmt", "payment")


def random_memo_without_account(rng: random.Random) -> str:
    """What people write when they forget the account number (often nothing)."""
    return rng.choice(NO_ACCOUNT_MEMOS)
