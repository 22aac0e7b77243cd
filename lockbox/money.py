"""Money is Decimal with two places, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A text is not an amount of money in dollars and cents."""


def money(value: Decimal | int | str) -> Decimal:
    """Round half up to the cent; refuses floats so binary rounding never touches a balance."""
    if isinstance(value, float):  # pragma: no cover - guarded by type checkers too
        raise TypeError("money() refuses float; pass a Decimal, int or str")
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"{value!r} is not an amount") from exc


def parse_money(text: str) -> Decimal:
    """Parse '1,234.56', '$12.00' or '-3.5' as dollars; raises MoneyError on anything else."""
    cleaned = text.strip().replace(",", "").replace("$", "")
    if not cleaned:
        raise MoneyError("empty amount")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise MoneyError(f"{text!r} is not an amount in dollars (like 1234.56)") from exc
    if not value.is_finite():
        raise MoneyError(f"{text!r} is not an amount in dollars (like 1234.56)")
    return money(value)


def fmt(value: Decimal | None) -> str:
    """Dollars with two places, as the CSV exports write them ('' for None)."""
    return "" if value is None else f"{money(value):.2f}"


def mask(number: str | None, keep: int = 4, char: str = "*") -> str:
    """Mask an account or routing number to its last `keep` digits: never log the full number.
    `char` stands for each hidden digit (a bank file format may not allow `*`)."""
    if not number:
        return ""
    s = str(number)
    if len(s) <= keep:
        return char * len(s)
    return char * (len(s) - keep) + s[-keep:]


def ending(number: str) -> str:
    """A number as a clerk's message names it: "ending 1234", never in full."""
    return f"ending {str(number)[-4:]}"
