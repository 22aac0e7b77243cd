"""Loan account numbers: written on a check's memo line, or printed in a coupon's scan line.

Memo lines are free text ('Acct 1234567890', 'Loan # 1234-567-890', '#1234567890 car pmt'), so a
number is only taken when it has 8-12 digits and does not look like a phone number. The coupon scan
line carries its own Luhn check digit; a line that fails it is not trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ocr.parse.confusions import fix_digit_runs

MIN_DIGITS = 8
MAX_DIGITS = 12

_KEYWORD = re.compile(
    r"(?:\b(?:acct|account|acc|a/c|loan|ln|contract|ref|no|num|number)\.?|#)"
    r"\s*[:#.]?\s*(?:no\.?|num|#)?\s*$",
    re.IGNORECASE,
)
_PHONE_WORDS = re.compile(r"\b(?:ph|phone|tel|cell|call|fax|mobile)\.?\s*[:#]?\s*$", re.IGNORECASE)
# Digit groups joined by single separators: '1234567890', '1234-567-890', '123 456 7890'.
_GROUPS = re.compile(r"(?<![\d])\(?\d+\)?(?:[ \-.]\(?\d+\)?)*(?![\d])")


@dataclass(frozen=True)
class CouponLine:
    """A coupon scan line: loan account, amount due, and whether its check digit verified."""

    account: str
    amount_due: Decimal
    check_digit_ok: bool
    text: str


def _is_phone_shape(groups: list[str], raw: str) -> bool:
    lengths = [len(g.strip("()")) for g in groups]
    if "(" in raw and ")" in raw:
        return True
    return lengths in ([3, 3, 4], [1, 3, 3, 4], [3, 4])


def memo_account_candidates(text: str) -> list[tuple[str, bool]]:
    """Every plausible account number in the text with whether an account keyword precedes it."""
    s = fix_digit_runs(text)
    out: list[tuple[str, bool]] = []
    for m in _GROUPS.finditer(s):
        raw = m.group(0).strip(" -.")
        groups = re.split(r"[ \-.]", raw)
        digits = "".join(ch for ch in raw if ch.isdigit())
        before = s[: m.start()]
        keyword = bool(_KEYWORD.search(before))
        if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
            # Two numbers separated by a space ('Acct 1234567890 12') can be one over-long match.
            if len(groups) > 1 and MIN_DIGITS <= len(groups[0]) <= MAX_DIGITS:
                digits, groups, raw = groups[0], groups[:1], groups[0]
            else:
                continue
        if _PHONE_WORDS.search(before):
            continue
        if _is_phone_shape(groups, raw) and not keyword:
            continue
        if "(" in raw:
            continue
        out.append((digits, keyword))
    return out


def parse_memo_account(text: str) -> str | None:
    """The loan account number written in a memo line (digits only), or None when absent or unclear."""
    candidates = memo_account_candidates(text)
    keyed = {d for d, k in candidates if k}
    if len(keyed) == 1:
        return keyed.pop()
    distinct = {d for d, _ in candidates}
    if len(distinct) == 1:
        return distinct.pop()
    return None


def luhn_check_digit(payload: str) -> int:
    """The Luhn mod-10 digit that makes payload + digit pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # rightmost payload digit is doubled (it sits next to the check digit)
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def coupon_scan_line(account: str, amount_due: Decimal) -> str:
    """The scan line printed on a coupon: '<10-digit account> <8-digit cents> <check digit>'."""
    cents = int((amount_due * 100).to_integral_value())
    payload = f"{account:0>10}{cents:08d}"
    return f"{payload[:10]} {payload[10:]} {luhn_check_digit(payload)}"


_SCAN = re.compile(r"(?<!\d)(\d{10})\s?(\d{8})\s?(\d)(?!\d)")


def parse_scan_line(text: str) -> CouponLine | None:
    """Find a coupon scan line in OCR text; check_digit_ok tells whether it can be trusted."""
    s = fix_digit_runs(text)
    best: CouponLine | None = None
    for m in _SCAN.finditer(s):
        account, cents, check = m.group(1), m.group(2), m.group(3)
        ok = luhn_check_digit(account + cents) == int(check)
        line = CouponLine(
            account, (Decimal(int(cents)) / 100).quantize(Decimal("0.01")), ok, m.group(0)
        )
        if ok:
            return line
        best = best or line
    if best is None and _spaces_only_lost(s):
        digits = re.sub(r"\D", "", s)
        return parse_scan_line(f"{digits[:10]} {digits[10:18]} {digits[18]}")
    return best


def _spaces_only_lost(text: str) -> bool:
    """Whether the text is a scan line whose spaces were dropped or misread as marks: 19 digits
    with little else, and every break between them where a scan line has one. A digit read twice
    ('13468619636 00018553') or the digits of an address and a date strung together are no scan
    line, however well one of them happens to pass the single check digit."""
    runs = re.findall(r"\d+", text)
    if sum(len(r) for r in runs) != 19 or len(re.sub(r"[\d\s]", "", text)) > 2:
        return False
    breaks, at = set(), 0
    for run in runs[:-1]:
        at += len(run)
        breaks.add(at)
    return breaks <= {10, 18}
