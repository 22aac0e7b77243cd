"""The OCR-A scan line at the bottom of a payment coupon: account, amount due and a check digit.

Layout: `<10-digit account> <amount due in cents, 8 digits> <check digit>`, where the check digit is
the Luhn (mod 10) digit over the 18 digits. The OCR side verifies it on its own; this module is the
generator's half, kept independent so a bug on one side cannot hide the same bug on the other.
"""

from __future__ import annotations

from decimal import Decimal


def scanline_check_digit(digits: str) -> int:
    """The Luhn digit to append to `digits`: doubling every second digit from the right."""
    if not digits or not digits.isdigit():
        raise ValueError(f"need digits, got {digits!r}")
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # the rightmost payload digit is doubled, the check digit will sit after it
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    """True when the last digit of `number` is the Luhn digit of the rest."""
    return (
        len(number) >= 2
        and number.isdigit()
        and scanline_check_digit(number[:-1]) == int(number[-1])
    )


def coupon_scanline(account: str, amount_due: Decimal) -> str:
    """The printed scan line, e.g. '1234567890 00041250 7'."""
    if len(account) != 10 or not account.isdigit():
        raise ValueError(f"loan accounts have 10 digits, got {account!r}")
    cents = int((amount_due * 100).to_integral_value())
    if not 0 <= cents < 10**8:
        raise ValueError(f"amount due {amount_due} does not fit 8 digits of cents")
    amount = f"{cents:08d}"
    return f"{account} {amount} {scanline_check_digit(account + amount)}"
