"""What a page is: a check front, its back, a payment coupon, a letter, or nothing at all.

Only a check front can carry a payment, so the decision must be cheap and conservative: it uses the
ink on the page, whether a MICR line was found, and the vocabulary of the layout pass's words.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from ocr.parse.accounts import parse_scan_line
from ocr.reading import PageKind
from ocr.tess import Word

BLANK_INK = 0.0015  # below this share of inked pixels a page is blank

CHECK_WORDS = ("PAY", "ORDER", "DOLLARS", "MEMO", "DATE", "BANK", "AMOUNT", "SIGNATURE")
COUPON_WORDS = (
    "COUPON",
    "AMOUNT",
    "DUE",
    "ACCOUNT",
    "NUMBER",
    "ENCLOSED",
    "PAYMENT",
    "STATEMENT",
    "REMIT",
    "RETURN",
    "PORTION",
)
BACK_WORDS = (
    "ENDORSE",
    "ENDORSEMENT",
    "DEPOSIT",
    "ONLY",
    "SIGN",
    "STAMP",
    "RESERVED",
    "INSTITUTION",
    "FINANCIAL",
    "WRITE",
)


def _vocab_hits(words: list[Word], vocab: tuple[str, ...]) -> int:
    return len(_vocab_found(words, vocab))


def _vocab_found(words: list[Word], vocab: tuple[str, ...]) -> set[str]:
    hits: set[str] = set()
    for w in words:
        text = re.sub(r"[^A-Z]", "", w.text.upper())
        if len(text) < 3 or w.conf < 0.4:
            continue
        for v in vocab:
            if text == v or (len(v) > 4 and fuzz.ratio(text, v) >= 85):
                hits.add(v)
    return hits


def _has_scan_line(words: list[Word]) -> bool:
    digits = " ".join(w.text for w in words if any(c.isdigit() for c in w.text))
    line = parse_scan_line(digits)
    return line is not None and line.check_digit_ok


def classify_page(
    words: list[Word],
    ink: float,
    has_micr: bool,
    confident_words: int | None = None,
    check_stock: bool = False,
) -> tuple[PageKind, float]:
    """The page kind and how sure we are, from the layout pass words, ink share, MICR and, for a
    page without a MICR line, whether its stock is a check's (ocr.stock.looks_like_check): such a
    check is held for its unread MICR line, never taken for a letter."""
    if ink < BLANK_INK and len([w for w in words if w.conf > 0.6 and len(w.text) > 2]) < 2:
        return PageKind.BLANK, round(min(0.99, 0.9 + (BLANK_INK - ink) / BLANK_INK * 0.09), 3)
    check = _vocab_hits(words, CHECK_WORDS)
    coupon_found = _vocab_found(words, COUPON_WORDS)
    coupon = len(coupon_found)
    back = _vocab_hits(words, BACK_WORDS)
    scan_line = _has_scan_line(words)
    text_words = (
        confident_words
        if confident_words is not None
        else len([w for w in words if w.conf > 0.6 and len(w.text) > 2])
    )
    # A letter about a loan also says 'account number' and 'payment': without its scan line a
    # coupon must at least call itself one.
    if scan_line or ("COUPON" in coupon_found and coupon >= 3 and check <= 2 and not has_micr):
        return PageKind.COUPON, 0.97 if scan_line else 0.75
    if has_micr and check >= 2:
        return PageKind.CHECK, 0.99
    if has_micr:
        return PageKind.CHECK, 0.85
    if check >= 3:
        return PageKind.CHECK, min(0.9, 0.5 + 0.1 * check)
    if check_stock:
        return PageKind.CHECK, 0.7
    if back >= 1 and text_words < 40:
        return PageKind.CHECK_BACK, min(0.95, 0.6 + 0.1 * back)
    if ink < BLANK_INK * 2 and text_words < 3:
        return PageKind.BLANK, 0.6
    if check == 2 and text_words < 40:
        return PageKind.CHECK, 0.5
    return PageKind.OTHER, 0.8 if text_words >= 10 else 0.5
