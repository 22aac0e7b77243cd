"""Split a US check's E-13B code line into routing, account, serial and amount.

The layout, left to right: an optional auxiliary on-us field (business checks: ``U0012345U``, the
serial), the transit field ``T#########T`` (the ABA routing number), the on-us field (the account
number, terminated by ``U``, and on personal checks the serial as a separate short group on
either side of it) and, once a bank has encoded it, the amount field ``A0000012345A`` in cents.
Anything read as ``?`` makes the field that holds it unknown rather than guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lockbox.routing import aba_valid
from ocr.reading import MicrLine

__all__ = ["parse_micr"]
_TRANSIT = re.compile(r"T([0-9D? ]{9,12}?)T")
_ROUTING_NEAR_T = re.compile(r"(?:(?<=T)\s*([0-9]{9})(?![0-9]))|(?:(?<![0-9])([0-9]{9})\s*(?=T))")
_AMOUNT = re.compile(r"A([0-9? ]{10,12}?)A")
_GROUP = re.compile(r"[0-9?D]+")
_SERIAL_DIGITS = range(3, 7)


def _digits_only(group: str) -> str | None:
    """The group's digits without dashes; None when any character in it was unreadable."""
    if "?" in group:
        return None
    digits = group.replace("D", "")
    return digits or None


def _find_transit(text: str) -> tuple[str | None, int, int]:
    """(the transit field's contents, start, end) or (None, -1, -1) when there is none.

    Falls back to nine digits standing against a single readable transit symbol, so that one
    misread delimiter does not lose an otherwise clean routing number.
    """
    m = _TRANSIT.search(text)
    if m:
        return m.group(1).replace(" ", ""), m.start(), m.end()
    m2 = _ROUTING_NEAR_T.search(text)
    if m2:
        digits = m2.group(1) or m2.group(2)
        start, end = m2.span()
        # widen over the delimiter(s) next to the digits
        if start > 0 and text[start - 1] in "T?":
            start -= 1
        if end < len(text) and text[end] in "T?":
            end += 1
        return digits, start, end
    return None, -1, -1


def _split_on_us(field: str) -> tuple[str | None, str | None]:
    """(account, serial) from the on-us field; the account is the group the ``U`` terminates."""
    groups: list[tuple[str, bool]] = []  # (group, terminated by U)
    for m in _GROUP.finditer(field):
        rest = field[m.end() :].lstrip(" ")
        groups.append((m.group(0), rest.startswith("U")))
    if not groups:
        return None, None
    pool = [i for i, (_, t) in enumerate(groups) if t] or list(range(len(groups)))
    account_index = max(pool, key=lambda i: len(groups[i][0]))
    account = _digits_only(groups[account_index][0])
    serial = None
    for i, (g, _) in enumerate(groups):
        if i == account_index:
            continue
        if "D" not in g and len(g) in _SERIAL_DIGITS:
            serial = _digits_only(g)
            break
    return account, serial


def _aux_serial(left: str) -> str | None:
    """The serial in an auxiliary on-us field (``U0012345U``) left of the transit field."""
    m = re.search(r"U\s*([0-9?]+)\s*U", left)
    return _digits_only(m.group(1)) if m else None


def parse_micr(text: str, confidence: float) -> MicrLine:
    """Fields of a code line in the project's notation (digits, T, U, A, D, ?, spaces)."""
    text = text.strip()
    conf = min(1.0, max(0.0, float(confidence)))
    transit, t_start, t_end = _find_transit(text)
    routing: str | None = None
    if transit is not None and aba_valid(transit):
        routing = transit

    amount: Decimal | None = None
    rest_end = len(text)
    after = t_end if t_end >= 0 else 0
    m = _AMOUNT.search(text, after)
    if m:
        cents = m.group(1).replace(" ", "")
        if cents.isdigit():
            amount = Decimal(int(cents)) / Decimal(100)
        rest_end = m.start()

    left = text[:t_start] if t_start >= 0 else ""
    on_us = text[after:rest_end]
    account, serial = _split_on_us(on_us)
    aux = _aux_serial(left)
    if aux is not None:
        serial = aux
    return MicrLine(
        text=text,
        routing=routing,
        account=account,
        serial=serial,
        amount=amount,
        confidence=conf,
        routing_valid=routing is not None,
    )
