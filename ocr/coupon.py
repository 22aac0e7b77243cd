"""Read a payment coupon: the OCR-A scan line (account, amount due, Luhn check digit).

The scan line is printed in a font made for machines and carries its own check digit, so when it
verifies it is the most trustworthy account number in the envelope; when it does not verify it is
not used at all (a printed 'Account Number' line is a weaker fallback).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import cv2
import numpy as np

from ocr import crops, recognizer, tess
from ocr.isolate import isolate
from ocr.layout import text_lines
from ocr.parse.accounts import CouponLine, parse_scan_line
from ocr.parse.amounts import parse_amount
from ocr.reading import Box, Field, Page
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


Read = tuple[CouponLine | None, float]  # a scan line as one reader parsed it, and its confidence


def _reread(image: np.ndarray, dpi: int, box: Box) -> Read:
    """Tesseract's read of a scan line's row, digits only."""
    crop = crops.prepare(image, box, dpi)
    if crop is None:
        return None, 0.0
    read = tess.read_line(crop, tess.DIGITS_ONLY + " ")
    return parse_scan_line(read.text), read.min_conf


def _recognized(image: np.ndarray, dpi: int, boxes: list[Box]) -> list[Read]:
    """The project's recognizer's read of each row, cut out like any written line (it is trained
    on OCR-A scan lines, which Tesseract's English model reads as letters: 6 as b, 2 as e)."""
    lines = [isolate(image, box, dpi) for box in boxes]
    live = [(i, line) for i, line in enumerate(lines) if line is not None]
    out: list[Read] = [(None, 0.0)] * len(boxes)
    reads = recognizer.recognize([(line.image, line.tall) for _, line in live])
    for (i, _), read in zip(live, reads, strict=True):
        if read is not None and read.text:
            out[i] = (parse_scan_line(read.text), read.conf)
    return out


def _settled(reads: list[Read]) -> tuple[CouponLine, float] | None:
    """The scan line the reads verify, and how sure: two verified reads agreeing 0.99, one alone
    by its own confidence (at most 0.95), verified reads that disagree 0.5 (a check digit passes
    one misread in ten). None when no read verifies."""
    good = [(line, conf) for line, conf in reads if line is not None and line.check_digit_ok]
    if not good:
        return None
    best, conf = max(good, key=lambda g: g[1])
    same = [
        line
        for line, _ in good
        if (line.account, line.amount_due) == (best.account, best.amount_due)
    ]
    if len(same) < len(good):
        return best, 0.5
    return best, 0.99 if len(same) >= 2 else min(0.95, 0.8 + 0.15 * conf)


def _fields(line: CouponLine, conf: float, warnings: list[str]) -> CouponFields:
    return CouponFields(
        Field(line.account, conf, line.text), Field(line.amount_due, conf, line.text), warnings
    )


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


# A scan line: a long, low row of printed characters (OCR-A at 10-12 pt, about 25 of them).
SCAN_MIN_WIDTH_IN = 1.8
SCAN_HEIGHT_IN = (0.06, 0.3)
SCAN_MIN_GLYPHS = 18
SCAN_PROBES = 2  # rows tried, bottom first, before the page is left to the full read


def _row_boxes(image: np.ndarray, dpi: int) -> list[Box]:
    """Boxes of long text rows that could be a scan line, bottom of the page first."""
    ink = (image < 128).astype(np.uint8)
    gap = max(3, int(0.22 * dpi))  # a scan line's group breaks are a character or two wide
    rows = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, gap), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(rows, connectivity=8)
    lo, hi = (int(v * dpi) for v in SCAN_HEIGHT_IN)
    boxes = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w < SCAN_MIN_WIDTH_IN * dpi or not lo <= h <= hi:
            continue
        glyphs = cv2.connectedComponentsWithStats(ink[y : y + h, x : x + w], connectivity=8)[0]
        if glyphs - 1 >= SCAN_MIN_GLYPHS:
            boxes.append((int(x), int(y), int(x + w), int(y + h)))
    return sorted(boxes, key=lambda b: -b[3])


def find_scan_line(page: Page) -> CouponFields | None:
    """A coupon known by its scan line alone, before any full-page read: the lowest long rows of
    print are read by the recognizer, and a row it reads as a verified scan line is read once more
    by Tesseract. None when no row verifies (or two verified reads disagree): the page is then
    read in full, and its other words decide what it is, as for any page."""
    image, dpi = page.image, page.dpi
    pad = int(0.06 * dpi)
    boxes = [(x0 - pad, y0 - pad, x1 + pad, y1 + pad) for x0, y0, x1, y1 in _row_boxes(image, dpi)]
    boxes = boxes[:SCAN_PROBES]
    for box, seen in zip(boxes, _recognized(image, dpi, boxes), strict=True):
        if seen[0] is None or not seen[0].check_digit_ok:
            continue
        settled = _settled([seen, _reread(image, dpi, box)])
        if settled is not None and settled[1] > 0.5:
            return _fields(*settled, [])
    return None


def read_coupon(page: Page, words: list[Word]) -> CouponFields:
    """Account and amount due from a coupon page: its scan line, else the printed account."""
    image, dpi = page.image, page.dpi
    warnings: list[str] = []
    failed: CouponLine | None = None
    for line in _candidate_lines(words):
        pad = int(0.06 * dpi)
        box = (
            min(w.x0 for w in line) - pad,
            min(w.y0 for w in line) - pad,
            max(w.x1 for w in line) + pad,
            max(w.y1 for w in line) + pad,
        )
        first: Read = (parse_scan_line(" ".join(w.text for w in line)), min(w.conf for w in line))
        second = _reread(image, dpi, box)
        third = _recognized(image, dpi, [box])[0]
        settled = _settled([second, first, third])
        if settled is not None:
            return _fields(*settled, warnings)
        failed = failed or second[0] or first[0] or third[0]
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
