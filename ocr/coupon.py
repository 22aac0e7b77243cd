"""Read a payment coupon: the OCR-A scan line (account, amount due, Luhn check digit).

The scan line is printed in a font made for machines and carries its own check digit, so when it
verifies it is the most trustworthy account number in the envelope; when it does not verify it is
not used at all (a printed 'Account Number' line is a weaker fallback).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ocr import crops, tess
from ocr.layout import text_lines
from ocr.parse.accounts import CouponLine, parse_scan_line
from ocr.parse.amounts import parse_amount
from ocr.reading import Field
from ocr.tess import Word


@dataclass
class CouponFields:
    account: Field[str]
    amount_due: Field[Decimal]
    warnings: list[str]


def _candidate_lines(words: list[Word]) -> list[list[Word]]:
    """Text lines holding at least 15 digits: where a scan line can be."""
    out = []
    for line in text_lines(words):
        digits = sum(c.isdigit() for w in line for c in w.text)
        if digits >= 15:
            out.append(line)
    return sorted(out, key=lambda line: -min(w.y0 for w in line))  # bottom first


def _reread(image: np.ndarray, dpi: int, line: list[Word]) -> tuple[CouponLine | None, float]:
    pad = int(0.06 * dpi)
    box = (
        min(w.x0 for w in line) - pad,
        min(w.y0 for w in line) - pad,
        max(w.x1 for w in line) + pad,
        max(w.y1 for w in line) + pad,
    )
    crop = crops.prepare(image, box, dpi)
    if crop is None:
        return None, 0.0
    read = tess.read_line(crop, tess.DIGITS_ONLY + " ")
    return parse_scan_line(read.text), read.min_conf


def _printed_account(words: list[Word]) -> tuple[str | None, Decimal | None]:
    """'Account Number: 1234567890' and 'Amount Due: $412.50' as printed on the coupon."""
    account = amount = None
    for line in text_lines(words):
        text = " ".join(w.text for w in line)
        if re.search(r"acc(ou)?n?t", text, re.IGNORECASE) and account is None:
            m = re.search(r"(?<!\d)(\d{10})(?!\d)", text)
            if m:
                account = m.group(1)
        if re.search(r"amount\s+due", text, re.IGNORECASE) and amount is None:
            tail = re.split(r"due", text, flags=re.IGNORECASE)[-1]
            amount = parse_amount(tail.strip(" :"))
    return account, amount


def read_coupon(image: np.ndarray, dpi: int, words: list[Word]) -> CouponFields:
    """Account and amount due from a coupon page."""
    warnings: list[str] = []
    failed: CouponLine | None = None
    for line in _candidate_lines(words):
        first = parse_scan_line(" ".join(w.text for w in line))
        conf1 = min(w.conf for w in line)
        second, conf2 = _reread(image, dpi, line)
        for found, conf in ((second, conf2), (first, conf1)):
            if found is not None and found.check_digit_ok:
                agree = (
                    first is not None
                    and second is not None
                    and first.check_digit_ok
                    and second.check_digit_ok
                    and first.account == second.account
                    and first.amount_due == second.amount_due
                )
                c = 0.99 if agree else min(0.95, 0.8 + 0.15 * conf)
                return CouponFields(
                    Field(found.account, c, found.text),
                    Field(found.amount_due, c, found.text),
                    warnings,
                )
        failed = failed or second or first
    if failed is not None:
        warnings.append(
            f"coupon scan line '{failed.text}' fails its check digit: not trusted, key the account"
        )
    account, amount = _printed_account(words)
    return CouponFields(
        Field(account, 0.6 if account else 0.0, account or ""),
        Field(amount, 0.6 if amount is not None else 0.0, str(amount) if amount else ""),
        warnings,
    )
